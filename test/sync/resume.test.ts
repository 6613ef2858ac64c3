/**
 * Crash safety of the pipeline: a job whose isolate dies anywhere (before, inside or right after a checkpoint: every
 * binding call and fetch freezes, nothing after runs) and is run again from its stored checkpoint ends in exactly the
 * state (rows, change log, blobs, report counts) of an uninterrupted run.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { CanvasClient, newRequestStats } from "../../src/canvas/client";
import { openDatabase } from "../../src/storage/d1/client";
import { createFileStore } from "../../src/storage/file-store";
import { DEFAULT_SYNC_CONFIG, type Checkpoint } from "../../src/sync/context";
import { unlimitedBudget } from "../../src/sync/delivery-budget";
import { runSyncJob, type SyncJobResult } from "../../src/sync/run-sync-job";
import type { CanvasSimulator } from "../local/simulator";
import { CANVAS_ORIGIN, CANVAS_TOKEN, resetStorage, startSimulator } from "../support/harness";
import { KillSwitch } from "../support/kill-switch";
import { syncEnv, testQueues } from "../support/sync-harness";

const COURSE = 202;

/**
 * One run of the pipeline behind a kill switch: with `crashAt`, the isolate dies at that call (fetch or binding);
 * returns the result, or "crashed".
 */
async function run(
  simulator: CanvasSimulator,
  jobId: string,
  crashAt?: number,
): Promise<{ result: SyncJobResult | "crashed"; calls: number }> {
  const kill = new KillSwitch();
  if (crashAt !== undefined) kill.trip(crashAt);
  const killed = kill.env(syncEnv(testQueues()));
  const fetcher = kill.fetch((input, init) => simulator.fetch(input, init));
  const row = await env.DB.prepare("SELECT checkpoint FROM sync_jobs WHERE id = ?1")
    .bind(jobId)
    .first<{ checkpoint: string | null }>();
  let fileBytes = 0;
  const client = new CanvasClient({
    baseUrl: CANVAS_ORIGIN,
    token: CANVAS_TOKEN,
    fetch: fetcher,
    timeoutMs: 10_000,
    gate: null,
    retryPolicy: () => ({ retry: false }),
    sleep: () => Promise.resolve(),
    stats: newRequestStats(),
  });
  const killedDb = openDatabase(killed.DB);
  const running = runSyncJob(
    {
      db: killedDb,
      client,
      files: createFileStore({
        db: killedDb,
        bucket: killed.BLOBS,
        canvasOrigin: CANVAS_ORIGIN,
        token: CANVAS_TOKEN,
        allowedHosts: ["canvas.test", "files.canvas-storage.test"],
        fetch: fetcher,
        timeoutMs: 10_000,
        multipartThresholdBytes: 100 * 1024 * 1024,
        now: Date.now,
        onBytes: (bytes) => {
          fileBytes += bytes;
        },
      }),
      config: { ...DEFAULT_SYNC_CONFIG, batchSize: 5, concurrency: 2, commitEveryBatches: 2 },
      budget: unlimitedBudget(),
      alert: () => Promise.resolve(),
      now: Date.now,
      fileBytes: () => fileBytes,
      onProgress: () => Promise.resolve(),
    },
    {
      jobId,
      courseId: COURSE,
      mode: "full",
      reconcile: true,
      checkpoint: row?.checkpoint
        ? // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- the checkpoint runSyncJob itself stored in this row; resuming must see it exactly as written
          (JSON.parse(row.checkpoint) as Checkpoint)
        : null,
    },
  );
  const result = await Promise.race([running, kill.dead.then(() => "crashed" as const)]);
  return { result, calls: kill.calls };
}

async function newJob(): Promise<string> {
  const jobId = crypto.randomUUID();
  await env.DB.prepare(
    "INSERT INTO sync_jobs (id, course_id, mode, trigger, status, created_at) VALUES (?1, ?2, 'full', 'api', 'running', ?3)",
  )
    .bind(jobId, COURSE, Date.now())
    .run();
  return jobId;
}

/** Everything that defines the mirror's state, without timestamps that legitimately differ between runs. */
async function snapshot() {
  const items = await env.DB.prepare(
    `SELECT id, type, canvas_id, parent_id, title, content_hash, data, blob_sha256, text_hash, text_status, version,
       deleted_at IS NULL AS live, replaces_id, replaced_by_id FROM items ORDER BY id`,
  ).all();
  const changes = await env.DB.prepare(
    "SELECT item_id, kind, fields FROM item_changes ORDER BY item_id, kind, fields",
  ).all();
  const blobs = await env.DB.prepare("SELECT sha256, size FROM blobs ORDER BY sha256").all();
  const objects = (await env.BLOBS.list()).objects.map((object) => object.key).sort();
  const cursors = await env.DB.prepare(
    "SELECT collection, watermark, reconciled_at IS NOT NULL AS reconciled FROM collection_cursors ORDER BY collection",
  ).all();
  return {
    items: items.results,
    changes: changes.results,
    blobs: blobs.results,
    objects,
    cursors: cursors.results,
  };
}

describe("resuming a crashed job", () => {
  let simulator: CanvasSimulator;

  beforeEach(async () => {
    await resetStorage();
    simulator = startSimulator({ seed: 21, institution: { courses: [{ id: COURSE, items: 90 }] } });
  });

  it("ends in the state of an uninterrupted run wherever it crashed", async () => {
    const cleanJob = await newJob();
    const clean = await run(simulator, cleanJob);
    if (clean.result === "crashed") throw new Error("the clean run cannot crash");
    const cleanState = await snapshot();
    expect(cleanState.items.length).toBeGreaterThan(50);
    expect(clean.result.status).toBe("finished");

    // Spread over the run: before the first commit, inside commits, around the probes and the last batch.
    const crashPoints = [0.02, 0.2, 0.45, 0.7, 0.9, 0.99].map((share) =>
      Math.max(2, Math.round(share * clean.calls)),
    );
    for (const crashAt of crashPoints) {
      await resetStorage();
      const jobId = await newJob();
      const crashed = await run(simulator, jobId, crashAt);
      expect({ crashAt, result: crashed.result }).toEqual({ crashAt, result: "crashed" });
      const resumed = await run(simulator, jobId);
      if (resumed.result === "crashed") throw new Error("the resumed run cannot crash");
      // The crash point rides along on both sides so a failure names it.
      expect({ crashAt, state: await snapshot(), types: resumed.result.report.types }).toEqual({
        crashAt,
        state: cleanState,
        types: clean.result.report.types,
      });
    }
  });
});
