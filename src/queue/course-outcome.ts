/**
 * Writes a job's outcome onto its job row and its course: success resets the failure count and schedules the next
 * sync from the adaptive scheduler (fed with the Canvas times of the changes this job saw, and with when the course
 * last had a Live Event: courses whose events flow are polled less); a retry puts the job back in the queue with
 * its error; failure counts towards back-off; a dead token stops every course that uses it. A targeted job (one
 * object, for an event) is not a poll and never moves the next poll later, or events arriving more often than the
 * poll interval would postpone it for ever.
 */
import { itemKey } from "../detect/item-types";
import type { Config } from "../env";
import {
  activityConfigOf,
  ActivityModelSchema,
  computeNextSync,
  emptyActivityModel,
  recordActivity,
  schedulerConfig as buildSchedulerConfig,
  type ActivityModel,
  type SchedulerConfig,
} from "../resilience/scheduler";
import { openDatabase } from "../storage/d1/client";
import { lastEventAt } from "../storage/d1/event-activity";
import { totals, type JobReport } from "../sync/report";

interface CourseRow {
  consecutive_failures: number;
  change_rate_ppm: number;
  activity: string | null;
}

export function schedulerConfig(config: Config | undefined): SchedulerConfig {
  if (!config) return buildSchedulerConfig();
  return buildSchedulerConfig({
    baseIntervalMs: config.SYNC_BASE_INTERVAL_MINUTES * 60_000,
    minIntervalMs: config.SYNC_MIN_INTERVAL_MINUTES * 60_000,
    maxIntervalMs: config.SYNC_MAX_INTERVAL_MINUTES * 60_000,
    eventQuietIntervalMs: Math.round(config.SYNC_EVENT_QUIET_INTERVAL_MINUTES * 60_000),
    reconcileIntervalMs: Math.round(config.RECONCILE_INTERVAL_HOURS * 3_600_000),
  });
}

export async function recordCourseSuccess(
  env: Env,
  config: Config,
  outcome: { courseId: number; jobId: string; report: JobReport; full: boolean },
): Promise<void> {
  const db = env.DB;
  const now = Date.now();
  const course = await db
    .prepare(
      "SELECT consecutive_failures, change_rate_ppm, activity FROM courses WHERE canvas_course_id = ?1",
    )
    .bind(outcome.courseId)
    .first<CourseRow>();
  const { changed, processed } = totals(outcome.report);
  const rate = processed === 0 ? 0 : changed / processed;
  // Exponentially smoothed so one busy sync does not halve the interval forever.
  const smoothed = 0.5 * rate + 0.5 * ((course?.change_rate_ppm ?? 0) / 1_000_000);
  const scheduling = schedulerConfig(config);
  const activity = recordActivity(
    parseActivity(course?.activity ?? null) ?? emptyActivityModel(now),
    changed > 0 ? await changeTimes(db, outcome.courseId, outcome.jobId, now) : [],
    now,
    activityConfigOf(scheduling),
  );
  const next = computeNextSync(
    {
      now,
      consecutiveFailures: 0,
      recentChangeRate: smoothed,
      activity,
      lastEventAt: await lastEventAt(openDatabase(db), outcome.courseId),
    },
    scheduling,
  );
  await db.batch([
    db
      .prepare(
        `UPDATE sync_jobs SET status = 'succeeded', finished_at = ?2, report = ?3, error = NULL, error_category = NULL,
           progress_done = ?4, progress_total = ?4 WHERE id = ?1`,
      )
      .bind(outcome.jobId, now, JSON.stringify(outcome.report), processed),
    db
      .prepare(
        `UPDATE courses SET state = 'idle', last_sync_at = ?2, last_success_at = ?2,
           last_full_sync_at = CASE WHEN ?3 THEN ?2 ELSE last_full_sync_at END, consecutive_failures = 0,
           last_error = NULL, last_error_category = NULL,
           next_sync_at = CASE WHEN (SELECT mode FROM sync_jobs WHERE id = ?8) = 'targeted'
             THEN COALESCE(next_sync_at, ?4) ELSE ?4 END,
           change_rate_ppm = ?5, activity = ?6,
           name = COALESCE((SELECT title FROM items WHERE id = ?7 AND deleted_at IS NULL), name)
         WHERE canvas_course_id = ?1`,
      )
      .bind(
        outcome.courseId,
        now,
        outcome.full ? 1 : 0,
        next.nextSyncAt,
        Math.round(smoothed * 1_000_000),
        JSON.stringify(activity),
        itemKey(outcome.courseId, "course", outcome.courseId),
        outcome.jobId,
      ),
  ]);
}

export async function recordCourseFailure(
  env: Env,
  failure: { courseId: number; jobId: string; reason: string; category: string },
  config?: Config,
): Promise<void> {
  const db = env.DB;
  const now = Date.now();
  const course = await db
    .prepare(
      "SELECT consecutive_failures, change_rate_ppm, activity FROM courses WHERE canvas_course_id = ?1",
    )
    .bind(failure.courseId)
    .first<CourseRow>();
  const failures = (course?.consecutive_failures ?? 0) + 1;
  const next = computeNextSync(
    {
      now,
      consecutiveFailures: failures,
      recentChangeRate: (course?.change_rate_ppm ?? 0) / 1_000_000,
      activity: parseActivity(course?.activity ?? null),
    },
    schedulerConfig(config),
  );
  await db.batch([
    db
      .prepare(
        "UPDATE sync_jobs SET status = 'failed', finished_at = ?2, error = ?3, error_category = ?4 WHERE id = ?1",
      )
      .bind(failure.jobId, now, failure.reason.slice(0, 500), failure.category),
    db
      .prepare(
        `UPDATE courses SET state = CASE WHEN state = 'auth_failed' THEN state ELSE 'failing' END, last_sync_at = ?2,
           consecutive_failures = ?3, last_error = ?4, last_error_category = ?5, next_sync_at = ?6
         WHERE canvas_course_id = ?1`,
      )
      .bind(failure.courseId, now, failures, failure.reason.slice(0, 500), failure.category, next.nextSyncAt),
  ]);
}

/**
 * Stops every course that syncs with this token until the configured token changes. Returns true for the caller
 * that found the token alive, so concurrent jobs hitting the same dead token raise one alert, not one each.
 */
export async function markTokenDead(env: Env, fingerprint: string, tokenState: string): Promise<boolean> {
  const result = await env.DB.prepare(
    `UPDATE courses SET state = 'auth_failed', auth_failed_token = ?1, last_error = ?2, last_error_category = 'auth'
     WHERE state != 'auth_failed' OR auth_failed_token IS NULL OR auth_failed_token != ?1`,
  )
    .bind(fingerprint, `Canvas token ${tokenState}`)
    .run();
  return (result.meta.changes ?? 0) > 0;
}

/** A failed delivery that the queue will retry: the job goes back to queued with its error, the course too. */
export async function recordJobRetry(
  env: Env,
  retry: { courseId: number; jobId: string; reason: string; category: string },
): Promise<void> {
  const db = env.DB;
  await db.batch([
    db
      .prepare("UPDATE sync_jobs SET status = 'queued', error = ?2, error_category = ?3 WHERE id = ?1")
      .bind(retry.jobId, retry.reason.slice(0, 500), retry.category),
    db
      .prepare("UPDATE courses SET state = 'queued' WHERE canvas_course_id = ?1 AND state = 'syncing'")
      .bind(retry.courseId),
  ]);
}

/** How many change times one job feeds the activity model at most (a first sync of a big course has thousands). */
const MAX_CHANGE_TIMES = 500;

/**
 * When the content this job saw changing was changed in Canvas (its updated_at), which is what the activity model
 * learns from; objects without a timestamp count as changed now. Deletions have no Canvas time and count as now.
 */
async function changeTimes(db: D1Database, courseId: number, jobId: string, now: number): Promise<number[]> {
  const { results } = await db
    .prepare(
      `SELECT i.canvas_updated_at AS at FROM item_changes c LEFT JOIN items i ON i.id = c.item_id
       WHERE c.course_id = ?1 AND c.job_id = ?2 ORDER BY c.id DESC LIMIT ?3`,
    )
    .bind(courseId, jobId, MAX_CHANGE_TIMES)
    .all<{ at: string | null }>();
  const times = results.map((row) => (row.at === null ? now : Date.parse(row.at)));
  return times.length > 0 ? times.map((time) => (Number.isFinite(time) ? Math.min(time, now) : now)) : [now];
}

function parseActivity(text: string | null): ActivityModel | null {
  if (!text) return null;
  try {
    const parsed = ActivityModelSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
