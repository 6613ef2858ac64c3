/**
 * XLSX text: sheets in workbook order (from `workbook.xml` and its relationships), one line per row with cells
 * separated by tabs at their column positions (from the `r` reference, so empty cells keep their place).
 * Shared strings (`si`, skipping `rPh` phonetic runs) are resolved by index; inline strings, formula strings,
 * booleans and numbers are taken from the cell itself.
 */
import type { OoxmlPackage } from "./ooxml-package";
import type { TextBudget } from "./text-budget";
import type { Deadline } from "./types";
import { readAttr, walkXml } from "./xml-walker";

function readSharedStrings(xml: string): string[] {
  const strings: string[] = [];
  let current: string[] | null = null;
  let inText = false;
  let phoneticDepth = 0;
  walkXml(xml, {
    open: (name, _attrs, selfClosing) => {
      if (name === "si") {
        if (selfClosing) strings.push("");
        else current = [];
      } else if (name === "rPh" && !selfClosing) phoneticDepth += 1;
      else if (name === "t" && !selfClosing) inText = true;
    },
    close: (name) => {
      if (name === "si" && current !== null) {
        strings.push(current.join(""));
        current = null;
      } else if (name === "rPh") phoneticDepth = Math.max(0, phoneticDepth - 1);
      else if (name === "t") inText = false;
    },
    text: (text) => {
      if (inText && phoneticDepth === 0 && current !== null) current.push(text);
    },
  });
  return strings;
}

/** Zero-based column index from a cell reference such as "AB12"; -1 when absent or malformed. */
function columnIndex(ref: string | undefined): number {
  if (ref === undefined) return -1;
  let col = 0;
  for (const ch of ref) {
    const code = ch.charCodeAt(0);
    if (code < 65 || code > 90) break;
    col = col * 26 + (code - 64);
  }
  return col - 1;
}

/** Appends one sheet's rows to the budget; returns false once the budget is full. */
function walkSheet(xml: string, shared: string[], budget: TextBudget): boolean {
  let cellType = "";
  let cellColumn = -1;
  let nextColumn = 0;
  let value: string[] = [];
  let capture = false;
  let inInline = false;
  let phoneticDepth = 0;
  return walkXml(xml, {
    open: (name, attrs, selfClosing) => {
      if (name === "row") nextColumn = 0;
      else if (name === "c" && !selfClosing) {
        cellType = readAttr(attrs, "t") ?? "n";
        cellColumn = columnIndex(readAttr(attrs, "r"));
        value = [];
      } else if (name === "is") inInline = true;
      else if (name === "rPh" && !selfClosing) phoneticDepth += 1;
      else if (!selfClosing && (name === "v" || (name === "t" && inInline))) capture = true;
      return true;
    },
    close: (name) => {
      if (name === "v" || name === "t") capture = false;
      else if (name === "is") inInline = false;
      else if (name === "rPh") phoneticDepth = Math.max(0, phoneticDepth - 1);
      else if (name === "row") return budget.add("\n");
      else if (name === "c") {
        const raw = value.join("");
        let text = raw;
        if (cellType === "s") text = shared[Number.parseInt(raw, 10)] ?? "";
        else if (cellType === "b") text = raw === "1" ? "TRUE" : raw === "0" ? "FALSE" : raw;
        if (text === "") return true;
        const column = cellColumn >= nextColumn ? cellColumn : nextColumn;
        const separators = nextColumn === 0 ? column : column - nextColumn + 1;
        nextColumn = column + 1;
        return budget.add("\t".repeat(separators)) && budget.add(text);
      }
      return true;
    },
    text: (text) => {
      if (capture && phoneticDepth === 0) value.push(text);
    },
  });
}

export function extractXlsx(pkg: OoxmlPackage, budget: TextBudget, deadline: Deadline): void {
  const workbook = pkg.mainPart() ?? "xl/workbook.xml";
  const xml = pkg.readPart(workbook);
  if (xml === undefined) return;
  const rels = pkg.relationships(workbook);
  let shared: string[] = [];
  for (const rel of rels.values()) {
    if (!rel.type.endsWith("/sharedStrings")) continue;
    const sst = pkg.readPart(rel.target);
    if (sst !== undefined) shared = readSharedStrings(sst);
  }
  const sheets: string[] = [];
  walkXml(xml, {
    open: (name, attrs) => {
      if (name !== "sheet") return;
      const rel = rels.get(readAttr(attrs, "r:id") ?? "");
      if (rel !== undefined && rel.type.endsWith("/worksheet")) sheets.push(rel.target);
    },
  });
  for (const [index, sheet] of sheets.entries()) {
    deadline.check(`after ${index} of ${sheets.length} sheets`);
    const sheetXml = pkg.readPart(sheet);
    if (sheetXml === undefined) continue;
    if ((index > 0 && !budget.add("\n\n")) || !walkSheet(sheetXml, shared, budget)) return;
  }
}
