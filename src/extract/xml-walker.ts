/**
 * A small, fast XML tokenizer for the OOXML text walkers: one sticky regex finds tags and text, element names
 * are reported without their namespace prefix, and entities are decoded. It is not a validating parser (OOXML
 * parts are machine-written), and it stops as soon as a callback returns false so the character budget can
 * end a walk early. Comments, processing instructions and DOCTYPEs are skipped; CDATA is reported as text.
 */

export interface XmlHandlers {
  /** Start tag (also called for self-closing tags, with `selfClosing` true and no matching close). */
  open?: (name: string, attrs: string, selfClosing: boolean) => boolean | void;
  close?: (name: string) => boolean | void;
  text?: (text: string) => boolean | void;
}

// Groups: 1 comment/PI/doctype, 2 CDATA body, 3 closing slash, 4 name, 5 attributes, 6 self-closing slash,
// 7 text (a stray "<" that starts no tag is text too, so malformed input cannot end the walk silently).
const TOKEN =
  /(<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>)|<!\[CDATA\[([\s\S]*?)\]\]>|<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>|([^<]+|<)/gy;

const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the five XML entities and numeric character references. */
export function decodeXmlEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref] ?? whole;
  });
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(":");
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

/** Walks `xml`, calling the handlers in document order. Returns false if a handler stopped the walk. */
export function walkXml(xml: string, handlers: XmlHandlers): boolean {
  const { open, close, text } = handlers;
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = TOKEN.exec(xml)) !== null) {
    if (match[1] !== undefined) continue;
    const cdata = match[2];
    if (cdata !== undefined) {
      if (text !== undefined && text(cdata) === false) return false;
      continue;
    }
    const rawName = match[4];
    if (rawName !== undefined) {
      const name = localName(rawName);
      if (match[3] === "/") {
        if (close !== undefined && close(name) === false) return false;
      } else if (open !== undefined && open(name, match[5] ?? "", match[6] === "/") === false) {
        return false;
      }
      continue;
    }
    const chunk = match[7];
    if (chunk !== undefined && text !== undefined && text(decodeXmlEntities(chunk)) === false) return false;
  }
  return true;
}

const attrPatterns = new Map<string, RegExp>();

/** Reads one attribute by its exact (qualified) name, e.g. "r:id" or "Target", from a tag's raw attributes. */
export function readAttr(attrs: string, name: string): string | undefined {
  let re = attrPatterns.get(name);
  if (re === undefined) {
    re = new RegExp(`(?:^|\\s)${name.replace(/[.]/g, "\\.")}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
    attrPatterns.set(name, re);
  }
  const m = re.exec(attrs);
  if (m === null) return undefined;
  return decodeXmlEntities(m[1] ?? m[2] ?? "");
}
