/**
 * Canvas's request throttle: a leaky bucket per client identity (here: a hash of the access token). A starting
 * request reserves the up-front cost and is refused when the bucket is then at the high-water mark (Canvas's
 * `reserve_capacity` increments before `allowed?` asks `full?`); an admitted request's reservation is swapped for
 * its real cost when it finishes, so many concurrent cheap requests still fill the bucket. The
 * bucket leaks `outflow` units per second of the injectable clock. The arithmetic here is pure; ThrottleState
 * only keeps the buckets.
 */
import { fnv1a } from "../rng";

export interface ThrottleOptions {
  enabled: boolean;
  hwm: number;
  outflow: number;
  upFront: number;
  maximum: number;
  mode: "403" | "429";
  /**
   * Share of responses that carry X-Request-Cost and X-Rate-Limit-Remaining (default 1). Below 1 the simulator
   * plays a host, or a hop in front of it, that does not report its throttle on every response (0: on none), while
   * the bucket still throttles. Deterministic: the n-th response carries them when floor(n * share) moves.
   */
  headerFraction: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  enabled: true,
  hwm: 600,
  outflow: 10,
  upFront: 50,
  maximum: 800,
  mode: "403",
  headerFraction: 1,
};

export interface Bucket {
  count: number;
  at: number;
}

/** The bucket after leaking from its last update to `now`. */
export function leak(bucket: Bucket, now: number, outflow: number): Bucket {
  const elapsed = Math.max(0, now - bucket.at) / 1000;
  return { count: Math.max(0, bucket.count - elapsed * outflow), at: Math.max(now, bucket.at) };
}

export type Admission =
  | { admitted: true; bucket: Bucket }
  | { admitted: false; bucket: Bucket; retryAfterSeconds: number };

/**
 * Decides whether a request may start: its up-front cost is reserved, and it is refused if the bucket is then at
 * hwm or more (the refused request's reservation is given back at once).
 */
export function admit(bucket: Bucket, opts: ThrottleOptions, now: number): Admission {
  const leaked = leak(bucket, now, opts.outflow);
  const reserved = leaked.count + opts.upFront;
  if (reserved >= opts.hwm) {
    const excess = reserved - opts.hwm;
    const retryAfterSeconds = Math.max(1, Math.ceil((excess + 1) / Math.max(opts.outflow, 0.001)));
    return { admitted: false, bucket: leaked, retryAfterSeconds };
  }
  return { admitted: true, bucket: { count: Math.min(opts.maximum, reserved), at: leaked.at } };
}

/** Replaces the up-front reservation with the request's real cost. */
export function settle(bucket: Bucket, opts: ThrottleOptions, cost: number, now: number): Bucket {
  const leaked = leak(bucket, now, opts.outflow);
  return { count: Math.min(opts.maximum, Math.max(0, leaked.count - opts.upFront + cost)), at: leaked.at };
}

/** Canvas prints the remaining quota as a Ruby float ("600.0", "548.37"). */
export function formatFloat(value: number): string {
  const rounded = Math.round(value * 10_000) / 10_000;
  return Number.isInteger(rounded) ? rounded.toFixed(1) : String(rounded);
}

/** The buckets, keyed by a hash of the presented token (never the token itself). */
export class ThrottleState {
  private readonly buckets = new Map<string, Bucket>();
  private responses = 0;

  constructor(public options: ThrottleOptions) {}

  static keyFor(token: string | null): string {
    return token === null ? "ip:127.0.0.1" : `token:${fnv1a(token).toString(16)}:${token.length}`;
  }

  bucket(key: string, now: number): Bucket {
    return this.buckets.get(key) ?? { count: 0, at: now };
  }

  set(key: string, bucket: Bucket): void {
    this.buckets.set(key, bucket);
  }

  reset(): void {
    this.buckets.clear();
    this.responses = 0;
  }

  /** Whether the next response carries the throttle headers (see `headerFraction`). */
  nextCarriesHeaders(): boolean {
    const share = Math.min(1, Math.max(0, this.options.headerFraction));
    this.responses++;
    return Math.floor(this.responses * share) > Math.floor((this.responses - 1) * share);
  }

  /** Remaining quota (hwm - count) for a bucket right now. */
  remaining(key: string, now: number): number {
    return this.options.hwm - leak(this.bucket(key, now), now, this.options.outflow).count;
  }
}
