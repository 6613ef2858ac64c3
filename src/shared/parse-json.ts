/** Parsing JSON that may be malformed (stored reports, projections, bodies): the value, or null when it is not JSON. */

/** The parsed value, or null when `text` is not valid JSON. */
export function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
