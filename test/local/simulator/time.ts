/**
 * Canvas timestamp formatting. Canvas renders times as ISO-8601 in UTC with whole seconds ("2024-01-15T10:20:30Z",
 * ActiveSupport time precision 0), so two edits within one second show the same updated_at, exactly as on a real
 * instance. The clock itself is injectable (SimulatorOptions.now).
 */

/** ISO-8601, UTC, second precision. */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
