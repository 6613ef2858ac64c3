/**
 * The rate budget's learning from responses: in-flight charges counted once (a sync's older leases are in Canvas's
 * reported level), the margin widened by requests dearer than their up-front charge, and hosts whose responses do
 * not report their throttle.
 */
import { describe, expect, it } from "vitest";
import {
  complete,
  createRateBudget,
  DEFAULT_RATE_BUDGET,
  observe,
  LEARNING_RESPONSES,
  marginOf,
  reserve,
  silentCharge,
  throttleRegime,
} from "../../src/resilience/rate-budget";
import { fill, granted, heard, T0 } from "../support/rate-budget-fixtures";

describe("in-flight charges are counted once", () => {
  /** Three leases granted on a fresh budget to one holder (one sync delivery), and one to another. */
  const leases = (() => {
    let state = heard();
    for (let i = 0; i < 3; i++) state = granted(reserve(state, T0, "course-a")).state;
    return granted(reserve(state, T0, "course-b")).state;
  })();

  it("takes the charges of the same holder's older leases out of the level Canvas reports", () => {
    // Lease 3 answers; leases 1 and 2 left before it and are at Canvas: its 150 + 50 (lease 4) includes them.
    const state = complete(leases, { cost: 1, remaining: 400, throttled: false }, T0, 3);
    expect(state.level).toBe(100);
    // They are still counted as in flight, once, by reserve.
    expect(state.inFlight.map((lease) => lease.id)).toEqual([1, 2, 4]);
  });

  it("keeps younger leases and other holders' leases (they may still wait for a connection), erring high", () => {
    expect(complete(leases, { cost: 1, remaining: 400, throttled: false }, T0, 1).level).toBe(200);
    expect(complete(leases, { cost: 1, remaining: 400, throttled: false }, T0, 4).level).toBe(200);
  });

  it("takes nothing out for a caller that does not name itself", () => {
    let state = heard();
    for (let i = 0; i < 3; i++) state = granted(reserve(state, T0)).state;
    expect(complete(state, { cost: 1, remaining: 450, throttled: false }, T0, 3).level).toBe(150);
  });

  it("never lets the estimate go below an empty bucket", () => {
    const state = complete(leases, { cost: 1, remaining: 580, throttled: false }, T0, 3);
    expect(state.level).toBe(0);
  });

  it("with seven requests of one sync in flight on a drained bucket, an eighth is granted (double counting refused it)", () => {
    let state = heard();
    for (let i = 0; i < 8; i++) state = granted(reserve(state, T0, "course-a")).state;
    // The eighth answers: Canvas reports 7 x 50 of the others in flight plus 1 unit of its own.
    const counted = complete(state, { cost: 1, remaining: 249, throttled: false }, T0, 8);
    expect(counted.level).toBe(1);
    expect(reserve(counted, T0, "course-a").kind).toBe("granted");
    // Counted twice, the same report leaves no room: 351 + (7 + 1) x 50 = 751.
    expect(reserve({ ...counted, level: 351 }, T0, "course-a").kind).toBe("wait");
  });
});

describe("the margin", () => {
  it("is the configured one while requests cost less than their up-front charge", () => {
    const state = observe(createRateBudget(T0), { cost: 2, remaining: 590, throttled: false }, T0);
    expect(marginOf(state)).toBe(DEFAULT_RATE_BUDGET.safetyMargin);
  });

  it("widens by what a request costs beyond its up-front charge, and narrows again as such requests stop", () => {
    let state = observe(createRateBudget(T0), { cost: 90, remaining: 500, throttled: false }, T0);
    expect(marginOf(state)).toBe(40);
    // 400 + 50 up front is below 590 - 10 but not below 590 - 40.
    const at400 = observe(state, { cost: 1, remaining: 200, throttled: false }, T0);
    expect(reserve({ ...at400, level: 520 }, T0).kind).toBe("wait");
    for (let i = 0; i < 1_000; i++) state = observe(state, { cost: 1, remaining: 590, throttled: false }, T0);
    expect(marginOf(state)).toBe(DEFAULT_RATE_BUDGET.safetyMargin);
  });
});

describe("hosts that do not report their throttle", () => {
  const silent = { cost: null, remaining: null, throttled: false };

  it("charges the assumed cost while it learns, then nothing once no response ever carried the headers", () => {
    let state = createRateBudget(T0);
    for (let i = 0; i < LEARNING_RESPONSES; i++) {
      expect(throttleRegime(state)).toBe("learning");
      state = observe(state, silent, T0);
    }
    expect(state.level).toBe(LEARNING_RESPONSES * DEFAULT_RATE_BUDGET.assumedCost);
    expect(throttleRegime(state)).toBe("unreported");
    const before = state.level;
    for (let i = 0; i < 100; i++) state = observe(state, silent, T0);
    expect(state.level).toBe(before);
    // Only the cap on requests in flight applies: eleven on a drained bucket.
    expect(fill(observe(state, silent, T0 + 60_000), T0 + 60_000).grants).toBe(11);
  });

  it("on a host that reports on some responses, charges a silent one the mean reported cost", () => {
    let state = createRateBudget(T0);
    state = observe(state, { cost: 2, remaining: 590, throttled: false }, T0);
    state = observe(state, { cost: 2, remaining: 588, throttled: false }, T0);
    expect(throttleRegime(state)).toBe("reported");
    expect(silentCharge(state)).toBeCloseTo(2, 9);
    const after = observe(state, silent, T0);
    expect(after.level).toBeCloseTo(state.level + 2, 9);
    expect(throttleRegime(after)).toBe("reported");
  });

  it("a throttled answer without headers still proves the throttle is on", () => {
    let state = createRateBudget(T0);
    for (let i = 0; i < LEARNING_RESPONSES; i++) state = observe(state, silent, T0);
    state = observe(state, { throttled: true }, T0);
    expect(throttleRegime(state)).toBe("reported");
    expect(state.level).toBe(600);
  });

  it("forgets a host's old behaviour: counts are halved past a window of responses", () => {
    let state = observe(createRateBudget(T0), { cost: 1, remaining: 599, throttled: false }, T0);
    for (let i = 0; i < 2_000; i++) state = observe(state, silent, T0);
    expect(throttleRegime(state)).toBe("unreported");
  });
});
