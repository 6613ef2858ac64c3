/**
 * What a dedup pass records, in one batch: its metric counters (`metric_counters`, bumped) and, when it ran for a
 * sync job, the job report's dedup hits (`sync_jobs.report`, added in place). Raw SQL: the upsert-and-add of the
 * counters and the `json_set` on the report are not expressible in drizzle's builders.
 */
import type { Database } from "./client";

const COUNT = `INSERT INTO metric_counters (name, labels, value) VALUES (?1, ?2, ?3)
  ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value`;

/** One counter bump: name, label string (`key=value,...`), amount. */
export type CounterBump = readonly [name: string, labels: string, value: number];

export async function recordDedupPass(
  db: Database,
  bumps: readonly CounterBump[],
  jobHits: { jobId: string; textHits: number; nearHits: number } | null,
): Promise<void> {
  const d1 = db.$client;
  const statements = bumps.map(([name, labels, value]) => d1.prepare(COUNT).bind(name, labels, value));
  if (jobHits !== null) {
    statements.push(
      d1
        .prepare(
          `UPDATE sync_jobs SET report = json_set(report,
             '$.dedup.textHits', COALESCE(json_extract(report, '$.dedup.textHits'), 0) + ?2,
             '$.dedup.nearDuplicates', COALESCE(json_extract(report, '$.dedup.nearDuplicates'), 0) + ?3)
           WHERE id = ?1 AND json_valid(report)`,
        )
        .bind(jobHits.jobId, jobHits.textHits, jobHits.nearHits),
    );
  }
  await d1.batch(statements);
}
