import { describe, expect, it } from "vitest";
import { MemoryVectorIndex } from "../local/stand-ins/memory-vector-index";
import {
  CONFORMANCE_DIMENSIONS,
  runVectorIndexConformance,
  unitAt,
} from "../support/vector-index-conformance";

describe("MemoryVectorIndex conformance", () => {
  const index = new MemoryVectorIndex({ dimensions: CONFORMANCE_DIMENSIONS });
  runVectorIndexConformance(() => index);
});

describe("MemoryVectorIndex eventual consistency", () => {
  it("hides writes until their lag has passed, then applies them in write order", async () => {
    let now = 1_000;
    const index = new MemoryVectorIndex({ dimensions: CONFORMANCE_DIMENSIONS, lagMs: 500, now: () => now });
    const first = await index.upsert([{ id: "a", values: unitAt(0) }]);
    now += 100;
    await index.upsert([{ id: "a", values: unitAt(90) }]);
    expect(await index.getByIds(["a"])).toEqual([]);
    expect((await index.describe()).processedUpToMutation).toBe("");
    now = 1_500; // the first write is due, the second is not yet
    expect((await index.describe()).processedUpToMutation).toBe(first.mutationId);
    expect(Array.from((await index.getByIds(["a"]))[0]?.values ?? [])[0]).toBeCloseTo(1, 6);
    now = 1_600;
    expect(Array.from((await index.getByIds(["a"]))[0]?.values ?? [])[1]).toBeCloseTo(1, 6);
  });

  it("ranks euclidean by distance, lowest first, and dot-product by the raw product", async () => {
    const euclid = new MemoryVectorIndex({ dimensions: 2, metric: "euclidean" });
    const dot = new MemoryVectorIndex({ dimensions: 2, metric: "dot-product" });
    const vectors = [
      { id: "near", values: [1, 0.5] },
      { id: "far", values: [4, 0] },
    ];
    await euclid.upsert(vectors);
    await dot.upsert(vectors);
    const e = await euclid.query([1, 0]);
    expect(e.matches.map((m) => [m.id, m.score])).toEqual([
      ["near", 0.5],
      ["far", 3],
    ]);
    const d = await dot.query([1, 0]);
    expect(d.matches.map((m) => [m.id, m.score])).toEqual([
      ["far", 4],
      ["near", 1],
    ]);
  });
});
