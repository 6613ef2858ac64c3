/**
 * Pure formatting for the dashboard: durations, ages, timestamps (UTC, and saying so), percentages, and the health
 * checks in the units an operator reads (a share as a percentage, a lag as a duration).
 */
import type { HealthCheck } from "../observability/health";

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${Math.max(0, seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** "5m ago" / "in 5m" relative to now. */
export function formatRelative(at: number | null, now: number): string {
  if (at === null) return "never";
  const delta = at - now;
  return delta >= 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/** "2026-11-03 14:05 UTC". */
export function formatTimestamp(at: number | null): string {
  if (at === null) return "—";
  return `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** 0.1667 as "16.7%", 0.05 as "5%". */
export function formatPercent(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return "—";
  return `${Number((share * 100).toFixed(1))}%`;
}

/** A health check's value in its unit: lag as a duration, error rate as a percentage, counts as they are. */
export function formatHealthValue(check: Pick<HealthCheck, "name">, value: number | null): string {
  if (value === null) return "—";
  if (check.name.endsWith("_seconds")) return formatDuration(value * 1000);
  if (check.name.endsWith("_rate")) return formatPercent(value);
  // A yes/no condition (1 when it holds), e.g. Live Events accepted with no institution configured.
  if (check.name.endsWith("_unset")) return value > 0 ? "yes" : "no";
  return String(value);
}

/** The check's name in words ("max_sync_lag_seconds" as "largest sync lag"). */
export function healthCheckLabel(name: string): string {
  const labels: Record<string, string> = {
    stuck_jobs: "stuck jobs",
    max_sync_lag_seconds: "largest sync lag",
    recent_error_rate: "failed syncs (last hour)",
    live_events_institution_unset: "Live Events accepted from any institution",
  };
  return labels[name] ?? name.replace(/_/g, " ");
}

/** "14:05" for axis labels (UTC). */
export function formatClock(at: number): string {
  return new Date(at).toISOString().slice(11, 16);
}

/**
 * The time-axis label format for data spanning `spanMs`: seconds when everything happened within ten minutes (so
 * the ticks differ), the date when it spans more than a day, else hours and minutes (all UTC).
 */
export function timeAxisFormat(spanMs: number): (at: number) => string {
  if (spanMs < 10 * 60_000) return (at) => new Date(at).toISOString().slice(11, 19);
  if (spanMs > 24 * 3_600_000) return (at) => new Date(at).toISOString().slice(5, 16).replace("T", " ");
  return formatClock;
}

/** Compact numbers for axes: 950, 1.2k, 3.4M. */
export function formatCount(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toFixed(1))}M`;
  if (abs >= 1e3) return `${Number((value / 1e3).toFixed(1))}k`;
  return String(Number(value.toFixed(2)));
}

export function formatSeconds(value: number): string {
  return `${formatCount(value)}s`;
}
