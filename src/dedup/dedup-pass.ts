/**
 * @module dedup/dedup-pass
 * One dedup pass over (a slice of) one course, tiers 2-4 after a sync or an extraction:
 * 1. items that died or lost their text lose their vector and their check; links and open conflicts that no longer
 *    hold are swept (a deleted item leaves no vector and no open conflict);
 * 2. files with identical bytes are linked (after a sync only: extraction does not change bytes);
 * 3. every added or changed text gets its vector upserted (one batched write), then is checked (check-item.ts);
 *    provisional checks are repeated when asked.
 * Bounded per pass (`batchSize` items) so one queue invocation stays far inside D1's query budget; the result says
 * where to continue and which items are provisional. Bindings come in as arguments, and so do the log and the alert
 * sink: dedup reports through them and never imports observability (the queue handler wires them).
 */
import type { Config } from "../env";
import type { VectorRecord } from "../ports/vector-index";
import type { Database } from "../storage/d1/client";
import { clearChecks, findTwins, readText, selectProvisional, selectWork } from "../storage/d1/dedup-items";
import {
  type PairWrite,
  readPairs,
  sweepDeadPairs,
  unlinkedBlobPairs,
  writePairs,
} from "../storage/d1/duplicates";
import { type CheckContext, type RaisedConflict, checkItem } from "./check-item";
import type { DedupItem } from "../storage/d1/dedup-items";
import { decidePair, orientPair, pairReason } from "./pair-decision";
import { type DedupIndexPort, type IndexCounts, countingIndex } from "./vectors/counting-index";
import { indexableId, itemVector } from "./vectors/item-vectors";

export interface DedupSettings {
  threshold: number;
  scope: "course" | "institution";
  dimensions: number;
  /** items per pass */
  batchSize: number;
  /** byte-identical pairs linked per pass */
  blobPairsPerPass: number;
}

export function dedupSettings(
  config: Pick<Config, "NEAR_DUPLICATE_THRESHOLD" | "DEDUP_SCOPE" | "VECTOR_DIMENSIONS">,
): DedupSettings {
  return {
    threshold: config.NEAR_DUPLICATE_THRESHOLD,
    scope: config.DEDUP_SCOPE,
    dimensions: config.VECTOR_DIMENSIONS,
    batchSize: 100,
    blobPairsPerPass: 500,
  };
}

/** Where a pass logs (production: src/observability/log.ts `log`). Fields carry ids and numbers, never text. */
export type DedupLogger = (level: "debug" | "warn", message: string, fields: Record<string, unknown>) => void;

/** The one alert a pass raises when it opened conflicts (an observability `Alert`, declared here by shape). */
export interface NearDuplicateAlert {
  kind: "near_duplicates";
  level: "warn";
  message: string;
  details: Record<string, unknown>;
}

export interface DedupDeps {
  db: Database;
  blobs: R2Bucket;
  vectors: DedupIndexPort;
  settings: DedupSettings;
  now: () => number;
  /** raises one alert (production: `raiseAlert` with ALERT_WEBHOOK_URL) */
  alert: (alert: NearDuplicateAlert) => Promise<void>;
  log: DedupLogger;
}

export type PassSelection =
  | { mode: "changes"; after: string; includeProvisional: boolean; linkBlobs: boolean }
  | { mode: "recheck"; itemIds: readonly string[] };

export interface DedupPassResult {
  courseId: number;
  /** texts checked (added, changed or re-checked) */
  checked: number;
  /** gone items whose vector and check were removed */
  removed: number;
  /** items whose text could not be read (left for a later pass) */
  skipped: string[];
  links: { exactText: number; exactBlob: number };
  raised: RaisedConflict[];
  /** links and conflicts dropped because an item died, lost its text or no longer matches */
  rowsDropped: number;
  /** items whose check could not see the whole index: re-check them */
  provisional: string[];
  truncated: number;
  index: IndexCounts;
  /** more work qualifies after `lastId` */
  more: boolean;
  lastId: string | null;
}

type TextItem = DedupItem & { textHash: string };

export async function runDedupPass(
  deps: DedupDeps,
  courseId: number,
  selection: PassSelection,
): Promise<DedupPassResult> {
  const { index, counts } = countingIndex(deps.vectors);
  const result: DedupPassResult = {
    courseId,
    checked: 0,
    removed: 0,
    skipped: [],
    links: { exactText: 0, exactBlob: 0 },
    raised: [],
    rowsDropped: 0,
    provisional: [],
    truncated: 0,
    index: counts,
    more: false,
    lastId: null,
  };
  let items: DedupItem[];
  if (selection.mode === "changes") {
    const work = await selectWork(deps.db, courseId, {
      after: selection.after,
      includeProvisional: selection.includeProvisional,
      limit: deps.settings.batchSize,
    });
    items = work.items;
    result.more = work.more;
    result.lastId = items.at(-1)?.id ?? null;
  } else {
    items = await selectProvisional(deps.db, selection.itemIds);
  }

  const gone = items.filter((item) => item.gone);
  if (gone.length > 0) {
    const ids: string[] = [];
    for (const item of gone) if (await indexableId(item.id)) ids.push(item.id);
    if (ids.length > 0) await index.deleteByIds(ids);
    await clearChecks(deps.db, gone);
    result.removed = gone.length;
  }
  result.rowsDropped += await sweepDeadPairs(deps.db, courseId);
  if (selection.mode === "changes" && selection.linkBlobs) {
    const blobs = await linkIdenticalBlobs(deps, courseId);
    result.links.exactBlob = blobs.linked;
    result.more ||= blobs.more;
  }

  const live = items.filter((item): item is TextItem => !item.gone && item.textHash !== null);
  const prepared = await prepareTexts(deps, live, result.skipped);
  const writes: VectorRecord[] = [];
  const emptied: string[] = [];
  for (const p of prepared) {
    if (p.item.dedupHash === p.item.textHash) continue; // a re-check: its vector is already there
    if (p.record === null) emptied.push(p.item.id);
    else writes.push(p.record);
  }
  // Vectors first: a check must be able to see its own vector (near-duplicates.ts explains why).
  for (let start = 0; start < writes.length; start += 1000)
    await index.upsert(writes.slice(start, start + 1000));
  if (emptied.length > 0) await index.deleteByIds(emptied);

  const ctx: CheckContext = {
    db: deps.db,
    blobs: deps.blobs,
    index,
    settings: deps.settings,
    now: deps.now,
    twins: await findTwins(
      deps.db,
      prepared.map((p) => p.item.textHash),
      deps.settings.scope === "course" ? courseId : null,
    ),
    checkedInPass: new Map(),
  };
  const staleVectors = new Set<string>();
  for (const p of prepared) {
    const outcome = await checkItem(ctx, p.item, p.text, p.trigrams);
    result.checked++;
    if (outcome.provisional) result.provisional.push(p.item.id);
    if (outcome.truncated) result.truncated++;
    result.links.exactText += outcome.linkedExactText;
    result.raised.push(...outcome.raised);
    result.rowsDropped += outcome.deletedRows;
    for (const id of outcome.staleVectors) staleVectors.add(id);
  }
  if (staleVectors.size > 0) await index.deleteByIds([...staleVectors].slice(0, 1000));
  if (result.raised.length > 0) await announce(deps, courseId, result.raised);
  return result;
}

interface Prepared {
  item: TextItem;
  text: string;
  trigrams: Set<string>;
  /** null for a text without trigrams: nothing to index (pg_trgm scores it 0 against everything) */
  record: VectorRecord | null;
}

async function prepareTexts(deps: DedupDeps, items: TextItem[], skipped: string[]): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (const item of items) {
    const text = await readText(deps.blobs, item);
    if (text === null || !(await indexableId(item.id))) {
      deps.log("warn", "dedup: item text unavailable or id not indexable; skipped", { itemId: item.id });
      skipped.push(item.id);
      continue;
    }
    const { record, trigrams } = itemVector({
      itemId: item.id,
      courseId: item.courseId,
      type: item.type,
      text,
      textHash: item.textHash,
      dimensions: deps.settings.dimensions,
    });
    out.push({ item, text, trigrams, record: trigrams.size === 0 ? null : record });
  }
  return out;
}

/** Links the course's byte-identical files that are not linked yet (no vector involved). */
async function linkIdenticalBlobs(
  deps: DedupDeps,
  courseId: number,
): Promise<{ linked: number; more: boolean }> {
  const { pairs, more } = await unlinkedBlobPairs(
    deps.db,
    courseId,
    deps.settings.scope === "course",
    deps.settings.blobPairsPerPass,
  );
  if (pairs.length === 0) return { linked: 0, more };
  const stored = await readPairs(deps.db, [...new Set(pairs.map((p) => p.x.itemId))]);
  const now = deps.now();
  const writes: PairWrite[] = [];
  for (const { x, y } of pairs) {
    const found = orientPair(x, y, { kind: "exact_blob", score: 1, reason: pairReason("exact_blob") });
    const row = stored.find((r) => r.itemA === found.itemA && r.itemB === found.itemB);
    const action = decidePair(row, found);
    if (action.action !== "keep") writes.push({ pair: found, action });
  }
  if (writes.length === 0) return { linked: 0, more };
  const ids = await writePairs(deps.db, writes, now);
  return { linked: ids.filter((id) => id !== undefined).length, more };
}

/**
 * Each new conflict is logged at debug level; one alert per pass (a warning, not an error: nothing is broken, an
 * operator has pairs to look at) carries them all, ids and scores only, never text.
 */
async function announce(deps: DedupDeps, courseId: number, raised: RaisedConflict[]): Promise<void> {
  for (const conflict of raised) deps.log("debug", "near-duplicate conflict opened", { ...conflict });
  await deps.alert({
    kind: "near_duplicates",
    level: "warn",
    message: `${raised.length} near-duplicate pair(s) found in course ${courseId}; resolve with POST /api/conflicts/:id/resolve`,
    details: {
      courseId,
      count: raised.length,
      conflicts: raised
        .slice(0, 50)
        .map((c) => ({ id: c.id, itemA: c.itemA, itemB: c.itemB, score: c.score })),
    },
  });
}
