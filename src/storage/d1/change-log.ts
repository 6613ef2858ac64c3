/**
 * A course's change log for the dashboard, newest first, paged by (at, id) so an operator can walk back through
 * every change: the item's type and title and, per field, the old and new values the deep tier recorded (or its
 * text-diff summary for bodies). Uses the (course_id, at) index. Raw SQL: the join and the keyset condition read
 * more plainly than their drizzle form.
 */
import { z } from "zod";
import type { Database } from "./client";

export interface FieldChange {
  field: string;
  old?: unknown;
  new?: unknown;
  summary?: string;
}

export interface ChangeLogEntry {
  id: number;
  itemId: string;
  kind: string;
  jobId: string | null;
  at: number;
  type: string | null;
  title: string | null;
  fields: FieldChange[];
}

export interface ChangeLogCursor {
  at: number;
  id: number;
}

export const isChangeLogCursor = (value: unknown): value is ChangeLogCursor =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { at?: unknown }).at === "number" &&
  typeof (value as { id?: unknown }).id === "number";

const FieldsSchema = z.array(
  z
    .object({
      field: z.string(),
      old: z.unknown().optional(),
      new: z.unknown().optional(),
      summary: z.string().optional(),
    })
    .loose(),
);

function parseFields(text: string | null): FieldChange[] {
  if (!text) return [];
  try {
    const parsed = FieldsSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return [];
    return parsed.data.map((entry) => ({
      field: entry.field,
      ...("old" in entry ? { old: entry.old } : {}),
      ...("new" in entry ? { new: entry.new } : {}),
      ...(entry.summary === undefined ? {} : { summary: entry.summary }),
    }));
  } catch {
    return [];
  }
}

/** One page of the course's change log before `before` (newest first); `limit + 1` rows tell whether more follow. */
export async function courseChangeLog(
  db: Database,
  courseId: number,
  before: ChangeLogCursor | null,
  limit: number,
): Promise<ChangeLogEntry[]> {
  const { results } = await db.$client
    .prepare(
      `SELECT c.id, c.item_id, c.kind, c.job_id, c.at, c.fields, i.type, i.title
       FROM item_changes c LEFT JOIN items i ON i.id = c.item_id
       WHERE c.course_id = ?1 AND (?2 IS NULL OR c.at < ?2 OR (c.at = ?2 AND c.id < ?3))
       ORDER BY c.at DESC, c.id DESC LIMIT ?4`,
    )
    .bind(courseId, before?.at ?? null, before?.id ?? 0, limit)
    .all<{
      id: number;
      item_id: string;
      kind: string;
      job_id: string | null;
      at: number;
      fields: string | null;
      type: string | null;
      title: string | null;
    }>();
  return results.map((row) => ({
    id: row.id,
    itemId: row.item_id,
    kind: row.kind,
    jobId: row.job_id,
    at: row.at,
    type: row.type,
    title: row.title,
    fields: parseFields(row.fields),
  }));
}
