/**
 * JSON text we wrote ourselves (a checkpoint, a scope, an activity model, a projection) read back: the parsed
 * value, or null when there is no text or it is not JSON. Callers validate the shape; a bad value is then simply
 * absent, never a crash.
 */
export function parseJsonOrNull(text: string | null | undefined): unknown {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return null;
  }
}
