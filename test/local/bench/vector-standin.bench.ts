/**
 * `npm run bench` (Vectorize stand-in part), in workerd: 10,000 lexical vectors of the generated course corpus in
 * one namespace of the local stand-in (test/local/stand-ins/local-vectorize.ts, D1-backed), then 100 dedup-shaped queries
 * (topK 100, the trigram-count range filter, indexed metadata) answered two ways in the same run: through the
 * stand-in's index, and by the exact scan of every vector the stand-in used to make (the baseline). Prints query
 * times and the index's recall of the exact answer's candidates (score >= the dedup cut-off). One BENCH_JSON line.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { generateCorpus } from "../corpus/corpus";
import { CANDIDATE_CUTOFF, sizeRange, vectorFromTrigrams } from "../../../src/dedup/embedding";
import { trigramSet } from "../../../src/dedup/trigram";
import type { VectorQueryOptions, VectorRecord } from "../../../src/ports/vector-index";
import { searchVectors } from "../stand-ins/vector-search";
import { LocalVectorize } from "../stand-ins/local-vectorize";
import { StandinStore } from "../stand-ins/local-vectorize-store";

const VECTORS = 10_000;
const QUERIES = 100;
const NAMESPACE = "course-10000";
const INDEX = `bench-${Date.now()}`;

const mean = (xs: readonly number[]): number =>
  Math.round(xs.reduce((sum, x) => sum + x, 0) / Math.max(1, xs.length));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

it(
  "Vectorize stand-in: query time at 10,000 vectors, index vs exact scan",
  { timeout: 3_600_000 },
  async () => {
    const db = env.VECTOR_STANDIN_DB;
    if (db === undefined) throw new Error("VECTOR_STANDIN_DB is not bound");
    const standin = new LocalVectorize(createExecutionContext(), {
      VECTOR_STANDIN_DB: db,
      VECTOR_STANDIN_INDEX: INDEX,
    });
    // About five variants per base document: enough bases for 10,000 texts.
    const corpus = generateCorpus({ seed: 7, bases: Math.ceil(VECTORS / 5.4) }).slice(0, VECTORS);
    const records: VectorRecord[] = corpus.map((item, i) => {
      const trigrams = trigramSet(item.text);
      return {
        id: `v${i}`,
        values: vectorFromTrigrams(trigrams),
        namespace: NAMESPACE,
        metadata: { ntrgm: trigrams.size, th: `hash-${i}` },
      };
    });
    const loadStarted = Date.now();
    for (let start = 0; start < records.length; start += 500)
      await standin.upsert(records.slice(start, start + 500));
    const loadMs = Date.now() - loadStarted;
    expect((await standin.describe()).vectorCount).toBe(records.length);

    const store = new StandinStore(db, INDEX);
    const indexed: number[] = [];
    const scanned: number[] = [];
    let exactCandidates = 0;
    let foundCandidates = 0;
    let rowsRead = 0;
    let indexRowsRead = 0;
    for (let q = 0; q < QUERIES; q++) {
      const record = records[(q * 97) % records.length];
      if (record === undefined) continue;
      const count = record.metadata?.["ntrgm"];
      const options: VectorQueryOptions = {
        topK: 100,
        namespace: NAMESPACE,
        returnMetadata: "indexed",
        filter: { ntrgm: sizeRange(typeof count === "number" ? count : 0) },
      };
      let started = Date.now();
      const fast = await standin.query(record.values, options);
      indexed.push(Date.now() - started);
      indexRowsRead += (await standin.explain(record.values, options)).rowsRead;
      started = Date.now();
      const all = await store.readAll(NAMESPACE);
      const exact = searchVectors(all, record.values, options, { metric: "cosine" });
      scanned.push(Date.now() - started);
      rowsRead += all.length;
      const got = new Set(fast.matches.map((match) => match.id));
      const wanted = exact.matches.filter((match) => match.score >= CANDIDATE_CUTOFF);
      exactCandidates += wanted.length;
      foundCandidates += wanted.filter((match) => got.has(match.id)).length;
    }
    indexed.sort((a, b) => a - b);
    scanned.sort((a, b) => a - b);
    const line = {
      benchmark: "vector-standin-query",
      vectors: records.length,
      queries: QUERIES,
      loadMs,
      index: { meanMs: mean(indexed), p50Ms: percentile(indexed, 0.5), p95Ms: percentile(indexed, 0.95) },
      exactScan: { meanMs: mean(scanned), p50Ms: percentile(scanned, 0.5), p95Ms: percentile(scanned, 0.95) },
      speedup: Math.round((mean(scanned) / Math.max(1, mean(indexed))) * 10) / 10,
      candidateRecall:
        exactCandidates === 0 ? 1 : Math.round((foundCandidates / exactCandidates) * 10_000) / 10_000,
      indexRowsReadPerQuery: Math.round(indexRowsRead / QUERIES),
      exactRowsReadPerQuery: Math.round(rowsRead / QUERIES),
    };
    console.log(`BENCH_JSON ${JSON.stringify(line)}`);
    expect(line.index.p95Ms).toBeLessThan(1000);
  },
);
