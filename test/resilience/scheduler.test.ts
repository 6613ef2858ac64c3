import { describe, expect, it } from "vitest";
import {
  activityConfigOf,
  classifyHours,
  computeNextSync,
  emptyActivityModel,
  hourOfWeek,
  isDue,
  recordActivity,
  schedulerConfig,
  type ActivityModel,
  type SchedulerConfig,
} from "../../src/resilience/scheduler";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const utc = (iso: string): number => Date.parse(iso);

const DEFAULTS = schedulerConfig();
/** Effectively no decay, so the trained shares are exact counts. */
const CONFIG: SchedulerConfig = schedulerConfig({ halfLifeMs: 1e20 });
const NOW = utc("2026-02-03T10:30:00Z"); // a Tuesday

function schedule(
  at: number,
  overrides: Partial<Parameters<typeof computeNextSync>[0]> = {},
  config = CONFIG,
) {
  return computeNextSync({ now: at, consecutiveFailures: 0, recentChangeRate: 0, ...overrides }, config);
}

/**
 * Four weeks of a weekday course: one change at :30 in every hour 09-16 UTC, Monday to Friday (40 hours of the
 * week, 4 changes each, each 4.2x an average hour's share: active), plus one change on a Wednesday at 20:30
 * (1/161 of the total, about 1x average: normal). Every other hour has none: quiet.
 */
function weekdayCourse(config: SchedulerConfig = CONFIG, shiftMs = 0): ActivityModel {
  const times: number[] = [];
  for (const sunday of ["2026-01-04", "2026-01-11", "2026-01-18", "2026-01-25"]) {
    for (let day = 1; day <= 5; day++) {
      for (let hour = 9; hour <= 16; hour++) {
        times.push(utc(`${sunday}T00:30:00Z`) + day * DAY + hour * HOUR + shiftMs);
      }
    }
  }
  times.push(utc("2026-01-28T20:30:00Z") + shiftMs);
  const start = utc("2026-01-04T00:00:00Z");
  return recordActivity(
    emptyActivityModel(start),
    times,
    utc("2026-02-01T00:00:00Z"),
    activityConfigOf(config),
  );
}

describe("configuration", () => {
  it("defaults to the issue's numbers", () => {
    expect(DEFAULTS).toMatchObject({
      baseIntervalMs: HOUR,
      minIntervalMs: 15 * MIN,
      maxIntervalMs: 6 * HOUR,
      failureThreshold: 3,
      highChangeRate: 0.1,
    });
  });

  it("rejects inconsistent intervals and thresholds", () => {
    expect(() => schedulerConfig({ minIntervalMs: 2 * HOUR })).toThrow(/min <= base <= max/);
    expect(() => schedulerConfig({ maxIntervalMs: 30 * MIN })).toThrow(/min <= base <= max/);
    expect(() => schedulerConfig({ quietHourRatio: 3 })).toThrow(
      /quietHourRatio must be below activeHourRatio/,
    );
  });
});

describe("rules 1-3 without an activity model", () => {
  it("uses the base interval for a healthy, quiet course", () => {
    expect(schedule(NOW, { recentChangeRate: 0.05 })).toEqual({
      nextSyncAt: NOW + HOUR,
      intervalMs: HOUR,
      reason: "base",
      timeOfWeek: "none",
    });
    expect(schedule(NOW, { recentChangeRate: 0.1 }).intervalMs).toBe(HOUR);
  });

  it("halves the interval for a course with more than 10% recent change", () => {
    expect(schedule(NOW, { recentChangeRate: 0.11 })).toMatchObject({
      intervalMs: 30 * MIN,
      reason: "high_change_rate",
    });
  });

  it("never goes under the minimum", () => {
    const config = schedulerConfig({ baseIntervalMs: 20 * MIN });
    expect(schedule(NOW, { recentChangeRate: 0.5 }, config).intervalMs).toBe(15 * MIN);
  });

  it("backs off a course with more than 3 consecutive failures, capped at 6 h", () => {
    expect(schedule(NOW, { consecutiveFailures: 3 }).intervalMs).toBe(HOUR);
    expect(schedule(NOW, { consecutiveFailures: 4 })).toMatchObject({
      intervalMs: 6 * HOUR,
      reason: "failure_backoff",
    });
    const config = schedulerConfig({ baseIntervalMs: 10 * MIN, minIntervalMs: 5 * MIN });
    const intervals = [4, 5, 6, 40].map(
      (failures) => schedule(NOW, { consecutiveFailures: failures }, config).intervalMs,
    );
    expect(intervals).toEqual([160 * MIN, 320 * MIN, 6 * HOUR, 6 * HOUR]);
  });

  it("lets the failure rule win over a high change rate", () => {
    expect(schedule(NOW, { consecutiveFailures: 5, recentChangeRate: 0.9 }).reason).toBe("failure_backoff");
  });
});

describe("rule 4: time of week", () => {
  const activity = weekdayCourse();

  it("classifies the trained hours", () => {
    const kinds = classifyHours(activity, NOW, CONFIG);
    expect(kinds?.[hourOfWeek(utc("2026-02-03T10:00:00Z"), 0)]).toBe("active");
    expect(kinds?.[hourOfWeek(utc("2026-02-04T20:00:00Z"), 0)]).toBe("normal");
    expect(kinds?.[hourOfWeek(utc("2026-02-03T03:00:00Z"), 0)]).toBe("quiet");
    expect(kinds?.filter((kind) => kind === "active")).toHaveLength(40);
  });

  it("syncs twice as often in an active hour", () => {
    expect(schedule(NOW, { activity })).toEqual({
      nextSyncAt: NOW + 30 * MIN,
      intervalMs: 30 * MIN,
      reason: "base",
      timeOfWeek: "active_hours",
    });
  });

  it("stacks with a high change rate but never under the minimum", () => {
    expect(schedule(NOW, { activity, recentChangeRate: 0.5 })).toMatchObject({
      intervalMs: 15 * MIN,
      reason: "high_change_rate",
      timeOfWeek: "active_hours",
    });
  });

  it("syncs half as often in a quiet hour", () => {
    const night = utc("2026-02-03T03:00:00Z");
    expect(schedule(night, { activity })).toMatchObject({ intervalMs: 2 * HOUR, timeOfWeek: "quiet_hours" });
    expect(schedule(night, { activity, recentChangeRate: 0.5 })).toMatchObject({
      intervalMs: HOUR,
      reason: "high_change_rate",
      timeOfWeek: "quiet_hours",
    });
  });

  it("wakes up at the start of the next non-quiet hour instead of sleeping through it", () => {
    expect(schedule(utc("2026-02-03T07:30:00Z"), { activity }).intervalMs).toBe(90 * MIN);
    // 08:15: the active hour starts in 45 min, sooner than the base hour: keep the base hour.
    expect(schedule(utc("2026-02-03T08:15:00Z"), { activity })).toMatchObject({
      intervalMs: HOUR,
      timeOfWeek: "none",
    });
    // A normal hour also ends the quiet stretch: Wednesday 19:30 -> not past 20:00 + the base hour.
    expect(schedule(utc("2026-02-04T19:30:00Z"), { activity }).intervalMs).toBe(HOUR);
  });

  it("leaves a normal hour at the rule's interval", () => {
    expect(schedule(utc("2026-02-04T20:10:00Z"), { activity })).toMatchObject({
      intervalMs: HOUR,
      timeOfWeek: "none",
    });
  });

  it("never lengthens past the maximum", () => {
    const config = schedulerConfig({ halfLifeMs: 1e20, maxIntervalMs: 90 * MIN });
    const saturday = utc("2026-02-07T12:00:00Z");
    expect(schedule(saturday, { activity: weekdayCourse(config) }, config).intervalMs).toBe(90 * MIN);
  });

  it("does not consult the model for a failing course", () => {
    const night = utc("2026-02-03T03:00:00Z");
    expect(schedule(night, { activity, consecutiveFailures: 4 })).toMatchObject({
      intervalMs: 6 * HOUR,
      timeOfWeek: "none",
    });
    expect(schedule(NOW, { activity, consecutiveFailures: 4 }).intervalMs).toBe(6 * HOUR);
  });

  it("ignores a model with too little evidence", () => {
    const thin = recordActivity(
      emptyActivityModel(0),
      [1, 2, 3, 4, 5].map((i) => utc("2026-01-27T10:00:00Z") + i * MIN),
      utc("2026-02-01T00:00:00Z"),
      activityConfigOf(CONFIG),
    );
    expect(classifyHours(thin, NOW, CONFIG)).toBeNull();
    expect(schedule(NOW, { activity: thin })).toMatchObject({ intervalMs: HOUR, timeOfWeek: "none" });
    expect(
      schedule(NOW, { activity: emptyActivityModel(0) }, schedulerConfig({ minEvidence: 0 })).intervalMs,
    ).toBe(HOUR);
  });

  it("reads hours in the course's time zone", () => {
    // The same weekday pattern, 09-17 in UTC-5, i.e. 14-22 UTC.
    const config = schedulerConfig({ halfLifeMs: 1e20, utcOffsetMinutes: -300 });
    const local = weekdayCourse(config, 5 * HOUR);
    expect(schedule(utc("2026-02-03T15:00:00Z"), { activity: local }, config).timeOfWeek).toBe(
      "active_hours",
    );
    expect(schedule(NOW, { activity: local }, config).timeOfWeek).toBe("quiet_hours");
  });
});

describe("isDue", () => {
  it("is due when never scheduled or when the time has come", () => {
    expect(isDue(null, NOW)).toBe(true);
    expect(isDue(undefined, NOW)).toBe(true);
    expect(isDue(NOW, NOW)).toBe(true);
    expect(isDue(NOW - 1, NOW)).toBe(true);
    expect(isDue(NOW + 1, NOW)).toBe(false);
  });
});
