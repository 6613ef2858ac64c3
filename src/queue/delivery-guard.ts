/**
 * Guard, the first step of a sync delivery: is the job still wanted (it exists, belongs to the message's course and
 * has not finished), is its course registered, and is the token not known dead? If so, what the run needs to know
 * about the job: its mode, whether it must reconcile (prove deletions from complete listings), its scope and its
 * checkpoint. Otherwise, how to settle the message.
 */
import type { Config } from "../env";
import { log } from "../observability/log";
import { parseJsonOrNull } from "../shared/parse-json";
import type { Database } from "../storage/d1/client";
import { filesReconciledAt } from "../storage/d1/collection-cursors";
import { readCourseGuard } from "../storage/d1/course-state";
import { readJob } from "../storage/d1/sync-jobs";
import type { Checkpoint } from "../sync/context";
import { TargetScopeSchema, type TargetScope } from "../sync/targeted";
import type { Invocation } from "./invocation";
import type { SyncMessage } from "./message";
import type { Settlement } from "./settle";
import { finishFailed } from "./sync-failure";

export interface GuardedJob {
  mode: "incremental" | "full";
  reconcile: boolean;
  scope: TargetScope | null;
  checkpoint: Checkpoint | null;
}

export type Guarded = { run: true; job: GuardedJob } | { run: false; settlement: Settlement };

const FINISHED = new Set(["succeeded", "partial", "failed"]);

/** A job in one of these states is over: a redelivery of its message changes nothing. */
export function isFinished(status: string): boolean {
  return FINISHED.has(status);
}

/** The job, if this delivery should run it; otherwise how to settle the message. */
export async function guardDelivery(invocation: Invocation, message: SyncMessage): Promise<Guarded> {
  const { env, config, db } = invocation;
  const job = await readJob(db, message.jobId);
  if (!job || job.course_id !== message.courseId) {
    log("warn", "sync message for an unknown job: dropped", {
      jobId: message.jobId,
      courseId: message.courseId,
    });
    return { run: false, settlement: { action: "ack" } };
  }
  // A redelivery of a finished job (its ack was lost) must change nothing.
  if (isFinished(job.status)) {
    // A consumer that died after recording the outcome but before letting go of the course left its lease.
    await env.COURSE_SYNC.getByName(String(message.courseId)).releaseLease(message.jobId);
    return { run: false, settlement: { action: "ack" } };
  }
  const course = await readCourseGuard(db, message.courseId);
  if (!course) {
    return {
      run: false,
      settlement: await finishFailed(db, config, message, "course is not registered", "permanent"),
    };
  }
  if (course.state === "auth_failed" && course.auth_failed_token === invocation.fingerprint) {
    // Nothing on a dead token is retried until the token changes; the cron lifts the stop then.
    return {
      run: false,
      settlement: await finishFailed(
        db,
        config,
        message,
        "the Canvas token is invalid, expired or revoked",
        "auth",
      ),
    };
  }
  const scope = parseScope(job.scope);
  const full = job.mode === "full" || scope?.kind === "full_reconcile";
  return {
    run: true,
    job: {
      mode: full ? "full" : "incremental",
      reconcile: full || (await reconciliationDue(db, message.courseId, config, Date.now())),
      scope: job.mode === "targeted" ? scope : null,
      checkpoint: parseCheckpoint(job.checkpoint),
    },
  };
}

async function reconciliationDue(
  db: Database,
  courseId: number,
  config: Config,
  now: number,
): Promise<boolean> {
  const last = await filesReconciledAt(db, courseId);
  return last === null || now - last >= config.RECONCILE_INTERVAL_HOURS * 3_600_000;
}

function parseScope(text: string | null): TargetScope | null {
  const parsed = TargetScopeSchema.safeParse(parseJsonOrNull(text));
  return parsed.success ? parsed.data : null;
}

/**
 * The checkpoint is our own JSON in our own row; checking its version and shape is enough to trust the rest. A
 * checkpoint of an older version is ignored: the job starts over, which is safe (objects it had already written
 * are found unchanged).
 */
function parseCheckpoint(text: string | null): Checkpoint | null {
  const value = parseJsonOrNull(text);
  return isCheckpoint(value) ? value : null;
}

function isCheckpoint(value: unknown): value is Checkpoint {
  if (typeof value !== "object" || value === null) return false;
  const candidate: { v?: unknown; done?: unknown; report?: unknown } = value;
  return candidate.v === 2 && Array.isArray(candidate.done) && typeof candidate.report === "object";
}
