/**
 * A course's learned activity by hour of the week: 168 buckets (0 = Sunday 00:00-01:00 in the course's local time,
 * given as a fixed UTC offset) holding exponentially decayed counts of observed content changes. Decay (half-life
 * four weeks by default) lets the pattern follow a term's rhythm without forgetting last week. Only the shape
 * matters to the scheduler (each hour's share of the week), so decay, which scales all buckets alike, never changes a
 * share; it only ages the evidence. Recording is idempotent: changes at or before `observedThrough` were already
 * counted, so feeding the same listing twice counts nothing twice.
 */
import { z } from "zod";

export const HOURS_PER_WEEK = 168;
const HOUR_MS = 3_600_000;

export interface ActivityModel {
  /** decayed change counts per hour of week, as of `updatedAt` */
  buckets: number[];
  updatedAt: number;
  /** the newest change time already counted */
  observedThrough: number;
}

/** For loading a stored model: storage is an edge. */
export const ActivityModelSchema = z.object({
  buckets: z.array(z.number().finite().nonnegative()).length(HOURS_PER_WEEK),
  updatedAt: z.number().finite(),
  observedThrough: z.number().finite(),
});

export interface ActivityConfig {
  halfLifeMs: number;
  /** the course's offset from UTC, so "night" means the course's night */
  utcOffsetMinutes: number;
}

export const DEFAULT_ACTIVITY_CONFIG: ActivityConfig = { halfLifeMs: 28 * 24 * HOUR_MS, utcOffsetMinutes: 0 };

/** Changes weigh less than this after decay are not worth a bucket update. */
const NEGLIGIBLE_WEIGHT = 1e-6;

export function emptyActivityModel(now: number): ActivityModel {
  // observedThrough 0, not -Infinity, so an empty model survives JSON; no real change predates 1970.
  return {
    buckets: Array.from({ length: HOURS_PER_WEEK }, () => 0),
    updatedAt: now,
    observedThrough: 0,
  };
}

/** The hour of the week of `time` in local time: 0 = Sunday 00:xx, 167 = Saturday 23:xx. */
export function hourOfWeek(time: number, utcOffsetMinutes: number): number {
  const local = new Date(time + utcOffsetMinutes * 60_000);
  return local.getUTCDay() * 24 + local.getUTCHours();
}

/** Start of the local hour containing `time` (works for half-hour offsets too). */
export function startOfHour(time: number, utcOffsetMinutes: number): number {
  const offsetMs = utcOffsetMinutes * 60_000;
  return Math.floor((time + offsetMs) / HOUR_MS) * HOUR_MS - offsetMs;
}

/** The model aged to `now` (older models only; a model from the future is left as is). */
export function decayActivity(model: ActivityModel, now: number, config: ActivityConfig): ActivityModel {
  if (now <= model.updatedAt) return model;
  const factor = decayFactor(now - model.updatedAt, config.halfLifeMs);
  return { ...model, buckets: model.buckets.map((count) => count * factor), updatedAt: now };
}

/**
 * Adds observed change times (ms) to the model, each weighted by its age at `now`. Times after `now` (clock skew)
 * count as now; times already counted are ignored.
 */
export function recordActivity(
  model: ActivityModel,
  changeTimes: readonly number[],
  now: number,
  config: ActivityConfig = DEFAULT_ACTIVITY_CONFIG,
): ActivityModel {
  const aged = decayActivity(model, now, config);
  const buckets = [...aged.buckets];
  let observedThrough = aged.observedThrough;
  for (const time of changeTimes) {
    if (!Number.isFinite(time) || time <= model.observedThrough) continue;
    observedThrough = Math.max(observedThrough, time);
    const weight = decayFactor(Math.max(0, aged.updatedAt - time), config.halfLifeMs);
    if (weight < NEGLIGIBLE_WEIGHT) continue;
    const hour = hourOfWeek(time, config.utcOffsetMinutes);
    buckets[hour] = (buckets[hour] ?? 0) + weight;
  }
  return { buckets, updatedAt: aged.updatedAt, observedThrough };
}

/** How much evidence (decayed change count) the model holds at `now`. */
export function activityEvidence(model: ActivityModel, now: number, config: ActivityConfig): number {
  const total = model.buckets.reduce((sum, count) => sum + count, 0);
  return total * (now > model.updatedAt ? decayFactor(now - model.updatedAt, config.halfLifeMs) : 1);
}

/** Each hour's share of the week's activity; all zero for an empty model. */
export function hourShares(model: ActivityModel): number[] {
  const total = model.buckets.reduce((sum, count) => sum + count, 0);
  return model.buckets.map((count) => (total > 0 ? count / total : 0));
}

function decayFactor(ageMs: number, halfLifeMs: number): number {
  return halfLifeMs > 0 ? 0.5 ** (ageMs / halfLifeMs) : 1;
}
