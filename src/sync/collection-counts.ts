/**
 * Pure: a collection's counts for the job report, derived from what is true at the collection's end rather than
 * accumulated along the way, so that a job spread over several deliveries (or resumed after a crash) reports exactly
 * what an uninterrupted run would. Each object counts once: by what this delivery did to it; else, if an earlier
 * delivery of the job changed it, by the change its row records (items.last_change_kind); else by the issue the job
 * recorded for it. Objects the job saw without changing count as unchanged (they are in `outcomes`).
 */
import type { ItemType } from "../detect/item-types";
import { addOutcome, emptyCounts, type Outcome, type TypeCounts } from "./report";

const RECORDED_KINDS: ReadonlySet<string> = new Set<Outcome>([
  "added",
  "timestamp_updated",
  "content_updated",
  "content_modified",
  "restored",
  "deleted",
  "replaced",
]);

function isRecordedKind(kind: string | null): kind is Outcome {
  return kind !== null && RECORDED_KINDS.has(kind);
}

export interface CountInput {
  types: readonly ItemType[];
  jobId: string;
  /** what this delivery did to each object it handled */
  outcomes: ReadonlyMap<string, { type: ItemType; outcome: Outcome }>;
  /** the stored rows as the collection found them */
  stored: Iterable<{ id: string; type: ItemType; lastJobId: string | null; lastChangeKind: string | null }>;
  /** the open issues this job recorded for these types */
  issues: readonly { itemId: string; type: ItemType; status: "left_behind" | "held" | "skipped" }[];
}

export function collectionCounts(input: CountInput): Partial<Record<ItemType, TypeCounts>> {
  const counts: Partial<Record<ItemType, TypeCounts>> = {};
  const countsOf = (type: ItemType): TypeCounts => {
    const existing = counts[type];
    if (existing) return existing;
    const created = emptyCounts();
    counts[type] = created;
    return created;
  };
  for (const type of input.types) countsOf(type);
  const counted = new Set<string>();
  for (const [id, { type, outcome }] of input.outcomes) {
    addOutcome(countsOf(type), outcome);
    counted.add(id);
  }
  for (const row of input.stored) {
    if (counted.has(row.id) || row.lastJobId !== input.jobId || !isRecordedKind(row.lastChangeKind)) continue;
    addOutcome(countsOf(row.type), row.lastChangeKind);
    counted.add(row.id);
  }
  for (const issue of input.issues) {
    if (counted.has(issue.itemId)) continue;
    addOutcome(countsOf(issue.type), issue.status);
    counted.add(issue.itemId);
  }
  return counts;
}
