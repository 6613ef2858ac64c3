/**
 * Processes one collection of one course: list it, process every listed object in batches (committing every few
 * batches together with the job checkpoint), probe the objects a complete listing missed (deleting only what Canvas
 * confirms gone), link replaced files, advance the collection's watermark (never past a file not yet stored) and
 * count the collection into the report, all in the collection's last atomic batch. When the delivery's budget runs
 * out the collection commits what it has and answers "paused"; the next delivery of the job carries on.
 */
import type { CursorWrite } from "../storage/d1/collection-cursors";
import { collectionCounts } from "./collection-counts";
import type { CollectionListing, Collector } from "./collector";
import { entryKey } from "./collectors";
import { listCollection, recordInvalid } from "./list-collection";
import { commit, emptyPending, hasPending } from "./commit";
import type { SyncContext } from "./context";
import { planDisappearances, sampleConfirmsDeletion } from "./disappearances";
import { fileReplacementKey, type Entry } from "./entries";
import { isFetchable, objectEntry } from "./object-fetch";
import { processEntries, type BatchState } from "./process-entries";
import { loadStoredIndex, type StoredItem } from "./stored-items";

export type CollectionResult = "done" | "paused";

export async function processCollection(ctx: SyncContext, collector: Collector): Promise<CollectionResult> {
  const stored = await loadStoredIndex(ctx.db, ctx.courseId, collector.types);
  const listed = await listCollection(ctx, collector, stored);
  if (listed === "paused") return "paused";
  const { listing, watermark } = listed;
  ctx.checkpoint.current = collector.name;
  const state: BatchState = { stored, pending: emptyPending(), outcomes: new Map(), gone: new Map() };
  const seen = new Set(listing.entries.map((entry) => entryKey(ctx, entry)));
  for (const invalid of listing.invalid) if (invalid.itemId !== null) seen.add(invalid.itemId);
  recordInvalid(ctx, collector, listing);

  const run = new BatchRunner(ctx, state, collector.name);
  if ((await run.all(listing.entries)) === "paused") return "paused";

  const mayDelete = listing.complete && (collector.listsCompletely || ctx.reconcile);
  const missing = mayDelete ? missingIds(stored, seen) : replacedCandidates(ctx, listing, stored, seen);
  const live = [...stored.values()].filter((item) => !item.deleted).length;
  const plan = mayDelete
    ? planDisappearances(missing, live, ctx.config.massDisappearance)
    : { probe: missing, hold: [], mass: false };
  if ((await probeAll(ctx, run, state, stored, plan.probe)) === "paused") return "paused";
  if (plan.mass) {
    const sample = plan.probe.map((id): "gone" | "kept" => (state.gone.has(id) ? "gone" : "kept"));
    if (sampleConfirmsDeletion(sample)) {
      if ((await probeAll(ctx, run, state, stored, plan.hold)) === "paused") return "paused";
    } else {
      await hold(ctx, state, stored, plan.hold, {
        missing: missing.length,
        live,
        collection: collector.name,
      });
    }
  }

  settleGone(ctx, state, listing, stored);
  const cursor = cursorWrite(ctx, collector, listing.newestTimestamp, watermark, mayDelete);
  const counts = collectionCounts({
    types: collector.types,
    jobId: ctx.jobId,
    outcomes: state.outcomes,
    stored: stored.values(),
    issues: ctx.issues.ofJob(collector.types),
  });
  for (const type of collector.types) {
    const typeCounts = counts[type];
    if (typeCounts) ctx.checkpoint.report.types[type] = typeCounts;
  }
  ctx.checkpoint.done.push(collector.name);
  ctx.checkpoint.current = null;
  // A collection that changed nothing writes nothing, not even its checkpoint: redoing its listing after a crash is
  // cheaper than a row write on every no-change sync.
  if (hasPending(state.pending) || ctx.issues.dirty || cursor !== null) {
    await commit(ctx, state.pending, cursor, run.progress());
  }
  await ctx.onProgress(listing.entries.length, listing.entries.length, collector.name);
  return "done";
}

/**
 * Runs entries through the pipeline (process-entries.ts), committing every few settled groups; stops (after
 * committing) when the budget says so.
 */
class BatchRunner {
  private groups = 0;
  private handled = 0;
  private total = 0;

  constructor(
    private readonly ctx: SyncContext,
    private readonly state: BatchState,
    private readonly name: Collector["name"],
  ) {}

  async all(entries: readonly Entry[]): Promise<"done" | "paused"> {
    const { commitEveryBatches } = this.ctx.config;
    this.total += entries.length;
    const { refused } = await processEntries(this.ctx, this.state, entries, async (count) => {
      this.handled += count;
      this.groups++;
      if (
        this.groups % commitEveryBatches === 0 &&
        (hasPending(this.state.pending) || this.ctx.issues.dirty)
      ) {
        await commit(this.ctx, this.state.pending, null, this.progress());
        await this.ctx.onProgress(this.handled, this.total, this.name);
      }
    });
    if (refused > 0) {
      await commit(this.ctx, this.state.pending, null, this.progress());
      return "paused";
    }
    return "done";
  }

  progress(): { done: number; total: number } {
    return { done: this.handled, total: this.total };
  }
}

function missingIds(stored: ReadonlyMap<string, StoredItem>, seen: ReadonlySet<string>): string[] {
  return [...stored.values()]
    .filter((item) => !item.deleted && !seen.has(item.id) && isFetchable(item.type))
    .map((item) => item.id);
}

/**
 * An incremental files listing stops early, so it proves nothing missing; but a new file with the folder and name
 * of a stored live file it did not show is probably that file's replacement: the old one is probed.
 */
function replacedCandidates(
  ctx: SyncContext,
  listing: CollectionListing,
  stored: ReadonlyMap<string, StoredItem>,
  seen: ReadonlySet<string>,
): string[] {
  const newKeys = new Set(
    listing.entries
      .filter((entry) => entry.replacementKey !== undefined && !isLive(stored.get(entryKey(ctx, entry))))
      .map((entry) => entry.replacementKey),
  );
  if (newKeys.size === 0) return [];
  return [...stored.values()]
    .filter(
      (item) =>
        item.type === "file" &&
        !item.deleted &&
        !seen.has(item.id) &&
        newKeys.has(fileReplacementKey(item.data["folder_id"], item.data["display_name"])),
    )
    .map((item) => item.id);
}

function isLive(item: StoredItem | undefined): boolean {
  return item !== undefined && !item.deleted;
}

/**
 * Probes missing objects. A missing module item whose module is missing too waits for its module: Canvas deletes a
 * module's items with it, so a module confirmed gone takes its items along without a request for each.
 */
async function probeAll(
  ctx: SyncContext,
  run: BatchRunner,
  state: BatchState,
  stored: ReadonlyMap<string, StoredItem>,
  ids: readonly string[],
): Promise<"done" | "paused"> {
  const missing = new Set(ids);
  const moduleOf = (id: string): string | null => {
    const item = stored.get(id);
    return item?.type === "module_item" && item.parentId !== null
      ? `${ctx.courseId}:module:${item.parentId}`
      : null;
  };
  const waiting = ids.filter((id) => {
    const module = moduleOf(id);
    return module !== null && (missing.has(module) || state.gone.has(module));
  });
  const first = ids.filter((id) => !waiting.includes(id));
  if ((await run.all(probes(ctx, stored, first))) === "paused") return "paused";
  const rest: string[] = [];
  for (const id of waiting) {
    const module = moduleOf(id);
    const item = stored.get(id);
    const entry = module === null ? undefined : state.gone.get(module);
    if (item && entry) state.gone.set(id, probes(ctx, stored, [id])[0] ?? entry);
    else rest.push(id);
  }
  return run.all(probes(ctx, stored, rest));
}

function probes(ctx: SyncContext, stored: ReadonlyMap<string, StoredItem>, ids: readonly string[]): Entry[] {
  return ids.flatMap((id) => {
    const item = stored.get(id);
    return item
      ? [objectEntry(ctx, { type: item.type, canvasId: item.canvasId, parentId: item.parentId }, true)]
      : [];
  });
}

/** A mass disappearance that the sample did not confirm: nothing is deleted, each object is held, the operator told. */
async function hold(
  ctx: SyncContext,
  state: BatchState,
  stored: ReadonlyMap<string, StoredItem>,
  ids: readonly string[],
  facts: { missing: number; live: number; collection: string },
): Promise<void> {
  const reason =
    `missing from a listing that lost ${facts.missing} of ${facts.live} live objects at once; ` +
    "kept until Canvas confirms each deletion (a token that lost a permission looks like this)";
  for (const id of ids) {
    const item = stored.get(id);
    if (!item) continue;
    ctx.issues.record(id, {
      type: item.type,
      canvasId: item.canvasId,
      status: "held",
      category: "held",
      reason,
      canvasUpdatedAt: item.canvasUpdatedAt,
      parentId: item.parentId,
    });
    state.outcomes.set(id, { type: item.type, outcome: "held" });
  }
  await ctx.alert({
    kind: "mass_disappearance",
    message: `course ${ctx.courseId}: ${facts.collection} listing lost ${facts.missing} of ${facts.live} objects; nothing deleted until Canvas confirms`,
    details: { courseId: ctx.courseId, jobId: ctx.jobId, ...facts },
  });
}

/**
 * Tombstones what the probes found gone. A gone file whose folder and name a newly listed file carries was
 * replaced by it (Canvas gives a re-uploaded file a new id): the two are linked.
 */
function settleGone(
  ctx: SyncContext,
  state: BatchState,
  listing: CollectionListing,
  stored: ReadonlyMap<string, StoredItem>,
): void {
  const successors = new Map<string, string>();
  for (const entry of listing.entries) {
    const key = entryKey(ctx, entry);
    if (
      entry.replacementKey !== undefined &&
      !isLive(stored.get(key)) &&
      !successors.has(entry.replacementKey)
    ) {
      successors.set(entry.replacementKey, key);
    }
  }
  for (const [id, entry] of state.gone) {
    const item = stored.get(id);
    const successor =
      item?.type === "file"
        ? successors.get(fileReplacementKey(item.data["folder_id"], item.data["display_name"]))
        : undefined;
    state.pending.tombstones.push({ id, replacedBy: successor ?? null });
    if (successor !== undefined) state.pending.links.push({ oldId: id, newId: successor });
    state.outcomes.set(id, { type: entry.type, outcome: successor === undefined ? "deleted" : "replaced" });
    ctx.issues.resolve(id);
  }
}

/**
 * The collection's cursor row, when it moves: the files watermark (newest updated_at processed, but never past a
 * file not yet stored) and, for collections not listed completely on every run, the time of the last complete
 * (reconciling) listing.
 */
function cursorWrite(
  ctx: SyncContext,
  collector: Collector,
  newest: string | null,
  previous: string | null,
  reconciled: boolean,
): CursorWrite | null {
  const unstored = collector.name === "files" ? ctx.issues.oldestUnstoredFile() : null;
  const bounded =
    unstored !== null && newest !== null && Date.parse(unstored) < Date.parse(newest) ? unstored : newest;
  const watermark =
    bounded !== null && (previous === null || Date.parse(bounded) > Date.parse(previous))
      ? bounded
      : previous;
  const records = !collector.listsCompletely && reconciled;
  if (watermark === previous && !records) return null;
  return {
    courseId: ctx.courseId,
    collection: collector.name,
    watermark,
    reconciledAt: records ? ctx.now() : null,
  };
}
