/**
 * DOCX text: the main document part, then footnotes and endnotes, walked with the small XML tokenizer.
 * `w:t` holds text, a closing `w:p` ends a paragraph, `w:tab`/`w:br`/`w:cr` become a tab or a newline. Field
 * codes (`w:instrText`), tracked deletions (`w:delText`) and `mc:Fallback` (a duplicate of the `mc:Choice`
 * content, e.g. text boxes) are skipped so the same words are not counted twice.
 */
import type { OoxmlPackage } from "./ooxml-package";
import type { TextBudget } from "./text-budget";
import type { Deadline } from "./types";
import { walkXml } from "./xml-walker";

const SKIPPED = new Set(["instrText", "delText", "Fallback"]);

/** Appends the text of one WordprocessingML part to the budget; returns false once the budget is full. */
export function walkWordprocessingPart(xml: string, budget: TextBudget): boolean {
  let skipDepth = 0;
  let inText = false;
  return walkXml(xml, {
    open: (name, _attrs, selfClosing) => {
      if (SKIPPED.has(name)) {
        if (!selfClosing) skipDepth += 1;
        return true;
      }
      if (skipDepth > 0) return true;
      if (name === "t" && !selfClosing) inText = true;
      else if (name === "tab") return budget.add("\t");
      else if (name === "br" || name === "cr") return budget.add("\n");
      return true;
    },
    close: (name) => {
      if (SKIPPED.has(name)) {
        skipDepth = Math.max(0, skipDepth - 1);
        return true;
      }
      if (skipDepth > 0) return true;
      if (name === "t") inText = false;
      else if (name === "p") return budget.add("\n");
      return true;
    },
    text: (text) => (inText && skipDepth === 0 ? budget.add(text) : true),
  });
}

export function extractDocx(pkg: OoxmlPackage, budget: TextBudget, deadline: Deadline): void {
  const main = pkg.mainPart() ?? "word/document.xml";
  const xml = pkg.readPart(main);
  if (xml === undefined) return;
  if (!walkWordprocessingPart(xml, budget)) return;
  for (const rel of pkg.relationships(main).values()) {
    if (!/\/(footnotes|endnotes)$/.test(rel.type)) continue;
    deadline.check(`reading ${rel.target}`);
    const notes = pkg.readPart(rel.target);
    if (notes === undefined) continue;
    if (!budget.add("\n\n") || !walkWordprocessingPart(notes, budget)) return;
  }
}
