/**
 * The /metrics aggregates over `sync_jobs` (reports parsed inside D1 with json_each, so no report leaves the
 * database), `dead_letters` and `courses`, in one D1 batch. Raw SQL: json_each, json_extract and CASE bucketing have
 * no drizzle form. Rows come back as the database returns them; turning them into metric families is the caller's.
 */
import type { Database } from "./client";

export type AggregateRow = Record<string, unknown>;

export interface MetricsAggregates {
  /** per status and duration bucket index (-1 past the last bound): n, total seconds */
  durations: AggregateRow[];
  /** per status and mode: n */
  jobsByStatus: AggregateRow[];
  /** per item type: one column per outcome, summed over every report */
  itemOutcomes: AggregateRow[];
  /** per error category: n, summed over every report */
  itemErrors: AggregateRow[];
  /** failed jobs per error category: n */
  jobFailures: AggregateRow[];
  /** the reports' summed totals and the queue retries (one row) */
  totals: AggregateRow;
  deadLetters: number;
  /** per course: courseId, state, failures, lagMs, breakerOpen */
  courses: AggregateRow[];
}

export interface MetricsShape {
  /** upper bounds (seconds) of the job duration histogram */
  durationBuckets: readonly number[];
  /** column name -> JSON path of a per-type count inside a report's `types` entry */
  outcomePaths: Readonly<Record<string, string>>;
}

/** A job's report: the final one, else the one its checkpoint carries; invalid JSON counts as no report. */
const REPORTS = `WITH r AS (
  SELECT CASE
    WHEN json_valid(report) THEN report
    WHEN json_valid(checkpoint) THEN json_extract(checkpoint, '$.report')
  END AS report, attempts
  FROM sync_jobs)`;

function statements(d1: D1Database, now: number, shape: MetricsShape): D1PreparedStatement[] {
  const bucketCase = shape.durationBuckets
    .map((_, index) => `WHEN d <= ?${index + 1} THEN ${index}`)
    .join(" ");
  const outcomeColumns = Object.entries(shape.outcomePaths)
    .map(([column, path]) => `sum(json_extract(t.value, '${path}')) AS ${column}`)
    .join(", ");
  return [
    d1
      .prepare(
        `SELECT status, CASE ${bucketCase} ELSE -1 END AS bucket, count(*) AS n, sum(d) AS total
         FROM (SELECT status, (finished_at - started_at) / 1000.0 AS d FROM sync_jobs
               WHERE status IN ('succeeded', 'partial', 'failed') AND started_at IS NOT NULL AND finished_at IS NOT NULL)
         GROUP BY status, bucket`,
      )
      .bind(...shape.durationBuckets),
    d1.prepare("SELECT status, mode, count(*) AS n FROM sync_jobs GROUP BY status, mode"),
    d1.prepare(
      `${REPORTS} SELECT t.key AS type, ${outcomeColumns} FROM r, json_each(r.report, '$.types') AS t
       WHERE json_type(t.value) = 'object' GROUP BY t.key`,
    ),
    d1.prepare(
      `${REPORTS} SELECT json_extract(e.value, '$.category') AS category, sum(json_extract(e.value, '$.count')) AS n
       FROM r, json_each(r.report, '$.errors') AS e
       WHERE json_type(e.value) = 'object' GROUP BY 1`,
    ),
    d1.prepare(
      `SELECT COALESCE(error_category, 'unknown') AS category, count(*) AS n FROM sync_jobs
       WHERE status = 'failed' GROUP BY 1`,
    ),
    d1.prepare(
      `${REPORTS} SELECT
         sum(json_extract(report, '$.canvasRequests')) AS canvasRequests,
         sum(json_extract(report, '$.throttled')) AS throttled,
         sum(json_extract(report, '$.retries')) AS requestRetries,
         sum(json_extract(report, '$.bytesDownloaded')) AS bytesDownloaded,
         sum(json_extract(report, '$.apiBytes')) AS apiBytes,
         sum(json_extract(report, '$.d1RowsWritten')) AS d1RowsWritten,
         sum(json_extract(report, '$.r2Writes')) AS r2Writes,
         sum(json_extract(report, '$.dedup.blobHits')) AS blobHits,
         sum(json_extract(report, '$.dedup.textHits')) AS textHits,
         sum(json_extract(report, '$.dedup.nearDuplicates')) AS nearDuplicates,
         sum(max(attempts - 1, 0)) AS queueRetries
       FROM r`,
    ),
    d1.prepare("SELECT count(*) AS n FROM dead_letters"),
    d1
      .prepare(
        `SELECT canvas_course_id AS courseId, state, consecutive_failures AS failures,
           max(0, ?1 - COALESCE(last_success_at, registered_at)) AS lagMs,
           CASE WHEN breaker_open_until > ?1 THEN 1 ELSE 0 END AS breakerOpen
         FROM courses ORDER BY canvas_course_id`,
      )
      .bind(now),
  ];
}

export async function readMetricsAggregates(
  db: Database,
  now: number,
  shape: MetricsShape,
): Promise<MetricsAggregates> {
  const d1 = db.$client;
  const results = await d1.batch<AggregateRow>(statements(d1, now, shape));
  const rows = (index: number): AggregateRow[] => results[index]?.results ?? [];
  const deadLetters = rows(6)[0]?.["n"];
  return {
    durations: rows(0),
    jobsByStatus: rows(1),
    itemOutcomes: rows(2),
    itemErrors: rows(3),
    jobFailures: rows(4),
    totals: rows(5)[0] ?? {},
    deadLetters: typeof deadLetters === "number" && Number.isFinite(deadLetters) ? deadLetters : 0,
    courses: rows(7),
  };
}
