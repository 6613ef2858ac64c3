/**
 * `npm run test:browser`: the dashboard in a real browser against a seeded local run.
 *
 * Starts the Canvas simulator (two courses), applies the D1 migrations to a throw-away state directory, starts the
 * worker with `wrangler dev --env local` (secrets from a private .env file), registers and syncs the courses, edits
 * a page and syncs again. Then Debian's Chromium, driven by playwright-core with a new empty profile, signs in
 * through the form, checks that the course table and the SVG plots render, opens a course, checks its job history
 * and change log, and saves screenshots to test-artifacts/. Any page error, console error or failed request (a CSP
 * violation shows up as one) fails the check. Exit code 0 on success, 1 on failure.
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
const TOTAL_TIMEOUT_MS = 8 * 60_000;

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`  ok  ${message}`);
}

async function seed(worker: Worker, sim: SimulatorServer): Promise<void> {
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
  console.log("seeded: 2 courses, 3 finished syncs, 1 edited page");
}

async function count(page: Page, selector: string): Promise<number> {
  return page.locator(selector).count();
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
    ],
    viewport: { width: 1400, height: 1000 },
  });
  cleanups.push(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("requestfailed", (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`),
  );

  await page.goto(`${worker.base}/`);
  check(new URL(page.url()).pathname === "/login", "an anonymous visit lands on the sign-in form");
  await page.fill("#token", apiToken);
  await Promise.all([page.waitForURL(`${worker.base}/`), page.click("button[type=submit]")]);
  check((await page.title()).startsWith("Overview"), "signing in opens the overview");

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
  check((await count(page, "#health-checks li")) === 3, "the three health checks are shown");
  for (const id of ["sync-duration", "canvas-requests", "changes", "throttled"]) {
    const circles = await count(page, `figure[data-plot="${id}"] svg circle`);
    check(circles === 3, `plot ${id} draws one point per finished sync (${circles})`);
  }
  const box = await page.locator('figure[data-plot="sync-duration"] svg').boundingBox();
  check(box !== null && box.width > 200 && box.height > 100, "the duration plot has a visible size");
  check(
    /remaining/.test(await page.locator('figure[data-plot="rate-limit-headroom"]').innerText()),
    "the headroom gauge renders",
  );
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-overview.png"), fullPage: true });

  await Promise.all([
    page.waitForURL(`${worker.base}/courses/101`),
    page.click('#courses a[href="/courses/101"]'),
  ]);
  check((await page.title()).startsWith("Course 101"), "clicking a course opens its page");
  check((await count(page, "#job-history tbody tr")) === 2, "the job history lists both syncs of course 101");
  check(
    (await count(page, 'figure[data-plot="changes"] svg circle')) === 2,
    "the course's change plot has two points",
  );
  const changeLog = await page.locator("#change-log").innerText();
  check(
    changeLog.includes("content modified") && changeLog.includes("(revised)"),
    "the change log shows the edited page",
  );
  await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-course.png"), fullPage: true });

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
