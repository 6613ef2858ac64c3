/**
 * Decides how to extract a file from its first bytes, its declared content type and its file name (pure).
 * Magic bytes win for binary formats, because Canvas content types are often generic (application/octet-stream)
 * and file names can be anything; the declared type decides among text formats, which have no magic. A file
 * declared as PDF or Office that does not look like one is corrupt (typically a truncated or HTML error body);
 * an OLE container declared as DOCX/PPTX/XLSX is a password-protected Office file.
 */
import type { ExtractFailureReason, OoxmlKind } from "./types";

type Declared = "pdf" | OoxmlKind | "legacy_office" | "html" | "markdown" | "csv" | "text";
type Sniffed = "pdf" | "zip" | "ole" | "image" | "html" | "unknown";

export type ExtractionPlan =
  | { format: "pdf" }
  | { format: "ooxml"; declared: OoxmlKind | undefined }
  | { format: "html" }
  | { format: "text"; declared: "markdown" | "csv" | "text" }
  | { format: "fail"; reason: ExtractFailureReason; detail: string };

const CONTENT_TYPES: Array<[RegExp, Declared]> = [
  [/^application\/(x-)?pdf$/, "pdf"],
  [/wordprocessingml|^application\/vnd\.ms-word\.(document|template)\.macroenabled/, "docx"],
  [
    /presentationml|^application\/vnd\.ms-powerpoint\.(presentation|slideshow|template)\.macroenabled/,
    "pptx",
  ],
  [/spreadsheetml|^application\/vnd\.ms-excel\.(sheet|template)\.macroenabled/, "xlsx"],
  [/^application\/(msword|vnd\.ms-powerpoint|vnd\.ms-excel)$/, "legacy_office"],
  [/^(text\/html|application\/xhtml\+xml)$/, "html"],
  [/^text\/(x-)?markdown$/, "markdown"],
  [/^(text|application)\/csv$/, "csv"],
  [/^text\//, "text"],
];

const EXTENSIONS: Record<string, Declared> = {
  pdf: "pdf",
  docx: "docx",
  docm: "docx",
  dotx: "docx",
  pptx: "pptx",
  pptm: "pptx",
  ppsx: "pptx",
  potx: "pptx",
  xlsx: "xlsx",
  xlsm: "xlsx",
  xltx: "xlsx",
  doc: "legacy_office",
  ppt: "legacy_office",
  xls: "legacy_office",
  html: "html",
  htm: "html",
  xhtml: "html",
  md: "markdown",
  markdown: "markdown",
  csv: "csv",
  txt: "text",
  text: "text",
};

function declaredFormat(contentType: string, filename: string | undefined): Declared | undefined {
  const mime = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  for (const [pattern, format] of CONTENT_TYPES) if (pattern.test(mime)) return format;
  const ext = /\.([a-z0-9]+)$/i.exec(filename ?? "")?.[1]?.toLowerCase();
  return ext === undefined ? undefined : EXTENSIONS[ext];
}

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return magic.every((byte, i) => head[i] === byte);
}

function sniff(head: Uint8Array): Sniffed {
  // PDF readers accept junk before the header (within the first 1 KB), so search rather than compare.
  const latin = String.fromCharCode(...head.subarray(0, 1024));
  if (latin.includes("%PDF-")) return "pdf";
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return "zip";
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return "ole";
  if (
    startsWith(head, [0x89, 0x50, 0x4e, 0x47]) ||
    startsWith(head, [0xff, 0xd8, 0xff]) ||
    latin.startsWith("GIF8")
  ) {
    return "image";
  }
  if (/^(\uFEFF|\xEF\xBB\xBF)?\s*(<!doctype html|<html[\s>])/i.test(latin)) return "html";
  return "unknown";
}

/** Plans the extraction of one file; `head` should be at least its first 1 KB. */
export function planExtraction(head: Uint8Array, contentType: string, filename?: string): ExtractionPlan {
  const declared = declaredFormat(contentType, filename);
  const sniffed = sniff(head);
  const isOoxml = declared === "docx" || declared === "pptx" || declared === "xlsx";
  switch (sniffed) {
    case "pdf":
      return { format: "pdf" };
    case "zip":
      return { format: "ooxml", declared: isOoxml ? declared : undefined };
    case "ole":
      return isOoxml
        ? { format: "fail", reason: "encrypted", detail: `password-protected ${declared} (OLE container)` }
        : {
            format: "fail",
            reason: "unsupported_type",
            detail: "OLE compound file (legacy .doc/.ppt/.xls or an encrypted Office file)",
          };
    case "image":
      return { format: "fail", reason: "unsupported_type", detail: "image file (would need OCR)" };
    case "html":
    case "unknown":
      break;
  }
  if (declared === "pdf" || isOoxml) {
    return {
      format: "fail",
      reason: "corrupt",
      detail: `declared ${declared} but the content does not start like one`,
    };
  }
  if (declared === "legacy_office") {
    return { format: "fail", reason: "unsupported_type", detail: "legacy binary Office format" };
  }
  if (declared === "html" || (declared === undefined && sniffed === "html")) return { format: "html" };
  if (declared !== undefined) return { format: "text", declared };
  const label = contentType.split(";")[0]?.trim() ?? "";
  return { format: "fail", reason: "unsupported_type", detail: `no extractor for "${label || "unknown"}"` };
}
