import { describe, expect, it } from "vitest";
import {
  cellCountFor,
  cellsByCloseness,
  nearestCell,
  needsTraining,
  samplePositions,
  trainCentroids,
} from "../local/stand-ins/local-vectorize-ivf";

/** Points scattered tightly around `centre` (deterministic). */
function cluster(centre: readonly number[], count: number, spread: number, seed: number): number[][] {
  let s = seed;
  const next = (): number => {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    return s / 4_294_967_296 - 0.5;
  };
  return Array.from({ length: count }, () => centre.map((x) => x + spread * next()));
}

describe("the stand-in's coarse quantiser", () => {
  const a = cluster([1, 0, 0], 40, 0.1, 1);
  const b = cluster([0, 1, 0], 40, 0.1, 2);
  const c = cluster([0, 0, 1], 40, 0.1, 3);

  it("puts the points of one cluster in one cell and different clusters in different cells (cosine)", () => {
    const centroids = trainCentroids("cosine", [...a, ...b, ...c], 3, 3);
    const cellsOf = (points: number[][]) => new Set(points.map((p) => nearestCell("cosine", centroids, p)));
    expect(cellsOf(a).size).toBe(1);
    expect(cellsOf(b).size).toBe(1);
    expect(cellsOf(c).size).toBe(1);
    expect(new Set([...cellsOf(a), ...cellsOf(b), ...cellsOf(c)]).size).toBe(3);
    // Cosine centroids are unit vectors, whatever the scale of the points.
    for (let cell = 0; cell < 3; cell++) {
      const v = centroids.values.slice(cell * 3, cell * 3 + 3);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
  });

  it("ranks cells by closeness to the query, the query's own cell first", () => {
    const centroids = trainCentroids("euclidean", [...a, ...b, ...c], 3, 3);
    const order = cellsByCloseness("euclidean", centroids, [0.9, 0.2, 0]);
    expect(order).toHaveLength(3);
    expect(order[0]).toBe(nearestCell("euclidean", centroids, [1, 0, 0]));
    expect(order[1]).toBe(nearestCell("euclidean", centroids, [0, 1, 0]));
  });

  it("trains once the index reaches its minimum, then again only after it has grown fourfold", () => {
    expect(needsTraining(999, null, 1000)).toBe(false);
    expect(needsTraining(1000, null, 1000)).toBe(true);
    expect(needsTraining(3999, 1000, 1000)).toBe(false);
    expect(needsTraining(4000, 1000, 1000)).toBe(true);
  });

  it("sizes cells near the square root of the index and samples evenly", () => {
    expect(cellCountFor(10_000)).toBe(100);
    expect(cellCountFor(10)).toBe(16);
    expect(cellCountFor(10_000_000)).toBe(256);
    expect(samplePositions(10, 4)).toEqual([0, 2, 5, 7]);
    expect(samplePositions(3, 10)).toEqual([0, 1, 2]);
  });

  it("keeps as many cells as points when there are fewer points than cells", () => {
    const centroids = trainCentroids("cosine", a.slice(0, 2), 3, 16);
    expect(centroids.cells).toBe(2);
  });
});
