/**
 * Turns a marked window of a hit's text (matched terms wrapped in the control characters below by FTS5 highlight(),
 * see src/storage/d1/search.ts) into what a consumer shows: whole words only at the cut edges, balanced marks, an
 * ellipsis where the text goes on, then HTML with only `<mark>` tags (every other character escaped, so Canvas text
 * cannot inject markup) for the API and the dashboard, or Markdown bold for an AI assistant.
 */

import { MARK_CLOSE, MARK_OPEN } from "../storage/d1/search";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export type SnippetStyle = "html" | "markdown";

export interface MarkedText {
  titleMarked: string;
  bodyWindow: { text: string; cutStart: boolean; cutEnd: boolean };
}

/** The body window around the first match, or the marked title when the body holds no text. */
export function renderSnippet(hit: MarkedText, style: SnippetStyle): string {
  const window = hit.bodyWindow;
  if (window.text.trim() === "") return render(balance(hit.titleMarked), style);
  let text = window.text;
  // Drop the partial words at the cut edges (the first match sits well inside the window, so it is kept).
  if (window.cutStart) text = text.replace(/^\S*\s+/, "");
  if (window.cutEnd) text = text.replace(/\s+\S*$/, "");
  const body = render(balance(text), style);
  return `${window.cutStart ? "… " : ""}${body}${window.cutEnd ? " …" : ""}`;
}

/** Drops a close mark without an open one and closes a mark left open by the cut. */
function balance(text: string): string {
  let open = false;
  let out = "";
  for (const char of text) {
    if (char === MARK_OPEN) {
      if (open) continue;
      open = true;
    } else if (char === MARK_CLOSE) {
      if (!open) continue;
      open = false;
    }
    out += char;
  }
  return open ? out + MARK_CLOSE : out;
}

function render(text: string, style: SnippetStyle): string {
  const [open, close] = style === "html" ? ["<mark>", "</mark>"] : ["**", "**"];
  let out = "";
  for (const char of text.replace(/\s+/g, " ").trim()) {
    if (char === MARK_OPEN) out += open;
    else if (char === MARK_CLOSE) out += close;
    else if (style === "html") out += ESCAPES[char] ?? char;
    else out += char;
  }
  return out;
}
