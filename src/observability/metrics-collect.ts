/**
 * Reads a MetricsSnapshot at scrape time: aggregates over sync_jobs (reports parsed inside D1 with json_each, so
 * no report leaves the database), dead_letters and courses in one D1 batch, plus the configured token's CanvasGate
 * estimate. No course content is read. Cost grows with the number of stored jobs (see the metrics route's note).
 */
import { tokenFingerprint } from "../deps";
import { loadConfig } from "../env";
import { LIVE_EVENTS_COUNTER } from "../events/event-counters";
import { openDatabase } from "../storage/d1/client";
import { readCounter } from "../storage/d1/metric-counters";
import { evaluateHealth, liveEventsHealth, readHealthInput } from "./health";
import {
  DURATION_BUCKETS_SECONDS,
  ITEM_OUTCOMES,
  type ItemOutcome,
  type MetricsSnapshot,
} from "./metric-families";

/** A job's report: the final one, else the one its checkpoint carries; invalid JSON counts as no report. */
const REPORTS = `WITH r AS (
  SELECT CASE
    WHEN json_valid(report) THEN report
    WHEN json_valid(checkpoint) THEN json_extract(checkpoint, '$.report')
  END AS report, attempts
  FROM sync_jobs)`;

const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);

const OUTCOME_PATHS: Record<ItemOutcome, string> = {
  added: "$.added",
  updated_timestamp: "$.updated.timestamp",
  updated_content: "$.updated.content",
  updated_modified: "$.updated.modified",
  unchanged: "$.unchanged",
  deleted: "$.deleted",
  replaced: "$.replaced",
  restored: "$.restored",
  skipped: "$.skipped",
  left_behind: "$.leftBehind",
  held: "$.held",
};

function statements(db: D1Database, now: number): D1PreparedStatement[] {
  const bucketCase = DURATION_BUCKETS_SECONDS.map((_, index) => `WHEN d <= ?${index + 1} THEN ${index}`).join(
    " ",
  );
  const outcomeColumns = ITEM_OUTCOMES.map(
    (outcome) => `sum(json_extract(t.value, '${OUTCOME_PATHS[outcome]}')) AS ${outcome}`,
  ).join(", ");
  return [
    db
      .prepare(
        `SELECT status, CASE ${bucketCase} ELSE -1 END AS bucket, count(*) AS n, sum(d) AS total
         FROM (SELECT status, (finished_at - started_at) / 1000.0 AS d FROM sync_jobs
               WHERE status IN ('succeeded', 'partial', 'failed') AND started_at IS NOT NULL AND finished_at IS NOT NULL)
         GROUP BY status, bucket`,
      )
      .bind(...DURATION_BUCKETS_SECONDS),
    db.prepare("SELECT status, mode, count(*) AS n FROM sync_jobs GROUP BY status, mode"),
    db.prepare(
      `${REPORTS} SELECT t.key AS type, ${outcomeColumns} FROM r, json_each(r.report, '$.types') AS t
       WHERE json_type(t.value) = 'object' GROUP BY t.key`,
    ),
    db.prepare(
      `${REPORTS} SELECT json_extract(e.value, '$.category') AS category, sum(json_extract(e.value, '$.count')) AS n
       FROM r, json_each(r.report, '$.errors') AS e
       WHERE json_type(e.value) = 'object' GROUP BY 1`,
    ),
    db.prepare(
      `SELECT COALESCE(error_category, 'unknown') AS category, count(*) AS n FROM sync_jobs
       WHERE status = 'failed' GROUP BY 1`,
    ),
    db.prepare(
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
    db.prepare("SELECT count(*) AS n FROM dead_letters"),
    db
      .prepare(
        `SELECT canvas_course_id AS courseId, state, consecutive_failures AS failures,
           max(0, ?1 - COALESCE(last_success_at, registered_at)) AS lagMs,
           CASE WHEN breaker_open_until > ?1 THEN 1 ELSE 0 END AS breakerOpen
         FROM courses ORDER BY canvas_course_id`,
      )
      .bind(now),
  ];
}

type Row = Record<string, unknown>;

function durations(rows: Row[]): MetricsSnapshot["durations"] {
  const byStatus = new Map<string, { bucketCounts: number[]; overflow: number; sum: number }>();
  for (const row of rows) {
    const status = String(row["status"]);
    let series = byStatus.get(status);
    if (!series) {
      series = { bucketCounts: DURATION_BUCKETS_SECONDS.map(() => 0), overflow: 0, sum: 0 };
      byStatus.set(status, series);
    }
    const bucket = num(row["bucket"]);
    if (bucket < 0) series.overflow += num(row["n"]);
    else series.bucketCounts[bucket] = (series.bucketCounts[bucket] ?? 0) + num(row["n"]);
    series.sum += num(row["total"]);
  }
  return [...byStatus.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, series]) => ({ status, series }));
}

/** The configured token's CanvasGate estimate, or null when the configuration cannot be read. */
export async function readGateSnapshot(env: Env): Promise<MetricsSnapshot["gate"]> {
  let config;
  try {
    config = loadConfig(env);
  } catch {
    return null;
  }
  const host = new URL(config.CANVAS_BASE_URL).host;
  const token = await tokenFingerprint(config.CANVAS_TOKEN);
  const snapshot = await env.CANVAS_GATE.getByName(`${host}/${token}`).snapshot();
  return { host, token, ...snapshot };
}

export async function collectMetrics(env: Env, now: number, stuckJobMs: number): Promise<MetricsSnapshot> {
  const db = env.DB;
  const [results, healthInput, gate, liveEvents] = await Promise.all([
    db.batch<Row>(statements(db, now)),
    readHealthInput(db, now, stuckJobMs, liveEventsHealth(env)),
    readGateSnapshot(env),
    readCounter(openDatabase(db), LIVE_EVENTS_COUNTER),
  ]);
  const rows = (index: number): Row[] => results[index]?.results ?? [];
  const health = evaluateHealth(healthInput);
  const totalsRow = rows(5)[0] ?? {};
  return {
    durations: durations(rows(0)),
    jobsByStatus: rows(1).map((row) => ({
      status: String(row["status"]),
      mode: String(row["mode"]),
      count: num(row["n"]),
    })),
    items: rows(2).flatMap((row) =>
      ITEM_OUTCOMES.map((outcome) => ({ type: String(row["type"]), outcome, count: num(row[outcome]) })),
    ),
    itemErrors: rows(3).map((row) => ({ category: String(row["category"]), count: num(row["n"]) })),
    jobFailures: rows(4).map((row) => ({ category: String(row["category"]), count: num(row["n"]) })),
    totals: {
      canvasRequests: num(totalsRow["canvasRequests"]),
      throttled: num(totalsRow["throttled"]),
      requestRetries: num(totalsRow["requestRetries"]),
      bytesDownloaded: num(totalsRow["bytesDownloaded"]),
      apiBytes: num(totalsRow["apiBytes"]),
      d1RowsWritten: num(totalsRow["d1RowsWritten"]),
      r2Writes: num(totalsRow["r2Writes"]),
      blobHits: num(totalsRow["blobHits"]),
      textHits: num(totalsRow["textHits"]),
      nearDuplicates: num(totalsRow["nearDuplicates"]),
      queueRetries: num(totalsRow["queueRetries"]),
    },
    deadLetters: num(rows(6)[0]?.["n"]),
    liveEvents,
    courses: rows(7).map((row) => ({
      courseId: num(row["courseId"]),
      state: String(row["state"]),
      lagSeconds: Math.round(num(row["lagMs"]) / 1000),
      breakerOpen: num(row["breakerOpen"]) === 1,
      consecutiveFailures: num(row["failures"]),
    })),
    gate,
    health: {
      status: health.status,
      stuckJobs: healthInput.stuckJobs,
      recentErrorRate: health.checks.find((check) => check.name === "recent_error_rate")?.value ?? 0,
    },
  };
}
