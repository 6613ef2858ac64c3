/**
 * What a delivery has decided but not yet written, and the commit that writes it: item rows, the change log,
 * tombstones, re-read observation times, replacement links, blob rows, the issue book's changes, the collection's
 * cursor (the watermark) and the job checkpoint, in one atomic batch. A crash loses at most what came after the last
 * commit, and the next delivery redoes exactly that.
 */
import type { CursorWrite } from "../storage/d1/collection-cursors";
import { commitDelivery, type ItemWrites } from "../storage/d1/delivery-commit";
import type { SyncContext } from "./context";

export type PendingWrites = ItemWrites;

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
 * Commits pending writes, the issue book's changes, the collection's cursor (if any) and the job checkpoint in one
 * batch (src/storage/d1/delivery-commit.ts). The job's progress is `done` objects out of `total` known so far.
 */
export async function commit(
  ctx: SyncContext,
  pending: PendingWrites,
  cursor: CursorWrite | null,
  progress: { done: number; total: number },
): Promise<void> {
  const report = ctx.checkpoint.report;
  ctx.beforeCommit();
  const now = ctx.now();
  const written = await commitDelivery(ctx.db, pending, ctx.issues.flush(), cursor, {
    jobId: ctx.jobId,
    checkpoint: JSON.stringify(ctx.checkpoint),
    now,
    done: progress.done,
    total: progress.total,
  });
  report.d1RowsWritten += written.rowsWritten;
  report.itemRowsWritten += written.itemRowsWritten;
  pending.items.length = 0;
  pending.changes.length = 0;
  pending.tombstones.length = 0;
  pending.touches.length = 0;
  pending.links.length = 0;
  pending.blobs.length = 0;
}
