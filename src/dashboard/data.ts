/**
 * The dashboard's reads: recent finished jobs as plot points (report fields extracted inside D1), running jobs with
 * live progress from each course's Durable Object, and course names. Read-only;
 * the D1 handle and bindings are passed in.
 */
import { z } from "zod";
import type { JobRecord } from "../storage/d1/queries";
import { emptyReport, totals } from "../sync/report";

export interface JobPoint {
  jobId: string;
  courseId: number;
  status: string;
  finishedAt: number;
  durationMs: number | null;
  canvasRequests: number | null;
  throttled: number | null;
  changed: number | null;
}

const TypeCountsSchema = z.object({
  added: z.number(),
  updated: z.object({ timestamp: z.number(), content: z.number(), modified: z.number() }),
  unchanged: z.number(),
  deleted: z.number(),
  replaced: z.number(),
  restored: z.number(),
  skipped: z.number(),
  leftBehind: z.number(),
  held: z.number(),
});
const TypesSchema = z.record(z.string(), TypeCountsSchema);

/** Objects added, updated, deleted or restored, from a report's per-type counts (null when unreadable). */
export function changedCount(typesJson: string | null): number | null {
  if (typesJson === null) return null;
  const parsed = TypesSchema.safeParse(parseJson(typesJson));
  if (!parsed.success) return null;
  return totals({ ...emptyReport(), types: parsed.data }).changed;
}

const ReportFieldsSchema = z.object({ canvasRequests: z.number(), types: TypesSchema });
const CheckpointSchema = z
  .object({ report: ReportFieldsSchema })
  .transform((checkpoint) => checkpoint.report);

function parseJson(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export interface JobSummary {
  canvasRequests: number;
  changed: number;
  unchanged: number;
}

/** What the job history shows from a job's report (final, else its checkpoint's); null when unreadable. */
export function jobSummary(row: JobRecord): JobSummary | null {
  const final = ReportFieldsSchema.safeParse(parseJson(row.report));
  const parsed = final.success ? final : CheckpointSchema.safeParse(parseJson(row.checkpoint));
  if (!parsed.success) return null;
  const counted = totals({ ...emptyReport(), types: parsed.data.types });
  return {
    canvasRequests: parsed.data.canvasRequests,
    changed: counted.changed,
    unchanged: counted.unchanged,
  };
}

const REPORT = `CASE WHEN json_valid(report) THEN report
  WHEN json_valid(checkpoint) THEN json_extract(checkpoint, '$.report') END`;

interface JobPointRow {
  id: string;
  course_id: number;
  status: string;
  started_at: number | null;
  finished_at: number;
  requests: number | null;
  throttled: number | null;
  types: string | null;
}

/** The most recent finished jobs (all courses, or one), oldest first, for plotting. */
export async function recentJobPoints(db: D1Database, limit: number, courseId?: number): Promise<JobPoint[]> {
  const filter = courseId === undefined ? "" : "AND course_id = ?2";
  const statement = db.prepare(
    `SELECT id, course_id, status, started_at, finished_at,
       json_extract(${REPORT}, '$.canvasRequests') AS requests,
       json_extract(${REPORT}, '$.throttled') AS throttled,
       json_extract(${REPORT}, '$.types') AS types
     FROM sync_jobs WHERE status IN ('succeeded', 'partial', 'failed') AND finished_at IS NOT NULL ${filter}
     ORDER BY finished_at DESC LIMIT ?1`,
  );
  const { results } = await (
    courseId === undefined ? statement.bind(limit) : statement.bind(limit, courseId)
  ).all<JobPointRow>();
  return results.toReversed().map((row) => ({
    jobId: row.id,
    courseId: row.course_id,
    status: row.status,
    finishedAt: row.finished_at,
    durationMs: row.started_at === null ? null : row.finished_at - row.started_at,
    canvasRequests: row.requests,
    throttled: row.throttled,
    changed: changedCount(row.types),
  }));
}

export interface RunningJob {
  jobId: string;
  courseId: number;
  startedAt: number | null;
  done: number;
  total: number;
  collection: string | null;
}

/** Jobs marked running in D1 (all courses or one), with live progress from their course's Durable Object. */
export async function runningJobs(env: Env, courseId?: number, limit = 50): Promise<RunningJob[]> {
  const statement = env.DB.prepare(
    `SELECT id, course_id, started_at FROM sync_jobs WHERE status = 'running'
     ${courseId === undefined ? "" : "AND course_id = ?2"} ORDER BY started_at LIMIT ?1`,
  );
  const { results } = await (
    courseId === undefined ? statement.bind(limit) : statement.bind(limit, courseId)
  ).all<{
    id: string;
    course_id: number;
    started_at: number | null;
  }>();
  return Promise.all(
    results.map(async (row) => {
      const status = await env.COURSE_SYNC.getByName(String(row.course_id)).status();
      const progress = status.progress?.jobId === row.id ? status.progress : null;
      return {
        jobId: row.id,
        courseId: row.course_id,
        startedAt: row.started_at,
        done: progress?.done ?? 0,
        total: progress?.total ?? 0,
        collection: progress?.collection ?? null,
      };
    }),
  );
}

/**
 * Course names from each course's mirrored `course` object (courses.name is not filled by syncs), keyed by id.
 * Uses the (course_id, type) index; ids come from a page of at most 100 courses.
 */
export async function courseTitles(db: D1Database, courseIds: number[]): Promise<Map<number, string>> {
  if (courseIds.length === 0) return new Map();
  const placeholders = courseIds.map((_, index) => `?${index + 1}`).join(", ");
  const { results } = await db
    .prepare(
      `SELECT course_id, title FROM items WHERE type = 'course' AND deleted_at IS NULL AND course_id IN (${placeholders})`,
    )
    .bind(...courseIds)
    .all<{ course_id: number; title: string | null }>();
  return new Map(results.flatMap((row) => (row.title === null ? [] : [[row.course_id, row.title] as const])));
}
