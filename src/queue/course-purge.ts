/**
 * Deleting everything mirrored for a removed course (DELETE /api/courses/:id?purge=true): its vectors leave the
 * index first (so no other course's dedup check finds a neighbour whose item is gone), then its rows in D1, then the
 * blob GC marks the bytes no live item references any more; they are deleted after BLOB_GRACE_HOURS by the cron's
 * regular GC, exactly like the bytes of a deleted file. Idempotent, so it can run again when a sync that was still
 * running for the course ends.
 */
import { indexableId } from "../dedup/vectors/item-vectors";
import { isVectorIndexPort } from "../ports/vector-index";
import { collectGarbageBlobs } from "../storage/blob-gc";
import type { Database } from "../storage/d1/client";
import { indexedItemIds, purgeCourseRows, type PurgedRows } from "../storage/d1/course-removal";

export interface PurgeResult extends PurgedRows {
  vectors: number;
  blobsOrphaned: number;
}

const VECTOR_PAGE = 1_000;

export async function purgeCourse(
  env: Env,
  db: Database,
  courseId: number,
  now: number,
  blobGraceMs: number,
): Promise<PurgeResult> {
  let vectors = 0;
  const index = isVectorIndexPort(env.VECTORS) ? env.VECTORS : null;
  if (index) {
    let after = "";
    for (;;) {
      const ids = await indexedItemIds(db, courseId, after, VECTOR_PAGE);
      const indexable: string[] = [];
      for (const id of ids) if (await indexableId(id)) indexable.push(id);
      if (indexable.length > 0) await index.deleteByIds(indexable);
      vectors += indexable.length;
      const last = ids.at(-1);
      if (last === undefined || ids.length < VECTOR_PAGE) break;
      after = last;
    }
  }
  const rows = await purgeCourseRows(db, courseId);
  const blobs = await collectGarbageBlobs(db, env.BLOBS, now, blobGraceMs);
  return { ...rows, vectors, blobsOrphaned: blobs.orphaned };
}
