/**
 * Releasing blobs. A blob (one stored copy of some bytes) is kept while any live file references it. When the last
 * reference goes (the file was deleted or replaced), the blob is marked orphaned; after a grace period (so a file
 * that comes back, or a concurrent sync that is about to reference the same bytes, finds them still there) the R2
 * object and its row are deleted. The delete re-checks references in the same statement, so a blob that gained a
 * reference during the grace period is never removed.
 */

export interface BlobGcResult {
  orphaned: number;
  deleted: number;
}

export async function collectGarbageBlobs(
  db: D1Database,
  bucket: R2Bucket,
  now: number,
  graceMs: number,
  limit = 500,
): Promise<BlobGcResult> {
  const unreferenced =
    "NOT EXISTS (SELECT 1 FROM items i WHERE i.blob_sha256 = blobs.sha256 AND i.deleted_at IS NULL)";
  const [marked] = await db.batch([
    db.prepare(`UPDATE blobs SET orphaned_at = ?1 WHERE orphaned_at IS NULL AND ${unreferenced}`).bind(now),
    db.prepare(`UPDATE blobs SET orphaned_at = NULL WHERE orphaned_at IS NOT NULL AND NOT (${unreferenced})`),
  ]);
  const { results } = await db
    .prepare(
      `DELETE FROM blobs WHERE sha256 IN (
         SELECT sha256 FROM blobs WHERE orphaned_at IS NOT NULL AND orphaned_at <= ?1 AND ${unreferenced} LIMIT ?2)
       RETURNING r2_key`,
    )
    .bind(now - graceMs, limit)
    .all<{ r2_key: string }>();
  const keys = results.map((row) => row.r2_key);
  for (let start = 0; start < keys.length; start += 1000)
    await bucket.delete(keys.slice(start, start + 1000));
  return { orphaned: marked?.meta.changes ?? 0, deleted: keys.length };
}
