/** Inserts course, job and dead-letter rows directly, for tests that need exact, known inputs. */
import { emptyReport, countsFor, type JobReport } from "../../src/sync/report";
import { ITEM_TYPES, type ItemType } from "../../src/detect/item-types";

export interface SeedJob {
  id: string;
  courseId: number;
  status: "queued" | "running" | "succeeded" | "partial" | "failed";
  mode?: string;
  createdAt: number;
  startedAt?: number | null;
  finishedAt?: number | null;
  checkpointAt?: number | null;
  attempts?: number;
  report?: JobReport | string | null;
  checkpointReport?: JobReport | null;
  errorCategory?: string | null;
}

export async function seedCourse(
  db: D1Database,
  course: {
    id: number;
    state?: string;
    registeredAt: number;
    lastSuccessAt?: number | null;
    breakerOpenUntil?: number | null;
    failures?: number;
    name?: string | null;
  },
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO courses (canvas_course_id, name, state, registered_at, last_success_at, next_sync_at,
         breaker_open_until, consecutive_failures) VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?6, ?7)`,
    )
    .bind(
      course.id,
      course.name ?? null,
      course.state ?? "idle",
      course.registeredAt,
      course.lastSuccessAt ?? null,
      course.breakerOpenUntil ?? null,
      course.failures ?? 0,
    )
    .run();
}

export async function seedJob(db: D1Database, job: SeedJob): Promise<void> {
  const report =
    job.report === undefined || job.report === null
      ? null
      : typeof job.report === "string"
        ? job.report
        : JSON.stringify(job.report);
  const checkpoint = job.checkpointReport
    ? JSON.stringify({ v: 1, done: [], current: null, report: job.checkpointReport })
    : null;
  await db
    .prepare(
      `INSERT INTO sync_jobs (id, course_id, mode, trigger, status, created_at, started_at, finished_at, attempts,
         checkpoint, checkpoint_at, report, error_category)
       VALUES (?1, ?2, ?3, 'api', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)`,
    )
    .bind(
      job.id,
      job.courseId,
      job.mode ?? "incremental",
      job.status,
      job.createdAt,
      job.startedAt ?? null,
      job.finishedAt ?? null,
      job.attempts ?? 1,
      checkpoint,
      job.checkpointAt ?? null,
      report,
      job.errorCategory ?? null,
    )
    .run();
}

/** A report with the given per-type added/unchanged counts and totals. */
export function reportWith(input: {
  added?: Partial<Record<ItemType, number>>;
  unchanged?: Partial<Record<ItemType, number>>;
  contentUpdated?: Partial<Record<ItemType, number>>;
  canvasRequests?: number;
  throttled?: number;
  retries?: number;
  bytesDownloaded?: number;
  blobHits?: number;
  textHits?: number;
  errors?: { category: string; count: number }[];
}): JobReport {
  const report = emptyReport();
  for (const type of ITEM_TYPES) {
    const added = input.added?.[type];
    const unchanged = input.unchanged?.[type];
    const contentUpdated = input.contentUpdated?.[type];
    if (added !== undefined) countsFor(report, type).added = added;
    if (unchanged !== undefined) countsFor(report, type).unchanged = unchanged;
    if (contentUpdated !== undefined) countsFor(report, type).updated.content = contentUpdated;
  }
  report.canvasRequests = input.canvasRequests ?? 0;
  report.throttled = input.throttled ?? 0;
  report.retries = input.retries ?? 0;
  report.bytesDownloaded = input.bytesDownloaded ?? 0;
  report.dedup.blobHits = input.blobHits ?? 0;
  report.dedup.textHits = input.textHits ?? 0;
  report.errors = (input.errors ?? []).map((entry) => ({ ...entry, samples: [] }));
  return report;
}
