/**
 * @module dedup/near-duplicates
 * Near-duplicate check for one changed text: one vector query proposes candidates, the exact
 * pg_trgm similarity on the stored texts decides. Talks to the index and the text store only
 * through the ports passed in, so it runs unchanged against Vectorize, the local stand-in or the
 * in-memory index.
 *
 * Contract with the caller (the sync pipeline):
 *  1. Exact duplicates (same text hash or blob hash) are linked without calling this.
 *  2. Upsert the item's vector (`lexicalVectorRecord`) BEFORE calling `findNearDuplicates`.
 *  3. If the result is `provisional`, run the check again later (`planRecheck`).
 *
 * Why that order makes "unique" safe despite asynchronous Vectorize writes: Vectorize applies
 * mutations in order from its write-ahead log, so once a query can see this item's *current*
 * vector, it also sees every vector written before it. Two texts written at nearly the same time:
 * the later writer's check is the one that must find the earlier, and it is provisional until its
 * own write is visible. A check that cannot see itself therefore never reports "no duplicates" as
 * final.
 */
import {
  CANDIDATE_CUTOFF,
  DEFAULT_DIMENSIONS,
  DEFAULT_THRESHOLD,
  sizeRange,
  vectorFromTrigrams,
} from "./embedding";
import { type TrigramLocale, isAboveThreshold, setSimilarity, trigramSet } from "./trigram";
import {
  INDEXED_STRING_BYTES,
  MAX_TOP_K,
  type VectorFilter,
  type VectorMatch,
  type VectorQueryPort,
} from "../ports/vector-index";
import { META_TEXT_HASH, META_TRIGRAM_COUNT } from "./vectors/vector-record";

export interface FindNearDuplicatesInput {
  /** Vector id of the changed item (`vectorIdFor(itemKey)`); its vector is already upserted. */
  itemId: string;
  text: string;
  /** The text's trigram set if already computed (e.g. by `lexicalVectorRecord`). */
  trigrams?: ReadonlySet<string>;
  /** Text hash written as `th` with the item's vector; lets the check tell a stale self apart. */
  textHash?: string;
  /** Restricts the search to one namespace (e.g. the course). Omit for institution-wide. */
  namespace?: string;
  /** Extra scope conditions, e.g. `{ course: "42" }`; the size-range condition is added to it. */
  filter?: VectorFilter;
  vectorIndex: VectorQueryPort;
  /** Loads the stored texts of candidate vector ids; ids it does not return are skipped. */
  loadTexts: (ids: string[]) => Promise<Map<string, string>>;
  /** pg_trgm threshold, PostgreSQL `similarity > threshold` semantics. Default 0.8. */
  threshold?: number;
  /** Minimum vector score to examine a neighbour. Default `CANDIDATE_CUTOFF` (0.84 at D = 384). */
  candidateCutoff?: number;
  /** Neighbours requested; default and maximum 100 (Vectorize's limit without values). */
  topK?: number;
  dimensions?: number;
  locale?: TrigramLocale;
}

export interface NearDuplicatePair {
  /** Vector id of the other item. */
  id: string;
  /** Exact pg_trgm similarity (float4), the score that decided. */
  similarity: number;
  /** The vector score that made it a candidate (diagnostics only). */
  vectorScore: number;
}

export type ProvisionalReason = "self-not-visible" | "self-stale";

export interface NearDuplicateResult {
  /** Confirmed near-duplicates, highest similarity first. */
  pairs: NearDuplicatePair[];
  /** Candidates whose exact similarity was computed. */
  candidatesExamined: number;
  /** Vector queries made: 1, or 0 for a text without trigrams. */
  vectorQueries: number;
  /** True when the index had not caught up with this item's write: re-check later. */
  provisional: boolean;
  provisionalReason?: ProvisionalReason;
  /** True when all topK neighbours were candidates, so more may exist beyond topK. */
  truncated: boolean;
  /** Candidates the text loader did not return (deleted since they were indexed). */
  missingTexts: string[];
}

function selfState(
  self: VectorMatch | undefined,
  textHash: string | undefined,
): { provisional: false } | { provisional: true; reason: ProvisionalReason } {
  if (self === undefined) return { provisional: true, reason: "self-not-visible" };
  const seen = self.metadata?.[META_TEXT_HASH];
  // Without a `th` metadata index the query cannot return the hash; presence has to do.
  if (textHash === undefined || typeof seen !== "string") return { provisional: false };
  const expected = new TextDecoder().decode(
    new TextEncoder().encode(textHash).slice(0, INDEXED_STRING_BYTES),
  );
  return seen === expected ? { provisional: false } : { provisional: true, reason: "self-stale" };
}

/**
 * Finds the confirmed near-duplicates of one text with a single vector query. See the module
 * comment for the calling contract.
 */
export async function findNearDuplicates(input: FindNearDuplicatesInput): Promise<NearDuplicateResult> {
  const threshold = input.threshold ?? DEFAULT_THRESHOLD;
  const cutoff = input.candidateCutoff ?? CANDIDATE_CUTOFF;
  const topK = input.topK ?? MAX_TOP_K;
  const opts = input.locale === undefined ? undefined : { locale: input.locale };
  const trigrams = input.trigrams ?? trigramSet(input.text, opts);
  const empty: NearDuplicateResult = {
    pairs: [],
    candidatesExamined: 0,
    vectorQueries: 0,
    provisional: false,
    truncated: false,
    missingTexts: [],
  };
  // No trigrams, no similarity: pg_trgm scores such a text 0 against everything.
  if (trigrams.size === 0) return empty;

  const filter: VectorFilter = { ...input.filter, [META_TRIGRAM_COUNT]: sizeRange(trigrams.size, threshold) };
  const found = await input.vectorIndex.query(
    vectorFromTrigrams(trigrams, input.dimensions ?? DEFAULT_DIMENSIONS),
    {
      topK,
      filter,
      // "indexed" metadata is free and keeps the topK limit at 100; it carries `th` for the self check.
      returnMetadata: "indexed",
      ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
    },
  );

  const self = found.matches.find((m) => m.id === input.itemId);
  const state = selfState(self, input.textHash);
  const candidates = found.matches.filter((m) => m.id !== input.itemId && m.score >= cutoff);
  const last = found.matches.at(-1);
  const truncated = found.matches.length >= topK && last !== undefined && last.score >= cutoff;

  const texts =
    candidates.length === 0 ? new Map<string, string>() : await input.loadTexts(candidates.map((c) => c.id));
  const pairs: NearDuplicatePair[] = [];
  const missingTexts: string[] = [];
  let examined = 0;
  for (const c of candidates) {
    const other = texts.get(c.id);
    if (other === undefined) {
      missingTexts.push(c.id);
      continue;
    }
    examined++;
    const sim = setSimilarity(trigrams, trigramSet(other, opts));
    if (isAboveThreshold(sim, threshold)) pairs.push({ id: c.id, similarity: sim, vectorScore: c.score });
  }
  pairs.sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const result: NearDuplicateResult = {
    pairs,
    candidatesExamined: examined,
    vectorQueries: 1,
    provisional: state.provisional,
    truncated,
    missingTexts,
  };
  if (state.provisional) result.provisionalReason = state.reason;
  return result;
}

export type RecheckDecision =
  | { action: "done" }
  | { action: "recheck"; delaySeconds: number }
  | { action: "defer-to-next-sync" };

/**
 * What to do after a check: nothing if it was final; otherwise re-check after a growing delay
 * (Vectorize usually catches up within seconds, a backlog can take minutes); after `maxAttempts`
 * leave it to the confirmation pass of the next sync rather than holding a queue message.
 */
export function planRecheck(
  result: Pick<NearDuplicateResult, "provisional">,
  attempt: number,
  maxAttempts = 5,
): RecheckDecision {
  if (!result.provisional) return { action: "done" };
  if (attempt >= maxAttempts) return { action: "defer-to-next-sync" };
  return { action: "recheck", delaySeconds: Math.min(300, 5 * 2 ** Math.max(0, attempt - 1)) };
}
