/**
 * The shapes of the `duplicates` table as the dedup pass and the API see them: a pair's kind, status and resolution,
 * a pair as found and as stored, and the writes a decision asks for (src/dedup/pair-decision.ts decides them; the
 * storage modules carry them out). Types only.
 */

export type DuplicateKind = "exact_text" | "exact_blob" | "near_text";
export type DuplicateStatus = "linked" | "open" | "resolved";
export type Resolution = "keep_both" | "mark_duplicate" | "ignore";

/** A pair a pass has just established, oriented so that `itemA < itemB` (see `orientPair`). */
export interface FoundPair {
  itemA: string;
  itemB: string;
  courseA: number;
  courseB: number;
  kind: DuplicateKind;
  /** 1 for exact copies; the exact pg_trgm similarity (float4) for near-duplicates */
  score: number;
  textHashA: string | null;
  textHashB: string | null;
  reason: string;
}

/** The part of a stored row the decision needs: the pair as found, and the row's id, status and version. */
export interface StoredPair extends Omit<FoundPair, "reason"> {
  id: number;
  status: DuplicateStatus;
  updatedAt: number;
}

export type PairAction =
  | { action: "keep" }
  | { action: "insert"; status: Exclude<DuplicateStatus, "resolved">; raised: boolean; linked: boolean }
  | {
      action: "update";
      id: number;
      /** compare-and-set guard: the row must still look as it did when read */
      expected: Pick<StoredPair, "updatedAt" | "status" | "kind">;
      status: Exclude<DuplicateStatus, "resolved">;
      /** the pair becomes an open conflict that was not open before: log, alert, count */
      raised: boolean;
      /** the pair becomes an exact link of this kind that was not one before: count */
      linked: boolean;
    };

/** A decision that writes (every action but "keep"): what the storage side carries out as a compare-and-set. */
export type PairChange = Exclude<PairAction, { action: "keep" }>;

/** One side of a pair before orientation. */
export interface PairSide {
  itemId: string;
  courseId: number;
  textHash: string | null;
}
