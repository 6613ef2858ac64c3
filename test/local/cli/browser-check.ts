/**
 * `npm run test:browser`: the dashboard in a real browser against a seeded local run.
 *
 * Starts the Canvas simulator (two courses, one with two near-identical pages), applies the D1 migrations to a
 * throw-away state directory, starts the worker with `wrangler dev --env local` (secrets from a private .env file),
 * registers and syncs the courses, edits a page and syncs again. Then Debian's Chromium, driven by playwright-core
 * with a new empty profile and no network beyond this machine, goes through every page and action: sign-in, the
 * overview (health, plots with one series per course, the register form), a course page (facts, actions, job
 * history, the paged change log with old/new values), sync now, registering a course Canvas does not know (its
 * failed sync is a red point), the conflicts list and the side-by-side view with a resolve button, removing a
 * course, /metrics with the session, /docs (the API reference, served from this origin), and every page at 390 px
 * wide without sideways scrolling. Screenshots go to test-artifacts/. Any page error, console error or failed
 * request (a CSP violation or a CDN request shows up as one) fails the check. Exit code 0 on success, 1 on failure.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Page } from "playwright-core";
import { startWorker, stopProcessGroup, syncAndWait, type Worker } from "./local-worker";
import { startSimulatorServer, type SimulatorServer } from "./simulator-server";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const ARTIFACTS = path.resolve("test-artifacts");
const COURSES = [
  { id: 101, items: 40 },
  { id: 102, items: 25 },
];
const MISSING_COURSE = 9901;
const TOTAL_TIMEOUT_MS = 10 * 60_000;

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`  ok  ${message}`);
}

const NEAR_BODY = (ending: string) =>
  "<h2>Field trip to the estuary</h2><p>We meet at the north car park at eight. Bring boots, a waterproof jacket, " +
  "lunch, two litres of water and your field notebook. The bus leaves at a quarter past eight and returns by five. " +
  `We sample salinity at four stations and count invertebrates on the mud flats at low tide.</p><p>${ending}</p>`;

async function seed(worker: Worker, sim: SimulatorServer): Promise<void> {
  sim.simulator.control.createPage(101, { title: "Field trip", body: NEAR_BODY("Questions to Dr. Okafor.") });
  sim.simulator.control.createPage(101, {
    title: "Field trip (updated)",
    body: NEAR_BODY("Questions to Dr. Lindqvist, please."),
  });
  for (const course of COURSES) {
    const response = await worker.call("POST", "/api/courses", { canvasCourseId: course.id });
    if (response.status !== 201) throw new Error(`registering ${course.id} answered ${response.status}`);
    await syncAndWait(worker, course.id, "full");
  }
  const truth = await sim.simulator.control.truth(101);
  const page = truth.pages[0];
  if (!page) throw new Error("course 101 has no page");
  sim.simulator.control.editPage(101, page.page_id, {
    title: `${page.title} (revised)`,
    body: "<p>Revised.</p>",
  });
  await syncAndWait(worker, 101, "incremental");
  console.log("seeded: 2 courses, 3 finished syncs, 1 edited page, 1 near-duplicate pair");
}

async function count(page: Page, selector: string): Promise<number> {
  return page.locator(selector).count();
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Submits the form matched by `selector` and waits for the page it redirects to. */
async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.locator(selector).first().click()]);
}

async function waitForText(page: Page, url: string, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(url);
    if ((await page.content()).includes(text)) return;
    if (Date.now() > deadline) throw new Error(`${url} never showed "${text}"`);
    await page.waitForTimeout(1_000);
  }
}

async function overview(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/`);
  check(new URL(page.url()).pathname === "/login", "an anonymous visit lands on the sign-in form");
}

async function drive(worker: Worker, apiToken: string, work: string): Promise<void> {
  const problems: string[] = [];
  const context = await chromium.launchPersistentContext(path.join(work, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Nothing but this machine resolves: a page that needs a CDN fails here exactly as it would offline.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
    viewport: { width: 1400, height: 1000 },
  });
  cleanups.push(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on("requestfailed", (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`),
  );
  const base = worker.base;
  mkdirSync(ARTIFACTS, { recursive: true });

  await overview(page, base);
  await shoot(page, "dashboard-login");
  await page.fill("#token", apiToken);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);
  check((await page.title()).startsWith("Overview"), "signing in opens the overview");
  check((await count(page, "#main-nav a")) >= 4, "the navigation lists the dashboard's sections");

  // Overview: courses, health in words and units, one series per course on every plot.
  check(
    (await count(page, "#courses tbody tr")) === COURSES.length,
    `the course table lists ${COURSES.length} courses`,
  );
  for (const course of COURSES) {
    check(
      (await count(page, `#courses tr[data-course-id="${course.id}"] .badge.idle`)) === 1,
      `course ${course.id} is idle`,
    );
  }
  const health = await page.locator("#health-checks").innerText();
  // Three checks always, and the Live Events one whenever the configuration can be read (env.local accepts unsigned
  // deliveries with an institution configured, so it holds: "no").
  check((await count(page, "#health-checks li")) === 4, "the four health checks are shown");
  check(/Live Events accepted from any institution: no/.test(health), "the Live Events check is in words");
  check(/failed syncs \(last hour\): \d+(\.\d)?%/.test(health), "the error rate is a percentage");
  check(/largest sync lag: (\d+[smhd] ?)+|largest sync lag: —/.test(health), "the lag is a duration");
  for (const id of ["sync-duration", "canvas-requests", "changes", "throttled"]) {
    const series = await count(page, `figure[data-plot="${id}"] svg g.series`);
    const circles = await count(page, `figure[data-plot="${id}"] svg circle`);
    check(
      series === 2 && circles === 3,
      `plot ${id}: one series per course, one point per sync (${series}, ${circles})`,
    );
    check(
      (await count(page, `figure[data-plot="${id}"] .legend li`)) === 2,
      `plot ${id} has a legend entry per course`,
    );
  }
  check((await page.locator("footer").innerText()).includes("UTC"), "the page says its times are UTC");
  check(
    /remaining/.test(await page.locator('figure[data-plot="rate-limit-headroom"]').innerText()),
    "the headroom gauge renders",
  );
  await shoot(page, "dashboard-overview");

  // Register a course Canvas does not know: the form, then its failed sync (a red point) and the reason.
  await page.fill("#canvasCourseId", String(MISSING_COURSE));
  await submit(page, "#register-course button");
  check(
    new URL(page.url()).pathname === `/courses/${MISSING_COURSE}`,
    "registering opens the new course's page",
  );
  check(
    (await page.locator("#notice").innerText()).includes("registered"),
    "the page confirms the registration",
  );
  await waitForText(page, `${base}/courses/${MISSING_COURSE}`, 'id="not-found-reason"');
  check(
    (await count(page, ".badge.not_found")) === 1,
    "a course Canvas does not know is marked not found, with why",
  );
  await shoot(page, "dashboard-course-not-found");
  await page.goto(`${base}/`);
  const failedDots = await count(page, 'figure[data-plot="sync-duration"] circle.failed');
  check(failedDots === 1, `the failed sync is one red point on the overview (${failedDots})`);
  check(
    (await page.locator('figure[data-plot="sync-duration"] circle.failed').getAttribute("fill")) ===
      "#dc2626",
    "failed points are red",
  );
  const health2 = await page.locator("#health-checks").innerText();
  check(
    /failed syncs \(last hour\): 0%/.test(health2),
    "the missing course does not count against the service",
  );

  // A course page: facts, actions, job history, the paged change log with old and new values.
  await Promise.all([page.waitForURL(`${base}/courses/101`), page.click('#courses a[href="/courses/101"]')]);
  check((await page.title()).startsWith("Course 101"), "clicking a course opens its page");
  check((await count(page, "#job-history tbody tr")) === 2, "the job history lists both syncs of course 101");
  check(
    (await count(page, 'figure[data-plot="changes"] svg circle')) === 2,
    "the course's change plot has two points",
  );
  const changeLog = await page.locator("#change-log").innerText();
  check(
    changeLog.includes("content modified") && changeLog.includes("(revised)"),
    "the change log shows the edit",
  );
  check(
    (await count(page, "#change-log del")) >= 1 && (await count(page, "#change-log ins")) >= 1,
    "with old and new values",
  );
  await shoot(page, "dashboard-course");
  check((await count(page, "#change-log-pager a")) === 1, "the change log has an older page");
  await Promise.all([page.waitForNavigation(), page.click("#change-log-pager a")]);
  check((await count(page, "#change-log tbody tr")) > 0, "the older page of the change log lists changes");
  check(
    (await page.locator("#change-log-pager").innerText()).includes("Newest"),
    "and links back to the newest",
  );

  // Sync now from the course page.
  await page.goto(`${base}/courses/102`);
  await submit(page, "#course-actions form:first-of-type button");
  check((await page.locator("#notice").innerText()).includes("Sync queued"), "sync now queues a sync");
  const jobs = await count(page, "#job-history tbody tr");
  check(jobs === 2, `the new job is in course 102's history (${jobs})`);

  // Conflicts: the list, the side-by-side view, resolving.
  await page.goto(`${base}/conflicts`);
  check((await page.title()).startsWith("Conflicts"), "the conflicts page opens from the navigation");
  const rows = await count(page, "#conflicts tbody tr");
  check(rows >= 1, `open conflicts are listed (${rows})`);
  await shoot(page, "dashboard-conflicts");
  const fieldTrip = page.locator("#conflicts tbody tr", { hasText: "Field trip" }).first();
  await Promise.all([page.waitForNavigation(), fieldTrip.locator("a", { hasText: "Compare" }).click()]);
  const compare = await page.locator("#compare").innerText();
  check(
    compare.includes("Dr. Okafor") && compare.includes("Dr. Lindqvist"),
    "both texts are shown side by side",
  );
  check(/\d+(\.\d)?% similar/.test(await page.locator("h1").innerText()), "with the similarity score");
  await shoot(page, "dashboard-conflict");
  await submit(page, "#resolve-actions form:first-of-type button");
  check((await page.locator("#notice").innerText()).includes("resolved"), "keep both resolves the conflict");
  check(
    (await page.locator("#conflict-decision").innerText()).includes("keep both"),
    "and the decision is shown",
  );

  // Metrics with the session, the API reference offline.
  const metrics = await page.goto(`${base}/metrics`);
  check(metrics?.status() === 200, "/metrics opens with the dashboard session");
  check((await page.content()).includes("canvas_sync_"), "and shows the Prometheus text");
  await page.goto(`${base}/docs`);
  await page.waitForSelector("text=canvas-sync", { timeout: 30_000 });
  await page.waitForTimeout(1_000);
  check((await page.content()).includes("/api/courses"), "/docs renders the API reference from this origin");
  await shoot(page, "docs");

  // Phone width: every page fits 390 px without sideways scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [pathname, name] of [
    ["/", "dashboard-overview-390px"],
    ["/courses/101", "dashboard-course-390px"],
    ["/conflicts", "dashboard-conflicts-390px"],
  ] as const) {
    await page.goto(`${base}${pathname}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 390, `${pathname} fits 390 px (${width})`);
    await shoot(page, name);
  }
  await page.setViewportSize({ width: 1400, height: 1000 });

  // Remove a course, with its mirrored content.
  await page.goto(`${base}/courses/102`);
  await page.check("#remove input[name=purge]");
  await submit(page, "#remove button");
  check((await page.locator("#notice").innerText()).includes("removed"), "removing a course says so");
  check(
    (await count(page, '#courses tr[data-course-id="102"]')) === 0,
    "and it is gone from the course table",
  );

  check(
    problems.length === 0,
    `no page errors, console errors or failed requests${problems.length ? `: ${problems.join(" | ")}` : ""}`,
  );
}

async function shutdown(): Promise<void> {
  // wrangler first (its state directory is removed by a cleanup), then the browser, the simulator and the files.
  await Promise.all(children.map((child) => stopProcessGroup(child)));
  for (const cleanup of cleanups.toReversed()) {
    try {
      await cleanup();
    } catch {
      // best effort
    }
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), "canvas-sync-browser-"));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const canvasToken = `sim-${randomBytes(12).toString("hex")}`;
  const apiToken = `local-${randomBytes(16).toString("hex")}`;
  const sim = await startSimulatorServer({
    port: 0,
    storagePort: 0,
    seed: 7,
    institution: { courses: COURSES },
    tokens: [canvasToken],
  });
  cleanups.push(() => sim.close());
  const worker = await startWorker(sim, canvasToken, apiToken, work, (child) => children.push(child));
  await seed(worker, sim);
  await drive(worker, apiToken, work);
  console.log(`browser check passed; screenshots in ${ARTIFACTS}`);
}

const timer = setTimeout(() => {
  console.error(`browser check timed out after ${TOTAL_TIMEOUT_MS / 1000}s`);
  void shutdown().then(() => process.exit(1));
}, TOTAL_TIMEOUT_MS);

main().then(
  async () => {
    clearTimeout(timer);
    await shutdown();
    process.exit(0);
  },
  async (error: unknown) => {
    clearTimeout(timer);
    console.error(error instanceof Error ? error.message : error);
    await shutdown();
    process.exit(1);
  },
);
