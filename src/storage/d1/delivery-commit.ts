/**
 * The commit of a sync delivery: item rows, tombstones, re-read observation times, replacement links, the change
 * log, blob rows, the issue book's changes, the collection's cursor (its watermark) and the job checkpoint, in one
 * atomic `batch()`, so a crash loses at most what came after the last commit. Raw SQL: the statements are the
 * `json_each` chunk writes of item-writes.ts and sync-issues.ts, which drizzle cannot express.
 */
import type { Database } from "./client";
import { cursorStatement, type CursorWrite } from "./collection-cursors";
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
} from "./item-writes";
import { deleteIssueStatements, upsertIssueStatements, type IssueWrite } from "./sync-issues";

/** What a delivery has decided but not yet written. */
export interface ItemWrites {
  items: ItemRow[];
  changes: ChangeRow[];
  tombstones: { id: string; replacedBy: string | null }[];
  touches: { id: string; observedAt: number }[];
  links: { oldId: string; newId: string }[];
  blobs: BlobRow[];
}

/** The issue book's changes since its last flush: issues opened or changed, and issues resolved. */
export interface IssueChanges {
  courseId: number;
  writes: IssueWrite[];
  resolved: string[];
}

export interface CheckpointWrite {
  jobId: string;
  /** the checkpoint as JSON */
  checkpoint: string;
  now: number;
  done: number;
  total: number;
}

export interface CommitResult {
  /** rows D1 reports written by the whole batch */
  rowsWritten: number;
  /** of which item rows (upserts and tombstones) */
  itemRowsWritten: number;
}

export async function commitDelivery(
  db: Database,
  writes: ItemWrites,
  issues: IssueChanges,
  cursor: CursorWrite | null,
  checkpoint: CheckpointWrite,
): Promise<CommitResult> {
  const d1 = db.$client;
  const itemStatements = [
    ...upsertItemStatements(d1, writes.items),
    ...tombstoneStatements(d1, writes.tombstones, checkpoint.now, checkpoint.jobId),
  ];
  const blobStatements = insertBlobStatements(d1, writes.blobs);
  const statements = [
    ...blobStatements,
    ...itemStatements,
    ...touchObservedStatements(d1, writes.touches),
    ...linkReplacementStatements(d1, writes.links),
    ...insertChangeStatements(d1, writes.changes),
    ...upsertIssueStatements(d1, issues.writes),
    ...deleteIssueStatements(d1, issues.courseId, issues.resolved),
    ...(cursor === null ? [] : [cursorStatement(d1, cursor)]),
    d1
      .prepare(
        `UPDATE sync_jobs SET checkpoint = ?1, checkpoint_at = ?2, progress_done = ?4, progress_total = ?5
         WHERE id = ?3`,
      )
      .bind(checkpoint.checkpoint, checkpoint.now, checkpoint.jobId, checkpoint.done, checkpoint.total),
  ];
  const results = await d1.batch(statements);
  let itemRowsWritten = 0;
  let rowsWritten = 0;
  const itemsFrom = blobStatements.length;
  results.forEach((result, index) => {
    const written = result.meta.rows_written ?? 0;
    rowsWritten += written;
    if (index >= itemsFrom && index < itemsFrom + itemStatements.length) itemRowsWritten += written;
  });
  return { rowsWritten, itemRowsWritten };
}
