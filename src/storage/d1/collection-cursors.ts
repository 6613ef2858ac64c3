/**
 * The `collection_cursors` table: per course and collection, the watermark an incremental listing starts from and
 * when a complete listing last reconciled deletions. Reads are drizzle; the write is raw SQL because it is an upsert
 * that keeps the old reconciled_at when the new one is null, and it joins the commit's `batch()`
 * (delivery-commit.ts).
 */
import { and, eq } from "drizzle-orm";
import type { Database } from "./client";
import { collectionCursors } from "./schema";

export interface CursorWrite {
  courseId: number;
  collection: string;
  watermark: string | null;
  /** null keeps the stored time */
  reconciledAt: number | null;
}

/** The collection's watermark, or null when it was never listed (or has none). */
export async function readWatermark(
  db: Database,
  courseId: number,
  collection: string,
): Promise<string | null> {
  const cursor = await db
    .select()
    .from(collectionCursors)
    .where(and(eq(collectionCursors.courseId, courseId), eq(collectionCursors.collection, collection)))
    .get();
  return cursor?.watermark ?? null;
}

/** When the course's files were last reconciled from a complete listing (null: never). */
export async function filesReconciledAt(db: Database, courseId: number): Promise<number | null> {
  const row = await db
    .select({ reconciledAt: collectionCursors.reconciledAt })
    .from(collectionCursors)
    .where(and(eq(collectionCursors.courseId, courseId), eq(collectionCursors.collection, "files")))
    .get();
  return row?.reconciledAt ?? null;
}

export function cursorStatement(d1: D1Database, cursor: CursorWrite): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO collection_cursors (course_id, collection, watermark, reconciled_at) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT(course_id, collection) DO UPDATE SET watermark = excluded.watermark,
         reconciled_at = COALESCE(excluded.reconciled_at, collection_cursors.reconciled_at)`,
    )
    .bind(cursor.courseId, cursor.collection, cursor.watermark, cursor.reconciledAt);
}
