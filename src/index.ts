/**
 * The worker's entry points and nothing else: HTTP goes to the Hono app, the Cron Trigger to the fan-out, retention
 * and the blob GC, queue batches to the sync consumer (or the dead-letter consumer), and the Durable Object classes
 * are exported by name.
 */
import { createApp } from "./api/app";
import { retentionWindows, runRetention } from "./cron/retention";
import { runScheduled } from "./cron/scheduled";
import { tokenFingerprint } from "./deps";
import { loadConfig } from "./env";
import { log } from "./observability/log";
import { consumeSyncBatch } from "./queue/consumer";
import { consumeDeadLetters } from "./queue/dead-letters";
import { collectGarbageBlobs } from "./storage/blob-gc";

export { CourseSync } from "./durable/course-sync";
export { CanvasGate } from "./durable/canvas-gate";

const app = createApp();

const DEAD_LETTER_QUEUE = "canvas-sync-dlq";

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),

  async scheduled(_controller, env) {
    const config = loadConfig(env);
    const result = await runScheduled({
      db: env.DB,
      queue: env.SYNC_QUEUE,
      now: Date.now(),
      tokenFingerprint: await tokenFingerprint(config.CANVAS_TOKEN),
      stuckJobMs: config.STUCK_JOB_MINUTES * 60_000,
    });
    // Before the blob GC, so blobs released by purged tombstones are seen in the same run.
    const retention = await runRetention(env.DB, retentionWindows(config), Date.now());
    const blobs = await collectGarbageBlobs(
      env.DB,
      env.BLOBS,
      Date.now(),
      config.BLOB_GRACE_HOURS * 3_600_000,
    );
    log("info", "cron fan-out", {
      enqueued: result.enqueued,
      blobsOrphaned: blobs.orphaned,
      blobsDeleted: blobs.deleted,
      retentionDeleted: retention.deleted,
      retentionCapped: retention.capped,
    });
  },

  async queue(batch, env) {
    if (batch.queue === DEAD_LETTER_QUEUE) await consumeDeadLetters(batch, env);
    else await consumeSyncBatch(batch, env);
  },
} satisfies ExportedHandler<Env>;
