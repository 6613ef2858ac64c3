/**
 * The worker's entry points and nothing else: HTTP goes to the Hono app, the Cron Trigger to the fan-out, retention
 * and the blob GC, queue batches to the sync consumer (or the dead-letter consumer), and the Durable Object classes
 * are exported by name. Each entry point checks the configuration with the one schema in src/env.ts before doing
 * anything (the HTTP app in its first middleware) and works out the token's fingerprint once, then passes both
 * down; the dead-letter consumer still records failures when the configuration is broken.
 */
import { createApp } from "./api/app";
import { retentionWindows, runRetention } from "./cron/retention";
import { runScheduled } from "./cron/scheduled";
import { setUpInvocation } from "./deps";
import { checkConfig, ConfigError } from "./env";
import { log } from "./observability/log";
import { consumeSyncBatch } from "./queue/consumer";
import { consumeDeadLetters } from "./queue/dead-letters";
import { deferBatchForConfig } from "./queue/misconfigured";
import { collectGarbageBlobs } from "./storage/blob-gc";
import { openDatabase } from "./storage/d1/client";

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
    const { config, fingerprint } = await setUpInvocation(check.config);
    const db = openDatabase(env.DB);
    const result = await runScheduled({
      db,
      queue: env.SYNC_QUEUE,
      now: Date.now(),
      tokenFingerprint: fingerprint,
      stuckJobMs: config.STUCK_JOB_MINUTES * 60_000,
    });
    // Before the blob GC, so blobs released by purged tombstones are seen in the same run.
    const retention = await runRetention(db, retentionWindows(config), Date.now());
    const blobs = await collectGarbageBlobs(db, env.BLOBS, Date.now(), config.BLOB_GRACE_HOURS * 3_600_000);
    log("info", "cron fan-out", {
      enqueued: result.enqueued,
      blobsOrphaned: blobs.orphaned,
      blobsDeleted: blobs.deleted,
      retentionDeleted: retention.deleted,
      retentionCapped: retention.capped,
    });
  },

  async queue(batch, env) {
    const check = checkConfig(env);
    if (batch.queue === DEAD_LETTER_QUEUE) {
      // A broken configuration must not stop failures being recorded: the scheduler then uses its defaults.
      await consumeDeadLetters(batch, env, check.ok ? check.config : undefined);
      return;
    }
    if (!check.ok) deferBatchForConfig(batch, check.issues);
    else await consumeSyncBatch(batch, env, await setUpInvocation(check.config));
  },
} satisfies ExportedHandler<Env>;
