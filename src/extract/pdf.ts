/**
 * PDF text through unpdf's serverless PDF.js build, one page at a time with `page.cleanup()` (unpdf's own
 * `extractText()` parses every page at once and costs +125-157 MB on a 600-page file). Items are joined the
 * way unpdf joins them (`str`, plus "\n" where PDF.js saw an end of line); pages are separated by a blank line.
 * Password protection maps to "encrypted", a file PDF.js cannot parse to "corrupt", and a file whose pages
 * carry (almost) no text layer, i.e. a scan without OCR, to "no_text".
 */
import { getDocumentProxy } from "unpdf";
import type { TextBudget } from "./text-budget";
import { ExtractFailure } from "./types";
import type { Deadline } from "./types";

/** Below this many non-blank characters per page on average, the PDF is treated as image-only. */
const MIN_CHARS_PER_PAGE = 8;
/** Drop PDF.js's document-wide caches (fonts, shared objects) this often on long documents. */
const DOCUMENT_CLEANUP_EVERY = 50;

function classify(error: unknown): ExtractFailure {
  if (error instanceof ExtractFailure) return error;
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  if (name === "PasswordException") {
    return new ExtractFailure("encrypted", `PDF needs a password (${message})`, { cause: error });
  }
  return new ExtractFailure("corrupt", `PDF cannot be parsed: ${name !== "" ? `${name}: ` : ""}${message}`, {
    cause: error,
  });
}

/** Lets the event loop run between pages: the clock only moves on I/O in production, and others get a turn. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Extracts up to `maxPages` pages into the budget; returns the document's page count. */
export async function extractPdf(
  bytes: Uint8Array,
  budget: TextBudget,
  deadline: Deadline,
  maxPages: number,
): Promise<number> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    pdf = await getDocumentProxy(bytes, { verbosity: 0, disableFontFace: true, stopAtErrors: false });
  } catch (error) {
    throw classify(error);
  }
  try {
    const pageCount = pdf.numPages;
    const pagesToRead = Math.min(pageCount, maxPages);
    if (pageCount > maxPages) budget.markTruncated();
    let visibleChars = 0;
    let pagesRead = 0;
    for (let number = 1; number <= pagesToRead && !budget.full; number++) {
      deadline.check(`after ${number - 1} of ${pageCount} pages`);
      const page = await pdf.getPage(number);
      try {
        const content = await page.getTextContent();
        let text = "";
        for (const item of content.items) {
          if ("str" in item) text += item.str + (item.hasEOL ? "\n" : "");
        }
        visibleChars += text.replace(/\s+/g, "").length;
        if (number > 1) budget.add("\n\n");
        budget.add(text);
      } finally {
        page.cleanup();
      }
      pagesRead = number;
      if (number % DOCUMENT_CLEANUP_EVERY === 0) await pdf.cleanup();
      await yieldToEventLoop();
    }
    if (pagesRead > 0 && visibleChars < pagesRead * MIN_CHARS_PER_PAGE && !budget.full) {
      throw new ExtractFailure(
        "no_text",
        `no text layer (image-only or scanned PDF): ${visibleChars} characters over ${pagesRead} pages`,
      );
    }
    return pageCount;
  } catch (error) {
    throw classify(error);
  } finally {
    await pdf.destroy();
  }
}
