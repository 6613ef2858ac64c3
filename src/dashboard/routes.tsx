/**
 * The operator's dashboard (server-rendered hono/jsx): `/` and `/courses/:id` behind the API token (bearer header
 * or the signed session cookie set by the sign-in form), `/login` and `/logout`, and the two static assets. Pages
 * send a strict Content-Security-Policy; all Canvas-sourced text is escaped by JSX.
 */
import { Hono, type Context } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { isAuthenticated } from "../api/auth";
import { constantTimeEqual } from "../api/constant-time";
import { createSession, SESSION_COOKIE, SESSION_TTL_SECONDS } from "../api/session";
import { evaluateHealth, liveEventsHealth, readHealthInput, stuckJobLimitMs } from "../observability/health";
import { readGateSnapshot } from "../observability/metrics-collect";
import { openDatabase } from "../storage/d1/client";
import {
  countItemsByType,
  decodeCursor,
  encodeCursor,
  getCourse,
  isJobCursor,
  isNumberCursor,
  listCourses,
  listJobs,
} from "../storage/d1/queries";
import { DASHBOARD_CSS, DASHBOARD_JS, FAVICON_SVG } from "./assets";
import { CoursePage, NotFoundPage } from "./course-page";
import { courseChanges, recentJobPoints, courseTitles, jobSummary, runningJobs } from "./data";
import { LoginPage } from "./login-page";
import { OverviewPage } from "./overview-page";

type AppContext = Context<{ Bindings: Env }>;

const PAGE_SIZE = 100;
const JOB_PAGE_SIZE = 50;
const PLOT_JOBS = 200;

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const LoginFormSchema = z.object({ token: z.string().min(1).max(512) }).strict();
const CourseIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,14}$/)
  .transform(Number);

export const dashboardRoutes = new Hono<{ Bindings: Env }>();

/** Renders a page with the security headers every dashboard page carries. */
function render(
  c: AppContext,
  element: HtmlEscapedString | Promise<HtmlEscapedString>,
  status: 200 | 400 | 401 | 404 | 415 = 200,
): Response | Promise<Response> {
  c.header("content-security-policy", CSP);
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "no-referrer");
  c.header("cache-control", "no-store");
  return c.html(element, status);
}

dashboardRoutes.get("/ui/style.css", (c) =>
  c.body(DASHBOARD_CSS, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "max-age=300" }),
);
dashboardRoutes.get("/ui/app.js", (c) =>
  c.body(DASHBOARD_JS, 200, {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "max-age=300",
  }),
);

dashboardRoutes.get("/ui/favicon.svg", (c) =>
  c.body(FAVICON_SVG, 200, { "content-type": "image/svg+xml", "cache-control": "max-age=86400" }),
);

dashboardRoutes.get("/login", (c) => render(c, <LoginPage />));

dashboardRoutes.post("/login", async (c) => {
  const type = c.req.header("content-type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
    return render(c, <LoginPage error="Send the sign-in form." />, 415);
  }
  let form: unknown;
  try {
    form = await c.req.parseBody();
  } catch {
    return render(c, <LoginPage error="The form could not be read." />, 400);
  }
  const parsed = LoginFormSchema.safeParse(form);
  if (!parsed.success) return render(c, <LoginPage error="Enter the API token." />, 400);
  const expected = c.env.API_TOKEN;
  if (
    typeof expected !== "string" ||
    expected.length === 0 ||
    !constantTimeEqual(parsed.data.token, expected)
  ) {
    return render(c, <LoginPage error="That token is not valid." />, 401);
  }
  setCookie(c, SESSION_COOKIE, await createSession(expected, Date.now()), {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    maxAge: SESSION_TTL_SECONDS,
    secure: new URL(c.req.url).protocol === "https:",
  });
  return c.redirect("/", 303);
});

dashboardRoutes.post("/logout", (c) => {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
  return c.redirect("/login", 303);
});

async function signedIn(c: AppContext): Promise<boolean> {
  return isAuthenticated(c, (env) => [env.API_TOKEN], { allowCookie: true });
}

dashboardRoutes.get("/", async (c) => {
  if (!(await signedIn(c))) return c.redirect("/login", 303);
  const now = Date.now();
  const cursor = c.req.query("cursor");
  const after = decodeCursor(cursor, isNumberCursor);
  if (cursor && after === null)
    return render(c, <NotFoundPage message="That page of courses does not exist." />, 400);
  const orm = openDatabase(c.env.DB);
  const [healthInput, rows, running, points, gate] = await Promise.all([
    readHealthInput(c.env.DB, now, stuckJobLimitMs(c.env), liveEventsHealth(c.env)),
    listCourses(orm, after, PAGE_SIZE + 1),
    runningJobs(c.env),
    recentJobPoints(c.env.DB, PLOT_JOBS),
    readGateSnapshot(c.env),
  ]);
  const courses = rows.slice(0, PAGE_SIZE);
  const last = courses.at(-1);
  const titles = await courseTitles(
    c.env.DB,
    courses.map((course) => course.canvasCourseId),
  );
  return render(
    c,
    <OverviewPage
      now={now}
      health={evaluateHealth(healthInput)}
      courses={courses}
      titles={titles}
      nextCursor={rows.length > PAGE_SIZE && last ? encodeCursor(last.canvasCourseId) : null}
      running={running}
      points={points}
      gate={gate}
    />,
  );
});

dashboardRoutes.get("/courses/:canvasCourseId", async (c) => {
  if (!(await signedIn(c))) return c.redirect("/login", 303);
  const id = CourseIdSchema.safeParse(c.req.param("canvasCourseId"));
  if (!id.success) return render(c, <NotFoundPage message="Course ids are positive integers." />, 404);
  const courseId = id.data;
  const jobsCursor = c.req.query("jobs");
  const before = decodeCursor(jobsCursor, isJobCursor);
  if (jobsCursor && !before)
    return render(c, <NotFoundPage message="That page of jobs does not exist." />, 400);
  const orm = openDatabase(c.env.DB);
  const course = await getCourse(orm, courseId);
  if (!course) return render(c, <NotFoundPage message={`Course ${courseId} is not registered.`} />, 404);
  const now = Date.now();
  const [itemCounts, status, running, jobRows, points, changes, titles] = await Promise.all([
    countItemsByType(orm, courseId),
    c.env.COURSE_SYNC.getByName(String(courseId)).status(),
    runningJobs(c.env, courseId),
    listJobs(orm, courseId, before, JOB_PAGE_SIZE + 1),
    recentJobPoints(c.env.DB, PLOT_JOBS, courseId),
    courseChanges(c.env.DB, courseId, 100),
    courseTitles(c.env.DB, [courseId]),
  ]);
  const page = jobRows.slice(0, JOB_PAGE_SIZE);
  const last = page.at(-1);
  return render(
    c,
    <CoursePage
      now={now}
      course={course}
      title={titles.get(courseId) ?? null}
      itemCounts={itemCounts}
      breaker={status.breaker}
      running={running}
      jobs={page.map((row) => ({ row, summary: jobSummary(row) }))}
      olderJobsCursor={
        jobRows.length > JOB_PAGE_SIZE && last
          ? encodeCursor({ createdAt: last.createdAt, id: last.id })
          : null
      }
      points={points}
      changes={changes}
    />,
  );
});
