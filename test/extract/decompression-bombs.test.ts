/**
 * Decompression bombs are stopped while they inflate: a DOCX whose document.xml inflates to ~60 MB (the ratio cap
 * stops it; with the cap lifted, the per-document budget does), a dense document under the ratio cap but over the
 * budget, and zips that lie about their sizes (small declared sizes cannot smuggle bytes past the budget; a
 * compressed size past the end is not believed). End to end, such a file is mirrored and marked failed:too_large.
 */
import { env } from "cloudflare:workers";
import { zipSync, strToU8 } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { extractText } from "../../src/extract";
import { makeDocx } from "../local/simulator/documents";
import { api, resetStorage, startSimulator, syncNow, waitForExtractions } from "../support/harness";
import { docxWithDocumentOf, DOCX_TYPE, lyingAboutSizes } from "../support/hostile-zips";

const MiB = 1024 * 1024;
let bomb: Uint8Array;

beforeAll(() => {
  bomb = docxWithDocumentOf(60 * MiB, "repetitive");
});

describe("OOXML decompression limits", () => {
  it("builds the bomb as the issue describes: a small zip whose document.xml is ~60 MB", () => {
    expect(bomb.byteLength).toBeLessThan(400 * 1024);
  });

  it("stops a ~60 MB document.xml at the ratio cap, long before it is inflated", async () => {
    const result = await extractText({ bytes: bomb, contentType: DOCX_TYPE });
    expect(result).toEqual({
      ok: false,
      reason: "too_large",
      detail: "word/document.xml inflates more than 100x its compressed size (a zip bomb)",
    });
  });

  it("with the ratio cap lifted, the document's inflate budget stops it at that part", async () => {
    const result = await extractText({ bytes: bomb, contentType: DOCX_TYPE }, { maxCompressionRatio: 1e9 });
    expect(result).toEqual({
      ok: false,
      reason: "too_large",
      detail: "the document's XML parts inflate past 33554432 bytes (stopped in word/document.xml)",
    });
  });

  it("stops a dense document that stays under the ratio cap by the budget", async () => {
    const dense = docxWithDocumentOf(12 * MiB, "dense");
    // Dense enough that the ratio cap alone would let it through.
    expect(dense.byteLength * 10).toBeGreaterThan(12 * MiB);
    const limits = { maxInflatedBytes: 8 * MiB };
    const result = await extractText({ bytes: dense, contentType: DOCX_TYPE }, limits);
    expect(result).toMatchObject({ ok: false, reason: "too_large" });
    expect(result.ok ? "" : result.detail).toContain(`inflate past ${8 * MiB} bytes`);
    // Under a budget it fits, the same document extracts (up to the character cap).
    const fits = await extractText({ bytes: dense, contentType: DOCX_TYPE }, { maxInflatedBytes: 16 * MiB });
    expect(fits).toMatchObject({ ok: true, truncated: true });
  });

  it("does not believe small declared sizes: a lying zip is stopped by what really inflates", async () => {
    const liar = lyingAboutSizes(bomb, () => ({ uncompressed: 100 }));
    for (const limits of [{}, { maxCompressionRatio: 1e9 }]) {
      const result = await extractText({ bytes: liar, contentType: DOCX_TYPE }, limits);
      expect(result).toMatchObject({ ok: false, reason: "too_large" });
    }
    // A small document lying the same way still extracts: declared sizes play no part at all.
    const small = lyingAboutSizes(makeDocx(["Hello lying zip"]), () => ({ uncompressed: 1 }));
    expect(await extractText({ bytes: small, contentType: DOCX_TYPE })).toMatchObject({
      ok: true,
      text: "Hello lying zip",
    });
  });

  it("does not believe a compressed size past the archive's end, and calls a short one corrupt", async () => {
    const docx = makeDocx(["Sizes are only claims"]);
    const huge = lyingAboutSizes(docx, (name) =>
      name === "word/document.xml" ? { compressed: 0x7fffffff } : {},
    );
    expect(await extractText({ bytes: huge, contentType: DOCX_TYPE })).toMatchObject({
      ok: true,
      text: "Sizes are only claims",
    });
    const short = lyingAboutSizes(docx, (name) => (name === "word/document.xml" ? { compressed: 10 } : {}));
    expect(await extractText({ bytes: short, contentType: DOCX_TYPE })).toMatchObject({
      ok: false,
      reason: "corrupt",
    });
  });

  it("keeps ordinary documents, including small very repetitive parts under the 1 MiB grace", async () => {
    const repetitive = "<w:p><w:r><w:t>same</w:t></w:r></w:p>".repeat(20_000); // ~760 KB, ratio far above 100
    const zip = zipSync({
      "[Content_Types].xml": strToU8(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
      ),
      "_rels/.rels": strToU8(
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
      ),
      "word/document.xml": strToU8(
        `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${repetitive}</w:body></w:document>`,
      ),
    });
    const result = await extractText({ bytes: zip, contentType: DOCX_TYPE });
    expect(result.ok && result.text.split("\n").filter((line) => line === "same").length).toBe(20_000);
  });

  it("reports an encrypted entry as encrypted", async () => {
    const docx = makeDocx(["secret"]);
    const copy = docx.slice();
    const view = new DataView(copy.buffer);
    // Set the encryption flag on every central directory record.
    for (let at = 0; at + 4 <= copy.byteLength; at++) {
      if (view.getUint32(at, true) === 0x02014b50)
        view.setUint16(at + 8, view.getUint16(at + 8, true) | 1, true);
    }
    expect(await extractText({ bytes: copy, contentType: DOCX_TYPE })).toMatchObject({
      ok: false,
      reason: "encrypted",
    });
  });
});

describe("a decompression bomb in a course", () => {
  it("is mirrored, extraction stops at the limit, and the file is marked failed:too_large", async () => {
    await resetStorage();
    const simulator = startSimulator({ institution: "empty" });
    const course = simulator.control.createCourse({ name: "Bombs" }).id;
    const bombFile = simulator.control.createFile(course, {
      name: "bomb.docx",
      bytes: bomb,
      content_type: DOCX_TYPE,
    });
    const liar = simulator.control.createFile(course, {
      name: "liar.docx",
      bytes: lyingAboutSizes(bomb, () => ({ uncompressed: 100 })),
      content_type: DOCX_TYPE,
    });
    const fine = simulator.control.createFile(course, {
      name: "fine.docx",
      bytes: makeDocx(["A perfectly ordinary handout"]),
      content_type: DOCX_TYPE,
    });
    expect((await api("/api/courses", { method: "POST", json: { canvasCourseId: course } })).status).toBe(
      201,
    );
    expect((await syncNow(course, "full")).status).toBe("succeeded");
    await waitForExtractions();
    const { results } = await env.DB.prepare(
      "SELECT canvas_id, text_status, text FROM items WHERE course_id = ?1 AND type = 'file' ORDER BY canvas_id",
    )
      .bind(course)
      .all<{ canvas_id: string; text_status: string; text: string | null }>();
    const byId = new Map(results.map((row) => [Number(row.canvas_id), row]));
    expect(byId.get(bombFile.id)).toMatchObject({ text_status: "failed:too_large", text: null });
    expect(byId.get(liar.id)).toMatchObject({ text_status: "failed:too_large", text: null });
    expect(byId.get(fine.id)).toMatchObject({ text_status: "ok", text: "A perfectly ordinary handout" });
  });
});
