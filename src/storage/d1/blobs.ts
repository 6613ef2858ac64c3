/** Reads of the content-addressed `blobs` table (one row per stored copy of some bytes). */
import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { blobs } from "./schema";

export type BlobRecord = Pick<typeof blobs.$inferSelect, "r2Key" | "contentType" | "size">;

/** The blob row for a SHA-256, or undefined when the bytes are not (or no longer) stored. */
export async function getBlob(orm: Database, sha256: string): Promise<BlobRecord | undefined> {
  return orm
    .select({ r2Key: blobs.r2Key, contentType: blobs.contentType, size: blobs.size })
    .from(blobs)
    .where(eq(blobs.sha256, sha256))
    .get();
}

/** A blob no live item references: what the GC marks orphaned and, after the grace period, deletes. */
const UNREFERENCED =
  "NOT EXISTS (SELECT 1 FROM items i WHERE i.blob_sha256 = blobs.sha256 AND i.deleted_at IS NULL)";

/**
 * Marks blobs that lost their last reference as orphaned (since `now`) and clears the mark of blobs referenced
 * again, in one batch; returns how many were newly marked. Raw SQL: the correlated NOT EXISTS on items.
 */
export async function markOrphanedBlobs(db: Database, now: number): Promise<number> {
  const d1 = db.$client;
  const [marked] = await d1.batch([
    d1.prepare(`UPDATE blobs SET orphaned_at = ?1 WHERE orphaned_at IS NULL AND ${UNREFERENCED}`).bind(now),
    d1.prepare(`UPDATE blobs SET orphaned_at = NULL WHERE orphaned_at IS NOT NULL AND NOT (${UNREFERENCED})`),
  ]);
  return marked?.meta.changes ?? 0;
}

/**
 * Deletes the rows of up to `limit` blobs orphaned at or before `cutoff` and still unreferenced (checked in the
 * same statement, so a blob that gained a reference meanwhile stays) and returns their R2 keys. Raw SQL: DELETE
 * with a limited subquery and RETURNING.
 */
export async function deleteOrphanedBlobs(db: Database, cutoff: number, limit: number): Promise<string[]> {
  const { results } = await db.$client
    .prepare(
      `DELETE FROM blobs WHERE sha256 IN (
         SELECT sha256 FROM blobs WHERE orphaned_at IS NOT NULL AND orphaned_at <= ?1 AND ${UNREFERENCED} LIMIT ?2)
       RETURNING r2_key`,
    )
    .bind(cutoff, limit)
    .all<{ r2_key: string }>();
  return results.map((row) => row.r2_key);
}

/** The R2 key holding these bytes, or null when no row exists. */
export async function findBlobKey(db: Database, sha256: string): Promise<string | null> {
  const row = await db.$client
    .prepare("SELECT r2_key FROM blobs WHERE sha256 = ?1")
    .bind(sha256)
    .first<{ r2_key: string }>();
  return row?.r2_key ?? null;
}

/**
 * Inserts the blob row unless one exists (the first row for a hash wins; an existing one is no longer orphaned).
 * Raw SQL: the conflict clause that clears `orphaned_at` instead of ignoring the insert.
 */
export async function claimBlobRow(
  db: Database,
  blob: { sha256: string; key: string; size: number; contentType: string | null; now: number },
): Promise<void> {
  await db.$client
    .prepare(
      `INSERT INTO blobs (sha256, r2_key, size, content_type, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT(sha256) DO UPDATE SET orphaned_at = NULL`,
    )
    .bind(blob.sha256, blob.key, blob.size, blob.contentType, blob.now)
    .run();
}
