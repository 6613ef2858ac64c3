/**
 * Pure decision for one mapped Live Event against what is persisted about its object (issue #5): drop it
 * (a redelivery or an older event), attach it to a sync job that has not started yet (that job will read the
 * object's current state, which already includes this change), or enqueue a new targeted job.
 * The adapter (intake.ts) loads the inputs from D1 and carries the decision out; nothing here does I/O.
 */
import { shouldProcess } from "./dedup-events";
import type { TargetedWork } from "./map-event";

/** The persisted `event_marks` row for the work's objectKey, joined with its job's state. */
export type MarkState = {
  eventTime: string;
  jobId: string | null;
  /** The mark's job exists, is queued and has never started, so it will still read the object. */
  jobPending: boolean;
};

export type IntakeInput = {
  work: TargetedWork;
  mark: MarkState | null;
  /**
   * A not-yet-started full sync or full reconciliation of the same course, if any: it re-reads every object,
   * so it covers this one too.
   */
  coveringJobId: string | null;
};

export type IntakeDecision =
  | { action: "drop"; reason: "duplicate" | "stale" }
  /** Record the event time on the mark and point it at `jobId`; no new job. */
  | { action: "attach"; jobId: string; eventTime: string }
  /** Create a targeted job and record the event time on the mark. */
  | { action: "enqueue"; eventTime: string };

/** Decides what one event does. Dedup first (by object and event time), then reuse of an unstarted job. */
export function decideIntake(input: IntakeInput): IntakeDecision {
  const { work, mark, coveringJobId } = input;
  const dedup = shouldProcess(
    work.objectKey,
    work.eventTime,
    mark === null ? undefined : { eventTime: mark.eventTime },
  );
  if (!dedup.process) return { action: "drop", reason: dedup.reason };
  const eventTime = dedup.record.eventTime;
  // A job that has not started has fetched nothing yet; when it runs it sees this change. A running job might
  // already have fetched the object, so it cannot absorb a newer event.
  if (mark !== null && mark.jobPending && mark.jobId !== null) {
    return { action: "attach", jobId: mark.jobId, eventTime };
  }
  if (coveringJobId !== null) return { action: "attach", jobId: coveringJobId, eventTime };
  return { action: "enqueue", eventTime };
}
