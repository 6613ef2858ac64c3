/**
 * Canonical JSON and its SHA-256: the fingerprint behind the hash tier. Keys are sorted, `undefined` and `null` are
 * unified, and numbers/strings are emitted by JSON.stringify, so two projections with the same content always give the
 * same bytes whatever order Canvas sent the fields in. Arrays keep their order: unordered arrays are sorted by the
 * projection that builds them, because only it knows which arrays are sets.
 */
import { sha256Hex } from "../shared/sha256";

/** The fields of one mirrored object that matter to a reader, before canonicalisation (see projections.ts). */
export type Projection = Record<string, unknown>;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Deterministic JSON text of a value (RFC 8785-like ordering for the data shapes we produce). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): Json {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("cannot fingerprint a non-finite number");
    return value;
  }
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "object") {
    const out: { [key: string]: Json } = {};
    // Code-unit order, as the default sort gives for strings; keys are unique, so no two compare equal.
    const fields = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [key, field] of fields) {
      out[key] = normalize(field);
    }
    return out;
  }
  throw new TypeError(`cannot fingerprint a ${typeof value}`);
}

/** SHA-256 of the canonical JSON of a projection. */
export async function fingerprint(projection: unknown): Promise<string> {
  return sha256Hex(canonicalJson(projection));
}
