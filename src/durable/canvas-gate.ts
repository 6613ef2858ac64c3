/**
 * CanvasGate: one Durable Object per Canvas host and token (named `<host>/<token fingerprint>`, never the token).
 * Every consumer that uses the token asks it before sending a request and reports the response's `X-Request-Cost`
 * and `X-Rate-Limit-Remaining`, so all of them share one mirror of Canvas's leaky bucket and pace themselves before
 * Canvas has to throttle them. The decisions are the pure functions in src/resilience/rate-budget.ts; this object
 * only stores the state (single-threaded, so reserve-and-update is atomic).
 */
import { DurableObject } from "cloudflare:workers";
import {
  complete,
  createRateBudget,
  reserve,
  RateBudgetStateSchema,
  type RateBudgetState,
  type RateObservation,
} from "../resilience/rate-budget";

export type GateGrant = { granted: true; leaseId: number } | { granted: false; waitMs: number };

export class CanvasGate extends DurableObject<Env> {
  private state: RateBudgetState | null = null;

  async reserve(): Promise<GateGrant> {
    const now = Date.now();
    const result = reserve(await this.load(now), now);
    await this.save(result.state);
    return result.kind === "granted"
      ? { granted: true, leaseId: result.leaseId }
      : { granted: false, waitMs: result.waitMs };
  }

  async complete(leaseId: number, observation: RateObservation): Promise<void> {
    const now = Date.now();
    await this.save(complete(await this.load(now), observation, now, leaseId));
  }

  /** The current estimate, for the status API and metrics. */
  async snapshot(): Promise<{ level: number; inFlight: number; hwm: number; remaining: number }> {
    const state = await this.load(Date.now());
    return {
      level: state.level,
      inFlight: state.inFlight.length,
      hwm: state.hwm,
      remaining: state.hwm - state.level,
    };
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
