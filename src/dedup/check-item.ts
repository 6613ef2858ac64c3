/**
 * @module dedup/check-item
 * The check of one item's current text, and the writes that record it:
 * 1. exact twins (other live items with the same text hash, from D1) are linked, no vector query;
 * 2. if a twin was already checked for good, its near-duplicates are this item's too (same text, same
 *    similarities): copied, still without a query;
 * 3. otherwise one `findNearDuplicates` query proposes candidates and the exact pg_trgm similarity on the stored
 *    texts confirms them.
 * Then each found pair is reconciled with its stored row (`decidePair`, compare-and-set), rows the check no longer
 * supports are dropped (`staleRowIds`), and the item is marked checked, provisionally when the index had not caught
 * up. All of an item's writes go in one D1 batch.
 */
import type { Database } from "../storage/d1/client";
import { recordCheck } from "../storage/d1/dedup-checks";
import { findTwins, loadTexts } from "../storage/d1/dedup-items";
import { type PairWrite, readPairs } from "../storage/d1/duplicates";
import { type DedupItem, MAX_TWINS_PER_HASH, type Twin } from "../storage/d1/dedup-items";
import { findNearDuplicates } from "./near-duplicates";
import { candidateCutoffFor, decidePair, orientPair, pairReason, staleRowIds } from "./pair-decision";
import { type FoundPair, type PairSide } from "../storage/d1/duplicate-pairs";
import { formatFloat4 } from "./trigram";
import type { DedupIndexPort } from "./vectors/counting-index";
import { courseNamespace } from "./vectors/item-vectors";

export interface CheckSettings {
  threshold: number;
  scope: "course" | "institution";
  dimensions: number;
}

export interface CheckContext {
  db: Database;
  blobs: R2Bucket;
  index: DedupIndexPort;
  settings: CheckSettings;
  now: () => number;
  /** twins per text hash, read once for the pass */
  twins: ReadonlyMap<string, Twin[]>;
  /** check state written earlier in this pass (fresher than `twins`) */
  checkedInPass: Map<string, { textHash: string; provisional: boolean }>;
}

/** A near-duplicate that became an open conflict (ids and numbers only: what the log and the alert carry). */
export interface RaisedConflict extends Pick<
  FoundPair,
  "itemA" | "itemB" | "courseA" | "courseB" | "score" | "reason"
> {
  id: number;
}

export interface ItemCheckResult {
  queried: boolean;
  provisional: boolean;
  truncated: boolean;
  /** vector ids whose items are gone: their vectors are stale */
  staleVectors: string[];
  raised: RaisedConflict[];
  linkedExactText: number;
  deletedRows: number;
}

interface Found {
  pairs: FoundPair[];
  provisional: boolean;
  nearComplete: boolean;
  truncated: boolean;
  queried: boolean;
  staleVectors: string[];
}

/** Exact copies per side a confirmed near-duplicate is extended to (bounds the writes for huge copy clusters). */
const PROPAGATE_TWINS = 10;

const twinSide = (twin: Twin): PairSide => ({
  itemId: twin.id,
  courseId: twin.courseId,
  textHash: twin.textHash,
});

const courseFilter = (ctx: CheckContext, item: DedupItem): number | null =>
  ctx.settings.scope === "course" ? item.courseId : null;

/** A twin checked for good, whose near-duplicates can be copied. */
function settledTwin(ctx: CheckContext, twins: readonly Twin[]): Twin | undefined {
  return twins.find((twin) => {
    const fresh = ctx.checkedInPass.get(twin.id);
    const hash = fresh?.textHash ?? twin.dedupHash;
    const provisional = fresh?.provisional ?? twin.provisional;
    return hash === twin.textHash && !provisional;
  });
}

async function findPairs(
  ctx: CheckContext,
  item: DedupItem & { textHash: string },
  text: string,
  trigrams: ReadonlySet<string>,
): Promise<Found> {
  const self: PairSide = { itemId: item.id, courseId: item.courseId, textHash: item.textHash };
  const twins = (ctx.twins.get(item.textHash) ?? [])
    .filter((twin) => twin.id !== item.id)
    .slice(0, MAX_TWINS_PER_HASH);
  const pairs = twins.map((twin) =>
    orientPair(self, twinSide(twin), { kind: "exact_text", score: 1, reason: pairReason("exact_text") }),
  );
  const twinIds = new Set(twins.map((twin) => twin.id));
  const near = ctx.settings.threshold > 0 && ctx.settings.threshold < 1;

  const settled = near ? settledTwin(ctx, twins) : undefined;
  if (settled !== undefined || !near) {
    if (settled !== undefined) {
      for (const row of await readPairs(ctx.db, [settled.id])) {
        if (row.kind !== "near_text") continue;
        const aSide = row.itemA === settled.id;
        const otherId = aSide ? row.itemB : row.itemA;
        if (otherId === item.id || twinIds.has(otherId)) continue;
        const other: PairSide = {
          itemId: otherId,
          courseId: aSide ? row.courseB : row.courseA,
          textHash: aSide ? row.textHashB : row.textHashA,
        };
        const reason = pairReason("near_text", {
          similarity: formatFloat4(row.score),
          threshold: ctx.settings.threshold,
          via: settled.id,
        });
        pairs.push(orientPair(self, other, { kind: "near_text", score: row.score, reason }));
      }
    }
    return {
      pairs,
      provisional: false,
      nearComplete: true,
      truncated: false,
      queried: false,
      staleVectors: [],
    };
  }

  const texts = new Map<string, { courseId: number; textHash: string }>();
  const result = await findNearDuplicates({
    itemId: item.id,
    text,
    trigrams,
    textHash: item.textHash,
    ...(ctx.settings.scope === "course" ? { namespace: courseNamespace(item.courseId) } : {}),
    vectorIndex: ctx.index,
    loadTexts: async (ids) => {
      const loaded = await loadTexts(ctx.db, ctx.blobs, ids, courseFilter(ctx, item));
      for (const [id, t] of loaded) texts.set(id, { courseId: t.courseId, textHash: t.textHash });
      return new Map([...loaded].map(([id, t]) => [id, t.text]));
    },
    threshold: ctx.settings.threshold,
    candidateCutoff: candidateCutoffFor(ctx.settings.threshold),
    dimensions: ctx.settings.dimensions,
  });
  const hits = result.pairs.flatMap((hit) => {
    const other = texts.get(hit.id);
    // Same hash: an exact twin, already linked as such.
    if (other === undefined || other.textHash === item.textHash || twinIds.has(hit.id)) return [];
    return [{ ...hit, side: { itemId: hit.id, ...other } }];
  });
  // A confirmed pair holds for every exact copy of either side too. Recording it for the copies now closes the
  // gap where a copy was linked (without a query) before this pair existed to be copied from its twin.
  const otherTwins = await findTwins(
    ctx.db,
    hits.map((hit) => hit.side.textHash),
    courseFilter(ctx, item),
  );
  const selfSides: PairSide[] = [self, ...twins.slice(0, PROPAGATE_TWINS).map(twinSide)];
  const propagated: FoundPair[] = [];
  for (const hit of hits) {
    const similarity = formatFloat4(hit.similarity);
    const threshold = ctx.settings.threshold;
    const direct = pairReason("near_text", { similarity, threshold, vectorScore: hit.vectorScore });
    pairs.push(orientPair(self, hit.side, { kind: "near_text", score: hit.similarity, reason: direct }));
    const via = pairReason("near_text", { similarity, threshold, via: `${self.itemId} ~ ${hit.id}` });
    const otherSides: PairSide[] = [
      hit.side,
      ...(otherTwins.get(hit.side.textHash) ?? [])
        .filter((twin) => twin.id !== hit.id)
        .slice(0, PROPAGATE_TWINS)
        .map(twinSide),
    ];
    for (const x of selfSides) {
      for (const y of otherSides) {
        if (x === self && y === hit.side) continue;
        propagated.push(orientPair(x, y, { kind: "near_text", score: hit.similarity, reason: via }));
      }
    }
  }
  // Direct findings first, so a pair both found and propagated keeps the direct reason.
  const seen = new Set<string>();
  const unique = [...pairs, ...propagated].filter((pair) => {
    const key = `${pair.itemA}|${pair.itemB}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    pairs: unique,
    provisional: result.provisional,
    nearComplete: !result.provisional && !result.truncated,
    truncated: result.truncated,
    queried: result.vectorQueries > 0,
    // Hashed ids (never produced for item ids) cannot be told apart from live items: never delete those.
    staleVectors: result.missingTexts.filter((id) => !id.startsWith("~")),
  };
}

/** Checks one item's current text and records the outcome. */
export async function checkItem(
  ctx: CheckContext,
  item: DedupItem & { textHash: string },
  text: string,
  trigrams: ReadonlySet<string>,
): Promise<ItemCheckResult> {
  const found = await findPairs(ctx, item, text, trigrams);
  const involved = new Set([item.id, ...found.pairs.flatMap((pair) => [pair.itemA, pair.itemB])]);
  const stored = await readPairs(ctx.db, [...involved]);
  const now = ctx.now();
  const writes: PairWrite[] = [];
  for (const pair of found.pairs) {
    const row = stored.find((r) => r.itemA === pair.itemA && r.itemB === pair.itemB);
    const action = decidePair(row, pair);
    if (action.action !== "keep") writes.push({ pair, action });
  }
  const others = new Set(found.pairs.map((p) => (p.itemA === item.id ? p.itemB : p.itemA)));
  const stale = staleRowIds(item.id, stored, others, found.nearComplete);
  const recorded = await recordCheck(
    ctx.db,
    { itemId: item.id, textHash: item.textHash, provisional: found.provisional, writes, staleRowIds: stale },
    now,
  );

  const raised: RaisedConflict[] = [];
  let linkedExactText = 0;
  writes.forEach(({ pair, action }, i) => {
    const id = recorded.writtenIds[i];
    if (id === undefined) return; // another pass wrote this row first; it raised or linked it
    if (action.raised) raised.push({ id, ...pick(pair) });
    if (action.linked && pair.kind === "exact_text") linkedExactText++;
  });
  ctx.checkedInPass.set(item.id, { textHash: item.textHash, provisional: found.provisional });
  return {
    queried: found.queried,
    provisional: found.provisional,
    truncated: found.truncated,
    staleVectors: found.staleVectors,
    raised,
    linkedExactText,
    deletedRows: recorded.deletedRows,
  };
}

function pick(pair: FoundPair): Omit<RaisedConflict, "id"> {
  return {
    itemA: pair.itemA,
    itemB: pair.itemB,
    courseA: pair.courseA,
    courseB: pair.courseB,
    score: pair.score,
    reason: pair.reason,
  };
}
