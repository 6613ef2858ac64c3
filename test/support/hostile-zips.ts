/**
 * Hostile OOXML packages for the decompression-bomb tests and benchmark, built with fflate's streaming zip writer
 * so the tens of megabytes of XML they hold are never in memory at once: a DOCX whose document.xml inflates to a
 * chosen size (very repetitive, or dense enough to stay under the ratio cap), and a way to make a zip lie about
 * its sizes in both its central directory and its local headers.
 */
import { Zip, ZipDeflate, ZipPassThrough, strToU8 } from "fflate";

export const DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
const ROOT_RELS =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>';
const DOC_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>';
const DOC_CLOSE = "</w:body></w:document>";

/** Paragraph source: the same sentence again and again (inflates ~1000x), or varied words (~3x, under the cap). */
export type Filler = "repetitive" | "dense";

const REPETITIVE = "<w:p><w:r><w:t>All work and no play makes Jack a dull boy.</w:t></w:r></w:p>";

/**
 * 1 MiB of paragraphs. Dense text is pseudo-random words; repeating that MiB does not help deflate, whose window
 * is 32 KiB, so the document stays at the ratio of random words (~3x).
 */
function fillerPiece(filler: Filler): string {
  const paragraphs: string[] = [];
  let length = 0;
  let seed = 12345;
  while (length < 1024 * 1024) {
    let paragraph = REPETITIVE;
    if (filler === "dense") {
      const words: string[] = [];
      for (let index = 0; index < 12; index++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        words.push(seed.toString(36).slice(0, 3 + (seed % 6)));
      }
      paragraph = `<w:p><w:r><w:t>${words.join(" ")}</w:t></w:r></w:p>`;
    }
    paragraphs.push(paragraph);
    length += paragraph.length;
  }
  return paragraphs.join("");
}

/** A DOCX whose word/document.xml inflates to about `documentBytes`, streamed through the deflater in 1 MiB pieces. */
export function docxWithDocumentOf(documentBytes: number, filler: Filler): Uint8Array {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((error, data) => {
    if (error) throw error;
    chunks.push(data);
  });
  for (const [name, text] of [
    ["[Content_Types].xml", CONTENT_TYPES],
    ["_rels/.rels", ROOT_RELS],
  ] as const) {
    const part = new ZipPassThrough(name);
    zip.add(part);
    part.push(strToU8(text), true);
  }
  const document = new ZipDeflate("word/document.xml", { level: filler === "dense" ? 1 : 6 });
  zip.add(document);
  document.push(strToU8(DOC_OPEN));
  let written = DOC_OPEN.length;
  const piece = strToU8(fillerPiece(filler));
  while (written < documentBytes) {
    document.push(piece);
    written += piece.byteLength;
  }
  document.push(strToU8(DOC_CLOSE), true);
  zip.end();
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Sizes an entry should claim; absent fields keep the truth. */
export type SizeLie = { uncompressed?: number; compressed?: number };

/**
 * A copy of `zip` in which each entry claims the sizes `lie(name)` returns, in its central directory record and in
 * its local header alike (walked from the end of central directory, never by scanning for signatures).
 */
export function lyingAboutSizes(zip: Uint8Array, lie: (name: string) => SizeLie): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  let eocd = copy.byteLength - 22;
  while (eocd > 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const decoder = new TextDecoder();
  for (let index = 0; index < count; index++) {
    const nameLength = view.getUint16(at + 28, true);
    const name = decoder.decode(copy.subarray(at + 46, at + 46 + nameLength));
    const local = view.getUint32(at + 42, true);
    const sizes = lie(name);
    if (sizes.uncompressed !== undefined) {
      view.setUint32(at + 24, sizes.uncompressed, true);
      view.setUint32(local + 22, sizes.uncompressed, true);
    }
    if (sizes.compressed !== undefined) {
      view.setUint32(at + 20, sizes.compressed, true);
      view.setUint32(local + 18, sizes.compressed, true);
    }
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return copy;
}
