/**
 * The contract of text extraction: the limits it runs under (with a zod schema so they can be configured from
 * env vars), the result union, and the typed failure the per-format extractors throw. A failure is an expected
 * outcome for one file (the sync marks the item with the reason and goes on), never a failed job.
 */
import { z } from "zod";

/** Bounds that keep one extraction inside the isolate's 128 MB and the consumer's CPU budget. */
export interface ExtractLimits {
  /** Largest input file, in bytes, that is read at all. */
  maxBytes: number;
  /** PDF pages (or PPTX slides) read; the rest is dropped and the result marked truncated. */
  maxPages: number;
  /** Characters of text kept; the rest is dropped and the result marked truncated. */
  maxChars: number;
  /** Wall-clock budget. Checked between pages/parts (synchronous parsing of one part cannot be interrupted). */
  deadlineMs: number;
  /**
   * Total inflated size of the XML parts read from one OOXML zip, counted as they inflate (guards against zip
   * bombs and against archives that lie about their sizes).
   */
  maxInflatedBytes: number;
  /** A part that inflates more than this many times its compressed size is a zip bomb (after 1 MiB). */
  maxCompressionRatio: number;
}

export const DEFAULT_EXTRACT_LIMITS: Readonly<ExtractLimits> = {
  maxBytes: 50 * 1024 * 1024,
  maxPages: 500,
  maxChars: 2_000_000,
  deadlineMs: 60_000,
  // The XML of one part is held as text while it is walked (about twice its size at the peak), within an isolate
  // of 128 MB that may also hold the 50 MB input: 32 MiB keeps the peak well inside.
  maxInflatedBytes: 32 * 1024 * 1024,
  maxCompressionRatio: 100,
};

/** Parses limits from configuration (strings from env vars are coerced); missing values take the defaults. */
export const ExtractLimitsSchema = z.object({
  maxBytes: z.coerce.number().int().positive().default(DEFAULT_EXTRACT_LIMITS.maxBytes),
  maxPages: z.coerce.number().int().positive().default(DEFAULT_EXTRACT_LIMITS.maxPages),
  maxChars: z.coerce.number().int().positive().default(DEFAULT_EXTRACT_LIMITS.maxChars),
  deadlineMs: z.coerce.number().int().positive().default(DEFAULT_EXTRACT_LIMITS.deadlineMs),
  maxInflatedBytes: z.coerce.number().int().positive().default(DEFAULT_EXTRACT_LIMITS.maxInflatedBytes),
  maxCompressionRatio: z.coerce.number().positive().default(DEFAULT_EXTRACT_LIMITS.maxCompressionRatio),
});

export type OoxmlKind = "docx" | "pptx" | "xlsx";

export type ExtractFailureReason =
  | "unsupported_type"
  | "encrypted"
  | "corrupt"
  | "no_text"
  | "too_large"
  | "timeout";

export type ExtractResult =
  | { ok: true; text: string; truncated: boolean; pages?: number }
  | { ok: false; reason: ExtractFailureReason; detail: string };

/** What a per-format extractor returns before the shared tidy-up. */
export interface RawExtraction {
  text: string;
  truncated: boolean;
  pages?: number;
}

/** Thrown by the per-format extractors for an expected failure; `extractText` turns it into a result. */
export class ExtractFailure extends Error {
  override readonly name = "ExtractFailure";
  constructor(
    readonly reason: ExtractFailureReason,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${detail}`, options);
  }
}

/** Cooperative deadline shared by the extractors; the clock is injectable so tests can move time. */
export interface Deadline {
  /** Throws ExtractFailure("timeout") once the budget is spent; `where` says how far it got. */
  check(where: string): void;
}

export function startDeadline(deadlineMs: number, now: () => number): Deadline {
  const endsAt = now() + deadlineMs;
  return {
    check(where: string): void {
      if (now() > endsAt) throw new ExtractFailure("timeout", `deadline of ${deadlineMs} ms passed ${where}`);
    },
  };
}
