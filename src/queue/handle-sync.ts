/**
 * One delivery of a sync job, read top to bottom:
 * 1. guard (delivery-guard.ts): the job is still wanted, its course registered, its token not known dead;
 * 2. permit (delivery-permit.ts): the course's lease, then the host's and the course's circuit breakers;
 * 3. run (delivery-run.ts): the pipeline, resuming from the job's checkpoint, within the delivery's budget;
 * 4. record (delivery-record.ts): the outcome on the job, the course, both breakers and the job's delivery log.
 * A delivery that runs out of budget commits its checkpoint and sends a continuation of the same job: that is not
 * a retry, so it counts toward no retry limit, breaker or error rate, and the job stays running (and keeps the
 * course's lease). Expected failures never throw out of here (sync-failure.ts handles them).
 */
import { guardDelivery } from "./delivery-guard";
import { takePermit } from "./delivery-permit";
import { recordOutcome } from "./delivery-record";
import { continues, runDelivery } from "./delivery-run";
import type { Invocation } from "./invocation";
import type { SyncMessage } from "./message";
import type { Settlement } from "./settle";

export async function handleSyncMessage(
  invocation: Invocation,
  message: SyncMessage,
  attempts: number,
  maxRetries: number,
): Promise<Settlement> {
  const guarded = await guardDelivery(invocation, message);
  if (!guarded.run) return guarded.settlement;
  const permit = await takePermit(invocation, message);
  if (!permit.granted) return permit.settlement;
  let keepLease = false;
  try {
    const run = await runDelivery(invocation, {
      message,
      attempts,
      maxRetries,
      job: guarded.job,
      course: permit.course,
      host: permit.host,
    });
    // A paused job continues in a new delivery, which must find the course still leased to it.
    keepLease = continues(run);
    return await recordOutcome(invocation, guarded.job, run);
  } finally {
    if (!keepLease) await permit.course.releaseLease(message.jobId);
  }
}
