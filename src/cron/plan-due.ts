/**
 * Pure: which registered courses the cron fan-out enqueues now. A course is due when its next sync time has come,
 * it has no job queued or running, its token is not known dead, and its circuit breaker is not open.
 */

export interface CourseScheduleRow {
  canvasCourseId: number;
  state: string;
  nextSyncAt: number;
  breakerOpenUntil: number | null;
}

export function planDueCourses(rows: readonly CourseScheduleRow[], now: number): number[] {
  return rows
    .filter(
      (row) =>
        row.nextSyncAt <= now &&
        row.state !== "queued" &&
        row.state !== "syncing" &&
        row.state !== "auth_failed" &&
        (row.breakerOpenUntil === null || row.breakerOpenUntil <= now),
    )
    .sort((a, b) => a.nextSyncAt - b.nextSyncAt)
    .map((row) => row.canvasCourseId);
}
