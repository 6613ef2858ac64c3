/**
 * Text extraction entry point: reads the input within `maxBytes`, plans by magic bytes, content type and file
 * name, runs the format's extractor under the character, page and time budgets, and tidies the text. Every
 * expected problem with the file itself (unsupported, encrypted, corrupt, no text, too large, too slow) comes
 * back as `{ ok: false, reason, detail }` so the sync marks the item and goes on; only a failure to read the
 * input stream (an I/O error worth retrying) is thrown.
 */
import { planExtraction } from "./detect-format";
import type { ExtractionPlan } from "./detect-format";
import { extractDocx } from "./docx";
import { extractHtml } from "./html";
import { openOoxmlPackage } from "./ooxml-package";
import { extractPdf } from "./pdf";
import { decodeTextChunks, extractPlainText } from "./plain-text";
import { extractPptx } from "./pptx";
import { TextBudget, tidyText } from "./text-budget";
import { DEFAULT_EXTRACT_LIMITS, ExtractFailure, startDeadline } from "./types";
import type { Deadline, ExtractLimits, ExtractResult, RawExtraction } from "./types";
import { extractXlsx } from "./xlsx";

export { htmlToText, extractHtml } from "./html";
export { normalizeTextForHash, sha256Hex } from "./text-hash";
export { DEFAULT_EXTRACT_LIMITS, ExtractLimitsSchema } from "./types";
export type { ExtractFailureReason, ExtractLimits, ExtractResult } from "./types";

export interface ExtractInput {
  bytes: Uint8Array | ReadableStream<Uint8Array>;
  /** The declared type (Canvas `content-type`); may be generic, magic bytes are checked too. */
  contentType: string;
  /** Used only to guess the type from its extension; never stored or logged by extraction. */
  filename?: string;
}

export interface ExtractDeps {
  /** Clock for the deadline (tests move time with it). */
  now?: () => number;
}

/** Reads a stream into one buffer, refusing (and cancelling the stream) past `maxBytes`. */
async function readBounded(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel("too large for extraction");
      throw new ExtractFailure("too_large", `more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function runPlan(
  plan: ExtractionPlan,
  bytes: Uint8Array,
  owned: boolean,
  limits: ExtractLimits,
  deadline: Deadline,
): Promise<RawExtraction> {
  const budget = new TextBudget(limits.maxChars);
  switch (plan.format) {
    case "fail":
      throw new ExtractFailure(plan.reason, plan.detail);
    case "pdf": {
      // PDF.js transfers (detaches) the buffer it is given: copy the caller's bytes, not ones read here.
      const pages = await extractPdf(owned ? bytes : bytes.slice(), budget, deadline, limits.maxPages);
      return { text: budget.toString(), truncated: budget.truncated, pages };
    }
    case "ooxml": {
      const pkg = openOoxmlPackage(bytes, limits);
      const kind = pkg.kind();
      if (kind === undefined) {
        throw plan.declared === undefined
          ? new ExtractFailure("unsupported_type", "zip archive that is not a DOCX, PPTX or XLSX")
          : new ExtractFailure("corrupt", `${plan.declared} without its main document part`);
      }
      if (kind === "pptx") {
        const pages = extractPptx(pkg, budget, deadline, limits.maxPages);
        return { text: budget.toString(), truncated: budget.truncated, pages };
      }
      if (kind === "docx") extractDocx(pkg, budget, deadline);
      else extractXlsx(pkg, budget, deadline);
      return { text: budget.toString(), truncated: budget.truncated };
    }
    case "html":
      return extractHtml(decodeTextChunks(bytes), limits.maxChars);
    default:
      // plan.format is "text" here: the union is exhausted above.
      extractPlainText(bytes, budget);
      return { text: budget.toString(), truncated: budget.truncated };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Extracts the text of one file. Limits not given take `DEFAULT_EXTRACT_LIMITS`. A stream input is read fully
 * (extractors need random access) but never past `maxBytes`.
 */
export async function extractText(
  input: ExtractInput,
  limits: Partial<ExtractLimits> = {},
  deps: ExtractDeps = {},
): Promise<ExtractResult> {
  const resolved: ExtractLimits = { ...DEFAULT_EXTRACT_LIMITS, ...limits };
  let bytes: Uint8Array;
  if (input.bytes instanceof Uint8Array) {
    bytes = input.bytes;
    if (bytes.byteLength > resolved.maxBytes) {
      return { ok: false, reason: "too_large", detail: `${bytes.byteLength} bytes > ${resolved.maxBytes}` };
    }
  } else {
    try {
      bytes = await readBounded(input.bytes, resolved.maxBytes);
    } catch (error) {
      if (error instanceof ExtractFailure) return { ok: false, reason: error.reason, detail: error.detail };
      throw error;
    }
  }
  if (bytes.byteLength === 0) return { ok: false, reason: "no_text", detail: "empty file" };
  try {
    const deadline = startDeadline(resolved.deadlineMs, deps.now ?? Date.now);
    const plan = planExtraction(bytes.subarray(0, 1024), input.contentType, input.filename);
    const raw = await runPlan(plan, bytes, !(input.bytes instanceof Uint8Array), resolved, deadline);
    const text = tidyText(raw.text);
    if (text === "") return { ok: false, reason: "no_text", detail: "the file contains no text" };
    return raw.pages === undefined
      ? { ok: true, text, truncated: raw.truncated }
      : { ok: true, text, truncated: raw.truncated, pages: raw.pages };
  } catch (error) {
    if (error instanceof ExtractFailure) return { ok: false, reason: error.reason, detail: error.detail };
    // Anything else thrown while parsing comes from the file's content tripping a parser: skip the file.
    return { ok: false, reason: "corrupt", detail: `parser failed: ${describe(error)}` };
  }
}
