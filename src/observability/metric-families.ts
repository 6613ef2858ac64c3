/**
 * What /metrics exposes, as a pure mapping from a MetricsSnapshot (read from D1 and the Durable Objects by
 * metrics-collect.ts) to Prometheus metric families. Names, help texts and label sets live here and nowhere else.
 *
 * Counters are sums over every job's report (the final report, or for an unfinished job the report carried in its
 * checkpoint), so they only grow while jobs are kept.
 */
import type { HealthStatus } from "./health";
import type { HistogramSeries, MetricFamily, Sample } from "./prometheus";

/** Upper bounds of the sync duration histogram, in seconds (a sync may run up to the consumer's 15 minutes). */
export const DURATION_BUCKETS_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** Classification outcomes as they appear in report.types[type]. */
export const ITEM_OUTCOMES = [
  "added",
  "updated_timestamp",
  "updated_content",
  "updated_modified",
  "unchanged",
  "deleted",
  "replaced",
  "restored",
  "skipped",
  "left_behind",
  "held",
] as const;
export type ItemOutcome = (typeof ITEM_OUTCOMES)[number];

export interface MetricsSnapshot {
  durations: { status: string; series: Omit<HistogramSeries, "labels"> }[];
  jobsByStatus: { status: string; mode: string; count: number }[];
  items: { type: string; outcome: ItemOutcome; count: number }[];
  itemErrors: { category: string; count: number }[];
  jobFailures: { category: string; count: number }[];
  totals: {
    canvasRequests: number;
    throttled: number;
    requestRetries: number;
    bytesDownloaded: number;
    apiBytes: number;
    d1RowsWritten: number;
    r2Writes: number;
    blobHits: number;
    textHits: number;
    nearDuplicates: number;
    queueRetries: number;
  };
  deadLetters: number;
  /** live_events_total label sets (outcome with scope or reason) and their counts */
  liveEvents: { labels: Record<string, string>; value: number }[];
  courses: {
    courseId: number;
    state: string;
    lagSeconds: number;
    breakerOpen: boolean;
    consecutiveFailures: number;
  }[];
  /** the configured token's rate budget estimate; null when the configuration cannot be read */
  gate: {
    host: string;
    token: string;
    remaining: number;
    level: number;
    hwm: number;
    inFlight: number;
    shared: boolean;
  } | null;
  health: { status: HealthStatus; stuckJobs: number; recentErrorRate: number };
}

const HEALTH_LEVEL: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

const counter = (name: string, help: string, samples: Sample[]): MetricFamily => ({
  type: "counter",
  name,
  help,
  samples,
});
const gauge = (name: string, help: string, samples: Sample[]): MetricFamily => ({
  type: "gauge",
  name,
  help,
  samples,
});
const one = (value: number): Sample[] => [{ value }];
const course = (id: number) => ({ course_id: String(id) });

export function buildMetricFamilies(snapshot: MetricsSnapshot): MetricFamily[] {
  const { totals } = snapshot;
  const gateLabels = snapshot.gate ? { host: snapshot.gate.host, token: snapshot.gate.token } : null;
  const states = new Map<string, number>();
  for (const row of snapshot.courses) states.set(row.state, (states.get(row.state) ?? 0) + 1);
  return [
    {
      type: "histogram",
      name: "canvas_sync_job_duration_seconds",
      help: "Wall time of finished sync jobs, from first start to finish (retries included), by final status.",
      buckets: DURATION_BUCKETS_SECONDS,
      series: snapshot.durations.map((entry) => ({ labels: { status: entry.status }, ...entry.series })),
    },
    gauge(
      "canvas_sync_jobs",
      "Sync jobs currently in each status, by mode.",
      snapshot.jobsByStatus.map((row) => ({
        labels: { status: row.status, mode: row.mode },
        value: row.count,
      })),
    ),
    counter(
      "canvas_sync_items_processed_total",
      "Canvas objects examined by syncs, by item type and classification outcome.",
      snapshot.items.map((row) => ({ labels: { type: row.type, outcome: row.outcome }, value: row.count })),
    ),
    counter(
      "canvas_sync_errors_total",
      "Errors by category: level=item (one object skipped) or level=job (job failed).",
      [
        ...snapshot.itemErrors.map((row) => ({
          labels: { category: row.category, level: "item" },
          value: row.count,
        })),
        ...snapshot.jobFailures.map((row) => ({
          labels: { category: row.category, level: "job" },
          value: row.count,
        })),
      ],
    ),
    counter("canvas_sync_dedup_hits_total", "Deduplication hits by tier.", [
      { labels: { tier: "blob" }, value: totals.blobHits },
      { labels: { tier: "text" }, value: totals.textHits },
      { labels: { tier: "near_duplicate" }, value: totals.nearDuplicates },
    ]),
    counter(
      "canvas_sync_cache_hits_total",
      "Objects served from the mirror instead of being rewritten: item=stored copy still current (no write), blob=file bytes already in R2 (no upload).",
      [
        {
          labels: { cache: "item" },
          value: snapshot.items
            .filter((row) => row.outcome === "unchanged")
            .reduce((sum, row) => sum + row.count, 0),
        },
        { labels: { cache: "blob" }, value: totals.blobHits },
      ],
    ),
    counter(
      "canvas_sync_canvas_requests_total",
      "HTTP requests sent to the Canvas host (API calls and file-download redirects; not the storage host).",
      one(totals.canvasRequests),
    ),
    counter(
      "canvas_sync_canvas_throttled_total",
      "Canvas responses that were throttled (403 Rate Limit Exceeded or 429).",
      one(totals.throttled),
    ),
    counter(
      "canvas_sync_canvas_request_retries_total",
      "Canvas requests retried in place by the client.",
      one(totals.requestRetries),
    ),
    counter(
      "canvas_sync_file_bytes_downloaded_total",
      "File bytes downloaded from Canvas storage.",
      one(totals.bytesDownloaded),
    ),
    counter("canvas_sync_api_bytes_total", "JSON bytes read from the Canvas API.", one(totals.apiBytes)),
    counter("canvas_sync_d1_rows_written_total", "D1 rows written by syncs.", one(totals.d1RowsWritten)),
    counter("canvas_sync_r2_writes_total", "R2 objects written by syncs.", one(totals.r2Writes)),
    gauge(
      "canvas_sync_rate_limit_remaining",
      "Estimated remaining Canvas rate-limit budget (high-water mark minus bucket level) for the configured token.",
      gateLabels && snapshot.gate ? [{ labels: gateLabels, value: snapshot.gate.remaining }] : [],
    ),
    gauge(
      "canvas_sync_rate_limit_level",
      "Estimated fill level of Canvas's leaky bucket for the configured token.",
      gateLabels && snapshot.gate ? [{ labels: gateLabels, value: snapshot.gate.level }] : [],
    ),
    gauge(
      "canvas_sync_rate_limit_in_flight",
      "Canvas requests currently holding a lease from the token's gate.",
      gateLabels && snapshot.gate ? [{ labels: gateLabels, value: snapshot.gate.inFlight }] : [],
    ),
    gauge(
      "canvas_sync_rate_limit_shared",
      "1 while another client was lately seen spending on the configured token (the gate then reads Canvas's " +
        "reports erring high), else 0.",
      gateLabels && snapshot.gate ? [{ labels: gateLabels, value: snapshot.gate.shared ? 1 : 0 }] : [],
    ),
    gauge(
      "canvas_sync_breaker_open",
      "1 while the course's circuit breaker is open (cooling down), else 0.",
      snapshot.courses.map((row) => ({ labels: course(row.courseId), value: row.breakerOpen ? 1 : 0 })),
    ),
    gauge(
      "canvas_sync_course_consecutive_failures",
      "Consecutive failed syncs of the course.",
      snapshot.courses.map((row) => ({ labels: course(row.courseId), value: row.consecutiveFailures })),
    ),
    gauge(
      "canvas_sync_course_lag_seconds",
      "Seconds since the course last synced successfully (since registration if never).",
      snapshot.courses.map((row) => ({ labels: course(row.courseId), value: row.lagSeconds })),
    ),
    gauge(
      "canvas_sync_courses",
      "Registered courses by state.",
      [...states.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([state, count]) => ({ labels: { state }, value: count })),
    ),
    counter(
      "canvas_sync_queue_retries_total",
      "Sync attempts beyond each job's first (queue redeliveries that ran).",
      one(totals.queueRetries),
    ),
    counter(
      "canvas_sync_dead_letters_total",
      "Messages recorded by the dead-letter consumer.",
      one(snapshot.deadLetters),
    ),
    counter(
      "canvas_sync_live_events_total",
      "Authentic Live Event deliveries by outcome: enqueued/coalesced by scope, dropped/ignored by reason " +
        "(ignored reason=wrong_institution|wrong_issuer|institution_not_configured: not our institution's).",
      snapshot.liveEvents.map((row) => ({ labels: row.labels, value: row.value })),
    ),
    gauge(
      "canvas_sync_health_status",
      "Overall health as on /health: 0 healthy, 1 degraded, 2 unhealthy.",
      one(HEALTH_LEVEL[snapshot.health.status]),
    ),
    gauge(
      "canvas_sync_stuck_jobs",
      "Running jobs with no checkpoint within the stuck-job limit.",
      one(snapshot.health.stuckJobs),
    ),
    gauge(
      "canvas_sync_recent_error_rate",
      "Share of jobs finished in the last hour that failed.",
      one(snapshot.health.recentErrorRate),
    ),
  ];
}
