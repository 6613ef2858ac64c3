import { describe, expect, it } from "vitest";
import {
  backoffCeilingMs,
  backoffDelayMs,
  DEFAULT_BACKOFF,
  escalateTimeoutMs,
  seededRandom,
  type BackoffConfig,
} from "../../src/resilience/backoff";

const CONFIG: BackoffConfig = { baseMs: 1_000, capMs: 10_000, multiplier: 2, retryAfterSpread: 0.1 };
const fixed = (value: number) => () => value;

describe("backoff ceiling", () => {
  it("doubles per attempt from the base and stops at the cap", () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map((attempt) => backoffCeilingMs(attempt, CONFIG));
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it("uses multiplier 2 by default and survives absurd attempt numbers", () => {
    expect(DEFAULT_BACKOFF.multiplier).toBe(2);
    expect(backoffCeilingMs(10_000, CONFIG)).toBe(10_000);
    expect(backoffCeilingMs(0, CONFIG)).toBe(1_000);
  });
});

describe("full jitter", () => {
  it("scales the ceiling by the random draw", () => {
    expect(backoffDelayMs(3, fixed(0), CONFIG)).toBe(0);
    expect(backoffDelayMs(3, fixed(0.5), CONFIG)).toBe(2_000);
    expect(backoffDelayMs(3, fixed(0.999_999), CONFIG)).toBeLessThan(4_000);
  });

  it("spreads delays uniformly below the ceiling", () => {
    const random = seededRandom(1);
    const delays = Array.from({ length: 2_000 }, () => backoffDelayMs(4, random, CONFIG));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(8_000);
    const mean = delays.reduce((sum, d) => sum + d, 0) / delays.length;
    expect(mean).toBeGreaterThan(3_600);
    expect(mean).toBeLessThan(4_400);
  });

  it("clamps a misbehaving random source", () => {
    expect(backoffDelayMs(2, fixed(Number.NaN), CONFIG)).toBe(0);
    expect(backoffDelayMs(2, fixed(-3), CONFIG)).toBe(0);
    expect(backoffDelayMs(2, fixed(7), CONFIG)).toBeLessThan(2_000);
  });
});

describe("Retry-After as a floor", () => {
  it("never retries before the server said, even above the cap", () => {
    expect(backoffDelayMs(1, fixed(0), CONFIG, 5_000)).toBe(5_000);
    expect(backoffDelayMs(1, fixed(0.9), CONFIG, 600_000)).toBeGreaterThanOrEqual(600_000);
  });

  it("adds at most the configured spread on top of the floor", () => {
    expect(backoffDelayMs(1, fixed(0.5), CONFIG, 5_000)).toBe(5_250);
    expect(backoffDelayMs(1, fixed(0.999), CONFIG, 5_000)).toBeLessThanOrEqual(5_500);
  });

  it("keeps the jittered delay when it is already longer", () => {
    expect(backoffDelayMs(5, fixed(0.5), CONFIG, 1_000)).toBe(5_000);
  });

  it("ignores a zero or negative Retry-After", () => {
    expect(backoffDelayMs(1, fixed(0), CONFIG, 0)).toBe(0);
    expect(backoffDelayMs(1, fixed(0), CONFIG, -100)).toBe(0);
  });
});

describe("timeout escalation", () => {
  it("multiplies the timeout by 1.5 per attempt", () => {
    const timeouts = [1, 2, 3, 4].map((attempt) => escalateTimeoutMs(10_000, attempt));
    expect(timeouts).toEqual([10_000, 15_000, 22_500, 33_750]);
  });

  it("stops at the maximum", () => {
    expect(escalateTimeoutMs(10_000, 50, { factor: 1.5, maxMs: 60_000 })).toBe(60_000);
  });
});

describe("seededRandom", () => {
  it("is reproducible per seed, differs across seeds and stays in [0, 1)", () => {
    const a = seededRandom(9);
    const b = seededRandom(9);
    const c = seededRandom(10);
    const first = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(first);
    expect(Array.from({ length: 100 }, () => c())).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
