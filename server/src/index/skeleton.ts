// Workspace indexing needs declarations, not statements. Function bodies and
// top-level initializers are most of a C file (all of a generated data table),
// and tree-sitter spends its time there. Their interiors are cut down to their
// newlines plus the indentation of the closing line, so every declaration keeps
// its original line and column (offsets change: map through line starts) and
// tree-sitter parses several times less text. Directives the index reads
// lexically (see directives.ts) are cut the same way; conditionals stay. So are
// the parameter lists of plain declarations (see declarationRanges).
//
// Only braces at file depth 0 are considered, so a file whose braces do not
// balance (conditional compilation around a function head) degrades to a full
// parse of the remainder rather than losing code.

import { branchEnd, endOfDirective } from './directives';
import { isIdentChar, spaces } from './lexer';

const OPEN = 123; // {
const CLOSE = 125; // }
const HASH = 35;
const NL = 10;

/** `code` is the lexer's masked text (comments and literals already blank). */
export function skeletonize(
  code: string,
  cut: DeclarationRanges = declarationRanges(code),
  directives: ReadonlyArray<readonly [number, number]> = [],
): string {
  const ranges = mergeSorted(cut.bodies, [...cut.parameters, ...directives]);
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

/** Spans the skeleton cuts (see `declarationRanges`). */
export interface DeclarationRanges {
  bodies: Array<[number, number]>;
  parameters: Array<[number, number]>;
}

/** Words before a parenthesis that do not name a function: their parentheses are left alone (statements are no heads: see NOT_HEADS). */
const NOT_FUNCTIONS = new Set([
  '__attribute__',
  '__attribute',
  '__declspec',
  'asm',
  '__asm',
  '__asm__',
  '_Alignas',
  'alignas',
  '_Static_assert',
  'static_assert',
  'typeof',
  '__typeof',
  '__typeof__',
  '_Generic',
  'sizeof',
]);

/**
 * `bodies`: interiors of top-level bodies, `{` after `)` (function heads, AROS
 * macros, K&R parameter lists) or `=` (initializers). Braces count only in
 * the first branch of each `#if` (after `#if 0`, the first branch that can be
 * compiled) and never under `#if 0`, so alternative heads or halves of an `if`
 * written per platform do not unbalance the count. A branch skipped at file
 * level (a later one, `#else`, `#elif`, or one under `#if 0`) is read as a
 * file of its own, and its bodies and lists are cut when it ends as it
 * began, at file level (the other implementation of a function under
 * `#else`, a function set aside under `#if 0`): tree-sitter parsed those
 * bodies whole, and the plain reader (plainUnits.ts) gave up on the file.
 *
 * `parameters`: interiors of parameter lists, `name(...)` followed by `;`,
 * `{`, `,` or `=` (VBCC's inline stubs: `long f(__reg("a6") ...)="asm";`, whose
 * register syntax sank whole headers in error recovery), at file level or in
 * `extern "C"` blocks, after a plain head
 * (see plainHead). The index reads parameters from the text, not the tree,
 * and they were a third of what tree-sitter parsed on AROS; an empty list
 * leaves such a declaration the same kind of node with the same name. Lists
 * behind `)` (`(*fp)(int)`) are kept: they tell a pointer from a function.
 * On AROS this changed the symbols of 18 files of 14,500, each for the better
 * or alike (a function where parameter names had been read as variables).
 */
export function declarationRanges(code: string): DeclarationRanges {
  return scanDeclarations(code, true);
}

/** `declarationRanges` looking at every character: the reference its skipping is tested against. */
export function declarationRangesEveryCharacter(code: string): DeclarationRanges {
  return scanDeclarations(code, false);
}

/**
 * `jump`: inside bodies, aggregates and skipped branches, go straight to the
 * next brace or directive. Reads [from, to); `balanced`: it ends at file level
 * with no `}` more than `{`.
 */
function scanDeclarations(code: string, jump: boolean, from = 0, to = code.length): DeclarationRanges & { balanced: boolean } {
  const out: Array<[number, number]> = [];
  const parameters: Array<[number, number]> = [];
  let underflow = false;
  let parens = 0;
  let listStart = -1;
  // Where the current declaration's head begins: its first character after `;`, a brace, a `,` or a
  // directive (-1 until one comes). Not right after them: a blanked comment in between made heads too long.
  let head = -1;
  // Braces open outside bodies, each true for an `extern "C"` block; parameter lists are cut only
  // at file level or in such blocks (not in aggregates, nor where unbalanced braces hid a body).
  const braces: boolean[] = [];
  let enclosed = 0;
  const n = to;
  // `counted`: a branch of the conditional has been counted (the first, or the first after `#if 0`);
  // `atFileLevel`: it began outside any body, aggregate or parameter list.
  const conditionals: Array<{ skip: boolean; counted: boolean; atFileLevel: boolean }> = [];
  let skipping = 0;
  let depth = 0;
  let bodyStart = -1;
  let atLineStart = true;
  for (let i = from; i < n; i++) {
    // Inside a body or an aggregate, or under a skipped branch, only braces and directives
    // count: a regular expression finds the next one (most of a C file is bodies).
    if (jump && !atLineStart && (bodyStart >= 0 || enclosed > 0 || skipping > 0)) {
      const stops = skipping > 0 ? DIRECTIVE_LINE : BRACE_OR_DIRECTIVE_LINE;
      stops.lastIndex = i;
      if (stops.exec(code) === null || stops.lastIndex > n) break;
      i = stops.lastIndex - 1;
    }
    const c = code.charCodeAt(i);
    if (c === NL) {
      atLineStart = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12) continue;
    if (atLineStart && c === HASH) {
      const end = endOfDirective(code, i);
      const word = /^#\s*(\w+)\s*(\S*)/.exec(code.slice(i, Math.min(end, i + 64)));
      // Strings in every case: `undefined` in a switch over strings deoptimized this function.
      const directive = word ? word[1] : '';
      const argument = word ? word[2] : '';
      let branchStarts = false;
      switch (directive) {
        case 'if':
        case 'ifdef':
        case 'ifndef': {
          const skip = directive === 'if' && argument === '0';
          conditionals.push({ skip, counted: !skip, atFileLevel: depth === 0 && parens === 0 });
          if (skip) skipping++;
          branchStarts = true;
          break;
        }
        case 'elif':
        case 'else':
        case 'elifdef':
        case 'elifndef': {
          // Not read past the end: an out-of-bounds read deoptimized this function.
          const top = conditionals.length > 0 ? conditionals[conditionals.length - 1] : undefined;
          if (!top) break;
          if (!top.counted) {
            // After `#if 0` the next branch is the first that can be compiled: it counts.
            top.counted = true;
            top.skip = false;
            skipping--;
          } else if (!top.skip) {
            top.skip = true;
            skipping++;
          }
          branchStarts = true;
          break;
        }
        case 'endif': {
          const top = conditionals.pop();
          if (top?.skip) skipping--;
          break;
        }
      }
      // A branch skipped at file level (under `#if 0`, or after the one counted) is read on its own.
      const top = branchStarts && conditionals.length > 0 ? conditionals[conditionals.length - 1] : undefined;
      if (top && top.skip && skipping === 1 && top.atFileLevel && depth === 0 && parens === 0) {
        const branch = scanDeclarations(code, jump, end, branchEnd(code, end));
        if (branch.balanced) {
          out.push(...branch.bodies);
          parameters.push(...branch.parameters);
        }
      }
      i = end - 1;
      head = -1;
      continue;
    }
    atLineStart = false;
    if (head < 0) head = i;
    if (skipping > 0) continue;
    if (bodyStart < 0 && enclosed === 0) {
      if (c === 40 /* ( */) {
        if (parens === 0) listStart = namesFunction(code, i) && plainHead(code, head, i) ? i + 1 : -1;
        parens++;
      } else if (c === 41 /* ) */) {
        if (parens > 0 && --parens === 0 && listStart >= 0 && endsDeclarator(code, i)) parameters.push([listStart, i]);
      } else if (c === 59 /* ; */) {
        parens = 0;
        head = -1;
      } else if (c === 44 /* , */ && parens === 0) head = -1;
    }
    if (c === OPEN || c === CLOSE) head = -1;
    if (c === OPEN) {
      if (depth === 0 && opensBody(code, i)) {
        bodyStart = i + 1;
        parens = 0;
      }
      const externBlock = bodyStart < 0 && isExternBlock(code, i);
      braces.push(externBlock);
      if (!externBlock) enclosed++;
      depth++;
    } else if (c === CLOSE) {
      if (braces.length > 0 && !braces.pop()) enclosed--;
      if (depth > 0) depth--;
      else underflow = true;
      if (depth === 0 && bodyStart >= 0) {
        out.push([bodyStart, i]);
        bodyStart = -1;
      }
    }
  }
  return { bodies: out, parameters, balanced: depth === 0 && !underflow && parens === 0 };
}

/** A newline before a directive (the lexer keeps the directives of masked code). */
const DIRECTIVE_LINE = /\n(?=[ \t\r\f]*#)/g;
const BRACE_OR_DIRECTIVE_LINE = /[{}]|\n(?=[ \t\r\f]*#)/g;

/** Whether the word before the `(` at `open` may name a function. */
function namesFunction(code: string, open: number): boolean {
  let end = open;
  while (end > 0 && isSpace(code.charCodeAt(end - 1))) end--;
  let start = end;
  while (start > 0 && isIdentChar(code.charCodeAt(start - 1))) start--;
  if (start === end) return false;
  const first = code.charCodeAt(start);
  return !(first >= 48 && first <= 57) && !NOT_FUNCTIONS.has(code.slice(start, end));
}

const NOT_HEADS = new Set(['typedef', 'return', 'if', 'else', 'while', 'for', 'do', 'switch', 'case', 'goto']);

/** `extern "C" {` (the lexer leaves the quotes of a string, blanks within). */
function isExternBlock(code: string, brace: number): boolean {
  let j = brace - 1;
  while (j >= 0 && isSpace(code.charCodeAt(j))) j--;
  if (j < 0 || code.charCodeAt(j) !== 34) return false;
  j = code.lastIndexOf('"', j - 1) - 1;
  while (j >= 0 && isSpace(code.charCodeAt(j))) j--;
  return j >= 5 && code.slice(j - 5, j + 1) === 'extern' && (j < 6 || !isIdentChar(code.charCodeAt(j - 6)));
}

/** Type keywords: with one of them, the head has no other type name. */
const BASIC_TYPES = new Set(['signed', 'unsigned', 'short', 'long', 'int', 'char', 'void', 'float', 'double', '_Bool']);

/** Words a declaration's head may hold besides a type name and the declared name. */
const HEAD_KEYWORDS = new Set([
  ...BASIC_TYPES,
  'static',
  'extern',
  'inline',
  '__inline',
  '__inline__',
  'const',
  '__const',
  'volatile',
  'struct',
  'union',
  'enum',
  'register',
  'auto',
  'restrict',
  '__restrict',
  '__restrict__',
]);

/**
 * Whether [from, open) is a plain declaration head: keywords, `*` and, other
 * than the declared name, one type name (none after a basic type keyword).
 * Anything else (an unknown macro before the type, `__BEGIN_DECLS`, `__aros`,
 * `complex`, an attribute after a declarator) and tree-sitter's error recovery
 * may read the declaration differently without its parameters, so those are
 * left as written.
 */
function plainHead(code: string, from: number, open: number): boolean {
  if (open - from > 256) return false;
  let words = 0;
  let basic = false;
  for (let i = from; i < open; ) {
    const c = code.charCodeAt(i);
    if (isSpace(c) || c === 42 /* * */) {
      i++;
      continue;
    }
    if (!isIdentChar(c) || (c >= 48 && c <= 57)) return false;
    let j = i + 1;
    while (j < open && isIdentChar(code.charCodeAt(j))) j++;
    const word = code.slice(i, j);
    // A typedef's name may be inside the parentheses (`typedef AROS_UFP2(LONG, (*CMP), ...)`); statements are no heads.
    if (NOT_HEADS.has(word)) return false;
    if (BASIC_TYPES.has(word)) basic = true;
    else if (!HEAD_KEYWORDS.has(word)) words++;
    i = j;
  }
  return words === (basic ? 1 : 2);
}

/** Whether a declarator ends at the `)` at `close`: `;`, `{`, `,` or `=` follows. */
function endsDeclarator(code: string, close: number): boolean {
  let j = close + 1;
  while (j < code.length && isSpace(code.charCodeAt(j))) j++;
  if (j >= code.length) return false;
  const c = code.charCodeAt(j);
  return c === 59 || c === OPEN || c === 44 || c === 61;
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
