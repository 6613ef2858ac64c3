import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CANDIDATE_CUTOFF } from "../../src/dedup/embedding";
import { MemoryVectorIndex } from "../local/stand-ins/memory-vector-index";
import { runDedupQualityBenchmark } from "../local/corpus/quality-benchmark";
import { isVectorIndexPort } from "../../src/ports/vector-index";

describe("runDedupQualityBenchmark", () => {
  it("meets the targets in process: precision 1, recall >= 0.99, one query per changed text", async () => {
    const r = await runDedupQualityBenchmark({ seed: 3, bases: 40 });
    expect(r.truePairs).toBeGreaterThan(100);
    expect(r.precision).toBe(1);
    expect(r.recall).toBeGreaterThanOrEqual(0.99);
    expect(r.queriesPerChangedText).toBeLessThanOrEqual(1);
    // Every processed text either matched an identical one by hash or made exactly one query.
    expect(r.vectorQueries + r.exactLinks).toBe(r.changedTexts);
    expect(r.changedTexts).toBeGreaterThan(r.items);
    expect(r.recheckQueries).toBe(0);
    expect(r.truncatedQueries).toBe(0);
    expect(r.lowestTruePairCosine).toBeGreaterThanOrEqual(CANDIDATE_CUTOFF);
    // The exact confirmation does real work: some vector candidates are not duplicates.
    expect(r.rejectedCandidates).toBeGreaterThan(0);
  });

  it("meets them with the C-locale word rule too", async () => {
    const r = await runDedupQualityBenchmark({ seed: 4, bases: 25, locale: "C" });
    expect(r.precision).toBe(1);
    expect(r.recall).toBeGreaterThanOrEqual(0.99);
  });

  it("misses nothing when the index applies writes late: provisional checks are re-run", async () => {
    const r = await runDedupQualityBenchmark({
      seed: 5,
      bases: 6,
      index: new MemoryVectorIndex({ lagMs: 15 }),
    });
    expect(r.recheckQueries).toBeGreaterThan(0);
    expect(r.precision).toBe(1);
    expect(r.recall).toBe(1);
  });

  it("runs inside workerd against the local stand-in (env.VECTORS)", async () => {
    const binding = env.VECTORS;
    if (!isVectorIndexPort(binding)) throw new Error("env.VECTORS is not a vector index");
    const r = await runDedupQualityBenchmark({ seed: 6, bases: 6, index: binding, namespace: "bench-6" });
    expect(r.truePairs).toBeGreaterThan(5);
    expect(r.precision).toBe(1);
    expect(r.recall).toBe(1);
    expect(r.queriesPerChangedText).toBeLessThanOrEqual(1);
  });
});
