/**
 * Processes a run of entries as one pipeline: each admitted by the delivery budget and built (its Canvas requests)
 * by a pool of `concurrency` workers that never waits for a batch to drain, while the built entries are settled
 * in groups of `batchSize` behind it, one group at a time: classified through the tiers and turned into pending
 * writes (and, by the caller's `afterGroup`, committed every few groups). An object this job already wrote in an
 * earlier delivery is skipped (its row carries the job's id); an object whose build failed is left behind or
 * skipped with its reason (item-failure.ts); an object a probe found gone is tombstoned at the collection's end (so
 * a replaced file can be linked to its successor); one out of the token's reach is skipped and kept.
 *
 * Classification needs the stored projection's rich text only for the few objects whose content changed (for the
 * deep diff) and for pages whose listed fields moved while their body did not: those are read in one query per batch.
 */
import { canonicalJson, fingerprint } from "../detect/canonical";
import { classifyObservation, revisionAmbiguous, type ChangeKind } from "../detect/classify";
import { TEXT_FIELD, titleOf, type Projection } from "../detect/projections";
import type { ItemType } from "../detect/item-types";
import { utf8Length } from "../storage/d1/chunks";
import type { PendingWrites } from "./commit";
import { GroupChain, runWithConcurrency } from "./concurrency";
import type { SyncContext } from "./context";
import type { BuildResult, Entry } from "./entries";
import { entryKey } from "./collectors";
import { itemFailure } from "./item-failure";
import { recordError, type Outcome } from "./report";
import { loadFullProjections, type StoredItem } from "./stored-items";
import { textFields } from "./text-fields";

export interface BatchState {
  stored: Map<string, StoredItem>;
  pending: PendingWrites;
  /** what this delivery did to each object it handled */
  outcomes: Map<string, { type: ItemType; outcome: Outcome }>;
  /** objects a probe found gone, tombstoned when the collection ends */
  gone: Map<string, Entry>;
}

interface Built {
  entry: Entry;
  key: string;
  stored: StoredItem | undefined;
  result: Extract<BuildResult, { kind: "built" }>;
  /** the projection's hash, once the projection is complete (a reused stored field is filled in first) */
  hash?: string;
}

/** Groups that may wait to be settled (one settling, one ready) before the pool pauses for them. */
const GROUPS_AHEAD = 2;

/** What the caller does after each settled group (count: entries in it), e.g. commit every few groups. */
export type AfterGroup = (count: number) => Promise<void>;

/**
 * Processes `entries`; returns how many the budget did not let start (they are left for the next delivery). The
 * pool keeps `concurrency` requests going while earlier groups are settled and committed: a batch boundary used to
 * hold every connection idle until the slowest request of the batch had answered.
 */
export async function processEntries(
  ctx: SyncContext,
  state: BatchState,
  entries: readonly Entry[],
  afterGroup: AfterGroup = async () => {},
): Promise<{ refused: number }> {
  let refused = 0;
  let ready: Built[] = [];
  let readyCount = 0;
  const groups = new GroupChain();
  const settleReady = (): void => {
    const group = ready;
    const count = readyCount;
    ready = [];
    readyCount = 0;
    groups.add(async () => {
      await settleBuilt(ctx, state, group);
      await afterGroup(count);
    });
  };
  try {
    await runWithConcurrency(entries, ctx.config.concurrency, async (entry) => {
      await groups.room(GROUPS_AHEAD);
      groups.throwIfFailed();
      const key = entryKey(ctx, entry);
      const stored = state.stored.get(key);
      const writtenByThisJob = stored?.lastJobId === ctx.jobId && ctx.issues.get(key)?.jobId !== ctx.jobId;
      if (!writtenByThisJob) {
        const cost = entry.cost(stored);
        if (!ctx.budget.admit(cost)) {
          refused++;
          return;
        }
        try {
          const result = await buildEntry(ctx, entry, key, stored);
          if (result?.kind === "built") ready.push({ entry, key, stored, result });
          else if (result !== null) settleUnbuilt(ctx, state, entry, key, stored, result);
        } finally {
          ctx.budget.settle(cost);
        }
      }
      readyCount++;
      if (readyCount >= ctx.config.batchSize) settleReady();
    });
  } catch (error) {
    // The groups already handed on (built correctly) are settled first, so no write runs behind the failure.
    await groups.settled();
    throw error;
  }
  if (readyCount > 0) settleReady();
  await groups.done();
  return { refused };
}

/**
 * Settles one group of built entries: the ones whose listed fields show them unchanged at once, the rest hashed,
 * their stored projections loaded in one query where the tiers need them, and classified into pending writes.
 */
async function settleBuilt(ctx: SyncContext, state: BatchState, built: readonly Built[]): Promise<void> {
  const rest: Built[] = [];
  for (const item of built) {
    if (quicklyUnchanged(item)) {
      state.outcomes.set(item.key, { type: item.entry.type, outcome: "unchanged" });
      ctx.issues.resolve(item.key);
      continue;
    }
    if (item.result.reuseStored === undefined) item.hash = await fingerprint(item.result.projection);
    rest.push(item);
  }
  await loadFullProjections(
    ctx.db,
    ctx.files,
    state.stored,
    rest.filter((item) => needsStoredProjection(item)).map((item) => item.key),
  );
  for (const item of rest) await finish(ctx, state, item);
}

/** Builds an entry; a failure is recorded on the object (and null returned) unless it must end the delivery. */
async function buildEntry(
  ctx: SyncContext,
  entry: Entry,
  key: string,
  stored: StoredItem | undefined,
): Promise<BuildResult | null> {
  try {
    return await entry.build(stored);
  } catch (error) {
    const failure = itemFailure(error);
    if (failure.status === "fatal") throw error;
    ctx.issues.record(key, {
      type: entry.type,
      canvasId: entry.canvasId,
      status: failure.status,
      category: failure.category,
      reason: failure.reason,
      canvasUpdatedAt: entry.timestamps.updatedAt,
      parentId: entry.parentId,
    });
    recordError(
      ctx.checkpoint.report,
      failure.category,
      `${entry.type} ${entry.canvasId}: ${failure.reason}`,
    );
    return null;
  }
}

function settleUnbuilt(
  ctx: SyncContext,
  state: BatchState,
  entry: Entry,
  key: string,
  stored: StoredItem | undefined,
  result: Exclude<BuildResult, { kind: "built" }>,
): void {
  if (result.kind === "gone") {
    if (stored && !stored.deleted) state.gone.set(key, entry);
    else ctx.issues.resolve(key);
    return;
  }
  // Out of the token's reach: kept as it is, never deleted for that.
  ctx.issues.record(key, {
    type: entry.type,
    canvasId: entry.canvasId,
    status: "skipped",
    category: "permission",
    reason: result.reason,
    canvasUpdatedAt: entry.timestamps.updatedAt,
    parentId: entry.parentId,
  });
  recordError(ctx.checkpoint.report, "permission", `${entry.type} ${entry.canvasId}: ${result.reason}`);
  state.outcomes.set(key, { type: entry.type, outcome: "skipped" });
}

/**
 * A page listed without its body whose revision did not move and whose listed fields equal the stored ones is
 * unchanged without reading its stored body or hashing anything.
 */
function quicklyUnchanged({ entry, stored, result }: Built): boolean {
  if (result.reuseStored === undefined || !stored || stored.deleted || stored.full) return false;
  return (
    stored.canvasUpdatedAt === entry.timestamps.updatedAt &&
    canonicalJson(result.projection) === canonicalJson(stored.data)
  );
}

/** The stored rich text is needed to fill a reused field, or for the deep diff of a changed (or restored) object. */
function needsStoredProjection({ stored, result, hash }: Built): boolean {
  if (stored === undefined || stored.full) return false;
  return result.reuseStored !== undefined || stored.deleted || stored.contentHash !== hash;
}

async function finish(ctx: SyncContext, state: BatchState, item: Built): Promise<void> {
  const { entry, key, stored, result } = item;
  const report = ctx.checkpoint.report;
  const timestamps = result.found?.timestamps ?? entry.timestamps;
  const parentId = result.found ? result.found.parentId : entry.parentId;
  const projection: Projection = { ...result.projection };
  if (result.reuseStored !== undefined)
    projection[result.reuseStored] = stored?.data[result.reuseStored] ?? null;
  if (result.blob) {
    if (result.blob.isNew) report.r2Writes++;
    else report.dedup.blobHits++;
    state.pending.blobs.push({
      sha256: result.blob.sha256,
      r2Key: result.blob.r2Key,
      size: result.blob.size,
      contentType: result.blob.contentType,
      createdAt: ctx.now(),
    });
  }
  const hash = item.hash ?? (await fingerprint(projection));
  const classification = classifyObservation(stored, { hash, projection, timestamps });
  ctx.issues.resolve(key);
  state.outcomes.set(key, { type: entry.type, outcome: classification.kind });
  if (classification.kind === "unchanged") {
    touchIfResolved(state, key, stored, timestamps.updatedAt, result.observedAt);
    return;
  }
  await writeRow(
    ctx,
    state,
    { entry, key, stored, projection, hash, parentId, timestamps, result },
    classification,
  );
}

/** An ambiguous revision read again and found the same: record when, so it is not read a third time. */
function touchIfResolved(
  state: BatchState,
  key: string,
  stored: StoredItem | undefined,
  updatedAt: string | null,
  observedAt: number | undefined,
): void {
  if (!stored || observedAt === undefined) return;
  if (
    revisionAmbiguous(stored.canvasUpdatedAt, stored.observedAt) &&
    !revisionAmbiguous(updatedAt, observedAt)
  ) {
    state.pending.touches.push({ id: key, observedAt });
  }
}

interface RowInput {
  entry: Entry;
  key: string;
  stored: StoredItem | undefined;
  projection: Projection;
  hash: string;
  parentId: string | null;
  timestamps: Entry["timestamps"];
  result: Built["result"];
}

async function writeRow(
  ctx: SyncContext,
  state: BatchState,
  row: RowInput,
  classification: { kind: ChangeKind; fields: { field: string }[] },
): Promise<void> {
  const { entry, key, stored, projection, hash, timestamps, result } = row;
  const now = ctx.now();
  const text = await textFields(ctx, entry.type, projection, stored);
  const data = await storableData(ctx, entry.type, projection, hash);
  state.pending.items.push({
    id: key,
    courseId: ctx.courseId,
    type: entry.type,
    canvasId: entry.canvasId,
    parentId: row.parentId,
    title: titleOf(entry.type, projection)?.slice(0, 1000) ?? null,
    contentHash: hash,
    canvasUpdatedAt: timestamps.updatedAt,
    canvasModifiedAt: timestamps.modifiedAt,
    size: timestamps.size,
    data: data.json,
    dataKey: data.key,
    blobSha256: result.blob?.sha256 ?? stored?.blobSha256 ?? null,
    ...text,
    replacesId: null,
    observedAt: result.observedAt ?? null,
    jobId: ctx.jobId,
    changeKind: classification.kind,
    now,
  });
  if (classification.kind !== "timestamp_updated") {
    state.pending.changes.push({
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
 * The projection as D1 keeps it: whole when it fits a row comfortably, otherwise whole in R2 (content-addressed by
 * its hash) with the row holding it without its rich-text field.
 */
async function storableData(
  ctx: SyncContext,
  type: ItemType,
  projection: Projection,
  hash: string,
): Promise<{ json: string; key: string | null }> {
  const json = JSON.stringify(projection);
  if (utf8Length(json) <= ctx.config.inlineDataBytes) return { json, key: null };
  const key = await ctx.files.storeData(hash, json);
  const field = TEXT_FIELD[type];
  const light: Projection = {};
  if (field !== undefined) {
    for (const [name, value] of Object.entries(projection)) if (name !== field) light[name] = value;
  }
  return { json: JSON.stringify(light), key };
}
