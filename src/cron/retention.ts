/**
 * Retention, run by the Cron Trigger: deletes finished jobs, change-log entries, event marks, dead letters, idle
 * counter label sets and tombstones older than their windows (RETENTION_*_DAYS, TOMBSTONE_PURGE_DAYS; 0 keeps
 * for ever), in bounded batches so one run stays far inside D1's 1,000 queries per invocation: at most
 * `batchSize` rows per statement and `maxStatementsPerTable` statements per table per run. A backlog larger than
 * that (the first run on an old database) drains over the following runs. The plan is pure; the deletes live in
 * src/storage/d1/retention.ts. Blobs released by purged tombstones are left to the blob GC that runs after this.
 */
import type { Config } from "../env";
import type { Database } from "../storage/d1/client";
import { deleteRetentionBatch, type RetentionTarget } from "../storage/d1/retention";

export type RetentionTable = RetentionTarget;

/** Days each kind of row is kept; 0 keeps it for ever. */
export type RetentionWindows = Record<RetentionTable, number>;

export interface RetentionLimits {
  batchSize: number;
  maxStatementsPerTable: number;
}

/** 500 rows a statement, 8 statements a table: at most 48 deletes (about 54 D1 queries) and 24,000 rows a run. */
export const DEFAULT_RETENTION_LIMITS: RetentionLimits = { batchSize: 500, maxStatementsPerTable: 8 };

export interface RetentionResult {
  deleted: Record<RetentionTable, number>;
  statements: number;
  /** Tables that hit the per-run cap with rows possibly left for the next run. */
  capped: RetentionTable[];
}

const DAY_MS = 86_400_000;

export function retentionWindows(config: Config): RetentionWindows {
  return {
    tombstones: config.TOMBSTONE_PURGE_DAYS,
    sync_jobs: config.RETENTION_JOBS_DAYS,
    item_changes: config.RETENTION_CHANGES_DAYS,
    event_marks: config.RETENTION_EVENT_MARKS_DAYS,
    dead_letters: config.RETENTION_DEAD_LETTERS_DAYS,
    metric_counters: config.RETENTION_COUNTERS_DAYS,
  };
}

/** The tables to prune and the time before which their rows go; tombstones first (they take their changes along). */
export function retentionPlan(
  windows: RetentionWindows,
  now: number,
): { table: RetentionTable; cutoff: number }[] {
  const order: RetentionTable[] = [
    "tombstones",
    "sync_jobs",
    "item_changes",
    "event_marks",
    "dead_letters",
    "metric_counters",
  ];
  return order
    .filter((table) => windows[table] > 0)
    .map((table) => ({ table, cutoff: now - windows[table] * DAY_MS }));
}

export async function runRetention(
  db: Database,
  windows: RetentionWindows,
  now: number,
  limits: RetentionLimits = DEFAULT_RETENTION_LIMITS,
): Promise<RetentionResult> {
  const result: RetentionResult = {
    deleted: {
      tombstones: 0,
      sync_jobs: 0,
      item_changes: 0,
      event_marks: 0,
      dead_letters: 0,
      metric_counters: 0,
    },
    statements: 0,
    capped: [],
  };
  for (const { table, cutoff } of retentionPlan(windows, now)) {
    for (let statement = 0; ; statement++) {
      if (statement === limits.maxStatementsPerTable) {
        result.capped.push(table);
        break;
      }
      const batch = await deleteRetentionBatch(db, table, cutoff, limits.batchSize);
      result.statements += 1;
      result.deleted[table] += batch.deleted;
      if (batch.deleted < limits.batchSize) break;
    }
  }
  return result;
}
