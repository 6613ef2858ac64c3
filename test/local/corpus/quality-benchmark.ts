/**
 * @module dedup/quality-benchmark
 * End-to-end quality benchmark of near-duplicate detection on the generated course corpus: every
 * item arrives (and a share of them later changes) in a seeded order and goes through the same
 * path production uses (exact-hash link, else vector upsert + `findNearDuplicates`); the final
 * pairs are scored against the exact pg_trgm ground truth over all item pairs. Works against any
 * `VectorIndexPort`: the in-memory index by default (Node or workerd), or the local stand-in.
 */
import { type CorpusOptions, Rng, editWords, generateCorpus } from "./corpus";
import {
  DEFAULT_DIMENSIONS,
  DEFAULT_THRESHOLD,
  cosine,
  sizeRange,
  vectorFromTrigrams,
} from "../../../src/dedup/embedding";
import { MemoryVectorIndex } from "../stand-ins/memory-vector-index";
import { findNearDuplicates } from "../../../src/dedup/near-duplicates";
import { type TrigramLocale, isAboveThreshold, trigramSet } from "../../../src/dedup/trigram";
import type { VectorIndexPort } from "../../../src/ports/vector-index";
import { lexicalVectorRecord, vectorIdFor } from "../../../src/dedup/vectors/vector-record";

export interface DedupBenchmarkOptions extends CorpusOptions {
  /** Index to run against; default a fresh in-memory index. It should start empty. */
  index?: VectorIndexPort;
  /** Share of items whose text changes after the initial load (default 0.15). */
  changeFraction?: number;
  threshold?: number;
  candidateCutoff?: number;
  topK?: number;
  dimensions?: number;
  locale?: TrigramLocale;
  /** Namespace for every vector (also prefixes ids), so runs can share an index. */
  namespace?: string;
}

export interface DedupBenchmarkResult {
  items: number;
  /** Texts processed: every initial arrival plus every change. */
  changedTexts: number;
  /** Of those, linked by identical text hash without a vector query. */
  exactLinks: number;
  vectorQueries: number;
  queriesPerChangedText: number;
  /** Extra queries spent re-checking provisional results. */
  recheckQueries: number;
  truePairs: number;
  predictedPairs: number;
  truePositives: number;
  precision: number;
  recall: number;
  /** Exact similarity computations spent on vector candidates. */
  candidatesExamined: number;
  candidatesPerQuery: number;
  /** Candidates the exact check turned down: what precision would have lost without it. */
  rejectedCandidates: number;
  /** Lowest exact cosine of the lexical vectors over all true pairs (compare with the cut-off). */
  lowestTruePairCosine: number;
  truncatedQueries: number;
}

async function sha256Hex(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/**
 * Ground truth: every unordered pair whose exact pg_trgm similarity passes `threshold`. Trigrams
 * are interned to integers and intersected as sorted arrays; the exact size-range bound skips
 * pairs that cannot qualify.
 */
export function exactNearDuplicatePairs(
  texts: ReadonlyMap<string, string>,
  threshold: number = DEFAULT_THRESHOLD,
  locale?: TrigramLocale,
): Set<string> {
  const intern = new Map<string, number>();
  const docs = [...texts].map(([id, text]) => {
    const ids = Array.from(trigramSet(text, locale === undefined ? undefined : { locale }), (t) => {
      let n = intern.get(t);
      if (n === undefined) intern.set(t, (n = intern.size));
      return n;
    });
    return { id, set: Int32Array.from(ids).sort() };
  });
  docs.sort((a, b) => a.set.length - b.set.length);
  const out = new Set<string>();
  for (let i = 0; i < docs.length; i++) {
    const a = docs[i];
    if (a === undefined || a.set.length === 0) continue;
    const { $lte } = sizeRange(a.set.length, threshold);
    for (let j = i + 1; j < docs.length; j++) {
      const b = docs[j];
      if (b === undefined || b.set.length > $lte) break;
      let shared = 0;
      for (let x = 0, y = 0; x < a.set.length && y < b.set.length;) {
        const p = a.set[x] ?? 0;
        const q = b.set[y] ?? 0;
        if (p === q) {
          shared++;
          x++;
          y++;
        } else if (p < q) x++;
        else y++;
      }
      const sim = Math.fround(shared / (a.set.length + b.set.length - shared));
      if (isAboveThreshold(sim, threshold)) out.add(pairKey(a.id, b.id));
    }
  }
  return out;
}

/** Runs the benchmark and returns its numbers (printing is the caller's job). */
export async function runDedupQualityBenchmark(
  options: DedupBenchmarkOptions = {},
): Promise<DedupBenchmarkResult> {
  const dims = options.dimensions ?? DEFAULT_DIMENSIONS;
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const index = options.index ?? new MemoryVectorIndex({ dimensions: dims });
  const locale = options.locale;
  const corpus = generateCorpus(options);
  const r = new Rng((options.seed ?? 1) ^ 0x5bd1e995);

  const texts = new Map<string, string>(); // vector id -> current text
  const hashes = new Map<string, string>(); // vector id -> current text hash
  const pairs = new Map<string, Set<string>>(); // vector id -> confirmed partners
  const link = (a: string, b: string): void => {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      let s = pairs.get(x);
      if (s === undefined) pairs.set(x, (s = new Set()));
      s.add(y);
    }
  };
  const unlinkAll = (id: string): void => {
    for (const other of pairs.get(id) ?? []) pairs.get(other)?.delete(id);
    pairs.delete(id);
  };
  const stats = { changed: 0, exact: 0, queries: 0, rechecks: 0, examined: 0, rejected: 0, truncated: 0 };

  const process = async (id: string, text: string): Promise<void> => {
    stats.changed++;
    unlinkAll(id);
    const textHash = await sha256Hex(text);
    texts.set(id, text);
    hashes.set(id, textHash);
    const { record, trigrams } = lexicalVectorRecord({
      id,
      text,
      textHash,
      dimensions: dims,
      ...(locale === undefined ? {} : { locale }),
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    });
    await index.upsert([record]);
    const twin = [...hashes].find(([other, h]) => other !== id && h === textHash)?.[0];
    if (twin !== undefined) {
      // Same text: linked directly, and it shares its twin's near-duplicates.
      stats.exact++;
      link(id, twin);
      for (const other of pairs.get(twin) ?? []) if (other !== id) link(id, other);
      return;
    }
    for (let attempt = 1; attempt <= 5; attempt++) {
      const result = await findNearDuplicates({
        itemId: id,
        text,
        trigrams,
        textHash,
        vectorIndex: index,
        loadTexts: async (ids) =>
          new Map(ids.flatMap((x) => (texts.has(x) ? [[x, texts.get(x) ?? ""]] : []))),
        threshold,
        dimensions: dims,
        ...(options.candidateCutoff === undefined ? {} : { candidateCutoff: options.candidateCutoff }),
        ...(options.topK === undefined ? {} : { topK: options.topK }),
        ...(locale === undefined ? {} : { locale }),
        ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      });
      if (attempt === 1) stats.queries += result.vectorQueries;
      else stats.rechecks += result.vectorQueries;
      stats.examined += result.candidatesExamined;
      stats.rejected += result.candidatesExamined - result.pairs.length;
      if (result.truncated) stats.truncated++;
      for (const p of result.pairs) link(id, p.id);
      if (!result.provisional) break;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  };

  const ids = new Map<string, string>();
  // Vector ids are unique across a whole index, namespaces included, hence the prefix.
  const prefix = options.namespace === undefined ? "" : `${options.namespace}:`;
  for (const item of corpus) ids.set(item.id, await vectorIdFor(prefix + item.id));
  for (const item of r.shuffle(corpus)) await process(ids.get(item.id) ?? item.id, item.text);
  const changeCount = Math.round(corpus.length * (options.changeFraction ?? 0.15));
  for (const item of r.shuffle(corpus).slice(0, changeCount)) {
    const id = ids.get(item.id) ?? item.id;
    await process(id, editWords(texts.get(id) ?? item.text, 0.01 + r.next() * 0.1, r));
  }

  const truth = exactNearDuplicatePairs(texts, threshold, locale);
  const predicted = new Set<string>();
  for (const [a, partners] of pairs) for (const b of partners) predicted.add(pairKey(a, b));
  let tp = 0;
  for (const p of predicted) if (truth.has(p)) tp++;
  let lowest = 1;
  const opts = locale === undefined ? undefined : { locale };
  const vec = new Map<string, Float32Array>();
  const vectorOf = (id: string): Float32Array => {
    let v = vec.get(id);
    if (v === undefined) vec.set(id, (v = vectorFromTrigrams(trigramSet(texts.get(id) ?? "", opts), dims)));
    return v;
  };
  for (const p of truth) {
    const [a = "", b = ""] = p.split("|");
    lowest = Math.min(lowest, cosine(vectorOf(a), vectorOf(b)));
  }
  return {
    items: texts.size,
    changedTexts: stats.changed,
    exactLinks: stats.exact,
    vectorQueries: stats.queries,
    queriesPerChangedText: stats.queries / stats.changed,
    recheckQueries: stats.rechecks,
    truePairs: truth.size,
    predictedPairs: predicted.size,
    truePositives: tp,
    precision: predicted.size === 0 ? 1 : tp / predicted.size,
    recall: truth.size === 0 ? 1 : tp / truth.size,
    candidatesExamined: stats.examined,
    candidatesPerQuery: stats.queries === 0 ? 0 : stats.examined / stats.queries,
    rejectedCandidates: stats.rejected,
    lowestTruePairCosine: lowest,
    truncatedQueries: stats.truncated,
  };
}
