/**
 * Seeded pseudo-random numbers for everything local that must be reproducible: the simulator (ids order, titles,
 * bodies, file bytes, fault dice: the same seed always produces the same institution) and the labelled dedup corpus
 * (the same seed gives the same corpus in Node and workerd).
 * mulberry32 is small, fast and good enough for test data; it is not cryptographic and must never be.
 */

/** Mixes any number of integers into one 32-bit unsigned value (a murmur3-style finaliser per step). */
export function mix(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    // Split large values (up to 2^53) into two 32-bit halves so ids above 2^32 still mix fully.
    const lo = value >>> 0;
    const hi = Math.floor(value / 0x1_0000_0000) >>> 0;
    h = Math.imul(h ^ lo, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h = Math.imul(h ^ hi, 0x27d4eb2f);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** FNV-1a over a string: a cheap synchronous fingerprint (used for bucket keys and stable per-name seeds). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic random stream. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("Rng.pick on an empty list");
    return item;
  }

  /** The items in a shuffled order (the input is left as it was). */
  shuffle<T>(items: readonly T[]): T[] {
    return items
      .map((item) => ({ item, key: this.next() }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.item);
  }

  /** A seed drawn from this stream, for a sub-generator whose draws must not disturb this one's sequence. */
  nextSeed(): number {
    return Math.floor(this.next() * 4294967296);
  }

  /** A fresh independent stream derived from this one and a label (so adding draws elsewhere shifts nothing). */
  fork(label: number): Rng {
    return new Rng(mix(this.state, label));
  }
}

/** A version-4-shaped UUID drawn from the seeded stream (Canvas uuids are opaque strings). */
export function seededUuid(rng: Rng): string {
  const hex: string[] = [];
  for (let i = 0; i < 32; i++) hex.push(Math.floor(rng.next() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((rng.int(0, 3) & 0x3) | 0x8).toString(16);
  const s = hex.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
