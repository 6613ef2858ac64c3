import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/resilience/backoff";
import {
  complete,
  createRateBudget,
  DEFAULT_RATE_BUDGET,
  levelAt,
  observe,
  RateBudgetStateSchema,
  marginOf,
  release,
  reserve,
  throttleRegime,
} from "../../src/resilience/rate-budget";
import { fill, granted, heard, T0 } from "../support/rate-budget-fixtures";

describe("defaults", () => {
  it("mirror Canvas's open-source throttle settings", () => {
    expect(DEFAULT_RATE_BUDGET).toMatchObject({ hwm: 600, outflow: 10, upFront: 50 });
  });
});

describe("reserve", () => {
  it("grants a request on an empty bucket and hands out a lease", () => {
    const result = granted(reserve(createRateBudget(T0), T0));
    expect(result.leaseId).toBe(1);
    expect(result.grantedAt).toBe(T0);
    expect(result.state.inFlight).toEqual([{ id: 1, expiresAt: T0 + DEFAULT_RATE_BUDGET.leaseTtlMs }]);
  });

  it("allows as many requests in flight as Canvas admits below hwm - margin: 11 x 50 < 590", () => {
    const { grants, refusal } = fill(heard(), T0);
    expect(grants).toBe(11);
    expect(refusal).toMatchObject({
      kind: "wait",
      blockedBy: "in_flight",
      waitMs: DEFAULT_RATE_BUDGET.minWaitMs,
    });
  });

  it("makes a caller wait exactly until the bucket has leaked below the ceiling", () => {
    // remaining 0 -> level 600, + 50 up front is 60 units above 590: it must leak by more, 6 s at 10 units/s.
    const state = observe(createRateBudget(T0), { remaining: 0, throttled: false }, T0);
    const wait = reserve(state, T0);
    expect(wait).toMatchObject({ kind: "wait", waitMs: 6_001, blockedBy: "bucket" });
    expect(reserve(wait.state, T0 + 6_000).kind).toBe("wait");
    expect(reserve(wait.state, T0 + 6_001).kind).toBe("granted");
  });

  it("grants just below the ceiling, not at it", () => {
    const below = observe(createRateBudget(T0), { remaining: 60.5, throttled: false }, T0);
    expect(reserve(below, T0).kind).toBe("granted");
    const at = observe(createRateBudget(T0), { remaining: 60, throttled: false }, T0);
    expect(reserve(at, T0).kind).toBe("wait");
  });

  it("counts in-flight requests: each one holds an up-front charge", () => {
    // level 400: a third request makes 400 + 3 x 50 = 550 < 590; a fourth would make 600.
    const state = observe(createRateBudget(T0), { remaining: 200, throttled: false }, T0);
    const { grants, refusal } = fill(state, T0);
    expect(grants).toBe(3);
    expect(refusal).toMatchObject({ kind: "wait", blockedBy: "bucket", waitMs: 1_001 });
  });

  it("lets one request through at a time until Canvas has answered once", () => {
    const first = granted(reserve(createRateBudget(T0), T0));
    expect(reserve(first.state, T0)).toMatchObject({ kind: "wait", blockedBy: "in_flight" });
    const answered = complete(first.state, { cost: 1, remaining: 599, throttled: false }, T0, first.leaseId);
    expect(fill(answered, T0).grants).toBe(11);
  });

  it("always lets a lone request through a drained bucket, even when misconfigured", () => {
    const state = createRateBudget(T0, { upFront: 700 });
    const first = granted(reserve(state, T0));
    expect(reserve(first.state, T0)).toMatchObject({ kind: "wait", blockedBy: "in_flight" });
  });

  it("expires leases whose holder never came back", () => {
    const { state } = fill(heard(), T0);
    expect(reserve(state, T0 + DEFAULT_RATE_BUDGET.leaseTtlMs - 1).kind).toBe("wait");
    const later = granted(reserve(state, T0 + DEFAULT_RATE_BUDGET.leaseTtlMs));
    expect(later.state.inFlight).toHaveLength(1);
  });

  it("does not run time backwards", () => {
    const state = observe(createRateBudget(T0), { remaining: 300, throttled: false }, T0);
    const result = reserve(state, T0 - 10_000);
    expect(result.state.level).toBe(300);
    expect(result.state.updatedAt).toBe(T0);
  });
});

describe("observe", () => {
  const base = createRateBudget(T0);

  it("trusts Canvas's remaining quota: level = hwm - remaining", () => {
    const state = observe({ ...base, level: 10 }, { cost: 1.2, remaining: 431.5, throttled: false }, T0);
    expect(state.level).toBeCloseTo(168.5, 9);
  });

  it("learns a larger hwm when Canvas reports more remaining than the assumed hwm", () => {
    const state = observe(base, { remaining: 700, throttled: false }, T0);
    expect(state.hwm).toBe(700);
    expect(state.level).toBe(0);
  });

  it("adds the reported cost when there is no remaining header, and the assumed cost when there is nothing", () => {
    expect(observe({ ...base, level: 10 }, { cost: 2.5, remaining: null, throttled: false }, T0).level).toBe(
      12.5,
    );
    expect(observe({ ...base, level: 10 }, { throttled: false }, T0).level).toBe(
      10 + DEFAULT_RATE_BUDGET.assumedCost,
    );
  });

  it("takes a throttled response as a full bucket", () => {
    expect(observe(base, { cost: null, remaining: 0, throttled: true }, T0).level).toBe(600);
    expect(observe(base, { throttled: true }, T0).level).toBe(600);
  });

  it("leaks before it adds", () => {
    const state = observe({ ...base, level: 300 }, { cost: 1, throttled: false }, T0 + 10_000);
    expect(state.level).toBe(201);
  });

  it("ignores non-finite header values", () => {
    const state = observe(
      { ...base, level: 50 },
      { cost: Number.NaN, remaining: Number.NaN, throttled: false },
      T0,
    );
    expect(state.level).toBe(50 + DEFAULT_RATE_BUDGET.assumedCost);
  });
});

describe("release and complete", () => {
  const two = (() => {
    const a = granted(reserve(heard(), T0));
    return granted(reserve(a.state, T0)).state;
  })();

  it("ends the named lease, or the oldest one without a name", () => {
    expect(release(two, 2).inFlight.map((lease) => lease.id)).toEqual([1]);
    expect(release(two).inFlight.map((lease) => lease.id)).toEqual([2]);
  });

  it("is idempotent for unknown leases and an empty budget", () => {
    expect(release(two, 99)).toBe(two);
    const empty = createRateBudget(T0);
    expect(release(empty)).toBe(empty);
  });

  it("complete observes and releases", () => {
    const state = complete(two, { cost: 1, remaining: 500, throttled: false }, T0 + 1_000, 1);
    expect(state.level).toBe(100);
    expect(state.inFlight.map((lease) => lease.id)).toEqual([2]);
  });

  it("after a throttle, the next request waits for the bucket to drain below the ceiling", () => {
    const only = granted(reserve(createRateBudget(T0), T0));
    const after = complete(only.state, { remaining: 0, throttled: true }, T0 + 500, only.leaseId);
    // level 600 + 50 is 60 units above 590: just over 6 s.
    expect(reserve(after, T0 + 500)).toMatchObject({ kind: "wait", waitMs: 6_001, blockedBy: "bucket" });
  });
});

describe("invariant", () => {
  it("never grants into a bucket at hwm - margin, except a lone request on a drained bucket", () => {
    const random = seededRandom(3);
    let state = createRateBudget(0);
    let now = 0;
    const open: number[] = [];
    const violations: string[] = [];
    let grants = 0;
    let refusals = 0;
    let minLevel = 0;
    for (let step = 0; step < 20_000; step++) {
      now += Math.floor(random() * 200);
      if (random() < 0.55) {
        const before = levelAt(state, now);
        const inFlightBefore = state.inFlight.filter((lease) => lease.expiresAt > now).length;
        const result = reserve(state, now);
        state = result.state;
        if (result.kind === "granted") {
          open.push(result.leaseId);
          grants++;
          const fits = before + (inFlightBefore + 1) * state.upFront < state.hwm - marginOf(state);
          if (!fits && !(inFlightBefore === 0 && before === 0))
            violations.push(`step ${step}: level ${before}`);
        } else {
          refusals++;
        }
      } else if (open.length > 0) {
        const index = Math.floor(random() * open.length);
        const [leaseId] = open.splice(index, 1);
        const remaining = random() < 0.8 ? state.hwm - levelAt(state, now) - random() * 5 : null;
        state = complete(state, { cost: 1 + random(), remaining, throttled: false }, now, leaseId);
      }
      minLevel = Math.min(minLevel, state.level);
    }
    expect(violations).toEqual([]);
    expect(minLevel).toBe(0);
    // The walk must actually exercise both grants and refusals.
    expect(grants).toBeGreaterThan(1_000);
    expect(refusals).toBeGreaterThan(1_000);
  });
});

describe("RateBudgetStateSchema", () => {
  it("reads a state stored before the learned fields existed", () => {
    const { reported: _r, unreported: _u, meanCost: _m, ...old } = createRateBudget(T0);
    const parsed = RateBudgetStateSchema.parse(old);
    expect(throttleRegime(parsed)).toBe("learning");
    expect(parsed.meanCost).toBe(DEFAULT_RATE_BUDGET.assumedCost);
  });

  it("round-trips a stored state and rejects a broken one", () => {
    const state = granted(reserve(createRateBudget(T0), T0)).state;
    expect(RateBudgetStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(RateBudgetStateSchema.safeParse({ ...state, level: -1 }).success).toBe(false);
  });
});
