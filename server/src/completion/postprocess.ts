// Cleans a fill-in-the-middle model's raw output before the editor shows it. Each step is
// a small pure function; `postprocess` runs them in order. The steps answer what users
// of other tools complain about: endless repetition, suggestions that run past the
// enclosing block, and suggestions that repeat the code right below the cursor.

import { isIdentChar, lexC } from '../index/lexer';

export type SuggestionMode = 'line' | 'block';

export interface PostprocessContext {
  /** Document text before the cursor (the model's prefix, or more). */
  prefix: string;
  /** Document text after the cursor. */
  suffix: string;
  mode: SuggestionMode;
  /** Indentation of statements in the cursor's block; derived from the prefix when absent. */
  indent?: string;
  /** Most lines a block suggestion may have (default 30). */
  maxLines?: number;
}

export const DEFAULT_MAX_LINES = 30;

/** Returns '' when nothing worth showing is left. */
export function postprocess(raw: string, ctx: PostprocessContext): string {
  let s = raw.replace(/\r\n?/g, '\n');
  // Inside a comment (a breadcrumb) the text is prose: brackets in it prove nothing.
  const prose = prefixEndsInComment(ctx.prefix);
  if (ctx.mode === 'line') {
    s = firstLine(s);
    if (!prose) s = cutExcessClosers(s, prefixOpeners(ctx.prefix).length);
  } else {
    if (!prose) s = limitToBlock(s, ctx.prefix, ctx.indent);
    s = dropRepetition(s, blankCursorLine(ctx.prefix));
    s = capLines(s, ctx.maxLines ?? DEFAULT_MAX_LINES);
  }
  s = dropPrefixDuplicate(s, ctx.prefix);
  s = stripTrailingBlankLines(s);
  s = cutAtSuffixLine(s, ctx.prefix, ctx.suffix);
  s = trimSuffixOverlap(s, ctx.suffix);
  if (!prose) s = balanceBrackets(s, ctx.prefix, ctx.suffix);
  return s.trim() === '' ? '' : s;
}

// ---------------------------------------------------------------------------
// Line mode

/**
 * The rest of the cursor line. A suggestion that starts with a line break (the cursor
 * sits at the end of a finished line) keeps its first line with content instead.
 */
export function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  if (nl < 0) return s;
  if (s.slice(0, nl).trim() !== '') return s.slice(0, nl);
  const m = /^[ \t]*\n(?:[ \t]*\n)*[^\n]*/.exec(s);
  return m ? m[0] : s.slice(0, nl);
}

// ---------------------------------------------------------------------------
// Block mode: scope, repetition, length

/**
 * Cuts the suggestion where it leaves the cursor's block: after the closer that closes
 * the innermost bracket the prefix left open, before a closer the prefix never opened,
 * and before a line indented less than the block's statements.
 */
export function limitToBlock(s: string, prefix: string, indent?: string): string {
  const open = prefixOpeners(prefix).length;
  const end = Math.min(scopeEnd(s, open, true), dedentCut(s, blockIndent(prefix, indent)));
  return end >= s.length ? s : trimLineEnd(s.slice(0, end));
}

/** Line mode's share of the scope rule: never close more than the prefix opened. */
export function cutExcessClosers(s: string, prefixOpen: number): string {
  const end = scopeEnd(s, prefixOpen, false);
  return end >= s.length ? s : trimLineEnd(s.slice(0, end));
}

/** Where the suggestion's scope ends, as an offset to cut at (s.length when it does not). */
function scopeEnd(s: string, prefixOpen: number, stopAtBlockEnd: boolean): number {
  const code = lexC(s).code;
  let own = 0;
  let closedFromPrefix = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (isOpener(c)) own++;
    else if (!isCloser(c)) continue;
    else if (own > 0) {
      own--;
      // At file level one definition (a function, a struct) is one suggestion.
      if (own === 0 && prefixOpen === 0 && stopAtBlockEnd && c === CLOSE_BRACE) return blockEndAfter(code, i);
    } else if (closedFromPrefix >= prefixOpen) return i;
    else if (stopAtBlockEnd) return blockEndAfter(code, i);
    else closedFromPrefix++;
  }
  return s.length;
}

/**
 * The cursor's block closes at `i`. Keep the rest of that line (`};`, `} while (x);`)
 * unless it opens something new (`} else {`), which belongs to the next block.
 */
function blockEndAfter(code: string, i: number): number {
  let end = code.indexOf('\n', i);
  if (end < 0) end = code.length;
  return unmatchedOpeners(code.slice(i + 1, end)) > 0 ? i + 1 : end;
}

/** Offset of the line break before the first line that dedents below `indent`. */
function dedentCut(s: string, indent: string): number {
  const limit = indentWidth(indent);
  if (limit === 0) return s.length;
  let at = s.indexOf('\n');
  while (at >= 0) {
    const next = s.indexOf('\n', at + 1);
    const line = s.slice(at + 1, next < 0 ? s.length : next);
    if (line.trim() !== '' && !dedentExempt(line) && indentWidth(leadingWhitespace(line)) < limit) return at;
    at = next;
  }
  return s.length;
}

/** Directives and goto labels sit in column 0 inside bodies without ending them. */
function dedentExempt(line: string): boolean {
  const t = line.trim();
  return t.startsWith('#') || (/^[A-Za-z_]\w*\s*:(?!:)/.test(t) && !/^(?:default|case)\b/.test(t));
}

/** The indentation of statements at the cursor: the cursor line's own indentation. */
export function blockIndent(prefix: string, indent?: string): string {
  if (indent !== undefined) return indent;
  return leadingWhitespace(prefix.slice(prefix.lastIndexOf('\n') + 1));
}

/**
 * A line repeated three or more times in a row, or a cycle of two or three lines that
 * repeats, is how a small model loops: keep the first occurrence and drop the rest.
 */
export function dropRepetition(s: string, cursorIndent = ''): string {
  const lines = s.split('\n');
  // The first line continues the cursor line: compare it with the indentation it will have.
  const key = lines.map((l, i) => (i === 0 ? cursorIndent + l : l).trimEnd());
  for (let i = 0; i < lines.length; i++) {
    for (let period = 1; period <= 3; period++) {
      if (repeatsAt(key, i, period)) return lines.slice(0, i + period).join('\n');
    }
  }
  return s;
}

function repeatsAt(key: readonly string[], i: number, period: number): boolean {
  const needed = period === 1 ? 3 : 2;
  if (i + period * needed > key.length) return false;
  const cycle = key.slice(i, i + period);
  // Runs of blank lines are layout, and stacked #endif lines are legitimate.
  if (cycle.every((l) => l.trim() === '' || l.trim().startsWith('#'))) return false;
  if (period > 1 && !cycle.some((l) => /\w/.test(l))) return false;
  for (let n = 1; n < needed; n++) {
    for (let k = 0; k < period; k++) if (key[i + n * period + k] !== cycle[k]) return false;
  }
  return true;
}

export function capLines(s: string, maxLines: number): string {
  const lines = s.split('\n');
  return lines.length <= maxLines ? s : lines.slice(0, Math.max(1, maxLines)).join('\n');
}

// ---------------------------------------------------------------------------
// Both modes: the code around the cursor

/**
 * Drops lines at the start of the suggestion that repeat the last non-blank line of the
 * prefix verbatim: the model re-typing the line the user just wrote.
 */
export function dropPrefixDuplicate(s: string, prefix: string): string {
  const cursorLine = prefix.slice(prefix.lastIndexOf('\n') + 1);
  const ref = lastNonBlankLine(prefix).trim();
  if (!/\w/.test(ref)) return s;
  const cursorBlank = cursorLine.trim() === '';
  let out = s;
  for (;;) {
    const lines = out.split('\n');
    const j = lines.findIndex((l) => l.trim() !== '');
    if (j < 0 || lines[j].trim() !== ref) return out;
    // The first segment continues the cursor line; it is a whole line only on a blank line.
    if (j === 0 && !cursorBlank) return out;
    if (j === 0) {
      const rest = lines.slice(1);
      if (rest.length > 0 && rest[0].startsWith(cursorLine)) rest[0] = rest[0].slice(cursorLine.length);
      out = rest.join('\n');
    } else {
      out = [...lines.slice(0, j), ...lines.slice(j + 1)].join('\n');
    }
  }
}

/** The cursor line's text when it is only whitespace (the suggestion then starts a line), else ''. */
function blankCursorLine(prefix: string): string {
  const line = prefix.slice(prefix.lastIndexOf('\n') + 1);
  return line.trim() === '' ? line : '';
}

function lastNonBlankLine(text: string): string {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].trim() !== '') return lines[i];
  return '';
}

/** Cuts the suggestion at a line equal to the first non-blank line below the cursor line. */
export function cutAtSuffixLine(s: string, prefix: string, suffix: string): string {
  const below = suffix.split('\n').slice(1).find((l) => l.trim() !== '');
  if (below === undefined || !/\w/.test(below)) return s;
  const target = below.trim();
  const cursorBlank = prefix.slice(prefix.lastIndexOf('\n') + 1).trim() === '';
  const lines = s.split('\n');
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    if ((i > 0 || cursorBlank) && lines[i].trim() === target) return stripTrailingBlankLines(s.slice(0, Math.max(0, offset - 1)));
    offset += lines[i].length + 1;
  }
  return s;
}

/**
 * Drops the end of the suggestion when it repeats the start of the suffix, comparing
 * without whitespace. The overlap must start and end on token boundaries, and must not
 * take away a closer the suggestion needs for its own brackets.
 */
export function trimSuffixOverlap(s: string, suffix: string): string {
  const sx = squeeze(s);
  const head = squeeze(suffix.slice(0, 2000));
  const ownOpen = unmatchedOpeners(lexC(s).code);
  for (let k = Math.min(sx.chars.length, head.chars.length); k > 0; k--) {
    if (sx.chars.slice(sx.chars.length - k) !== head.chars.slice(0, k)) continue;
    const start = sx.pos[sx.chars.length - k];
    const endInSuffix = head.pos[k - 1];
    if (isIdentChar(s.charCodeAt(start)) && isIdentChar(s.charCodeAt(start - 1))) continue;
    if (isIdentChar(suffix.charCodeAt(endInSuffix)) && isIdentChar(suffix.charCodeAt(endInSuffix + 1))) continue;
    if (unmatchedOpeners(lexC(s.slice(0, start)).code) > ownOpen) continue;
    return keepBreakBeforeSuffix(s, start, suffix);
  }
  return s;
}

/**
 * `s` loses everything from `start`. If the suffix's first token sits on the cursor line
 * (`{|}`), the line break the suggestion had put before that token is kept.
 */
function keepBreakBeforeSuffix(s: string, start: number, suffix: string): string {
  const kept = s.slice(0, start).trimEnd();
  const gap = s.slice(kept.length, start);
  // The suffix brings its own whitespace; otherwise the gap still separates two tokens.
  if (kept === '' || gap === '' || /^\s/.test(suffix)) return kept;
  return gap.includes('\n') ? kept + gap.slice(gap.lastIndexOf('\n')) : kept + gap;
}

/**
 * Never close what the suffix already closes: when the suggestion's trailing closers and
 * the suffix's leading closers together close more than the prefix left open, the
 * suggestion's extra closers (and what follows them) go.
 */
export function balanceBrackets(s: string, prefix: string, suffix: string): string {
  const code = lexC(s).code;
  const tail = /[\s)\]};,]*$/.exec(code);
  const tailStart = tail ? tail.index : code.length;
  const { own, strayClosers } = bracketState(code);
  const trailing = strayClosers.filter((p) => p >= tailStart);
  if (trailing.length === 0) return s;
  const suffixClosers = countClosers(/^[\s)\]};,]*/.exec(suffix)?.[0] ?? '');
  const excess = trailing.length + Math.max(0, suffixClosers - own) - prefixOpeners(prefix).length;
  if (excess <= 0) return s;
  const cut = trailing[trailing.length - Math.min(excess, trailing.length)];
  return trimLineEnd(s.slice(0, cut));
}

export function stripTrailingBlankLines(s: string): string {
  return s.replace(/(?:\n[ \t]*)+$/, '');
}

// ---------------------------------------------------------------------------
// Brackets

/** The prefix ends inside a comment (an unterminated block comment or a line comment). */
export function prefixEndsInComment(prefix: string): boolean {
  const from = tailStart(prefix);
  const { comments } = lexC(prefix.slice(from));
  const last = comments[comments.length - 1];
  if (!last || from + last.end < prefix.length) return false;
  return !last.block || !prefix.endsWith('*/') || last.end - last.start < 4;
}

function tailStart(prefix: string): number {
  const from = Math.max(0, prefix.length - PREFIX_TAIL);
  return from > 0 ? prefix.indexOf('\n', from) + 1 || prefix.length : 0;
}

const PREFIX_TAIL = 32_000;

/**
 * Offsets (in the prefix) of the brackets the prefix leaves open. Only the tail matters;
 * it starts at a line start, and directive lines are skipped as the trigger does.
 */
export function prefixOpeners(prefix: string): number[] {
  const from = tailStart(prefix);
  const code = lexC(prefix.slice(from)).code;
  const stack: number[] = [];
  let directive = false;
  let fresh = true;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === NL) {
      if (code.charCodeAt(i - 1) !== BACKSLASH) directive = false;
      fresh = true;
      continue;
    }
    if (c === SPACE || c === TAB || c === CR) continue;
    if (fresh && c === HASH) directive = true;
    fresh = false;
    if (directive) continue;
    if (isOpener(c)) stack.push(from + i);
    else if (isCloser(c)) stack.pop();
  }
  return stack;
}

function bracketState(code: string): { own: number; strayClosers: number[] } {
  let own = 0;
  const strayClosers: number[] = [];
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (isOpener(c)) own++;
    else if (isCloser(c)) {
      if (own > 0) own--;
      else strayClosers.push(i);
    }
  }
  return { own, strayClosers };
}

function unmatchedOpeners(code: string): number {
  return bracketState(code).own;
}

function countClosers(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (isCloser(text.charCodeAt(i))) n++;
  return n;
}

// ---------------------------------------------------------------------------
// Small helpers

interface Squeezed {
  /** The text without whitespace. */
  chars: string;
  /** Original offset of each kept character. */
  pos: number[];
}

function squeeze(text: string): Squeezed {
  const out: string[] = [];
  const pos: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === SPACE || c === TAB || c === NL || c === CR) continue;
    out.push(text[i]);
    pos.push(i);
  }
  return { chars: out.join(''), pos };
}

function trimLineEnd(s: string): string {
  return stripTrailingBlankLines(s.replace(/[ \t]+$/, ''));
}

function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? '';
}

/** Tabs at 8 columns, as in the AROS sources. */
function indentWidth(ws: string): number {
  let w = 0;
  for (const ch of ws) w = ch === '\t' ? w + 8 - (w % 8) : w + 1;
  return w;
}

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const BACKSLASH = 92;
const CLOSE_BRACE = 125;

function isOpener(c: number): boolean {
  return c === 40 || c === 91 || c === 123;
}

function isCloser(c: number): boolean {
  return c === 41 || c === 93 || c === 125;
}
