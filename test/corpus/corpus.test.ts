import { describe, expect, it } from "vitest";
import { Rng, editWords, generateCorpus } from "../local/corpus/corpus";
import { exactNearDuplicatePairs } from "../local/corpus/quality-benchmark";
import { isAboveThreshold, setSimilarity, similarity, trigramSet } from "../../src/dedup/trigram";

describe("generateCorpus", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = generateCorpus({ seed: 42, bases: 12 });
    expect(generateCorpus({ seed: 42, bases: 12 })).toEqual(a);
    expect(generateCorpus({ seed: 43, bases: 12 }).map((i) => i.text)).not.toEqual(a.map((i) => i.text));
  });

  it("covers every document type, subject and variant kind", () => {
    const corpus = generateCorpus({ seed: 1, bases: 60 });
    expect(new Set(corpus.map((c) => c.docType))).toEqual(
      new Set(["syllabus", "assignment", "lecture-notes", "quiz", "announcement"]),
    );
    expect(new Set(corpus.map((c) => c.subject)).size).toBe(5);
    expect(new Set(corpus.map((c) => c.kind))).toEqual(
      new Set([
        "base",
        "exact-copy",
        "light-edit",
        "medium-edit",
        "heavy-edit",
        "reorder",
        "case-punct",
        "template-fill",
        "block-change",
        "appended",
        "same-subject",
      ]),
    );
    expect(new Set(corpus.map((c) => c.id)).size).toBe(corpus.length);
  });

  it("spans short announcements to long lecture notes", () => {
    const lengths = generateCorpus({ seed: 1, bases: 60 }).map((c) => c.text.length);
    expect(Math.min(...lengths)).toBeLessThan(400);
    expect(Math.max(...lengths)).toBeGreaterThan(6000);
  });

  it("is hard on both sides of 0.8: non-trivial duplicates and near misses", () => {
    const corpus = generateCorpus({ seed: 2, bases: 40 });
    const base = new Map(corpus.filter((c) => c.kind === "base").map((c) => [c.group, c.text]));
    let editedDuplicates = 0;
    let nearMisses = 0;
    for (const c of corpus) {
      if (c.kind === "base" || c.kind === "exact-copy") continue;
      const s = similarity(base.get(c.group) ?? "", c.text);
      if (isAboveThreshold(s) && s < 0.95) editedDuplicates++;
      if (!isAboveThreshold(s) && s > 0.6) nearMisses++;
    }
    expect(editedDuplicates).toBeGreaterThan(20);
    expect(nearMisses).toBeGreaterThan(10);
  });

  it("keeps unrelated documents on the same subject mostly below the threshold", () => {
    const corpus = generateCorpus({ seed: 3, bases: 80 });
    const base = new Map(corpus.filter((c) => c.kind === "base").map((c) => [c.group, c.text]));
    const sims = corpus
      .filter((c) => c.kind === "same-subject")
      .map((c) => similarity(base.get(c.group) ?? "", c.text));
    expect(sims.length).toBeGreaterThan(20);
    expect(sims.filter((s) => isAboveThreshold(s)).length / sims.length).toBeLessThan(0.1);
  });
});

describe("editWords", () => {
  it("leaves text alone at rate 0 and rewrites most words at rate 1", () => {
    const text = "Students often confuse osmosis with diffusion, but the two processes differ.";
    expect(editWords(text, 0, new Rng(1))).toBe(text);
    const rewritten = editWords(text, 1, new Rng(1));
    expect(similarity(text, rewritten)).toBeLessThan(0.5);
  });
});

describe("exactNearDuplicatePairs", () => {
  it("finds exactly the pairs a brute-force pg_trgm comparison finds", () => {
    const corpus = generateCorpus({ seed: 9, bases: 10 });
    const sets = corpus.map((c) => ({ id: c.id, set: trigramSet(c.text) }));
    const expected = new Set<string>();
    for (const a of sets) {
      for (const b of sets) {
        if (a.id < b.id && isAboveThreshold(setSimilarity(a.set, b.set))) expected.add(`${a.id}|${b.id}`);
      }
    }
    expect(expected.size).toBeGreaterThan(10);
    expect(exactNearDuplicatePairs(new Map(corpus.map((c) => [c.id, c.text])))).toEqual(expected);
  });
});
