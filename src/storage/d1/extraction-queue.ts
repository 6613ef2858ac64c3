/**
 * The text-extraction state of file items (`items.text*` columns): which files wait for extraction, what an
 * extraction reads (the item's projection and its blob), and what it writes (the text, its hash and status, or the
 * reason it failed). Raw SQL: every update is guarded by the blob the item still points at (`blob_sha256 = ?`), so
 * a file replaced meanwhile is never given the old bytes' text, and the text update shares a `batch()` with the
 * search index fill of search-docs.ts.
 */
import type { Database } from "./client";
import { fillBodyStatement } from "./search-docs";

export interface PendingExtraction {
  id: string;
  blob_sha256: string;
}

export interface ExtractionSource {
  /** the stored file projection (JSON) */
  data: string;
  r2Key: string;
  contentType: string | null;
}

/** Live files of a course whose bytes changed and whose text is not extracted yet. */
export async function listPendingExtractions(db: Database, courseId: number): Promise<PendingExtraction[]> {
  const { results } = await db.$client
    .prepare(
      `SELECT id, blob_sha256 FROM items WHERE course_id = ?1 AND type = 'file' AND text_status = 'pending'
         AND deleted_at IS NULL AND blob_sha256 IS NOT NULL`,
    )
    .bind(courseId)
    .all<PendingExtraction>();
  return results;
}

/**
 * What an extraction of these bytes reads: null when the item is gone, points at other bytes, or the bytes' row is
 * gone. (Two reads, item first, as the extraction has always done.)
 */
export async function readExtractionSource(
  db: Database,
  itemId: string,
  sha256: string,
): Promise<ExtractionSource | null> {
  const d1 = db.$client;
  const item = await d1
    .prepare("SELECT blob_sha256, data FROM items WHERE id = ?1 AND deleted_at IS NULL")
    .bind(itemId)
    .first<{ blob_sha256: string | null; data: string }>();
  if (!item || item.blob_sha256 !== sha256) return null;
  const blob = await d1
    .prepare("SELECT r2_key, content_type FROM blobs WHERE sha256 = ?1")
    .bind(sha256)
    .first<{ r2_key: string; content_type: string | null }>();
  return blob ? { data: item.data, r2Key: blob.r2_key, contentType: blob.content_type } : null;
}

/** The extraction failed with a reason (`failed:<reason>`), for the item's current bytes only. */
export async function setExtractionStatus(
  db: Database,
  itemId: string,
  sha256: string,
  status: string,
): Promise<void> {
  await db.$client
    .prepare("UPDATE items SET text_status = ?2 WHERE id = ?1 AND blob_sha256 = ?3")
    .bind(itemId, status, sha256)
    .run();
}

export interface ExtractedText {
  itemId: string;
  sha256: string;
  /** the text when kept inline, null when it went to R2 */
  text: string | null;
  textKey: string | null;
  textHash: string;
  status: string;
}

/**
 * Stores an extraction's result; a text kept in R2 is indexed for search (capped body) in the same batch, which
 * completes the document the items trigger has just marked r2_pending.
 */
export async function saveExtractedText(
  db: Database,
  result: ExtractedText,
  index: { body: string; truncated: boolean; now: number } | null,
): Promise<void> {
  const d1 = db.$client;
  const update = d1
    .prepare(
      "UPDATE items SET text = ?2, text_key = ?3, text_hash = ?4, text_status = ?5 WHERE id = ?1 AND blob_sha256 = ?6",
    )
    .bind(result.itemId, result.text, result.textKey, result.textHash, result.status, result.sha256);
  const fill =
    index === null || result.textKey === null
      ? []
      : [fillBodyStatement(d1, { itemId: result.itemId, textKey: result.textKey, ...index })];
  await d1.batch([update, ...fill]);
}

/**
 * A document whose extraction kept crashing (an isolate killed by a hostile or broken file) is marked failed, so it
 * is not sent again after every sync; new bytes (a new SHA-256) make it pending again.
 */
export async function markExtractionDeadLettered(
  db: Database,
  itemId: string,
  sha256: string,
): Promise<void> {
  await db.$client
    .prepare(
      "UPDATE items SET text_status = 'failed:dead_lettered' WHERE id = ?1 AND blob_sha256 = ?2 AND text_status = 'pending'",
    )
    .bind(itemId, sha256)
    .run();
}
