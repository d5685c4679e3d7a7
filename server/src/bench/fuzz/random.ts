// The fuzzer's randomness: one seeded stream per case (mulberry32, the bench
// PRNG), so case i of seed S is the same bytes on every run and can be
// replayed alone.

import { mulberry32 } from '../seededRandom';

export class Rng {
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }

  /** [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** One of `choices`, with probability proportional to its weight. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    const total = choices.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [value, w] of choices) {
      r -= w;
      if (r < 0) return value;
    }
    return choices[choices.length - 1][0];
  }

  /** A string of `length` characters drawn from `alphabet` (code points). */
  string(length: number, alphabet: string = ALPHANUMERIC): string {
    const chars = Array.from(alphabet);
    let s = '';
    for (let i = 0; i < length; i++) s += chars[Math.floor(this.next() * chars.length)];
    return s;
  }

  bytes(length: number): Buffer {
    const b = Buffer.alloc(length);
    for (let i = 0; i < length; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
}

export const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';

/** The seed of case `index` in a run seeded with `seed` (independent of every other case). */
export function caseSeed(seed: number, index: number): number {
  const r = mulberry32((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  r();
  return Math.floor(r() * 4294967296) >>> 0;
}
