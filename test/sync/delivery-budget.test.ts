/**
 * The delivery budget: which limit a unit of work would overrun, the reserve kept for the final commit, units
 * admitted while others are in flight, the first unit always admitted, and nothing admitted once one was refused.
 */
import { describe, expect, it } from "vitest";
import {
  DeliveryBudget,
  downloadCost,
  FINAL_RESERVE,
  overrun,
  REQUEST_COST,
  ZERO_COST,
  type Usage,
} from "../../src/sync/delivery-budget";

const LIMITS = { wallMs: 600_000, canvasRequests: 100, d1Statements: 800, subrequests: 5_000 };
const used = (over: Partial<Usage & { wallMs: number }> = {}) => ({
  canvasRequests: 0,
  d1Statements: 0,
  subrequests: 0,
  wallMs: 0,
  ...over,
});

describe("overrun", () => {
  it("names the first limit a unit would pass, keeping the final reserve", () => {
    expect(overrun(LIMITS, used(), ZERO_COST, REQUEST_COST)).toBeNull();
    expect(overrun(LIMITS, used({ canvasRequests: 97 }), ZERO_COST, REQUEST_COST)).toBe("canvas_requests");
    expect(overrun(LIMITS, used({ canvasRequests: 96 }), ZERO_COST, REQUEST_COST)).toBeNull();
    const subrequestsLeft = LIMITS.subrequests - FINAL_RESERVE.subrequests;
    expect(overrun(LIMITS, used({ subrequests: subrequestsLeft - 12 }), ZERO_COST, REQUEST_COST)).toBeNull();
    expect(overrun(LIMITS, used({ subrequests: subrequestsLeft - 11 }), ZERO_COST, REQUEST_COST)).toBe(
      "subrequests",
    );
    expect(
      overrun(LIMITS, used({ d1Statements: 800 - FINAL_RESERVE.d1Statements + 1 }), ZERO_COST, ZERO_COST),
    ).toBe("d1_statements");
    expect(overrun(LIMITS, used({ wallMs: 600_000 - 30_000 + 1 }), ZERO_COST, ZERO_COST)).toBe("wall_time");
  });

  it("counts what admitted units still in flight may spend", () => {
    const inFlight = { ...REQUEST_COST, canvasRequests: 97 };
    expect(overrun(LIMITS, used(), inFlight, REQUEST_COST)).toBe("canvas_requests");
  });

  it("prices a large download by its parts and time, a small one by its hops", () => {
    expect(downloadCost(1_000).subrequests).toBeLessThan(40);
    const big = downloadCost(2 * 1024 ** 3);
    expect(big.subrequests).toBeGreaterThan(256);
    expect(big.seconds).toBeGreaterThan(200);
  });
});

describe("DeliveryBudget", () => {
  it("admits the first unit whatever it costs, then stops for good at the first refusal", () => {
    const spent: Usage = { canvasRequests: 0, d1Statements: 0, subrequests: 0 };
    const budget = new DeliveryBudget(
      { ...LIMITS, canvasRequests: 5 },
      () => ({ ...spent }),
      () => 0,
    );
    expect(budget.admit(REQUEST_COST)).toBe(true);
    spent.canvasRequests += 2; // one retry
    budget.settle(REQUEST_COST);
    expect(budget.admit(REQUEST_COST)).toBe(false);
    expect(budget.stoppedBy).toBe("canvas_requests");
    expect(budget.admit(ZERO_COST)).toBe(false);
    expect(budget.exhausted).toBe(true);
  });

  it("measures from where the delivery started, not from the invocation's first call", () => {
    const spent: Usage = { canvasRequests: 40, d1Statements: 300, subrequests: 900 };
    let now = 1_000;
    const budget = new DeliveryBudget(
      LIMITS,
      () => ({ ...spent }),
      () => now,
    );
    spent.canvasRequests += 3;
    spent.subrequests += 10;
    now += 2_500;
    expect(budget.used()).toEqual({ canvasRequests: 3, d1Statements: 0, subrequests: 10, wallMs: 2_500 });
  });

  it("runs admitted work and releases its reservation even when it throws", async () => {
    const budget = new DeliveryBudget(
      LIMITS,
      () => ({ canvasRequests: 0, d1Statements: 0, subrequests: 0 }),
      () => 0,
    );
    await expect(budget.run(REQUEST_COST, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    // After the release, 96 requests' worth still fits (100 minus one unit of four).
    expect(budget.admit({ ...REQUEST_COST, canvasRequests: 96 })).toBe(true);
  });
});
