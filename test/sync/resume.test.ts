/**
 * Crash safety of the pipeline: a job that dies before, inside or right after a checkpoint and is run again from
 * its stored checkpoint ends in exactly the state (rows, change log, blobs, report counts) of an uninterrupted run.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { CanvasClient, newRequestStats } from "../../src/canvas/client";
import { openDatabase } from "../../src/storage/d1/client";
import { createFileStore } from "../../src/storage/file-store";
import { DEFAULT_SYNC_CONFIG, type Checkpoint } from "../../src/sync/context";
import { runSyncJob } from "../../src/sync/run-sync-job";
import type { CanvasSimulator } from "../../src/simulator";
import { CANVAS_ORIGIN, CANVAS_TOKEN, resetStorage, startSimulator } from "../helpers/harness";

const COURSE = 202;

class Crash extends Error {}

/** The innermost `cause` of a failure: a crashed file download surfaces as a network error caused by the crash. */
function rootCause(failure: unknown): unknown {
  let current = failure;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current;
}

/** One run of the pipeline, with a fetch that crashes at request `crashAt` and progress that crashes at commit `crashAtCommit`. */
async function run(
  simulator: CanvasSimulator,
  jobId: string,
  options: { crashAt?: number; crashAtCommit?: number } = {},
) {
  let requests = 0;
  let commits = 0;
  const fetcher: typeof fetch = async (input, init) => {
    requests++;
    if (options.crashAt !== undefined && requests === options.crashAt)
      throw new Crash(`crash at request ${requests}`);
    return simulator.fetch(input, init);
  };
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
  return runSyncJob(
    {
      db: env.DB,
      orm: openDatabase(env.DB),
      client,
      files: createFileStore({
        db: env.DB,
        bucket: env.BLOBS,
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
      now: Date.now,
      fileBytes: () => fileBytes,
      onProgress: () => {
        commits++;
        if (options.crashAtCommit !== undefined && commits === options.crashAtCommit) {
          return Promise.reject(new Crash(`crash after commit ${commits}`));
        }
        return Promise.resolve();
      },
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
    const cleanReport = await run(simulator, cleanJob);
    const clean = await snapshot();
    expect(clean.items.length).toBeGreaterThan(50);

    const crashPoints: { crashAt?: number; crashAtCommit?: number }[] = [
      { crashAt: 2 },
      { crashAt: 17 },
      { crashAt: 41 },
      { crashAt: 66 },
      { crashAtCommit: 1 },
      { crashAtCommit: 4 },
    ];
    for (const crash of crashPoints) {
      await resetStorage();
      const jobId = await newJob();
      // The first run must fail, and the injected crash, not some other failure, must be what stopped it.
      const failure = await run(simulator, jobId, crash).catch((error: unknown) => error);
      expect(rootCause(failure)).toStrictEqual(
        new Crash(
          crash.crashAt === undefined
            ? `crash after commit ${String(crash.crashAtCommit)}`
            : `crash at request ${crash.crashAt}`,
        ),
      );
      const resumed = await run(simulator, jobId);
      // The crash point rides along on both sides so a failure names it.
      expect({ crash, state: await snapshot(), types: resumed.types }).toEqual({
        crash,
        state: clean,
        types: cleanReport.types,
      });
    }
  });
});
