/**
 * Counting Live Event outcomes in D1 (`metric_counters`, one row per name and label set), so the metrics
 * endpoint can report how many events were acted on, merged into pending work, deduplicated or ignored and why.
 * Labels are a stable, alphabetically ordered `key=value,key=value` string. Rejected deliveries (bad signature,
 * malformed) are deliberately not counted here: a flood of forged requests must not turn into D1 writes. Authentic
 * events from another institution are counted (`outcome=ignored,reason=wrong_institution`): only Canvas can sign
 * them, and an operator must see that someone's subscription points at us. The writes are in
 * src/storage/d1/metric-counters.ts.
 */
import type { InstitutionIgnoreReason } from "./institution";
import type { IgnoreReason, WorkScope } from "./map-event";
import { unreachable } from "../shared/unreachable";
import type { Database } from "../storage/d1/client";
import { incrementCounter, LIVE_EVENTS_COUNTER } from "../storage/d1/metric-counters";

/** How an accepted event ended. */
export type EventOutcome =
  | { outcome: "enqueued"; scope: WorkScope["kind"] }
  | { outcome: "coalesced"; scope: WorkScope["kind"] }
  | { outcome: "dropped"; reason: "duplicate" | "stale" }
  | { outcome: "ignored"; reason: IgnoreReason | InstitutionIgnoreReason | "invalid_object_id" };

/** The label string for an outcome, e.g. `outcome=ignored,reason=course_not_registered`. */
export function outcomeLabels(outcome: EventOutcome): string {
  switch (outcome.outcome) {
    case "enqueued":
    case "coalesced":
      return `outcome=${outcome.outcome},scope=${outcome.scope}`;
    case "dropped":
    case "ignored":
      return `outcome=${outcome.outcome},reason=${outcome.reason}`;
    default:
      return unreachable(outcome);
  }
}

/** Adds one to the outcome's counter. */
export async function countOutcome(db: Database, outcome: EventOutcome, now = Date.now()): Promise<void> {
  await incrementCounter(db, LIVE_EVENTS_COUNTER, outcomeLabels(outcome), now);
}
