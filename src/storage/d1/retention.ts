/**
 * Retention deletes: one bounded statement per call, each removing at most `limit` rows older than a cutoff and
 * returning how many went, so the caller (src/cron/retention.ts) can loop within a per-run cap. Raw SQL because
 * drizzle cannot express `DELETE ... WHERE key IN (SELECT ... ORDER BY ... LIMIT)`. Every statement reads at most
 * about `limit` rows: old rows are found through an index (jobs by finished_at, marks by at, tombstones by a
 * partial index on deleted_at) or, for append-only tables whose time grows with their id (change log, dead
 * letters), by taking the oldest `limit` ids and deleting those past the cutoff.
 */
import type { Database } from "./client";

export interface RetentionBatch {
  /** Rows deleted by this statement. */
  deleted: number;
}

/**
 * Finished jobs older than the cutoff, with their delivery records. Never a queued or running job, never a
 * course's latest job (none newer exists for its course) and never the job a course row points at. (`+status`
 * keeps the planner on the finished_at index instead of the status index, which would read every finished job.)
 */
const OLD_JOBS = `SELECT j.id FROM sync_jobs j
  WHERE j.finished_at < ?1 AND +j.status IN ('succeeded', 'partial', 'failed')
    AND EXISTS (SELECT 1 FROM sync_jobs n WHERE n.course_id = j.course_id AND n.created_at > j.created_at)
    AND j.id NOT IN (SELECT last_job_id FROM courses WHERE last_job_id IS NOT NULL)
  ORDER BY j.finished_at LIMIT ?2`;

/** Runs one bounded DELETE (?1 = cutoff, ?2 = batch size) and says how many rows went. */
async function deleteBounded(
  db: D1Database,
  sql: string,
  cutoff: number,
  limit: number,
): Promise<RetentionBatch> {
  const result = await db.prepare(sql).bind(cutoff, limit).run();
  return { deleted: result.meta.changes };
}

export async function deleteOldJobs(db: D1Database, cutoff: number, limit: number): Promise<RetentionBatch> {
  const [, jobs] = await db.batch([
    db.prepare(`DELETE FROM job_deliveries WHERE job_id IN (${OLD_JOBS})`).bind(cutoff, limit),
    db.prepare(`DELETE FROM sync_jobs WHERE id IN (${OLD_JOBS})`).bind(cutoff, limit),
  ]);
  return { deleted: jobs?.meta.changes ?? 0 };
}

/** Change-log entries older than the cutoff, among the oldest `limit` ids. */
export async function deleteOldChanges(
  db: D1Database,
  cutoff: number,
  limit: number,
): Promise<RetentionBatch> {
  return deleteBounded(
    db,
    `DELETE FROM item_changes WHERE at < ?1
       AND id IN (SELECT id FROM item_changes ORDER BY id LIMIT ?2)`,
    cutoff,
    limit,
  );
}

/** Dead letters older than the cutoff, among the oldest `limit` ids. */
export async function deleteOldDeadLetters(
  db: D1Database,
  cutoff: number,
  limit: number,
): Promise<RetentionBatch> {
  return deleteBounded(
    db,
    `DELETE FROM dead_letters WHERE at < ?1
       AND id IN (SELECT id FROM dead_letters ORDER BY id LIMIT ?2)`,
    cutoff,
    limit,
  );
}

/** Event marks not moved since the cutoff, unless their job is still queued or running. */
export async function deleteOldEventMarks(
  db: D1Database,
  cutoff: number,
  limit: number,
): Promise<RetentionBatch> {
  return deleteBounded(
    db,
    `DELETE FROM event_marks WHERE object_key IN (
       SELECT object_key FROM event_marks
       WHERE at < ?1 AND (job_id IS NULL
         OR job_id NOT IN (SELECT id FROM sync_jobs WHERE status IN ('queued', 'running')))
       ORDER BY at LIMIT ?2)`,
    cutoff,
    limit,
  );
}

/** Counter label sets that have not moved since the cutoff (rows never stamped are kept until they move). */
export async function deleteIdleCounters(
  db: D1Database,
  cutoff: number,
  limit: number,
): Promise<RetentionBatch> {
  return deleteBounded(
    db,
    `DELETE FROM metric_counters WHERE rowid IN (
       SELECT rowid FROM metric_counters WHERE updated_at < ?1 ORDER BY updated_at LIMIT ?2)`,
    cutoff,
    limit,
  );
}

// Tombstones deleted before the cutoff whose vector is already gone from the index (the dedup pass clears
// dedup_hash once it has removed it), oldest first; the same subquery runs twice inside one transaction.
const OLD_TOMBSTONES = `SELECT id FROM items
  WHERE deleted_at IS NOT NULL AND deleted_at < ?1 AND dedup_hash IS NULL
  ORDER BY deleted_at, id LIMIT ?2`;

/**
 * Tombstones older than the cutoff, with their change log, in one transaction. Their file bytes need nothing
 * here: a blob is held only by live items, so the blob GC (src/storage/blob-gc.ts) released it after its grace.
 */
export async function purgeTombstones(
  db: D1Database,
  cutoff: number,
  limit: number,
): Promise<RetentionBatch> {
  const [, items] = await db.batch([
    db.prepare(`DELETE FROM item_changes WHERE item_id IN (${OLD_TOMBSTONES})`).bind(cutoff, limit),
    db.prepare(`DELETE FROM items WHERE id IN (${OLD_TOMBSTONES})`).bind(cutoff, limit),
  ]);
  return { deleted: items?.meta.changes ?? 0 };
}

/** The tables retention deletes from, each with its own bounded statement above. */
export type RetentionTarget =
  | "tombstones"
  | "sync_jobs"
  | "item_changes"
  | "event_marks"
  | "dead_letters"
  | "metric_counters";

const RETENTION_DELETES: Record<
  RetentionTarget,
  (db: D1Database, cutoff: number, limit: number) => Promise<RetentionBatch>
> = {
  tombstones: purgeTombstones,
  sync_jobs: deleteOldJobs,
  item_changes: deleteOldChanges,
  event_marks: deleteOldEventMarks,
  dead_letters: deleteOldDeadLetters,
  metric_counters: deleteIdleCounters,
};

/** One bounded delete of `table`'s rows older than `cutoff` (at most `limit` rows). */
export async function deleteRetentionBatch(
  db: Database,
  table: RetentionTarget,
  cutoff: number,
  limit: number,
): Promise<RetentionBatch> {
  return RETENTION_DELETES[table](db.$client, cutoff, limit);
}
