/**
 * Read-side queries for the API and the dashboard. Pagination is keyset-based with opaque cursors (base64url JSON),
 * the same on every list endpoint.
 */
import { and, asc, desc, eq, gt, gte, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "./client";
import { courses, itemChanges, items, syncJobs } from "./schema";

export function encodeCursor(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor<T>(cursor: string | undefined, guard: (value: unknown) => value is T): T | null {
  if (!cursor) return null;
  try {
    const value: unknown = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    return guard(value) ? value : null;
  } catch {
    return null;
  }
}

/** Cursor shapes shared by the API and the dashboard (each list endpoint pages by its own sort key). */
export const isNumberCursor = (value: unknown): value is number => typeof value === "number";

export const isJobCursor = (value: unknown): value is { createdAt: number; id: string } =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { createdAt?: unknown }).createdAt === "number" &&
  typeof (value as { id?: unknown }).id === "string";

export const isItemCursor = (value: unknown): value is { changedAt: number; id: string } =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { changedAt?: unknown }).changedAt === "number" &&
  typeof (value as { id?: unknown }).id === "string";

export type CourseRecord = typeof courses.$inferSelect;
export type ItemRecord = typeof items.$inferSelect;
export type JobRecord = typeof syncJobs.$inferSelect;

export async function listCourses(
  orm: Database,
  after: number | null,
  limit: number,
): Promise<CourseRecord[]> {
  return orm
    .select()
    .from(courses)
    .where(after === null ? undefined : gt(courses.canvasCourseId, after))
    .orderBy(asc(courses.canvasCourseId))
    .limit(limit);
}

export async function getCourse(orm: Database, courseId: number): Promise<CourseRecord | undefined> {
  return orm.select().from(courses).where(eq(courses.canvasCourseId, courseId)).get();
}

export async function countItemsByType(orm: Database, courseId: number): Promise<Record<string, number>> {
  const rows = await orm
    .select({ type: items.type, count: sql<number>`count(*)` })
    .from(items)
    .where(and(eq(items.courseId, courseId), isNull(items.deletedAt)))
    .groupBy(items.type);
  return Object.fromEntries(rows.map((row) => [row.type, row.count]));
}

export async function getJob(orm: Database, jobId: string): Promise<JobRecord | undefined> {
  return orm.select().from(syncJobs).where(eq(syncJobs.id, jobId)).get();
}

export async function listJobs(
  orm: Database,
  courseId: number,
  before: { createdAt: number; id: string } | null,
  limit: number,
): Promise<JobRecord[]> {
  const position = before
    ? or(
        sql`${syncJobs.createdAt} < ${before.createdAt}`,
        and(eq(syncJobs.createdAt, before.createdAt), sql`${syncJobs.id} < ${before.id}`),
      )
    : undefined;
  return orm
    .select()
    .from(syncJobs)
    .where(and(eq(syncJobs.courseId, courseId), position))
    .orderBy(desc(syncJobs.createdAt), desc(syncJobs.id))
    .limit(limit);
}

export interface ItemFilter {
  courseId: number;
  type?: string;
  changedSince?: number;
  includeDeleted: boolean;
  after: { changedAt: number; id: string } | null;
  limit: number;
}

/** Items ordered by (changed_at, id), so a consumer can follow the mirror incrementally with changedSince. */
export async function listItems(orm: Database, filter: ItemFilter): Promise<ItemRecord[]> {
  const conditions: (SQL | undefined)[] = [eq(items.courseId, filter.courseId)];
  if (filter.type) conditions.push(eq(items.type, filter.type));
  if (filter.changedSince !== undefined) conditions.push(gte(items.changedAt, filter.changedSince));
  if (!filter.includeDeleted) conditions.push(isNull(items.deletedAt));
  if (filter.after) {
    conditions.push(
      or(
        gt(items.changedAt, filter.after.changedAt),
        and(eq(items.changedAt, filter.after.changedAt), gt(items.id, filter.after.id)),
      ),
    );
  }
  return orm
    .select()
    .from(items)
    .where(and(...conditions))
    .orderBy(asc(items.changedAt), asc(items.id))
    .limit(filter.limit);
}

export async function getItem(orm: Database, itemId: string): Promise<ItemRecord | undefined> {
  return orm.select().from(items).where(eq(items.id, itemId)).get();
}

export async function listChanges(orm: Database, itemId: string, afterId: number | null, limit: number) {
  return orm
    .select()
    .from(itemChanges)
    .where(and(eq(itemChanges.itemId, itemId), afterId === null ? undefined : gt(itemChanges.id, afterId)))
    .orderBy(asc(itemChanges.id))
    .limit(limit);
}

/** Whether the course is registered, without reading its row. */
export async function courseIsRegistered(orm: Database, courseId: number): Promise<boolean> {
  const row = await orm
    .select({ x: sql<number>`1` })
    .from(courses)
    .where(eq(courses.canvasCourseId, courseId))
    .get();
  return row !== undefined;
}
