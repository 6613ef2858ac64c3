/**
 * Writes to `search_docs` that the triggers cannot do: filling in the body of an item whose text lives in R2 (the
 * triggers index it by title and mark it `r2_pending`), and recording why a fill failed. Every write is a
 * compare-and-set on the R2 key, so a fill that races a newer text of the same item changes nothing.
 */
import { and, asc, count, eq } from "drizzle-orm";
import type { Database } from "./client";
import { searchDocs } from "./schema";

export interface PendingDoc {
  itemId: string;
  textKey: string;
  attempts: number;
}

/** Documents whose R2 text is not indexed yet, oldest first. */
export async function selectPendingR2Docs(
  orm: Database,
  courseId: number,
  limit: number,
): Promise<PendingDoc[]> {
  const rows = await orm
    .select({ itemId: searchDocs.itemId, textKey: searchDocs.textKey, attempts: searchDocs.attempts })
    .from(searchDocs)
    .where(and(eq(searchDocs.bodyStatus, "r2_pending"), eq(searchDocs.courseId, courseId)))
    .orderBy(asc(searchDocs.docId))
    .limit(limit);
  return rows.flatMap((row) => (row.textKey === null ? [] : [{ ...row, textKey: row.textKey }]));
}

export async function countPendingR2Docs(orm: Database, courseId: number): Promise<number> {
  const row = await orm
    .select({ n: count() })
    .from(searchDocs)
    .where(and(eq(searchDocs.bodyStatus, "r2_pending"), eq(searchDocs.courseId, courseId)))
    .get();
  return row?.n ?? 0;
}

/** Indexes `body` (already capped) as the item's text, if the item still points at `textKey`. */
export function fillBodyStatement(
  db: D1Database,
  fill: { itemId: string; textKey: string; body: string; truncated: boolean; now: number },
): D1PreparedStatement {
  // Raw SQL: the statement is batched with other raw statements (the extraction's items update).
  return db
    .prepare(
      `UPDATE search_docs SET body = ?3, body_status = 'r2_indexed', body_truncated = ?4, attempts = 0,
         indexed_at = ?5
       WHERE item_id = ?1 AND text_key = ?2`,
    )
    .bind(fill.itemId, fill.textKey, fill.body, fill.truncated ? 1 : 0, fill.now);
}

/** The R2 object is gone: nothing can be indexed for it until the item's text changes. */
export function markMissingStatement(db: D1Database, itemId: string, textKey: string): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE search_docs SET body_status = 'r2_missing' WHERE item_id = ?1 AND text_key = ?2
         AND body_status = 'r2_pending'`,
    )
    .bind(itemId, textKey);
}

/** A read failed: count it; after `maxAttempts` the document is marked r2_failed and no longer retried. */
export function markFailureStatement(
  db: D1Database,
  itemId: string,
  textKey: string,
  maxAttempts: number,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE search_docs SET attempts = attempts + 1,
         body_status = CASE WHEN attempts + 1 >= ?3 THEN 'r2_failed' ELSE body_status END
       WHERE item_id = ?1 AND text_key = ?2 AND body_status = 'r2_pending'`,
    )
    .bind(itemId, textKey, maxAttempts);
}

/** One outcome of reading an R2 text for the index, as the fill pass records it. */
export type R2FillWrite =
  | { kind: "fill"; itemId: string; textKey: string; body: string; truncated: boolean; now: number }
  | { kind: "missing"; itemId: string; textKey: string }
  | { kind: "failure"; itemId: string; textKey: string; maxAttempts: number };

/**
 * Records a fill pass's outcomes, one write per document in order: a body may be up to ~800 KB, so a batch of
 * twenty could exceed what one request carries.
 */
export async function recordR2Fills(db: Database, writes: readonly R2FillWrite[]): Promise<void> {
  for (const write of writes) {
    const statement =
      write.kind === "fill"
        ? fillBodyStatement(db.$client, write)
        : write.kind === "missing"
          ? markMissingStatement(db.$client, write.itemId, write.textKey)
          : markFailureStatement(db.$client, write.itemId, write.textKey, write.maxAttempts);
    await statement.run();
  }
}
