/** The pure rules for duplicate rows: insert, update, keep; stale rows; the candidate cut-off per threshold. */
import { describe, expect, it } from "vitest";
import { CANDIDATE_CUTOFF } from "../../src/dedup/embedding";
import { candidateCutoffFor, decidePair, orientPair, staleRowIds } from "../../src/dedup/pair-decision";
import { type FoundPair, type StoredPair } from "../../src/storage/d1/duplicate-pairs";

const near = (hashB = "hb", score = 0.9): FoundPair =>
  orientPair(
    { itemId: "1:page:2", courseId: 1, textHash: "ha" },
    { itemId: "1:page:10", courseId: 1, textHash: hashB },
    { kind: "near_text", score, reason: "r" },
  );

const stored = (over: Partial<StoredPair> = {}): StoredPair => ({
  id: 7,
  itemA: "1:page:10",
  itemB: "1:page:2",
  courseA: 1,
  courseB: 1,
  kind: "near_text",
  status: "open",
  score: 0.9,
  textHashA: "hb",
  textHashB: "ha",
  updatedAt: 100,
  ...over,
});

describe("orientPair", () => {
  it("puts the smaller id first (string order, as the unique index compares) with its hash", () => {
    const pair = near();
    expect([pair.itemA, pair.itemB]).toEqual(["1:page:10", "1:page:2"]);
    expect([pair.textHashA, pair.textHashB]).toEqual(["hb", "ha"]);
    expect(() =>
      orientPair(
        { itemId: "x", courseId: 1, textHash: null },
        { itemId: "x", courseId: 1, textHash: null },
        { kind: "exact_text", score: 1, reason: "" },
      ),
    ).toThrow(RangeError);
  });
});

describe("decidePair", () => {
  it("inserts a new near-duplicate as an open, raised conflict and an exact copy as a link", () => {
    expect(decidePair(undefined, near())).toEqual({
      action: "insert",
      status: "open",
      raised: true,
      linked: false,
    });
    const exact = { ...near(), kind: "exact_text" as const, score: 1 };
    expect(decidePair(undefined, exact)).toEqual({
      action: "insert",
      status: "linked",
      raised: false,
      linked: true,
    });
  });

  it("keeps a resolved conflict found again with the same texts", () => {
    expect(decidePair(stored({ status: "resolved" }), near())).toEqual({ action: "keep" });
  });

  it("reopens a resolved conflict when one side's text changed", () => {
    expect(decidePair(stored({ status: "resolved" }), near("hb2", 0.85))).toEqual({
      action: "update",
      id: 7,
      expected: { updatedAt: 100, status: "resolved", kind: "near_text" },
      status: "open",
      raised: true,
      linked: false,
    });
  });

  it("refreshes an open conflict in place without raising it again", () => {
    expect(decidePair(stored(), near())).toEqual({ action: "keep" });
    const refreshed = decidePair(stored(), near("hb3", 0.88));
    expect(refreshed).toMatchObject({ action: "update", status: "open", raised: false });
  });

  it("never lets a text check overwrite a byte-identical link", () => {
    const blob = stored({ kind: "exact_blob", status: "linked", score: 1 });
    expect(decidePair(blob, { ...near(), kind: "exact_text", score: 1 })).toEqual({ action: "keep" });
    expect(decidePair(blob, near())).toEqual({ action: "keep" });
  });

  it("turns a text link whose texts now differ slightly into a raised conflict, and back", () => {
    const link = stored({ kind: "exact_text", status: "linked", score: 1, textHashA: "ha", textHashB: "ha" });
    expect(decidePair(link, near())).toMatchObject({ action: "update", status: "open", raised: true });
    const exact = { ...near("ha", 1), kind: "exact_text" as const, textHashA: "ha", textHashB: "ha" };
    expect(decidePair(stored(), exact)).toMatchObject({ action: "update", status: "linked", linked: true });
  });

  it("upgrades a text link to a byte-identical link (counted as a new link of that kind)", () => {
    const link = stored({ kind: "exact_text", status: "linked", score: 1 });
    expect(decidePair(link, { ...near(), kind: "exact_blob", score: 1 })).toMatchObject({
      action: "update",
      status: "linked",
      linked: true,
      raised: false,
    });
  });
});

describe("staleRowIds", () => {
  const rows: StoredPair[] = [
    stored({ id: 1, itemA: "a", itemB: "x", kind: "near_text", status: "open" }),
    stored({ id: 2, itemA: "a", itemB: "y", kind: "exact_text", status: "linked" }),
    stored({ id: 3, itemA: "a", itemB: "z", kind: "near_text", status: "resolved" }),
    stored({ id: 4, itemA: "a", itemB: "w", kind: "exact_blob", status: "linked" }),
    stored({ id: 5, itemA: "b", itemB: "x", kind: "near_text", status: "open" }),
    stored({ id: 6, itemA: "a", itemB: "v", kind: "near_text", status: "open" }),
  ];

  it("drops open conflicts and text links not found again when the check was complete", () => {
    expect(staleRowIds("a", rows, new Set(["v"]), true)).toEqual([1, 2]);
  });

  it("keeps open conflicts when the vector check was incomplete, but still drops text links", () => {
    expect(staleRowIds("a", rows, new Set(), false)).toEqual([2]);
  });
});

describe("candidateCutoffFor", () => {
  it("is the calibrated cut-off at 0.8 and keeps the same margin below the bound for lower thresholds", () => {
    expect(candidateCutoffFor(0.8)).toBeCloseTo(CANDIDATE_CUTOFF, 12);
    expect(candidateCutoffFor(0.9)).toBe(CANDIDATE_CUTOFF);
    const t = 0.6;
    expect(candidateCutoffFor(t)).toBeCloseTo((2 * t) / (1 + t) - ((2 * 0.8) / 1.8 - CANDIDATE_CUTOFF), 12);
    expect(candidateCutoffFor(t)).toBeLessThan(CANDIDATE_CUTOFF);
  });
});
