/**
 * @module dedup/embedding
 * The lexical embedding stored in Vectorize: signed feature hashing of the pg_trgm trigram set into
 * a fixed number of dimensions, L2-normalised, plus the exact trigram-count range a near-duplicate
 * must fall in. Cosine similarity of two such vectors estimates the Ochiai coefficient
 * |A∩B|/√(|A||B|), which is never below 2J/(1+J) (J = pg_trgm similarity): J >= 0.8 implies an exact
 * Ochiai >= 0.889. The vector only *proposes* candidates; `near-duplicates.ts` proves them exactly.
 * Pure and deterministic: the same text gives the same vector in every runtime and every deploy.
 */
import { type TrigramOptions, trigramSet } from "./trigram";

/** Default index dimensions (`wrangler vectorize create --dimensions=384 --metric=cosine`). */
export const DEFAULT_DIMENSIONS = 384;

/**
 * Cosine score at or above which a neighbour becomes a candidate for exact confirmation, at
 * D = 384. Exact Ochiai for a J >= 0.8 pair is >= 0.889; hashing into 384 dimensions adds an error
 * of about 0.011 (1σ) near that value, so 0.84 sits about 4σ below the bound. Measured lowest
 * score of a true pair: 0.873 over the 1,595 PostgreSQL pairs (both locales), 0.862-0.884 over
 * generated course corpora of 300-1,100 texts; test/dedup/embedding.test.ts requires every true
 * pair to score at least cut-off + 0.01. The margin also absorbs Vectorize's approximate scoring.
 * Use 0.85 at D = 768 (same margin, fewer false candidates).
 */
export const CANDIDATE_CUTOFF = 0.84;

/** Minimum pg_trgm similarity (PostgreSQL `>` semantics) for a pair to be a near-duplicate. */
export const DEFAULT_THRESHOLD = 0.8;

/** FNV-1a over the UTF-8 bytes of `s`, encoded inline to avoid a TextEncoder allocation per trigram. */
function fnv1aUtf8(s: string): number {
  let h = 0x811c9dc5;
  const step = (byte: number): void => {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  };
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) step(cp);
    else if (cp < 0x800) {
      step(0xc0 | (cp >> 6));
      step(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      step(0xe0 | (cp >> 12));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    } else {
      step(0xf0 | (cp >> 18));
      step(0x80 | ((cp >> 12) & 0x3f));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    }
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: FNV's high bits are weak on 3-byte inputs, this spreads them. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Bucket and sign of one trigram: bucket from the high bits of one mix, sign from another. */
export function trigramFeature(trigram: string, dims: number): { bucket: number; sign: 1 | -1 } {
  const h = fmix32(fnv1aUtf8(trigram));
  const bucket = Math.floor((h * dims) / 4294967296);
  const sign = (fmix32(h ^ 0x9e3779b9) & 1) === 1 ? 1 : -1;
  return { bucket, sign };
}

/**
 * Signed feature-hashed, L2-normalised vector of a trigram set. An empty set gives the zero
 * vector (such texts are never queried: see `MIN_TRIGRAMS_FOR_VECTOR` in near-duplicates.ts).
 */
export function vectorFromTrigrams(
  trigrams: Iterable<string>,
  dims: number = DEFAULT_DIMENSIONS,
): Float32Array {
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`dimensions must be a positive integer`);
  const acc = new Float64Array(dims);
  for (const t of trigrams) {
    const { bucket, sign } = trigramFeature(t, dims);
    acc[bucket] = (acc[bucket] ?? 0) + sign;
  }
  let norm = 0;
  for (const v of acc) norm += v * v;
  const out = new Float32Array(dims);
  if (norm === 0) return out;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < dims; i++) out[i] = (acc[i] ?? 0) * inv;
  return out;
}

/** The lexical embedding of a text: `vectorFromTrigrams(trigramSet(text))`. */
export function trigramVector(
  text: string,
  dims: number = DEFAULT_DIMENSIONS,
  opts?: TrigramOptions,
): Float32Array {
  return vectorFromTrigrams(trigramSet(text, opts), dims);
}

/** Inclusive trigram-count bounds, in the shape of a Vectorize range filter. */
export interface SizeRange {
  $gte: number;
  $lte: number;
}

/**
 * Trigram counts another text may have and still reach `similarity > threshold` with a text of
 * `count` trigrams. Since J <= min(a,b)/max(a,b), a count outside this range cannot qualify, so
 * the filter is exact (it never drops a true pair). Bounds are found on the float4 ratio, the same
 * arithmetic PostgreSQL uses, so a ratio of exactly 4/5 stays inside at threshold 0.8.
 */
export function sizeRange(count: number, threshold: number = DEFAULT_THRESHOLD): SizeRange {
  if (!Number.isInteger(count) || count < 0) throw new RangeError("count must be a non-negative integer");
  if (!(threshold > 0 && threshold < 1)) throw new RangeError("threshold must be in (0, 1)");
  const qualifies = (small: number, large: number): boolean =>
    large > 0 && Math.fround(small / large) > threshold;
  // Start from the real-valued bounds and step until the float4 test flips.
  let lo = Math.max(1, Math.ceil(count * threshold));
  while (lo > 1 && qualifies(lo - 1, count)) lo--;
  while (lo <= count && !qualifies(lo, count)) lo++;
  let hi = Math.max(count, Math.floor(count / threshold));
  while (hi > count && !qualifies(count, hi)) hi--;
  while (qualifies(count, hi + 1)) hi++;
  return { $gte: lo, $lte: hi };
}

/** Cosine of two vectors of equal length (0 when either is all zeros). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError("vectors differ in length");
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
