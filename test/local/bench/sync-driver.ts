/**
 * Drives one course through the real sync pipeline (runSyncJob over the Canvas client, D1 and R2 of this isolate)
 * against the simulator, measuring what a scenario costs: Canvas requests, bytes, D1 rows, R2 writes, wall time.
 * Shared by the efficiency benchmark; the rate budget is measured separately (throttling is off here so wall time
 * measures our code, not Canvas's bucket).
 */
import { env } from "cloudflare:workers";
import { CanvasClient, newRequestStats } from "../../../src/canvas/client";
import { sleep } from "../../../src/deps";
import { canvasRetryPolicy } from "../../../src/resilience/retry-policy";
import type { CanvasSimulator } from "../simulator";
import { openDatabase } from "../../../src/storage/d1/client";
import { createFileStore } from "../../../src/storage/file-store";
import { DEFAULT_SYNC_CONFIG } from "../../../src/sync/context";
import { unlimitedBudget } from "../../../src/sync/delivery-budget";
import type { JobReport } from "../../../src/sync/report";
import { runSyncJob } from "../../../src/sync/run-sync-job";

export const BENCH_CANVAS = "https://canvas.test";
export const BENCH_TOKEN = "bench-token-0123456789";

export interface SyncMeasurement {
  canvasRequests: number;
  bytesDownloaded: number;
  d1RowsWritten: number;
  itemRowsWritten: number;
  r2Writes: number;
  wallMs: number;
  objects: number;
  report: JobReport;
}

export async function measureSync(
  simulator: CanvasSimulator,
  courseId: number,
  mode: "incremental" | "full",
): Promise<SyncMeasurement> {
  const fetcher: typeof fetch = (input, init) => simulator.fetch(input, init);
  const jobId = crypto.randomUUID();
  await env.DB.prepare(
    "INSERT INTO sync_jobs (id, course_id, mode, trigger, status, created_at) VALUES (?1, ?2, ?3, 'api', 'running', ?4)",
  )
    .bind(jobId, courseId, mode, Date.now())
    .run();
  const cursor = await env.DB.prepare(
    "SELECT reconciled_at FROM collection_cursors WHERE course_id = ?1 AND collection = 'files'",
  )
    .bind(courseId)
    .first<{ reconciled_at: number | null }>();
  let fileBytes = 0;
  simulator.control.resetCounters();
  const started = Date.now();
  const result = await runSyncJob(
    {
      db: openDatabase(env.DB),
      client: new CanvasClient({
        baseUrl: BENCH_CANVAS,
        token: BENCH_TOKEN,
        fetch: fetcher,
        timeoutMs: 30_000,
        gate: null,
        retryPolicy: canvasRetryPolicy(30_000),
        sleep,
        stats: newRequestStats(),
      }),
      files: createFileStore({
        db: openDatabase(env.DB),
        bucket: env.BLOBS,
        canvasOrigin: BENCH_CANVAS,
        token: BENCH_TOKEN,
        allowedHosts: ["canvas.test", "files.canvas-storage.test"],
        fetch: fetcher,
        timeoutMs: 60_000,
        multipartThresholdBytes: 100 * 1024 * 1024,
        now: Date.now,
        onBytes: (bytes) => {
          fileBytes += bytes;
        },
      }),
      config: DEFAULT_SYNC_CONFIG,
      budget: unlimitedBudget(),
      alert: () => Promise.resolve(),
      now: Date.now,
      fileBytes: () => fileBytes,
      onProgress: () => Promise.resolve(),
    },
    {
      jobId,
      courseId,
      mode,
      reconcile: mode === "full" || cursor?.reconciled_at === null || cursor === null,
      checkpoint: null,
    },
  );
  const wallMs = Date.now() - started;
  const report = result.report;
  const counters = simulator.control.counters();
  const objects = Object.values(report.types).reduce(
    (sum, counts) =>
      sum +
      counts.added +
      counts.unchanged +
      counts.updated.content +
      counts.updated.modified +
      counts.updated.timestamp +
      counts.restored,
    0,
  );
  return {
    canvasRequests: counters.total.requests,
    bytesDownloaded: counters.total.fileBytes,
    d1RowsWritten: report.d1RowsWritten,
    itemRowsWritten: report.itemRowsWritten,
    r2Writes: report.r2Writes,
    wallMs,
    objects,
    report,
  };
}
