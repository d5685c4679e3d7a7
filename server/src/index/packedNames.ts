// The name table's lower-case names as one byte array, for the full scan of a
// symbol search: reading bytes of one typed array is several times faster than
// reading characters of 300,000 separate strings, and the bit that marks where
// a word segment starts rides along in each byte, so the scan never looks at
// the original strings. Only ASCII names are packed (C identifiers are); the
// search matches the rest on strings.

import { charBit, NON_ASCII, segmentStartsInto } from './nameMatch';

/** Bytes [offsets[i], offsets[i + 1]) are name i: low 7 bits the lower-case character, SEGMENT where a word segment starts. */
export interface PackedNames {
  chars: Uint8Array;
  offsets: Int32Array;
}

const SEGMENT = 0x80;
const CHAR = 0x7f;
const UNDERSCORE = 95;

/** `masks` are the names' letterMasks: a NON_ASCII name is packed as zeros, which no query byte matches. */
export function packNames(names: readonly string[], lower: readonly string[], masks: Int32Array): PackedNames {
  const n = names.length;
  const offsets = new Int32Array(n + 1);
  let size = 0;
  for (let o = 0; o < n; o++) {
    offsets[o] = size;
    size += lower[o].length;
  }
  offsets[n] = size;
  const chars = new Uint8Array(size);
  let starts = new Int32Array(64);
  for (let o = 0; o < n; o++) {
    if (masks[o] & NON_ASCII) continue;
    const text = lower[o];
    const at = offsets[o];
    for (let k = 0; k < text.length; k++) chars[at + k] = text.charCodeAt(k);
    if (starts.length < text.length) starts = new Int32Array(text.length);
    const count = segmentStartsInto(names[o], starts);
    for (let k = 0; k < count; k++) chars[at + starts[k]] |= SEGMENT;
  }
  return { chars, offsets };
}

/** The query as bytes, or undefined when it holds a character no packed name has (outside ASCII, or NUL). */
export function queryBytes(ql: string): Uint8Array | undefined {
  const out = new Uint8Array(ql.length);
  for (let i = 0; i < ql.length; i++) {
    const c = ql.charCodeAt(i);
    if (c === 0 || c > CHAR) return undefined;
    out[i] = c;
  }
  return out;
}

/** Whether the query bytes occur in order within name i. */
export function packedSubsequence(packed: PackedNames, i: number, needle: Uint8Array): boolean {
  const { chars, offsets } = packed;
  const end = offsets[i + 1];
  if (needle.length === 0) return true;
  let j = 0;
  for (let k = offsets[i]; k < end; k++) {
    if ((chars[k] & CHAR) === needle[j] && ++j === needle.length) return true;
  }
  return false;
}

/** Where the query bytes occur in name i, or -1: String.indexOf on the lower-case name. */
export function packedIndexOf(packed: PackedNames, i: number, needle: Uint8Array): number {
  const { chars, offsets } = packed;
  const start = offsets[i];
  const last = offsets[i + 1] - needle.length;
  for (let k = start; k <= last; k++) {
    let j = 0;
    while (j < needle.length && (chars[k + j] & CHAR) === needle[j]) j++;
    if (j === needle.length) return k - start;
  }
  return -1;
}

/** The first character of name i. */
export function packedFirst(packed: PackedNames, i: number): number {
  return packed.offsets[i] < packed.offsets[i + 1] ? packed.chars[packed.offsets[i]] & CHAR : -1;
}

/** How many word segments name i has. */
export function packedSegmentCount(packed: PackedNames, i: number): number {
  let n = 0;
  for (let k = packed.offsets[i]; k < packed.offsets[i + 1]; k++) if (packed.chars[k] & SEGMENT) n++;
  return n;
}

let nextSegment = new Int32Array(64);

/**
 * Whether the query splits into prefixes of name i's word segments, in order
 * (`alpo` -> AllocPooled; segments may be skipped). nextSegment[qi] is the
 * earliest segment start from which the rest of the query, from qi on, may
 * be matched once ql[0..qi) is: an earlier start leaves more choice, so it is
 * the only state worth keeping, and the search is |query| × |name|, not a
 * backtracking walk. A segment ends where the next starts, less any
 * underscores before it.
 */
export function packedSegmentsMatch(packed: PackedNames, i: number, needle: Uint8Array): boolean {
  const { chars, offsets } = packed;
  const start = offsets[i];
  const end = offsets[i + 1];
  const len = needle.length;
  if (nextSegment.length <= len) nextSegment = new Int32Array(len + 1);
  const NONE = end + 1;
  nextSegment.fill(NONE, 0, len + 1);
  nextSegment[0] = start;
  for (let qi = 0; qi < len; qi++) {
    for (let s = nextSegment[qi]; s < end; s++) {
      if (!(chars[s] & SEGMENT)) continue;
      let to = s + 1;
      while (to < end && !(chars[to] & SEGMENT)) to++;
      const after = to;
      while (to > s && (chars[to - 1] & CHAR) === UNDERSCORE) to--;
      let k = 0;
      while (s + k < to && qi + k < len && (chars[s + k] & CHAR) === needle[qi + k]) {
        k++;
        if (nextSegment[qi + k] > after) nextSegment[qi + k] = after;
      }
    }
  }
  return nextSegment[len] !== NONE;
}

/** 0-100: how tightly the query's letters sit in name i (fuzzy matches only). */
export function packedCompactness(packed: PackedNames, i: number, needle: Uint8Array): number {
  const { chars, offsets } = packed;
  let j = 0;
  let first = -1;
  let last = 0;
  for (let k = offsets[i]; k < offsets[i + 1] && j < needle.length; k++) {
    if ((chars[k] & CHAR) === needle[j]) {
      if (first < 0) first = k;
      last = k;
      j++;
    }
  }
  const span = last - first + 1;
  return Math.max(0, 100 - (span - needle.length) * 5);
}

/** letterMask of the letters that begin name i's word segments (0 for a name outside ASCII, which is matched on strings). */
export function packedInitials(packed: PackedNames, i: number): number {
  let m = 0;
  for (let k = packed.offsets[i]; k < packed.offsets[i + 1]; k++) if (packed.chars[k] & SEGMENT) m |= charBit(packed.chars[k] & CHAR);
  return m;
}
