/**
 * The adaptive scheduler: when a course should next be synced. Pure and deterministic. Rules, in this order:
 *
 * 1. Failing course: more than `failureThreshold` (3) consecutive failures -> base x 2^failures, capped at the max
 *    (6 h). This rule wins outright; time of week is not consulted, so a broken course is never polled faster.
 * 2. Busy course: recent change rate above `highChangeRate` (10%) -> base / 2, never under the min (15 min).
 * 3. Otherwise the base interval (1 h).
 * 4. Time of week, applied to the result of 2 or 3 once the activity model holds `minEvidence` changes:
 *    - the current hour is active (its share of the week's changes is at least `activeHourRatio` x an average
 *      hour's) -> interval x `activeFactor`, never under the min;
 *    - the current hour is quiet (share at most `quietHourRatio` x average, e.g. nights with no changes) ->
 *      interval x `quietFactor`, never over the max, and never past the start of the next hour that is not quiet,
 *      so the first sync after a quiet stretch is not late.
 * 5. Live Events flowing: the course had an event acted on within the last `eventQuietIntervalMs`, so its changes
 *    are already mirrored within seconds and polling is reconciliation only -> at least `eventQuietIntervalMs`,
 *    never more than `reconcileIntervalMs` (the daily full reconciliation is never stretched). A course whose
 *    events stop falls back to rules 2-4 at its next sync, at most one such interval later. Off when 0.
 *
 * All intervals and thresholds are configuration; `schedulerConfig()` validates overrides and fills defaults.
 */
import { z } from "zod";
import {
  activityEvidence,
  hourOfWeek,
  hourShares,
  HOURS_PER_WEEK,
  startOfHour,
  type ActivityConfig,
  type ActivityModel,
} from "./activity-model";

export {
  ActivityModelSchema,
  emptyActivityModel,
  hourOfWeek,
  recordActivity,
  type ActivityModel,
} from "./activity-model";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export const SchedulerConfigSchema = z
  .object({
    baseIntervalMs: z.number().int().positive().default(HOUR_MS),
    minIntervalMs: z
      .number()
      .int()
      .positive()
      .default(15 * MINUTE_MS),
    maxIntervalMs: z
      .number()
      .int()
      .positive()
      .default(6 * HOUR_MS),
    /** back off when consecutive failures are MORE than this */
    failureThreshold: z.number().int().nonnegative().default(3),
    /** share of a course's items that changed recently above which it is "busy" */
    highChangeRate: z.number().min(0).max(1).default(0.1),
    activeHourRatio: z.number().positive().default(2),
    quietHourRatio: z.number().nonnegative().default(0.25),
    activeFactor: z.number().positive().max(1).default(0.5),
    quietFactor: z.number().min(1).default(2),
    /** decayed change count the activity model needs before its pattern is trusted */
    minEvidence: z.number().nonnegative().default(10),
    halfLifeMs: z
      .number()
      .positive()
      .default(28 * 24 * HOUR_MS),
    utcOffsetMinutes: z
      .number()
      .int()
      .min(-14 * 60)
      .max(14 * 60)
      .default(0),
    /** the poll interval of a course receiving Live Events (0: poll such courses like any other) */
    eventQuietIntervalMs: z
      .number()
      .int()
      .nonnegative()
      .default(4 * HOUR_MS),
    /** the full reconciliation interval: no rule may poll less often than this */
    reconcileIntervalMs: z
      .number()
      .int()
      .positive()
      .default(24 * HOUR_MS),
  })
  .refine((c) => c.minIntervalMs <= c.baseIntervalMs && c.baseIntervalMs <= c.maxIntervalMs, {
    message: "intervals must satisfy min <= base <= max",
  })
  .refine((c) => c.quietHourRatio < c.activeHourRatio, {
    message: "quietHourRatio must be below activeHourRatio",
  });

export type SchedulerConfig = z.infer<typeof SchedulerConfigSchema>;

/** Validated configuration: the defaults above with `overrides` applied. Throws on an inconsistent config. */
export function schedulerConfig(overrides: Partial<SchedulerConfig> = {}): SchedulerConfig {
  return SchedulerConfigSchema.parse(overrides);
}

export interface ScheduleInput {
  now: number;
  consecutiveFailures: number;
  /** share (0..1) of the course's items that changed over recent syncs */
  recentChangeRate: number;
  activity?: ActivityModel | null;
  /** when the course last had a Live Event acted on (null: never) */
  lastEventAt?: number | null;
}

export type ScheduleReason = "failure_backoff" | "high_change_rate" | "base" | "live_events";
export type TimeOfWeekAdjustment = "active_hours" | "quiet_hours" | "none";

export interface NextSync {
  nextSyncAt: number;
  intervalMs: number;
  reason: ScheduleReason;
  timeOfWeek: TimeOfWeekAdjustment;
}

export type HourKind = "active" | "quiet" | "normal";

export function computeNextSync(input: ScheduleInput, config: SchedulerConfig): NextSync {
  const polled = pollingSchedule(input, config);
  if (polled.reason === "failure_backoff" || !eventsFlowing(input, config)) return polled;
  const quiet = Math.min(config.eventQuietIntervalMs, config.reconcileIntervalMs);
  if (quiet <= polled.intervalMs) return polled;
  return { nextSyncAt: input.now + quiet, intervalMs: quiet, reason: "live_events", timeOfWeek: "none" };
}

/** Whether the course's Live Events are flowing: one acted on within the last quiet interval. */
export function eventsFlowing(
  input: Pick<ScheduleInput, "now" | "lastEventAt">,
  config: Pick<SchedulerConfig, "eventQuietIntervalMs">,
): boolean {
  const last = input.lastEventAt;
  if (last === null || last === undefined || config.eventQuietIntervalMs <= 0) return false;
  return input.now - last <= config.eventQuietIntervalMs;
}

/** Rules 1-4: the interval from failures, change rate and time of week. */
function pollingSchedule(input: ScheduleInput, config: SchedulerConfig): NextSync {
  const { now } = input;
  if (input.consecutiveFailures > config.failureThreshold) {
    const exponent = Math.min(input.consecutiveFailures, 52);
    const intervalMs = Math.min(config.maxIntervalMs, config.baseIntervalMs * 2 ** exponent);
    return { nextSyncAt: now + intervalMs, intervalMs, reason: "failure_backoff", timeOfWeek: "none" };
  }

  const busy = input.recentChangeRate > config.highChangeRate;
  const reason: ScheduleReason = busy ? "high_change_rate" : "base";
  const ruleInterval = busy
    ? Math.max(config.minIntervalMs, Math.round(config.baseIntervalMs / 2))
    : config.baseIntervalMs;

  const kinds = input.activity ? classifyHours(input.activity, now, config) : null;
  if (!kinds) return { nextSyncAt: now + ruleInterval, intervalMs: ruleInterval, reason, timeOfWeek: "none" };

  const current = kinds[hourOfWeek(now, config.utcOffsetMinutes)];
  if (current === "active") {
    const intervalMs = Math.max(config.minIntervalMs, Math.round(ruleInterval * config.activeFactor));
    return { nextSyncAt: now + intervalMs, intervalMs, reason, timeOfWeek: "active_hours" };
  }
  if (current === "quiet") {
    const lengthened = Math.max(
      ruleInterval,
      Math.min(config.maxIntervalMs, Math.round(ruleInterval * config.quietFactor)),
    );
    const wake = nextNonQuietHourStart(kinds, now, now + lengthened, config.utcOffsetMinutes);
    const intervalMs = wake === null ? lengthened : Math.min(lengthened, Math.max(ruleInterval, wake - now));
    const timeOfWeek = intervalMs > ruleInterval ? "quiet_hours" : "none";
    return { nextSyncAt: now + intervalMs, intervalMs, reason, timeOfWeek };
  }
  return { nextSyncAt: now + ruleInterval, intervalMs: ruleInterval, reason, timeOfWeek: "none" };
}

/**
 * Each hour of the week as active, quiet or normal, or null while the model holds too little evidence to say
 * (a new course is scheduled by rules 1-3 alone).
 */
export function classifyHours(model: ActivityModel, now: number, config: SchedulerConfig): HourKind[] | null {
  const evidence = activityEvidence(model, now, activityConfigOf(config));
  // An empty model has no shape at all, whatever minEvidence says.
  if (evidence <= 0 || evidence < config.minEvidence) return null;
  const averageShare = 1 / HOURS_PER_WEEK;
  return hourShares(model).map((share): HourKind => {
    if (share >= config.activeHourRatio * averageShare) return "active";
    if (share <= config.quietHourRatio * averageShare) return "quiet";
    return "normal";
  });
}

/** The activity-model settings implied by a scheduler config; record and read the model with the same ones. */
export function activityConfigOf(config: SchedulerConfig): ActivityConfig {
  return { halfLifeMs: config.halfLifeMs, utcOffsetMinutes: config.utcOffsetMinutes };
}

/** Whether a course whose next sync is at `nextSyncAt` should be synced now; never scheduled means due. */
export function isDue(nextSyncAt: number | null | undefined, now: number): boolean {
  return nextSyncAt === null || nextSyncAt === undefined || nextSyncAt <= now;
}

/** The start of the first hour after `now` and not after `until` that is not quiet, or null. */
function nextNonQuietHourStart(
  kinds: readonly HourKind[],
  now: number,
  until: number,
  utcOffsetMinutes: number,
): number | null {
  for (let start = startOfHour(now, utcOffsetMinutes) + HOUR_MS; start <= until; start += HOUR_MS) {
    if (kinds[hourOfWeek(start, utcOffsetMinutes)] !== "quiet") return start;
  }
  return null;
}
