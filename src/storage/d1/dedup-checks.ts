/**
 * @module storage/d1/dedup-checks
 * Recording one item's dedup check, atomically: the pair writes that carry out its `decidePair` answers, the delete
 * of the rows the check no longer supports, and the item's check mark, all in one D1 batch, so a check is either
 * recorded whole or not at all. Raw SQL (the statements of duplicates.ts and dedup-items.ts) because the results are
 * read statement by statement (which compare-and-set took effect, how many rows went).
 */
import type { Database } from "./client";
import { markCheckedStatement } from "./dedup-items";
import { type PairWrite, deletePairsStatement, pairWriteStatement } from "./duplicates";

export interface CheckRecord {
  itemId: string;
  textHash: string;
  provisional: boolean;
  writes: readonly PairWrite[];
  /** rows of the item the check no longer supports (only links and open conflicts are deleted) */
  staleRowIds: readonly number[];
}

export interface RecordedCheck {
  /** per write: the row id when it took effect, undefined when another pass wrote that row first */
  writtenIds: (number | undefined)[];
  deletedRows: number;
}

export async function recordCheck(db: Database, check: CheckRecord, now: number): Promise<RecordedCheck> {
  const statements = check.writes.map((write) => pairWriteStatement(db, write.pair, write.action, now));
  if (check.staleRowIds.length > 0) statements.push(deletePairsStatement(db, check.staleRowIds));
  statements.push(markCheckedStatement(db, check.itemId, check.textHash, check.provisional));
  const results = await db.$client.batch<{ id: number }>(statements);
  return {
    writtenIds: check.writes.map((_, i) => results[i]?.results[0]?.id),
    deletedRows: check.staleRowIds.length > 0 ? (results[check.writes.length]?.meta.changes ?? 0) : 0,
  };
}
