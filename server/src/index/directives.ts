// Preprocessor directives read lexically. AROS headers are mostly `#define`s
// (150,000 of them in the tree); reading them with a regular expression is far
// cheaper than building and walking tree-sitter nodes for each, and blanking
// them afterwards makes tree-sitter's parse of the rest faster too.

import { offsetToPosition } from './lexer';
import type { IncludeInfo, ParamInfo, Range, SymbolInfo } from './types';
import { newSymbol } from './symbol';

export interface Directives {
  macros: SymbolInfo[];
  includes: IncludeInfo[];
  /** [start, end) offsets of directives that tree-sitter does not need to see. */
  blank: Array<[number, number]>;
}

const MAX_SIGNATURE = 400;
/** Conditionals stay for tree-sitter: they shape which declarations belong together. */
const CONDITIONAL = new Set(['if', 'ifdef', 'ifndef', 'elif', 'elifdef', 'elifndef', 'else', 'endif']);

/** `code` is the lexer's masked text; `text` the original, for include paths and macro values. */
export function scanDirectives(code: string, text: string, starts: readonly number[]): Directives {
  const macros: SymbolInfo[] = [];
  const includes: IncludeInfo[] = [];
  const blank: Array<[number, number]> = [];
  // `#`, blanks before it back to the line's start, then a word of [a-z_]: found with indexOf,
  // as `#` is rare outside directives; a multiline regular expression tried every line.
  for (let hash = code.indexOf('#'), next = 0; hash >= 0; hash = code.indexOf('#', next)) {
    next = hash + 1;
    let start = hash;
    while (start > 0 && isBlank(code.charCodeAt(start - 1))) start--;
    if (start > 0 && !isLineBreak(code.charCodeAt(start - 1))) continue;
    let wordStart = hash + 1;
    while (wordStart < code.length && isBlank(code.charCodeAt(wordStart))) wordStart++;
    let wordEnd = wordStart;
    while (wordEnd < code.length && isDirectiveLetter(code.charCodeAt(wordEnd))) wordEnd++;
    if (wordEnd === wordStart) continue;
    const end = endOfDirective(code, start);
    next = end;
    const word = code.slice(wordStart, wordEnd);
    if (CONDITIONAL.has(word)) continue;
    blank.push([start, end]);
    if (word === 'define') {
      const macro = defineSymbol(code, text, starts, wordEnd, start, end);
      if (macro) macros.push(macro);
    } else if (word === 'include' || word === 'include_next' || word === 'import') {
      const inc = /^\s*([<"])([^>"\n]*)[>"]/.exec(text.slice(wordEnd, end));
      if (inc && inc[2].trim()) includes.push({ path: inc[2].trim(), system: inc[1] === '<', line: offsetToPosition(starts, start).line });
    }
  }
  return { macros, includes, blank };
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** Where `^` of a multiline regular expression may match after. */
function isLineBreak(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

function isDirectiveLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || c === 95;
}

function defineSymbol(code: string, text: string, starts: readonly number[], after: number, start: number, end: number): SymbolInfo | undefined {
  const nm = /^[ \t]+([A-Za-z_][A-Za-z0-9_]*)(\()?/.exec(code.slice(after, Math.min(end, after + 256)));
  if (!nm) return undefined;
  const nameStart = after + nm[0].indexOf(nm[1]);
  let params: ParamInfo[] | undefined;
  if (nm[2]) {
    const open = after + nm[0].length;
    const close = code.indexOf(')', open);
    if (close > 0 && close < end) {
      params = code
        .slice(open, close)
        .split(',')
        .map((p) => p.replace(/\\\s*\n/g, '').trim())
        .filter(Boolean)
        .map((name) => ({ type: '', name }));
    }
  }
  const range: Range = { start: offsetToPosition(starts, start), end: offsetToPosition(starts, end) };
  const selectionRange: Range = {
    start: offsetToPosition(starts, nameStart),
    end: offsetToPosition(starts, nameStart + nm[1].length),
  };
  const signature = text
    .slice(start, Math.min(end, start + MAX_SIGNATURE * 4))
    .replace(/\\\s*\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_SIGNATURE);
  return newSymbol({ name: nm[1], kind: 'macro', definition: true, range, selectionRange, signature, params });
}

/** Whether only spaces and tabs stand between the line's start and offset `i`. */
export function atLineStart(code: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0) {
    const c = code.charCodeAt(k);
    if (c === 10) return true;
    if (c !== 32 && c !== 9) return false;
    k--;
  }
  return true;
}

/** `if`, `else`, `endif`, ... for the directive whose `#` is at `hash`. */
export function directiveWord(code: string, hash: number): string {
  const m = /^#[ \t]*([a-z]+)/.exec(code.slice(hash, hash + 24));
  return m ? m[1] : '';
}

/**
 * Offset of the line that ends the conditional branch begun at `from`: its
 * own `#else`, `#elif` (`#elifdef`, `#elifndef`) or `#endif`, past the
 * conditionals nested in it; the end of the text if none does.
 */
export function branchEnd(code: string, from: number): number {
  const directive = /^[ \t]*#/gm;
  directive.lastIndex = from;
  let depth = 0;
  let m: RegExpExecArray | null;
  while ((m = directive.exec(code)) !== null) {
    const hash = m.index + m[0].length - 1;
    const word = directiveWord(code, hash);
    if (word.startsWith('if')) depth++;
    else if (word === 'endif' || word === 'else' || word.startsWith('elif')) {
      if (depth === 0) return m.index;
      if (word === 'endif') depth--;
    }
    directive.lastIndex = endOfDirective(code, hash);
  }
  return code.length;
}

/** A directive runs to the end of its line, continued by a trailing backslash. */
export function endOfDirective(code: string, from: number): number {
  let i = from;
  for (;;) {
    const nl = code.indexOf('\n', i);
    if (nl < 0) return code.length;
    let k = nl - 1;
    if (k >= 0 && code.charCodeAt(k) === 13) k--;
    if (k >= 0 && code.charCodeAt(k) === 92) {
      i = nl + 1;
      continue;
    }
    return nl;
  }
}
