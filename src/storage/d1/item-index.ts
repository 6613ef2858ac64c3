/**
 * Reads of the `items` table for change detection. The index leaves the rich text out on the D1 side
 * (`json_remove` of the type's text field, and never the `text` column), so a collection of page bodies costs
 * kilobytes, not megabytes; the full projection of the few objects that changed is read by id afterwards.
 * Raw SQL: drizzle has no expression for a per-type `json_remove`.
 */
import type { ItemType } from "../../detect/item-types";
import { TEXT_FIELD } from "../../detect/projections";
import type { Database } from "./client";

export interface ItemIndexRow {
  id: string;
  type: string;
  canvasId: string;
  parentId: string | null;
  contentHash: string;
  canvasUpdatedAt: string | null;
  canvasModifiedAt: string | null;
  size: number | null;
  /** the projection without the type's rich-text field */
  lightData: string;
  /** 1 when lightData lacks a field the full projection has */
  stripped: number;
  deletedAt: number | null;
  blobSha256: string | null;
  textHash: string | null;
  textKey: string | null;
  textStatus: string | null;
  lastJobId: string | null;
  lastChangeKind: string | null;
  observedAt: number | null;
  dataKey: string | null;
}

const PAGE_ROWS = 1000;

/** `CASE type WHEN 'page' THEN json_remove(data, '$.body') ... ELSE data END`, from the fixed TEXT_FIELD table. */
function lightDataSql(): string {
  const cases = Object.entries(TEXT_FIELD)
    .map(([type, field]) => `WHEN '${type}' THEN json_remove(data, '$.${field}')`)
    .join(" ");
  return `CASE type ${cases} ELSE data END`;
}

function strippedSql(): string {
  const types = Object.keys(TEXT_FIELD)
    .map((type) => `'${type}'`)
    .join(", ");
  return `CASE WHEN type IN (${types}) THEN 1 ELSE 0 END`;
}

const INDEX_COLUMNS = `id, type, canvas_id AS canvasId, parent_id AS parentId, content_hash AS contentHash,
  canvas_updated_at AS canvasUpdatedAt, canvas_modified_at AS canvasModifiedAt, size,
  ${lightDataSql()} AS lightData, ${strippedSql()} AS stripped, deleted_at AS deletedAt, blob_sha256 AS blobSha256,
  text_hash AS textHash, text_key AS textKey, text_status AS textStatus, last_job_id AS lastJobId,
  last_change_kind AS lastChangeKind, observed_at AS observedAt, data_key AS dataKey`;

/** The index rows of a course's objects of `types`, read in pages of 1,000 by id. */
export async function loadItemIndex(
  db: Database,
  courseId: number,
  types: readonly ItemType[],
): Promise<ItemIndexRow[]> {
  const rows: ItemIndexRow[] = [];
  const typeList = JSON.stringify(types);
  let after = "";
  for (;;) {
    const { results } = await db.$client
      .prepare(
        `SELECT ${INDEX_COLUMNS} FROM items
         WHERE course_id = ?1 AND type IN (SELECT value FROM json_each(?2)) AND id > ?3 ORDER BY id LIMIT ?4`,
      )
      .bind(courseId, typeList, after, PAGE_ROWS)
      .all<ItemIndexRow>();
    rows.push(...results);
    const last = results.at(-1);
    if (results.length < PAGE_ROWS || !last) return rows;
    after = last.id;
  }
}

/** The stored projections (or their R2 keys) of some items. */
export async function loadFullData(
  db: Database,
  ids: readonly string[],
): Promise<{ id: string; data: string; dataKey: string | null }[]> {
  if (ids.length === 0) return [];
  const { results } = await db.$client
    .prepare("SELECT id, data, data_key AS dataKey FROM items WHERE id IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(ids))
    .all<{ id: string; data: string; dataKey: string | null }>();
  return results;
}
