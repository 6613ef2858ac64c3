/**
 * The content-identity hash of extracted text. Two exports of the same document usually differ in raw bytes
 * but not in text, so the exact-duplicate key is SHA-256 over a normalized form of the text: Unicode NFKC (so
 * ligatures such as "ﬁ" that PDF extraction produces equal "fi"), every whitespace run as one space, trimmed.
 * Case is kept: a change of case is a real edit.
 */

/** The canonical form of extracted text that `sha256Hex` is applied to for the text hash. */
export function normalizeTextForHash(text: string): string {
  return text.normalize("NFKC").replace(/\s+/g, " ").trim();
}

function toHex(buffer: ArrayBuffer): string {
  let hex = "";
  for (const byte of new Uint8Array(buffer)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Lower-case hex SHA-256 of a string (as UTF-8) or of raw bytes, via crypto.subtle. */
export async function sha256Hex(input: string | Uint8Array): Promise<string> {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}
