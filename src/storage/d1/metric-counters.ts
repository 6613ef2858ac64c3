/**
 * The `metric_counters` table: named counters with a label string (`key=value,key=value`), bumped by the code that
 * counts (e.g. Live Event outcomes) and read by /metrics. `updated_at` says when a label set last moved, so the
 * retention job can drop label sets that have been idle for its window.
 */
import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { metricsCounters } from "./schema";

/** The Live Event outcome counter (src/events/event-counters.ts counts it, /metrics reads it). */
export const LIVE_EVENTS_COUNTER = "live_events_total";

export interface CounterRow {
  labels: Record<string, string>;
  value: number;
}

/** Every label set of one counter, labels parsed; malformed label pairs are skipped rather than invented. */
export async function readCounter(orm: Database, name: string): Promise<CounterRow[]> {
  const rows = await orm
    .select({ labels: metricsCounters.labels, value: metricsCounters.value })
    .from(metricsCounters)
    .where(eq(metricsCounters.name, name))
    .orderBy(metricsCounters.labels);
  return rows.map((row) => ({ labels: parseLabels(row.labels), value: row.value }));
}

export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const match = /^([a-z_][a-z0-9_]*)=(.*)$/.exec(pair);
    if (match?.[1] !== undefined && match[2] !== undefined) labels[match[1]] = match[2];
  }
  return labels;
}

/**
 * A prepared upsert adding one to a counter's label set, for batching with the write it accompanies. Raw SQL:
 * drizzle's D1 batch takes its own query objects, and the callers batch it with raw statements.
 */
export function incrementCounterStatement(
  db: Database,
  name: string,
  labels: string,
  now: number,
): D1PreparedStatement {
  return db.$client
    .prepare(
      `INSERT INTO metric_counters (name, labels, value, updated_at) VALUES (?1, ?2, 1, ?3)
       ON CONFLICT(name, labels) DO UPDATE SET value = value + 1, updated_at = excluded.updated_at`,
    )
    .bind(name, labels, now);
}

/** Adds one to a counter's label set on its own. */
export async function incrementCounter(
  db: Database,
  name: string,
  labels: string,
  now: number,
): Promise<void> {
  await incrementCounterStatement(db, name, labels, now).run();
}
