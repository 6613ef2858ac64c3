/**
 * Reads the MCP tools need beyond the API's own queries (src/storage/d1/queries.ts): what changed since a time in
 * one course or in all of them (tombstones included, keyset-paged by change time), without the heavy `data` and
 * `text` columns, plus the few projection fields a Canvas URL needs.
 */
import { and, asc, eq, gt, gte, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "./client";
import { items } from "./schema";

const textOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null);

export interface ChangedItem {
  id: string;
  courseId: number;
  type: string;
  canvasId: string;
  title: string | null;
  version: number;
  firstSeenAt: number;
  changedAt: number;
  deletedAt: number | null;
  pageSlug: string | null;
  folderPath: string | null;
}

export interface ChangedSinceFilter {
  since: number;
  courseId?: number;
  after: { changedAt: number; id: string } | null;
  limit: number;
}

/** Items whose mirror changed at or after `since` (deletions included), oldest change first. */
export async function listItemsChangedSince(
  orm: Database,
  filter: ChangedSinceFilter,
): Promise<ChangedItem[]> {
  const conditions: (SQL | undefined)[] = [gte(items.changedAt, filter.since)];
  if (filter.courseId !== undefined) conditions.push(eq(items.courseId, filter.courseId));
  if (filter.after) {
    conditions.push(
      or(
        gt(items.changedAt, filter.after.changedAt),
        and(eq(items.changedAt, filter.after.changedAt), gt(items.id, filter.after.id)),
      ),
    );
  }
  const rows = await orm
    .select({
      id: items.id,
      courseId: items.courseId,
      type: items.type,
      canvasId: items.canvasId,
      title: items.title,
      version: items.version,
      firstSeenAt: items.firstSeenAt,
      changedAt: items.changedAt,
      deletedAt: items.deletedAt,
      pageSlug: sql<unknown>`CASE WHEN json_valid(${items.data}) THEN ${items.data} ->> '$.url' END`,
      folderPath: sql<unknown>`CASE WHEN json_valid(${items.data}) THEN ${items.data} ->> '$.full_name' END`,
    })
    .from(items)
    .where(and(...conditions))
    .orderBy(asc(items.changedAt), asc(items.id))
    .limit(filter.limit);
  return rows.map((row) => ({
    ...row,
    pageSlug: textOrNull(row.pageSlug),
    folderPath: textOrNull(row.folderPath),
  }));
}
