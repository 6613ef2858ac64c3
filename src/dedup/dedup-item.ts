/**
 * @module dedup/dedup-item
 * What a dedup pass knows about items, as the storage side (src/storage/d1/dedup-items.ts) hands them over: an item
 * to check, a live text as a candidate's other side, and an exact twin (same text hash). Types and one policy limit
 * only; no I/O.
 */

/** An item a pass looks at. */
export interface DedupItem {
  id: string;
  courseId: number;
  type: string;
  textHash: string | null;
  /** inline text, or null when it lives in R2 (textKey) or the item is gone */
  text: string | null;
  textKey: string | null;
  dedupHash: string | null;
  provisional: boolean;
  /** deleted, or without text, yet still marked as checked: its vector and links must go */
  gone: boolean;
}

/** A live text as a candidate's other side. */
export interface StoredText {
  id: string;
  courseId: number;
  textHash: string;
  text: string;
}

/** A live item with the same text hash as one being checked. */
export interface Twin {
  id: string;
  courseId: number;
  textHash: string;
  dedupHash: string | null;
  provisional: boolean;
}

/** Caps the twins read per hash: a text copied into thousands of items is linked to the first ones only. */
export const MAX_TWINS_PER_HASH = 50;
