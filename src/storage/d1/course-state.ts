/**
 * The `courses` row as the sync side reads and moves it outside a job's outcome: what a delivery's guard checks,
 * what the scheduler learns from, the dead-token stop and its lifting, the due courses of a cron run, and the
 * course breaker's open-until mirror. Raw SQL: the conditional updates (`CASE`, token comparisons) are clearer as
 * the SQL they are, and match the statements of job-outcome.ts.
 */
import type { Database } from "./client";

export interface CourseGuardRow {
  state: string;
  auth_failed_token: string | null;
}

export interface CourseSchedulingRow {
  consecutive_failures: number;
  change_rate_ppm: number;
  activity: string | null;
}

export interface DueCourseRow {
  canvasCourseId: number;
  state: string;
  nextSyncAt: number;
  breakerOpenUntil: number | null;
}

export async function readCourseGuard(db: Database, courseId: number): Promise<CourseGuardRow | null> {
  return db.$client
    .prepare("SELECT state, auth_failed_token FROM courses WHERE canvas_course_id = ?1")
    .bind(courseId)
    .first<CourseGuardRow>();
}

export async function readCourseScheduling(
  db: Database,
  courseId: number,
): Promise<CourseSchedulingRow | null> {
  return db.$client
    .prepare(
      "SELECT consecutive_failures, change_rate_ppm, activity FROM courses WHERE canvas_course_id = ?1",
    )
    .bind(courseId)
    .first<CourseSchedulingRow>();
}

/**
 * Stops every course that syncs with this token. True when some course was not stopped yet, i.e. this caller
 * found the token alive.
 */
export async function stopCoursesOnToken(
  db: Database,
  fingerprint: string,
  tokenState: string,
): Promise<boolean> {
  const result = await db.$client
    .prepare(
      `UPDATE courses SET state = 'auth_failed', auth_failed_token = ?1, last_error = ?2, last_error_category = 'auth'
       WHERE state != 'auth_failed' OR auth_failed_token IS NULL OR auth_failed_token != ?1`,
    )
    .bind(fingerprint, `Canvas token ${tokenState}`)
    .run();
  return (result.meta.changes ?? 0) > 0;
}

/** Lifts the dead-token stop of courses stopped on another token than the configured one; they are due now. */
export async function liftTokenStops(db: Database, fingerprint: string, now: number): Promise<void> {
  await db.$client
    .prepare(
      `UPDATE courses SET state = 'idle', auth_failed_token = NULL, next_sync_at = ?2
       WHERE state = 'auth_failed' AND (auth_failed_token IS NULL OR auth_failed_token != ?1)`,
    )
    .bind(fingerprint, now)
    .run();
}

/** Courses whose next sync is due, soonest first (one indexed query). */
export async function listDueCourses(db: Database, now: number, limit: number): Promise<DueCourseRow[]> {
  const { results } = await db.$client
    .prepare(
      `SELECT canvas_course_id AS canvasCourseId, state, next_sync_at AS nextSyncAt,
         breaker_open_until AS breakerOpenUntil
       FROM courses WHERE next_sync_at <= ?1 ORDER BY next_sync_at LIMIT ?2`,
    )
    .bind(now, limit)
    .all<DueCourseRow>();
  return results;
}

/** Mirrors the course breaker's open-until time (null when not open) onto the course row. */
export async function setBreakerOpenUntil(
  db: Database,
  courseId: number,
  openUntil: number | null,
): Promise<void> {
  await db.$client
    .prepare("UPDATE courses SET breaker_open_until = ?1 WHERE canvas_course_id = ?2")
    .bind(openUntil, courseId)
    .run();
}
