/**
 * @module dedup/rng
 * Seedable pseudo-random numbers for the synthetic corpus and benchmark: the same seed gives the
 * same sequence in Node and workerd, which is what makes the labelled corpus reproducible.
 */

/** Small, fast, seedable PRNG (mulberry32); the same seed gives the same corpus everywhere. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError("pick from an empty list");
    return item;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  shuffle<T>(items: readonly T[]): T[] {
    return items
      .map((item) => ({ item, key: this.next() }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.item);
  }
  /** A derived seed, so sub-generators do not disturb this stream's sequence. */
  fork(): number {
    return Math.floor(this.next() * 4294967296);
  }
}
