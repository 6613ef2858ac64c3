/**
 * Runs one sync message: checks the job is still wanted, takes the course lease, asks the breaker, runs the pipeline,
 * and records the outcome on the job, the course and the breaker. Returns how the message should be settled; it
 * never throws for an expected failure.
 */
import { canvasAccess, tokenFingerprint } from "../deps";
import type { Config } from "../env";
import { classifyError } from "../resilience/classify";
import { CanvasHttpError } from "../resilience/errors";
import { openDatabase } from "../storage/d1/client";
import { DEFAULT_SYNC_CONFIG, type Checkpoint } from "../sync/context";
import { runSyncJob } from "../sync/run-sync-job";
import { TargetScopeSchema, type TargetScope } from "../sync/targeted";
import { raiseAlert } from "../observability/alerts";
import { log } from "../observability/log";
import { recordCourseFailure, recordCourseSuccess, markTokenDead } from "./course-outcome";
import { enqueueExtractions } from "./enqueue-extractions";
import type { SyncMessage } from "./message";
import { settleMessage, type Settlement } from "./settle";

/** A lease outlives the consumer's 15-minute wall clock, so only a dead holder's lease ever expires. */
const LEASE_TTL_MS = 16 * 60_000;

interface JobRow {
  id: string;
  course_id: number;
  mode: string;
  scope: string | null;
  status: string;
  checkpoint: string | null;
  attempts: number;
}

export async function handleSyncMessage(
  env: Env,
  config: Config,
  message: SyncMessage,
  attempts: number,
  maxRetries: number,
): Promise<Settlement> {
  const db = env.DB;
  const job = await db
    .prepare("SELECT id, course_id, mode, scope, status, checkpoint, attempts FROM sync_jobs WHERE id = ?1")
    .bind(message.jobId)
    .first<JobRow>();
  if (!job || job.course_id !== message.courseId) {
    log("warn", "sync message for an unknown job: dropped", {
      jobId: message.jobId,
      courseId: message.courseId,
    });
    return { action: "ack" };
  }
  if (job.status === "succeeded" || job.status === "failed") return { action: "ack" };

  const fingerprint = await tokenFingerprint(config.CANVAS_TOKEN);
  const course = await db
    .prepare("SELECT state, auth_failed_token FROM courses WHERE canvas_course_id = ?1")
    .bind(message.courseId)
    .first<{ state: string; auth_failed_token: string | null }>();
  if (!course) return finishFailed(env, message, "course is not registered", "permanent");
  if (course.state === "auth_failed" && course.auth_failed_token === fingerprint) {
    return finishFailed(env, message, "the Canvas token is invalid, expired or revoked", "auth");
  }

  const courseObject = env.COURSE_SYNC.getByName(String(message.courseId));
  const lease = await courseObject.acquireLease(message.jobId, LEASE_TTL_MS);
  if (!lease.ok) {
    return { action: "retry", delaySeconds: Math.max(5, Math.min(300, Math.ceil(lease.retryInMs / 1000))) };
  }
  try {
    const permit = await courseObject.breakerPermits();
    if (!permit.allowed) {
      const waitMs = ("openUntil" in permit.state ? permit.state.openUntil : Date.now()) - Date.now();
      return { action: "retry", delaySeconds: Math.max(5, Math.ceil(waitMs / 1000)) };
    }
    const now = Date.now();
    await db.batch([
      db
        .prepare(
          "UPDATE sync_jobs SET status = 'running', started_at = COALESCE(started_at, ?2), attempts = attempts + 1 WHERE id = ?1",
        )
        .bind(message.jobId, now),
      db.prepare("UPDATE courses SET state = 'syncing' WHERE canvas_course_id = ?1").bind(message.courseId),
    ]);
    const access = await canvasAccess(env, config);
    const scope = parseScope(job.scope);
    const fullRun = job.mode === "full" || scope?.kind === "full_reconcile";
    const reconcile = fullRun || (await reconciliationDue(db, message.courseId, config, now));
    try {
      const report = await runSyncJob(
        {
          db,
          orm: openDatabase(db),
          client: access.client,
          files: access.files,
          config: {
            ...DEFAULT_SYNC_CONFIG,
            filesLookbackMs: config.FILES_LOOKBACK_MINUTES * 60_000,
            allowedFileHosts: config.CANVAS_FILE_HOSTS,
          },
          now: Date.now,
          fileBytes: access.fileBytes,
          onProgress: async (done, total) => {
            await courseObject.reportProgress({
              jobId: message.jobId,
              done,
              total,
              collection: null,
              updatedAt: Date.now(),
            });
            await courseObject.renewLease(message.jobId, LEASE_TTL_MS);
          },
        },
        {
          jobId: message.jobId,
          courseId: message.courseId,
          mode: fullRun ? "full" : "incremental",
          reconcile,
          checkpoint: parseCheckpoint(job.checkpoint),
          scope: job.mode === "targeted" ? scope : null,
        },
      );
      await recordCourseSuccess(env, config, {
        courseId: message.courseId,
        jobId: message.jobId,
        report,
        full: reconcile,
      });
      await courseObject.recordOutcome("success");
      await enqueueExtractions(env.DB, env.EXTRACT_QUEUE, message.courseId);
      return { action: "ack" };
    } catch (error) {
      return await handleFailure(env, config, message, error, attempts, maxRetries, fingerprint);
    }
  } finally {
    await courseObject.releaseLease(message.jobId);
  }
}

async function handleFailure(
  env: Env,
  config: Config,
  message: SyncMessage,
  error: unknown,
  attempts: number,
  maxRetries: number,
  fingerprint: string,
): Promise<Settlement> {
  const category = classifyError(error);
  const text = error instanceof Error ? error.message : String(error);
  log("warn", "sync attempt failed", {
    jobId: message.jobId,
    courseId: message.courseId,
    category,
    error: text,
  });
  if (category === "auth") {
    const tokenState = error instanceof CanvasHttpError ? (error.tokenState ?? "invalid") : "invalid";
    await markTokenDead(env, fingerprint, tokenState);
    await raiseAlert(config, {
      kind: "canvas_token_dead",
      message: `Canvas rejected the token (${tokenState}); every course using it is stopped until the token changes`,
      details: { tokenState, courseId: message.courseId },
    });
    return finishFailed(env, message, `Canvas token ${tokenState}`, "auth");
  }
  const retryAfterMs = error instanceof CanvasHttpError ? (error.retryAfterMs ?? null) : null;
  const settlement = settleMessage(
    category === "permission" || category === "content"
      ? { type: "permanent", reason: text }
      : { type: "retryable", category, retryAfterMs },
    attempts,
    maxRetries,
  );
  const courseObject = env.COURSE_SYNC.getByName(String(message.courseId));
  if (category !== "rate_limited") await courseObject.recordOutcome("failure");
  if (settlement.action === "retry") {
    await env.DB.prepare(
      "UPDATE sync_jobs SET status = 'queued', error = ?2, error_category = ?3 WHERE id = ?1",
    )
      .bind(message.jobId, text.slice(0, 500), category)
      .run();
    return settlement;
  }
  return finishFailed(env, message, text, category);
}

/** Marks the job failed and the course's failure counted; the message is acknowledged (nothing is lost: the job row says why). */
export async function finishFailed(
  env: Env,
  message: SyncMessage,
  reason: string,
  category: string,
): Promise<Settlement> {
  await recordCourseFailure(env, { courseId: message.courseId, jobId: message.jobId, reason, category });
  return { action: "ack" };
}

async function reconciliationDue(
  db: D1Database,
  courseId: number,
  config: Config,
  now: number,
): Promise<boolean> {
  const row = await db
    .prepare("SELECT reconciled_at FROM collection_cursors WHERE course_id = ?1 AND collection = 'files'")
    .bind(courseId)
    .first<{ reconciled_at: number | null }>();
  const last = row?.reconciled_at ?? null;
  return last === null || now - last >= config.RECONCILE_INTERVAL_HOURS * 3_600_000;
}

function parseScope(text: string | null): TargetScope | null {
  if (!text) return null;
  try {
    const parsed = TargetScopeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function parseCheckpoint(text: string | null): Checkpoint | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Checkpoint;
    return value && value.v === 1 ? value : null;
  } catch {
    return null;
  }
}
