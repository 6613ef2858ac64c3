/**
 * Optional Workers Analytics Engine output: one data point per finished job, for long-range queries (SQL API,
 * 3 months) that /metrics, computed from D1, is not meant for. Writes are fire-and-forget and skipped when no
 * dataset is bound. The layout below is the query contract: change it only by appending.
 */
import { totals, type JobReport } from "../sync/report";

export interface FinishedJob {
  jobId: string;
  courseId: number;
  status: "succeeded" | "failed";
  mode: string;
  trigger: string;
  errorCategory: string | null;
  /** wall time from first start to finish */
  durationMs: number;
  /** the final report, or the checkpointed one of a failed job; null when there is none */
  report: JobReport | null;
}

/** blob1..blob5 and double1..double13, in this order. */
export const ANALYTICS_BLOBS = ["status", "mode", "trigger", "error_category", "job_id"] as const;
export const ANALYTICS_DOUBLES = [
  "duration_ms",
  "canvas_requests",
  "throttled",
  "request_retries",
  "file_bytes",
  "changed",
  "unchanged",
  "r2_writes",
  "d1_rows_written",
  "blob_hits",
  "text_hits",
  "near_duplicates",
  "item_errors",
] as const;

export function jobDataPoint(job: FinishedJob): AnalyticsEngineDataPoint {
  const report = job.report;
  const counted = report ? totals(report) : { changed: 0, unchanged: 0 };
  const doubles: Record<(typeof ANALYTICS_DOUBLES)[number], number> = {
    duration_ms: job.durationMs,
    canvas_requests: report?.canvasRequests ?? 0,
    throttled: report?.throttled ?? 0,
    request_retries: report?.retries ?? 0,
    file_bytes: report?.bytesDownloaded ?? 0,
    changed: counted.changed,
    unchanged: counted.unchanged,
    r2_writes: report?.r2Writes ?? 0,
    d1_rows_written: report?.d1RowsWritten ?? 0,
    blob_hits: report?.dedup.blobHits ?? 0,
    text_hits: report?.dedup.textHits ?? 0,
    near_duplicates: report?.dedup.nearDuplicates ?? 0,
    item_errors: report?.errors.reduce((sum, entry) => sum + entry.count, 0) ?? 0,
  };
  const blobs: Record<(typeof ANALYTICS_BLOBS)[number], string> = {
    status: job.status,
    mode: job.mode,
    trigger: job.trigger,
    error_category: job.errorCategory ?? "",
    job_id: job.jobId,
  };
  return {
    // The index is the sampling key: per course, so a busy course cannot crowd out the others.
    indexes: [String(job.courseId)],
    blobs: ANALYTICS_BLOBS.map((name) => blobs[name]),
    doubles: ANALYTICS_DOUBLES.map((name) => doubles[name]),
  };
}

/** Writes the job's data point when a dataset is bound; never throws (analytics must not fail a sync). */
export function writeJobAnalytics(dataset: AnalyticsEngineDataset | undefined, job: FinishedJob): boolean {
  if (!dataset) return false;
  try {
    dataset.writeDataPoint(jobDataPoint(job));
    return true;
  } catch {
    return false;
  }
}
