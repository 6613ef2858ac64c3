/**
 * The `sync_issues` table: what a course's syncs could not mirror (left behind, held, skipped), one row per object.
 * Writes are statements for the caller's atomic batch (an issue appears or goes away together with the rows of the
 * commit that met or solved it); each statement binds one JSON array, so a chunk of rows costs one parameter.
 */
import { and, asc, eq, gt, inArray } from "drizzle-orm";
import type { Database } from "./client";
import { jsonChunks } from "./chunks";
import { syncIssues } from "./schema";

export type IssueRecord = typeof syncIssues.$inferSelect;
export type IssueStatus = "left_behind" | "held" | "skipped";

export function isIssueStatus(value: string): value is IssueStatus {
  return value === "left_behind" || value === "held" || value === "skipped";
}

const UPSERT = `
INSERT INTO sync_issues (course_id, item_id, type, canvas_id, status, category, reason, job_id, canvas_updated_at,
  parent_id, first_at, last_at, attempts)
SELECT j.value ->> 'courseId', j.value ->> 'itemId', j.value ->> 'type', j.value ->> 'canvasId', j.value ->> 'status',
  j.value ->> 'category', j.value ->> 'reason', j.value ->> 'jobId', j.value ->> 'canvasUpdatedAt',
  j.value ->> 'parentId', j.value ->> 'at', j.value ->> 'at', 1
FROM json_each(?1) AS j WHERE true
ON CONFLICT(course_id, item_id) DO UPDATE SET
  type = excluded.type, status = excluded.status, category = excluded.category, reason = excluded.reason,
  job_id = excluded.job_id, canvas_updated_at = excluded.canvas_updated_at, parent_id = excluded.parent_id,
  last_at = excluded.last_at, attempts = sync_issues.attempts + 1`;

const DELETE = `
DELETE FROM sync_issues WHERE course_id = ?1 AND item_id IN (SELECT j.value FROM json_each(?2) AS j)`;

export interface IssueWrite {
  courseId: number;
  itemId: string;
  type: string;
  canvasId: string;
  status: IssueStatus;
  category: string;
  reason: string;
  jobId: string;
  canvasUpdatedAt: string | null;
  parentId: string | null;
  at: number;
}

export function upsertIssueStatements(db: D1Database, rows: readonly IssueWrite[]): D1PreparedStatement[] {
  return jsonChunks(rows).map((chunk) => db.prepare(UPSERT).bind(chunk));
}

export function deleteIssueStatements(
  db: D1Database,
  courseId: number,
  itemIds: readonly string[],
): D1PreparedStatement[] {
  return jsonChunks(itemIds).map((chunk) => db.prepare(DELETE).bind(courseId, chunk));
}

/** Every open issue of a course (a handful normally; paged so a pathological course cannot flood memory). */
export async function loadCourseIssues(
  orm: Database,
  courseId: number,
  limit = 10_000,
): Promise<IssueRecord[]> {
  const rows: IssueRecord[] = [];
  let after = "";
  for (;;) {
    const page = await orm
      .select()
      .from(syncIssues)
      .where(and(eq(syncIssues.courseId, courseId), gt(syncIssues.itemId, after)))
      .orderBy(asc(syncIssues.itemId))
      .limit(1000);
    rows.push(...page);
    const last = page.at(-1);
    if (page.length < 1000 || !last || rows.length >= limit) return rows;
    after = last.itemId;
  }
}

/** The issues a job met (for its report in the API), oldest first. */
export async function listJobIssues(
  orm: Database,
  jobId: string,
  statuses: readonly IssueStatus[],
  limit: number,
): Promise<IssueRecord[]> {
  return orm
    .select()
    .from(syncIssues)
    .where(and(eq(syncIssues.jobId, jobId), inArray(syncIssues.status, [...statuses])))
    .orderBy(asc(syncIssues.firstAt), asc(syncIssues.itemId))
    .limit(limit);
}
