/**
 * The `sync_jobs` table as the queue side sees it: creating jobs (with their courses' state, in one batch), reading
 * one job for a delivery's guard, and ending a job on its own (cancelled, could not be enqueued). The writes that
 * end a job together with its course live in job-outcome.ts. Raw SQL: the statements bind JSON arrays through
 * `json_each` (one parameter per chunk of up to 100 jobs) and run in `batch()` with the course updates.
 */
import type { Database } from "./client";

export interface JobRow {
  id: string;
  course_id: number;
  mode: string;
  scope: string | null;
  status: string;
  checkpoint: string | null;
}

export interface NewJob {
  jobId: string;
  courseId: number;
  mode: string;
  trigger: string;
  /** the scope as JSON text, or null */
  scope: string | null;
}

/** Inserts queued jobs and points each course at its job (a course idle or failing becomes queued), atomically. */
export async function insertQueuedJobs(db: Database, jobs: readonly NewJob[], now: number): Promise<void> {
  const d1 = db.$client;
  await d1.batch([
    d1
      .prepare(
        `INSERT INTO sync_jobs (id, course_id, mode, trigger, scope, status, created_at)
         SELECT j.value ->> 'jobId', j.value ->> 'courseId', j.value ->> 'mode', j.value ->> 'trigger',
           j.value ->> 'scope', 'queued', ?2 FROM json_each(?1) AS j`,
      )
      .bind(JSON.stringify(jobs), now),
    d1
      .prepare(
        `UPDATE courses SET state = CASE WHEN state IN ('idle', 'failing') THEN 'queued' ELSE state END,
           last_job_id = (SELECT j.value ->> 'jobId' FROM json_each(?1) AS j
             WHERE (j.value ->> 'courseId') = courses.canvas_course_id)
         WHERE canvas_course_id IN (SELECT j.value ->> 'courseId' FROM json_each(?1) AS j)`,
      )
      .bind(JSON.stringify(jobs.map((job) => ({ jobId: job.jobId, courseId: job.courseId })))),
  ]);
}

/** Jobs whose queue message could not be sent end as failed instead of staying queued for ever. */
export async function failUnsentJobs(db: Database, jobIds: readonly string[], now: number): Promise<void> {
  await db.$client
    .prepare(
      `UPDATE sync_jobs SET status = 'failed', error = 'could not enqueue', error_category = 'unknown', finished_at = ?2
       WHERE id IN (SELECT value FROM json_each(?1))`,
    )
    .bind(JSON.stringify(jobIds), now)
    .run();
}

export async function readJob(db: Database, jobId: string): Promise<JobRow | null> {
  return db.$client
    .prepare("SELECT id, course_id, mode, scope, status, checkpoint FROM sync_jobs WHERE id = ?1")
    .bind(jobId)
    .first<JobRow>();
}

export async function readJobStatus(
  db: Database,
  jobId: string,
): Promise<{ status: string; error_category: string | null } | null> {
  return db.$client
    .prepare("SELECT status, error_category FROM sync_jobs WHERE id = ?1")
    .bind(jobId)
    .first<{ status: string; error_category: string | null }>();
}

/** Ends a job as cancelled (category `cancelled`, which health does not count as a failure). */
export async function cancelJob(
  db: Database,
  jobId: string,
  reason: string,
  now: number,
  processed: number | null,
): Promise<void> {
  await db.$client
    .prepare(
      `UPDATE sync_jobs SET status = 'failed', finished_at = ?2, error = ?3, error_category = 'cancelled',
         progress_done = COALESCE(?4, progress_done) WHERE id = ?1`,
    )
    .bind(jobId, now, reason.slice(0, 500), processed)
    .run();
}

/**
 * A delivery starts: the job runs (its first start time kept; a continuation carries on the same attempt, so
 * `attempt` is 0 for it) and its course is syncing, in one batch.
 */
export async function markJobRunning(
  db: Database,
  job: { jobId: string; courseId: number; now: number; attempt: 0 | 1 },
): Promise<void> {
  const d1 = db.$client;
  await d1.batch([
    d1
      .prepare(
        `UPDATE sync_jobs SET status = 'running', started_at = COALESCE(started_at, ?2),
           attempts = attempts + ?3 WHERE id = ?1`,
      )
      .bind(job.jobId, job.now, job.attempt),
    d1.prepare("UPDATE courses SET state = 'syncing' WHERE canvas_course_id = ?1").bind(job.courseId),
  ]);
}

/**
 * Jobs queued or running past the stuck limit without a checkpoint end as failed (stuck), and courses left
 * queued or syncing without any live job go back to idle, in one batch.
 */
export async function releaseStuckJobs(db: Database, now: number, cutoff: number): Promise<void> {
  const d1 = db.$client;
  await d1.batch([
    d1
      .prepare(
        `UPDATE sync_jobs SET status = 'failed', error = 'stuck: no progress within the limit',
           error_category = 'unknown', finished_at = ?1
         WHERE status IN ('queued', 'running') AND COALESCE(checkpoint_at, started_at, created_at) < ?2`,
      )
      .bind(now, cutoff),
    d1.prepare(
      `UPDATE courses SET state = 'idle'
         WHERE state IN ('queued', 'syncing') AND NOT EXISTS (
           SELECT 1 FROM sync_jobs j WHERE j.course_id = courses.canvas_course_id AND j.status IN ('queued', 'running'))`,
    ),
  ]);
}
