/**
 * The D1 side of background work yielding to syncs (src/queue/background-yield.ts): how many sync jobs are active,
 * and the deferral counter. Raw SQL: a count over the status index and an upsert, both shorter than their drizzle
 * spelling.
 */
import type { Database } from "./client";

/**
 * Sync jobs running with a heartbeat (checkpoint, or start) newer than `since`, plus jobs queued since then. Older
 * ones are stuck or waiting out a breaker, and nothing should wait for them.
 */
export async function countActiveSyncs(db: Database, since: number): Promise<number> {
  const row = await db.$client
    .prepare(
      `SELECT (SELECT COUNT(*) FROM sync_jobs WHERE status = 'running' AND COALESCE(checkpoint_at, started_at) >= ?1)
            + (SELECT COUNT(*) FROM sync_jobs WHERE status = 'queued' AND created_at >= ?1) AS n`,
    )
    .bind(since)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Adds one to `background_deferrals_total{kind=...}`. */
export async function countDeferral(db: Database, kind: "extract" | "dedup"): Promise<void> {
  await db.$client
    .prepare(
      `INSERT INTO metric_counters (name, labels, value) VALUES ('background_deferrals_total', ?1, 1)
       ON CONFLICT (name, labels) DO UPDATE SET value = value + 1`,
    )
    .bind(`kind=${kind}`)
    .run();
}
