// Where the task's function is in a file's text: its header, its body (or the
// prototype's `;` when it has none yet) and the breadcrumb above it.

import { analyzeC } from '../index/analyze';
import { lexC, lineStarts } from '../index/lexer';
import type { SymbolInfo } from '../index/types';

export interface TargetFunction {
  name: string;
  symbol: SymbolInfo;
  /** Offset of the header's first character (the start of its line). */
  start: number;
  /** Offset just after the closing brace, or after the prototype's `;`. */
  end: number;
  /** From `start` to the body's `{` (or the prototype's `;`), trimmed. */
  header: string;
  /** The body between the braces; undefined for a prototype. */
  body?: string;
  /** The C signature as the index reads it (compared by the review). */
  signature: string;
}

/** The definition of `name` in `text` (a prototype when there is no definition). */
export function findFunction(text: string, name: string): TargetFunction | undefined {
  const { analysis } = analyzeC(text);
  const candidates = analysis.symbols.filter((s) => s.kind === 'function' && s.name === name);
  const symbol = candidates.find((s) => s.definition) ?? candidates[0];
  if (!symbol) return undefined;
  const starts = lineStarts(text);
  const start = starts[symbol.range.start.line];
  const rangeEnd = offsetAt(starts, text, symbol.range.end.line, symbol.range.end.character);
  const code = lexC(text).code;
  const nameAt = offsetAt(starts, text, symbol.selectionRange.end.line, symbol.selectionRange.end.character);
  if (!symbol.definition) {
    const semi = code.indexOf(';', nameAt);
    const end = semi >= 0 ? semi + 1 : rangeEnd;
    return { name, symbol, start, end, header: text.slice(start, end - 1).trim(), signature: symbol.signature ?? '' };
  }
  const open = openingBrace(code, nameAt, rangeEnd);
  if (open < 0) return undefined;
  const close = matchingBrace(code, open);
  if (close < 0) return undefined;
  return {
    name,
    symbol,
    start,
    end: close + 1,
    header: text.slice(start, open).trim(),
    body: text.slice(open + 1, close),
    signature: symbol.signature ?? '',
  };
}

/** The body's `{`: the first one after the parameter list closes (AROS macro heads hold parentheses too). */
function openingBrace(code: string, from: number, limit: number): number {
  let depth = 0;
  for (let i = from; i < Math.max(limit, code.length); i++) {
    const c = code[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '{' && depth === 0) return i;
    else if (c === ';' && depth === 0) return -1;
  }
  return -1;
}

function matchingBrace(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '{') depth++;
    else if (code[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function offsetAt(starts: readonly number[], text: string, line: number, character: number): number {
  if (line >= starts.length) return text.length;
  return Math.min(text.length, starts[line] + character);
}

/** The text with the function replaced by `header { body }`, and the new function's own text. */
export function replaceFunction(text: string, target: TargetFunction, body: string): { text: string; functionText: string } {
  const clean = body
    .split('\n')
    .map((l) => (l.trim() ? l : ''))
    .join('\n');
  const functionText = `${target.header}\n{\n${clean}\n}`;
  return { text: `${text.slice(0, target.start)}${functionText}${text.slice(target.end)}`, functionText };
}
