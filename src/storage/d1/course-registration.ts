/**
 * Registering a course (POST /api/courses and the dashboard's form): one insert that does nothing when the course
 * is already registered, so two concurrent registrations cannot both succeed. Due at once, so the next cron run
 * (or a sync requested now) mirrors it. Raw SQL: drizzle's onConflictDoNothing would do, but `meta.changes` of the
 * raw result is what tells the two outcomes apart.
 */
import type { Database } from "./client";

export async function insertCourse(db: Database, courseId: number, now: number): Promise<boolean> {
  const result = await db.$client
    .prepare(
      `INSERT INTO courses (canvas_course_id, state, registered_at, next_sync_at) VALUES (?1, 'idle', ?2, ?2)
       ON CONFLICT(canvas_course_id) DO NOTHING`,
    )
    .bind(courseId, now)
    .run();
  return (result.meta.changes ?? 0) > 0;
}
