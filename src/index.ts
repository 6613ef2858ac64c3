/**
 * The worker's entry points and nothing else: HTTP goes to the Hono app, the Cron Trigger to the fan-out, retention
 * and the blob GC, queue batches to the sync consumer (or the dead-letter consumer), and the Durable Object classes
 * are exported by name. Each entry point checks the configuration with the one schema in src/env.ts before doing
 * anything (the HTTP app in its first middleware); the dead-letter consumer still records failures when it is broken.
 */
import { createApp } from "./api/app";
import { retentionWindows, runRetention } from "./cron/retention";
import { runScheduled } from "./cron/scheduled";
import { tokenFingerprint } from "./deps";
import { checkConfig, ConfigError } from "./env";
import { log } from "./observability/log";
import { consumeSyncBatch } from "./queue/consumer";
import { consumeDeadLetters } from "./queue/dead-letters";
import { deferBatchForConfig } from "./queue/misconfigured";
import { collectGarbageBlobs } from "./storage/blob-gc";

export { CourseSync } from "./durable/course-sync";
export { CanvasGate } from "./durable/canvas-gate";

const app = createApp();

const DEAD_LETTER_QUEUE = "canvas-sync-dlq";

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),

  async scheduled(_controller, env) {
    const check = checkConfig(env);
    if (!check.ok) {
      log("error", "cron run skipped: the worker's configuration is invalid", { issues: check.issues });
      // Thrown so the Cron Trigger's history shows the run as failed.
      throw new ConfigError(check.issues);
    }
    const config = check.config;
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
    if (batch.queue === DEAD_LETTER_QUEUE) {
      await consumeDeadLetters(batch, env);
      return;
    }
    const check = checkConfig(env);
    if (!check.ok) deferBatchForConfig(batch, check.issues);
    else await consumeSyncBatch(batch, env);
  },
} satisfies ExportedHandler<Env>;
