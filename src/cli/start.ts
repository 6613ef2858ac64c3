/**
 * `npm start`: runs canvas-sync locally and shows it syncing.
 *
 * Without configuration it starts the bundled Canvas simulator with a demo institution, applies the D1 migrations
 * to the local database, starts the worker with `wrangler dev --env local` (miniflare: local D1, R2, Queues, Durable
 * Objects, the Vectorize stand-in), registers the demo courses, fires the Cron Trigger, and prints progress and the
 * URLs to query. With CANVAS_BASE_URL and CANVAS_TOKEN set it syncs that Canvas instead (CANVAS_COURSE_IDS chooses
 * the courses; otherwise the first 100 courses the token can see). Ctrl-C stops everything.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { startSimulatorServer } from "./simulator-server";

const port = Number(process.env["PORT"] ?? 8787);
const base = `http://127.0.0.1:${port}`;
const apiToken = process.env["API_TOKEN"] ?? `local-${randomBytes(12).toString("hex")}`;
const children: ChildProcess[] = [];

const WRANGLER = path.join("node_modules", ".bin", "wrangler");

/** Starts wrangler in its own process group, so stopping it also stops the workerd processes it spawned. */
function wrangler(args: string[]): ChildProcess {
  const child = spawn(WRANGLER, args, { stdio: "inherit", env: process.env, detached: true });
  children.push(child);
  return child;
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status < 500 || response.status === 503) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not come up within ${timeoutMs / 1000}s`);
}

async function call(method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The part of Canvas's course listing we read. */
const CanvasCoursesSchema = z.array(z.object({ id: z.number() }));

async function courseIdsFromCanvas(canvasUrl: string, token: string): Promise<number[]> {
  const configured = process.env["CANVAS_COURSE_IDS"];
  if (configured)
    return configured
      .split(",")
      .map((id) => Number(id.trim()))
      .filter((id) => id > 0);
  const response = await fetch(`${canvasUrl}/api/v1/courses?per_page=100`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`Canvas answered ${response.status} when listing courses`);
  const courses = CanvasCoursesSchema.parse(await response.json());
  return courses.map((course) => course.id);
}

/** The parts of the worker's own API responses that the progress display reads. */
const CourseViewSchema = z.object({
  canvasCourseId: z.number(),
  state: z.string(),
  lastSuccessAt: z.string().nullable(),
});
const CoursePageSchema = z.object({ items: z.array(CourseViewSchema) });
const CourseDetailSchema = z.object({
  runningJob: z.object({ done: z.number(), total: z.number(), collection: z.string().nullish() }).nullish(),
});

async function main(): Promise<void> {
  const useRealCanvas = Boolean(process.env["CANVAS_BASE_URL"] && process.env["CANVAS_TOKEN"]);
  let canvasUrl = process.env["CANVAS_BASE_URL"] ?? "";
  let canvasToken = process.env["CANVAS_TOKEN"] ?? "";
  let fileHosts = process.env["CANVAS_FILE_HOSTS"] ?? "";
  let courseIds: number[];
  if (useRealCanvas) {
    console.log(`Syncing the Canvas at ${canvasUrl}`);
    courseIds = await courseIdsFromCanvas(canvasUrl, canvasToken);
  } else {
    canvasToken = `sim-${randomBytes(8).toString("hex")}`;
    const simulator = await startSimulatorServer({
      port: Number(process.env["SIMULATOR_PORT"] ?? 8790),
      storagePort: Number(process.env["SIMULATOR_STORAGE_PORT"] ?? 8791),
      institution: "demo",
      tokens: [canvasToken],
    });
    canvasUrl = simulator.apiOrigin;
    fileHosts = new URL(simulator.storageOrigin).hostname;
    const listing = await fetch(`${canvasUrl}/api/v1/courses?per_page=100`, {
      headers: { authorization: `Bearer ${canvasToken}` },
    });
    courseIds = CanvasCoursesSchema.parse(await listing.json()).map((course) => course.id);
    console.log(
      `Canvas simulator: ${simulator.apiOrigin} (files on ${simulator.storageOrigin}), demo courses ${courseIds.join(", ")}`,
    );
  }

  const secrets = mkdtempSync(path.join(tmpdir(), "canvas-sync-"));
  const envFile = path.join(secrets, ".env");
  writeFileSync(
    envFile,
    [`CANVAS_TOKEN=${canvasToken}`, `API_TOKEN=${apiToken}`, `CANVAS_FILE_HOSTS=${fileHosts}`].join("\n") +
      "\n",
    { mode: 0o600 },
  );

  console.log("Applying D1 migrations to the local database...");
  const migrate = spawnSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--env", "local"], {
    stdio: "inherit",
    env: { ...process.env, CI: "true" },
  });
  if (migrate.status !== 0) throw new Error("applying migrations failed");

  console.log(`Starting the worker on ${base} ...`);
  wrangler([
    "dev",
    "--env",
    "local",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--env-file",
    envFile,
    "--var",
    `CANVAS_BASE_URL:${canvasUrl}`,
    "--show-interactive-dev-session=false",
  ]);
  await waitFor(`${base}/health`, 120_000);

  for (const courseId of courseIds) {
    const response = await call("POST", "/api/courses", { canvasCourseId: courseId });
    if (response.status !== 201 && response.status !== 409) {
      console.error(`registering course ${courseId} failed: ${response.status} ${await response.text()}`);
    }
  }
  console.log(`Registered ${courseIds.length} course(s). Firing the Cron Trigger...`);
  await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/5 * * * *")}`);

  const started = Date.now();
  for (;;) {
    const response = await call("GET", "/api/courses?limit=500");
    const { items } = CoursePageSchema.parse(await response.json());
    const done = items.filter(
      (course) =>
        course.lastSuccessAt !== null || course.state === "failing" || course.state === "auth_failed",
    );
    const parts = await Promise.all(
      items.map(async (course) => {
        if (course.state !== "syncing") return `${course.canvasCourseId}: ${course.state}`;
        const detail = CourseDetailSchema.parse(
          await (await call("GET", `/api/courses/${course.canvasCourseId}`)).json(),
        );
        const job = detail.runningJob;
        const progress = job ? ` ${job.collection ?? ""} ${job.done}/${job.total}` : "";
        return `${course.canvasCourseId}: syncing${progress}`;
      }),
    );
    const line = parts.join("  |  ");
    console.log(
      `[${Math.round((Date.now() - started) / 1000)}s] ${done.length}/${items.length} synced  ${line}`,
    );
    if (done.length === items.length) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  const first = courseIds[0];
  console.log(`
canvas-sync is running at ${base}   (Ctrl-C to stop)
  API token:     ${apiToken}
  Dashboard:     ${base}/
  Health:        ${base}/health
  OpenAPI:       ${base}/openapi.json
  Courses:       curl -H "Authorization: Bearer ${apiToken}" ${base}/api/courses
  One course:    curl -H "Authorization: Bearer ${apiToken}" ${base}/api/courses/${first}
  Its items:     curl -H "Authorization: Bearer ${apiToken}" "${base}/api/courses/${first}/items?type=page"
  Sync again:    curl -X POST -H "Authorization: Bearer ${apiToken}" -H "content-type: application/json" -d '{"mode":"incremental"}' ${base}/api/courses/${first}/sync
`);
  if (process.env["CANVAS_SYNC_EXIT_AFTER_SYNC"] === "1") shutdown(0);
}

function shutdown(code: number): void {
  for (const child of children) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  process.exit(code);
}

process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));
main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  shutdown(1);
});
