/**
 * Record, the last step of a sync delivery: what the run ended with goes on the job, the course, both breakers and
 * the job's delivery log. A finished job records its outcome (with the delivery record, in one batch), tells both
 * breakers, and starts the follow-up work (extraction of changed files, the dedup pass); a paused one (its budget
 * ran out) sends a continuation of the same job, which is not a retry; a failed one is settled by sync-failure.ts.
 */
import { recordDelivery, type DeliveryOutcome, type DeliveryWrite } from "../storage/d1/job-deliveries";
import { log } from "../observability/log";
import type { DeliveryBudget } from "../sync/delivery-budget";
import { recordCourseSuccess } from "./course-outcome";
import type { DeliveryRun } from "./delivery-run";
import type { GuardedJob } from "./delivery-guard";
import { LEASE_TTL_MS } from "./delivery-permit";
import { enqueueExtractions } from "./enqueue-extractions";
import { enqueueDedup } from "./handle-dedup";
import type { Invocation } from "./invocation";
import type { SyncMessage } from "./message";
import type { Settlement } from "./settle";
import { handleAttemptFailure, recordHostVerdict } from "./sync-failure";

/** Records how the run ended and returns how to settle the message. */
export async function recordOutcome(
  invocation: Invocation,
  job: GuardedJob,
  run: DeliveryRun,
): Promise<Settlement> {
  const { env, config, db } = invocation;
  const { attempt, budget } = run;
  const { message, course } = attempt;
  if (!run.outcome.ok) {
    const settlement = await handleAttemptFailure(attempt, run.outcome.error);
    await recordDelivery(db, deliveryWrite(message.jobId, budget, settlementOutcome(settlement), null));
    return settlement;
  }
  const result = run.outcome.result;
  if (result.status === "paused") {
    return continueLater(invocation, message, budget, course);
  }
  await recordCourseSuccess(db, env, config, {
    courseId: message.courseId,
    jobId: message.jobId,
    report: result.report,
    full: job.reconcile,
    partial: result.holes,
    delivery: deliveryWrite(message.jobId, budget, "finished", null),
  });
  await course.recordOutcome("success");
  await recordHostVerdict(attempt, "success");
  await course.forgetJob(message.jobId);
  await enqueueExtractions(db, env.EXTRACT_QUEUE, message.courseId);
  await enqueueDedup(env.EXTRACT_QUEUE, {
    courseId: message.courseId,
    jobId: message.jobId,
    trigger: "sync",
  });
  return { action: "ack" };
}

/** The budget ran out: the checkpoint is committed; the same job continues in a new delivery (not a retry). */
async function continueLater(
  invocation: Invocation,
  message: SyncMessage,
  budget: DeliveryBudget,
  course: DeliveryRun["attempt"]["course"],
): Promise<Settlement> {
  const { env, db } = invocation;
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
  await recordDelivery(db, deliveryWrite(message.jobId, budget, "continued", budget.stoppedBy));
  log("info", "sync delivery reached its budget; the job continues", {
    jobId: message.jobId,
    courseId: message.courseId,
    stoppedBy: budget.stoppedBy,
    ...budget.used(),
  });
  return { action: "ack" };
}

/** The delivery's record: what it spent and how it ended. */
function deliveryWrite(
  jobId: string,
  budget: DeliveryBudget,
  outcome: DeliveryOutcome,
  stoppedBy: string | null,
): DeliveryWrite {
  const used = budget.used();
  return {
    jobId,
    startedAt: Date.now() - used.wallMs,
    endedAt: Date.now(),
    // The record itself is one more D1 statement and subrequest of this delivery.
    canvasRequests: used.canvasRequests,
    d1Statements: used.d1Statements + 1,
    subrequests: used.subrequests + 1,
    outcome,
    stoppedBy,
  };
}

function settlementOutcome(settlement: Settlement): DeliveryOutcome {
  if (settlement.action === "retry") return "retried";
  if (settlement.action === "dead_letter") return "dead-lettered";
  return "finished";
}
