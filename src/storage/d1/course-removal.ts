/**
 * D1 side of removing a registered course (DELETE /api/courses/:id): the course row goes and its queued jobs are
 * cancelled in one batch, so the cron can never enqueue it again and a queued message finds its job finished.
 * With purge, everything mirrored for the course follows in bounded chunks (a large course has 100k rows and one
 * statement must stay short): change log, duplicate pairs touching it, Live Events marks, collection cursors and
 * the item rows. Blobs are not deleted here: the blob GC (src/storage/blob-gc.ts) orphans the ones no live item
 * references any more and deletes them after the grace period. Raw SQL: the chunked `DELETE ... IN (SELECT ...
 * LIMIT)` has no drizzle form.
 */
import type { Database } from "./client";

/** The error a job cancelled by a removal carries (category `cancelled`: not a failure of anything). */
export const CANCELLED_BY_REMOVAL = "cancelled: the course was removed";

export interface CourseRowRemoval {
  removed: boolean;
  cancelledJobs: number;
}

/** Deletes the course row and cancels its queued jobs; `removed` is false when the course was not registered. */
export async function deleteCourseRow(
  db: Database,
  courseId: number,
  now: number,
): Promise<CourseRowRemoval> {
  const d1 = db.$client;
  const [cancelled, deleted] = await d1.batch([
    d1
      .prepare(
        `UPDATE sync_jobs SET status = 'failed', error = ?3, error_category = 'cancelled', finished_at = ?2
         WHERE course_id = ?1 AND status = 'queued'`,
      )
      .bind(courseId, now, CANCELLED_BY_REMOVAL),
    d1.prepare("DELETE FROM courses WHERE canvas_course_id = ?1").bind(courseId),
  ]);
  return { removed: (deleted?.meta.changes ?? 0) > 0, cancelledJobs: cancelled?.meta.changes ?? 0 };
}

export interface PurgedRows {
  items: number;
  changes: number;
  duplicates: number;
}

const CHUNK = 2_000;

async function deleteInChunks(db: D1Database, statement: string, courseId: number): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.prepare(statement).bind(courseId, CHUNK).run();
    const changed = result.meta.changes ?? 0;
    total += changed;
    if (changed < CHUNK) return total;
  }
}

/** Ids of the course's items whose text has a vector in the index (dedup_hash set), one page after `afterId`. */
export async function indexedItemIds(
  db: Database,
  courseId: number,
  afterId: string,
  limit: number,
): Promise<string[]> {
  const { results } = await db.$client
    .prepare(
      `SELECT id FROM items WHERE course_id = ?1 AND dedup_hash IS NOT NULL AND id > ?2 ORDER BY id LIMIT ?3`,
    )
    .bind(courseId, afterId, limit)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}

/** Deletes every row mirrored for the course (not the course row, not blobs). Idempotent. */
export async function purgeCourseRows(database: Database, courseId: number): Promise<PurgedRows> {
  const db = database.$client;
  const changes = await deleteInChunks(
    db,
    "DELETE FROM item_changes WHERE id IN (SELECT id FROM item_changes WHERE course_id = ?1 LIMIT ?2)",
    courseId,
  );
  const duplicates = await deleteInChunks(
    db,
    `DELETE FROM duplicates WHERE id IN (
       SELECT id FROM duplicates WHERE course_a = ?1 OR course_b = ?1 LIMIT ?2)`,
    courseId,
  );
  await db.batch([
    db.prepare("DELETE FROM event_marks WHERE course_id = ?1").bind(courseId),
    db.prepare("DELETE FROM collection_cursors WHERE course_id = ?1").bind(courseId),
  ]);
  const items = await deleteInChunks(
    db,
    "DELETE FROM items WHERE id IN (SELECT id FROM items WHERE course_id = ?1 LIMIT ?2)",
    courseId,
  );
  return { items, changes, duplicates };
}
