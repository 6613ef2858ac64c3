/**
 * The operator's dashboard (server-rendered hono/jsx): the overview, a page per course, the conflicts list and one
 * conflict, behind the API token (bearer header or the signed session cookie set by the sign-in form); `/login`,
 * `/logout` and the static assets; and the forms' POST actions (src/dashboard/actions.tsx). Pages send a strict
 * Content-Security-Policy; all Canvas-sourced text is escaped by JSX.
 */
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { AppEnv } from "../http/database";
import { constantTimeEqual } from "../http/constant-time";
import { createSession, SESSION_COOKIE, SESSION_TTL_SECONDS } from "../http/session";
import { getDuplicate, listConflicts } from "../storage/d1/conflicts";
import { configuredGateTarget, liveEventsHealth, stuckJobLimitMs } from "../http/config-inputs";
import { evaluateHealth, readHealthInput } from "../observability/health";
import { readGateSnapshot } from "../observability/metrics-collect";
import { courseChangeLog, isChangeLogCursor } from "../storage/d1/change-log";
import { courseTitles } from "../storage/d1/dashboard-reads";
import { readItemText } from "../storage/d1/item-texts";
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
import { dashboardActions } from "./actions";
import { DASHBOARD_CSS, DASHBOARD_JS, FAVICON_SVG } from "./assets";
import { ConflictPage, ConflictsPage } from "./conflicts-page";
import { CoursePage, NotFoundPage } from "./course-page";
import { jobSummary, recentJobPoints, runningJobs } from "./data";
import { LoginPage } from "./login-page";
import { NOTICES } from "./layout";
import { OverviewPage } from "./overview-page";
import { render, type AppContext } from "./render";
import { viewerOf } from "./viewer";

const PAGE_SIZE = 100;
const JOB_PAGE_SIZE = 50;
const CHANGE_PAGE_SIZE = 50;
const CONFLICT_PAGE_SIZE = 50;
const PLOT_JOBS = 200;
/** How much of each text the side-by-side view shows. */
const COMPARE_CHARS = 20_000;

const LoginFormSchema = z.object({ token: z.string().min(1).max(512) }).strict();
const IdSchema = z
  .string()
  .regex(/^[1-9]\d{0,14}$/)
  .transform(Number);

export const dashboardRoutes = new Hono<AppEnv>();

/** The notice an action redirected with, if it is one we know (nothing from the URL is echoed). */
function noticeOf(c: AppContext): string | undefined {
  const code = c.req.query("notice");
  return code !== undefined && code in NOTICES ? code : undefined;
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

// Pages that are not HTML (the /metrics text, a JSON answer) carry no <link rel="icon">, so a browser showing them
// asks for /favicon.ico: answer it with the same icon rather than a 404.
for (const path of ["/ui/favicon.svg", "/favicon.ico"]) {
  dashboardRoutes.get(path, (c) =>
    c.body(FAVICON_SVG, 200, { "content-type": "image/svg+xml", "cache-control": "max-age=86400" }),
  );
}

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

dashboardRoutes.get("/", async (c) => {
  const viewer = await viewerOf(c);
  if (!viewer) return c.redirect("/login", 303);
  const now = Date.now();
  const cursor = c.req.query("cursor");
  const after = decodeCursor(cursor, isNumberCursor);
  if (cursor && after === null)
    return render(c, <NotFoundPage message="That page of courses does not exist." />, 400);
  const db = c.var.db;
  const [healthInput, rows, running, points, gate] = await Promise.all([
    readHealthInput(db, now, stuckJobLimitMs(c.var.config), liveEventsHealth(c.var.config)),
    listCourses(db, after, PAGE_SIZE + 1),
    runningJobs(db, c.env.COURSE_SYNC),
    recentJobPoints(db, PLOT_JOBS),
    configuredGateTarget(c.var.config).then((target) => readGateSnapshot(c.env.CANVAS_GATE, target)),
  ]);
  const courses = rows.slice(0, PAGE_SIZE);
  const last = courses.at(-1);
  const ids = new Set([...courses.map((course) => course.canvasCourseId), ...points.map((p) => p.courseId)]);
  const titles = await courseTitles(db, [...ids].slice(0, 200));
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
      csrf={viewer.csrf}
      notice={noticeOf(c)}
    />,
  );
});

dashboardRoutes.get("/courses/:canvasCourseId", async (c) => {
  const viewer = await viewerOf(c);
  if (!viewer) return c.redirect("/login", 303);
  const id = IdSchema.safeParse(c.req.param("canvasCourseId"));
  if (!id.success) return render(c, <NotFoundPage message="Course ids are positive integers." />, 404);
  const courseId = id.data;
  const jobsCursor = c.req.query("jobs");
  const before = decodeCursor(jobsCursor, isJobCursor);
  if (jobsCursor && !before)
    return render(c, <NotFoundPage message="That page of jobs does not exist." />, 400);
  const changesCursor = c.req.query("changes");
  const changesBefore = decodeCursor(changesCursor, isChangeLogCursor);
  if (changesCursor && !changesBefore)
    return render(c, <NotFoundPage message="That page of changes does not exist." />, 400);
  const db = c.var.db;
  const course = await getCourse(db, courseId);
  if (!course) return render(c, <NotFoundPage message={`Course ${courseId} is not registered.`} />, 404);
  const now = Date.now();
  const [itemCounts, status, running, jobRows, points, changes, titles] = await Promise.all([
    countItemsByType(db, courseId),
    c.env.COURSE_SYNC.getByName(String(courseId)).status(),
    runningJobs(db, c.env.COURSE_SYNC, courseId),
    listJobs(db, courseId, before, JOB_PAGE_SIZE + 1),
    recentJobPoints(db, PLOT_JOBS, courseId),
    courseChangeLog(db, courseId, changesBefore, CHANGE_PAGE_SIZE + 1),
    courseTitles(db, [courseId]),
  ]);
  const page = jobRows.slice(0, JOB_PAGE_SIZE);
  const last = page.at(-1);
  const changePage = changes.slice(0, CHANGE_PAGE_SIZE);
  const lastChange = changePage.at(-1);
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
      changes={changePage}
      olderChangesHref={
        changes.length > CHANGE_PAGE_SIZE && lastChange
          ? `/courses/${courseId}?changes=${encodeCursor({ at: lastChange.at, id: lastChange.id })}#change-log`
          : null
      }
      newestChangesHref={changesBefore ? `/courses/${courseId}#change-log` : null}
      csrf={viewer.csrf}
      notice={noticeOf(c)}
    />,
  );
});

dashboardRoutes.get("/conflicts", async (c) => {
  const viewer = await viewerOf(c);
  if (!viewer) return c.redirect("/login", 303);
  const status = c.req.query("status") === "resolved" ? "resolved" : "open";
  const cursor = c.req.query("cursor");
  const afterId = cursor ? decodeCursor(cursor, isNumberCursor) : 0;
  if (afterId === null)
    return render(c, <NotFoundPage message="That page of conflicts does not exist." />, 400);
  const page = await listConflicts(c.var.db, { status, afterId, limit: CONFLICT_PAGE_SIZE });
  return render(
    c,
    <ConflictsPage
      status={status}
      conflicts={page.items}
      nextHref={
        page.lastId === null ? null : `/conflicts?status=${status}&cursor=${encodeCursor(page.lastId)}`
      }
      notice={noticeOf(c)}
    />,
  );
});

dashboardRoutes.get("/conflicts/:conflictId", async (c) => {
  const viewer = await viewerOf(c);
  if (!viewer) return c.redirect("/login", 303);
  const id = IdSchema.safeParse(c.req.param("conflictId"));
  const conflict = id.success ? await getDuplicate(c.var.db, id.data) : null;
  if (conflict === null || conflict.kind !== "near_text") {
    return render(c, <NotFoundPage message="There is no such conflict." />, 404);
  }
  const [a, b] = await Promise.all([
    readItemText(c.var.db, c.env.BLOBS, conflict.a.itemId, COMPARE_CHARS),
    readItemText(c.var.db, c.env.BLOBS, conflict.b.itemId, COMPARE_CHARS),
  ]);
  return render(c, <ConflictPage conflict={conflict} a={a} b={b} csrf={viewer.csrf} notice={noticeOf(c)} />);
});

dashboardRoutes.route("/", dashboardActions);
