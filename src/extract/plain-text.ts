/**
 * Plain text, Markdown and CSV: decoded as they are (Markdown and CSV punctuation is ignored by the trigram
 * similarity anyway). UTF-8 with or without BOM, UTF-16 when a BOM says so, and windows-1252 when the bytes are
 * not valid UTF-8 (older exports from Windows tools). Decoding yields chunks, so a large file never becomes one
 * huge string: the text extractor stops at the character budget, and the HTML extractor feeds its parser.
 */
import type { TextBudget } from "./text-budget";
import { ExtractFailure } from "./types";

const CHUNK = 1024 * 1024;
const SNIFF = 8 * 1024;

function bomEncoding(bytes: Uint8Array): { encoding: string; offset: number } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: "utf-8", offset: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: "utf-16le", offset: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: "utf-16be", offset: 2 };
  return { encoding: "utf-8", offset: 0 };
}

function* decodeChunks(bytes: Uint8Array, decoder: TextDecoder, offset: number): Generator<string> {
  for (let at = offset; at < bytes.length; at += CHUNK) {
    const end = Math.min(bytes.length, at + CHUNK);
    yield decoder.decode(bytes.subarray(at, end), { stream: end < bytes.length });
  }
  const tail = decoder.decode();
  if (tail !== "") yield tail;
}

function isValidUtf8(bytes: Uint8Array, offset: number): boolean {
  try {
    for (const _ of decodeChunks(bytes, new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }), offset)) {
      // Only the validity matters; each chunk is dropped at once.
    }
    return true;
  } catch {
    return false;
  }
}

/** Decodes text bytes chunk by chunk, choosing the encoding from the BOM or strict UTF-8 validity. */
export function decodeTextChunks(bytes: Uint8Array): Generator<string> {
  const { encoding, offset } = bomEncoding(bytes);
  const chosen = encoding === "utf-8" && !isValidUtf8(bytes, offset) ? "windows-1252" : encoding;
  return decodeChunks(bytes, new TextDecoder(chosen, { fatal: false, ignoreBOM: true }), offset);
}

/** Decodes a text file into the budget; NUL bytes in a byte-oriented encoding mean it is not text at all. */
export function extractPlainText(bytes: Uint8Array, budget: TextBudget): void {
  const { encoding, offset } = bomEncoding(bytes);
  if (encoding === "utf-8" && bytes.subarray(offset, offset + SNIFF).includes(0)) {
    throw new ExtractFailure("unsupported_type", "declared as text but the content is binary");
  }
  for (const chunk of decodeTextChunks(bytes)) if (!budget.add(chunk)) return;
}
