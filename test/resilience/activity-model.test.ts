import { describe, expect, it } from "vitest";
import {
  ActivityModelSchema,
  activityEvidence,
  decayActivity,
  emptyActivityModel,
  hourOfWeek,
  hourShares,
  recordActivity,
  startOfHour,
  type ActivityConfig,
} from "../../src/resilience/activity-model";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const utc = (iso: string): number => Date.parse(iso);
const NO_DECAY: ActivityConfig = { halfLifeMs: 1e20, utcOffsetMinutes: 0 };

describe("hourOfWeek", () => {
  it("counts from Sunday 00:00", () => {
    expect(hourOfWeek(utc("2026-01-04T00:00:00Z"), 0)).toBe(0); // a Sunday
    expect(hourOfWeek(utc("2026-01-10T23:59:59Z"), 0)).toBe(167); // the Saturday after
    expect(hourOfWeek(utc("2026-02-03T10:30:00Z"), 0)).toBe(2 * 24 + 10); // a Tuesday
    expect(hourOfWeek(0, 0)).toBe(4 * 24); // 1970-01-01 was a Thursday
  });

  it("uses the course's offset from UTC", () => {
    // 14:00 UTC is 09:00 in UTC-5, still Tuesday; 02:00 UTC Wednesday is 21:00 Tuesday in UTC-5.
    expect(hourOfWeek(utc("2026-02-03T14:00:00Z"), -300)).toBe(2 * 24 + 9);
    expect(hourOfWeek(utc("2026-02-04T02:00:00Z"), -300)).toBe(2 * 24 + 21);
  });
});

describe("startOfHour", () => {
  it("finds the local hour boundary, also for half-hour offsets", () => {
    expect(startOfHour(utc("2026-02-03T10:45:00Z"), 0)).toBe(utc("2026-02-03T10:00:00Z"));
    // UTC+5:30: 10:50 UTC is 16:20 local; the local hour began at 16:00 local = 10:30 UTC.
    expect(startOfHour(utc("2026-01-05T10:50:00Z"), 330)).toBe(utc("2026-01-05T10:30:00Z"));
  });
});

describe("recordActivity", () => {
  const now = utc("2026-02-01T00:00:00Z");

  it("counts each change in its hour-of-week bucket", () => {
    const times = [utc("2026-01-27T09:15:00Z"), utc("2026-01-27T09:45:00Z"), utc("2026-01-29T17:00:00Z")];
    const model = recordActivity(emptyActivityModel(now - 7 * DAY), times, now, NO_DECAY);
    expect(model.buckets[2 * 24 + 9]).toBeCloseTo(2, 6);
    expect(model.buckets[4 * 24 + 17]).toBeCloseTo(1, 6);
    expect(model.buckets.reduce((a, b) => a + b, 0)).toBeCloseTo(3, 6);
    expect(model.observedThrough).toBe(utc("2026-01-29T17:00:00Z"));
    expect(model.updatedAt).toBe(now);
  });

  it("is idempotent: changes already counted are not counted again", () => {
    const times = [utc("2026-01-27T09:15:00Z"), utc("2026-01-28T11:00:00Z")];
    const once = recordActivity(emptyActivityModel(now), times, now, NO_DECAY);
    const twice = recordActivity(once, times, now, NO_DECAY);
    expect(twice.buckets).toEqual(once.buckets);
    const later = recordActivity(once, [...times, utc("2026-01-31T08:00:00Z")], now, NO_DECAY);
    expect(later.buckets.reduce((a, b) => a + b, 0)).toBeCloseTo(3, 6);
  });

  it("weighs a change by its age: one half-life old counts half", () => {
    const config: ActivityConfig = { halfLifeMs: 7 * DAY, utcOffsetMinutes: 0 };
    const model = recordActivity(emptyActivityModel(now), [now - 7 * DAY, now + HOUR], now, config);
    expect(model.buckets[hourOfWeek(now - 7 * DAY, 0)]).toBeCloseTo(0.5, 9);
    // A change stamped in the future (clock skew) counts as happening now.
    expect(model.buckets[hourOfWeek(now + HOUR, 0)]).toBeCloseTo(1, 9);
  });

  it("ignores times that are not numbers", () => {
    const model = recordActivity(
      emptyActivityModel(now),
      [Number.NaN, Number.POSITIVE_INFINITY],
      now,
      NO_DECAY,
    );
    expect(model.buckets.every((count) => count === 0)).toBe(true);
  });
});

describe("decay", () => {
  it("ages the evidence but leaves each hour's share alone", () => {
    const config: ActivityConfig = { halfLifeMs: 7 * DAY, utcOffsetMinutes: 0 };
    const t0 = utc("2026-02-01T00:00:00Z");
    const model = recordActivity(
      emptyActivityModel(t0),
      [t0 - HOUR, t0 - 2 * HOUR, t0 - 26 * HOUR],
      t0,
      config,
    );
    const aged = decayActivity(model, t0 + 14 * DAY, config);
    expect(activityEvidence(model, t0 + 14 * DAY, config)).toBeCloseTo(
      activityEvidence(model, t0, config) / 4,
      6,
    );
    expect(aged.buckets.reduce((a, b) => a + b, 0)).toBeCloseTo(activityEvidence(model, t0, config) / 4, 6);
    hourShares(aged).forEach((share, hour) => expect(share).toBeCloseTo(hourShares(model)[hour] ?? -1, 9));
  });

  it("never ages a model backwards", () => {
    const t0 = utc("2026-02-01T00:00:00Z");
    const model = recordActivity(emptyActivityModel(t0), [t0 - HOUR], t0, NO_DECAY);
    expect(decayActivity(model, t0 - DAY, NO_DECAY)).toBe(model);
  });
});

describe("ActivityModelSchema", () => {
  it("accepts a stored model and rejects a malformed one", () => {
    expect(ActivityModelSchema.parse(JSON.parse(JSON.stringify(emptyActivityModel(5))))).toEqual(
      emptyActivityModel(5),
    );
    const model = recordActivity(emptyActivityModel(0), [1_000], 2_000, NO_DECAY);
    expect(ActivityModelSchema.parse(JSON.parse(JSON.stringify(model)))).toEqual(model);
    expect(ActivityModelSchema.safeParse({ ...model, buckets: model.buckets.slice(1) }).success).toBe(false);
    expect(ActivityModelSchema.safeParse({ ...model, buckets: model.buckets.map(() => -1) }).success).toBe(
      false,
    );
  });
});
