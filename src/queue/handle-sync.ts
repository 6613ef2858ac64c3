/**
 * One delivery of a sync job, read top to bottom: guard (the job is still wanted, its course registered, its token
 * not known dead), permit (the course's lease, then the host's and the course's circuit breakers), run (the
 * pipeline, resuming from the job's checkpoint, within the delivery's budget), record (the outcome on the job, the
 * course, both breakers and the job's delivery log). A delivery that runs out of budget commits its checkpoint and
 * sends a continuation of the same job: that is not a retry, so it counts toward no retry limit, breaker or error
 * rate, and the job stays running. Expected failures never throw out of here (sync-failure.ts handles them).
 */
import { canvasAccess } from "../deps";
import { healthGateName, type CanvasGate } from "../durable/canvas-gate";
import type { CourseSync, LeaseResult } from "../durable/course-sync";
import type { BreakerPermit } from "../durable/stored-breaker";
import type { Config } from "../env";
import { raiseAlert } from "../observability/alerts";
import { log } from "../observability/log";
import { openDatabase } from "../storage/d1/client";
import { insertDeliveryStatement, type DeliveryOutcome } from "../storage/d1/job-deliveries";
import { DEFAULT_SYNC_CONFIG, type Checkpoint } from "../sync/context";
import { DeliveryBudget } from "../sync/delivery-budget";
import { runSyncJob, type SyncJobResult } from "../sync/run-sync-job";
import { TargetScopeSchema, type TargetScope } from "../sync/targeted";
import { recordCourseSuccess } from "./course-outcome";
import { enqueueExtractions } from "./enqueue-extractions";
import { enqueueDedup } from "./handle-dedup";
import type { InvocationMeter } from "./invocation-meter";
import { deliveryTimeoutMs } from "./job-errors";
import type { SyncMessage } from "./message";
import type { Settlement } from "./settle";
import { finishFailed, handleAttemptFailure, recordHostVerdict, type AttemptContext } from "./sync-failure";
import type { SyncRuntime } from "./sync-runtime";

/** A lease outlives the consumer's 15-minute wall clock, so only a dead holder's lease ever expires. */
const LEASE_TTL_MS = 16 * 60_000;

/** What every delivery of one invocation shares: metered bindings and fetch, configuration, the token's name. */
export interface Invocation {
  env: Env;
  config: Config;
  meter: InvocationMeter;
  fingerprint: string;
  runtime: SyncRuntime;
}

interface JobRow {
  id: string;
  course_id: number;
  mode: string;
  scope: string | null;
  status: string;
  checkpoint: string | null;
}

const FINISHED = new Set(["succeeded", "partial", "failed"]);

export async function handleSyncMessage(
  invocation: Invocation,
  message: SyncMessage,
  attempts: number,
  maxRetries: number,
): Promise<Settlement> {
  const { env, config } = invocation;
  const job = await guard(invocation, message);
  if (job === "ack") return { action: "ack" };
  if ("action" in job) return job;

  const courseObject = env.COURSE_SYNC.getByName(String(message.courseId));
  const lease = await takeLease(env.DB, courseObject, message.jobId);
  // Another job holds the course; it usually finishes long before its lease would expire, so look again soon.
  if (!lease.ok) return retryAt(Date.now() + Math.min(lease.retryInMs, LEASE_POLL_MS));
  let keepLease = false;
  try {
    const host = env.CANVAS_GATE.getByName(healthGateName(new URL(config.CANVAS_BASE_URL).host));
    const denied = await askBreakers(host, courseObject, message);
    if (denied) return denied;
    const attempt: AttemptContext = {
      env,
      config,
      message,
      attempts,
      maxRetries,
      fingerprint: invocation.fingerprint,
      runtime: invocation.runtime,
      history: await courseObject.deliveryHistory(message.jobId),
      course: courseObject,
      host,
    };
    const budget = new DeliveryBudget(deliveryLimits(config), invocation.meter.read, Date.now);
    await markRunning(env.DB, message);
    let result: SyncJobResult;
    try {
      result = await run(invocation, attempt, job, budget);
    } catch (error) {
      const settlement = await handleAttemptFailure(attempt, error);
      await recordDelivery(env.DB, message.jobId, budget, settlementOutcome(settlement), null);
      return settlement;
    }
    if (result.status === "paused") {
      keepLease = true;
      return await continueLater(invocation, courseObject, message, budget);
    }
    await recordCourseSuccess(env, config, {
      courseId: message.courseId,
      jobId: message.jobId,
      report: result.report,
      full: job.reconcile,
      partial: result.holes,
      extra: [deliveryStatement(env.DB, message.jobId, budget, "finished", null)],
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
    if (!keepLease) await courseObject.releaseLease(message.jobId);
  }
}

interface GuardedJob {
  mode: "incremental" | "full";
  reconcile: boolean;
  scope: TargetScope | null;
  checkpoint: Checkpoint | null;
}

/** The job, if this delivery should run it; otherwise how to settle the message. */
async function guard(invocation: Invocation, message: SyncMessage): Promise<GuardedJob | "ack" | Settlement> {
  const { env, config } = invocation;
  const db = env.DB;
  const job = await db
    .prepare("SELECT id, course_id, mode, scope, status, checkpoint FROM sync_jobs WHERE id = ?1")
    .bind(message.jobId)
    .first<JobRow>();
  if (!job || job.course_id !== message.courseId) {
    log("warn", "sync message for an unknown job: dropped", {
      jobId: message.jobId,
      courseId: message.courseId,
    });
    return "ack";
  }
  // A redelivery of a finished job (its ack was lost) must change nothing.
  if (FINISHED.has(job.status)) {
    // A consumer that died after recording the outcome but before letting go of the course left its lease.
    await env.COURSE_SYNC.getByName(String(message.courseId)).releaseLease(message.jobId);
    return "ack";
  }
  const course = await db
    .prepare("SELECT state, auth_failed_token FROM courses WHERE canvas_course_id = ?1")
    .bind(message.courseId)
    .first<{ state: string; auth_failed_token: string | null }>();
  if (!course) return finishFailed(env, config, message, "course is not registered", "permanent");
  if (course.state === "auth_failed" && course.auth_failed_token === invocation.fingerprint) {
    // Nothing on a dead token is retried until the token changes; the cron lifts the stop then.
    return finishFailed(env, config, message, "the Canvas token is invalid, expired or revoked", "auth");
  }
  const scope = parseScope(job.scope);
  const full = job.mode === "full" || scope?.kind === "full_reconcile";
  return {
    mode: full ? "full" : "incremental",
    reconcile: full || (await reconciliationDue(db, message.courseId, config, Date.now())),
    scope: job.mode === "targeted" ? scope : null,
    checkpoint: parseCheckpoint(job.checkpoint),
  };
}

/**
 * The breakers, host first: taking the course's half-open trial and then being turned away by the host would leave
 * that trial slot held for nothing. The course's trial is taken before the host's for the same reason: a host trial
 * left unused would hold up every course.
 */
async function askBreakers(
  host: DurableObjectStub<CanvasGate>,
  course: DurableObjectStub<CourseSync>,
  message: SyncMessage,
): Promise<Settlement | null> {
  const hostOpen = await host.hostPeek();
  if (!hostOpen.allowed) return backOff(hostOpen, message, "host");
  const coursePermit = await course.breakerPermits();
  if (!coursePermit.allowed) return backOff(coursePermit, message, "course");
  const hostPermit = await host.hostPermits();
  if (!hostPermit.allowed) return backOff(hostPermit, message, "host");
  return null;
}

async function markRunning(db: D1Database, message: SyncMessage): Promise<void> {
  await db.batch([
    db
      .prepare(
        `UPDATE sync_jobs SET status = 'running', started_at = COALESCE(started_at, ?2),
           attempts = attempts + ?3 WHERE id = ?1`,
      )
      // A continuation carries on the same attempt.
      .bind(message.jobId, Date.now(), message.continued === true ? 0 : 1),
    db.prepare("UPDATE courses SET state = 'syncing' WHERE canvas_course_id = ?1").bind(message.courseId),
  ]);
}

async function run(
  invocation: Invocation,
  attempt: AttemptContext,
  job: GuardedJob,
  budget: DeliveryBudget,
): Promise<SyncJobResult> {
  const { env, config, runtime } = invocation;
  const { message, course } = attempt;
  const access = await canvasAccess(env, config, invocation.fingerprint, {
    ...runtime,
    fetch: invocation.meter.fetch(runtime.fetch ?? ((input, init) => fetch(input, init))),
    timeoutMs: deliveryTimeoutMs(config.CANVAS_TIMEOUT_SECONDS * 1000, attempt.history),
  });
  return runSyncJob(
    {
      db: env.DB,
      orm: openDatabase(env.DB),
      client: access.client,
      files: access.files,
      config: {
        ...DEFAULT_SYNC_CONFIG,
        filesLookbackMs: config.FILES_LOOKBACK_MINUTES * 60_000,
        allowedFileHosts: config.CANVAS_FILE_HOSTS,
        ...runtime.syncConfig,
      },
      budget,
      alert: (alert) => raiseAlert(config, alert, runtime.fetch ?? ((input, init) => fetch(input, init))),
      now: Date.now,
      fileBytes: access.fileBytes,
      onProgress: async (done, total, collection) => {
        // A course removed while its job runs: stop here (sync-failure.ts ends the job as cancelled).
        if ((await course.removal()) !== null) throw new Error("the course was removed while this sync ran");
        await course.reportProgress({ jobId: message.jobId, done, total, collection, updatedAt: Date.now() });
        await course.renewLease(message.jobId, LEASE_TTL_MS);
      },
    },
    {
      jobId: message.jobId,
      courseId: message.courseId,
      mode: job.mode,
      reconcile: job.reconcile,
      checkpoint: job.checkpoint,
      scope: job.scope,
    },
  );
}

/** The budget ran out: the checkpoint is committed; the same job continues in a new delivery (not a retry). */
async function continueLater(
  invocation: Invocation,
  course: DurableObjectStub<CourseSync>,
  message: SyncMessage,
  budget: DeliveryBudget,
): Promise<Settlement> {
  const { env } = invocation;
  await course.renewLease(message.jobId, LEASE_TTL_MS);
  await env.SYNC_QUEUE.send(
    {
      v: 1,
      kind: "sync",
      jobId: message.jobId,
      courseId: message.courseId,
      continued: true,
    } satisfies SyncMessage,
    { contentType: "json" },
  );
  await recordDelivery(env.DB, message.jobId, budget, "continued", budget.stoppedBy);
  log("info", "sync delivery reached its budget; the job continues", {
    jobId: message.jobId,
    courseId: message.courseId,
    stoppedBy: budget.stoppedBy,
    ...budget.used(),
  });
  return { action: "ack" };
}

function deliveryLimits(config: Config) {
  return {
    wallMs: config.SYNC_DELIVERY_MAX_SECONDS * 1000,
    canvasRequests: config.SYNC_DELIVERY_MAX_CANVAS_REQUESTS,
    d1Statements: config.SYNC_DELIVERY_MAX_D1_STATEMENTS,
    subrequests: config.SYNC_DELIVERY_MAX_SUBREQUESTS,
  };
}

function deliveryStatement(
  db: D1Database,
  jobId: string,
  budget: DeliveryBudget,
  outcome: DeliveryOutcome,
  stoppedBy: string | null,
): D1PreparedStatement {
  const used = budget.used();
  return insertDeliveryStatement(db, {
    jobId,
    startedAt: Date.now() - used.wallMs,
    endedAt: Date.now(),
    // The record itself is one more D1 statement and subrequest of this delivery.
    canvasRequests: used.canvasRequests,
    d1Statements: used.d1Statements + 1,
    subrequests: used.subrequests + 1,
    outcome,
    stoppedBy,
  });
}

async function recordDelivery(
  db: D1Database,
  jobId: string,
  budget: DeliveryBudget,
  outcome: DeliveryOutcome,
  stoppedBy: string | null,
): Promise<void> {
  await deliveryStatement(db, jobId, budget, outcome, stoppedBy).run();
}

function settlementOutcome(settlement: Settlement): DeliveryOutcome {
  if (settlement.action === "retry") return "retried";
  if (settlement.action === "dead_letter") return "dead-lettered";
  return "finished";
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
  if (holder && !FINISHED.has(holder.status)) return first;
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

/**
 * The checkpoint is our own JSON in our own row; checking its version and shape is enough to trust the rest. A
 * checkpoint of an older version is ignored: the job starts over, which is safe (objects it had already written
 * are found unchanged).
 */
function parseCheckpoint(text: string | null): Checkpoint | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isCheckpoint(value) ? value : null;
  } catch {
    return null;
  }
}

function isCheckpoint(value: unknown): value is Checkpoint {
  if (typeof value !== "object" || value === null) return false;
  const candidate: { v?: unknown; done?: unknown; report?: unknown } = value;
  return candidate.v === 2 && Array.isArray(candidate.done) && typeof candidate.report === "object";
}
