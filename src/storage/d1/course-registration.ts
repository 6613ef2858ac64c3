/**
 * Registering a course (POST /api/courses and the dashboard's form): one insert that does nothing when the course
 * is already registered, so two concurrent registrations cannot both succeed. Due at once, so the next cron run
 * (or a sync requested now) mirrors it.
 */
export async function insertCourse(db: D1Database, courseId: number, now: number): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO courses (canvas_course_id, state, registered_at, next_sync_at) VALUES (?1, 'idle', ?2, ?2)
       ON CONFLICT(canvas_course_id) DO NOTHING`,
    )
    .bind(courseId, now)
    .run();
  return (result.meta.changes ?? 0) > 0;
}
