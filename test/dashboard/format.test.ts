/** Dashboard formatting: durations, relative times, compact counts and the time-axis label choice. */
import { describe, expect, it } from "vitest";
import {
  formatCount,
  formatDuration,
  formatHealthValue,
  healthCheckLabel,
  formatPercent,
  formatRelative,
  formatTimestamp,
  timeAxisFormat,
} from "../../src/dashboard/format";

const AT = Date.UTC(2026, 10, 3, 14, 5, 9);

describe("formatDuration", () => {
  it.each([
    [null, "—"],
    [Number.NaN, "—"],
    [400, "0s"],
    [59_000, "59s"],
    [61_000, "1m 1s"],
    [3_600_000, "1h 0m"],
    [47 * 3_600_000 + 59 * 60_000, "47h 59m"],
    [50 * 3_600_000, "2d 2h"],
  ])("%s ms is %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe("formatRelative", () => {
  it("says ago for the past, in for the future and never for null", () => {
    expect(formatRelative(AT - 90_000, AT)).toBe("1m 30s ago");
    expect(formatRelative(AT + 300_000, AT)).toBe("in 5m 0s");
    expect(formatRelative(null, AT)).toBe("never");
  });
});

describe("formatTimestamp and formatCount", () => {
  it("formats UTC minutes and compact counts", () => {
    expect(formatTimestamp(AT)).toBe("2026-11-03 14:05 UTC");
    expect(formatTimestamp(null)).toBe("—");
    expect(formatCount(950)).toBe("950");
    expect(formatCount(1250)).toBe("1.3k");
    expect(formatCount(3_400_000)).toBe("3.4M");
    expect(formatCount(0.125)).toBe("0.13");
  });
});

describe("health values", () => {
  it("shows shares as percentages and lags as durations", () => {
    expect(formatPercent(0.1667)).toBe("16.7%");
    expect(formatPercent(0.05)).toBe("5%");
    expect(formatPercent(null)).toBe("—");
    expect(formatHealthValue({ name: "recent_error_rate" }, 0.1667)).toBe("16.7%");
    expect(formatHealthValue({ name: "max_sync_lag_seconds" }, 195)).toBe("3m 15s");
    expect(formatHealthValue({ name: "max_sync_lag_seconds" }, 5400)).toBe("1h 30m");
    expect(formatHealthValue({ name: "stuck_jobs" }, 2)).toBe("2");
    expect(formatHealthValue({ name: "stuck_jobs" }, null)).toBe("—");
  });

  it("shows a yes/no check in words", () => {
    expect(formatHealthValue({ name: "live_events_institution_unset" }, 1)).toBe("yes");
    expect(formatHealthValue({ name: "live_events_institution_unset" }, 0)).toBe("no");
    expect(healthCheckLabel("live_events_institution_unset")).toBe(
      "Live Events accepted from any institution",
    );
  });
});

describe("timeAxisFormat", () => {
  it("shows seconds within ten minutes, the date beyond a day, else hours and minutes", () => {
    expect(timeAxisFormat(60_000)(AT)).toBe("14:05:09");
    expect(timeAxisFormat(3_600_000)(AT)).toBe("14:05");
    expect(timeAxisFormat(3 * 24 * 3_600_000)(AT)).toBe("11-03 14:05");
  });
});
