/**
 * Pages a long text for a model's context window: a slice from `offset`, cut at a whitespace near the end when one
 * is close (so words are not split), and the offset to ask for next. Pure.
 */

export interface TextPage {
  totalChars: number;
  offset: number;
  content: string;
  /** null when the slice reaches the end of the text */
  nextOffset: number | null;
}

export function pageText(text: string, offset: number, maxChars: number): TextPage {
  const start = Math.min(Math.max(0, offset), text.length);
  let end = Math.min(text.length, start + maxChars);
  if (end < text.length) {
    // Prefer ending at whitespace within the last tenth of the slice.
    const space = text.lastIndexOf(" ", end);
    if (space > start + maxChars * 0.9) end = space + 1;
    // Never split a surrogate pair.
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  }
  return {
    totalChars: text.length,
    offset: start,
    content: text.slice(start, end),
    nextOffset: end < text.length ? end : null,
  };
}
