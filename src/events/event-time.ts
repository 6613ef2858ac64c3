/**
 * Defensive parsing of Live Event `metadata.event_time`. Canvas normally sends ISO-8601 UTC with
 * milliseconds, but one documented `course_updated` sample is not ISO, and dedup orders events by this
 * value, so every accepted form is normalised to `Date#toISOString()` (UTC, millisecond precision),
 * which also makes the strings comparable. Free-form dates are refused rather than guessed at:
 * `Date.parse` accepts almost anything and reads zone-less text in local time.
 */

// date, time (minutes required, seconds and fraction optional), optional zone; "T" or a space between.
const ISO_LIKE =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;

// Epoch values below this are seconds, above it milliseconds (1e11 s is the year 5138).
const EPOCH_SECONDS_LIMIT = 1e11;

/** Returns the event time as a canonical ISO string, or null when it cannot be read safely. */
export function normalizeEventTime(raw: unknown): string | null {
  if (typeof raw === "number") return fromEpoch(raw);
  if (typeof raw !== "string") return null;
  const text = raw.trim();
  if (/^\d{9,13}(\.\d+)?$/.test(text)) return fromEpoch(Number(text));
  const match = ISO_LIKE.exec(text);
  if (match === null) return null;
  const [, date = "", hoursMinutes, seconds = "00", fraction = "", zone = "Z"] = match;
  // Date.parse silently rolls 2024-02-31 over into March; such a value is corrupt, not a time.
  if (!isRealCalendarDate(date)) return null;
  const millis = fraction.padEnd(3, "0").slice(0, 3);
  const ms = Date.parse(`${date}T${hoursMinutes}:${seconds}.${millis}${normalizeZone(zone)}`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function isRealCalendarDate(date: string): boolean {
  const [year, month, day] = date.split("-").map(Number);
  if (year === undefined || month === undefined || day === undefined) return false;
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

function normalizeZone(zone: string): string {
  const upper = zone.toUpperCase();
  if (upper === "Z" || upper === "UTC" || upper === "GMT") return "Z";
  return zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
}

function fromEpoch(value: number): string | null {
  if (!Number.isFinite(value) || value <= 0) return null;
  const ms = value < EPOCH_SECONDS_LIMIT ? value * 1000 : value;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Millisecond timestamp of a normalised event time, or null if it is not one. */
export function eventTimeMillis(iso: string): number | null {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}
