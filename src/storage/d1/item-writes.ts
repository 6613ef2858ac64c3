/**
 * The write path of the mirror. Items and their change log are written with one `INSERT ... SELECT FROM json_each(?)`
 * statement per chunk, so a chunk of hundreds of rows binds a single parameter (D1 allows 100 per statement) and a
 * 10,000-item course needs tens of statements, not thousands (D1 also caps queries per invocation). Chunks are
 * measured in UTF-8 bytes of the JSON sent (src/storage/d1/chunks.ts). Every commit is one `db.batch()`: rows,
 * change log, blob rows, issues, the job checkpoint and any watermark land together or not at all.
 */
import { jsonChunks } from "./chunks";

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
  /** the projection JSON, or (when `dataKey` is set) the projection without its rich-text field */
  data: string;
  dataKey: string | null;
  blobSha256: string | null;
  /** false: the row's text columns stay as stored (a file whose bytes did not change keeps its extracted text) */
  writeText: boolean;
  textHash: string | null;
  text: string | null;
  textKey: string | null;
  textStatus: string | null;
  replacesId: string | null;
  observedAt: number | null;
  jobId: string;
  /** added | timestamp_updated | content_updated | content_modified | restored */
  changeKind: string;
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

const INSERT_ITEMS = `
INSERT INTO items (id, course_id, type, canvas_id, parent_id, title, content_hash, canvas_updated_at,
  canvas_modified_at, size, data, data_key, blob_sha256, text_hash, text, text_key, text_status, replaces_id,
  observed_at, last_job_id, last_change_kind, version, first_seen_at, changed_at, deleted_at)
SELECT j.value ->> 'id', j.value ->> 'courseId', j.value ->> 'type', j.value ->> 'canvasId', j.value ->> 'parentId',
  j.value ->> 'title', j.value ->> 'contentHash', j.value ->> 'canvasUpdatedAt', j.value ->> 'canvasModifiedAt',
  j.value ->> 'size', j.value ->> 'data', j.value ->> 'dataKey', j.value ->> 'blobSha256', j.value ->> 'textHash',
  j.value ->> 'text', j.value ->> 'textKey', j.value ->> 'textStatus', j.value ->> 'replacesId',
  j.value ->> 'observedAt', j.value ->> 'jobId', j.value ->> 'changeKind', 1, j.value ->> 'now', j.value ->> 'now', NULL
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
  data_key = excluded.data_key,
  blob_sha256 = excluded.blob_sha256,`;

const WRITE_TEXT = `
  text_hash = excluded.text_hash,
  text = excluded.text,
  text_key = excluded.text_key,
  text_status = excluded.text_status,`;

const REST = `
  replaces_id = COALESCE(excluded.replaces_id, items.replaces_id),
  observed_at = COALESCE(excluded.observed_at, items.observed_at),
  last_job_id = excluded.last_job_id,
  last_change_kind = excluded.last_change_kind,
  deleted_at = NULL`;

const UPSERT_ITEMS = INSERT_ITEMS + WRITE_TEXT + REST;
const UPSERT_ITEMS_KEEP_TEXT = INSERT_ITEMS + REST;

const INSERT_CHANGES = `
INSERT INTO item_changes (item_id, course_id, job_id, kind, fields, at)
SELECT j.value ->> 'itemId', j.value ->> 'courseId', j.value ->> 'jobId', j.value ->> 'kind', j.value ->> 'fields',
  j.value ->> 'at'
FROM json_each(?1) AS j`;

const TOMBSTONE = `
UPDATE items SET deleted_at = ?2, changed_at = ?2, version = version + 1, last_job_id = ?3,
  replaced_by_id = COALESCE((SELECT j.value ->> 'replacedBy' FROM json_each(?1) AS j WHERE j.value ->> 'id' = items.id), replaced_by_id),
  last_change_kind = CASE WHEN (SELECT j.value ->> 'replacedBy' FROM json_each(?1) AS j WHERE j.value ->> 'id' = items.id)
    IS NULL THEN 'deleted' ELSE 'replaced' END
WHERE id IN (SELECT j.value ->> 'id' FROM json_each(?1) AS j) AND deleted_at IS NULL`;

const TOUCH = `
UPDATE items SET observed_at = j.value ->> 'observedAt'
FROM json_each(?1) AS j WHERE items.id = j.value ->> 'id'`;

const LINK_REPLACEMENT = `
UPDATE items SET replaces_id = j.value ->> 'oldId'
FROM json_each(?1) AS j WHERE items.id = j.value ->> 'newId'`;

const INSERT_BLOBS = `
INSERT INTO blobs (sha256, r2_key, size, content_type, created_at)
SELECT j.value ->> 'sha256', j.value ->> 'r2Key', j.value ->> 'size', j.value ->> 'contentType', j.value ->> 'createdAt'
FROM json_each(?1) AS j WHERE true
ON CONFLICT(sha256) DO UPDATE SET orphaned_at = NULL`;

/** Statements that upsert items (only call with rows that really changed). */
export function upsertItemStatements(db: D1Database, rows: readonly ItemRow[]): D1PreparedStatement[] {
  const withText = rows.filter((row) => row.writeText);
  const keepText = rows.filter((row) => !row.writeText);
  return [
    ...jsonChunks(withText).map((chunk) => db.prepare(UPSERT_ITEMS).bind(chunk)),
    ...jsonChunks(keepText).map((chunk) => db.prepare(UPSERT_ITEMS_KEEP_TEXT).bind(chunk)),
  ];
}

export function insertChangeStatements(db: D1Database, rows: readonly ChangeRow[]): D1PreparedStatement[] {
  return jsonChunks(rows).map((chunk) => db.prepare(INSERT_CHANGES).bind(chunk));
}

/** Soft-deletes live items for a job; `replacedBy` links a replaced file to its successor. */
export function tombstoneStatements(
  db: D1Database,
  rows: readonly { id: string; replacedBy: string | null }[],
  now: number,
  jobId: string,
): D1PreparedStatement[] {
  return jsonChunks(rows).map((chunk) => db.prepare(TOMBSTONE).bind(chunk, now, jobId));
}

/** Records when unchanged bodies were read again (an ambiguous revision re-read and found the same). */
export function touchObservedStatements(
  db: D1Database,
  rows: readonly { id: string; observedAt: number }[],
): D1PreparedStatement[] {
  return jsonChunks(rows).map((chunk) => db.prepare(TOUCH).bind(chunk));
}

/** Links replacement files already stored to the files they replaced. */
export function linkReplacementStatements(
  db: D1Database,
  links: readonly { oldId: string; newId: string }[],
): D1PreparedStatement[] {
  return jsonChunks(links).map((chunk) => db.prepare(LINK_REPLACEMENT).bind(chunk));
}

export function insertBlobStatements(db: D1Database, rows: readonly BlobRow[]): D1PreparedStatement[] {
  return jsonChunks(rows).map((chunk) => db.prepare(INSERT_BLOBS).bind(chunk));
}

/** Runs statements as one atomic batch and returns the rows D1 reports written. */
export async function commitBatch(db: D1Database, statements: D1PreparedStatement[]): Promise<number> {
  if (statements.length === 0) return 0;
  const results = await db.batch(statements);
  return results.reduce((sum, result) => sum + (result.meta.rows_written ?? 0), 0);
}
