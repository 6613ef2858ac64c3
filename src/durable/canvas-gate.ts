/**
 * CanvasGate: the gate every request to a Canvas host passes. Two kinds of instance, told apart by name:
 * - `<host>/<token fingerprint>` (never the token) holds the token's rate budget. Every consumer that uses the token
 *   asks it before sending a request and reports the response's `X-Request-Cost` and `X-Rate-Limit-Remaining`, so
 *   all of them share one mirror of Canvas's leaky bucket and pace themselves before Canvas has to throttle them.
 * - `health:<host>` holds the host's circuit breaker: when jobs of five different courses in a row fail because
 *   Canvas itself is failing (5xx, timeouts, resets), it opens and every consumer backs off instead of hammering a
 *   sick server; its half-open step is this object's alarm.
 * The decisions are the pure functions in src/resilience/rate-budget.ts and breaker.ts; this object stores the state
 * (single-threaded, so reserve-and-update is atomic) and parks the callers that must wait: a `reserve` that cannot be
 * granted now resolves when it can, in arrival order, woken by a completing lease (which frees its up-front charge
 * at once) or by a timer when only the bucket's leak can make room. Nobody sleeps a computed interval on a guess.
 */
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import type { BreakerConfig, BreakerState } from "../resilience/breaker";
import {
  complete,
  createRateBudget,
  reserve,
  RateBudgetStateSchema,
  sharedToken,
  throttleRegime,
  type ReserveResult,
  type ThrottleRegime,
  type RateBudgetSettings,
  type RateBudgetState,
  type RateObservation,
} from "../resilience/rate-budget";
import { StoredBreaker, type BreakerPermit } from "./stored-breaker";

const StreakSchema = z.array(z.number().int());
const HolderSchema = z.string().min(1).max(64).optional();
/**
 * The longest a `reserve` call is parked before it answers "ask again" (granted: false, waitMs: 0): it keeps every
 * call bounded, and a caller whose object was restarted meanwhile simply asks the new one.
 */
export const MAX_PARK_MS = 20_000;

interface Waiter {
  resolve: (grant: GateGrant) => void;
  deadline: number;
  holder: string | undefined;
}
/** Courses remembered in a failure streak (far above the threshold, so a long outage keeps counting). */
const MAX_STREAK = 100;

export type GateGrant = { granted: true; leaseId: number } | { granted: false; waitMs: number };

/** Five consecutive jobs failing on Canvas's side open the host breaker for 300 s, like a course's. */
export const HOST_BREAKER_CONFIG: BreakerConfig = { failureThreshold: 5, openMs: 300_000 };

/** Settings an operator may tune when their Canvas runs a non-default throttle (hwm and outflow are site settings). */
export const GateSettingsSchema = RateBudgetStateSchema.pick({
  hwm: true,
  outflow: true,
  upFront: true,
  safetyMargin: true,
  assumedCost: true,
  leaseTtlMs: true,
  minWaitMs: true,
})
  .partial()
  .strict();

export type GateSettings = Partial<RateBudgetSettings>;

/** The name of the rate-budget gate for one host and token. */
export function budgetGateName(host: string, fingerprint: string): string {
  return `${host}/${fingerprint}`;
}

/** The name of the health gate (the host's circuit breaker) for one host. */
export function healthGateName(host: string): string {
  return `health:${host}`;
}

export class CanvasGate extends DurableObject<Env> {
  private state: RateBudgetState | null = null;
  private readonly health = new StoredBreaker(this.ctx.storage, "host_breaker", HOST_BREAKER_CONFIG);

  private readonly waiters: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Asks to send one request: resolves with a lease as soon as the budget allows it, waiting up to `maxWaitMs`
   * (at most MAX_PARK_MS) behind earlier callers; `maxWaitMs` 0 answers at once, with the estimated wait if refused.
   * `holder` names the caller's gate (one sync delivery), whose requests leave in the order they were granted.
   */
  async reserve(maxWaitMs: number = MAX_PARK_MS, holder?: string): Promise<GateGrant> {
    const now = Date.now();
    const state = await this.load(now);
    const who = HolderSchema.safeParse(holder).data;
    if (this.waiters.length === 0) {
      const result = reserve(state, now, who);
      if (result.kind === "granted") {
        await this.save(result.state);
        return { granted: true, leaseId: result.leaseId };
      }
      if (maxWaitMs <= 0) return { granted: false, waitMs: result.waitMs };
    } else if (maxWaitMs <= 0) {
      return { granted: false, waitMs: state.minWaitMs };
    }
    const parked = new Promise<GateGrant>((resolve) => {
      this.waiters.push({ resolve, deadline: now + Math.min(maxWaitMs, MAX_PARK_MS), holder: who });
    });
    await this.pump();
    return parked;
  }

  /** Ends a lease with what its response said, and lets waiting callers in if that made room. */
  async complete(leaseId: number, observation: RateObservation): Promise<void> {
    const now = Date.now();
    await this.save(complete(await this.load(now), observation, now, leaseId));
    await this.pump();
  }

  /** Replaces budget settings (validated); the estimated level and the leases in flight are kept. */
  async configure(settings: GateSettings): Promise<{ ok: true } | { ok: false; error: string }> {
    const result = GateSettingsSchema.safeParse(settings);
    if (!result.success) return { ok: false, error: result.error.message };
    const parsed = result.data;
    const current = await this.load(Date.now());
    await this.save({
      ...current,
      hwm: parsed.hwm ?? current.hwm,
      outflow: parsed.outflow ?? current.outflow,
      upFront: parsed.upFront ?? current.upFront,
      safetyMargin: parsed.safetyMargin ?? current.safetyMargin,
      assumedCost: parsed.assumedCost ?? current.assumedCost,
      leaseTtlMs: parsed.leaseTtlMs ?? current.leaseTtlMs,
      minWaitMs: parsed.minWaitMs ?? current.minWaitMs,
    });
    await this.pump();
    return { ok: true };
  }

  /** The current estimate, for the status API and metrics. */
  async snapshot(): Promise<{
    level: number;
    inFlight: number;
    hwm: number;
    remaining: number;
    waiting: number;
    throttle: ThrottleRegime;
    /** another client was seen spending on the token lately: Canvas's reports are read erring high */
    shared: boolean;
  }> {
    const now = Date.now();
    const state = await this.load(now);
    return {
      level: state.level,
      inFlight: state.inFlight.length,
      hwm: state.hwm,
      remaining: state.hwm - state.level,
      waiting: this.waiters.length,
      throttle: throttleRegime(state),
      shared: sharedToken(state, now),
    };
  }

  /** Whether jobs may talk to this host now, without taking the half-open trial. */
  async hostPeek(): Promise<BreakerPermit> {
    return this.health.peek(Date.now());
  }

  /** Whether a job may talk to this host now; a half-open breaker lets exactly one trial job through. */
  async hostPermits(): Promise<BreakerPermit> {
    return this.health.permit(Date.now());
  }

  /**
   * A job's verdict on the host: failure when Canvas itself failed it, success when Canvas answered. While the
   * breaker is closed only the first failure of each course in a streak counts, so one course that keeps failing
   * (one sick endpoint) cannot stop every other course: it takes five different courses failing in a row.
   */
  async recordHostOutcome(
    outcome: "success" | "failure",
    courseId: number,
  ): Promise<{ before: BreakerState; after: BreakerState }> {
    const now = Date.now();
    const streak = StreakSchema.safeParse(await this.ctx.storage.get("host_streak"));
    const courses = streak.success ? streak.data : [];
    if (outcome === "success") {
      if (courses.length > 0) await this.ctx.storage.put("host_streak", []);
      return this.health.apply({ type: "success" }, now);
    }
    const state = await this.health.state();
    if (state.status === "closed" && courses.includes(courseId)) return { before: state, after: state };
    await this.ctx.storage.put("host_streak", [...courses, courseId].slice(-MAX_STREAK));
    return this.health.apply({ type: "failure" }, now);
  }

  async hostStatus(): Promise<BreakerState> {
    return this.health.state();
  }

  /** Only health gates set alarms: the host breaker's half-open step. */
  override async alarm(): Promise<void> {
    await this.health.apply({ type: "cooldown_elapsed" }, Date.now());
  }

  /**
   * Grants waiting callers in arrival order while the budget allows, answers those parked past their deadline, and
   * sets a timer for the next moment something can change without a completion: the head's bucket wait, the
   * earliest lease expiry or waiter deadline.
   */
  private async pump(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    let state = this.state;
    if (state === null || this.waiters.length === 0) return;
    const now = Date.now();
    const granted: { waiter: Waiter; leaseId: number }[] = [];
    let blocked: ReserveResult | null = null;
    for (let head = this.waiters[0]; head !== undefined; head = this.waiters[0]) {
      const result = reserve(state, now, head.holder);
      state = result.state;
      if (result.kind === "wait") {
        blocked = result;
        break;
      }
      this.waiters.shift();
      granted.push({ waiter: head, leaseId: result.leaseId });
    }
    const expired = this.waiters.filter((waiter) => waiter.deadline <= now);
    this.waiters.splice(0, this.waiters.length, ...this.waiters.filter((waiter) => waiter.deadline > now));
    // In memory first: a call arriving while the write below is pending must see these grants.
    this.state = state;
    if (granted.length > 0) await this.save(state);
    for (const { waiter, leaseId } of granted) waiter.resolve({ granted: true, leaseId });
    for (const waiter of expired) waiter.resolve({ granted: false, waitMs: 0 });
    if (this.waiters.length === 0 || blocked === null) return;
    const wakeAt = Math.min(
      blocked.blockedBy === "bucket" ? now + blocked.waitMs : Number.POSITIVE_INFINITY,
      ...state.inFlight.map((lease) => lease.expiresAt),
      ...this.waiters.map((waiter) => waiter.deadline),
    );
    this.timer = setTimeout(
      () => {
        void this.pump();
      },
      Math.max(1, wakeAt - now),
    );
  }

  private async load(now: number): Promise<RateBudgetState> {
    if (this.state) return this.state;
    const stored = RateBudgetStateSchema.safeParse(await this.ctx.storage.get("budget"));
    this.state = stored.success ? stored.data : createRateBudget(now);
    return this.state;
  }

  private async save(state: RateBudgetState): Promise<void> {
    this.state = state;
    await this.ctx.storage.put("budget", state);
  }
}
