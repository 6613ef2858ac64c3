/**
 * The dashboard's actions, as same-origin form POSTs: register a course, request a sync, remove a course (with or
 * without its mirror), resolve a conflict. Each needs the session and its CSRF token (a hidden form field; a foreign
 * Origin is refused), or the bearer token; each does exactly what the API route does (src/http/course-actions.ts)
 * and answers with a redirect to the page to look at next, carrying a notice code (post/redirect/get, so a reload
 * never repeats an action).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/database";
import { credentialOf } from "../http/auth";
import { registerCourse, removeCourse, requestSync, resolveConflict } from "../http/course-actions";
import { CSRF_FIELD, crossOrigin, verifyCsrfToken } from "../http/csrf";
import { NotFoundPage } from "./course-page";
import { render, type AppContext } from "./render";

export const dashboardActions = new Hono<AppEnv>();

const Id = z
  .string()
  .regex(/^[1-9]\d{0,14}$/)
  .transform(Number);
const Csrf = { [CSRF_FIELD]: z.string().max(100).optional() };
const RegisterForm = z.object({ canvasCourseId: z.string().trim().pipe(Id), ...Csrf }).strict();
const SyncForm = z.object({ mode: z.enum(["incremental", "full"]).default("incremental"), ...Csrf }).strict();
const RemoveForm = z.object({ purge: z.literal("true").optional(), ...Csrf }).strict();
const ResolveForm = z
  .object({
    resolution: z.enum(["keep_both", "mark_duplicate", "ignore"]),
    canonicalItemId: z.string().min(1).max(200).optional(),
    ...Csrf,
  })
  .strict();

type Form = Record<string, string>;

/**
 * The form, once the request is allowed to change something: the bearer token, or the session with its CSRF token
 * from this origin. Otherwise the response to send instead (sign-in, or a 403 page).
 */
async function authorisedForm(
  c: AppContext,
): Promise<{ form: Form } | { response: Response | Promise<Response> }> {
  const credential = await credentialOf(c, (env) => [env.API_TOKEN], { allowCookie: true });
  if (credential.kind === "none") return { response: c.redirect("/login", 303) };
  let form: Form = {};
  try {
    const body = await c.req.parseBody();
    form = Object.fromEntries(
      Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  } catch {
    return { response: render(c, <NotFoundPage message="The form could not be read." />, 400) };
  }
  if (credential.kind === "session") {
    const ok = await verifyCsrfToken(form[CSRF_FIELD], credential.session, [c.env.API_TOKEN]);
    if (!ok || crossOrigin(c)) {
      return {
        response: render(
          c,
          <NotFoundPage message="This form is out of date or did not come from this dashboard; reload the page and try again." />,
          403,
        ),
      };
    }
  }
  return { form };
}

dashboardActions.post("/courses", async (c) => {
  const allowed = await authorisedForm(c);
  if ("response" in allowed) return allowed.response;
  const parsed = RegisterForm.safeParse(allowed.form);
  if (!parsed.success) return c.redirect("/?notice=invalid", 303);
  const id = parsed.data.canvasCourseId;
  const outcome = await registerCourse(c.var.db, c.env, id, Date.now());
  if (outcome === "exists") return c.redirect("/?notice=already_registered", 303);
  // Registered courses are due at once: ask for the first sync now rather than at the next cron run.
  await requestSync(c.var.db, c.env, id, "incremental", Date.now());
  return c.redirect(`/courses/${id}?notice=registered`, 303);
});

dashboardActions.post("/courses/:canvasCourseId/sync", async (c) => {
  const allowed = await authorisedForm(c);
  if ("response" in allowed) return allowed.response;
  const id = Id.safeParse(c.req.param("canvasCourseId"));
  const parsed = SyncForm.safeParse(allowed.form);
  if (!id.success || !parsed.success) return c.redirect("/?notice=invalid", 303);
  const accepted = await requestSync(c.var.db, c.env, id.data, parsed.data.mode, Date.now());
  if (!accepted) return c.redirect("/?notice=not_registered", 303);
  return c.redirect(`/courses/${id.data}?notice=sync_requested`, 303);
});

dashboardActions.post("/courses/:canvasCourseId/remove", async (c) => {
  const allowed = await authorisedForm(c);
  if ("response" in allowed) return allowed.response;
  const id = Id.safeParse(c.req.param("canvasCourseId"));
  const parsed = RemoveForm.safeParse(allowed.form);
  if (!id.success || !parsed.success) return c.redirect("/?notice=invalid", 303);
  const purge = parsed.data.purge === "true";
  const removal = await removeCourse(c.var.db, c.env, c.var.config, id.data, purge, Date.now());
  if (!removal) return c.redirect("/?notice=not_registered", 303);
  return c.redirect(`/?notice=${purge ? "purged" : "removed"}`, 303);
});

dashboardActions.post("/conflicts/:conflictId/resolve", async (c) => {
  const allowed = await authorisedForm(c);
  if ("response" in allowed) return allowed.response;
  const id = Id.safeParse(c.req.param("conflictId"));
  const parsed = ResolveForm.safeParse(allowed.form);
  if (!id.success || !parsed.success) return c.redirect("/conflicts?notice=invalid", 303);
  const { resolution, canonicalItemId } = parsed.data;
  if ((resolution === "mark_duplicate") !== (canonicalItemId !== undefined)) {
    return c.redirect(`/conflicts/${id.data}?notice=invalid`, 303);
  }
  const result = await resolveConflict(
    c.var.db,
    id.data,
    { resolution, canonicalItemId: canonicalItemId ?? null },
    Date.now(),
  );
  if (!result.ok) {
    return c.redirect(
      result.reason === "not_found"
        ? "/conflicts?notice=conflict_missing"
        : `/conflicts/${id.data}?notice=invalid`,
      303,
    );
  }
  return c.redirect(`/conflicts/${id.data}?notice=resolved`, 303);
});
