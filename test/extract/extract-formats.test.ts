/** Each supported format yields the text its generator was given (the generators live in the simulator). */
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { extractText } from "../../src/extract";
import { makeDocx, makePdf, makePptx, makeXlsx } from "../local/simulator/documents";

const PDF = "application/pdf";
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function streamOf(bytes: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

describe("extractText per format", () => {
  it("PDF: pages in order, lines kept, page count reported", async () => {
    const pages = ["Photosynthesis (overview) café", "Light reactions\nCalvin cycle", "Summary"];
    const bytes = makePdf(pages);
    const copy = bytes.slice();
    const result = await extractText({ bytes, contentType: PDF });
    expect(result).toEqual({ ok: true, text: pages.join("\n\n"), truncated: false, pages: 3 });
    // PDF.js may transfer its input; the caller's bytes must still be intact afterwards.
    expect(bytes).toEqual(copy);
  });

  it("PDF delivered as a stream with a generic content type is found by its magic bytes", async () => {
    const bytes = makePdf(["Streamed page one", "Streamed page two"]);
    const result = await extractText({ bytes: streamOf(bytes, 97), contentType: "application/octet-stream" });
    expect(result).toMatchObject({ ok: true, text: "Streamed page one\n\nStreamed page two", pages: 2 });
  });

  it("DOCX: paragraphs, breaks, tabs and escaped characters", async () => {
    const paragraphs = ["Week 1 & <intro>", "Line one\nline two\tafter tab", "Ünïcödé 日本語 ✓"];
    const result = await extractText({
      bytes: makeDocx(paragraphs),
      contentType: DOCX,
      filename: "notes.docx",
    });
    expect(result).toEqual({ ok: true, text: paragraphs.join("\n"), truncated: false });
  });

  it("PPTX: slide order from the presentation, not from part names", async () => {
    const slides = [["Intro", "Agenda item"], ["Second slide"], ["Third", "last words"]];
    const bytes = makePptx(slides, { reversePartNames: true });
    const result = await extractText({
      bytes,
      contentType: "application/octet-stream",
      filename: "deck.pptx",
    });
    expect(result).toEqual({
      ok: true,
      text: "Intro\nAgenda item\n\nSecond slide\n\nThird\nlast words",
      truncated: false,
      pages: 3,
    });
  });

  it("XLSX: rows as lines, cells at their columns, shared strings and numbers", async () => {
    const rows = [
      ["name", "score", "note"],
      ["Ann", "12.5", "late & ok"],
      ["Bob", "", "absent"],
      ["", "7"],
    ];
    const result = await extractText({ bytes: makeXlsx(rows), contentType: XLSX });
    expect(result).toEqual({
      ok: true,
      text: "name\tscore\tnote\nAnn\t12.5\tlate & ok\nBob\t\tabsent\n\t7",
      truncated: false,
    });
  });

  it("DOCX: skips field codes, deleted text and mc:Fallback duplicates; reads footnotes", async () => {
    const w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
    const rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const document =
      `<w:document ${w} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>` +
      "<w:p><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>Kept</w:t></w:r>" +
      "<w:del><w:r><w:delText>Removed</w:delText></w:r></w:del></w:p>" +
      "<w:p><mc:AlternateContent><mc:Choice><w:r><w:t>Box text</w:t></w:r></mc:Choice>" +
      "<mc:Fallback><w:r><w:t>Box text</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>" +
      "<w:p><w:r><w:t>&#x41;&amp;B</w:t></w:r></w:p></w:body></w:document>";
    const footnotes = `<w:footnotes ${w}><w:footnote><w:p><w:r><w:t>A footnote</w:t></w:r></w:p></w:footnote></w:footnotes>`;
    const enc = new TextEncoder();
    const bytes = zipSync({
      "_rels/.rels": enc.encode(
        `<Relationships><Relationship Id="r1" Type="${rel}/officeDocument" Target="/word/document.xml"/></Relationships>`,
      ),
      "word/document.xml": enc.encode(document),
      "word/_rels/document.xml.rels": enc.encode(
        `<Relationships><Relationship Id="r9" Type="${rel}/footnotes" Target="footnotes.xml"/></Relationships>`,
      ),
      "word/footnotes.xml": enc.encode(footnotes),
    });
    const result = await extractText({ bytes, contentType: DOCX });
    expect(result).toEqual({ ok: true, text: "Kept\nBox text\nA&B\n\nA footnote", truncated: false });
  });

  it("plain text: UTF-8 with BOM, windows-1252 fallback, UTF-16LE with BOM", async () => {
    const utf8 = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("Grüße\r\nzweite Zeile")]);
    expect(await extractText({ bytes: utf8, contentType: "text/plain" })).toEqual({
      ok: true,
      text: "Grüße\nzweite Zeile",
      truncated: false,
    });
    // "café – done" in windows-1252: é = 0xE9, en dash = 0x96 (invalid as UTF-8).
    const cp1252 = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x96, 0x20, 0x64, 0x6f, 0x6e, 0x65]);
    expect(await extractText({ bytes: cp1252, contentType: "text/plain; charset=unknown" })).toMatchObject({
      text: "café – done",
    });
    const utf16 = new Uint8Array([0xff, 0xfe, 0x48, 0x00, 0x69, 0x00, 0x21, 0x00]);
    expect(await extractText({ bytes: utf16, contentType: "", filename: "a.txt" })).toMatchObject({
      text: "Hi!",
    });
  });

  it("Markdown and CSV are kept as written; an HTML file is converted", async () => {
    const enc = new TextEncoder();
    const md = "# Title\n\n- item *one*\n- item two";
    expect(await extractText({ bytes: enc.encode(md), contentType: "text/markdown" })).toMatchObject({
      text: md,
    });
    const csv = 'a,b\n"x, y",2';
    expect(
      await extractText({ bytes: enc.encode(csv), contentType: "", filename: "grades.CSV" }),
    ).toMatchObject({
      text: csv,
    });
    const html =
      "<!DOCTYPE html><html><head><title>T</title></head><body><h1>Head</h1><p>Body &amp; more</p></body></html>";
    expect(await extractText({ bytes: enc.encode(html), contentType: "application/octet-stream" })).toEqual({
      ok: true,
      text: "Head\n\nBody & more",
      truncated: false,
    });
  });
});
