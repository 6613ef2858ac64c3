/**
 * The circuit breaker as a pure state machine; a Durable Object (per course, and per Canvas host for an outage of
 * Canvas itself) stores the state and sets the alarm this returns.
 *
 *   closed --(failureThreshold consecutive failures)--> open --(openMs elapsed: alarm)--> half_open
 *   half_open --(trial succeeds)--> closed;   half_open --(trial fails)--> open again, with a fresh cool-down
 *
 * In half_open exactly one trial may run. A trial that never reports (its worker died) frees the slot when its
 * deadline passes, so the breaker cannot wedge. Events that arrive late (a success from a request that started
 * before the breaker opened, a stale alarm) leave the state alone. Alarms are at-least-once, so an early or repeated
 * alarm is harmless, and `breakerAllows` also lets a trial through once the cool-down is over even if the alarm has
 * not run yet.
 */

import { unreachable } from "../shared/unreachable";

export type BreakerState =
  | { status: "closed"; consecutiveFailures: number }
  | { status: "open"; consecutiveFailures: number; openedAt: number; openUntil: number }
  | {
      status: "half_open";
      consecutiveFailures: number;
      /** when the cool-down ended (kept so status reports can say since when) */
      openUntil: number;
      /** deadline of the running trial, or null when a trial may start */
      trialUntil: number | null;
    };

export type BreakerEvent =
  | { type: "success" }
  | { type: "failure" }
  /** the trial sync is about to start; call it when `breakerAllows` let a non-closed breaker through */
  | { type: "trial_started" }
  /** the Durable Object alarm fired */
  | { type: "cooldown_elapsed" };

export interface BreakerConfig {
  /** consecutive failures that open the breaker (issue: 5) */
  failureThreshold: number;
  /** how long it stays open before a trial (issue: 300 s) */
  openMs: number;
  /** how long a trial may stay silent before another may start; above the 15-minute consumer wall time */
  trialTimeoutMs?: number;
}

export const DEFAULT_BREAKER_CONFIG: Required<BreakerConfig> = {
  failureThreshold: 5,
  openMs: 300_000,
  trialTimeoutMs: 16 * 60_000,
};

/** The new state, and the alarm time the owner must set (null: no new alarm needed; a stale one is harmless). */
export interface BreakerTransition {
  state: BreakerState;
  alarmAt: number | null;
}

export function initialBreakerState(): BreakerState {
  return { status: "closed", consecutiveFailures: 0 };
}

export function nextBreakerState(
  state: BreakerState,
  event: BreakerEvent,
  now: number,
  config: BreakerConfig = DEFAULT_BREAKER_CONFIG,
): BreakerTransition {
  const ctx: Context = {
    now,
    config,
    trialTimeoutMs: config.trialTimeoutMs ?? DEFAULT_BREAKER_CONFIG.trialTimeoutMs,
  };
  switch (state.status) {
    case "closed":
      return fromClosed(state, event, ctx);
    case "open":
      return fromOpen(state, event, ctx);
    case "half_open":
      return fromHalfOpen(state, event, ctx);
    default:
      return unreachable(state, "breaker state");
  }
}

interface Context {
  now: number;
  config: BreakerConfig;
  trialTimeoutMs: number;
}

type Closed = Extract<BreakerState, { status: "closed" }>;
type Open = Extract<BreakerState, { status: "open" }>;
type HalfOpen = Extract<BreakerState, { status: "half_open" }>;

function fromClosed(state: Closed, event: BreakerEvent, ctx: Context): BreakerTransition {
  switch (event.type) {
    case "success":
      return { state: { status: "closed", consecutiveFailures: 0 }, alarmAt: null };
    case "failure": {
      const failures = state.consecutiveFailures + 1;
      if (failures >= ctx.config.failureThreshold) return open(failures, ctx);
      return { state: { status: "closed", consecutiveFailures: failures }, alarmAt: null };
    }
    case "trial_started":
    case "cooldown_elapsed":
      return { state, alarmAt: null };
    default:
      return unreachable(event, "breaker event");
  }
}

function fromOpen(state: Open, event: BreakerEvent, ctx: Context): BreakerTransition {
  switch (event.type) {
    case "success":
      // A request that began before the breaker opened; one straggler does not prove Canvas is back.
      return { state, alarmAt: null };
    case "failure":
      return { state: { ...state, consecutiveFailures: state.consecutiveFailures + 1 }, alarmAt: null };
    case "cooldown_elapsed":
      // An early alarm re-arms itself; alarms are at-least-once and may fire more than once.
      if (ctx.now < state.openUntil) return { state, alarmAt: state.openUntil };
      return { state: halfOpen(state, null), alarmAt: null };
    case "trial_started": {
      if (ctx.now < state.openUntil) return { state, alarmAt: null };
      const trialUntil = ctx.now + ctx.trialTimeoutMs;
      return { state: halfOpen(state, trialUntil), alarmAt: trialUntil };
    }
    default:
      return unreachable(event, "breaker event");
  }
}

function fromHalfOpen(state: HalfOpen, event: BreakerEvent, ctx: Context): BreakerTransition {
  switch (event.type) {
    case "success":
      return { state: { status: "closed", consecutiveFailures: 0 }, alarmAt: null };
    case "failure":
      return open(state.consecutiveFailures + 1, ctx);
    case "trial_started": {
      if (state.trialUntil !== null && ctx.now < state.trialUntil) return { state, alarmAt: null };
      const trialUntil = ctx.now + ctx.trialTimeoutMs;
      return { state: { ...state, trialUntil }, alarmAt: trialUntil };
    }
    case "cooldown_elapsed":
      if (state.trialUntil === null) return { state, alarmAt: null };
      if (ctx.now < state.trialUntil) return { state, alarmAt: state.trialUntil };
      // The trial went silent past its deadline (its worker died): free the slot, keep the breaker half-open.
      return { state: { ...state, trialUntil: null }, alarmAt: null };
    default:
      return unreachable(event, "breaker event");
  }
}

function open(failures: number, ctx: Context): BreakerTransition {
  const openUntil = ctx.now + ctx.config.openMs;
  return {
    state: { status: "open", consecutiveFailures: failures, openedAt: ctx.now, openUntil },
    alarmAt: openUntil,
  };
}

/** Whether work may start now: always when closed; when not closed, only as the single trial. */
export function breakerAllows(state: BreakerState, now: number): boolean {
  switch (state.status) {
    case "closed":
      return true;
    case "open":
      return now >= state.openUntil;
    case "half_open":
      return state.trialUntil === null || now >= state.trialUntil;
    default:
      return unreachable(state, "breaker state");
  }
}

function halfOpen(
  state: { consecutiveFailures: number; openUntil: number },
  trialUntil: number | null,
): BreakerState {
  return {
    status: "half_open",
    consecutiveFailures: state.consecutiveFailures,
    openUntil: state.openUntil,
    trialUntil,
  };
}
