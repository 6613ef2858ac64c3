/**
 * The `job_deliveries` table: one row per queue delivery of a sync job, with what it spent against the
 * per-invocation limits and how it ended (continued, finished, retried, dead-lettered).
 */
import { asc, eq } from "drizzle-orm";
import type { Database } from "./client";
import { jobDeliveries } from "./schema";

export type DeliveryRecord = typeof jobDeliveries.$inferSelect;
export type DeliveryOutcome = "continued" | "finished" | "retried" | "dead-lettered";

export interface DeliveryWrite {
  jobId: string;
  startedAt: number;
  endedAt: number;
  canvasRequests: number;
  d1Statements: number;
  subrequests: number;
  outcome: DeliveryOutcome;
  stoppedBy: string | null;
}

export function insertDeliveryStatement(db: D1Database, row: DeliveryWrite): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO job_deliveries (job_id, started_at, ended_at, canvas_requests, d1_statements, subrequests, outcome,
         stopped_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
    )
    .bind(
      row.jobId,
      row.startedAt,
      row.endedAt,
      row.canvasRequests,
      row.d1Statements,
      row.subrequests,
      row.outcome,
      row.stoppedBy,
    );
}

/** A job's deliveries in order (a job has a handful; a huge first sync a few dozen). */
export async function listJobDeliveries(
  orm: Database,
  jobId: string,
  limit = 1000,
): Promise<DeliveryRecord[]> {
  return orm
    .select()
    .from(jobDeliveries)
    .where(eq(jobDeliveries.jobId, jobId))
    .orderBy(asc(jobDeliveries.id))
    .limit(limit);
}

/** Records one delivery on its own (a delivery that continues, retries or dead-letters; a finished one commits
 * its record with the job's outcome, see job-outcome.ts). */
export async function recordDelivery(db: Database, row: DeliveryWrite): Promise<void> {
  await insertDeliveryStatement(db.$client, row).run();
}
