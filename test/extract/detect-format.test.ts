/** Format planning from magic bytes, content type and extension (pure). */
import { describe, expect, it } from "vitest";
import { planExtraction } from "../../src/extract/detect-format";

const enc = new TextEncoder();
const PK = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0]);

describe("planExtraction", () => {
  it("trusts magic bytes over a generic or wrong content type", () => {
    expect(planExtraction(enc.encode("%PDF-1.7\n"), "application/octet-stream")).toEqual({ format: "pdf" });
    expect(planExtraction(enc.encode("\r\n%PDF-1.4"), "text/plain", "a.txt")).toEqual({ format: "pdf" });
    expect(planExtraction(PK, "application/octet-stream", "slides.PPTX")).toEqual({
      format: "ooxml",
      declared: "pptx",
    });
    expect(planExtraction(PK, "application/vnd.ms-excel.sheet.macroEnabled.12")).toEqual({
      format: "ooxml",
      declared: "xlsx",
    });
    expect(planExtraction(PK, "application/zip", "archive.zip")).toEqual({
      format: "ooxml",
      declared: undefined,
    });
  });

  it("uses the content type, then the extension, for text formats", () => {
    expect(planExtraction(enc.encode("# hi"), "text/markdown; charset=utf-8")).toEqual({
      format: "text",
      declared: "markdown",
    });
    expect(planExtraction(enc.encode("a,b"), "application/octet-stream", "x.csv")).toEqual({
      format: "text",
      declared: "csv",
    });
    expect(planExtraction(enc.encode("print(1)"), "text/x-python")).toEqual({
      format: "text",
      declared: "text",
    });
    expect(planExtraction(enc.encode("<p>x</p>"), "text/html")).toEqual({ format: "html" });
    expect(planExtraction(enc.encode("  <!DOCTYPE html><html>"), "")).toEqual({ format: "html" });
  });

  it("fails early with the right reason", () => {
    expect(planExtraction(enc.encode("<html>"), "application/pdf")).toMatchObject({
      format: "fail",
      reason: "corrupt",
    });
    expect(planExtraction(enc.encode("GIF89a"), "", "x.docx")).toMatchObject({ reason: "unsupported_type" });
    expect(planExtraction(enc.encode("{}"), "application/json")).toMatchObject({
      reason: "unsupported_type",
    });
    expect(planExtraction(enc.encode("data"), "application/vnd.ms-powerpoint")).toMatchObject({
      reason: "unsupported_type",
    });
  });
});
