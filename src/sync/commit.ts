/**
 * What a delivery has decided but not yet written, and the commit that writes it: item rows, the change log,
 * tombstones, re-read observation times, replacement links, blob rows, the issue book's changes, any collection
 * statement (the watermark) and the job checkpoint, in one atomic `db.batch()`. A crash loses at most what came
 * after the last commit, and the next delivery redoes exactly that.
 */
import {
  insertBlobStatements,
  insertChangeStatements,
  linkReplacementStatements,
  tombstoneStatements,
  touchObservedStatements,
  upsertItemStatements,
  type BlobRow,
  type ChangeRow,
  type ItemRow,
} from "../storage/d1/item-writes";
import type { SyncContext } from "./context";

export interface PendingWrites {
  items: ItemRow[];
  changes: ChangeRow[];
  tombstones: { id: string; replacedBy: string | null }[];
  touches: { id: string; observedAt: number }[];
  links: { oldId: string; newId: string }[];
  blobs: BlobRow[];
}

export function emptyPending(): PendingWrites {
  return { items: [], changes: [], tombstones: [], touches: [], links: [], blobs: [] };
}

export function hasPending(pending: PendingWrites): boolean {
  return (
    pending.items.length +
      pending.changes.length +
      pending.tombstones.length +
      pending.touches.length +
      pending.links.length +
      pending.blobs.length >
    0
  );
}

/**
 * Commits pending writes, the issue book's changes, `extra` statements and the job checkpoint in one batch. The
 * job's progress is `done` objects out of `total` known so far.
 */
export async function commit(
  ctx: SyncContext,
  pending: PendingWrites,
  extra: D1PreparedStatement[],
  progress: { done: number; total: number },
): Promise<void> {
  const report = ctx.checkpoint.report;
  ctx.beforeCommit();
  const now = ctx.now();
  const itemStatements = [
    ...upsertItemStatements(ctx.db, pending.items),
    ...tombstoneStatements(ctx.db, pending.tombstones, now, ctx.jobId),
  ];
  const blobStatements = insertBlobStatements(ctx.db, pending.blobs);
  const statements = [
    ...blobStatements,
    ...itemStatements,
    ...touchObservedStatements(ctx.db, pending.touches),
    ...linkReplacementStatements(ctx.db, pending.links),
    ...insertChangeStatements(ctx.db, pending.changes),
    ...ctx.issues.flush(ctx.db),
    ...extra,
  ];
  const checkpoint = ctx.db
    .prepare(
      `UPDATE sync_jobs SET checkpoint = ?1, checkpoint_at = ?2, progress_done = ?4, progress_total = ?5
       WHERE id = ?3`,
    )
    .bind(JSON.stringify(ctx.checkpoint), now, ctx.jobId, progress.done, progress.total);
  const results = await ctx.db.batch([...statements, checkpoint]);
  let itemRows = 0;
  let rows = 0;
  const itemsFrom = blobStatements.length;
  results.forEach((result, index) => {
    const written = result.meta.rows_written ?? 0;
    rows += written;
    if (index >= itemsFrom && index < itemsFrom + itemStatements.length) itemRows += written;
  });
  report.d1RowsWritten += rows;
  report.itemRowsWritten += itemRows;
  pending.items.length = 0;
  pending.changes.length = 0;
  pending.tombstones.length = 0;
  pending.touches.length = 0;
  pending.links.length = 0;
  pending.blobs.length = 0;
}
