/**
 * The write path of the mirror. Items and their change log are written with one `INSERT ... SELECT FROM json_each(?)`
 * statement per chunk, so a chunk of hundreds of rows binds a single parameter (D1 allows 100 per statement) and a
 * 10,000-item course needs tens of statements, not thousands (D1 also caps queries per invocation). Every commit is
 * one `db.batch()`: rows, change log, blob rows, the job checkpoint and any watermark land together or not at all.
 */

export interface ItemRow {
  id: string;
  courseId: number;
  type: string;
  canvasId: string;
  parentId: string | null;
  title: string | null;
  contentHash: string;
  canvasUpdatedAt: string | null;
  canvasModifiedAt: string | null;
  size: number | null;
  data: string;
  blobSha256: string | null;
  textHash: string | null;
  text: string | null;
  textKey: string | null;
  textStatus: string | null;
  replacesId: string | null;
  now: number;
}

export interface ChangeRow {
  itemId: string;
  courseId: number;
  jobId: string | null;
  kind: string;
  fields: string | null;
  at: number;
}

export interface BlobRow {
  sha256: string;
  r2Key: string;
  size: number;
  contentType: string | null;
  createdAt: number;
}

/** Bytes of JSON per statement: far below D1's 2 MB string limit and 100 KB SQL limit (the JSON is a parameter). */
const CHUNK_BYTES = 900_000;
const CHUNK_ROWS = 400;

export function chunkBySize<T>(rows: readonly T[], sizeOf: (row: T) => number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = sizeOf(row);
    if (current.length > 0 && (bytes + size > CHUNK_BYTES || current.length >= CHUNK_ROWS)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const UPSERT_ITEMS = `
INSERT INTO items (id, course_id, type, canvas_id, parent_id, title, content_hash, canvas_updated_at,
  canvas_modified_at, size, data, blob_sha256, text_hash, text, text_key, text_status, replaces_id, version,
  first_seen_at, changed_at, deleted_at)
SELECT j.value ->> 'id', j.value ->> 'courseId', j.value ->> 'type', j.value ->> 'canvasId', j.value ->> 'parentId',
  j.value ->> 'title', j.value ->> 'contentHash', j.value ->> 'canvasUpdatedAt', j.value ->> 'canvasModifiedAt',
  j.value ->> 'size', j.value ->> 'data', j.value ->> 'blobSha256', j.value ->> 'textHash', j.value ->> 'text',
  j.value ->> 'textKey', j.value ->> 'textStatus', j.value ->> 'replacesId', 1, j.value ->> 'now', j.value ->> 'now', NULL
FROM json_each(?1) AS j WHERE true
ON CONFLICT(id) DO UPDATE SET
  parent_id = excluded.parent_id,
  title = excluded.title,
  version = CASE WHEN items.content_hash = excluded.content_hash AND items.deleted_at IS NULL
    THEN items.version ELSE items.version + 1 END,
  changed_at = CASE WHEN items.content_hash = excluded.content_hash AND items.deleted_at IS NULL
    THEN items.changed_at ELSE excluded.changed_at END,
  content_hash = excluded.content_hash,
  canvas_updated_at = excluded.canvas_updated_at,
  canvas_modified_at = excluded.canvas_modified_at,
  size = excluded.size,
  data = excluded.data,
  blob_sha256 = excluded.blob_sha256,
  text_hash = excluded.text_hash,
  text = excluded.text,
  text_key = excluded.text_key,
  text_status = excluded.text_status,
  replaces_id = COALESCE(excluded.replaces_id, items.replaces_id),
  deleted_at = NULL`;

const INSERT_CHANGES = `
INSERT INTO item_changes (item_id, course_id, job_id, kind, fields, at)
SELECT j.value ->> 'itemId', j.value ->> 'courseId', j.value ->> 'jobId', j.value ->> 'kind', j.value ->> 'fields',
  j.value ->> 'at'
FROM json_each(?1) AS j`;

const TOMBSTONE = `
UPDATE items SET deleted_at = ?2, changed_at = ?2, version = version + 1,
  replaced_by_id = COALESCE((SELECT j.value ->> 'replacedBy' FROM json_each(?1) AS j WHERE j.value ->> 'id' = items.id), replaced_by_id)
WHERE id IN (SELECT j.value ->> 'id' FROM json_each(?1) AS j) AND deleted_at IS NULL`;

const INSERT_BLOBS = `
INSERT INTO blobs (sha256, r2_key, size, content_type, created_at)
SELECT j.value ->> 'sha256', j.value ->> 'r2Key', j.value ->> 'size', j.value ->> 'contentType', j.value ->> 'createdAt'
FROM json_each(?1) AS j WHERE true
ON CONFLICT(sha256) DO UPDATE SET orphaned_at = NULL`;

/** Statements that upsert items (only call with rows that really changed). */
export function upsertItemStatements(db: D1Database, rows: readonly ItemRow[]): D1PreparedStatement[] {
  return chunkBySize(rows, (row) => row.data.length + (row.text?.length ?? 0) + 400).map((chunk) =>
    db.prepare(UPSERT_ITEMS).bind(JSON.stringify(chunk)),
  );
}

export function insertChangeStatements(db: D1Database, rows: readonly ChangeRow[]): D1PreparedStatement[] {
  return chunkBySize(rows, (row) => (row.fields?.length ?? 0) + 200).map((chunk) =>
    db.prepare(INSERT_CHANGES).bind(JSON.stringify(chunk)),
  );
}

/** Soft-deletes live items; `replacedBy` links a replaced file to its successor. */
export function tombstoneStatements(
  db: D1Database,
  rows: readonly { id: string; replacedBy: string | null }[],
  now: number,
): D1PreparedStatement[] {
  return chunkBySize(rows, (row) => row.id.length + 80).map((chunk) =>
    db.prepare(TOMBSTONE).bind(JSON.stringify(chunk), now),
  );
}

export function insertBlobStatements(db: D1Database, rows: readonly BlobRow[]): D1PreparedStatement[] {
  return chunkBySize(rows, () => 200).map((chunk) => db.prepare(INSERT_BLOBS).bind(JSON.stringify(chunk)));
}

/** Runs statements as one atomic batch and returns the rows D1 reports written. */
export async function commitBatch(db: D1Database, statements: D1PreparedStatement[]): Promise<number> {
  if (statements.length === 0) return 0;
  const results = await db.batch(statements);
  return results.reduce((sum, result) => sum + (result.meta.rows_written ?? 0), 0);
}
