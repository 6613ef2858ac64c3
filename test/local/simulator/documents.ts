/**
 * Deterministic generators of real, valid documents whose text is known: PDF 1.4 (Helvetica text per page),
 * DOCX, PPTX and XLSX (minimal OOXML packages zipped with fflate), plus broken variants for failure tests.
 * The simulator serves these bytes and the extraction tests compare extractor output with the inputs, so the
 * generators are pure web-platform code (no Node APIs) and identical inputs give identical bytes.
 */
import { zipSync } from "fflate";
import type { Zippable } from "fflate";

/** Fixed zip entry time: fflate defaults to "now", which would make the bytes differ between runs. */
const ZIP_MTIME = new Date(2024, 0, 1, 0, 0, 0);

const utf8 = new TextEncoder();

/** Escapes text for XML content and attribute values; drops characters XML 1.0 cannot carry at all. */
function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships";
const NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const REL_TYPE = `${NS_R}/`;
const NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main";
const NS_P = "http://schemas.openxmlformats.org/presentationml/2006/main";
const CT_PREFIX = "application/vnd.openxmlformats-officedocument.";

function contentTypes(overrides: Array<[part: string, type: string]>): string {
  const o = overrides.map(([part, type]) => `<Override PartName="${part}" ContentType="${type}"/>`).join("");
  return (
    `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
    `<Default Extension="xml" ContentType="application/xml"/>${o}</Types>`
  );
}

function rels(entries: Array<[id: string, type: string, target: string]>): string {
  const r = entries
    .map(([id, type, target]) => `<Relationship Id="${id}" Type="${REL_TYPE}${type}" Target="${target}"/>`)
    .join("");
  return `${XML_DECL}<Relationships xmlns="${NS_REL}">${r}</Relationships>`;
}

/** Zips string parts in insertion order ([Content_Types].xml first, as Office writes it). */
function zipParts(parts: Array<[name: string, xml: string]>): Uint8Array {
  const files: Zippable = {};
  for (const [name, xml] of parts) files[name] = utf8.encode(xml);
  return zipSync(files, { level: 6, mtime: ZIP_MTIME });
}

// ---------------------------------------------------------------------------------------------- PDF

/** PDF literal string body: WinAnsi (Latin-1 subset) bytes; others become "?" since Helvetica cannot show them. */
function pdfString(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0x3f;
    if (ch === "(" || ch === ")" || ch === "\\") out += `\\${ch}`;
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code >= 0xa0 && code <= 0xff) out += `\\${code.toString(8).padStart(3, "0")}`;
    else out += "?";
  }
  return out;
}

/** Assembles numbered objects into a PDF with a correct xref table; `trailerExtra` adds trailer entries. */
function assemblePdf(objects: string[], trailerExtra = ""): Uint8Array {
  let body = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(body.length); // every char is one byte (Latin-1), so string length is the byte offset
    body += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xrefAt = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${trailerExtra} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  const bytes = new Uint8Array(body.length);
  for (let i = 0; i < body.length; i++) bytes[i] = body.charCodeAt(i) & 0xff;
  return bytes;
}

function stream(content: string): string {
  return `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
}

/** Objects 1-3 (catalog, page tree, font) followed by a page + content stream per page. */
function pdfObjects(pageContents: string[], resources: (pageIndex: number) => string): string[] {
  const kids = pageContents.map((_, i) => `${4 + i * 2} 0 R`).join(" ");
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${kids}] /Count ${pageContents.length} >>`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
  ];
  pageContents.forEach((content, i) => {
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${5 + i * 2} 0 R /Resources ${resources(i)} >>`,
    );
    objects.push(stream(content));
  });
  return objects;
}

function textContent(page: string): string {
  const lines = page.split("\n").map((line) => `(${pdfString(line)}) Tj T*`);
  return `BT /F1 12 Tf 14 TL 72 720 Td ${lines.join(" ")} ET`;
}

/**
 * A valid PDF 1.4 with one page per entry; "\n" inside an entry starts a new text line. Text is Helvetica with
 * WinAnsiEncoding, so characters outside Latin-1 are written as "?". Long lines are not wrapped (they run off
 * the page but stay in the text layer).
 */
export function makePdf(pages: string[]): Uint8Array {
  const list = pages.length > 0 ? pages : [""];
  return assemblePdf(pdfObjects(list.map(textContent), () => "<< /Font << /F1 3 0 R >> >>"));
}

/**
 * A PDF whose pages hold only an image (a small grey raster) and no text layer, like a scan without OCR.
 */
export function makeImageOnlyPdf(pageCount: number): Uint8Array {
  const n = Math.max(1, pageCount);
  const objects = pdfObjects(
    Array.from({ length: n }, () => "q 200 0 0 200 72 500 cm /Im1 Do Q"),
    () => `<< /XObject << /Im1 ${4 + n * 2} 0 R >> >>`,
  );
  const pixels = "\x80".repeat(8 * 8);
  objects.push(
    `<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${pixels.length} >>\nstream\n${pixels}\nendstream`,
  );
  return assemblePdf(objects);
}

/** 32 deterministic pseudo-random bytes as hex, for the fake /O, /U and /ID entries. */
function fakeHashHex(seed: number): string {
  return Array.from({ length: 32 }, (_, i) =>
    ((seed * 31 + i * 17) & 0xff).toString(16).padStart(2, "0"),
  ).join("");
}

/**
 * A PDF protected by the Standard security handler with a user password that is not empty. The /O and /U
 * entries match no password, so any reader must ask for one (PDF.js raises PasswordException); it stands in
 * for a real password-protected course file without shipping RC4/MD5 code in the simulator.
 */
export function makeEncryptedLikePdf(): Uint8Array {
  const objects = pdfObjects([textContent("This text is locked")], () => "<< /Font << /F1 3 0 R >> >>");
  objects.push(`<< /Filter /Standard /V 1 /R 2 /O <${fakeHashHex(7)}> /U <${fakeHashHex(11)}> /P -44 >>`);
  const id = fakeHashHex(3).slice(0, 32);
  return assemblePdf(objects, ` /Encrypt ${objects.length} 0 R /ID [<${id}> <${id}>]`);
}

// --------------------------------------------------------------------------------------------- DOCX

function docxRuns(paragraph: string): string {
  // "\n" becomes a line break and "\t" a tab inside the same paragraph, as Word stores them.
  const parts = paragraph.split(/(\n|\t)/);
  return parts
    .map((part) => {
      if (part === "\n") return "<w:r><w:br/></w:r>";
      if (part === "\t") return "<w:r><w:tab/></w:r>";
      return part === "" ? "" : `<w:r><w:t xml:space="preserve">${xmlEscape(part)}</w:t></w:r>`;
    })
    .join("");
}

/** A minimal Word document: one `w:p` per entry ("\n" in an entry is a `w:br`, "\t" a `w:tab`). */
export function makeDocx(paragraphs: string[]): Uint8Array {
  const body = paragraphs.map((p) => `<w:p>${docxRuns(p)}</w:p>`).join("");
  const document =
    `${XML_DECL}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="${NS_R}">` +
    `<w:body>${body}<w:sectPr><w:pgSz w:w="12240" w:h="15840"/></w:sectPr></w:body></w:document>`;
  return zipParts([
    [
      "[Content_Types].xml",
      contentTypes([["/word/document.xml", `${CT_PREFIX}wordprocessingml.document.main+xml`]]),
    ],
    ["_rels/.rels", rels([["rId1", "officeDocument", "word/document.xml"]])],
    ["word/document.xml", document],
    ["word/_rels/document.xml.rels", rels([])],
  ]);
}

// --------------------------------------------------------------------------------------------- PPTX

const EMPTY_TREE =
  '<p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>';
const P_NS = `xmlns:a="${NS_A}" xmlns:r="${NS_R}" xmlns:p="${NS_P}"`;

function themeXml(): string {
  const colors = [
    "dk1",
    "lt1",
    "dk2",
    "lt2",
    "accent1",
    "accent2",
    "accent3",
    "accent4",
    "accent5",
    "accent6",
  ]
    .map(
      (name, i) =>
        `<a:${name}><a:srgbClr val="${(i * 0x151515).toString(16).padStart(6, "0")}"/></a:${name}>`,
    )
    .join("");
  const fill = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>';
  const line = `<a:ln w="9525">${fill}</a:ln>`;
  const effect = "<a:effectStyle><a:effectLst/></a:effectStyle>";
  const font = '<a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/>';
  return (
    `${XML_DECL}<a:theme xmlns:a="${NS_A}" name="Sim"><a:themeElements>` +
    `<a:clrScheme name="Sim">${colors}<a:hlink><a:srgbClr val="0000FF"/></a:hlink>` +
    `<a:folHlink><a:srgbClr val="800080"/></a:folHlink></a:clrScheme>` +
    `<a:fontScheme name="Sim"><a:majorFont>${font}</a:majorFont><a:minorFont>${font}</a:minorFont></a:fontScheme>` +
    `<a:fmtScheme name="Sim"><a:fillStyleLst>${fill.repeat(3)}</a:fillStyleLst><a:lnStyleLst>${line.repeat(3)}</a:lnStyleLst>` +
    `<a:effectStyleLst>${effect.repeat(3)}</a:effectStyleLst><a:bgFillStyleLst>${fill.repeat(3)}</a:bgFillStyleLst>` +
    `</a:fmtScheme></a:themeElements></a:theme>`
  );
}

function slideXml(runs: string[]): string {
  const paragraphs = runs.map(
    (run) => `<a:p><a:r><a:rPr lang="en-US"/><a:t>${xmlEscape(run)}</a:t></a:r></a:p>`,
  );
  const shape =
    '<p:sp><p:nvSpPr><p:cNvPr id="2" name="Text"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>' +
    '<p:spPr><a:xfrm><a:off x="457200" y="457200"/><a:ext cx="8229600" cy="5943600"/></a:xfrm>' +
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr>' +
    `<p:txBody><a:bodyPr/><a:lstStyle/>${paragraphs.join("") || "<a:p/>"}</p:txBody></p:sp>`;
  return `${XML_DECL}<p:sld ${P_NS}><p:cSld>${EMPTY_TREE}${shape}</p:spTree></p:cSld></p:sld>`;
}

/**
 * A minimal PowerPoint deck (master, layout, theme, one slide per entry). Each slide's runs become one
 * paragraph each. With `reversePartNames` the slide part files are numbered backwards, so only the
 * presentation's `p:sldIdLst` tells the real order (as in decks where slides were reordered).
 */
export function makePptx(slides: string[][], opts: { reversePartNames?: boolean } = {}): Uint8Array {
  const n = slides.length;
  const partName = (i: number): string => `slide${opts.reversePartNames === true ? n - i : i + 1}.xml`;
  const ct: Array<[string, string]> = [
    ["/ppt/presentation.xml", `${CT_PREFIX}presentationml.presentation.main+xml`],
    ["/ppt/slideMasters/slideMaster1.xml", `${CT_PREFIX}presentationml.slideMaster+xml`],
    ["/ppt/slideLayouts/slideLayout1.xml", `${CT_PREFIX}presentationml.slideLayout+xml`],
    ["/ppt/theme/theme1.xml", `${CT_PREFIX}theme+xml`],
    ...slides.map((_, i): [string, string] => [
      `/ppt/slides/${partName(i)}`,
      `${CT_PREFIX}presentationml.slide+xml`,
    ]),
  ];
  const sldIds = slides.map((_, i) => `<p:sldId id="${256 + i}" r:id="rId${3 + i}"/>`).join("");
  const presentation =
    `${XML_DECL}<p:presentation ${P_NS}><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst>` +
    `${n > 0 ? `<p:sldIdLst>${sldIds}</p:sldIdLst>` : ""}<p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>`;
  const clrMap =
    '<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3" ' +
    'accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"/>';
  const master =
    `${XML_DECL}<p:sldMaster ${P_NS}><p:cSld>${EMPTY_TREE}</p:spTree></p:cSld>${clrMap}` +
    '<p:sldLayoutIdLst><p:sldLayoutId id="2147483649" r:id="rId1"/></p:sldLayoutIdLst></p:sldMaster>';
  const layout = `${XML_DECL}<p:sldLayout ${P_NS} type="blank"><p:cSld name="Blank">${EMPTY_TREE}</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>`;
  const parts: Array<[string, string]> = [
    ["[Content_Types].xml", contentTypes(ct)],
    ["_rels/.rels", rels([["rId1", "officeDocument", "ppt/presentation.xml"]])],
    ["ppt/presentation.xml", presentation],
    [
      "ppt/_rels/presentation.xml.rels",
      rels([
        ["rId1", "slideMaster", "slideMasters/slideMaster1.xml"],
        ["rId2", "theme", "theme/theme1.xml"],
        ...slides.map((_, i): [string, string, string] => [`rId${3 + i}`, "slide", `slides/${partName(i)}`]),
      ]),
    ],
    ["ppt/slideMasters/slideMaster1.xml", master],
    [
      "ppt/slideMasters/_rels/slideMaster1.xml.rels",
      rels([
        ["rId1", "slideLayout", "../slideLayouts/slideLayout1.xml"],
        ["rId2", "theme", "../theme/theme1.xml"],
      ]),
    ],
    ["ppt/slideLayouts/slideLayout1.xml", layout],
    [
      "ppt/slideLayouts/_rels/slideLayout1.xml.rels",
      rels([["rId1", "slideMaster", "../slideMasters/slideMaster1.xml"]]),
    ],
    ["ppt/theme/theme1.xml", themeXml()],
  ];
  slides.forEach((runs, i) => {
    parts.push([`ppt/slides/${partName(i)}`, slideXml(runs)]);
    parts.push([
      `ppt/slides/_rels/${partName(i)}.rels`,
      rels([["rId1", "slideLayout", "../slideLayouts/slideLayout1.xml"]]),
    ]);
  });
  return zipParts(parts);
}

// --------------------------------------------------------------------------------------------- XLSX

function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/**
 * A one-sheet workbook. Cells that look like plain decimal numbers are stored as numeric `<v>` values (as
 * Excel would), every other non-empty cell as a shared string; empty cells are omitted.
 */
export function makeXlsx(rows: string[][]): Uint8Array {
  const shared: string[] = [];
  const index = new Map<string, number>();
  const rowXml = rows.map((cells, r) => {
    const cellXml = cells.map((value, c) => {
      const ref = `${columnName(c)}${r + 1}`;
      if (value === "") return "";
      if (/^-?(0|[1-9]\d{0,14})(\.\d{1,6})?$/.test(value)) return `<c r="${ref}"><v>${value}</v></c>`;
      let si = index.get(value);
      if (si === undefined) {
        si = shared.length;
        shared.push(value);
        index.set(value, si);
      }
      return `<c r="${ref}" t="s"><v>${si}</v></c>`;
    });
    return `<row r="${r + 1}">${cellXml.join("")}</row>`;
  });
  const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
  const sheet = `${XML_DECL}<worksheet ${ns}><sheetData>${rowXml.join("")}</sheetData></worksheet>`;
  const sst =
    `${XML_DECL}<sst ${ns} count="${shared.length}" uniqueCount="${shared.length}">` +
    `${shared.map((s) => `<si><t xml:space="preserve">${xmlEscape(s)}</t></si>`).join("")}</sst>`;
  const workbook = `${XML_DECL}<workbook ${ns} xmlns:r="${NS_R}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`;
  return zipParts([
    [
      "[Content_Types].xml",
      contentTypes([
        ["/xl/workbook.xml", `${CT_PREFIX}spreadsheetml.sheet.main+xml`],
        ["/xl/worksheets/sheet1.xml", `${CT_PREFIX}spreadsheetml.worksheet+xml`],
        ["/xl/sharedStrings.xml", `${CT_PREFIX}spreadsheetml.sharedStrings+xml`],
      ]),
    ],
    ["_rels/.rels", rels([["rId1", "officeDocument", "xl/workbook.xml"]])],
    ["xl/workbook.xml", workbook],
    [
      "xl/_rels/workbook.xml.rels",
      rels([
        ["rId1", "worksheet", "worksheets/sheet1.xml"],
        ["rId2", "sharedStrings", "sharedStrings.xml"],
      ]),
    ],
    ["xl/worksheets/sheet1.xml", sheet],
    ["xl/sharedStrings.xml", sst],
  ]);
}

// ----------------------------------------------------------------------------------------- Failures

/** A zip cut in half: the central directory is gone, so no reader can open it (fflate: "invalid zip data"). */
export function corruptZip(zip: Uint8Array): Uint8Array {
  return zip.slice(0, Math.floor(zip.length / 2));
}

/** Bytes that start like a PDF but end after the header: the file a dropped connection leaves behind. */
export function makeTruncatedPdf(pages: string[]): Uint8Array {
  const full = makePdf(pages);
  return full.slice(0, Math.min(full.length, 40));
}
