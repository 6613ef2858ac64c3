/**
 * @module dedup/trigram
 * PostgreSQL pg_trgm reproduced exactly: how a text becomes a trigram set (`show_trgm`), the
 * `similarity()` value as the float4 PostgreSQL returns, the `similarity(a, b) > t` decision and the
 * float4 text PostgreSQL prints. Pure: no I/O, runs in workerd and Node alike.
 *
 * Rules (contrib/pg_trgm/trgm_op.c, verified against PostgreSQL 15 on 1,595 pairs in
 * test/fixtures/pg_trgm): a word is a maximal run of word characters; everything else, `_` and `'`
 * included, separates words. Each word is lower-cased per code point, padded with two spaces in front
 * and one behind, and every run of three code points is a trigram. The result is a set.
 * Similarity is |A∩B| / |A∪B| computed in float4, 0 when either set is empty.
 */

/**
 * The database `lc_ctype` the rules follow. `C.UTF-8` (glibc): Unicode letters and decimal digits
 * are word characters. `C`: only ASCII letters and digits are.
 */
export type TrigramLocale = "C.UTF-8" | "C";

export interface TrigramOptions {
  /** Default `C.UTF-8`, the usual production database ctype. */
  locale?: TrigramLocale;
}

// \p{Alphabetic} rather than \p{L}: glibc counts letter-like marks (e.g. combining vowel signs) as
// alpha; \p{Nd} rather than \p{N}: superscripts, fractions and circled numbers are not word
// characters in glibc. Both choices were measured against PostgreSQL (see the reference notes).
const UNICODE_WORD = /[\p{Alphabetic}\p{Nd}]+/gu;
const ASCII_WORD = /[A-Za-z0-9]+/g;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Lower-cases one word per code point the way glibc's towlower does. */
function lowerUnicodeWord(word: string): string {
  if (isAscii(word)) return word.toLowerCase();
  let out = "";
  for (const ch of word) {
    // String#toLowerCase maps U+0130 (İ) to "i" + U+0307, two code points; towlower gives plain
    // "i". Converting one code point at a time also keeps a word-final Σ as σ, never ς.
    out += ch === "\u0130" ? "i" : ch.toLowerCase();
  }
  return out;
}

function addWordTrigrams(word: string, into: Set<string>): void {
  const padded = `  ${word} `;
  if (isAscii(padded)) {
    for (let i = 0; i + 3 <= padded.length; i++) into.add(padded.slice(i, i + 3));
    return;
  }
  // Astral characters (emoji, rare CJK) are two UTF-16 units; trigrams are over code points.
  const cps = Array.from(padded);
  for (let i = 0; i + 3 <= cps.length; i++) into.add(`${cps[i]}${cps[i + 1]}${cps[i + 2]}`);
}

/**
 * The set of trigrams pg_trgm extracts from `text` (`show_trgm`), as 3-code-point strings.
 * PostgreSQL stores trigrams with non-ASCII characters as a 3-byte CRC instead; that only matters
 * for the (≈2⁻²⁴ per pair) chance of a CRC collision, which this exact form does not reproduce.
 */
export function trigramSet(text: string, opts?: TrigramOptions): Set<string> {
  const set = new Set<string>();
  // Long texts repeat a small vocabulary; expanding each distinct word once is several times
  // cheaper than adding every occurrence's trigrams to the set.
  const words = new Set<string>();
  if (opts?.locale === "C") {
    for (const m of text.matchAll(ASCII_WORD)) words.add(m[0]);
    for (const w of new Set(Array.from(words, (x) => x.toLowerCase()))) addWordTrigrams(w, set);
  } else {
    for (const m of text.matchAll(UNICODE_WORD)) words.add(m[0]);
    for (const w of new Set(Array.from(words, lowerUnicodeWord))) addWordTrigrams(w, set);
  }
  return set;
}

/** `array_length(show_trgm(text), 1)`: how many distinct trigrams the text has (0 for none). */
export function trigramCount(text: string, opts?: TrigramOptions): number {
  return trigramSet(text, opts).size;
}

/** Jaccard similarity of two trigram sets as PostgreSQL's float4 (`CALCSML` with `DIVUNION`). */
export function setSimilarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const t of small) if (large.has(t)) shared++;
  // Math.fround of the double quotient equals the float4 division PostgreSQL performs: double
  // rounding is harmless for division when 53 >= 2*24 + 2.
  return Math.fround(shared / (a.size + b.size - shared));
}

/** `similarity(a, b)` of pg_trgm: a float4 value in [0, 1]. */
export function similarity(a: string, b: string, opts?: TrigramOptions): number {
  return setSimilarity(trigramSet(a, opts), trigramSet(b, opts));
}

/**
 * PostgreSQL's `similarity(a, b) > threshold`. The float4 score is compared with the threshold in
 * double precision, so an exact ratio of 4/5 (float4 0.800000011920929) counts as above 0.8: at the
 * default threshold this is "Jaccard >= 0.8" for any realistic set size.
 */
export function isAboveThreshold(score: number, threshold = 0.8): boolean {
  return score > threshold;
}

/**
 * Formats a float4 as PostgreSQL 15 prints it (`similarity(a,b)::text`): the shortest decimal that
 * reads back as the same float4, exponent notation below 1e-4.
 */
export function formatFloat4(value: number): string {
  const x = Math.fround(value);
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
  let exp = "";
  for (let p = 1; p <= 9; p++) {
    exp = x.toExponential(p - 1);
    if (Math.fround(Number(exp)) === x) break;
  }
  const [mantissa = "", expText = "0"] = exp.split("e");
  const e = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (e < -4 || e >= 15) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const absExp = Math.abs(e);
    return `${sign}${digits[0] ?? ""}${frac}e${e < 0 ? "-" : "+"}${absExp < 10 ? "0" : ""}${absExp}`;
  }
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  const intPart = digits.slice(0, e + 1).padEnd(e + 1, "0");
  const fracPart = digits.slice(e + 1);
  return `${sign}${intPart}${fracPart ? `.${fracPart}` : ""}`;
}
