/**
 * Canvas id arithmetic (Live Events and configured root account ids). Event bodies mix global ids (`shard * 10^13 + local`) and local
 * ids; REST calls and our mirror use local ids. Global ids from high shards exceed 2^53, so the
 * conversion runs on decimal strings through BigInt and only the (always small) local part becomes a
 * number.
 */

const SHARD_FACTOR = 10_000_000_000_000n;

/** Canonical decimal form of a non-negative integer id (no sign, no leading zeros). */
export type CanvasIdString = string;

/**
 * Converts a Canvas id, global or local, to its local id (`id mod 10^13`). Applying it to an id that is
 * already local is the identity, so callers need not know which kind a field carries (the docs and the
 * code disagree in places).
 */
export function toLocalId(id: CanvasIdString): number {
  // Local ids are < 10^13 < 2^53, so the narrowing to number is exact.
  return Number(BigInt(id) % SHARD_FACTOR);
}

/**
 * Normalises an id from the wire to its canonical decimal string, or null if it is not a non-negative
 * integer. Numbers are accepted only when they are safe integers: an unsafe number has already lost
 * digits and its low part (the local id) can be wrong.
 */
export function canonicalId(raw: string | number): CanvasIdString | null {
  if (typeof raw === "number") {
    return Number.isSafeInteger(raw) && raw >= 0 ? String(raw) : null;
  }
  const trimmed = raw.trim();
  if (!/^\d{1,30}$/.test(trimmed)) return null;
  return BigInt(trimmed).toString();
}
