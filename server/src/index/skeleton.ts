// Workspace indexing needs declarations, not statements. Function bodies and
// top-level initializers are most of a C file (all of a generated data table),
// and tree-sitter spends its time there. Their interiors are cut down to their
// newlines plus the indentation of the closing line, so every declaration keeps
// its original line and column (offsets change: map through line starts) and
// tree-sitter parses several times less text. Directives the index reads
// lexically (see directives.ts) are cut the same way; conditionals stay.
//
// Only braces at file depth 0 are considered, so a file whose braces do not
// balance (conditional compilation around a function head) degrades to a full
// parse of the remainder rather than losing code.

import { endOfDirective } from './directives';
import { spaces } from './lexer';

const OPEN = 123; // {
const CLOSE = 125; // }
const HASH = 35;
const NL = 10;

/** `code` is the lexer's masked text (comments and literals already blank). */
export function skeletonize(
  code: string,
  bodies: ReadonlyArray<readonly [number, number]> = bodyRanges(code),
  directives: ReadonlyArray<readonly [number, number]> = [],
): string {
  const ranges = mergeSorted(bodies, directives);
  if (ranges.length === 0) return code;
  const parts: string[] = [];
  let copied = 0;
  for (const [from, to] of ranges) {
    if (from < copied) continue;
    parts.push(code.slice(copied, from), newlinesAndTail(code, from, to));
    copied = to;
  }
  parts.push(code.slice(copied));
  return parts.join('');
}

/**
 * Interiors of top-level bodies: `{` after `)` (function heads, AROS macros, K&R
 * parameter lists) or `=` (initializers). Braces count only in the first branch
 * of each `#if` and never under `#if 0`, so alternative heads or halves of an
 * `if` written per platform do not unbalance the count.
 */
export function bodyRanges(code: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const n = code.length;
  const conditionals: Array<{ skip: boolean }> = [];
  let skipping = 0;
  let depth = 0;
  let bodyStart = -1;
  let atLineStart = true;
  for (let i = 0; i < n; i++) {
    const c = code.charCodeAt(i);
    if (c === NL) {
      atLineStart = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12) continue;
    if (atLineStart && c === HASH) {
      const end = endOfDirective(code, i);
      const word = /^#\s*(\w+)\s*(\S*)/.exec(code.slice(i, Math.min(end, i + 64)));
      switch (word?.[1]) {
        case 'if':
        case 'ifdef':
        case 'ifndef': {
          const skip = word[1] === 'if' && word[2] === '0';
          conditionals.push({ skip });
          if (skip) skipping++;
          break;
        }
        case 'elif':
        case 'else':
        case 'elifdef':
        case 'elifndef': {
          const top = conditionals[conditionals.length - 1];
          if (top && !top.skip) {
            top.skip = true;
            skipping++;
          }
          break;
        }
        case 'endif': {
          const top = conditionals.pop();
          if (top?.skip) skipping--;
          break;
        }
      }
      i = end - 1;
      continue;
    }
    atLineStart = false;
    if (skipping > 0) continue;
    if (c === OPEN) {
      if (depth === 0 && opensBody(code, i)) bodyStart = i + 1;
      depth++;
    } else if (c === CLOSE) {
      if (depth > 0) depth--;
      if (depth === 0 && bodyStart >= 0) {
        out.push([bodyStart, i]);
        bodyStart = -1;
      }
    }
  }
  return out;
}

function opensBody(code: string, brace: number): boolean {
  let j = brace - 1;
  for (;;) {
    while (j >= 0 && isSpace(code.charCodeAt(j))) j--;
    if (j < 0) return false;
    // Skip a preprocessor line between the head and the brace.
    const lineStart = code.lastIndexOf('\n', j) + 1;
    let first = lineStart;
    while (first <= j && (code.charCodeAt(first) === 32 || code.charCodeAt(first) === 9)) first++;
    if (code.charCodeAt(first) === HASH) {
      j = lineStart - 1;
      continue;
    }
    const c = code.charCodeAt(j);
    return c === 41 /* ) */ || c === 61 /* = */ || (c === 59 /* ; */ && afterKnRParameters(code, j));
  }
}

/** `int f(a, b) int a; char *b; {`: only declarations of parameters stand between `)` and `{`. */
function afterKnRParameters(code: string, semicolon: number): boolean {
  const stop = Math.max(0, semicolon - 2000);
  for (let j = semicolon; j >= stop; j--) {
    const c = code.charCodeAt(j);
    if (c === 41) return true;
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || isSpace(c) || c === 42 || c === 44 || c === 59 || c === 91 || c === 93;
    if (!ok) return false;
  }
  return false;
}

/** Both inputs are sorted; overlapping ranges are merged. */
function mergeSorted(a: ReadonlyArray<readonly [number, number]>, b: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [from, to] of all) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
}

/** The newlines of [from, to) and enough spaces to keep the column of `to`. */
function newlinesAndTail(code: string, from: number, to: number): string {
  let lines = 0;
  let last = -1;
  for (let i = code.indexOf('\n', from); i >= 0 && i < to; i = code.indexOf('\n', i + 1)) {
    lines++;
    last = i;
  }
  return lines === 0 ? spaces(to - from) : '\n'.repeat(lines) + spaces(to - last - 1);
}
