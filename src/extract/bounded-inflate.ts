/**
 * Inflates one zip entry a little at a time, counting the bytes that really come out, so a decompression bomb is
 * stopped at the first part that exceeds a limit instead of after it has filled memory: a total budget shared by
 * all parts of one document, and a compression-ratio cap per part (after a grace of 1 MiB, so small, very
 * repetitive parts such as styles are fine). The ratio rule follows Apache POI's ZipSecureFile (zip bombs are
 * refused when a part inflates more than 100x), the de-facto standard for OOXML readers. The compressed input is
 * pushed to fflate's streaming inflater in 8 KiB slices, so one push can produce at most about 8 MiB (deflate
 * cannot expand more than ~1032x) before the limits are checked; smaller slices cost speed (2 KiB: twice the time
 * of fflate's one-shot unzip on 30 MB of XML; 8 KiB: 1.3x). Output is decoded to text as it comes, so the
 * inflated bytes of a part are never held all at once.
 */
import { Inflate } from "fflate";
import { ExtractFailure } from "./types";
import type { ZipEntry } from "./zip-index";

const INPUT_SLICE = 8 * 1024;
const RATIO_GRACE_BYTES = 1024 * 1024;

/** Inflated bytes left for the rest of one document; shared by every part read from it. */
export interface InflateBudget {
  remaining: number;
  readonly total: number;
  readonly maxRatio: number;
}

/** Inflates and decodes one entry as text (UTF-8, or UTF-16 announced by a BOM), within the budget. */
export function inflateText(entry: ZipEntry, budget: InflateBudget): string {
  const text = new PartDecoder();
  if (entry.method === 0) {
    charge(entry, budget, entry.data.byteLength);
    text.push(entry.data);
    return text.finish();
  }
  if (entry.method !== 8) {
    throw new ExtractFailure("corrupt", `${entry.name} uses compression method ${entry.method}`);
  }
  let inflated = 0;
  let consumed = 0;
  const inflater = new Inflate((chunk) => {
    inflated += chunk.byteLength;
    charge(entry, budget, chunk.byteLength);
    if (inflated > RATIO_GRACE_BYTES && inflated > budget.maxRatio * consumed) {
      throw new ExtractFailure(
        "too_large",
        `${entry.name} inflates more than ${budget.maxRatio}x its compressed size (a zip bomb)`,
      );
    }
    text.push(chunk);
  });
  try {
    do {
      const slice = entry.data.subarray(consumed, consumed + INPUT_SLICE);
      consumed += slice.byteLength;
      inflater.push(slice, consumed >= entry.data.byteLength);
    } while (consumed < entry.data.byteLength);
  } catch (error) {
    if (error instanceof ExtractFailure) throw error;
    throw new ExtractFailure("corrupt", `cannot inflate ${entry.name}: ${describe(error)}`, { cause: error });
  }
  return text.finish();
}

/** Takes `bytes` from the document's budget, or stops the extraction. */
function charge(entry: ZipEntry, budget: InflateBudget, bytes: number): void {
  budget.remaining -= bytes;
  if (budget.remaining < 0) {
    throw new ExtractFailure(
      "too_large",
      `the document's XML parts inflate past ${budget.total} bytes (stopped in ${entry.name})`,
    );
  }
}

/** Streaming text decoding of one part; the encoding is chosen from the first two bytes. */
class PartDecoder {
  private decoder: TextDecoder | null = null;
  /** Bytes held back until there are two to read a BOM from. */
  private head: Uint8Array = new Uint8Array(0);
  private readonly pieces: string[] = [];

  push(bytes: Uint8Array): void {
    let input = bytes;
    if (this.decoder === null) {
      input = concat(this.head, bytes);
      if (input.byteLength < 2) {
        this.head = input;
        return;
      }
      this.decoder = new TextDecoder(encodingOf(input));
      this.head = new Uint8Array(0);
    }
    this.pieces.push(this.decoder.decode(input, { stream: true }));
  }

  finish(): string {
    const decoder = this.decoder ?? new TextDecoder(encodingOf(this.head));
    this.pieces.push(decoder.decode(this.head, { stream: true }), decoder.decode());
    return this.pieces.join("");
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(a);
  joined.set(b, a.byteLength);
  return joined;
}

// OOXML parts are UTF-8 in practice; UTF-16 is allowed by the spec and announced by a BOM.
function encodingOf(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return "utf-8";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
