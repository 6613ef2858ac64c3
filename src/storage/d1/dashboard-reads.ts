/**
 * Reads only the dashboard makes: recent finished jobs with the report fields a plot needs (extracted inside D1,
 * so no whole report leaves the database), the jobs marked running, and course names from each course's mirrored
 * `course` object. Raw SQL: json_extract over a report-or-checkpoint CASE has no drizzle form, and the two simpler
 * reads stay beside it in the same style.
 */
import type { Database } from "./client";

/** A finished job's plot fields; `types` is the report's per-type counts as JSON text. */
export interface FinishedJobRow {
  id: string;
  course_id: number;
  status: string;
  started_at: number | null;
  finished_at: number;
  requests: number | null;
  throttled: number | null;
  types: string | null;
}

export interface RunningJobRow {
  id: string;
  course_id: number;
  started_at: number | null;
}

const REPORT = `CASE WHEN json_valid(report) THEN report
  WHEN json_valid(checkpoint) THEN json_extract(checkpoint, '$.report') END`;

/** The most recent finished jobs (all courses, or one), newest first. */
export async function recentFinishedJobs(
  db: Database,
  limit: number,
  courseId?: number,
): Promise<FinishedJobRow[]> {
  const filter = courseId === undefined ? "" : "AND course_id = ?2";
  const statement = db.$client.prepare(
    `SELECT id, course_id, status, started_at, finished_at,
       json_extract(${REPORT}, '$.canvasRequests') AS requests,
       json_extract(${REPORT}, '$.throttled') AS throttled,
       json_extract(${REPORT}, '$.types') AS types
     FROM sync_jobs WHERE status IN ('succeeded', 'partial', 'failed') AND finished_at IS NOT NULL ${filter}
     ORDER BY finished_at DESC LIMIT ?1`,
  );
  const { results } = await (
    courseId === undefined ? statement.bind(limit) : statement.bind(limit, courseId)
  ).all<FinishedJobRow>();
  return results;
}

/** Jobs marked running (all courses or one), oldest start first. */
export async function runningJobRows(
  db: Database,
  limit: number,
  courseId?: number,
): Promise<RunningJobRow[]> {
  const statement = db.$client.prepare(
    `SELECT id, course_id, started_at FROM sync_jobs WHERE status = 'running'
     ${courseId === undefined ? "" : "AND course_id = ?2"} ORDER BY started_at LIMIT ?1`,
  );
  const { results } = await (
    courseId === undefined ? statement.bind(limit) : statement.bind(limit, courseId)
  ).all<RunningJobRow>();
  return results;
}

/**
 * Course names from each course's mirrored `course` object (courses.name is not filled by syncs), keyed by id.
 * Uses the (course_id, type) index; ids come from a page of at most 100 courses.
 */
export async function courseTitles(db: Database, courseIds: number[]): Promise<Map<number, string>> {
  if (courseIds.length === 0) return new Map();
  const placeholders = courseIds.map((_, index) => `?${index + 1}`).join(", ");
  const { results } = await db.$client
    .prepare(
      `SELECT course_id, title FROM items WHERE type = 'course' AND deleted_at IS NULL AND course_id IN (${placeholders})`,
    )
    .bind(...courseIds)
    .all<{ course_id: number; title: string | null }>();
  return new Map(results.flatMap((row) => (row.title === null ? [] : [[row.course_id, row.title] as const])));
}
