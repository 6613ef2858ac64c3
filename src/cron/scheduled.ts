/**
 * The Cron Trigger: finds due courses with one indexed query and fans them out to the queue. It does no Canvas work
 * itself. It also lifts `auth_failed` once the configured token differs from the one found dead, and re-enqueues
 * jobs whose consumer died without a trace (queued or running past the stuck limit with no checkpoint since).
 */
import { enqueueSyncJobs } from "../queue/enqueue";
import { planDueCourses, type CourseScheduleRow } from "./plan-due";

export interface ScheduledDeps {
  db: D1Database;
  queue: Queue;
  now: number;
  tokenFingerprint: string;
  stuckJobMs: number;
  /** cap per run so a huge backlog is spread over several runs */
  maxPerRun?: number;
}

export interface ScheduledResult {
  enqueued: number;
  jobIds: string[];
}

export async function runScheduled(deps: ScheduledDeps): Promise<ScheduledResult> {
  const { db, now } = deps;
  await db
    .prepare(
      `UPDATE courses SET state = 'idle', auth_failed_token = NULL, next_sync_at = ?2
       WHERE state = 'auth_failed' AND (auth_failed_token IS NULL OR auth_failed_token != ?1)`,
    )
    .bind(deps.tokenFingerprint, now)
    .run();
  await releaseStuckCourses(db, now, deps.stuckJobMs);
  const limit = deps.maxPerRun ?? 1000;
  const { results } = await db
    .prepare(
      `SELECT canvas_course_id AS canvasCourseId, state, next_sync_at AS nextSyncAt,
         breaker_open_until AS breakerOpenUntil
       FROM courses WHERE next_sync_at <= ?1 ORDER BY next_sync_at LIMIT ?2`,
    )
    .bind(now, limit)
    .all<CourseScheduleRow>();
  const due = planDueCourses(results, now);
  if (due.length === 0) return { enqueued: 0, jobIds: [] };
  const jobIds = await enqueueSyncJobs(
    db,
    deps.queue,
    due.map((courseId) => ({ courseId, mode: "incremental" as const, trigger: "cron" as const })),
    now,
  );
  return { enqueued: jobIds.length, jobIds };
}

/**
 * A course whose last job has been queued or running for longer than the stuck limit without a checkpoint is
 * released back to idle (its job marked failed as stuck) so the next cron run can enqueue it again.
 */
async function releaseStuckCourses(db: D1Database, now: number, stuckJobMs: number): Promise<void> {
  const cutoff = now - stuckJobMs;
  await db.batch([
    db
      .prepare(
        `UPDATE sync_jobs SET status = 'failed', error = 'stuck: no progress within the limit',
           error_category = 'unknown', finished_at = ?1
         WHERE status IN ('queued', 'running') AND COALESCE(checkpoint_at, started_at, created_at) < ?2`,
      )
      .bind(now, cutoff),
    db.prepare(
      `UPDATE courses SET state = 'idle'
         WHERE state IN ('queued', 'syncing') AND NOT EXISTS (
           SELECT 1 FROM sync_jobs j WHERE j.course_id = courses.canvas_course_id AND j.status IN ('queued', 'running'))`,
    ),
  ]);
}
