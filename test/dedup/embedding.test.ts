import { describe, expect, it } from "vitest";
import { generateCorpus } from "../local/corpus/corpus";
import {
  CANDIDATE_CUTOFF,
  DEFAULT_DIMENSIONS,
  cosine,
  sizeRange,
  trigramVector,
  vectorFromTrigrams,
} from "../../src/dedup/embedding";
import { exactNearDuplicatePairs } from "../local/corpus/quality-benchmark";
import { type TrigramLocale, isAboveThreshold, setSimilarity, trigramSet } from "../../src/dedup/trigram";
import { PG_ROWS } from "../support/pg-trgm-fixtures";

const ochiai = (a: ReadonlySet<string>, b: ReadonlySet<string>): number => {
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / Math.sqrt(a.size * b.size);
};

describe("trigramVector", () => {
  it("is deterministic, unit length and signed", () => {
    const text = "Submit a single PDF through the assignment page in Canvas.";
    const v = trigramVector(text);
    expect(v).toHaveLength(DEFAULT_DIMENSIONS);
    expect(Array.from(trigramVector(text))).toEqual(Array.from(v));
    expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    expect(v.some((x) => x < 0)).toBe(true);
    expect(v.some((x) => x > 0)).toBe(true);
  });

  it("depends only on the trigram set, like pg_trgm (order, case, punctuation are ignored)", () => {
    expect(Array.from(trigramVector("Beta, ALPHA; beta!"))).toEqual(Array.from(trigramVector("alpha beta")));
    expect(Array.from(trigramVector("alpha beta"))).not.toEqual(Array.from(trigramVector("alpha betas")));
  });

  it("honours the dimension argument and gives the zero vector for a text without trigrams", () => {
    expect(trigramVector("some text", 768)).toHaveLength(768);
    expect(Array.from(trigramVector("?!", 8))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => trigramVector("x", 0)).toThrow(RangeError);
  });

  it("estimates the Ochiai coefficient without bias on the pg_trgm pairs", () => {
    let sumErr = 0;
    let sumSq = 0;
    let n = 0;
    for (const row of PG_ROWS["C.UTF-8"]) {
      const a = trigramSet(row.a);
      const b = trigramSet(row.b);
      if (a.size === 0 || b.size === 0) continue;
      const err = cosine(vectorFromTrigrams(a), vectorFromTrigrams(b)) - ochiai(a, b);
      sumErr += err;
      sumSq += err * err;
      n++;
    }
    // Theory: signed hashing is unbiased with an error of roughly (1 - C²)/√D, at most 1/√384 ≈ 0.05.
    expect(Math.abs(sumErr / n)).toBeLessThan(0.005);
    expect(Math.sqrt(sumSq / n)).toBeLessThan(0.03);
  });
});

describe("sizeRange", () => {
  it("contains exactly the counts that can still reach similarity > 0.8 (brute force)", () => {
    const wrong: string[] = [];
    for (let n = 1; n <= 400; n++) {
      const { $gte, $lte } = sizeRange(n);
      for (let m = 1; m <= 520; m++) {
        // Best case: the smaller set inside the larger one, J = min/max (as float4, like pg_trgm).
        const possible = isAboveThreshold(Math.fround(Math.min(n, m) / Math.max(n, m)));
        if (possible !== (m >= $gte && m <= $lte)) wrong.push(`n=${n} m=${m}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("keeps a ratio of exactly 4/5 inside, since PostgreSQL counts it as above 0.8", () => {
    expect(sizeRange(5)).toEqual({ $gte: 4, $lte: 6 });
    expect(sizeRange(100)).toEqual({ $gte: 80, $lte: 125 });
  });

  it("follows a configured threshold and rejects nonsense", () => {
    expect(sizeRange(100, 0.9)).toEqual({ $gte: 91, $lte: 111 });
    expect(() => sizeRange(-1)).toThrow(RangeError);
    expect(() => sizeRange(10, 1)).toThrow(RangeError);
  });
});

/** Lowest vector cosine over true pairs, and whether every true pair passes the size filter. */
function trueCandidateStats(pairs: [Set<string>, Set<string>][]): { lowest: number; outside: number } {
  let lowest = 1;
  let outside = 0;
  for (const [a, b] of pairs) {
    lowest = Math.min(lowest, cosine(vectorFromTrigrams(a), vectorFromTrigrams(b)));
    const r = sizeRange(a.size);
    if (b.size < r.$gte || b.size > r.$lte) outside++;
  }
  return { lowest, outside };
}

describe(`candidate cut-off ${CANDIDATE_CUTOFF} at D = ${DEFAULT_DIMENSIONS}`, () => {
  // The cut-off must never lose a true pair and should keep a visible margin to the lowest true
  // score, so approximate scoring in Vectorize does not push a true pair under it.
  const MARGIN = 0.01;

  for (const locale of ["C.UTF-8", "C"] as const satisfies TrigramLocale[]) {
    it(`keeps every PostgreSQL > 0.8 pair of the fixture (${locale})`, () => {
      const truePairs = PG_ROWS[locale]
        .filter((r) => r.above08)
        .map((r): [Set<string>, Set<string>] => [trigramSet(r.a, { locale }), trigramSet(r.b, { locale })]);
      expect(truePairs.length).toBeGreaterThan(1000);
      const { lowest, outside } = trueCandidateStats(truePairs);
      expect(outside).toBe(0);
      expect(lowest).toBeGreaterThanOrEqual(CANDIDATE_CUTOFF + MARGIN);
    });
  }

  for (const [seed, locale] of [
    [11, "C.UTF-8"],
    [12, "C"],
  ] as const) {
    it(`keeps every true pair of the generated course corpus (seed ${seed}, ${locale})`, () => {
      const corpus = generateCorpus({ seed, bases: 50 });
      const texts = new Map(corpus.map((c) => [c.id, c.text]));
      const truth = exactNearDuplicatePairs(texts, 0.8, locale);
      expect(truth.size).toBeGreaterThan(200);
      const sets = new Map([...texts].map(([id, t]) => [id, trigramSet(t, { locale })]));
      const pairs = [...truth].map((key): [Set<string>, Set<string>] => {
        const [a = "", b = ""] = key.split("|");
        return [sets.get(a) ?? new Set(), sets.get(b) ?? new Set()];
      });
      const { lowest, outside } = trueCandidateStats(pairs);
      expect(outside).toBe(0);
      expect(lowest).toBeGreaterThanOrEqual(CANDIDATE_CUTOFF + MARGIN);
    });
  }

  it("lets through few pairs that are far from duplicates", () => {
    let far = 0;
    let passed = 0;
    for (const row of PG_ROWS["C.UTF-8"]) {
      const a = trigramSet(row.a);
      const b = trigramSet(row.b);
      if (setSimilarity(a, b) >= 0.5) continue;
      far++;
      if (cosine(vectorFromTrigrams(a), vectorFromTrigrams(b)) >= CANDIDATE_CUTOFF) passed++;
    }
    expect(far).toBeGreaterThan(50);
    expect(passed).toBe(0);
  });
});
