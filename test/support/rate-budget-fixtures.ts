/** Shared fixtures of the rate budget's unit tests (test/resilience/rate-budget*.test.ts). */
import {
  createRateBudget,
  observe,
  reserve,
  type RateBudgetState,
  type ReserveResult,
} from "../../src/resilience/rate-budget";

export const T0 = 1_000_000;

/** A fresh budget that has heard from Canvas once: the bucket is drained. */
export function heard(settings: Parameters<typeof createRateBudget>[1] = {}): RateBudgetState {
  const state = createRateBudget(T0, settings);
  return observe(state, { cost: null, remaining: state.hwm, throttled: false }, T0);
}

export function granted(result: ReserveResult): Extract<ReserveResult, { kind: "granted" }> {
  if (result.kind !== "granted") throw new Error(`expected a grant, got a wait of ${result.waitMs} ms`);
  return result;
}

/** Reserves until refused; returns the state and how many were granted. */
export function fill(
  state: RateBudgetState,
  now: number,
): { state: RateBudgetState; grants: number; refusal: ReserveResult } {
  let current = state;
  for (let grants = 0; ; grants++) {
    const result = reserve(current, now);
    if (result.kind === "wait") return { state: result.state, grants, refusal: result };
    current = result.state;
  }
}
