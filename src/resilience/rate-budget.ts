/**
 * A client-side mirror of Canvas's request throttle (canvas-api.md section 3), pure, for the per-token Durable
 * Object that paces every request on that token. Canvas keeps a leaky bucket per token: a starting request adds
 * `upFront` (50), is refused with 403 if the bucket is then at `hwm` (600) or more, and on completion swaps the 50
 * for its real cost; the bucket drains `outflow` (10) units per second. `X-Rate-Limit-Remaining` = hwm - bucket.
 *
 * The mirror grants a request only while (estimated level, leaked to now) + our requests in flight x
 * `inFlightCharge` + this one's upFront stays below hwm - margin: Canvas's own admission rule, less a small margin,
 * so a request we send cannot find the bucket full. What a response reports:
 * - `X-Rate-Limit-Remaining` is the truth about the bucket, except that it also holds the up-front charges of those of
 *   our requests Canvas was serving when it answered, and which of our leases those were is not known: a lease
 *   granted to another sync delivery may still wait for one of its invocation's six connections. So a report
 *   bounds the level rather than fixing it: at most the reported level less the charges of the leases surely at
 *   Canvas (the same holder's older ones: one sync delivery's requests leave in the order they were granted), at
 *   least the reported level less the charges of every other lease in flight. Between the bounds the mirror keeps
 *   its own account (every response's `X-Request-Cost`, leaked at the outflow), which is exact while the token is
 *   ours alone. Reading the upper bound as the level, as this module once did, counted most requests in flight
 *   twice and held three courses on one token to 75 % of the rate an ideal client reaches;
 * - a report the own account cannot explain (the level above even the lower bound, by more than the margin) means
 *   another client is spending on the token: for `OTHERS_MEMORY_MS` the upper bound is read as the level, erring
 *   high, as it must while someone else's requests are invisible;
 * - a throttled response means the bucket is full;
 * - requests that cost more than their up-front charge widen the margin by the excess (`marginOf`), and each request
 *   in flight counts at that recent peak cost (`inFlightCharge`): it may swap its 50 units for that much before our
 *   next request arrives;
 * - a response without the headers is charged what the host has taught us: its reported costs' mean on a host that
 *   reports on other responses, nothing on a host that has never reported (its throttle is off, so only the cap on
 *   requests in flight applies), and `assumedCost` while too few responses have come back to tell.
 * Until a response has reported on the bucket (another client may have spent it), or enough silent ones have come
 * back to take the host as unthrottled, the mirror lets one request through at a time. Each grant is a lease; a
 * lease whose holder never releases it expires after `leaseTtlMs`, so a crashed worker cannot starve the token.
 */
import { z } from "zod";

export interface Lease {
  id: number;
  expiresAt: number;
  /** who asked: one sync delivery's gate (absent when the caller did not say, or in older stored states) */
  holder?: string | undefined;
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
  /** headroom kept below hwm, for estimates that err low (another client on the token, a cost above 50) */
  safetyMargin: number;
  /** charged when a response says nothing about cost */
  assumedCost: number;
  leaseTtlMs: number;
  /** how long to tell a caller to wait when only a release can help */
  minWaitMs: number;
  /** recent responses that reported on the bucket (either header, or a throttled answer) */
  reported: number;
  /** recent responses that said nothing about it */
  unreported: number;
  /** mean X-Request-Cost of the reporting responses: the charge for a silent response on a host that reports */
  meanCost: number;
  /** the highest recent X-Request-Cost (decaying): requests dearer than their up-front charge widen the margin */
  peakCost: number;
  /** when a response last reported the remaining quota (0: never) */
  reportedAt: number;
  /** when a report last showed charges our own requests cannot explain: another client on the token (0: never) */
  othersSeenAt: number;
}

export const RateBudgetStateSchema = z.object({
  level: z.number().finite().nonnegative(),
  updatedAt: z.number().finite(),
  inFlight: z.array(
    z.object({
      id: z.number().int(),
      expiresAt: z.number().finite(),
      holder: z.string().max(64).optional(),
    }),
  ),
  nextLeaseId: z.number().int().nonnegative(),
  hwm: z.number().positive(),
  outflow: z.number().positive(),
  upFront: z.number().nonnegative(),
  safetyMargin: z.number().nonnegative(),
  assumedCost: z.number().nonnegative(),
  leaseTtlMs: z.number().positive(),
  minWaitMs: z.number().positive(),
  // Learned from responses; absent in states stored before they existed.
  reported: z.number().nonnegative().default(0),
  unreported: z.number().nonnegative().default(0),
  meanCost: z.number().nonnegative().default(5),
  peakCost: z.number().nonnegative().default(0),
  reportedAt: z.number().finite().nonnegative().default(0),
  othersSeenAt: z.number().finite().nonnegative().default(0),
});

export type RateBudgetSettings = Omit<
  RateBudgetState,
  | "level"
  | "updatedAt"
  | "inFlight"
  | "nextLeaseId"
  | "reported"
  | "unreported"
  | "meanCost"
  | "peakCost"
  | "reportedAt"
  | "othersSeenAt"
>;

/** Responses without headers before a host that has never reported any is taken as unthrottled. */
export const LEARNING_RESPONSES = 10;
/** The response counts are halved past this many, so what the host does now outweighs what it did long ago. */
const RESPONSE_WINDOW = 1000;
/** Weight of the newest cost in the mean cost. */
const COST_WEIGHT = 0.1;
/** How much of the peak cost survives each reporting response (half-life of about 690 responses). */
const PEAK_DECAY = 0.999;
/**
 * Reports this close together are one account: a gap between the own account and a report after a longer silence
 * is the bucket's history (another client spent it earlier, or it leaked), not a client spending alongside.
 */
const TRACKING_MS = 10_000;
/** How long the upper bound is read as the level after a report showed another client spending on the token. */
export const OTHERS_MEMORY_MS = 60_000;

/** What the host's responses say about its throttle so far. */
export type ThrottleRegime = "learning" | "reported" | "unreported";

export function throttleRegime(state: Pick<RateBudgetState, "reported" | "unreported">): ThrottleRegime {
  if (state.reported > 0) return "reported";
  return state.unreported >= LEARNING_RESPONSES ? "unreported" : "learning";
}

/**
 * Canvas's open-source defaults, and conservative guesses for the rest. The margin is small on purpose: every
 * request in flight is already charged its full 50 units and estimates otherwise err high, while each 50 units of
 * margin is one request fewer in flight, which costs a fifth of the throughput when a few are all the bucket allows.
 */
export const DEFAULT_RATE_BUDGET: RateBudgetSettings = {
  hwm: 600,
  outflow: 10,
  upFront: 50,
  safetyMargin: 10,
  assumedCost: 5,
  leaseTtlMs: 120_000,
  minWaitMs: 100,
};

export function createRateBudget(now: number, settings: Partial<RateBudgetSettings> = {}): RateBudgetState {
  const chosen = { ...DEFAULT_RATE_BUDGET, ...settings };
  return {
    ...chosen,
    level: 0,
    updatedAt: now,
    inFlight: [],
    nextLeaseId: 1,
    reported: 0,
    unreported: 0,
    meanCost: chosen.assumedCost,
    peakCost: 0,
    reportedAt: 0,
    othersSeenAt: 0,
  };
}

export type ReserveResult =
  | { kind: "granted"; state: RateBudgetState; leaseId: number; grantedAt: number }
  | { kind: "wait"; state: RateBudgetState; waitMs: number; blockedBy: "bucket" | "in_flight" };

/**
 * Asks to send one request now: granted (with a lease to release later), or told how long to wait first. `holder`
 * names the caller's gate (one sync delivery) so that its own older leases can be told apart later.
 */
export function reserve(state: RateBudgetState, now: number, holder?: string): ReserveResult {
  const current = advance(state, now);
  // Canvas adds this request's up-front charge before it asks whether the bucket is full.
  // Each request in flight may yet swap its up-front charge for a dearer real cost before this one arrives.
  const charges = current.inFlight.length * inFlightCharge(current) + current.upFront;
  const ceiling = current.hwm - marginOf(current);
  const excess = current.level + charges - ceiling;
  // A lone request on a drained bucket always goes: nothing else could ever make room for it.
  const alone = current.inFlight.length === 0 && current.level === 0;
  // Until a response has told where the bucket stands (it may hold another client's requests), or enough silent
  // ones that it never will, one request at a time.
  const unheard = throttleRegime(current) === "learning";
  if ((excess < 0 && !(unheard && current.inFlight.length > 0)) || alone) {
    const lease: Lease = {
      id: current.nextLeaseId,
      expiresAt: now + current.leaseTtlMs,
      ...(holder === undefined ? {} : { holder }),
    };
    return {
      kind: "granted",
      state: { ...current, inFlight: [...current.inFlight, lease], nextLeaseId: current.nextLeaseId + 1 },
      leaseId: lease.id,
      grantedAt: now,
    };
  }
  if (charges >= ceiling || unheard) {
    // Even an empty bucket would not fit this many concurrent up-front charges: only a release helps.
    return { kind: "wait", state: current, waitMs: current.minWaitMs, blockedBy: "in_flight" };
  }
  // Until the level has leaked by more than the excess.
  const waitMs = Math.floor((excess / current.outflow) * 1000) + 1;
  return { kind: "wait", state: current, waitMs, blockedBy: "bucket" };
}

/** What a response said about the bucket; `null` and absent mean the header was missing. */
export interface RateObservation {
  cost?: number | null;
  remaining?: number | null;
  throttled: boolean;
}

/**
 * Reconciles the estimate with what Canvas reported on a response (call for every response, failed or not).
 * `leaseId` is the lease of the request the response answers: leases older than it are taken to be in Canvas's
 * reported level already.
 */
export function observe(
  state: RateBudgetState,
  observation: RateObservation,
  now: number,
  leaseId?: number,
): RateBudgetState {
  const current = advance(state, now);
  const remaining = finiteOrNull(observation.remaining);
  const cost = finiteOrNull(observation.cost);
  const reporting = remaining !== null || cost !== null || observation.throttled;
  const counted = countResponse(current, reporting, cost);
  if (remaining !== null) {
    // remaining = hwm - bucket, so Canvas's hwm is at least `remaining`: learn a larger one if it shows.
    const hwm = Math.max(counted.hwm, remaining);
    if (observation.throttled) return { ...counted, hwm, level: hwm, reportedAt: now, othersSeenAt: now };
    const level = reconciledLevel(current, counted, hwm - remaining, cost, now, leaseId);
    return { ...counted, hwm, level: level.level, reportedAt: now, othersSeenAt: level.othersSeenAt };
  }
  if (observation.throttled) return { ...counted, level: Math.max(counted.level, counted.hwm) };
  // Charged by what the responses before this one taught.
  return { ...counted, level: counted.level + Math.max(0, cost ?? silentCharge(current)) };
}

/**
 * The level after a report of `reportedLevel` (hwm - remaining) on the response to `leaseId`: the own account
 * (the level before plus this response's cost) held between what the report allows, or the upper bound while
 * another client is spending on the token.
 */
function reconciledLevel(
  before: RateBudgetState,
  counted: RateBudgetState,
  reportedLevel: number,
  cost: number | null,
  now: number,
  leaseId: number | undefined,
): { level: number; othersSeenAt: number } {
  const answered = counted.inFlight.find((lease) => lease.id === leaseId);
  const others = counted.inFlight.filter((lease) => lease.id !== leaseId);
  const surelyAtCanvas = others.filter(
    (lease) => answered?.holder !== undefined && lease.holder === answered.holder && lease.id < answered.id,
  ).length;
  const upper = Math.max(0, reportedLevel - surelyAtCanvas * counted.upFront);
  const lower = Math.max(0, reportedLevel - others.length * counted.upFront);
  const own = counted.level + Math.max(0, cost ?? silentCharge(before));
  const tracking = before.reportedAt > 0 && now - before.reportedAt <= TRACKING_MS;
  const unexplained = tracking && own + marginOf(counted) < lower;
  const othersSeenAt = unexplained ? now : counted.othersSeenAt;
  if (sharedToken({ othersSeenAt }, now)) return { level: upper, othersSeenAt };
  return { level: Math.min(upper, Math.max(lower, own)), othersSeenAt };
}

/** Whether a report lately showed another client spending on the token (or a throttle proved the account wrong). */
export function sharedToken(state: Pick<RateBudgetState, "othersSeenAt">, now: number): boolean {
  return state.othersSeenAt > 0 && now - state.othersSeenAt < OTHERS_MEMORY_MS;
}

/** The charge for a response that reported nothing, by what the host has shown so far. */
export function silentCharge(state: RateBudgetState): number {
  switch (throttleRegime(state)) {
    case "reported":
      return state.meanCost;
    case "unreported":
      return 0;
    default:
      return state.assumedCost;
  }
}

function countResponse(state: RateBudgetState, reporting: boolean, cost: number | null): RateBudgetState {
  let reported = state.reported + (reporting ? 1 : 0);
  let unreported = state.unreported + (reporting ? 0 : 1);
  if (reported + unreported > RESPONSE_WINDOW) {
    reported = Math.floor(reported / 2);
    unreported = Math.floor(unreported / 2);
  }
  const meanCost =
    cost === null
      ? state.meanCost
      : state.reported === 0
        ? cost
        : state.meanCost + COST_WEIGHT * (cost - state.meanCost);
  const peakCost = cost === null ? state.peakCost : Math.max(cost, state.peakCost * PEAK_DECAY);
  return { ...state, reported, unreported, meanCost, peakCost };
}

/**
 * The headroom kept below hwm: the configured margin, or more while recent requests have cost more than their
 * up-front charge (what such a request adds on completion is invisible until the next report).
 */
export function marginOf(state: RateBudgetState): number {
  return Math.max(state.safetyMargin, state.peakCost - state.upFront);
}

/**
 * What a request in flight is counted for: its up-front charge, or the recent peak cost while requests have cost
 * more than that (Canvas adds such a cost when the request ends, which may come before our next request arrives).
 */
export function inFlightCharge(state: RateBudgetState): number {
  return Math.max(state.upFront, state.peakCost);
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
  return release(observe(state, observation, now, leaseId), leaseId);
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
