/**
 * Writes a job's outcome onto its job row and its course: success resets the failure count and schedules the next
 * sync from the adaptive scheduler; failure counts towards back-off; a dead token stops every course that uses it.
 */
import type { Config } from "../env";
import {
  computeNextSync,
  emptyActivityModel,
  recordActivity,
  schedulerConfig as buildSchedulerConfig,
  type ActivityModel,
  type SchedulerConfig,
} from "../resilience/scheduler";
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
    changed > 0 ? [now] : [],
    now,
    scheduling,
  );
  const next = computeNextSync(
    { now, consecutiveFailures: 0, recentChangeRate: smoothed, activity },
    scheduling,
  );
  await db.batch([
    db
      .prepare(
        "UPDATE sync_jobs SET status = 'succeeded', finished_at = ?2, report = ?3, error = NULL, error_category = NULL WHERE id = ?1",
      )
      .bind(outcome.jobId, now, JSON.stringify(outcome.report)),
    db
      .prepare(
        `UPDATE courses SET state = 'idle', last_sync_at = ?2, last_success_at = ?2,
           last_full_sync_at = CASE WHEN ?3 THEN ?2 ELSE last_full_sync_at END, consecutive_failures = 0,
           last_error = NULL, last_error_category = NULL, next_sync_at = ?4, change_rate_ppm = ?5, activity = ?6
         WHERE canvas_course_id = ?1`,
      )
      .bind(
        outcome.courseId,
        now,
        outcome.full ? 1 : 0,
        next.nextSyncAt,
        Math.round(smoothed * 1_000_000),
        JSON.stringify(activity),
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

/** Stops every course that syncs with this token until the configured token changes. */
export async function markTokenDead(env: Env, fingerprint: string, tokenState: string): Promise<void> {
  await env.DB.prepare(
    `UPDATE courses SET state = 'auth_failed', auth_failed_token = ?1, last_error = ?2, last_error_category = 'auth'`,
  )
    .bind(fingerprint, `Canvas token ${tokenState}`)
    .run();
}

function parseActivity(text: string | null): ActivityModel | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as ActivityModel;
  } catch {
    return null;
  }
}
