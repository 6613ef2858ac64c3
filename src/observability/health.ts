/**
 * The seed design's SyncHealthChecker as a pure function: unhealthy when a job is stuck (running past the limit
 * with no checkpoint), the largest sync lag exceeds 3 h, or the recent error rate exceeds 10 %; degraded above
 * 1.5 h lag or 5 % errors; healthy otherwise. Each check reports its value and thresholds. A deployment whose
 * webhook accepts Live Events but has no institution configured (so it ignores every event, see
 * src/events/institution.ts) is degraded; the callers read that from the configuration (src/http/config-inputs.ts). A course Canvas says does not exist (`not_found`) and jobs cancelled by a
 * course's removal are the course's business, not the service's: they count towards neither the lag nor the error
 * rate.
 */
import type { Database } from "../storage/d1/client";
import { readHealthCounts } from "../storage/d1/health-counts";

export type HealthStatus = "healthy" | "degraded" | "unhealthy";

export interface HealthInput {
  stuckJobs: number;
  maxLagSeconds: number | null;
  recentJobs: number;
  recentFailures: number;
  /** true: Live Events are accepted but no institution is configured (all ignored); absent: not evaluated */
  liveEventsUnfiltered?: boolean;
}

export interface HealthThresholds {
  lagDegradedSeconds: number;
  lagUnhealthySeconds: number;
  errorRateDegraded: number;
  errorRateUnhealthy: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = {
  lagDegradedSeconds: 1.5 * 3600,
  lagUnhealthySeconds: 3 * 3600,
  errorRateDegraded: 0.05,
  errorRateUnhealthy: 0.1,
};

export interface HealthCheck {
  name: string;
  status: HealthStatus;
  value: number | null;
  degradedAbove: number | null;
  unhealthyAbove: number | null;
}

function grade(value: number | null, degraded: number | null, unhealthy: number): HealthStatus {
  if (value === null) return "healthy";
  if (value > unhealthy) return "unhealthy";
  if (degraded !== null && value > degraded) return "degraded";
  return "healthy";
}

export function evaluateHealth(
  input: HealthInput,
  thresholds: HealthThresholds = DEFAULT_HEALTH_THRESHOLDS,
): { status: HealthStatus; checks: HealthCheck[] } {
  const errorRate = input.recentJobs === 0 ? 0 : input.recentFailures / input.recentJobs;
  const checks: HealthCheck[] = [
    {
      name: "stuck_jobs",
      status: grade(input.stuckJobs, null, 0),
      value: input.stuckJobs,
      degradedAbove: null,
      unhealthyAbove: 0,
    },
    {
      name: "max_sync_lag_seconds",
      status: grade(input.maxLagSeconds, thresholds.lagDegradedSeconds, thresholds.lagUnhealthySeconds),
      value: input.maxLagSeconds,
      degradedAbove: thresholds.lagDegradedSeconds,
      unhealthyAbove: thresholds.lagUnhealthySeconds,
    },
    {
      name: "recent_error_rate",
      status: grade(errorRate, thresholds.errorRateDegraded, thresholds.errorRateUnhealthy),
      value: Math.round(errorRate * 10_000) / 10_000,
      degradedAbove: thresholds.errorRateDegraded,
      unhealthyAbove: thresholds.errorRateUnhealthy,
    },
  ];
  if (input.liveEventsUnfiltered !== undefined) {
    checks.push({
      name: "live_events_institution_unset",
      status: input.liveEventsUnfiltered ? "degraded" : "healthy",
      value: input.liveEventsUnfiltered ? 1 : 0,
      degradedAbove: 0,
      unhealthyAbove: null,
    });
  }
  const status: HealthStatus = checks.some((check) => check.status === "unhealthy")
    ? "unhealthy"
    : checks.some((check) => check.status === "degraded")
      ? "degraded"
      : "healthy";
  return { status, checks };
}

/** Reads the health inputs from D1 (three aggregate queries, no course content) plus `extra` checks from env. */
export async function readHealthInput(
  db: Database,
  now: number,
  stuckJobMs: number,
  extra: Pick<HealthInput, "liveEventsUnfiltered"> = {},
): Promise<HealthInput> {
  const counts = await readHealthCounts(db, now, stuckJobMs);
  return {
    stuckJobs: counts.stuckJobs,
    maxLagSeconds: counts.maxLagMs === null ? null : Math.max(0, Math.round(counts.maxLagMs / 1000)),
    recentJobs: counts.recentJobs,
    recentFailures: counts.recentFailures,
    ...extra,
  };
}
