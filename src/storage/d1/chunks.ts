/**
 * Splitting rows into statements that fit D1. Rows go into one statement as a JSON array bound to one parameter
 * (`json_each(?)`), so what limits a statement is the size of that string: D1 refuses a string over 2 MB, and the
 * size that counts is UTF-8 bytes of the JSON actually sent (escapes included), not JavaScript string length (a CJK
 * character is one UTF-16 unit but three bytes).
 */

/** UTF-8 bytes of one JSON array per statement: well under D1's 2 MB string limit. */
export const CHUNK_BYTES = 900_000;
const CHUNK_ROWS = 400;

/** The UTF-8 length of a string, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one code point of four bytes.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Serialises rows into JSON arrays of at most CHUNK_BYTES (UTF-8, measured on the JSON itself) and CHUNK_ROWS rows.
 * A single row larger than CHUNK_BYTES is refused: callers keep rows small (large projections and texts go to R2).
 */
export function jsonChunks(rows: readonly unknown[]): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const row of rows) {
    const json = JSON.stringify(row);
    const size = utf8Length(json) + 1;
    if (size + 2 > CHUNK_BYTES) throw new RangeError(`a row of ${size} bytes cannot fit one D1 statement`);
    if (parts.length > 0 && (bytes + size > CHUNK_BYTES || parts.length >= CHUNK_ROWS)) {
      chunks.push(`[${parts.join(",")}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(json);
    bytes += size;
  }
  if (parts.length > 0) chunks.push(`[${parts.join(",")}]`);
  return chunks;
}
