/**
 * Backoff arithmetic, pure: exponential backoff with full jitter (AWS "Exponential Backoff and Jitter": the delay is
 * uniform in [0, min(cap, base * multiplier^(attempt-1))), which spreads retrying clients out better than equal or
 * decorrelated jitter), a server-supplied Retry-After used as a floor, and the timeout escalation (x1.5 per attempt)
 * that the issue prescribes for network timeouts. Randomness is injected so tests and simulations are deterministic.
 */

/** Returns a number in [0, 1), like Math.random. */
export type Random = () => number;

export interface BackoffConfig {
  /** ceiling of the first retry's delay */
  baseMs: number;
  /** no computed delay exceeds this (a server Retry-After may) */
  capMs: number;
  /** growth of the ceiling per attempt; the issue fixes it at 2 */
  multiplier: number;
  /**
   * Extra spread on top of a Retry-After floor, as a fraction of it, so that clients told the same Retry-After do
   * not all come back in the same millisecond.
   */
  retryAfterSpread: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = {
  baseMs: 1_000,
  capMs: 300_000,
  multiplier: 2,
  retryAfterSpread: 0.1,
};

export interface TimeoutEscalation {
  /** the issue fixes it at 1.5 */
  factor: number;
  maxMs: number;
}

export const DEFAULT_TIMEOUT_ESCALATION: TimeoutEscalation = { factor: 1.5, maxMs: 300_000 };

/** Exponents beyond this cannot matter (2^40 * any sane base is past any cap) and would overflow to Infinity. */
const MAX_EXPONENT = 40;

/** The upper bound of the jittered delay before retry number `attempt` (1 = first retry). */
export function backoffCeilingMs(attempt: number, config: BackoffConfig = DEFAULT_BACKOFF): number {
  const exponent = Math.min(MAX_EXPONENT, Math.max(0, Math.floor(attempt) - 1));
  return Math.min(config.capMs, config.baseMs * config.multiplier ** exponent);
}

/**
 * The delay before retry number `attempt`: full jitter below the ceiling; when the server said how long to wait,
 * never less than that (plus a small spread), even if that is above the cap, because retrying earlier is
 * guaranteed to fail again.
 */
export function backoffDelayMs(
  attempt: number,
  random: Random,
  config: BackoffConfig = DEFAULT_BACKOFF,
  retryAfterMs?: number,
): number {
  const r = clampUnit(random());
  const jittered = Math.floor(r * backoffCeilingMs(attempt, config));
  if (retryAfterMs === undefined || retryAfterMs <= 0) return jittered;
  const floor = Math.ceil(retryAfterMs * (1 + config.retryAfterSpread * r));
  return Math.max(jittered, floor);
}

/**
 * The timeout for attempt number `attempt` (1 = the first try, which uses the base): base * factor^(attempt-1),
 * capped, so a slow Canvas gets more time on each retry instead of failing the same way again.
 */
export function escalateTimeoutMs(
  baseTimeoutMs: number,
  attempt: number,
  escalation: TimeoutEscalation = DEFAULT_TIMEOUT_ESCALATION,
): number {
  const exponent = Math.min(MAX_EXPONENT, Math.max(0, Math.floor(attempt) - 1));
  return Math.min(escalation.maxMs, Math.round(baseTimeoutMs * escalation.factor ** exponent));
}

/** A seeded generator (mulberry32) for callers that want reproducible jitter. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A misbehaving Random must not produce negative or above-ceiling delays. */
function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}

/** Queue redelivery after a crash (a bug or a storage outage): 20 s, 40 s, ... up to 10 minutes, without jitter. */
export function retryDelaySeconds(attempts: number): number {
  return Math.ceil(backoffCeilingMs(attempts, { ...DEFAULT_BACKOFF, baseMs: 20_000, capMs: 600_000 }) / 1000);
}
