/**
 * Carries out what a failed sync attempt means (decided by src/queue/job-errors.ts): a dead token stops every course
 * on it and raises one alert; the course breaker counts the failure unless Canvas only asked us to slow down; the
 * host breaker counts it when Canvas itself failed; the job goes back to the queue with its error, or on to the
 * dead-letter queue, whose consumer records the failure on the job and the course. Two endings are no failure of
 * the service: the course was removed while the job ran (cancelled), and Canvas says the course does not exist
 * (the course is marked `not_found`).
 */
import type { Config } from "../env";
import type { Database } from "../storage/d1/client";
import type { CanvasGate } from "../durable/canvas-gate";
import type { CourseSync, DeliveryHistory } from "../durable/course-sync";
import { raiseAlert } from "../observability/alerts";
import { log } from "../observability/log";
import { countsAsCourseFailure, countsAsHostFailure, type ErrorCategory } from "../resilience/classify";
import { courseNotFoundError, notFoundReason } from "./course-missing";
import {
  markTokenDead,
  recordCourseFailure,
  recordCourseNotFound,
  recordJobRetry,
  recordRemovedDuringSync,
} from "./course-outcome";
import { classifyJobError, settleJobFailure } from "./job-errors";
import type { SyncMessage } from "./message";
import type { Settlement } from "./settle";
import type { SyncRuntime } from "./sync-runtime";

export interface AttemptContext {
  env: Env;
  /** the invocation's one D1 handle */
  db: Database;
  config: Config;
  message: SyncMessage;
  attempts: number;
  maxRetries: number;
  fingerprint: string;
  runtime: SyncRuntime;
  /** how the earlier deliveries of this job ended */
  history: DeliveryHistory;
  course: DurableObjectStub<CourseSync>;
  host: DurableObjectStub<CanvasGate>;
}

export async function handleAttemptFailure(ctx: AttemptContext, error: unknown): Promise<Settlement> {
  const { db, env, message } = ctx;
  if (await ctx.course.removal()) {
    log("info", "sync stopped: the course was removed", { jobId: message.jobId, courseId: message.courseId });
    await ctx.course.forgetJob(message.jobId);
    await recordRemovedDuringSync(db, env, ctx.config, message.courseId, message.jobId);
    return { action: "ack" };
  }
  if (courseNotFoundError(error, message.courseId)) {
    log("warn", "Canvas says the course does not exist; marked not_found", {
      jobId: message.jobId,
      courseId: message.courseId,
    });
    await recordHostVerdict(ctx, "content");
    await ctx.course.forgetJob(message.jobId);
    await recordCourseNotFound(db, {
      courseId: message.courseId,
      jobId: message.jobId,
      reason: notFoundReason(message.courseId),
    });
    return { action: "ack" };
  }
  const failure = classifyJobError(error);
  log("warn", "sync attempt failed", {
    jobId: message.jobId,
    courseId: message.courseId,
    attempt: ctx.attempts,
    category: failure.category,
    error: failure.reason,
  });
  await recordHostVerdict(ctx, failure.category);
  if (failure.category === "auth") {
    const tokenState = failure.tokenState ?? "invalid";
    if (await markTokenDead(db, ctx.fingerprint, tokenState)) {
      await raiseAlert(
        ctx.config,
        {
          kind: "canvas_token_dead",
          message: `Canvas rejected the token (${tokenState}); every course using it is stopped until the token changes`,
          details: { tokenState, courseId: message.courseId, jobId: message.jobId },
        },
        alertFetch(ctx.runtime),
      );
    }
    await ctx.course.forgetJob(message.jobId);
    return finishFailed(db, ctx.config, message, `Canvas token ${tokenState}`, "auth");
  }
  if (countsAsCourseFailure(failure.category)) await ctx.course.recordOutcome("failure");
  const settlement = settleJobFailure(failure, ctx.attempts, ctx.maxRetries, ctx.history, {
    ...ctx.runtime.settle,
    ...(ctx.runtime.random ? { random: ctx.runtime.random } : {}),
  });
  await ctx.course.recordDelivery(message.jobId, failure.category);
  if (settlement.action === "retry") {
    await recordJobRetry(db, {
      courseId: message.courseId,
      jobId: message.jobId,
      reason: failure.reason,
      category: failure.category,
    });
    return settlement;
  }
  await ctx.course.forgetJob(message.jobId);
  if (settlement.action === "dead_letter") {
    // The job keeps its error; the dead-letter consumer marks it failed and counts the course failure.
    await recordJobRetry(db, {
      courseId: message.courseId,
      jobId: message.jobId,
      reason: `${failure.reason} (dead-lettered: ${settlement.reason})`,
      category: failure.category,
    });
    return settlement;
  }
  return finishFailed(db, ctx.config, message, failure.reason, failure.category);
}

/**
 * Tells the host's breaker whether Canvas itself failed this job (5xx, timeouts, resets, unknown) or answered
 * (throttling, a dead token and one bad object all come from a Canvas that is up), and alerts when it opens.
 */
export async function recordHostVerdict(
  ctx: AttemptContext,
  category: ErrorCategory | "success",
): Promise<void> {
  const failed = category !== "success" && countsAsHostFailure(category);
  const { before, after } = await ctx.host.recordHostOutcome(
    failed ? "failure" : "success",
    ctx.message.courseId,
  );
  if (before.status !== "open" && after.status === "open") {
    await raiseAlert(
      ctx.config,
      {
        kind: "canvas_host_failing",
        message: `Canvas at ${new URL(ctx.config.CANVAS_BASE_URL).host} keeps failing; syncs back off until ${new Date(after.openUntil).toISOString()}`,
        details: { failures: after.consecutiveFailures, openUntil: after.openUntil },
      },
      alertFetch(ctx.runtime),
    );
  }
}

/** Marks the job failed and the course's failure counted; the message is acknowledged (the job row says why). */
export async function finishFailed(
  db: Database,
  config: Config | undefined,
  message: SyncMessage,
  reason: string,
  category: string,
): Promise<Settlement> {
  await recordCourseFailure(
    db,
    { courseId: message.courseId, jobId: message.jobId, reason, category },
    config,
  );
  return { action: "ack" };
}

function alertFetch(runtime: SyncRuntime): typeof fetch {
  return runtime.fetch ?? ((input, init) => fetch(input, init));
}
