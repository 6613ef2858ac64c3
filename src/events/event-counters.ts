/**
 * Counting Live Event outcomes in D1 (`metric_counters`, one row per name and label set), so the metrics
 * endpoint can report how many events were acted on, merged into pending work, deduplicated or ignored and why.
 * Labels are a stable, alphabetically ordered `key=value,key=value` string. Rejected deliveries (bad signature,
 * malformed) are deliberately not counted here: a flood of forged requests must not turn into D1 writes. Authentic
 * events from another institution are counted (`outcome=ignored,reason=wrong_institution`): only Canvas can sign
 * them, and an operator must see that someone's subscription points at us.
 */
import type { InstitutionIgnoreReason } from "./institution";
import type { IgnoreReason, WorkScope } from "./map-event";
import { unreachable } from "../shared/unreachable";

export const LIVE_EVENTS_COUNTER = "live_events_total";

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

/** A prepared upsert adding one to the outcome's counter (batch it with the write it accompanies). */
export function countOutcome(db: D1Database, outcome: EventOutcome, now = Date.now()): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO metric_counters (name, labels, value, updated_at) VALUES (?1, ?2, 1, ?3)
       ON CONFLICT(name, labels) DO UPDATE SET value = value + 1, updated_at = excluded.updated_at`,
    )
    .bind(LIVE_EVENTS_COUNTER, outcomeLabels(outcome), now);
}
