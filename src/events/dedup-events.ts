/**
 * Pure dedup and coalescing rules for event-driven work. Live Events are delivered at least once (Canvas
 * retries) and are not sequenced, so work is keyed by the object it refreshes (`objectKey`) and ordered
 * by event time: an event no newer than the last one acted on for that object is dropped, a newer one
 * supersedes it. This is safe because every piece of work re-reads the object's *current* state from
 * the REST API: work triggered by the newer event already reflects the older change.
 * The caller persists `LastSeen` per objectKey (D1 or the course Durable Object).
 */
import { eventTimeMillis } from "./event-time";
import type { TargetedWork } from "./map-event";

/** What is remembered per objectKey. */
export type LastSeen = { eventTime: string };

export type DedupDecision =
  /** Act on it and store `record` as the new LastSeen for `record.objectKey`. */
  | { process: true; record: { objectKey: string; eventTime: string }; supersedes: boolean }
  /** `duplicate`: same event time as last seen (a redelivery); `stale`: older than last seen. */
  | { process: false; reason: "duplicate" | "stale" };

/**
 * Decides whether an event for `objectKey` at `eventTime` should cause work, given the last event time
 * acted on for that object. Unreadable stored times are treated as absent (process rather than lose a
 * change); an unreadable incoming time is processed but does not move LastSeen backwards or forwards.
 */
export function shouldProcess(
  objectKey: string,
  eventTime: string,
  lastSeen: LastSeen | undefined,
): DedupDecision {
  const fresh: DedupDecision = { process: true, record: { objectKey, eventTime }, supersedes: false };
  if (lastSeen === undefined) return fresh;
  const previous = eventTimeMillis(lastSeen.eventTime);
  if (previous === null) return fresh;
  const incoming = eventTimeMillis(eventTime);
  if (incoming === null) {
    return { process: true, record: { objectKey, eventTime: lastSeen.eventTime }, supersedes: false };
  }
  if (incoming === previous) return { process: false, reason: "duplicate" };
  if (incoming < previous) return { process: false, reason: "stale" };
  return { process: true, record: { objectKey, eventTime }, supersedes: true };
}

/**
 * Coalesces the work from one batch of events before it is enqueued:
 * - per objectKey only the newest event survives (ties keep the first seen);
 * - a `full_reconcile` for a course subsumes every other piece of work for that course, because the
 *   reconcile runs after the whole batch was received and re-reads everything.
 * Output order follows the first appearance of each surviving key.
 */
export function coalesceWork(works: readonly TargetedWork[]): TargetedWork[] {
  const newest = new Map<string, TargetedWork>();
  for (const work of works) {
    const current = newest.get(work.objectKey);
    if (current === undefined || isNewer(work.eventTime, current.eventTime)) {
      newest.set(work.objectKey, work);
    }
  }
  const reconciled = new Set<number>();
  for (const work of newest.values()) {
    if (work.scope.kind === "full_reconcile") reconciled.add(work.courseId);
  }
  return [...newest.values()].filter(
    (work) => work.scope.kind === "full_reconcile" || !reconciled.has(work.courseId),
  );
}

function isNewer(candidate: string, current: string): boolean {
  const a = eventTimeMillis(candidate);
  const b = eventTimeMillis(current);
  return a !== null && (b === null || a > b);
}
