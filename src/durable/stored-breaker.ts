/**
 * A circuit breaker kept in a Durable Object's storage: loading (validated, since storage outlives deploys), applying
 * an event through the pure state machine in src/resilience/breaker.ts, saving, and arming the object's alarm for
 * the half-open step. Both breakers use it: the per-course one in CourseSync and the per-host one in CanvasGate.
 */
import { z } from "zod";
import {
  breakerAllows,
  initialBreakerState,
  nextBreakerState,
  type BreakerConfig,
  type BreakerEvent,
  type BreakerState,
} from "../resilience/breaker";

const BreakerStateSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("closed"), consecutiveFailures: z.number().int().nonnegative() }),
  z.object({
    status: z.literal("open"),
    consecutiveFailures: z.number().int().nonnegative(),
    openedAt: z.number(),
    openUntil: z.number(),
  }),
  z.object({
    status: z.literal("half_open"),
    consecutiveFailures: z.number().int().nonnegative(),
    openUntil: z.number(),
    trialUntil: z.number().nullable(),
  }),
]);

/** How soon a caller turned away by a running trial asks again. */
const TRIAL_POLL_MS = 60_000;

/** What a caller asking to start work learns: allowed, or when to ask again. */
export type BreakerPermit =
  | { allowed: true; state: BreakerState }
  | { allowed: false; state: BreakerState; retryAt: number };

export class StoredBreaker {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly key: string,
    private readonly config: BreakerConfig,
  ) {}

  async state(): Promise<BreakerState> {
    const parsed = BreakerStateSchema.safeParse(await this.storage.get(this.key));
    return parsed.success ? parsed.data : initialBreakerState();
  }

  /** Whether work may start now, without taking the half-open trial slot. */
  async peek(now: number): Promise<BreakerPermit> {
    return permitOf(await this.state(), now);
  }

  /** Whether work may start now; when the breaker is not closed, the caller becomes the one trial. */
  async permit(now: number): Promise<BreakerPermit> {
    const state = await this.state();
    const permit = permitOf(state, now);
    if (permit.allowed && state.status !== "closed") await this.apply({ type: "trial_started" }, now);
    return permit;
  }

  /** Applies an event, stores the result and arms the alarm it asks for; returns the previous and the new state. */
  async apply(event: BreakerEvent, now: number): Promise<{ before: BreakerState; after: BreakerState }> {
    const before = await this.state();
    const next = nextBreakerState(before, event, now, this.config);
    await this.storage.put(this.key, next.state);
    // One alarm per object: a later alarm time never hides an earlier one we still need, because every breaker
    // transition that needs an alarm sets it to the only deadline the breaker has.
    if (next.alarmAt !== null) await this.storage.setAlarm(next.alarmAt);
    return { before, after: next.state };
  }
}

function permitOf(state: BreakerState, now: number): BreakerPermit {
  if (breakerAllows(state, now)) return { allowed: true, state };
  if (state.status === "open") return { allowed: false, state, retryAt: state.openUntil };
  // Another caller holds the trial: it usually ends long before its deadline, so ask again soon.
  const trialUntil = state.status === "half_open" ? (state.trialUntil ?? now) : now;
  return { allowed: false, state, retryAt: Math.min(trialUntil, now + TRIAL_POLL_MS) };
}
