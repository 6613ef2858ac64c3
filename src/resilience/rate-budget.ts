/**
 * A client-side mirror of Canvas's request throttle (canvas-api.md section 3), pure, for the per-token Durable
 * Object that paces every request on that token. Canvas keeps a leaky bucket per token: a starting request adds
 * `upFront` (50), is refused with 403 if the bucket is then at `hwm` (600) or more, and on completion swaps the 50
 * for its real cost; the bucket drains `outflow` (10) units per second. `X-Rate-Limit-Remaining` = hwm - bucket.
 *
 * The mirror grants a request only if (estimated real level, leaked to now) + (in-flight + 1) x upFront stays at or
 * under hwm - safetyMargin, so a request we send cannot find the bucket full. The estimate errs high on purpose:
 * - Canvas's remaining number is taken as the truth, though it also counts the up-front charges of our other
 *   in-flight requests, which we count again through the leases (double counting costs only headroom, because in
 *   steady state throughput is set by the leak rate, not by the level);
 * - a request with no headers (network error, throttling disabled) is charged `assumedCost`;
 * - a throttled response means the bucket is full.
 * Each grant is a lease; a lease whose holder never releases it expires after `leaseTtlMs`, so a crashed worker
 * cannot starve the token.
 */
import { z } from "zod";

export interface Lease {
  id: number;
  expiresAt: number;
}

export interface RateBudgetState {
  /** estimated bucket level from completed requests (excluding in-flight up-front charges), at `updatedAt` */
  level: number;
  updatedAt: number;
  /** granted requests not yet released */
  inFlight: Lease[];
  nextLeaseId: number;
  hwm: number;
  /** units per second */
  outflow: number;
  upFront: number;
  /** headroom kept below hwm, for requests that cost more than their up-front charge */
  safetyMargin: number;
  /** charged when a response says nothing about cost */
  assumedCost: number;
  leaseTtlMs: number;
  /** how long to tell a caller to wait when only a release can help */
  minWaitMs: number;
}

export const RateBudgetStateSchema = z.object({
  level: z.number().finite().nonnegative(),
  updatedAt: z.number().finite(),
  inFlight: z.array(z.object({ id: z.number().int(), expiresAt: z.number().finite() })),
  nextLeaseId: z.number().int().nonnegative(),
  hwm: z.number().positive(),
  outflow: z.number().positive(),
  upFront: z.number().nonnegative(),
  safetyMargin: z.number().nonnegative(),
  assumedCost: z.number().nonnegative(),
  leaseTtlMs: z.number().positive(),
  minWaitMs: z.number().positive(),
});

export type RateBudgetSettings = Omit<RateBudgetState, "level" | "updatedAt" | "inFlight" | "nextLeaseId">;

/** Canvas's open-source defaults, a margin of one up-front charge, and conservative guesses for the rest. */
export const DEFAULT_RATE_BUDGET: RateBudgetSettings = {
  hwm: 600,
  outflow: 10,
  upFront: 50,
  safetyMargin: 50,
  assumedCost: 5,
  leaseTtlMs: 120_000,
  minWaitMs: 100,
};

export function createRateBudget(now: number, settings: Partial<RateBudgetSettings> = {}): RateBudgetState {
  return { ...DEFAULT_RATE_BUDGET, ...settings, level: 0, updatedAt: now, inFlight: [], nextLeaseId: 1 };
}

export type ReserveResult =
  | { kind: "granted"; state: RateBudgetState; leaseId: number; grantedAt: number }
  | { kind: "wait"; state: RateBudgetState; waitMs: number; blockedBy: "bucket" | "in_flight" };

/** Asks to send one request now: granted (with a lease to release later), or told how long to wait first. */
export function reserve(state: RateBudgetState, now: number): ReserveResult {
  const current = advance(state, now);
  const slots = current.inFlight.length + 1;
  const ceiling = current.hwm - current.safetyMargin;
  const excess = current.level + slots * current.upFront - ceiling;
  // A lone request on a drained bucket always goes: nothing else could ever make room for it.
  const alone = current.inFlight.length === 0 && current.level === 0;
  if (excess <= 0 || alone) {
    const lease: Lease = { id: current.nextLeaseId, expiresAt: now + current.leaseTtlMs };
    return {
      kind: "granted",
      state: { ...current, inFlight: [...current.inFlight, lease], nextLeaseId: current.nextLeaseId + 1 },
      leaseId: lease.id,
      grantedAt: now,
    };
  }
  if (excess > current.level) {
    // Even an empty bucket would not fit this many concurrent up-front charges: only a release helps.
    return { kind: "wait", state: current, waitMs: current.minWaitMs, blockedBy: "in_flight" };
  }
  const waitMs = Math.max(1, Math.ceil((excess / current.outflow) * 1000));
  return { kind: "wait", state: current, waitMs, blockedBy: "bucket" };
}

/** What a response said about the bucket; `null` and absent mean the header was missing. */
export interface RateObservation {
  cost?: number | null;
  remaining?: number | null;
  throttled: boolean;
}

/** Reconciles the estimate with what Canvas reported on a response (call for every response, failed or not). */
export function observe(state: RateBudgetState, observation: RateObservation, now: number): RateBudgetState {
  const current = advance(state, now);
  const remaining = finiteOrNull(observation.remaining);
  const cost = finiteOrNull(observation.cost);
  if (remaining !== null) {
    // remaining = hwm - bucket, so Canvas's hwm is at least `remaining`: learn a larger one if it shows.
    const hwm = Math.max(current.hwm, remaining);
    const reported = Math.max(0, hwm - remaining);
    return { ...current, hwm, level: observation.throttled ? Math.max(reported, hwm) : reported };
  }
  if (observation.throttled) return { ...current, level: Math.max(current.level, current.hwm) };
  return { ...current, level: current.level + Math.max(0, cost ?? current.assumedCost) };
}

/** Ends a lease; without an id, the oldest one (callers that do not track ids). Unknown ids are a no-op. */
export function release(state: RateBudgetState, leaseId?: number): RateBudgetState {
  if (state.inFlight.length === 0) return state;
  const id = leaseId ?? Math.min(...state.inFlight.map((lease) => lease.id));
  const inFlight = state.inFlight.filter((lease) => lease.id !== id);
  return inFlight.length === state.inFlight.length ? state : { ...state, inFlight };
}

/** `observe` then `release`: what the Durable Object does when a request finishes. */
export function complete(
  state: RateBudgetState,
  observation: RateObservation,
  now: number,
  leaseId?: number,
): RateBudgetState {
  return release(observe(state, observation, now), leaseId);
}

/** The estimated level leaked to `now`. */
export function levelAt(state: RateBudgetState, now: number): number {
  const elapsedMs = Math.max(0, now - state.updatedAt);
  return Math.max(0, state.level - (state.outflow * elapsedMs) / 1000);
}

/** Leaks the level to `now` and drops expired leases. Time never runs backwards here. */
function advance(state: RateBudgetState, now: number): RateBudgetState {
  const at = Math.max(now, state.updatedAt);
  const inFlight = state.inFlight.filter((lease) => lease.expiresAt > now);
  return {
    ...state,
    level: levelAt(state, at),
    updatedAt: at,
    inFlight: inFlight.length === state.inFlight.length ? state.inFlight : inFlight,
  };
}

function finiteOrNull(value: number | null | undefined): number | null {
  return value !== null && value !== undefined && Number.isFinite(value) ? value : null;
}
