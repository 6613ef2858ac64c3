/**
 * How a job ends, written on the job row and its course row in one batch each: success (or partial), failure,
 * "Canvas says the course does not exist", and a retry that puts both back in the queue. The values (next sync
 * time, smoothed change rate, activity model, summaries) are decided by src/queue/course-outcome.ts; this module
 * only writes them. Raw SQL: the course updates read other rows in the same statement (the job's mode, the course
 * item's title) and must share one `batch()` with the job update and the delivery record.
 */
import type { Database } from "./client";
import { insertDeliveryStatement, type DeliveryWrite } from "./job-deliveries";

export interface SuccessWrite {
  courseId: number;
  jobId: string;
  now: number;
  report: string;
  processed: number;
  /** null when the job succeeded; the one-line summary of what a partial job left */
  partialSummary: string | null;
  full: boolean;
  nextSyncAt: number;
  changeRatePpm: number;
  activity: string;
  /** the item id of the course object (its title names the course) */
  courseItemId: string;
  /** the delivery record that commits with the outcome */
  delivery: DeliveryWrite | null;
}

export async function writeJobSuccess(db: Database, write: SuccessWrite): Promise<void> {
  const d1 = db.$client;
  const partial = write.partialSummary !== null;
  await d1.batch([
    d1
      .prepare(
        `UPDATE sync_jobs SET status = ?5, finished_at = ?2, report = ?3, error = ?6, error_category = ?7,
           progress_done = ?4, progress_total = ?4 WHERE id = ?1`,
      )
      .bind(
        write.jobId,
        write.now,
        write.report,
        write.processed,
        partial ? "partial" : "succeeded",
        write.partialSummary,
        partial ? "partial" : null,
      ),
    d1
      .prepare(
        `UPDATE courses SET state = 'idle', last_sync_at = ?2, last_success_at = ?2,
           last_full_sync_at = CASE WHEN ?3 THEN ?2 ELSE last_full_sync_at END, consecutive_failures = 0,
           last_error = ?8, last_error_category = ?9,
           next_sync_at = CASE WHEN (SELECT mode FROM sync_jobs WHERE id = ?10) = 'targeted'
             THEN COALESCE(next_sync_at, ?4) ELSE ?4 END,
           change_rate_ppm = ?5, activity = ?6,
           name = COALESCE((SELECT title FROM items WHERE id = ?7 AND deleted_at IS NULL), name)
         WHERE canvas_course_id = ?1`,
      )
      .bind(
        write.courseId,
        write.now,
        write.full ? 1 : 0,
        write.nextSyncAt,
        write.changeRatePpm,
        write.activity,
        write.courseItemId,
        write.partialSummary,
        partial ? "partial" : null,
        write.jobId,
      ),
    ...(write.delivery === null ? [] : [insertDeliveryStatement(d1, write.delivery)]),
  ]);
}

export interface FailureWrite {
  courseId: number;
  jobId: string;
  now: number;
  /** already cut to the column's 500 characters */
  reason: string;
  category: string;
  consecutiveFailures: number;
  nextSyncAt: number;
}

/** The job failed; the course counts the failure (a dead-token stop keeps its state) and waits for its next try. */
export async function writeJobFailure(db: Database, write: FailureWrite): Promise<void> {
  const d1 = db.$client;
  await d1.batch([
    d1
      .prepare(
        "UPDATE sync_jobs SET status = 'failed', finished_at = ?2, error = ?3, error_category = ?4 WHERE id = ?1",
      )
      .bind(write.jobId, write.now, write.reason, write.category),
    d1
      .prepare(
        `UPDATE courses SET state = CASE WHEN state = 'auth_failed' THEN state ELSE 'failing' END, last_sync_at = ?2,
           consecutive_failures = ?3, last_error = ?4, last_error_category = ?5, next_sync_at = ?6
         WHERE canvas_course_id = ?1`,
      )
      .bind(
        write.courseId,
        write.now,
        write.consecutiveFailures,
        write.reason,
        write.category,
        write.nextSyncAt,
      ),
  ]);
}

/** The job failed as `not_found` and the course is marked so, to be looked up again at `recheckAt`. */
export async function writeCourseNotFound(
  db: Database,
  write: { courseId: number; jobId: string; now: number; reason: string; recheckAt: number },
): Promise<void> {
  const d1 = db.$client;
  await d1.batch([
    d1
      .prepare(
        "UPDATE sync_jobs SET status = 'failed', finished_at = ?2, error = ?3, error_category = 'not_found' WHERE id = ?1",
      )
      .bind(write.jobId, write.now, write.reason),
    d1
      .prepare(
        `UPDATE courses SET state = 'not_found', last_sync_at = ?2, last_error = ?3, last_error_category = 'not_found',
           next_sync_at = ?4 WHERE canvas_course_id = ?1`,
      )
      .bind(write.courseId, write.now, write.reason, write.recheckAt),
  ]);
}

/** The job goes back to queued with its error; a course still syncing goes back to queued too. */
export async function writeJobRetry(
  db: Database,
  write: { courseId: number; jobId: string; reason: string; category: string },
): Promise<void> {
  const d1 = db.$client;
  await d1.batch([
    d1
      .prepare("UPDATE sync_jobs SET status = 'queued', error = ?2, error_category = ?3 WHERE id = ?1")
      .bind(write.jobId, write.reason, write.category),
    d1
      .prepare("UPDATE courses SET state = 'queued' WHERE canvas_course_id = ?1 AND state = 'syncing'")
      .bind(write.courseId),
  ]);
}

/**
 * The Canvas times (updated_at, null when the object has none or is gone) of the newest `limit` changes one job
 * logged for a course.
 */
export async function jobChangeTimes(
  db: Database,
  courseId: number,
  jobId: string,
  limit: number,
): Promise<(string | null)[]> {
  const { results } = await db.$client
    .prepare(
      `SELECT i.canvas_updated_at AS at FROM item_changes c LEFT JOIN items i ON i.id = c.item_id
       WHERE c.course_id = ?1 AND c.job_id = ?2 ORDER BY c.id DESC LIMIT ?3`,
    )
    .bind(courseId, jobId, limit)
    .all<{ at: string | null }>();
  return results.map((row) => row.at);
}
