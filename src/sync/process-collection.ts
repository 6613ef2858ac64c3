/**
 * Processes one collection of one course: list it, classify every object through the tiers, write only real
 * changes in batches of 50 with bounded concurrency, commit every 5 batches together with the job checkpoint, then
 * (only after a complete listing) tombstone what disappeared and link replaced files, and finally advance the
 * collection's watermark in the same atomic batch as its last rows.
 */
import { and, eq } from "drizzle-orm";
import { classifyObservation } from "../detect/classify";
import { fingerprint } from "../detect/canonical";
import { titleOf } from "../detect/projections";
import { classifyError } from "../resilience/classify";
import type { Database } from "../storage/d1/client";
import {
  insertChangeStatements,
  tombstoneStatements,
  upsertItemStatements,
  type ChangeRow,
  type ItemRow,
} from "../storage/d1/item-writes";
import { collectionCursors } from "../storage/d1/schema";
import type { Collector, Entry } from "./collectors";
import { entryKey } from "./collectors";
import type { SyncContext } from "./context";
import { detectReplacements } from "./replacements";
import { countsFor, recordClassification, recordError } from "./report";
import { loadStoredItems, type StoredItem } from "./stored-items";
import { textFields } from "./text-fields";

interface PendingWrites {
  items: ItemRow[];
  changes: ChangeRow[];
}

export async function processCollection(
  ctx: SyncContext,
  orm: Database,
  collector: Collector,
): Promise<void> {
  const report = ctx.checkpoint.report;
  const cursor = await orm
    .select()
    .from(collectionCursors)
    .where(
      and(eq(collectionCursors.courseId, ctx.courseId), eq(collectionCursors.collection, collector.name)),
    )
    .get();
  const requestsBefore = ctx.client.stats.requests;
  const listing = await collector.list(ctx, cursor?.watermark ?? null);
  report.listRequests += ctx.client.stats.requests - requestsBefore;
  if (listing.invalid > 0) {
    countsFor(report, collector.types[0] ?? "course").skipped += listing.invalid;
    recordError(report, "content", `${listing.invalid} malformed object(s) in ${collector.name} listing`);
  }
  const stored = await loadStoredItems(orm, ctx.courseId, collector.types);

  const resumed =
    ctx.checkpoint.current?.collection === collector.name ? ctx.checkpoint.current.accounted : [];
  const accounted = new Set(resumed);
  ctx.checkpoint.current = { collection: collector.name, accounted: [...accounted] };

  const pending: PendingWrites = { items: [], changes: [] };
  const { batchSize, concurrency, commitEveryBatches } = ctx.config;
  let batchesSinceCommit = 0;
  let done = 0;
  for (let start = 0; start < listing.entries.length; start += batchSize) {
    const batch = listing.entries.slice(start, start + batchSize);
    await runWithConcurrency(batch, concurrency, async (entry) => {
      const key = entryKey(ctx, entry);
      if (accounted.has(key)) return;
      await processEntry(ctx, entry, key, stored.get(key), pending);
      accounted.add(key);
    });
    done += batch.length;
    batchesSinceCommit++;
    if (batchesSinceCommit >= commitEveryBatches && pending.items.length + pending.changes.length > 0) {
      ctx.checkpoint.current = { collection: collector.name, accounted: [...accounted] };
      await commit(ctx, pending, [], listing.entries.length - done);
      batchesSinceCommit = 0;
      await ctx.onProgress(done, listing.entries.length, collector.name);
    }
  }

  const seen = new Set(listing.entries.map((entry) => entryKey(ctx, entry)));
  const extra: D1PreparedStatement[] = [];
  const mayDelete = listing.complete && (collector.listsCompletely || ctx.reconcile);
  const live = [...stored.values()].filter((item) => !item.deleted);
  const explicitlyGone = new Set(listing.gone ?? []);
  const gone = live.filter((item) => (mayDelete && !seen.has(item.id)) || explicitlyGone.has(item.id));
  const replacements =
    collector.name === "files"
      ? await detectReplacements(ctx, listing.entries, live, seen, listing.complete)
      : [];
  const tombstones = new Map<string, string | null>(gone.map((item) => [item.id, null]));
  for (const { oldId, newId } of replacements) tombstones.set(oldId, newId);
  if (tombstones.size > 0) {
    const now = ctx.now();
    extra.push(
      ...tombstoneStatements(
        ctx.db,
        [...tombstones].map(([id, replacedBy]) => ({ id, replacedBy })),
        now,
      ),
    );
    for (const [id, replacedBy] of tombstones) {
      const item = stored.get(id);
      if (!item) continue;
      const counts = countsFor(report, item.type);
      if (replacedBy) counts.replaced++;
      else counts.deleted++;
      pending.changes.push({
        itemId: id,
        courseId: ctx.courseId,
        jobId: ctx.jobId,
        kind: replacedBy ? "replaced" : "deleted",
        fields: replacedBy ? JSON.stringify([{ field: "replaced_by", new: replacedBy }]) : null,
        at: now,
      });
    }
    for (const { oldId, newId } of replacements) {
      const row = pending.items.find((candidate) => candidate.id === newId);
      if (row) row.replacesId = oldId;
      else extra.push(ctx.db.prepare("UPDATE items SET replaces_id = ?1 WHERE id = ?2").bind(oldId, newId));
    }
  }
  const cursorUpdate = cursorStatement(ctx, collector, listing, cursor?.watermark ?? null, mayDelete);
  if (cursorUpdate) extra.push(cursorUpdate);
  ctx.checkpoint.done.push(collector.name);
  ctx.checkpoint.current = null;
  // A collection that changed nothing writes nothing, not even its checkpoint: redoing its listing after a crash is
  // cheaper than a row write on every no-change sync.
  if (pending.items.length + pending.changes.length + extra.length > 0) await commit(ctx, pending, extra, 0);
  await ctx.onProgress(listing.entries.length, listing.entries.length, collector.name);
}

async function processEntry(
  ctx: SyncContext,
  entry: Entry,
  key: string,
  stored: StoredItem | undefined,
  pending: PendingWrites,
): Promise<void> {
  const report = ctx.checkpoint.report;
  let built;
  try {
    built = await entry.build(stored);
  } catch (error) {
    const category = classifyError(error);
    if (category === "content" || category === "permission") {
      // One unreadable or forbidden object never fails the job: skip it, say why, keep what we had.
      countsFor(report, entry.type).skipped++;
      recordError(report, category, `${entry.type} ${entry.canvasId}: ${messageOf(error)}`);
      return;
    }
    throw error;
  }
  if (built.blob) {
    if (built.blob.isNew) report.r2Writes++;
    else report.dedup.blobHits++;
  }
  const hash = await fingerprint(built.projection);
  const classification = classifyObservation(stored, {
    hash,
    projection: built.projection,
    timestamps: entry.timestamps,
  });
  recordClassification(report, entry.type, classification.kind);
  if (classification.kind === "unchanged") return;
  const now = ctx.now();
  const text = await textFields(ctx, entry.type, built.projection, stored);
  pending.items.push({
    id: key,
    courseId: ctx.courseId,
    type: entry.type,
    canvasId: entry.canvasId,
    parentId: entry.parentId,
    title: titleOf(entry.type, built.projection),
    contentHash: hash,
    canvasUpdatedAt: entry.timestamps.updatedAt,
    canvasModifiedAt: entry.timestamps.modifiedAt,
    size: entry.timestamps.size,
    data: JSON.stringify(built.projection),
    blobSha256: built.blob?.sha256 ?? stored?.blobSha256 ?? null,
    textHash: text.textHash,
    text: text.text,
    textKey: text.textKey,
    textStatus: text.textStatus,
    replacesId: null,
    now,
  });
  if (classification.kind !== "timestamp_updated") {
    pending.changes.push({
      itemId: key,
      courseId: ctx.courseId,
      jobId: ctx.jobId,
      kind: classification.kind,
      fields: classification.fields.length > 0 ? JSON.stringify(classification.fields) : null,
      at: now,
    });
  }
}

/**
 * The collection's cursor row, when it moves: the files watermark (newest updated_at fully processed) and, for
 * collections that are not listed completely on every run, the time of the last complete (reconciling) listing.
 */
function cursorStatement(
  ctx: SyncContext,
  collector: Collector,
  listing: { newestTimestamp: string | null },
  previous: string | null,
  reconciled: boolean,
): D1PreparedStatement | null {
  const newest = listing.newestTimestamp;
  const watermark =
    newest !== null && (previous === null || Date.parse(newest) > Date.parse(previous)) ? newest : previous;
  const records = !collector.listsCompletely && reconciled;
  if (watermark === previous && !records) return null;
  return ctx.db
    .prepare(
      `INSERT INTO collection_cursors (course_id, collection, watermark, reconciled_at) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT(course_id, collection) DO UPDATE SET watermark = excluded.watermark,
         reconciled_at = COALESCE(excluded.reconciled_at, collection_cursors.reconciled_at)`,
    )
    .bind(ctx.courseId, collector.name, watermark, records ? ctx.now() : null);
}

/**
 * Commits pending rows, extra statements and the job checkpoint in one atomic batch. The job's progress is the
 * objects accounted for so far out of those known so far (`remaining` left in the collection being processed).
 */
async function commit(
  ctx: SyncContext,
  pending: PendingWrites,
  extra: D1PreparedStatement[],
  remaining: number,
): Promise<void> {
  const report = ctx.checkpoint.report;
  ctx.beforeCommit();
  const progress = Object.values(report.types).reduce(
    (sum, counts) =>
      sum +
      counts.added +
      counts.unchanged +
      counts.updated.timestamp +
      counts.updated.content +
      counts.updated.modified +
      counts.restored +
      counts.skipped,
    0,
  );
  const itemStatements = upsertItemStatements(ctx.db, pending.items);
  const statements = [...itemStatements, ...insertChangeStatements(ctx.db, pending.changes), ...extra];
  const checkpoint = ctx.db
    .prepare(
      `UPDATE sync_jobs SET checkpoint = ?1, checkpoint_at = ?2, progress_done = ?4, progress_total = ?5
       WHERE id = ?3`,
    )
    .bind(JSON.stringify(ctx.checkpoint), ctx.now(), ctx.jobId, progress, progress + remaining);
  const results = await ctx.db.batch([...statements, checkpoint]);
  let itemRows = 0;
  let rows = 0;
  results.forEach((result, index) => {
    const written = result.meta.rows_written ?? 0;
    rows += written;
    if (index < itemStatements.length) itemRows += written;
  });
  report.d1RowsWritten += rows;
  report.itemRowsWritten += itemRows;
  pending.items.length = 0;
  pending.changes.length = 0;
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function runWithConcurrency<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await task(item);
    }
  });
  await Promise.all(workers);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
