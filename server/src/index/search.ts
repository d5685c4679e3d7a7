// Workspace symbol search: rank names by how well they match the query
// (exact, prefix, word segments, substring, fuzzy), then order each name's
// symbols so definitions come before prototypes and `.conf` entries.

import type { SymbolRef, WorkspaceIndex } from './workspaceIndex';

export interface SearchOptions {
  limit?: number;
}

const EXACT = 1000;
const EXACT_NOCASE = 950;
const PREFIX = 800;
const SEGMENTS = 600;
const SUBSTRING = 400;
const FUZZY = 100;

export function searchSymbols(index: WorkspaceIndex, query: string, options: SearchOptions = {}): SymbolRef[] {
  const limit = options.limit ?? 200;
  const q = query.trim();
  if (!q) return [];
  const ql = q.toLowerCase();
  const { names, lower } = index.names();
  const scored: Array<{ name: string; score: number }> = [];
  for (let i = 0; i < names.length; i++) {
    const score = scoreName(names[i], lower[i], q, ql);
    if (score > 0) scored.push({ name: names[i], score });
  }
  scored.sort((a, b) => b.score - a.score || a.name.length - b.name.length || (a.name < b.name ? -1 : 1));
  const out: SymbolRef[] = [];
  for (const { name } of scored) {
    const refs = index.lookup(name).sort(compareRefs);
    for (const r of refs) {
      out.push(r);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

export function scoreName(name: string, lower: string, q: string, ql: string): number {
  if (lower.length < ql.length) return 0;
  const at = lower.indexOf(ql);
  if (at === 0) {
    if (name === q) return EXACT;
    if (lower.length === ql.length) return EXACT_NOCASE;
    return PREFIX - Math.min(100, lower.length - ql.length);
  }
  if (!isSubsequence(lower, ql)) return 0;
  const seg = segmentScore(name, ql);
  if (seg > 0) return SEGMENTS + seg - Math.min(50, name.length / 4);
  if (at > 0) return SUBSTRING - Math.min(100, at) - Math.min(50, lower.length / 4);
  return FUZZY + fuzzyCompactness(lower, ql);
}

function isSubsequence(hay: string, needle: string): boolean {
  let j = 0;
  for (let i = 0; i < hay.length && j < needle.length; i++) if (hay.charCodeAt(i) === needle.charCodeAt(j)) j++;
  return j === needle.length;
}

/** Word segments of an identifier: `AllocPooled` -> Alloc, Pooled; `ai_phase_id` -> ai, phase, id. */
export function segments(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_]+/)
    .filter(Boolean)
    .map((s) => s.toLowerCase());
}

/** Positive when the query is a concatenation of prefixes of consecutive-or-later segments (`alpo` -> AllocPooled). */
function segmentScore(name: string, ql: string): number {
  const segs = segments(name);
  if (segs.length < 2) return 0;
  const match = (qi: number, si: number): boolean => {
    if (qi === ql.length) return true;
    for (let s = si; s < segs.length; s++) {
      const seg = segs[s];
      let k = 0;
      while (k < seg.length && qi + k < ql.length && seg.charCodeAt(k) === ql.charCodeAt(qi + k)) k++;
      for (let take = k; take >= 1; take--) if (match(qi + take, s + 1)) return true;
    }
    return false;
  };
  return match(0, 0) ? 100 - Math.min(90, segs.length * 5) : 0;
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

/** Definitions first (library functions' real bodies before everything), then prototypes, then `.conf` entries. */
export function compareRefs(a: SymbolRef, b: SymbolRef): number {
  return rank(a) - rank(b) || (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0) || a.symbol.range.start.line - b.symbol.range.start.line;
}

function rank(r: SymbolRef): number {
  const s = r.symbol;
  if (s.aros?.macro === 'conf') return 3;
  if (!s.definition) return 2;
  if (s.kind === 'field' || s.kind === 'enumerator') return 1;
  return 0;
}
