/** The ideal client the rate-budget benchmark is measured against (test/local/bench/ideal-makespan.ts). */
import { describe, expect, it } from "vitest";
import { idealMakespanMs, type Segment } from "./ideal-makespan";

const BUCKET = { hwm: 600, outflow: 10, upFront: 50 };

/** n requests at `parallel`, each a 300 ms round trip costing `cost`, then `holdMs` elsewhere. */
function segment(n: number, parallel: number, cost = 0, holdMs = 0): Segment {
  return { parallel, requests: n, cost: n * cost, latencyMs: n * 300, holdMs: n * holdMs };
}

describe("idealMakespanMs", () => {
  it("runs a course's requests at parallel / round trip while the bucket has room", () => {
    expect(idealMakespanMs([[segment(600, 6)]], BUCKET)).toBeCloseTo(30_000, -2);
    // Listing pages one after another: 10 x 300 ms.
    expect(idealMakespanMs([[segment(10, 1), segment(600, 6)]], BUCKET)).toBeCloseTo(33_000, -2);
  });

  it("counts a file's hop to the storage host against the connection, not against the bucket", () => {
    // 300 + 20 ms per request on six connections.
    expect(idealMakespanMs([[segment(600, 6, 0, 20)]], BUCKET)).toBeCloseTo(32_000, -2);
    // Two courses want 12 at Canvas on a drained bucket, which admits 11: each gets 11/12 of its rate. With the
    // hop, they want 12 x 300/320 = 11.25 at Canvas, so the bucket takes less off.
    const bare = idealMakespanMs([[segment(600, 6)], [segment(600, 6)]], BUCKET);
    expect(bare).toBeCloseTo((30_000 * 12) / 11, -2);
    const withHop = idealMakespanMs([[segment(600, 6, 0, 20)], [segment(600, 6, 0, 20)]], BUCKET);
    expect(withHop).toBeCloseTo((32_000 * 11.25) / 11, -2);
  });

  it("is bound by the leak once the bucket fills: 2 units a request, 10 units a second, is 5 requests a second", () => {
    const ms = idealMakespanMs([[segment(3_000, 6, 2)]], BUCKET);
    // The bucket fills at 20 - 10 units a second for about 50 s, then 5 requests a second.
    expect(ms / 1000).toBeGreaterThan(3_000 / 5 - 100);
    expect(ms / 1000).toBeLessThan(3_000 / 5);
  });
});
