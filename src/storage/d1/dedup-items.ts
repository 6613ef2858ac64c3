/**
 * @module storage/d1/dedup-items
 * The item side of a dedup pass, in D1 and R2: which items of a course need work (texts added or changed since
 * their last check, provisional checks to repeat, items whose text or life ended while a vector is still indexed),
 * their texts (inline in `items.text`, or in R2 under `items.text_key`), exact twins by text hash, and the per-item
 * check state (`dedup_hash`, `dedup_provisional`). Every write is a compare-and-set on the text hash, so a check
 * that raced with a newer sync never marks the newer text as checked.
 *
 * Raw SQL through `db.$client`: id and hash lists travel as one JSON parameter (`json_each`, D1 allows 100 bound
 * parameters per statement), twins are capped per hash with a window function, and the work selection is one
 * scan with computed columns; the check mark is a statement batched by dedup-checks.ts. Clearing checks is drizzle.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "./client";
import { items } from "./schema";

/** An item a pass looks at. */
export interface DedupItem {
  id: string;
  courseId: number;
  type: string;
  textHash: string | null;
  /** inline text, or null when it lives in R2 (textKey) or the item is gone */
  text: string | null;
  textKey: string | null;
  dedupHash: string | null;
  provisional: boolean;
  /** deleted, or without text, yet still marked as checked: its vector and links must go */
  gone: boolean;
}

/** A live text as a candidate's other side. */
export interface StoredText {
  id: string;
  courseId: number;
  textHash: string;
  text: string;
}

/** A live item with the same text hash as one being checked. */
export interface Twin {
  id: string;
  courseId: number;
  textHash: string;
  dedupHash: string | null;
  provisional: boolean;
}

/** Caps the twins read per hash: a text copied into thousands of items is linked to the first ones only. */
export const MAX_TWINS_PER_HASH = 50;

/** The `items` columns a pass reads, as SQL returns them (`gone` computed: deleted or without text). */
interface ItemRow {
  id: string;
  course_id: number;
  type: string;
  text_hash: string | null;
  text: string | null;
  text_key: string | null;
  dedup_hash: string | null;
  dedup_provisional: number | null;
  gone: number;
}

const ITEM_COLUMNS = `id, course_id, type, text_hash, dedup_hash, dedup_provisional,
  CASE WHEN deleted_at IS NULL THEN text END AS text, text_key,
  (deleted_at IS NOT NULL OR text_hash IS NULL) AS gone`;

function toItem(row: ItemRow): DedupItem {
  return {
    id: row.id,
    courseId: row.course_id,
    type: row.type,
    textHash: row.text_hash,
    text: row.text,
    textKey: row.text_key,
    dedupHash: row.dedup_hash,
    provisional: row.dedup_provisional === 1,
    gone: row.gone === 1,
  };
}

export interface WorkSelection {
  items: DedupItem[];
  /** more items qualify after the last one returned */
  more: boolean;
}

/**
 * The next `limit` items of a course (in id order, after `after`) that need work: gone items still marked as
 * checked, live texts never checked or changed since, and with `includeProvisional` the live texts whose last
 * check could not see the whole index. One scan of the course's rows.
 */
export async function selectWork(
  db: Database,
  courseId: number,
  options: { after: string; includeProvisional: boolean; limit: number },
): Promise<WorkSelection> {
  const { results } = await db.$client
    .prepare(
      `SELECT ${ITEM_COLUMNS} FROM items
       WHERE course_id = ?1 AND id > ?2 AND (
         (dedup_hash IS NOT NULL AND (deleted_at IS NOT NULL OR text_hash IS NULL))
         OR (deleted_at IS NULL AND text_hash IS NOT NULL AND (dedup_hash IS NULL OR dedup_hash <> text_hash
           OR (?3 = 1 AND dedup_provisional = 1))))
       ORDER BY id LIMIT ?4`,
    )
    .bind(courseId, options.after, options.includeProvisional ? 1 : 0, options.limit + 1)
    .all<ItemRow>();
  return { items: results.slice(0, options.limit).map(toItem), more: results.length > options.limit };
}

/** The listed items that are still live, unchanged since their check, and provisional (a re-check round). */
export async function selectProvisional(db: Database, itemIds: readonly string[]): Promise<DedupItem[]> {
  if (itemIds.length === 0) return [];
  const { results } = await db.$client
    .prepare(
      `SELECT ${ITEM_COLUMNS} FROM items
       WHERE id IN (SELECT value FROM json_each(?1)) AND deleted_at IS NULL AND text_hash IS NOT NULL
         AND dedup_hash = text_hash AND dedup_provisional = 1
       ORDER BY id`,
    )
    .bind(JSON.stringify(itemIds))
    .all<ItemRow>();
  return results.map(toItem);
}

/** The text of an item: inline, else from R2; null when neither is there (logged by the caller). */
export async function readText(
  blobs: R2Bucket,
  item: Pick<DedupItem, "text" | "textKey">,
): Promise<string | null> {
  if (item.text !== null) return item.text;
  if (item.textKey === null) return null;
  const object = await blobs.get(item.textKey);
  return object === null ? null : object.text();
}

/**
 * Current texts of the listed live items (in `courseId` only, when given). Ids that are deleted, without text, or
 * out of scope are simply absent: `findNearDuplicates` reports them as missing.
 */
export async function loadTexts(
  db: Database,
  blobs: R2Bucket,
  ids: readonly string[],
  courseId: number | null,
): Promise<Map<string, StoredText>> {
  const out = new Map<string, StoredText>();
  if (ids.length === 0) return out;
  const { results } = await db.$client
    .prepare(
      `SELECT id, course_id, text_hash, text, text_key FROM items
       WHERE id IN (SELECT value FROM json_each(?1)) AND deleted_at IS NULL AND text_hash IS NOT NULL
         AND (?2 IS NULL OR course_id = ?2)`,
    )
    .bind(JSON.stringify(ids), courseId)
    .all<Pick<ItemRow, "id" | "course_id" | "text" | "text_key"> & { text_hash: string }>();
  for (const row of results) {
    const text = await readText(blobs, { text: row.text, textKey: row.text_key });
    if (text !== null)
      out.set(row.id, { id: row.id, courseId: row.course_id, textHash: row.text_hash, text });
  }
  return out;
}

/** Live items (in `courseId` only, when given) per text hash, lowest ids first, at most MAX_TWINS_PER_HASH + 1. */
export async function findTwins(
  db: Database,
  hashes: readonly string[],
  courseId: number | null,
): Promise<Map<string, Twin[]>> {
  const out = new Map<string, Twin[]>();
  if (hashes.length === 0) return out;
  const { results } = await db.$client
    .prepare(
      `SELECT id, course_id, text_hash, dedup_hash, dedup_provisional FROM (
         SELECT id, course_id, text_hash, dedup_hash, dedup_provisional,
           row_number() OVER (PARTITION BY text_hash ORDER BY id) AS n
         FROM items
         WHERE text_hash IN (SELECT value FROM json_each(?1)) AND deleted_at IS NULL
           AND (?2 IS NULL OR course_id = ?2))
       WHERE n <= ?3`,
    )
    .bind(JSON.stringify([...new Set(hashes)]), courseId, MAX_TWINS_PER_HASH + 1)
    .all<Pick<ItemRow, "id" | "course_id" | "dedup_hash" | "dedup_provisional"> & { text_hash: string }>();
  for (const row of results) {
    const list = out.get(row.text_hash) ?? [];
    list.push({
      id: row.id,
      courseId: row.course_id,
      textHash: row.text_hash,
      dedupHash: row.dedup_hash,
      provisional: row.dedup_provisional === 1,
    });
    out.set(row.text_hash, list);
  }
  return out;
}

/** Marks an item's current text as checked (provisionally or finally), unless its text changed meanwhile. */
export function markCheckedStatement(
  db: Database,
  itemId: string,
  textHash: string,
  provisional: boolean,
): D1PreparedStatement {
  return db.$client
    .prepare(
      `UPDATE items SET dedup_hash = ?2, dedup_provisional = ?3
       WHERE id = ?1 AND text_hash = ?2 AND deleted_at IS NULL`,
    )
    .bind(itemId, textHash, provisional ? 1 : 0);
}

/**
 * Forgets the checks of gone items whose vectors have just been deleted (one batch). Guarded by the check hash seen,
 * not by "still gone": an item restored meanwhile must be checked (and indexed) again, since its vector is gone now.
 */
export async function clearChecks(
  db: Database,
  gone: readonly Pick<DedupItem, "id" | "dedupHash">[],
): Promise<void> {
  const [first, ...rest] = gone.map((item) =>
    db
      .update(items)
      .set({ dedupHash: null, dedupProvisional: null })
      .where(
        and(
          eq(items.id, item.id),
          item.dedupHash === null ? isNull(items.dedupHash) : eq(items.dedupHash, item.dedupHash),
        ),
      ),
  );
  if (first === undefined) return;
  await db.batch([first, ...rest]);
}
