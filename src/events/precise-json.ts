/**
 * JSON parsing that keeps integer digits exact. Canvas stringifies ids, but a producer that does not
 * (or a hand-built test event) could send a global id as a bare number above 2^53, which plain
 * `JSON.parse` silently rounds. With source-text access (ES2025, in V8/workerd and Node 24) such
 * numbers are returned as their original digit string instead, so the id schema can still convert them.
 */

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

const keepUnsafeIntegers: Reviver = (_key, value, context) => {
  if (typeof value === "number" && !Number.isSafeInteger(value) && Number.isInteger(value)) {
    const source = context?.source;
    // Only integer literals are rewritten; floats such as points_possible keep their number type.
    if (source !== undefined && /^-?\d+$/.test(source)) return source;
  }
  return value;
};

/** Parses JSON text; `{ ok: false }` when the text is not valid JSON. */
export function parseJsonPrecise(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    // The lib typings predate the third reviver argument; the runtime passes it.
    const value: unknown = JSON.parse(text, keepUnsafeIntegers);
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}
