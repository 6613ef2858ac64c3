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
  inFlightCharge,
  observe,
  OTHERS_MEMORY_MS,
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

  it("keeps its own account while a report allows it: Canvas's level holds some of our requests in flight", () => {
    // Lease 3 answers at a cost of 1. Canvas was serving leases 1, 2 and 4: it reports 1 + 3 x 50 = 151.
    const state = complete(leases, { cost: 1, remaining: 449, throttled: false }, T0, 3);
    // Read as the level, that report counts three requests twice (151, as this budget once did); they are still
    // counted as in flight, once, by reserve.
    expect(state.level).toBe(1);
    expect(state.inFlight.map((lease) => lease.id)).toEqual([1, 2, 4]);
    expect(state.othersSeenAt).toBe(0);
  });

  it("bounds the level from above by the report less the same holder's older leases (surely at Canvas)", () => {
    // Lease 3 answers; its account says 1, but Canvas reports 181 with at most 1, 2 and 4 in it: 31 settled at
    // least, so someone else spent 30 units, and at most 181 - 100 = 81.
    const state = complete(leases, { cost: 1, remaining: 419, throttled: false }, T0, 3);
    expect(state.level).toBe(81);
    expect(state.othersSeenAt).toBe(T0);
  });

  it("when it cannot tell which leases Canvas holds, its own account decides, within the bounds", () => {
    // Lease 1 answers first; Canvas holds 2 and 3 but not yet 4 (granted to another delivery): 1 + 100 = 101.
    const state = complete(leases, { cost: 1, remaining: 499, throttled: false }, T0, 1);
    expect(state.level).toBe(1);
    // A report below the account brings it down: the account is never above what Canvas says.
    const leaked = complete({ ...leases, level: 40 }, { cost: 1, remaining: 600, throttled: false }, T0, 1);
    expect(leaked.level).toBe(0);
  });

  it("after a report its account cannot explain, reads the upper bound for OTHERS_MEMORY_MS, then its account", () => {
    const others = complete(leases, { cost: 1, remaining: 400, throttled: false }, T0, 3);
    expect(others.level).toBe(100);
    // A report its account could explain, while the other client may still be spending: still the upper bound.
    const soon = complete(others, { cost: 1, remaining: 450, throttled: false }, T0 + 1_000, 1);
    expect(soon.level).toBe(150);
    // Long after, with nothing unexplained since: its own account again.
    const later = OTHERS_MEMORY_MS + 1_000;
    const quiet = complete(
      { ...soon, reportedAt: T0 + later - 1_000 },
      { cost: 1, remaining: 550, throttled: false },
      T0 + later,
      2,
    );
    expect(quiet.level).toBeLessThan(50);
  });

  it("takes a gap after a long silence for the bucket's history, not for a client spending alongside", () => {
    const idle = { ...leases, reportedAt: T0 - 60_000 };
    const state = complete(idle, { cost: 1, remaining: 400, throttled: false }, T0, 3);
    expect(state.othersSeenAt).toBe(0);
    expect(state.level).toBe(50);
  });

  it("a throttled answer proves the account wrong: the upper bound is read for a while", () => {
    const state = complete(leases, { cost: null, remaining: 0, throttled: true }, T0, 3);
    expect(state.level).toBe(600);
    expect(state.othersSeenAt).toBe(T0);
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

  it("counts a request in flight at the recent peak cost while requests cost more than their up-front charge", () => {
    const dear = observe(heard(), { cost: 90, remaining: 510, throttled: false }, T0);
    expect(inFlightCharge(dear)).toBe(90);
    // Level 90, margin 40: four requests in flight may each end at 90 before a fifth arrives, 90 + 4 x 90 + 50 = 500
    // < 560, but a sixth does not fit: 90 + 5 x 90 + 50 = 590.
    let state = dear;
    for (let i = 0; i < 5; i++) state = granted(reserve(state, T0)).state;
    expect(reserve(state, T0).kind).toBe("wait");
    expect(inFlightCharge(heard())).toBe(DEFAULT_RATE_BUDGET.upFront);
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
