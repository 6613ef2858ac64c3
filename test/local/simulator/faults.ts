/**
 * Fault injection: rules matched by origin, method and path prefix/regex, firing with a seeded probability
 * and/or a limited number of times. Latency rules add up and let the request continue; the first other rule
 * that fires decides the outcome (an error status, a hang until the caller aborts, a cut or garbled body, a
 * network-level reset, or a forced rate-limit answer). Rules are validated with zod because they arrive over
 * HTTP too.
 */
import { z } from "zod";
import { Rng } from "../rng";

export const FaultActionSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("status"),
    status: z.number().int().min(100).max(599),
    body: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  z.object({ type: z.literal("latency"), ms: z.number().min(0).max(600_000) }),
  /** Never answers until the request's signal aborts (or hangMs passes, default one hour). */
  z.object({ type: z.literal("timeout"), hangMs: z.number().min(0).optional() }),
  /** A valid start of the real body, cut at keepFraction (default 0.5); error=true ends in a network error. */
  z.object({
    type: z.literal("truncateBody"),
    keepFraction: z.number().min(0).max(1).optional(),
    error: z.boolean().optional(),
  }),
  /** 200 with an HTML error page where JSON was expected. */
  z.object({ type: z.literal("malformedBody") }),
  /** fetch() rejects with a TypeError, as on a connection reset. */
  z.object({ type: z.literal("resetConnection") }),
  /** A rate-limit answer regardless of the bucket. */
  z.object({ type: z.literal("throttle") }),
]);
export type FaultAction = z.infer<typeof FaultActionSchema>;

export const FaultRuleSchema = z.object({
  match: z
    .object({
      origin: z.enum(["api", "storage", "any"]).optional(),
      method: z.string().optional(),
      pathPrefix: z.string().optional(),
      pathRegex: z.string().optional(),
    })
    .optional(),
  /** Chance of firing per matching request (default 1). */
  probability: z.number().min(0).max(1).optional(),
  /** Fire at most this many times, then retire (default unlimited). */
  count: z.number().int().min(1).optional(),
  action: FaultActionSchema,
});
export type FaultRule = z.infer<typeof FaultRuleSchema>;

interface ActiveRule {
  id: string;
  rule: FaultRule;
  regex: RegExp | null;
  remaining: number;
  fired: number;
}

export interface FaultDecision {
  latencyMs: number;
  action: Exclude<FaultAction, { type: "latency" }> | null;
  /** Ids of the rules that fired, for debugging. */
  fired: string[];
}

export class FaultEngine {
  private rules: ActiveRule[] = [];
  private nextId = 1;
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed ^ 0x5eed_fa17);
  }

  add(rule: FaultRule): string {
    const parsed = FaultRuleSchema.parse(rule);
    const id = `fault-${this.nextId++}`;
    const regex = parsed.match?.pathRegex === undefined ? null : new RegExp(parsed.match.pathRegex);
    this.rules.push({
      id,
      rule: parsed,
      regex,
      remaining: parsed.count ?? Number.POSITIVE_INFINITY,
      fired: 0,
    });
    return id;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): Array<{ id: string; rule: FaultRule; fired: number; remaining: number | null }> {
    return this.rules.map((r) => ({
      id: r.id,
      rule: r.rule,
      fired: r.fired,
      remaining: Number.isFinite(r.remaining) ? r.remaining : null,
    }));
  }

  /** Rolls the dice for one request and consumes counts of the rules that fire. */
  decide(origin: "api" | "storage", method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, action: null, fired: [] };
    for (const active of this.rules) {
      if (active.remaining <= 0) continue;
      const m = active.rule.match ?? {};
      const wantOrigin = m.origin ?? "api";
      if (wantOrigin !== "any" && wantOrigin !== origin) continue;
      if (m.method !== undefined && m.method.toUpperCase() !== method.toUpperCase()) continue;
      if (m.pathPrefix !== undefined && !path.startsWith(m.pathPrefix)) continue;
      if (active.regex !== null && !active.regex.test(path)) continue;
      const action = active.rule.action;
      if (action.type !== "latency" && decision.action !== null) continue;
      if (active.rule.probability !== undefined && !(this.rng.next() < active.rule.probability)) continue;
      active.remaining--;
      active.fired++;
      decision.fired.push(active.id);
      if (action.type === "latency") decision.latencyMs += action.ms;
      else decision.action = action;
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return decision;
  }
}
