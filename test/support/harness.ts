/**
 * Test harness: a Canvas simulator answering every outbound fetch of this isolate (the worker under test runs in
 * the same isolate, so its queue consumer and Durable Objects see the simulator too), plus helpers to call the API,
 * run the cron handler and wait for jobs. Everything else is the real local runtime: D1, R2, Queues, DOs.
 */
import {
  applyD1Migrations,
  createExecutionContext,
  createScheduledController,
  reset,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { vi } from "vitest";
import worker from "../../src/index";
import { createCanvasSimulator, type CanvasSimulator, type SimulatorOptions } from "../local/simulator";

export const API_TOKEN = "test-api-token-0123456789";
export const CANVAS_TOKEN = "test-canvas-token-0123456789";
export const CANVAS_ORIGIN = "https://canvas.test";
export const STORAGE_ORIGIN = "https://files.canvas-storage.test";

export function startSimulator(options: Partial<SimulatorOptions> = {}): CanvasSimulator {
  const simulator = createCanvasSimulator({
    apiOrigin: CANVAS_ORIGIN,
    storageOrigin: STORAGE_ORIGIN,
    tokens: [CANVAS_TOKEN],
    ...options,
  });
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => simulator.fetch(input, init));
  return simulator;
}

export async function api(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("authorization")) headers.set("authorization", `Bearer ${API_TOKEN}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  return exports.default.fetch(
    new Request(`https://sync.test${path}`, { ...init, headers, body: body ?? null }),
  );
}

export async function apiJson<T = Record<string, unknown>>(
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<T> {
  const response = await api(path, init);
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export async function runCron(): Promise<void> {
  // Called as the runtime calls it (controller, env, ctx), whatever parameters the handler happens to declare.
  const handler: ExportedHandler<Env> = worker;
  if (!handler.scheduled) throw new Error("the worker exports no scheduled handler");
  // The secrets are bound by test/vitest.config.ts, but the test pool's Env type does not declare them.
  const workerEnv: Env = { ...env, CANVAS_TOKEN, API_TOKEN };
  const ctx = createExecutionContext();
  await handler.scheduled(
    createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }),
    workerEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

export interface JobView {
  jobId: string;
  status: string;
  counts: Record<string, Record<string, unknown>>;
  report: {
    canvasRequests: number;
    listRequests: number;
    bytesDownloaded: number;
    itemRowsWritten: number;
    r2Writes: number;
    throttled: number;
    dedup: { blobHits: number };
  } | null;
  error: string | null;
  errorCategory: string | null;
}

/** Waits until the job is finished (the real local queue delivers it to the consumer). */
export async function waitForJob(jobId: string, timeoutMs = 150_000): Promise<JobView> {
  return vi.waitUntil(
    async () => {
      const job = await apiJson<JobView>(`/api/jobs/${jobId}`);
      return job.status === "succeeded" || job.status === "partial" || job.status === "failed" ? job : false;
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

export async function latestJobId(courseId: number): Promise<string> {
  const page = await apiJson<{ items: { jobId: string }[] }>(`/api/courses/${courseId}/jobs?limit=1`);
  const job = page.items[0];
  if (!job) throw new Error(`course ${courseId} has no job`);
  return job.jobId;
}

/** Runs one sync through the API and waits for it. */
export async function syncNow(
  courseId: number,
  mode: "incremental" | "full" = "incremental",
): Promise<JobView> {
  const { jobId } = await apiJson<{ jobId: string }>(`/api/courses/${courseId}/sync`, {
    method: "POST",
    json: { mode },
  });
  return waitForJob(jobId);
}

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Storage is isolated per test file, not per test: wipe D1, R2, queues and Durable Objects, then re-migrate. */
export async function resetStorage(): Promise<void> {
  await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
}

/** Waits until every file's text extraction (its own queue message after a sync) has finished. */
export async function waitForExtractions(timeoutMs = 150_000): Promise<void> {
  await vi.waitUntil(
    async () => {
      const row = await env.DB.prepare(
        "SELECT count(*) AS n FROM items WHERE text_status = 'pending'",
      ).first<{
        n: number;
      }>();
      return row?.n === 0;
    },
    { timeout: timeoutMs, interval: 50 },
  );
}
