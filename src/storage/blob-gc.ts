/**
 * Releasing blobs. A blob (one stored copy of some bytes) is kept while any live file references it. When the last
 * reference goes (the file was deleted or replaced), the blob is marked orphaned; after a grace period (so a file
 * that comes back, or a concurrent sync that is about to reference the same bytes, finds them still there) the R2
 * object and its row are deleted. The delete re-checks references in the same statement, so a blob that gained a
 * reference during the grace period is never removed.
 */
import type { Database } from "./d1/client";
import { deleteOrphanedBlobs, markOrphanedBlobs } from "./d1/blobs";

export interface BlobGcResult {
  orphaned: number;
  deleted: number;
}

export async function collectGarbageBlobs(
  db: Database,
  bucket: R2Bucket,
  now: number,
  graceMs: number,
  limit = 500,
): Promise<BlobGcResult> {
  const orphaned = await markOrphanedBlobs(db, now);
  const keys = await deleteOrphanedBlobs(db, now - graceMs, limit);
  for (let start = 0; start < keys.length; start += 1000)
    await bucket.delete(keys.slice(start, start + 1000));
  return { orphaned, deleted: keys.length };
}
