/**
 * Run, the third step of a sync delivery: the job is marked running and the pipeline (src/sync/run-sync-job.ts)
 * resumes from its checkpoint with the Canvas client, the file store and the one D1 handle, within the delivery's
 * budget (wall clock, Canvas requests, D1 statements, subrequests). The pipeline's error, if any, is returned for
 * the record step to settle, not thrown.
 */
import { canvasAccess } from "../deps";
import type { CanvasGate } from "../durable/canvas-gate";
import type { CourseSync } from "../durable/course-sync";
import type { Config } from "../env";
import { raiseAlert } from "../observability/alerts";
import { deliveryTimeoutMs } from "./job-errors";
import { markJobRunning } from "../storage/d1/sync-jobs";
import { DEFAULT_SYNC_CONFIG } from "../sync/context";
import { DeliveryBudget } from "../sync/delivery-budget";
import { runSyncJob, type SyncJobResult } from "../sync/run-sync-job";
import type { GuardedJob } from "./delivery-guard";
import { LEASE_TTL_MS } from "./delivery-permit";
import type { Invocation } from "./invocation";
import type { SyncMessage } from "./message";
import type { AttemptContext } from "./sync-failure";

/** What one run did: the pipeline's result, or the error it ended with. */
export interface DeliveryRun {
  attempt: AttemptContext;
  budget: DeliveryBudget;
  outcome: { ok: true; result: SyncJobResult } | { ok: false; error: unknown };
}

export async function runDelivery(
  invocation: Invocation,
  delivery: {
    message: SyncMessage;
    attempts: number;
    maxRetries: number;
    job: GuardedJob;
    course: DurableObjectStub<CourseSync>;
    host: DurableObjectStub<CanvasGate>;
  },
): Promise<DeliveryRun> {
  const { env, config, db } = invocation;
  const { message, course } = delivery;
  const attempt: AttemptContext = {
    env,
    db,
    config,
    message,
    attempts: delivery.attempts,
    maxRetries: delivery.maxRetries,
    fingerprint: invocation.fingerprint,
    runtime: invocation.runtime,
    history: await course.deliveryHistory(message.jobId),
    course,
    host: delivery.host,
  };
  const budget = new DeliveryBudget(deliveryLimits(config), invocation.meter.read, Date.now);
  // A continuation carries on the same attempt.
  await markJobRunning(db, {
    jobId: message.jobId,
    courseId: message.courseId,
    now: Date.now(),
    attempt: message.continued === true ? 0 : 1,
  });
  try {
    return {
      attempt,
      budget,
      outcome: { ok: true, result: await runPipeline(invocation, attempt, delivery.job, budget) },
    };
  } catch (error) {
    return { attempt, budget, outcome: { ok: false, error } };
  }
}

/** True when the run paused (its budget ran out) and the same job continues in a new delivery. */
export function continues(run: DeliveryRun): boolean {
  return run.outcome.ok && run.outcome.result.status === "paused";
}

async function runPipeline(
  invocation: Invocation,
  attempt: AttemptContext,
  job: GuardedJob,
  budget: DeliveryBudget,
): Promise<SyncJobResult> {
  const { env, config, runtime } = invocation;
  const { message, course } = attempt;
  const access = await canvasAccess(env, invocation.db, config, invocation.fingerprint, {
    ...runtime,
    fetch: invocation.meter.fetch(runtime.fetch ?? ((input, init) => fetch(input, init))),
    timeoutMs: deliveryTimeoutMs(config.CANVAS_TIMEOUT_SECONDS * 1000, attempt.history),
  });
  return runSyncJob(
    {
      db: invocation.db,
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

function deliveryLimits(config: Config) {
  return {
    wallMs: config.SYNC_DELIVERY_MAX_SECONDS * 1000,
    canvasRequests: config.SYNC_DELIVERY_MAX_CANVAS_REQUESTS,
    d1Statements: config.SYNC_DELIVERY_MAX_D1_STATEMENTS,
    subrequests: config.SYNC_DELIVERY_MAX_SUBREQUESTS,
  };
}
