/**
 * @module dedup/pair-decision
 * Pure rules for the `duplicates` table: how a pair found by a dedup pass meets the row already stored for it
 * (insert, update in place, or leave alone), which of an item's rows a complete check shows to be stale, and the
 * candidate cut-off for a configured threshold. No I/O: the pass reads the rows, asks here, and writes the answer
 * with a compare-and-set, so two passes racing on one pair cannot both raise it.
 *
 * Why a resolved pair stays resolved: the operator decided about two specific texts. The row records the text
 * hash of each side; the same pair found again with the same hashes is the same question, already answered. A
 * different hash on either side is a new question, so the conflict is opened again.
 */
import type {
  DuplicateKind,
  FoundPair,
  PairAction,
  PairSide,
  StoredPair,
} from "../storage/d1/duplicate-pairs";
import { CANDIDATE_CUTOFF } from "./embedding";

/** Orders the two sides the way the table's unique index expects (`item_a < item_b`). */
export function orientPair(
  x: PairSide,
  y: PairSide,
  found: Pick<FoundPair, "kind" | "score" | "reason">,
): FoundPair {
  if (x.itemId === y.itemId) throw new RangeError("an item is not a duplicate of itself");
  const [a, b] = x.itemId < y.itemId ? [x, y] : [y, x];
  return {
    itemA: a.itemId,
    itemB: b.itemId,
    courseA: a.courseId,
    courseB: b.courseId,
    textHashA: a.textHash,
    textHashB: b.textHash,
    ...found,
  };
}

const sameHashes = (stored: StoredPair, found: FoundPair): boolean =>
  stored.textHashA === found.textHashA && stored.textHashB === found.textHashB;

/**
 * What to do with a found pair given the stored row for the same two items (if any):
 * - nothing stored: insert, open for a near-duplicate (raised), linked for an exact copy;
 * - a byte-identical (exact_blob) link is only ever replaced by the blob check, never by a text check;
 * - resolved and found again with the same text hashes: keep (not raised again);
 * - otherwise bring the row up to date; it is raised only when it becomes open from some other state.
 */
export function decidePair(stored: StoredPair | undefined, found: FoundPair): PairAction {
  const status = found.kind === "near_text" ? "open" : "linked";
  if (stored === undefined) {
    return { action: "insert", status, raised: status === "open", linked: status === "linked" };
  }
  if (stored.kind === "exact_blob" && stored.status === "linked" && found.kind !== "exact_blob") {
    return { action: "keep" };
  }
  if (stored.status === "resolved" && found.kind === "near_text" && sameHashes(stored, found)) {
    return { action: "keep" };
  }
  const unchanged =
    stored.status === status &&
    stored.kind === found.kind &&
    stored.score === found.score &&
    sameHashes(stored, found);
  if (unchanged) return { action: "keep" };
  return {
    action: "update",
    id: stored.id,
    expected: { updatedAt: stored.updatedAt, status: stored.status, kind: stored.kind },
    status,
    raised: status === "open" && stored.status !== "open",
    linked: status === "linked" && (stored.status !== "linked" || stored.kind !== found.kind),
  };
}

/**
 * The rows of `itemId` that its new check no longer supports and that must go: open conflicts and exact text
 * links whose other side was not found again. Exact text twins come from the database, so that list is always
 * complete; near-duplicates are complete only when the vector query could see everything (not provisional, not
 * truncated) — otherwise a pair merely not seen yet would be dropped and raised again later as new. Resolved rows
 * are decisions and stay; byte-identical links belong to the blob check.
 */
export function staleRowIds(
  itemId: string,
  rows: readonly StoredPair[],
  foundOthers: ReadonlySet<string>,
  nearComplete: boolean,
): number[] {
  const out: number[] = [];
  for (const row of rows) {
    const other = row.itemA === itemId ? row.itemB : row.itemB === itemId ? row.itemA : undefined;
    if (other === undefined || foundOthers.has(other) || row.status === "resolved") continue;
    if (row.kind === "exact_text" || (row.kind === "near_text" && nearComplete)) out.push(row.id);
  }
  return out;
}

/**
 * Vector score from which a neighbour is checked exactly, for a pg_trgm threshold t. A pair with similarity
 * above t has an exact Ochiai (cosine of the ideal vectors) of at least 2t/(1+t); `CANDIDATE_CUTOFF` sits 0.049
 * below that bound at t = 0.8 (about 4σ of the hashing error at 384 dimensions). Other thresholds keep the same
 * margin below their own bound, never above the calibrated cut-off (a lower cut-off only costs exact checks).
 */
export function candidateCutoffFor(threshold: number): number {
  const margin = (2 * 0.8) / 1.8 - CANDIDATE_CUTOFF;
  return Math.min(CANDIDATE_CUTOFF, (2 * threshold) / (1 + threshold) - margin);
}

/** Human-readable reason recorded with a pair (ids and numbers only, never course text). */
export function pairReason(
  kind: DuplicateKind,
  detail: { similarity?: string; threshold?: number; vectorScore?: number; via?: string } = {},
): string {
  if (kind === "exact_blob") return "identical file bytes (same SHA-256)";
  if (kind === "exact_text") return "identical extracted text (same text hash)";
  const base = `pg_trgm similarity ${detail.similarity ?? "?"} > ${detail.threshold ?? "?"}`;
  if (detail.via !== undefined) return `${base} (text identical to ${detail.via}, whose pair was confirmed)`;
  return detail.vectorScore === undefined
    ? base
    : `${base} (confirmed exactly; vector score ${detail.vectorScore.toFixed(3)})`;
}
