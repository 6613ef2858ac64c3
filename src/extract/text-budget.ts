/**
 * A character budget shared by every extractor: text is appended piece by piece, and once `maxChars` is
 * reached the rest is dropped and the result is marked truncated. Extractors ask `full` to stop walking early
 * instead of building a huge string and cutting it afterwards.
 */
export class TextBudget {
  private readonly parts: string[] = [];
  private length = 0;
  private exhausted = false;
  private cut = false;

  constructor(private readonly maxChars: number) {}

  /** Appends text; returns false once the budget is exhausted (the caller should stop). */
  add(text: string): boolean {
    if (this.exhausted) return false;
    if (text === "") return true;
    const room = this.maxChars - this.length;
    if (text.length > room) {
      // Do not split a surrogate pair at the cut.
      let end = room;
      const last = text.charCodeAt(end - 1);
      if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
      if (end > 0) this.parts.push(text.slice(0, end));
      this.length += end;
      this.exhausted = true;
      this.cut = true;
      return false;
    }
    this.parts.push(text);
    this.length += text.length;
    return true;
  }

  /** Marks the result truncated for a reason other than characters (page cap, skipped parts). */
  markTruncated(): void {
    this.cut = true;
  }

  /** True once `maxChars` is reached: nothing more will be kept. */
  get full(): boolean {
    return this.exhausted;
  }

  get truncated(): boolean {
    return this.cut;
  }

  toString(): string {
    return this.parts.join("");
  }
}

/**
 * Shared final clean-up: unify line ends, strip trailing spaces, collapse runs of blank lines to one and trim
 * the ends. Applied to every format so that the text (and its hash) does not depend on incidental whitespace.
 */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t\u00a0]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
