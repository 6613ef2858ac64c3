/**
 * PPTX text: slides in presentation order (from `p:sldIdLst` and the presentation's relationships, never from
 * part names, which do not change when slides are reordered), each followed by its speaker notes. Text is
 * `a:t`, paragraphs are `a:p`, `a:br` is a line break; `a:fld` (slide numbers, dates) and `mc:Fallback` are
 * skipped. Slides count as pages for the page cap.
 */
import type { OoxmlPackage } from "./ooxml-package";
import type { TextBudget } from "./text-budget";
import type { Deadline } from "./types";
import { readAttr, walkXml } from "./xml-walker";

const SKIPPED = new Set(["fld", "Fallback"]);

/** Appends the text of one DrawingML-bearing part (slide or notes); returns false once the budget is full. */
function walkSlidePart(xml: string, budget: TextBudget): boolean {
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
      else if (name === "br") return budget.add("\n");
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

/** Slide part names in presentation order. */
function slideOrder(pkg: OoxmlPackage, presentationPart: string): string[] {
  const xml = pkg.readPart(presentationPart);
  if (xml === undefined) return [];
  const rels = pkg.relationships(presentationPart);
  const slides: string[] = [];
  walkXml(xml, {
    open: (name, attrs) => {
      if (name !== "sldId") return;
      const rel = rels.get(readAttr(attrs, "r:id") ?? "");
      if (rel !== undefined && rel.type.endsWith("/slide")) slides.push(rel.target);
    },
  });
  return slides;
}

/** Extracts slide and notes text; returns the number of slides in the deck. */
export function extractPptx(
  pkg: OoxmlPackage,
  budget: TextBudget,
  deadline: Deadline,
  maxPages: number,
): number {
  const slides = slideOrder(pkg, pkg.mainPart() ?? "ppt/presentation.xml");
  if (slides.length > maxPages) budget.markTruncated();
  for (const [index, slide] of slides.slice(0, maxPages).entries()) {
    deadline.check(`after ${index} of ${slides.length} slides`);
    if (index > 0 && !budget.add("\n\n")) break;
    const xml = pkg.readPart(slide);
    if (xml !== undefined && !walkSlidePart(xml, budget)) break;
    for (const rel of pkg.relationships(slide).values()) {
      if (!rel.type.endsWith("/notesSlide")) continue;
      const notes = pkg.readPart(rel.target);
      if (notes !== undefined && (!budget.add("\n") || !walkSlidePart(notes, budget))) return slides.length;
    }
  }
  return slides.length;
}
