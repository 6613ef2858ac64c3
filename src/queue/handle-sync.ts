/**
 * Runs one sync delivery: checks the job is still wanted and its token not known dead, takes the course lease,
 * asks the host's and the course's circuit breakers, runs the pipeline (resuming from the job's checkpoint), and
 * records the outcome on the job, the course and both breakers. Returns how the message should be settled; it
 * never throws for an expected failure (src/queue/sync-failure.ts handles those).
 */
import { canvasAccess, tokenFingerprint } from "../deps";
import { healthGateName } from "../durable/canvas-gate";
import type { CourseSync, LeaseResult } from "../durable/course-sync";
import type { BreakerPermit } from "../durable/stored-breaker";
import type { Config } from "../env";
import { openDatabase } from "../storage/d1/client";
import { DEFAULT_SYNC_CONFIG, type Checkpoint } from "../sync/context";
import { runSyncJob } from "../sync/run-sync-job";
import type { JobReport } from "../sync/report";
import { TargetScopeSchema, type TargetScope } from "../sync/targeted";
import { log } from "../observability/log";
import { recordCourseSuccess } from "./course-outcome";
import { enqueueExtractions } from "./enqueue-extractions";
import { enqueueDedup } from "./handle-dedup";
import { deliveryTimeoutMs } from "./job-errors";
import type { SyncMessage } from "./message";
import type { Settlement } from "./settle";
import { finishFailed, handleAttemptFailure, recordHostVerdict, type AttemptContext } from "./sync-failure";
import type { SyncRuntime } from "./sync-runtime";

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
  runtime: SyncRuntime = {},
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
  // A redelivery of a finished job (its ack was lost) must change nothing.
  if (job.status === "succeeded" || job.status === "failed") {
    // A consumer that died after recording the outcome but before letting go of the course left its lease.
    await env.COURSE_SYNC.getByName(String(message.courseId)).releaseLease(message.jobId);
    return { action: "ack" };
  }

  const fingerprint = await tokenFingerprint(config.CANVAS_TOKEN);
  const course = await db
    .prepare("SELECT state, auth_failed_token FROM courses WHERE canvas_course_id = ?1")
    .bind(message.courseId)
    .first<{ state: string; auth_failed_token: string | null }>();
  if (!course) return finishFailed(env, config, message, "course is not registered", "permanent");
  if (course.state === "auth_failed" && course.auth_failed_token === fingerprint) {
    // Nothing on a dead token is retried until the token changes; the cron lifts the stop then.
    return finishFailed(env, config, message, "the Canvas token is invalid, expired or revoked", "auth");
  }

  const courseObject = env.COURSE_SYNC.getByName(String(message.courseId));
  const host = env.CANVAS_GATE.getByName(healthGateName(new URL(config.CANVAS_BASE_URL).host));
  const lease = await takeLease(db, courseObject, message.jobId);
  // Another job holds the course; it usually finishes long before its lease would expire, so look again soon.
  if (!lease.ok) return retryAt(Date.now() + Math.min(lease.retryInMs, LEASE_POLL_MS));
  try {
    // Peek at the host first: taking the course's half-open trial and then being turned away by the host would
    // leave that trial slot held for nothing. The course's trial is taken before the host's for the same reason:
    // a host trial left unused would hold up every course.
    const hostOpen = await host.hostPeek();
    if (!hostOpen.allowed) return backOff(hostOpen, message, "host");
    const coursePermit = await courseObject.breakerPermits();
    if (!coursePermit.allowed) return backOff(coursePermit, message, "course");
    const hostPermit = await host.hostPermits();
    if (!hostPermit.allowed) return backOff(hostPermit, message, "host");

    const now = Date.now();
    await db.batch([
      db
        .prepare(
          "UPDATE sync_jobs SET status = 'running', started_at = COALESCE(started_at, ?2), attempts = attempts + 1 WHERE id = ?1",
        )
        .bind(message.jobId, now),
      db.prepare("UPDATE courses SET state = 'syncing' WHERE canvas_course_id = ?1").bind(message.courseId),
    ]);
    const history = await courseObject.deliveryHistory(message.jobId);
    const attempt: AttemptContext = {
      env,
      config,
      message,
      attempts,
      maxRetries,
      fingerprint,
      runtime,
      history,
      course: courseObject,
      host,
    };
    const access = await canvasAccess(env, config, {
      ...runtime,
      timeoutMs: deliveryTimeoutMs(config.CANVAS_TIMEOUT_SECONDS * 1000, history),
    });
    const scope = parseScope(job.scope);
    const fullRun = job.mode === "full" || scope?.kind === "full_reconcile";
    const reconcile = fullRun || (await reconciliationDue(db, message.courseId, config, now));
    let report: JobReport;
    try {
      report = await runSyncJob(
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
          onProgress: async (done, total, collection) => {
            await courseObject.reportProgress({
              jobId: message.jobId,
              done,
              total,
              collection,
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
    } catch (error) {
      return await handleAttemptFailure(attempt, error);
    }
    await recordCourseSuccess(env, config, {
      courseId: message.courseId,
      jobId: message.jobId,
      report,
      full: reconcile,
    });
    await courseObject.recordOutcome("success");
    await recordHostVerdict(attempt, "success");
    await courseObject.forgetJob(message.jobId);
    await enqueueExtractions(env.DB, env.EXTRACT_QUEUE, message.courseId);
    await enqueueDedup(env.EXTRACT_QUEUE, {
      courseId: message.courseId,
      jobId: message.jobId,
      trigger: "sync",
    });
    return { action: "ack" };
  } finally {
    await courseObject.releaseLease(message.jobId);
  }
}

/**
 * Takes the course's lease. A lease held by a job that has already finished (its consumer died between recording
 * the outcome and releasing the lease) is stale: it is released and taken, instead of blocking the course for the
 * rest of its 16 minutes.
 */
async function takeLease(
  db: D1Database,
  course: DurableObjectStub<CourseSync>,
  jobId: string,
): Promise<LeaseResult> {
  const first = await course.acquireLease(jobId, LEASE_TTL_MS);
  if (first.ok) return first;
  const holder = await db
    .prepare("SELECT status FROM sync_jobs WHERE id = ?1")
    .bind(first.heldBy)
    .first<{ status: string }>();
  if (holder && holder.status !== "succeeded" && holder.status !== "failed") return first;
  await course.releaseLease(first.heldBy);
  return course.acquireLease(jobId, LEASE_TTL_MS);
}

/** A breaker turned this delivery away: ask again when it may let us in. Not a failure of anything. */
function backOff(permit: BreakerPermit, message: SyncMessage, which: "host" | "course"): Settlement {
  const at = permit.allowed ? Date.now() : permit.retryAt;
  log("info", `sync deferred: the ${which} circuit breaker is ${permit.state.status}`, {
    jobId: message.jobId,
    courseId: message.courseId,
    retryAt: new Date(at).toISOString(),
  });
  return retryAt(at);
}

function retryAt(at: number): Settlement {
  return {
    action: "retry",
    delaySeconds: Math.max(5, Math.min(MAX_WAIT_SECONDS, Math.ceil((at - Date.now()) / 1000))),
  };
}

/** Queues' longest delivery delay. */
const MAX_WAIT_SECONDS = 86_400;
/**
 * How soon a job that found the course busy asks again. Short, because the holder is usually a sync that ends in
 * seconds (Live Events often arrive in bursts for one course); a dead holder's lease still expires on its own.
 */
const LEASE_POLL_MS = 15_000;

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
    const value: unknown = JSON.parse(text);
    return isCheckpoint(value) ? value : null;
  } catch {
    return null;
  }
}

/** The checkpoint is our own JSON in our own row; checking its version and shape is enough to trust the rest. */
function isCheckpoint(value: unknown): value is Checkpoint {
  if (typeof value !== "object" || value === null) return false;
  const candidate: { v?: unknown; done?: unknown; report?: unknown } = value;
  return candidate.v === 1 && Array.isArray(candidate.done) && typeof candidate.report === "object";
}
