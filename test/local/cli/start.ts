/**
 * `npm start`: runs canvas-sync locally and shows it mirroring.
 *
 * First it gathers every setting (environment over `.dev.vars`) and validates it with the worker's own schema:
 * a bad one stops here, before anything starts, with one message naming the variable and the rule. Without
 * CANVAS_BASE_URL it starts the bundled Canvas simulator with the demo institution; with CANVAS_BASE_URL and
 * CANVAS_TOKEN it mirrors that Canvas (CANVAS_COURSE_IDS chooses the courses, otherwise the first 100 the token
 * sees). It applies the D1 migrations, starts `wrangler dev --env local` with all settings in a private env file,
 * registers the courses, fires the Cron Trigger (and again every 5 minutes, as the deployed schedule would), waits
 * until syncs, text extraction and dedup have finished, and prints the banner. After it the console stays quiet
 * unless something needs attention. `--fresh` starts from an empty local mirror. Ctrl-C stops everything.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { CANVAS_STATE_DIR, stateDirFor, wipeState } from "./local-state";
import { countOpenConflicts, summarise, waitUntilMirrored, type Call } from "./mirror-progress";
import {
  envFileText,
  readDevVars,
  resolveStartSettings,
  scrubbedEnvironment,
  type StartSettings,
} from "./settings";
import { startSimulatorServer } from "./simulator-server";
import { startWranglerDev, WRANGLER } from "./wrangler-dev";

const CRON = "*/5 * * * *";
const CRON_INTERVAL_MS = 5 * 60_000;
const MIRROR_TIMEOUT_MS = 15 * 60_000;

const children: ChildProcess[] = [];
const timers: NodeJS.Timeout[] = [];
let stopSimulator: (() => Promise<void>) | null = null;

async function waitForHealth(base: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/health`);
      if (response.status === 200 || response.status === 503) {
        const body = await response.text();
        if (body.includes('"misconfigured"'))
          throw new Error("the worker says its configuration is invalid (see above)");
        return;
      }
    } catch (error) {
      if (error instanceof Error && error.message.includes("configuration")) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${base} did not come up within ${timeoutMs / 1000}s`);
}

const CanvasCoursesSchema = z.array(z.object({ id: z.number() }));

async function courseIdsFromCanvas(canvasUrl: string, token: string): Promise<number[]> {
  const response = await fetch(`${canvasUrl}/api/v1/courses?per_page=100`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok)
    throw new Error(`Canvas at ${canvasUrl} answered ${response.status} when listing courses`);
  return CanvasCoursesSchema.parse(await response.json()).map((course) => course.id);
}

function applyMigrations(stateDir: string, environment: NodeJS.ProcessEnv): void {
  const migrate = spawnSync(
    "npx",
    [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--env", "local", "--persist-to", stateDir],
    { encoding: "utf8", env: { ...environment, CI: "true", WRANGLER_SEND_METRICS: "false" } },
  );
  if (migrate.status !== 0) {
    process.stderr.write(`${migrate.stdout}${migrate.stderr}`);
    throw new Error("applying the D1 migrations failed");
  }
  const applied = (migrate.stdout.match(/✅/g) ?? []).length;
  console.log(applied > 0 ? `Applied ${applied} D1 migration(s).` : "D1 schema is up to date.");
}

function banner(
  settings: StartSettings,
  base: string,
  summary: { headline: string; details: string[] },
): string {
  const token = settings.apiTokenGenerated
    ? `${settings.values.API_TOKEN ?? ""}   (made up for this run; export API_TOKEN=... to keep one)`
    : "yours (API_TOKEN from your environment or .dev.vars; not printed)";
  const exportLine = settings.apiTokenGenerated
    ? `  export API_TOKEN=${settings.values.API_TOKEN ?? ""}\n`
    : "";
  const state =
    settings.mode === "demo"
      ? `${stateDirFor("demo")} (the demo starts afresh every time)`
      : `${CANVAS_STATE_DIR} (kept across restarts; npm start -- --fresh or npm run reset starts clean)`;
  return `
canvas-sync is running at ${base}   (Ctrl-C to stop)
  ${summary.headline}
${summary.details.map((line) => `  ! ${line}\n`).join("")}  API token:     ${token}
  Dashboard:     ${base}/
  API reference: ${base}/docs
  Health:        ${base}/health
  Metrics:       ${base}/metrics   (API token or the dashboard session)
  Local state:   ${state}
Try:
${exportLine}  curl -H "Authorization: Bearer $API_TOKEN" ${base}/api/courses
  curl -H "Authorization: Bearer $API_TOKEN" "${base}/api/conflicts?status=open"
The Cron Trigger fires every 5 minutes while this runs. From here on only warnings and errors are printed.
`;
}

async function main(): Promise<void> {
  const fresh = process.argv.includes("--fresh");
  const resolved = resolveStartSettings(process.env, readDevVars(".dev.vars"));
  if (!resolved.ok) {
    console.error(
      `Invalid settings (environment or .dev.vars), nothing was started:\n${resolved.problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    process.exit(1);
  }
  const settings = resolved.settings;
  for (const note of settings.notes) console.log(`note: ${note}`);
  const port = settings.options.PORT;
  const base = `http://127.0.0.1:${port}`;
  const stateDir = stateDirFor(settings.mode);
  if ((settings.mode === "demo" || fresh) && wipeState(stateDir))
    console.log(`Starting from an empty ${stateDir}.`);

  let courseIds: number[];
  if (settings.mode === "demo") {
    const simulator = await startSimulatorServer({
      port: settings.options.SIMULATOR_PORT,
      storagePort: settings.options.SIMULATOR_STORAGE_PORT,
      institution: "demo",
      tokens: [settings.values.CANVAS_TOKEN ?? ""],
    });
    stopSimulator = () => simulator.close();
    settings.values.CANVAS_FILE_HOSTS ??= new URL(simulator.storageOrigin).hostname;
    courseIds = simulator.simulator.control.courseIds();
    console.log(
      `Canvas simulator: ${simulator.apiOrigin} with the demo institution (courses ${courseIds.join(", ")})`,
    );
  } else {
    console.log(`Mirroring the Canvas at ${settings.config.CANVAS_BASE_URL}`);
    courseIds =
      settings.options.CANVAS_COURSE_IDS ??
      (await courseIdsFromCanvas(settings.config.CANVAS_BASE_URL, settings.config.CANVAS_TOKEN));
  }

  const envFile = path.join(mkdtempSync(path.join(tmpdir(), "canvas-sync-")), ".env");
  writeFileSync(envFile, envFileText(settings.values), { mode: 0o600 });
  const environment = scrubbedEnvironment(process.env);
  applyMigrations(stateDir, environment);
  console.log(`Starting the worker on ${base} ...`);
  children.push(startWranglerDev({ port, envFile, stateDir, environment }));
  await waitForHealth(base, 120_000);

  const token = settings.values.API_TOKEN ?? "";
  const call: Call = (method, route) =>
    fetch(`${base}${route}`, { method, headers: { authorization: `Bearer ${token}` } });
  for (const courseId of courseIds) {
    const response = await fetch(`${base}/api/courses`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ canvasCourseId: courseId }),
    });
    if (response.status !== 201 && response.status !== 409) {
      console.error(`registering course ${courseId} failed: ${response.status} ${await response.text()}`);
    }
  }
  console.log(`Registered ${courseIds.length} course(s). Firing the Cron Trigger...`);
  const fireCron = () =>
    fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(CRON)}`).catch(() => null);
  await fireCron();
  timers.push(setInterval(() => void fireCron(), CRON_INTERVAL_MS));

  const progress = await waitUntilMirrored(call, MIRROR_TIMEOUT_MS);
  console.log(banner(settings, base, summarise(progress, await countOpenConflicts(call))));
  if (process.env["CANVAS_SYNC_EXIT_AFTER_SYNC"] === "1") await shutdown(0);
}

async function shutdown(code: number): Promise<void> {
  for (const timer of timers) clearInterval(timer);
  for (const child of children) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  await stopSimulator?.().catch(() => undefined);
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await shutdown(1);
});
