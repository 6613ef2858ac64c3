/**
 * The health check's aggregates over `sync_jobs` and `courses`: stuck jobs, the largest sync lag and the last
 * hour's jobs and failures, in one D1 batch, no course content. Raw SQL: conditional sums and COALESCE over
 * several columns read more plainly than drizzle's builder, and one batch keeps it to one round trip.
 */
import type { Database } from "./client";

export interface HealthCounts {
  stuckJobs: number;
  /** milliseconds since the most lagging course last succeeded (or was registered); null without courses */
  maxLagMs: number | null;
  recentJobs: number;
  recentFailures: number;
}

export async function readHealthCounts(db: Database, now: number, stuckJobMs: number): Promise<HealthCounts> {
  const d1 = db.$client;
  const [stuck, lag, recent] = await d1.batch<Record<string, number | null>>([
    d1
      .prepare(
        "SELECT count(*) AS n FROM sync_jobs WHERE status = 'running' AND COALESCE(checkpoint_at, started_at) < ?1",
      )
      .bind(now - stuckJobMs),
    d1
      .prepare(
        `SELECT max(?1 - COALESCE(last_success_at, registered_at)) AS lag FROM courses
         WHERE (state != 'auth_failed' OR auth_failed_token IS NOT NULL)
           AND state != 'not_found' AND COALESCE(last_error_category, '') != 'not_found'`,
      )
      .bind(now),
    d1
      .prepare(
        `SELECT count(*) AS total, sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed
         FROM sync_jobs WHERE finished_at >= ?1 AND COALESCE(error_category, '') NOT IN ('not_found', 'cancelled')`,
      )
      .bind(now - 3_600_000),
  ]);
  return {
    stuckJobs: stuck?.results[0]?.["n"] ?? 0,
    maxLagMs: lag?.results[0]?.["lag"] ?? null,
    recentJobs: recent?.results[0]?.["total"] ?? 0,
    recentFailures: recent?.results[0]?.["failed"] ?? 0,
  };
}
