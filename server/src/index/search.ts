// Workspace symbol search: rank names by how well they match the query
// (exact, prefix, word segments, substring, fuzzy), then order each name's
// symbols so definitions come before prototypes and `.conf` entries.

import { letterMask, lowerCode, segmentStarts } from './nameMatch';
import type { SymbolRef, WorkspaceIndex } from './workspaceIndex';
import { firstAtOrAfter } from './pathNearness';

export interface SearchOptions {
  limit?: number;
}

const EXACT = 1000;
const EXACT_NOCASE = 950;
const PREFIX = 800;
const SEGMENTS = 600;
const SUBSTRING = 400;
const FUZZY = 100;
/** fuzzyCompactness adds at most 100. */
const BEST_FUZZY = FUZZY + 100;


export function searchSymbols(index: WorkspaceIndex, query: string, options: SearchOptions = {}): SymbolRef[] {
  const limit = options.limit ?? 200;
  const q = query.trim();
  if (!q) return [];
  const ql = q.toLowerCase();
  const { names, lower, masks, initials } = index.names();
  const need = letterMask(ql);
  // Keep only the best `limit` names: every name has at least one symbol.
  const top = new TopNames(limit);
  // Names that start with the query are one range of the sorted table, and they
  // outrank every other match: when there are enough of them, nothing else is read.
  const prefixStart = firstAtOrAfter(lower, ql);
  let prefixEnd = prefixStart;
  for (; prefixEnd < lower.length && lower[prefixEnd].startsWith(ql); prefixEnd++) {
    top.offer(names[prefixEnd], scoreName(names[prefixEnd], lower[prefixEnd], q, ql));
  }
  if (prefixEnd - prefixStart >= limit) return collect(index, top, limit);
  for (let i = 0; i < names.length; i++) {
    // The prefix range is scored already.
    if (i === prefixStart && prefixEnd > prefixStart) {
      i = prefixEnd - 1;
      continue;
    }
    if ((masks[i] & need) !== need) continue;
    const score = scoreName(names[i], lower[i], q, ql, initials[i], top.floor());
    if (score > 0) top.offer(names[i], score);
  }
  return collect(index, top, limit);
}

function collect(index: WorkspaceIndex, top: TopNames, limit: number): SymbolRef[] {
  const out: SymbolRef[] = [];
  for (const name of top.sorted()) {
    for (const r of sortRefs(index.lookup(name))) {
      out.push(r);
      if (out.length >= limit) return out;
    }
  }
  return out;
}


/** Better first: higher score, then shorter, then alphabetical. */
function better(aName: string, aScore: number, bName: string, bScore: number): boolean {
  if (aScore !== bScore) return aScore > bScore;
  if (aName.length !== bName.length) return aName.length < bName.length;
  return aName < bName;
}

/** A bounded min-heap of the best names seen. */
class TopNames {
  private readonly names: string[] = [];
  private readonly scores: number[] = [];

  constructor(private readonly capacity: number) {}

  offer(name: string, score: number): void {
    if (this.names.length < this.capacity) {
      this.names.push(name);
      this.scores.push(score);
      this.up(this.names.length - 1);
    } else if (better(name, score, this.names[0], this.scores[0])) {
      this.names[0] = name;
      this.scores[0] = score;
      this.down(0);
    }
  }

  /** The score a name must beat to be kept; 0 while there is room. */
  floor(): number {
    return this.names.length < this.capacity ? 0 : this.scores[0];
  }

  sorted(): string[] {
    const idx = this.names.map((_, i) => i);
    idx.sort((a, b) => (better(this.names[a], this.scores[a], this.names[b], this.scores[b]) ? -1 : 1));
    return idx.map((i) => this.names[i]);
  }

  /** The root is the worst kept name. */
  private worse(i: number, j: number): boolean {
    return better(this.names[j], this.scores[j], this.names[i], this.scores[i]);
  }

  private swap(i: number, j: number): void {
    [this.names[i], this.names[j]] = [this.names[j], this.names[i]];
    [this.scores[i], this.scores[j]] = [this.scores[j], this.scores[i]];
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.worse(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.names.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < n && this.worse(l, w)) w = l;
      if (r < n && this.worse(r, w)) w = r;
      if (w === i) return;
      this.swap(i, w);
      i = w;
    }
  }
}

/**
 * How well `name` matches the query (0: not at all). `initials`, when given,
 * is the letterMask of the name's segment-initial letters: a word-segment match
 * must start at one, so without the query's first letter among them the
 * costliest test is skipped.
 */
export function scoreName(name: string, lower: string, q: string, ql: string, initials?: number, floor = 0): number {
  if (lower.length < ql.length) return 0;
  const at = lower.indexOf(ql);
  if (at === 0) {
    if (name === q) return EXACT;
    if (lower.length === ql.length) return EXACT_NOCASE;
    return PREFIX - Math.min(100, lower.length - ql.length);
  }
  // Short queries match almost everything fuzzily; keep them to substrings and
  // word initials that start where the name starts (`rp` -> RastPort).
  // One letter: only names that start with it.
  if (ql.length === 1) return 0;
  const short = ql.length < 3;
  if (short && lower.charCodeAt(0) !== ql.charCodeAt(0)) return at > 0 ? SUBSTRING - Math.min(100, at) - Math.min(50, lower.length / 4) : 0;
  const mayBeSegments = initials === undefined || (initials & letterMask(ql[0])) !== 0;
  // Nothing but a fuzzy match is left, and the kept names all beat any fuzzy score.
  if (at < 0 && !mayBeSegments && floor >= BEST_FUZZY) return 0;
  if (at < 0 && !isSubsequence(lower, ql)) return 0;
  const seg = mayBeSegments ? segmentScore(name, ql) : 0;
  if (seg > 0) return SEGMENTS + seg - Math.min(50, name.length / 4);
  if (at > 0) return SUBSTRING - Math.min(100, at) - Math.min(50, lower.length / 4);
  return short ? 0 : FUZZY + fuzzyCompactness(lower, ql);
}

function isSubsequence(hay: string, needle: string): boolean {
  let j = 0;
  for (let i = 0; i < hay.length && j < needle.length; i++) if (hay.charCodeAt(i) === needle.charCodeAt(j)) j++;
  return j === needle.length;
}

/** Word segments of an identifier: `AllocPooled` -> alloc, pooled; `ai_phase_id` -> ai, phase, id. */
export function segments(name: string): string[] {
  const starts = segmentStarts(name);
  const out: string[] = [];
  for (let k = 0; k < starts.length; k++) {
    const from = starts[k];
    let to = k + 1 < starts.length ? starts[k + 1] : name.length;
    while (to > from && name.charCodeAt(to - 1) === 95) to--;
    if (to > from) out.push(name.slice(from, to).toLowerCase());
  }
  return out;
}





/**
 * Positive when the query is a concatenation of prefixes of successive segments
 * (`alpo` -> AllocPooled). Works on segment offsets in the name itself: this
 * runs for every candidate of a full scan, so it allocates no strings.
 */
function segmentScore(name: string, ql: string): number {
  const starts = segmentStarts(name);
  if (starts.length < 2) return 0;
  // A segment ends where the next starts, less any underscores before it.
  const ends = starts.map((_, k) => {
    let to = k + 1 < starts.length ? starts[k + 1] : name.length;
    while (to > starts[k] && name.charCodeAt(to - 1) === 95) to--;
    return to;
  });
  let steps = 0;
  const match = (qi: number, si: number): boolean => {
    if (qi === ql.length) return true;
    // Bounded: pathological names cannot make a query slow.
    if (++steps > 200) return false;
    for (let s = si; s < starts.length; s++) {
      const from = starts[s];
      let k = 0;
      while (from + k < ends[s] && qi + k < ql.length && lowerCode(name.charCodeAt(from + k)) === ql.charCodeAt(qi + k)) k++;
      for (let take = k; take >= 1; take--) if (match(qi + take, s + 1)) return true;
    }
    return false;
  };
  return match(0, 0) ? 100 - Math.min(90, starts.length * 5) : 0;
}


function fuzzyCompactness(hay: string, needle: string): number {
  let j = 0;
  let first = -1;
  let last = 0;
  for (let i = 0; i < hay.length && j < needle.length; i++) {
    if (hay.charCodeAt(i) === needle.charCodeAt(j)) {
      if (first < 0) first = i;
      last = i;
      j++;
    }
  }
  const span = last - first + 1;
  return Math.max(0, 100 - (span - needle.length) * 5);
}

/**
 * Library functions' real bodies first, then other definitions, then members,
 * then prototypes, then `.conf` entries; generic code before ports and before
 * the unmaintained tree.
 */
export function compareRefs(a: SymbolRef, b: SymbolRef): number {
  return (
    rank(a) - rank(b) ||
    pathRank(a.file.path) - pathRank(b.file.path) ||
    (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0) ||
    a.line - b.line
  );
}

/** compareRefs' order, with each ref's keys read once (a common name has thousands of symbols). */
export function sortRefs(refs: SymbolRef[]): SymbolRef[] {
  const keyed = refs.map((ref) => ({ ref, rank: rank(ref) * 4 + pathRank(ref.file.path), path: ref.file.path, line: ref.line }));
  keyed.sort((a, b) => a.rank - b.rank || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.line - b.line);
  return keyed.map((k) => k.ref);
}

function rank(r: SymbolRef): number {
  if (r.fromConf) return 5;
  if (!r.definition) return 4;
  if (r.libraryFunction) return 0;
  const kind = r.kind;
  if (kind === 'field' || kind === 'enumerator') return 3;
  if (kind === 'macro' || kind === 'variable') return 2;
  return 1;
}

function pathRank(path: string): number {
  if (path.includes('.unmaintained/')) return 2;
  return path.startsWith('arch/') ? 1 : 0;
}
