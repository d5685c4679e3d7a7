// Cheap per-name facts for symbol search: which letters a name contains and
// where its word segments begin.

/** letterMask's bit for a character outside ASCII (such names are matched on strings, not bytes). */
export const NON_ASCII = 1 << 30;

/** Bits 0-25 for a-z, 26 for digits, 27 for `_`, NON_ASCII. Input is lower-case. */
export function letterMask(lower: string): number {
  let m = 0;
  for (let i = 0; i < lower.length; i++) m |= charBit(lower.charCodeAt(i));
  return m;
}

/** letterMask of one lower-case character code. */
export function charBit(c: number): number {
  if (c >= 97 && c <= 122) return 1 << (c - 97);
  if (c >= 48 && c <= 57) return 1 << 26;
  if (c === 95) return 1 << 27;
  return c > 127 ? NON_ASCII : 0;
}

/** Where segments begin: after `_`, at a lower-to-upper step, at the last capital of a run before lower case. */
export function segmentStarts(name: string): number[] {
  const out = new Int32Array(name.length);
  return Array.from(out.subarray(0, segmentStartsInto(name, out)));
}

/** segmentStarts written into `out` (allocation-free for hot loops); returns how many, at most out.length. */
export function segmentStartsInto(name: string, out: Int32Array): number {
  let n = 0;
  let prev = 0; // 0 start/underscore, 1 lower or digit, 2 upper
  for (let i = 0; i < name.length && n < out.length; i++) {
    const c = name.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    if (c === 95) {
      prev = 0;
      continue;
    }
    if (prev === 0) out[n++] = i;
    else if (upper && prev === 1) out[n++] = i;
    // A digit does not end a capital run: `AROS_LH2` is aros, lh2 (not aros, l, h2).
    else if (isLower(c) && prev === 2 && i >= 2 && isUpper(name.charCodeAt(i - 2)) && out[n - 1] !== i - 1) out[n++] = i - 1;
    prev = upper ? 2 : 1;
  }
  return n;
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

