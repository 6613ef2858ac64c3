/** The leaky-bucket throttle: concurrent bursts, exact 403 answer, leaking on the injected clock, 429 mode. */
import { describe, expect, it } from "vitest";
import { admit, leak, settle, DEFAULT_THROTTLE } from "../local/simulator/throttle";
import { clock, get, sim, TOKEN } from "../support/simulator-harness";

describe("throttle bucket arithmetic", () => {
  it("reserves the up-front cost, swaps it for the real cost and leaks over time", () => {
    const admitted = admit({ count: 0, at: 0 }, DEFAULT_THROTTLE, 0);
    expect(admitted.admitted).toBe(true);
    expect(admitted.bucket.count).toBe(50);
    const settled = settle(admitted.bucket, DEFAULT_THROTTLE, 1.5, 0);
    expect(settled.count).toBeCloseTo(1.5);
    expect(leak({ count: 100, at: 0 }, 3000, 10).count).toBeCloseTo(70);
    expect(leak({ count: 5, at: 0 }, 3000, 10).count).toBe(0);
    const full = admit({ count: 600, at: 0 }, DEFAULT_THROTTLE, 0);
    expect(full.admitted).toBe(false);
    // Canvas reserves the up-front cost first and then asks whether the bucket is full: 550 + 50 is.
    expect(admit({ count: 550, at: 0 }, DEFAULT_THROTTLE, 0).admitted).toBe(false);
    expect(admit({ count: 549.9, at: 0 }, DEFAULT_THROTTLE, 0).admitted).toBe(true);
  });
});

describe("throttled requests", () => {
  it("lets 11 concurrent requests in and answers the 12th with Canvas's exact 403", async () => {
    const s = sim();
    const burst = await Promise.all(Array.from({ length: 12 }, () => get(s, "/api/v1/courses/101")));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((st) => st === 200)).toHaveLength(11);
    const refused = burst.find((r) => r.status === 403);
    expect(refused).toBeDefined();
    if (refused === undefined) return;
    expect(await refused.text()).toBe("403 Forbidden (Rate Limit Exceeded)\n");
    expect(refused.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(refused.headers.get("x-rate-limit-remaining")).toBe("0.0");
    expect(refused.headers.get("x-request-cost")).toBeNull();
    expect(s.control.counters().total.throttled).toBe(1);
  });

  it("never throttles one request at a time, and reports cost and remaining quota", async () => {
    const s = sim();
    for (let i = 0; i < 40; i++) {
      const response = await get(s, "/api/v1/courses/101/pages");
      expect(response.status).toBe(200);
      const cost = Number(response.headers.get("x-request-cost"));
      expect(cost).toBeGreaterThan(1);
      expect(cost).toBeLessThan(2);
      expect(Number(response.headers.get("x-rate-limit-remaining"))).toBeLessThanOrEqual(600);
    }
  });

  it("leaks the bucket with the injected clock while requests are in flight", async () => {
    const c = clock();
    const s = sim({}, c);
    // Hold requests in flight (50 ms of real latency) so their 50-unit reservations stay in the bucket.
    s.control.addFault({ action: { type: "latency", ms: 50 } });
    const held = Array.from({ length: 11 }, () => get(s, "/api/v1/courses/101"));
    expect((await get(s, "/api/v1/courses/101")).status).toBe(403);
    // 100 ms at 10 units/s: 550 -> 549, so one more gets in (549 + 50 = 599 < 600).
    c.advance(100);
    held.push(get(s, "/api/v1/courses/101"));
    expect((await get(s, "/api/v1/courses/101")).status).toBe(403);
    // 4.8 s drain 48 units: 551 + 50 is still full; 0.2 s more: 549 + 50, open again.
    c.advance(4800);
    expect((await get(s, "/api/v1/courses/101")).status).toBe(403);
    c.advance(200);
    held.push(get(s, "/api/v1/courses/101"));
    expect((await Promise.all(held)).every((r) => r.status === 200)).toBe(true);
  });

  it("answers 429 with retry-after in 429 mode", async () => {
    const s = sim({ throttle: { mode: "429" } });
    const burst = await Promise.all(Array.from({ length: 14 }, () => get(s, "/api/v1/courses/101")));
    const refused = burst.filter((r) => r.status === 429);
    expect(refused.length).toBe(3);
    const first = refused[0];
    if (first === undefined) return;
    expect(Number(first.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await first.text()).toContain("Rate Limit Exceeded");
    expect(burst.filter((r) => r.status === 403)).toHaveLength(0);
  });

  it("keeps a separate bucket per token and can be disabled", async () => {
    const s = sim({ tokens: ["a", "b"] });
    const burstA = await Promise.all(Array.from({ length: 12 }, () => get(s, "/api/v1/courses/101", "a")));
    expect(burstA.some((r) => r.status === 403)).toBe(true);
    expect((await get(s, "/api/v1/courses/101", "b")).status).toBe(200);
    const off = sim({ throttle: { enabled: false } });
    const burst = await Promise.all(Array.from({ length: 30 }, () => get(off, "/api/v1/courses/101")));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    expect(burst[0]?.headers.get("x-rate-limit-remaining")).toBeNull();
  });
});

describe("hosts that do not report their throttle", () => {
  it("headerFraction 0: no response carries the headers, yet the bucket still throttles", async () => {
    const s = sim({ throttle: { headerFraction: 0 } });
    const burst = await Promise.all(Array.from({ length: 12 }, () => get(s, "/api/v1/courses/101")));
    expect(burst.filter((r) => r.status === 403)).toHaveLength(1);
    for (const response of burst) {
      expect(response.headers.get("x-rate-limit-remaining")).toBeNull();
      expect(response.headers.get("x-request-cost")).toBeNull();
    }
  });

  it("headerFraction 0.5: every other response carries them", async () => {
    const s = sim({ throttle: { headerFraction: 0.5 } });
    const carried: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await get(s, "/api/v1/courses/101");
      carried.push(response.headers.get("x-rate-limit-remaining") !== null);
    }
    expect(carried).toEqual([false, true, false, true, false, true]);
  });

  it("accounts the units charged and the most requests served at once, whatever the headers said", async () => {
    const s = sim({ throttle: { headerFraction: 0 } });
    s.control.addFault({ action: { type: "latency", ms: 30 } });
    await Promise.all(Array.from({ length: 4 }, () => get(s, "/api/v1/courses/101")));
    const load = s.control.load();
    expect(load.maxInFlight).toBe(4);
    expect(load.inFlight).toBe(0);
    expect(load.cost).toBeCloseTo(4 * 1.01, 6);
    expect(s.control.throttleLevel(TOKEN)).toBeCloseTo(4 * 1.01, 6);
  });
});
