/**
 * @module storage/d1/duplicates
 * The `duplicates` table as a dedup pass uses it: the rows of the items being checked, the writes that carry out a
 * `decidePair` answer (each a compare-and-set, so of two racing passes exactly one inserts or updates a row), the
 * sweep that drops links and open conflicts whose item died or lost its text, and the byte-identical (same blob)
 * pairs of a course that are not linked yet. The row shape (`DuplicateRow`) is declared here once; the conflicts API
 * (conflicts.ts) reads the same rows.
 *
 * Raw SQL through `db.$client`: item lists travel as one JSON parameter (`json_each`, D1 allows 100 bound parameters
 * per statement), the writes are compare-and-set statements with `RETURNING` batched with others whose results are
 * read one by one, and the sweep and blob-pair queries are correlated sub-selects drizzle would only wrap in `sql`.
 *
 * Rows of one course are found by item id prefix: item ids are `<courseId>:<type>:<canvasId>` (detect/item-types
 * `itemKey`), so `[ "<id>:", "<id>;" )` is exactly that course's range on the pair indexes.
 */
import type {
  DuplicateKind,
  DuplicateStatus,
  FoundPair,
  PairChange,
  PairSide,
  Resolution,
  StoredPair,
} from "./duplicate-pairs";
import type { Database } from "./client";

/** A `duplicates` row as SQL returns it (see schema.ts for what each column means). */
export interface DuplicateRow {
  id: number;
  item_a: string;
  item_b: string;
  course_a: number;
  course_b: number;
  kind: DuplicateKind;
  status: DuplicateStatus;
  score: number;
  text_hash_a: string | null;
  text_hash_b: string | null;
  reason: string;
  resolution: Resolution | null;
  canonical_item: string | null;
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
}

type PairRow = Pick<
  DuplicateRow,
  | "id"
  | "item_a"
  | "item_b"
  | "course_a"
  | "course_b"
  | "kind"
  | "status"
  | "score"
  | "text_hash_a"
  | "text_hash_b"
  | "updated_at"
>;

const PAIR_COLUMNS =
  "id, item_a, item_b, course_a, course_b, kind, status, score, text_hash_a, text_hash_b, updated_at";

function toStored(row: PairRow): StoredPair {
  return {
    id: row.id,
    itemA: row.item_a,
    itemB: row.item_b,
    courseA: row.course_a,
    courseB: row.course_b,
    kind: row.kind,
    status: row.status,
    score: row.score,
    textHashA: row.text_hash_a,
    textHashB: row.text_hash_b,
    updatedAt: row.updated_at,
  };
}

/** The id range of one course's items (see the module comment). */
export function courseIdRange(courseId: number): [string, string] {
  return [`${courseId}:`, `${courseId};`];
}

/** Every stored row that has one of `itemIds` on either side. */
export async function readPairs(db: Database, itemIds: readonly string[]): Promise<StoredPair[]> {
  if (itemIds.length === 0) return [];
  const { results } = await db.$client
    .prepare(
      `SELECT ${PAIR_COLUMNS} FROM duplicates WHERE item_a IN (SELECT value FROM json_each(?1))
       UNION SELECT ${PAIR_COLUMNS} FROM duplicates WHERE item_b IN (SELECT value FROM json_each(?1))`,
    )
    .bind(JSON.stringify(itemIds))
    .all<PairRow>();
  return results.map(toStored);
}

/**
 * The statement that carries out a decision. It returns the row id when it took effect and nothing when another
 * pass got there first. Batched with others by `writePairs` and by dedup-checks.ts `recordCheck`.
 */
export function pairWriteStatement(
  db: Database,
  pair: FoundPair,
  action: PairChange,
  now: number,
): D1PreparedStatement {
  if (action.action === "insert") {
    return db.$client
      .prepare(
        `INSERT INTO duplicates (item_a, item_b, course_a, course_b, kind, score, text_hash_a, text_hash_b, status,
           reason, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
         ON CONFLICT (item_a, item_b) DO NOTHING RETURNING id`,
      )
      .bind(
        pair.itemA,
        pair.itemB,
        pair.courseA,
        pair.courseB,
        pair.kind,
        pair.score,
        pair.textHashA,
        pair.textHashB,
        action.status,
        pair.reason,
        now,
      );
  }
  // updated_at always moves forward, so a second writer holding the same expectation cannot also succeed.
  return db.$client
    .prepare(
      `UPDATE duplicates SET kind = ?2, score = ?3, text_hash_a = ?4, text_hash_b = ?5, course_a = ?6, course_b = ?7,
         status = ?8, reason = ?9, resolution = NULL, canonical_item = NULL, resolved_at = NULL,
         updated_at = max(?10, updated_at + 1)
       WHERE id = ?1 AND updated_at = ?11 AND status = ?12 AND kind = ?13 RETURNING id`,
    )
    .bind(
      action.id,
      pair.kind,
      pair.score,
      pair.textHashA,
      pair.textHashB,
      pair.courseA,
      pair.courseB,
      action.status,
      pair.reason,
      now,
      action.expected.updatedAt,
      action.expected.status,
      action.expected.kind,
    );
}

/** A found pair and the decision that writes it. */
export interface PairWrite {
  pair: FoundPair;
  action: PairChange;
}

/**
 * Carries out the decisions in one batch. Per write, the id of the row when it took effect, undefined when another
 * pass got there first.
 */
export async function writePairs(
  db: Database,
  writes: readonly PairWrite[],
  now: number,
): Promise<(number | undefined)[]> {
  if (writes.length === 0) return [];
  const results = await db.$client.batch<{ id: number }>(
    writes.map((write) => pairWriteStatement(db, write.pair, write.action, now)),
  );
  return writes.map((_, i) => results[i]?.results[0]?.id);
}

/** Deletes rows by id, but only links and open conflicts: a decision recorded meanwhile stays. */
export function deletePairsStatement(db: Database, ids: readonly number[]): D1PreparedStatement {
  return db.$client
    .prepare(
      `DELETE FROM duplicates WHERE id IN (SELECT value FROM json_each(?1)) AND status IN ('open', 'linked')`,
    )
    .bind(JSON.stringify(ids));
}

/** The row's side is a live item (with text, for a text pair). */
const alive = (side: "item_a" | "item_b"): string =>
  `EXISTS (SELECT 1 FROM items i WHERE i.id = duplicates.${side} AND i.deleted_at IS NULL
     AND (duplicates.kind = 'exact_blob' OR i.text_hash IS NOT NULL))`;

/**
 * Drops the course's links and open conflicts that no longer hold: a side deleted (or never mirrored), a text
 * pair whose side has no text any more, a byte-identical pair whose bytes now differ. Resolved rows stay as the
 * record of a decision. Returns how many rows went.
 */
export async function sweepDeadPairs(db: Database, courseId: number): Promise<number> {
  const [low, high] = courseIdRange(courseId);
  const result = await db.$client
    .prepare(
      `DELETE FROM duplicates
       WHERE status IN ('open', 'linked')
         AND ((item_a >= ?1 AND item_a < ?2) OR (item_b >= ?1 AND item_b < ?2))
         AND (NOT ${alive("item_a")} OR NOT ${alive("item_b")}
           OR (kind = 'exact_blob' AND (SELECT blob_sha256 FROM items WHERE id = item_a)
             IS NOT (SELECT blob_sha256 FROM items WHERE id = item_b)))`,
    )
    .bind(low, high)
    .run();
  return result.meta.changes;
}

/** Two live files with the same bytes, not yet linked as such. */
export interface BlobPair {
  x: PairSide;
  y: PairSide;
}

/**
 * Up to `limit` pairs of live files, at least one of them in `courseId` (both, when `sameCourse`), that share a
 * blob and have no byte-identical link yet. Uses the course/type and blob indexes.
 */
export async function unlinkedBlobPairs(
  db: Database,
  courseId: number,
  sameCourse: boolean,
  limit: number,
): Promise<{ pairs: BlobPair[]; more: boolean }> {
  const { results } = await db.$client
    .prepare(
      `SELECT x.id AS x_id, x.course_id AS x_course, x.text_hash AS x_hash,
         y.id AS y_id, y.course_id AS y_course, y.text_hash AS y_hash
       FROM items x JOIN items y ON y.blob_sha256 = x.blob_sha256 AND y.id > x.id AND y.deleted_at IS NULL
       WHERE x.course_id = ?1 AND x.type = 'file' AND x.deleted_at IS NULL AND x.blob_sha256 IS NOT NULL
         AND (?2 = 0 OR y.course_id = ?1)
         AND NOT EXISTS (SELECT 1 FROM duplicates d WHERE d.item_a = x.id AND d.item_b = y.id
           AND d.kind = 'exact_blob' AND d.status = 'linked')
       UNION
       SELECT y.id, y.course_id, y.text_hash, x.id, x.course_id, x.text_hash
       FROM items x JOIN items y ON y.blob_sha256 = x.blob_sha256 AND y.id < x.id AND y.deleted_at IS NULL
       WHERE x.course_id = ?1 AND x.type = 'file' AND x.deleted_at IS NULL AND x.blob_sha256 IS NOT NULL
         AND ?2 = 0 AND y.course_id <> ?1
         AND NOT EXISTS (SELECT 1 FROM duplicates d WHERE d.item_a = y.id AND d.item_b = x.id
           AND d.kind = 'exact_blob' AND d.status = 'linked')
       LIMIT ?3`,
    )
    .bind(courseId, sameCourse ? 1 : 0, limit + 1)
    .all<{
      x_id: string;
      x_course: number;
      x_hash: string | null;
      y_id: string;
      y_course: number;
      y_hash: string | null;
    }>();
  const pairs = results.slice(0, limit).map((row) => ({
    x: { itemId: row.x_id, courseId: row.x_course, textHash: row.x_hash },
    y: { itemId: row.y_id, courseId: row.y_course, textHash: row.y_hash },
  }));
  return { pairs, more: results.length > limit };
}
