/** Files that cannot be extracted come back with a reason (never a throw); caps truncate instead of failing. */
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { extractText } from "../../src/extract";
import {
  corruptZip,
  makeDocx,
  makeEncryptedLikePdf,
  makeImageOnlyPdf,
  makePdf,
  makePptx,
  makeTruncatedPdf,
  makeXlsx,
} from "../local/simulator/documents";

const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation";

describe("extractText failures", () => {
  it("a corrupt zip declared as DOCX is 'corrupt'", async () => {
    const result = await extractText({ bytes: corruptZip(makeDocx(["text"])), contentType: DOCX });
    expect(result).toMatchObject({ ok: false, reason: "corrupt" });
  });

  it("a password-protected PDF is 'encrypted'", async () => {
    const result = await extractText({ bytes: makeEncryptedLikePdf(), contentType: "application/pdf" });
    expect(result).toMatchObject({ ok: false, reason: "encrypted" });
  });

  it("an image-only PDF is 'no_text'", async () => {
    const result = await extractText({ bytes: makeImageOnlyPdf(3), contentType: "application/pdf" });
    expect(result).toMatchObject({ ok: false, reason: "no_text" });
    expect(result.ok ? "" : result.detail).toContain("3 pages");
  });

  it("a truncated PDF is 'corrupt'", async () => {
    const result = await extractText({ bytes: makeTruncatedPdf(["a", "b"]), contentType: "application/pdf" });
    expect(result).toMatchObject({ ok: false, reason: "corrupt" });
  });

  it("a file declared as PDF that is an HTML error page is 'corrupt'", async () => {
    const bytes = new TextEncoder().encode("<html><body>Access denied</body></html>");
    const result = await extractText({ bytes, contentType: "application/pdf", filename: "x.pdf" });
    expect(result).toMatchObject({ ok: false, reason: "corrupt" });
  });

  it("an OLE container declared as DOCX is 'encrypted'; a legacy .doc is 'unsupported_type'", async () => {
    const ole = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    expect(await extractText({ bytes: ole, contentType: DOCX })).toMatchObject({ reason: "encrypted" });
    expect(await extractText({ bytes: ole, contentType: "application/msword" })).toMatchObject({
      reason: "unsupported_type",
    });
  });

  it("images, plain zips, binary 'text' and unknown types are 'unsupported_type'", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    expect(await extractText({ bytes: png, contentType: "image/png" })).toMatchObject({
      reason: "unsupported_type",
    });
    const zip = zipSync({ "readme.txt": new TextEncoder().encode("hello") });
    expect(await extractText({ bytes: zip, contentType: "application/zip" })).toMatchObject({
      reason: "unsupported_type",
    });
    const binary = new Uint8Array([0x41, 0x00, 0x42, 0x00, 0x43]);
    expect(await extractText({ bytes: binary, contentType: "text/plain" })).toMatchObject({
      reason: "unsupported_type",
    });
    expect(await extractText({ bytes: new Uint8Array([1, 2, 3]), contentType: "video/mp4" })).toMatchObject({
      reason: "unsupported_type",
    });
  });

  it("an empty file or a document without text is 'no_text'", async () => {
    expect(await extractText({ bytes: new Uint8Array(0), contentType: "text/plain" })).toMatchObject({
      reason: "no_text",
    });
    expect(await extractText({ bytes: makeDocx(["", "  "]), contentType: DOCX })).toMatchObject({
      reason: "no_text",
    });
  });

  it("input over maxBytes is 'too_large', as bytes and as a stream (which is cancelled)", async () => {
    const bytes = new TextEncoder().encode("x".repeat(2000));
    expect(await extractText({ bytes, contentType: "text/plain" }, { maxBytes: 1000 })).toMatchObject({
      reason: "too_large",
    });
    let cancelled = false;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 100;
        controller.enqueue(new Uint8Array(100).fill(0x61));
      },
      cancel() {
        cancelled = true;
      },
    });
    const result = await extractText({ bytes: stream, contentType: "text/plain" }, { maxBytes: 1000 });
    expect(result).toMatchObject({ ok: false, reason: "too_large" });
    expect(cancelled).toBe(true);
    expect(sent).toBeLessThan(1500);
  });

  it("a zip whose XML parts inflate past maxInflatedBytes is 'too_large'", async () => {
    const paragraphs = Array.from({ length: 2000 }, (_, i) => `Paragraph ${i} `.repeat(20));
    const bytes = makeDocx(paragraphs);
    expect(bytes.length).toBeLessThan(100_000);
    const result = await extractText({ bytes, contentType: DOCX }, { maxInflatedBytes: 200_000 });
    expect(result).toMatchObject({ ok: false, reason: "too_large" });
  });

  it("a passed deadline is 'timeout'", async () => {
    let t = 0;
    const now = (): number => (t += 1000);
    const bytes = makePdf(["one", "two", "three"]);
    const result = await extractText(
      { bytes, contentType: "application/pdf" },
      { deadlineMs: 1500 },
      { now },
    );
    expect(result).toMatchObject({ ok: false, reason: "timeout" });
  });
});

describe("extractText caps", () => {
  it("maxChars cuts the text and marks it truncated", async () => {
    const result = await extractText(
      { bytes: makeDocx(["abcdefghij", "klmnopqrst"]), contentType: DOCX },
      { maxChars: 14 },
    );
    expect(result).toEqual({ ok: true, text: "abcdefghij\nklm", truncated: true });
  });

  it("maxPages stops a PDF early and reports the full page count", async () => {
    const pages = Array.from({ length: 6 }, (_, i) => `Page number ${i + 1}`);
    const result = await extractText(
      { bytes: makePdf(pages), contentType: "application/pdf" },
      { maxPages: 2 },
    );
    expect(result).toEqual({ ok: true, text: "Page number 1\n\nPage number 2", truncated: true, pages: 6 });
  });

  it("maxPages limits PPTX slides; maxChars limits XLSX rows", async () => {
    const deck = makePptx([["s1"], ["s2"], ["s3"]]);
    expect(await extractText({ bytes: deck, contentType: PPTX }, { maxPages: 1 })).toEqual({
      ok: true,
      text: "s1",
      truncated: true,
      pages: 3,
    });
    const sheet = makeXlsx(Array.from({ length: 100 }, (_, i) => [`row${i}`, "value"]));
    const result = await extractText({ bytes: sheet, contentType: "", filename: "a.xlsx" }, { maxChars: 30 });
    expect(result).toMatchObject({ ok: true, truncated: true });
    expect(result.ok && result.text.startsWith("row0\tvalue\nrow1\tvalue")).toBe(true);
    expect(result.ok ? result.text.length : 0).toBeLessThanOrEqual(30);
  });
});
