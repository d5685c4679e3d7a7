// Workspace symbol search: rank names by how well they match the query
// (exact, prefix, word segments, substring, fuzzy), then order each name's
// symbols so definitions come before prototypes and `.conf` entries.

import { letterMask, NON_ASCII, segmentStarts } from './nameMatch';
import {
  packedCompactness,
  packedFirst,
  packedIndexOf,
  packedSegmentCount,
  packedSegmentsMatch,
  packedSubsequence,
  queryBytes,
} from './packedNames';
import { buildNameTable, type NameTable, type NameView } from './nameTables';
import { firstAtOrAfter } from './pathNearness';
import type { SymbolRef, WorkspaceIndex } from './workspaceIndex';

export interface SearchOptions {
  limit?: number;
}

const EXACT = 1000;
const EXACT_NOCASE = 950;
const PREFIX = 800;
/** No other kind of match scores this much (word segments stay under 700). */
const LOWEST_PREFIX = PREFIX - 100;
const SEGMENTS = 600;
const SUBSTRING = 400;
const FUZZY = 100;
/** packedCompactness adds at most 100. */
const BEST_FUZZY = FUZZY + 100;


export function searchSymbols(index: WorkspaceIndex, query: string, options: SearchOptions = {}): SymbolRef[] {
  const limit = options.limit ?? 200;
  const q = query.trim();
  if (!q) return [];
  const view = index.names();
  const wanted = queryOf(q);
  // Keep only the best `limit` names: every name has at least one symbol.
  const top = new TopNames(limit);
  // Names that start with the query are one range of each sorted table, and
  // they outrank every other match: when the kept names are all such, nothing
  // else is read.
  const prefixRanges = view.tables.map((t) => {
    const start = firstAtOrAfter(t.lower, wanted.ql);
    let end = start;
    for (; end < t.lower.length && t.lower[end].startsWith(wanted.ql); end++) offer(top, view, t, end, scoreAt(t, end, wanted, 0));
    return { start, end };
  });
  // One letter matches only as a prefix (see scorePacked).
  if ((top.full() && top.floor() >= LOWEST_PREFIX) || wanted.ql.length === 1) return collect(index, top, limit);
  const need = letterMask(wanted.ql);
  view.tables.forEach((t, k) => {
    const { masks } = t;
    const range = prefixRanges[k];
    for (let i = 0; i < masks.length; i++) {
      // The prefix range is scored already.
      if (i === range.start && range.end > range.start) {
        i = range.end - 1;
        continue;
      }
      if ((masks[i] & need) !== need) continue;
      const score = scoreAt(t, i, wanted, top.floor());
      if (score > 0) offer(top, view, t, i, score);
    }
  });
  return collect(index, top, limit);
}

/** Offers name i of table t, unless it is gone from the index. */
function offer(top: TopNames, view: NameView, t: NameTable, i: number, score: number): void {
  if (view.gone.size && view.gone.has(t.names[i])) return;
  top.offer(t.names[i], score);
}

interface Query {
  q: string;
  ql: string;
  /** ql as bytes; undefined when it holds a character outside ASCII. */
  bytes: Uint8Array | undefined;
  /** letterMask of the query's first letter. */
  first: number;
}

function queryOf(q: string): Query {
  const ql = q.toLowerCase();
  return { q, ql, bytes: queryBytes(ql), first: letterMask(ql.charAt(0)) };
}

/** How well `name` matches the query `q` (0: not at all): the score a search gives it. */
export function scoreName(name: string, q: string): number {
  return scoreAt(buildNameTable([name]), 0, queryOf(q.trim()), 0);
}

/**
 * The score of name i of the table. `floor` is the score a name must beat
 * to be kept: a name that can only match fuzzily below it is not scored.
 */
function scoreAt(t: NameTable, i: number, query: Query, floor: number): number {
  if (query.bytes && !(t.masks[i] & NON_ASCII)) return scorePacked(t, i, query.bytes, query, floor);
  return scoreString(t.names[i], t.lower[i], query);
}

function scorePacked(t: NameTable, i: number, bytes: Uint8Array, query: Query, floor: number): number {
  const { packed } = t;
  // Every kind of match is a subsequence of the lower-case name: most names fail this cheap test.
  if (!packedSubsequence(packed, i, bytes)) return 0;
  const length = packed.offsets[i + 1] - packed.offsets[i];
  const at = packedIndexOf(packed, i, bytes);
  if (at === 0) return prefixScore(t.names[i], length, query);
  // Short queries match almost everything fuzzily; keep them to substrings and
  // word initials that start where the name starts (`rp` -> RastPort).
  // One letter: only names that start with it.
  if (bytes.length === 1) return 0;
  const short = bytes.length < 3;
  if (short && packedFirst(packed, i) !== bytes[0]) return at > 0 ? substringScore(at, length) : 0;
  // A word-segment match starts at a segment, so without the query's first
  // letter among the segment initials the costliest test is skipped.
  const mayBeSegments = (t.initials[i] & query.first) !== 0;
  // Nothing but a fuzzy match is left, and the kept names all beat any fuzzy score.
  if (at < 0 && !mayBeSegments && floor >= BEST_FUZZY) return 0;
  if (mayBeSegments) {
    const n = packedSegmentCount(packed, i);
    if (n >= 2 && packedSegmentsMatch(packed, i, bytes)) return SEGMENTS + 100 - Math.min(90, n * 5) - Math.min(50, length / 4);
  }
  if (at > 0) return substringScore(at, length);
  return short ? 0 : FUZZY + packedCompactness(packed, i, bytes);
}

/** Names or queries outside ASCII (never a C identifier) match as prefixes and substrings only. */
function scoreString(name: string, lower: string, query: Query): number {
  const at = lower.indexOf(query.ql);
  if (at === 0) return prefixScore(name, lower.length, query);
  return at > 0 && query.ql.length > 1 ? substringScore(at, lower.length) : 0;
}

function prefixScore(name: string, length: number, query: Query): number {
  if (name === query.q) return EXACT;
  if (length === query.ql.length) return EXACT_NOCASE;
  return PREFIX - Math.min(100, length - query.ql.length);
}

function substringScore(at: number, length: number): number {
  return SUBSTRING - Math.min(100, at) - Math.min(50, length / 4);
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

  full(): boolean {
    return this.names.length >= this.capacity;
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
    // Temporaries, not destructuring: V8 allocated an array per swap here.
    const name = this.names[i];
    this.names[i] = this.names[j];
    this.names[j] = name;
    const score = this.scores[i];
    this.scores[i] = this.scores[j];
    this.scores[j] = score;
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
