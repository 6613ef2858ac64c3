import { describe, expect, it } from "vitest";
import {
  breakerAllows,
  DEFAULT_BREAKER_CONFIG,
  initialBreakerState,
  nextBreakerState,
  type BreakerConfig,
  type BreakerEvent,
  type BreakerState,
} from "../../src/resilience/breaker";

const CONFIG: BreakerConfig = { failureThreshold: 5, openMs: 300_000, trialTimeoutMs: 60_000 };
const T0 = 1_000_000;

/** Feeds events in order at the given times, returning every transition. */
function run(start: BreakerState, steps: [BreakerEvent["type"], number][], config = CONFIG) {
  let state = start;
  return steps.map(([type, at]) => {
    const transition = nextBreakerState(state, { type }, at, config);
    state = transition.state;
    return transition;
  });
}

function last<T>(items: T[]): T {
  const item = items.at(-1);
  if (item === undefined) throw new Error("no items");
  return item;
}

function openedAt(at: number): BreakerState {
  return last(
    run(
      initialBreakerState(),
      [1, 2, 3, 4, 5].map((i) => ["failure", at - 5 + i] as const),
    ),
  ).state;
}

describe("closed", () => {
  it("starts closed and lets work through", () => {
    const state = initialBreakerState();
    expect(state).toEqual({ status: "closed", consecutiveFailures: 0 });
    expect(breakerAllows(state, T0)).toBe(true);
  });

  it("stays closed through four consecutive failures and opens on the fifth, with an alarm 300 s out", () => {
    const transitions = run(initialBreakerState(), [
      ["failure", T0],
      ["failure", T0 + 1],
      ["failure", T0 + 2],
      ["failure", T0 + 3],
      ["failure", T0 + 4],
    ]);
    expect(transitions.slice(0, 4).map((t) => t.state.status)).toEqual([
      "closed",
      "closed",
      "closed",
      "closed",
    ]);
    expect(transitions.slice(0, 4).every((t) => t.alarmAt === null)).toBe(true);
    expect(last(transitions)).toEqual({
      state: { status: "open", consecutiveFailures: 5, openedAt: T0 + 4, openUntil: T0 + 4 + 300_000 },
      alarmAt: T0 + 4 + 300_000,
    });
  });

  it("counts only consecutive failures: a success resets the count", () => {
    const steps: [BreakerEvent["type"], number][] = [
      ["failure", T0],
      ["failure", T0],
      ["failure", T0],
      ["failure", T0],
      ["success", T0],
      ["failure", T0],
      ["failure", T0],
      ["failure", T0],
      ["failure", T0],
    ];
    expect(last(run(initialBreakerState(), steps)).state).toEqual({
      status: "closed",
      consecutiveFailures: 4,
    });
  });

  it("ignores stale alarms and trial notices", () => {
    const state: BreakerState = { status: "closed", consecutiveFailures: 2 };
    expect(nextBreakerState(state, { type: "cooldown_elapsed" }, T0, CONFIG)).toEqual({
      state,
      alarmAt: null,
    });
    expect(nextBreakerState(state, { type: "trial_started" }, T0, CONFIG)).toEqual({ state, alarmAt: null });
  });

  it("uses the configured threshold", () => {
    const transitions = run(
      initialBreakerState(),
      [
        ["failure", T0],
        ["failure", T0],
      ],
      { ...CONFIG, failureThreshold: 2 },
    );
    expect(last(transitions).state.status).toBe("open");
  });
});

describe("open", () => {
  const open = openedAt(T0);
  const reopenAt = T0 + 300_000;

  it("refuses work during the cool-down", () => {
    expect(breakerAllows(open, T0 + 1)).toBe(false);
    expect(breakerAllows(open, reopenAt - 1)).toBe(false);
  });

  it("lets a trial through once the cool-down is over, even if the alarm has not run", () => {
    expect(breakerAllows(open, reopenAt)).toBe(true);
    const trial = nextBreakerState(open, { type: "trial_started" }, reopenAt + 5, CONFIG);
    expect(trial.state).toEqual({
      status: "half_open",
      consecutiveFailures: 5,
      openUntil: reopenAt,
      trialUntil: reopenAt + 5 + 60_000,
    });
    expect(trial.alarmAt).toBe(reopenAt + 5 + 60_000);
  });

  it("refuses a trial notice during the cool-down", () => {
    expect(nextBreakerState(open, { type: "trial_started" }, T0 + 10, CONFIG)).toEqual({
      state: open,
      alarmAt: null,
    });
  });

  it("re-arms an alarm that fires early", () => {
    expect(nextBreakerState(open, { type: "cooldown_elapsed" }, reopenAt - 1_000, CONFIG)).toEqual({
      state: open,
      alarmAt: reopenAt,
    });
  });

  it("goes half-open when the alarm fires after the cool-down", () => {
    const transition = nextBreakerState(open, { type: "cooldown_elapsed" }, reopenAt, CONFIG);
    expect(transition).toEqual({
      state: { status: "half_open", consecutiveFailures: 5, openUntil: reopenAt, trialUntil: null },
      alarmAt: null,
    });
  });

  it("ignores a late success and does not extend the cool-down on a late failure", () => {
    expect(nextBreakerState(open, { type: "success" }, T0 + 10, CONFIG).state).toEqual(open);
    const failed = nextBreakerState(open, { type: "failure" }, T0 + 10, CONFIG);
    expect(failed.state).toMatchObject({ status: "open", consecutiveFailures: 6, openUntil: reopenAt });
    expect(failed.alarmAt).toBeNull();
  });
});

describe("half-open", () => {
  const reopenAt = T0 + 300_000;
  const halfOpen = nextBreakerState(openedAt(T0), { type: "cooldown_elapsed" }, reopenAt, CONFIG).state;

  it("allows exactly one trial at a time", () => {
    expect(breakerAllows(halfOpen, reopenAt)).toBe(true);
    const trial = nextBreakerState(halfOpen, { type: "trial_started" }, reopenAt + 1, CONFIG);
    expect(breakerAllows(trial.state, reopenAt + 2)).toBe(false);
    const second = nextBreakerState(trial.state, { type: "trial_started" }, reopenAt + 2, CONFIG);
    expect(second).toEqual({ state: trial.state, alarmAt: null });
  });

  it("closes when the trial succeeds", () => {
    const transitions = run(halfOpen, [
      ["trial_started", reopenAt + 1],
      ["success", reopenAt + 30_000],
    ]);
    expect(last(transitions)).toEqual({ state: { status: "closed", consecutiveFailures: 0 }, alarmAt: null });
  });

  it("reopens for a fresh cool-down when the trial fails", () => {
    const failAt = reopenAt + 30_000;
    const transitions = run(halfOpen, [
      ["trial_started", reopenAt + 1],
      ["failure", failAt],
    ]);
    expect(last(transitions)).toEqual({
      state: { status: "open", consecutiveFailures: 6, openedAt: failAt, openUntil: failAt + 300_000 },
      alarmAt: failAt + 300_000,
    });
    expect(breakerAllows(last(transitions).state, failAt + 299_999)).toBe(false);
  });

  it("frees the trial slot when a trial goes silent past its deadline", () => {
    const trial = nextBreakerState(halfOpen, { type: "trial_started" }, reopenAt, CONFIG).state;
    const deadline = reopenAt + 60_000;
    expect(nextBreakerState(trial, { type: "cooldown_elapsed" }, deadline - 1, CONFIG)).toEqual({
      state: trial,
      alarmAt: deadline,
    });
    const freed = nextBreakerState(trial, { type: "cooldown_elapsed" }, deadline, CONFIG).state;
    expect(freed).toMatchObject({ status: "half_open", trialUntil: null });
    expect(breakerAllows(freed, deadline)).toBe(true);
    // A caller arriving after the deadline may start a trial even before the alarm ran.
    expect(breakerAllows(trial, deadline)).toBe(true);
  });

  it("ignores an alarm when no trial is running", () => {
    expect(nextBreakerState(halfOpen, { type: "cooldown_elapsed" }, reopenAt + 5, CONFIG)).toEqual({
      state: halfOpen,
      alarmAt: null,
    });
  });
});

describe("defaults and a whole outage", () => {
  it("defaults to the issue's numbers and a trial deadline beyond the consumer wall time", () => {
    expect(DEFAULT_BREAKER_CONFIG.failureThreshold).toBe(5);
    expect(DEFAULT_BREAKER_CONFIG.openMs).toBe(300_000);
    expect(DEFAULT_BREAKER_CONFIG.trialTimeoutMs).toBeGreaterThan(15 * 60_000);
    const trial = nextBreakerState(
      { status: "half_open", consecutiveFailures: 5, openUntil: T0, trialUntil: null },
      { type: "trial_started" },
      T0,
      { failureThreshold: 5, openMs: 300_000 },
    );
    expect(trial.alarmAt).toBe(T0 + DEFAULT_BREAKER_CONFIG.trialTimeoutMs);
  });

  it("an outage: opens, fails one trial, recovers on the next", () => {
    const steps: [BreakerEvent["type"], number][] = [
      ...[0, 1, 2, 3, 4].map((i): [BreakerEvent["type"], number] => ["failure", T0 + i * 1_000]),
      ["cooldown_elapsed", T0 + 304_000],
      ["trial_started", T0 + 305_000],
      ["failure", T0 + 310_000],
      ["cooldown_elapsed", T0 + 610_000],
      ["trial_started", T0 + 611_000],
      ["success", T0 + 620_000],
    ];
    const statuses = run(initialBreakerState(), steps).map((t) => t.state.status);
    expect(statuses).toEqual([
      "closed",
      "closed",
      "closed",
      "closed",
      "open",
      "half_open",
      "half_open",
      "open",
      "half_open",
      "half_open",
      "closed",
    ]);
  });
});
