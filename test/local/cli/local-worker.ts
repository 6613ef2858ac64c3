/**
 * A local run of the worker for Node scripts: applies the D1 migrations to a private state directory and starts
 * `wrangler dev --env local` against a Canvas simulator, with the secrets in a mode-0600 .env file (never on a
 * command line, where `ps` would show them). Also a helper that runs one sync through the API and waits for it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { z } from "zod";
import { scrubbedEnvironment } from "./settings";
import type { SimulatorServer } from "./simulator-server";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.status === 200 || response.status === 503) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not come up within ${timeoutMs / 1000}s`);
}

export interface Worker {
  base: string;
  call(method: string, route: string, body?: unknown): Promise<Response>;
}

export async function startWorker(
  sim: SimulatorServer,
  canvasToken: string,
  apiToken: string,
  work: string,
  /** called with wrangler's process as soon as it is spawned, so the caller can always stop it */
  track: (child: ChildProcess) => void,
): Promise<Worker> {
  const envFile = path.join(work, ".env");
  const fileHosts = new URL(sim.storageOrigin).hostname;
  writeFileSync(
    envFile,
    `CANVAS_TOKEN=${canvasToken}\nAPI_TOKEN=${apiToken}\nCANVAS_FILE_HOSTS=${fileHosts}\n`,
    {
      mode: 0o600,
    },
  );
  const state = path.join(work, "state");
  const migrate = spawnSync(
    "npx",
    ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--env", "local", "--persist-to", state],
    { stdio: "inherit", env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" } },
  );
  if (migrate.status !== 0) throw new Error("applying the D1 migrations failed");
  const [port, inspector] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--env",
      "local",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspector),
      "--env-file",
      envFile,
      "--persist-to",
      state,
      "--var",
      `CANVAS_BASE_URL:${sim.apiOrigin}`,
      "--show-interactive-dev-session=false",
    ],
    {
      stdio: ["ignore", "inherit", "inherit"],
      // The settings come from the env file only; a CANVAS_BASE_URL in the shell must not redirect the check.
      env: {
        ...scrubbedEnvironment(process.env),
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
      },
      detached: true,
    },
  );
  track(child);
  await waitFor(`${base}/health`, 120_000);
  return {
    base,
    call: (method, route, body) =>
      fetch(`${base}${route}`, {
        method,
        headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
}

/** Ends a process started with `detached: true` and everything it spawned (its process group), and waits for it. */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  await exited;
}

const SyncAcceptedSchema = z.object({ jobId: z.string() });
const JobStateSchema = z.object({ status: z.string(), error: z.string().nullable() });

export async function syncAndWait(
  worker: Worker,
  courseId: number,
  mode: "full" | "incremental",
): Promise<string> {
  const accepted = await worker.call("POST", `/api/courses/${courseId}/sync`, { mode });
  if (accepted.status !== 202) throw new Error(`sync of ${courseId} answered ${accepted.status}`);
  const { jobId } = SyncAcceptedSchema.parse(await accepted.json());
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const job = JobStateSchema.parse(await (await worker.call("GET", `/api/jobs/${jobId}`)).json());
    if (job.status === "succeeded") return jobId;
    if (job.status === "failed") throw new Error(`sync of ${courseId} failed: ${job.error ?? "?"}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`sync of ${courseId} did not finish in time`);
}
