/**
 * Proof by simulation that a client which follows `reserve` is never throttled by Canvas's bucket and still uses
 * at least 90% of the sustainable request rate, with one course and with three courses on one token. The naive
 * client is the control: the same model does throttle when nobody paces.
 */
import { describe, expect, it } from "vitest";
import { simulate, type SimResult } from "../support/canvas-bucket-sim";

function report(label: string, result: SimResult): void {
  console.log(
    `[rate-budget sim] ${label}: completed=${result.completed} throttled=${result.throttled} ` +
      `makespan=${(result.makespanMs / 1000).toFixed(1)}s achieved=${result.achievedRps.toFixed(2)} rps ` +
      `steady=${result.steadyRps.toFixed(2)} rps sustainable=${result.sustainableRps.toFixed(2)} rps ` +
      `(steady ${((result.steadyRps / result.sustainableRps) * 100).toFixed(1)}%, overall ` +
      `${((result.achievedRps / result.sustainableRps) * 100).toFixed(1)}%) meanCost=${result.meanCost.toFixed(3)} ` +
      `minRemaining=${result.minRemaining.toFixed(1)} maxCanvasInFlight=${result.maxCanvasInFlight}`,
  );
}

describe("rate budget against a simulated Canvas bucket (hwm 600, outflow 10/s, up-front 50)", () => {
  it("the control: an unpaced client with three courses is throttled", () => {
    const result = simulate({ mode: "naive", courses: 3, requestsPerCourse: 2_000, concurrencyPerCourse: 4 });
    report("naive, 3 courses x 4 workers", result);
    expect(result.throttled).toBeGreaterThan(0);
  });

  it("one 10,000-request course: zero throttled, >= 90% of the sustainable rate", () => {
    const result = simulate({ courses: 1, requestsPerCourse: 10_000, concurrencyPerCourse: 3 });
    report("budget, 1 course x 3 workers", result);
    expect(result.completed).toBe(10_000);
    expect(result.throttled).toBe(0);
    expect(result.steadyRps / result.sustainableRps).toBeGreaterThanOrEqual(0.9);
    expect(result.achievedRps / result.sustainableRps).toBeGreaterThanOrEqual(0.9);
  });

  it("three 10,000-request courses on one token at once: zero throttled, >= 90% of the sustainable rate", () => {
    const result = simulate({ courses: 3, requestsPerCourse: 10_000, concurrencyPerCourse: 3 });
    report("budget, 3 courses x 3 workers", result);
    expect(result.completed).toBe(30_000);
    expect(result.throttled).toBe(0);
    expect(result.steadyRps / result.sustainableRps).toBeGreaterThanOrEqual(0.9);
    expect(result.achievedRps / result.sustainableRps).toBeGreaterThanOrEqual(0.9);
  });

  it("a single worker is bound by latency, not by the bucket, and is not slowed by the budget", () => {
    const result = simulate({ courses: 1, requestsPerCourse: 3_000, concurrencyPerCourse: 1 });
    report("budget, 1 course x 1 worker", result);
    expect(result.throttled).toBe(0);
    // 1 / (300 ms processing + 40 ms network) = 2.94 rps, below 10 / 1.5 = 6.67 rps from the bucket.
    expect(result.sustainableRps).toBeLessThan(10 / result.meanCost);
    expect(result.achievedRps / result.sustainableRps).toBeGreaterThanOrEqual(0.9);
  });

  it("stays unthrottled when some requests cost more than their up-front charge", () => {
    const result = simulate({
      courses: 3,
      requestsPerCourse: 3_000,
      concurrencyPerCourse: 3,
      heavyShare: 0.05,
      heavyCostMin: 20,
      heavyCostMax: 90,
      seed: 7,
    });
    report("budget, 3 courses, 5% heavy requests (cost 20-90)", result);
    expect(result.throttled).toBe(0);
    expect(result.steadyRps / result.sustainableRps).toBeGreaterThanOrEqual(0.9);
  });

  it("with many workers per course the budget caps what Canvas sees in flight", () => {
    const result = simulate({ courses: 3, requestsPerCourse: 3_000, concurrencyPerCourse: 8, seed: 11 });
    report("budget, 3 courses x 8 workers", result);
    expect(result.throttled).toBe(0);
    // (hwm - margin) / up-front = 11 concurrent charges at most on an empty bucket.
    expect(result.maxCanvasInFlight).toBeLessThanOrEqual(11);
    expect(result.steadyRps / result.sustainableRps).toBeGreaterThanOrEqual(0.9);
  });
});
