/**
 * Reads a MetricsSnapshot at scrape time: aggregates over sync_jobs (reports parsed inside D1 with json_each, so
 * no report leaves the database), dead_letters and courses in one D1 batch (src/storage/d1/metrics-aggregates.ts),
 * plus the configured token's CanvasGate estimate. No course content is read. Cost grows with the number of stored jobs (see the metrics route's note).
 */
import { budgetGateName } from "../durable/canvas-gate";
import type { Database } from "../storage/d1/client";
import { LIVE_EVENTS_COUNTER, readCounter } from "../storage/d1/metric-counters";
import { readMetricsAggregates, type AggregateRow } from "../storage/d1/metrics-aggregates";
import { evaluateHealth, readHealthInput, type HealthInput } from "./health";
import {
  DURATION_BUCKETS_SECONDS,
  ITEM_OUTCOMES,
  type ItemOutcome,
  type MetricsSnapshot,
} from "./metric-families";

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

function durations(rows: AggregateRow[]): MetricsSnapshot["durations"] {
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

/** The configured Canvas host and token fingerprint, which name the token's CanvasGate. */
export interface GateTarget {
  host: string;
  token: string;
}

/** The configured token's CanvasGate estimate, or null when there is no target (the configuration cannot be read). */
export async function readGateSnapshot(
  gates: Env["CANVAS_GATE"],
  target: GateTarget | null,
): Promise<MetricsSnapshot["gate"]> {
  if (target === null) return null;
  const { host, token } = target;
  const snapshot = await gates.getByName(budgetGateName(host, token)).snapshot();
  return { host, token, ...snapshot };
}

/** What a scrape needs besides D1: the clock, the stuck-job limit and what the configuration says. */
export interface MetricsInputs {
  now: number;
  stuckJobMs: number;
  liveEvents: Pick<HealthInput, "liveEventsUnfiltered">;
  gates: Env["CANVAS_GATE"];
  gateTarget: GateTarget | null;
}

export async function collectMetrics(db: Database, inputs: MetricsInputs): Promise<MetricsSnapshot> {
  const { now, stuckJobMs } = inputs;
  const [aggregates, healthInput, gate, liveEvents] = await Promise.all([
    readMetricsAggregates(db, now, {
      durationBuckets: DURATION_BUCKETS_SECONDS,
      outcomePaths: OUTCOME_PATHS,
    }),
    readHealthInput(db, now, stuckJobMs, inputs.liveEvents),
    readGateSnapshot(inputs.gates, inputs.gateTarget),
    readCounter(db, LIVE_EVENTS_COUNTER),
  ]);
  const health = evaluateHealth(healthInput);
  const totalsRow = aggregates.totals;
  return {
    durations: durations(aggregates.durations),
    jobsByStatus: aggregates.jobsByStatus.map((row) => ({
      status: String(row["status"]),
      mode: String(row["mode"]),
      count: num(row["n"]),
    })),
    items: aggregates.itemOutcomes.flatMap((row) =>
      ITEM_OUTCOMES.map((outcome) => ({ type: String(row["type"]), outcome, count: num(row[outcome]) })),
    ),
    itemErrors: aggregates.itemErrors.map((row) => ({
      category: String(row["category"]),
      count: num(row["n"]),
    })),
    jobFailures: aggregates.jobFailures.map((row) => ({
      category: String(row["category"]),
      count: num(row["n"]),
    })),
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
    deadLetters: aggregates.deadLetters,
    liveEvents,
    courses: aggregates.courses.map((row) => ({
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
