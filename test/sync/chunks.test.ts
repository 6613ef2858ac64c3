/** D1 statement chunks are measured in UTF-8 bytes of the JSON actually sent, escapes included. */
import { describe, expect, it } from "vitest";
import { CHUNK_BYTES, jsonChunks, utf8Length } from "../../src/storage/d1/chunks";

const encoder = new TextEncoder();

describe("UTF-8 chunking", () => {
  it("measures strings as UTF-8 (ASCII, CJK, emoji)", () => {
    for (const text of ["plain", "日本語のページ", "emoji 🎓 and é", '\u0000\n"quoted"']) {
      expect(utf8Length(text)).toBe(encoder.encode(text).byteLength);
    }
  });

  it("keeps every chunk of CJK rows under the limit, where string length would have let it grow to 2.7 MB", () => {
    const body = "漢".repeat(100_000); // 100,000 characters, 300,000 bytes
    const rows = Array.from({ length: 9 }, (_, id) => ({ id, body }));
    const chunks = jsonChunks(rows);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks) expect(encoder.encode(chunk).byteLength).toBeLessThanOrEqual(CHUNK_BYTES);
    const parsed = chunks.flatMap((chunk): unknown[] => {
      const value: unknown = JSON.parse(chunk);
      return Array.isArray(value) ? value : [];
    });
    expect(parsed).toEqual(rows);
  });

  it("counts JSON escapes: a body of quotes doubles on the wire", () => {
    const rows = Array.from({ length: 4 }, () => ({ body: '"'.repeat(300_000) }));
    for (const chunk of jsonChunks(rows))
      expect(encoder.encode(chunk).byteLength).toBeLessThanOrEqual(CHUNK_BYTES);
  });

  it("refuses a single row that cannot fit one statement", () => {
    expect(() => jsonChunks([{ body: "x".repeat(CHUNK_BYTES) }])).toThrow(RangeError);
  });
});
