/**
 * The dashboard's search box (`/search`): the operator types a query, optionally narrows it to a course or a kind of
 * item, and sees the same ranked hits as GET /api/search, each linked to its page in Canvas, with the next page
 * behind a cursor. Signed-in only (bearer header or the session cookie). Kept in its own file with its own route so
 * the rest of the dashboard can change independently; the snippet is the only raw HTML, and it is built escaped
 * (src/search/snippet.ts: every character of Canvas text is escaped, `<mark>` is the only tag).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/database";
import { isAuthenticated } from "../http/auth";
import { ITEM_TYPES } from "../detect/item-types";
import { MAX_QUERY_CHARS } from "../search/limits";
import { runSearch, type SearchHit } from "../search/search-service";
import { Layout } from "./layout";

const PAGE_SIZE = 25;
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const SearchFormSchema = z.object({
  q: z.string().max(MAX_QUERY_CHARS).default(""),
  course: z
    .string()
    .regex(/^([1-9]\d{0,14})?$/, "a course id is a positive integer")
    .default(""),
  type: z.union([z.enum(ITEM_TYPES), z.literal("")]).default(""),
  cursor: z.string().max(200).optional(),
});
type SearchForm = z.infer<typeof SearchFormSchema>;

interface SearchPageProps {
  form: SearchForm;
  hits: SearchHit[] | null;
  nextCursor: string | null;
  error: string | null;
}

function nextHref(form: SearchForm, cursor: string): string {
  const params = new URLSearchParams({ q: form.q, course: form.course, type: form.type, cursor });
  return `/search?${params.toString()}`;
}

export function SearchPage(props: SearchPageProps) {
  const { form, hits } = props;
  return (
    <Layout title="Search">
      <h1>Search the mirror</h1>
      <form method="get" action="/search" role="search">
        <input
          name="q"
          type="search"
          value={form.q}
          maxlength={MAX_QUERY_CHARS}
          aria-label="Search"
          required
        />
        <input
          name="course"
          inputmode="numeric"
          value={form.course}
          placeholder="course id"
          aria-label="Course id"
        />
        <select name="type" aria-label="Kind of item">
          <option value="">all kinds</option>
          {ITEM_TYPES.map((type) => (
            <option value={type} selected={form.type === type}>
              {type.replace(/_/g, " ")}
            </option>
          ))}
        </select>
        <button type="submit">Search</button>
      </form>
      <p class="muted">
        All words must match (stemmed); "exact phrase", prefix*, -exclude and OR work. Deleted items are not
        found.
      </p>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      {hits === null ? null : hits.length === 0 ? (
        <p id="search-empty">No matches.</p>
      ) : (
        <ol id="search-results">
          {hits.map((hit) => (
            <li>
              <a href={hit.canvasUrl} rel="noreferrer">
                {hit.title || hit.itemId}
              </a>{" "}
              <span class="muted">
                {`${hit.type.replace(/_/g, " ")} · course ${hit.canvasCourseId}${hit.courseName ? ` (${hit.courseName})` : ""} · score ${hit.score.toFixed(2)}`}
                {hit.textIndexed === "full" || hit.textIndexed === "none" ? "" : ` · text ${hit.textIndexed}`}
              </span>
              <p dangerouslySetInnerHTML={{ __html: hit.snippet }} />
            </li>
          ))}
        </ol>
      )}
      {props.nextCursor ? (
        <p class="pager">
          <a href={nextHref(form, props.nextCursor)}>Next results</a>
        </p>
      ) : null}
    </Layout>
  );
}

export const searchPageRoutes = new Hono<AppEnv>();

searchPageRoutes.get("/search", async (c) => {
  if (!(await isAuthenticated(c, (env) => [env.API_TOKEN], { allowCookie: true }))) {
    return c.redirect("/login", 303);
  }
  c.header("content-security-policy", CSP);
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "no-referrer");
  c.header("cache-control", "no-store");
  const parsed = SearchFormSchema.safeParse(c.req.query());
  const empty: SearchForm = { q: "", course: "", type: "" };
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
      .join("; ");
    return c.html(<SearchPage form={empty} hits={null} nextCursor={null} error={message} />, 400);
  }
  const form = parsed.data;
  if (form.q.trim() === "")
    return c.html(<SearchPage form={form} hits={null} nextCursor={null} error={null} />);
  const outcome = await runSearch(
    c.var.db,
    c.var.config.CANVAS_BASE_URL,
    {
      q: form.q,
      syntax: "simple",
      limit: PAGE_SIZE,
      ...(form.course === "" ? {} : { canvasCourseId: Number(form.course) }),
      ...(form.type === "" ? {} : { type: form.type }),
      ...(form.cursor === undefined ? {} : { cursor: form.cursor }),
    },
    "html",
  );
  if (!outcome.ok) {
    return c.html(<SearchPage form={form} hits={null} nextCursor={null} error={outcome.message} />, 400);
  }
  return c.html(<SearchPage form={form} hits={outcome.items} nextCursor={outcome.nextCursor} error={null} />);
});
