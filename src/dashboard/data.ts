/**
 * The dashboard's reads shaped for its pages: recent finished jobs as plot points (report fields extracted inside
 * D1 by src/storage/d1/dashboard-reads.ts), running jobs with live progress from each course's Durable Object, and
 * job summaries. Read-only; the D1 handle and bindings are passed in.
 */
import { z } from "zod";
import { parseJsonOrNull } from "../shared/parse-json";
import type { Database } from "../storage/d1/client";
import { recentFinishedJobs, runningJobRows } from "../storage/d1/dashboard-reads";
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
  return text === null ? null : parseJsonOrNull(text);
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

/** The most recent finished jobs (all courses, or one), oldest first, for plotting. */
export async function recentJobPoints(db: Database, limit: number, courseId?: number): Promise<JobPoint[]> {
  const rows = await recentFinishedJobs(db, limit, courseId);
  return rows.toReversed().map((row) => ({
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
export async function runningJobs(
  db: Database,
  courseSync: Env["COURSE_SYNC"],
  courseId?: number,
  limit = 50,
): Promise<RunningJob[]> {
  const results = await runningJobRows(db, limit, courseId);
  return Promise.all(
    results.map(async (row) => {
      const status = await courseSync.getByName(String(row.course_id)).status();
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
