/**
 * @module storage/d1/conflicts
 * The `duplicates` table as the conflicts API (src/api/routes/conflicts.ts) and the dashboard read and resolve it:
 * pages of conflicts and of a course's duplicate pairs with both items described, one row, recording a resolution,
 * and a course's dedup counts. Pages are keyset on the row id.
 *
 * Raw SQL through `db.$client`: each row joins `items` twice with computed columns, filters are optional parameters
 * (`?n IS NULL OR ...`), the resolution is a guarded `UPDATE ... RETURNING`, and the counts are conditional sums.
 */
import type { DuplicateKind, DuplicateStatus, Resolution } from "./duplicate-pairs";
import type { Database } from "./client";
import { type DuplicateRow, courseIdRange } from "./duplicates";

export interface DuplicateSideView {
  itemId: string;
  canvasCourseId: number;
  type: string | null;
  title: string | null;
  /** text hash compared when the pair was recorded */
  textHash: string | null;
  /** the item's text hash now (differs after an edit not yet re-checked) */
  currentTextHash: string | null;
  deleted: boolean;
}

export interface DuplicateView {
  id: number;
  kind: DuplicateKind;
  status: DuplicateStatus;
  score: number;
  reason: string;
  a: DuplicateSideView;
  b: DuplicateSideView;
  resolution: Resolution | null;
  canonicalItemId: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

/** A row with both sides described (the joined `items` columns). */
interface Row extends DuplicateRow {
  a_type: string | null;
  a_title: string | null;
  a_hash: string | null;
  a_deleted: number | null;
  b_type: string | null;
  b_title: string | null;
  b_hash: string | null;
  b_deleted: number | null;
}

const SELECT = `SELECT d.id, d.item_a, d.item_b, d.course_a, d.course_b, d.kind, d.status, d.score, d.text_hash_a,
    d.text_hash_b, d.reason, d.resolution, d.canonical_item, d.created_at, d.updated_at, d.resolved_at,
    ia.type AS a_type, ia.title AS a_title, ia.text_hash AS a_hash, (ia.id IS NULL OR ia.deleted_at IS NOT NULL) AS a_deleted,
    ib.type AS b_type, ib.title AS b_title, ib.text_hash AS b_hash, (ib.id IS NULL OR ib.deleted_at IS NOT NULL) AS b_deleted
  FROM duplicates d LEFT JOIN items ia ON ia.id = d.item_a LEFT JOIN items ib ON ib.id = d.item_b`;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function present(row: Row): DuplicateView {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    score: row.score,
    reason: row.reason,
    a: {
      itemId: row.item_a,
      canvasCourseId: row.course_a,
      type: row.a_type,
      title: row.a_title,
      textHash: row.text_hash_a,
      currentTextHash: row.a_hash,
      deleted: row.a_deleted === 1,
    },
    b: {
      itemId: row.item_b,
      canvasCourseId: row.course_b,
      type: row.b_type,
      title: row.b_title,
      textHash: row.text_hash_b,
      currentTextHash: row.b_hash,
      deleted: row.b_deleted === 1,
    },
    resolution: row.resolution,
    canonicalItemId: row.canonical_item,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    resolvedAt: iso(row.resolved_at),
  };
}

export interface Page<T> {
  items: T[];
  /** id of the last row returned when more follow, else null */
  lastId: number | null;
}

/** Near-duplicate conflicts with the given status, optionally only those touching one course. */
export async function listConflicts(
  db: Database,
  filter: { status: "open" | "resolved"; courseId?: number | undefined; afterId: number; limit: number },
): Promise<Page<DuplicateView>> {
  const { results } = await db.$client
    .prepare(
      `${SELECT} WHERE d.kind = 'near_text' AND d.status = ?1 AND d.id > ?2
         AND (?3 IS NULL OR d.course_a = ?3 OR d.course_b = ?3)
       ORDER BY d.id LIMIT ?4`,
    )
    .bind(filter.status, filter.afterId, filter.courseId ?? null, filter.limit + 1)
    .all<Row>();
  return toPage(results, filter.limit);
}

/** Every duplicate pair (links and conflicts) with a side in the course. */
export async function listCourseDuplicates(
  db: Database,
  filter: {
    courseId: number;
    kind?: DuplicateKind | undefined;
    status?: DuplicateStatus | undefined;
    afterId: number;
    limit: number;
  },
): Promise<Page<DuplicateView>> {
  const [low, high] = courseIdRange(filter.courseId);
  const { results } = await db.$client
    .prepare(
      `${SELECT} WHERE ((d.item_a >= ?1 AND d.item_a < ?2) OR (d.item_b >= ?1 AND d.item_b < ?2))
         AND d.id > ?3 AND (?4 IS NULL OR d.kind = ?4) AND (?5 IS NULL OR d.status = ?5)
       ORDER BY d.id LIMIT ?6`,
    )
    .bind(low, high, filter.afterId, filter.kind ?? null, filter.status ?? null, filter.limit + 1)
    .all<Row>();
  return toPage(results, filter.limit);
}

function toPage(rows: Row[], limit: number): Page<DuplicateView> {
  const page = rows.slice(0, limit).map(present);
  return { items: page, lastId: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

export async function getDuplicate(db: Database, id: number): Promise<DuplicateView | null> {
  const row = await db.$client.prepare(`${SELECT} WHERE d.id = ?1`).bind(id).first<Row>();
  return row === null ? null : present(row);
}

/**
 * Records an operator's decision on a near-duplicate conflict (also changing an earlier decision). Returns false
 * when the row is no longer a conflict of that pair (deleted or changed meanwhile).
 */
export async function recordResolution(
  db: Database,
  id: number,
  decision: { resolution: Resolution; canonicalItemId: string | null },
  now: number,
): Promise<boolean> {
  const row = await db.$client
    .prepare(
      `UPDATE duplicates SET status = 'resolved', resolution = ?2, canonical_item = ?3, resolved_at = ?4,
         updated_at = max(?4, updated_at + 1)
       WHERE id = ?1 AND kind = 'near_text' AND (?3 IS NULL OR ?3 IN (item_a, item_b)) RETURNING id`,
    )
    .bind(id, decision.resolution, decision.canonicalItemId, now)
    .first<{ id: number }>();
  return row !== null;
}

export interface CourseDedupSummary {
  exactTextLinks: number;
  exactBlobLinks: number;
  openConflicts: number;
  resolvedConflicts: number;
  /** live items with text, and how far their checks are */
  texts: { total: number; checked: number; provisional: number; unchecked: number };
}

const n = (value: number | null | undefined): number => value ?? 0;

export async function courseDedupSummary(db: Database, courseId: number): Promise<CourseDedupSummary> {
  const [low, high] = courseIdRange(courseId);
  const [pairs, texts] = await db.$client.batch<Record<string, number | null>>([
    db.$client
      .prepare(
        `SELECT
           sum(kind = 'exact_text' AND status = 'linked') AS exact_text,
           sum(kind = 'exact_blob' AND status = 'linked') AS exact_blob,
           sum(kind = 'near_text' AND status = 'open') AS open,
           sum(kind = 'near_text' AND status = 'resolved') AS resolved
         FROM duplicates WHERE (item_a >= ?1 AND item_a < ?2) OR (item_b >= ?1 AND item_b < ?2)`,
      )
      .bind(low, high),
    db.$client
      .prepare(
        `SELECT count(*) AS total,
           sum(dedup_hash = text_hash AND COALESCE(dedup_provisional, 0) = 0) AS checked,
           sum(dedup_hash = text_hash AND dedup_provisional = 1) AS provisional
         FROM items WHERE course_id = ?1 AND deleted_at IS NULL AND text_hash IS NOT NULL`,
      )
      .bind(courseId),
  ]);
  const p = pairs?.results[0] ?? {};
  const t = texts?.results[0] ?? {};
  const total = n(t["total"]);
  const checked = n(t["checked"]);
  const provisional = n(t["provisional"]);
  return {
    exactTextLinks: n(p["exact_text"]),
    exactBlobLinks: n(p["exact_blob"]),
    openConflicts: n(p["open"]),
    resolvedConflicts: n(p["resolved"]),
    texts: { total, checked, provisional, unchecked: total - checked - provisional },
  };
}
