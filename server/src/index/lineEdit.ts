// Typing inside a function body changes one line of code that no declaration,
// comment, directive or AROS macro reads: the skeleton tree-sitter parses is the
// same, and so are the symbols, includes and breadcrumbs. Only the identifiers
// change. This module answers such an edit from the previous analysis and one
// line lexed on its own, instead of the whole-file passes (lexer, skeleton,
// identifier scan) that made each keystroke cost 5 ms on a 150 KB file, most of
// it copying whole-file strings into fresh memory. Typing inside a block
// comment (an AutoDoc, two fifths of the lines of AROS's largest class file)
// changes only the documentation attached to symbols: that edit is answered
// by attaching it again.

import { mayHaveBreadcrumbs } from '../breadcrumbs/parse';
import type { Directives } from './directives';
import { attachDocs } from './docComments';
import type { FileAnalysis } from './fileIndex';
import { type CommentSpan, countIdentifiers, type LexResult, lexC, offsetToPosition, spaces } from './lexer';
import { newSymbol } from './symbol';
import type { SymbolInfo } from './types';

/** What a later one-line edit needs from an analysis. Consumed by `analyzeLineEdit`: keep only the state it returns. */
export interface LineEditState {
  text: string;
  /** Line start offsets of `text`. */
  starts: number[];
  /** 1 where an edit confined to the line can change nothing but identifiers (see `editableLines`). */
  editable: Uint8Array;
  /** How often each identifier occurs in code. */
  counts: Map<string, number>;
  analysis: FileAnalysis;
  /** The lexer's result for `text`; absent after a quick edit, which does not rebuild it. */
  lex?: LexResult;
  /**
   * After quick edits: the lexer's result for the text before the first of
   * them, its line starts, and the masked code of each line they changed.
   * Spliced together when an edit needs the lexer's result (`spliceLex`): a
   * quick edit makes no copy of a large document's masked code, and the full
   * analysis after it no whole lexer pass.
   */
  lexBefore?: { lex: LexResult; starts: number[]; lines: Map<number, string> };
  /** The comments of `text` (the lexer's, kept in step by quick edits). */
  comments: readonly CommentSpan[];
  /** The directives of `text` (their macros may carry documentation attached since). */
  directives?: Directives;
  /** Whether anything in `text` looks like a breadcrumb tag (see `mayHaveBreadcrumbs`). */
  maybeTags?: boolean;
}

/** Where a spliced edit happened, for the passes that can reuse their previous result. */
export interface SplicedLine {
  line: number;
  /** Offset just past the old line (its newline). */
  oldEnd: number;
  delta: number;
  newLine: string;
  oldCode: string;
  newCode: string;
}

const BACKSLASH = 92;
const CR = 13;

/**
 * Lines strictly inside a top-level body (between the lines of its braces) that
 * no comment touches, that are no directive and no continued line, and that no
 * symbol begins or ends on. A body holding a symbol of its own (a `#define`, a
 * GCC nested AROS hook) or an AROS definition macro is left out whole: what
 * those become depends on the lines around them (a `static` above, a `;` below,
 * the blank line between them and a comment).
 */
export function editableLines(
  text: string,
  starts: readonly number[],
  bodies: ReadonlyArray<readonly [number, number]>,
  comments: readonly CommentSpan[],
  symbols: readonly SymbolInfo[],
): Uint8Array {
  const lines = starts.length;
  const editable = new Uint8Array(lines);
  const bodyLines: Array<[number, number]> = [];
  for (const [from, to] of bodies) {
    // `from` is just past the `{`, `to` is the `}`.
    const open = lineAt(starts, from - 1);
    const close = lineAt(starts, to);
    bodyLines.push([open, close]);
    if (!AROS_DEFINITION.test(text.slice(from, to))) editable.fill(1, open + 1, close);
  }
  for (const c of comments) editable.fill(0, lineAt(starts, c.start), lineAt(starts, Math.max(c.start, c.end - 1)) + 1);
  for (let l = 0; l < lines; l++) {
    const start = starts[l];
    const end = lineEnd(text, starts, l);
    // Every line is checked: one that is not editable itself may still continue into the next.
    if (endsWithBackslash(text, start, end)) {
      editable[l] = 0;
      if (l + 1 < lines) editable[l + 1] = 0;
    } else if (editable[l] && firstNonBlank(text, start, end) === '#') editable[l] = 0;
  }
  for (const m of text.matchAll(INNER_BREAK)) editable[lineAt(starts, m.index ?? 0)] = 0;
  for (const s of symbols) {
    const first = s.range.start.line;
    const last = s.range.end.line;
    for (const l of [first, last, s.selectionRange.start.line, s.selectionRange.end.line]) if (l < lines) editable[l] = 0;
    const body = bodyLines[lastWhere(bodyLines, (b) => b[0] <= first)];
    if (body && body[0] < first && first < body[1]) editable.fill(0, body[0] + 1, body[1]);
  }
  return editable;
}

/** Line breaks other than `\n` (see `breaksInside`), found in one native pass over the text. */
const INNER_BREAK = /\r(?!\n)|[\u2028\u2029]/g;

/** The macros the AROS scanner reads definitions from (see MACRO_RE in aros.ts). */
const AROS_DEFINITION = /AROS_(?:LH|UFH|LD|UFP)/;

/**
 * A line break other than `\n` inside the line (a lone `\r`, U+2028, U+2029):
 * the directive scanner's `^` matches after it, the lexer's lines do not.
 */
function breaksInside(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c === CR && i + 1 < end) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/**
 * The analysis of `text` when it differs from `state.text` in one editable line
 * only, in a way that keeps that line free of comments, directives, line
 * continuations, AROS macros and changes to its braces; otherwise undefined
 * (the caller analyses the whole text). Identifiers new to the file come last,
 * not at their first use: the order carries no meaning.
 */
export function analyzeLineEdit(state: LineEditState, text: string): { analysis: FileAnalysis; state: LineEditState } | undefined {
  if (text === state.text) return { analysis: state.analysis, state };
  const edit = changedLine(state, text);
  if (!edit) return undefined;
  if (!state.editable[edit.line]) return commentLineEdit(state, text, edit);
  if (edit.oldLine.includes('AROS_') || edit.newLine.includes('AROS_')) return undefined;
  const { newLine } = edit;
  if (endsWithBackslash(newLine, 0, newLine.length) || firstNonBlank(newLine, 0, newLine.length) === '#' || breaksInside(newLine, 0, newLine.length)) return undefined;
  // No comment touches the line and the line before does not continue into it, so the lexer
  // enters it outside any comment or literal: lexing the line alone reads it as the whole file does.
  const oldLex = lexC(edit.oldLine);
  const newLex = lexC(edit.newLine);
  if (newLex.comments.length > 0 || braces(oldLex.code) !== braces(newLex.code)) return undefined;
  const identifiers = updateCounts(state, oldLex.code, newLex.code);
  const lexBefore = keepLexBefore(state, edit.line, newLex.code);
  shiftStarts(state.starts, edit.line, edit.delta);
  const analysis: FileAnalysis = { ...state.analysis, identifiers };
  const comments = shiftComments(state.comments, lastWhere(state.comments, (c) => c.start < edit.start) + 1, edit.delta);
  // Directives are not brought up to date: the next edit that needs them scans afresh.
  return { analysis, state: { ...state, text, analysis, comments, lex: undefined, lexBefore, directives: undefined } };
}

/** `lexBefore` after a quick edit that makes `code` the masked code of `line`; call before the line starts move. */
function keepLexBefore(state: LineEditState, line: number, code: string): LineEditState['lexBefore'] {
  const before = state.lexBefore ?? (state.lex ? { lex: state.lex, starts: state.starts.slice(), lines: new Map<number, string>() } : undefined);
  before?.lines.set(line, code);
  return before;
}

/** The lexer's result for `state.text`: the kept one, or the one before the quick edits with their lines spliced in. */
function currentLex(state: LineEditState): LexResult | undefined {
  if (state.lex) return state.lex;
  const before = state.lexBefore;
  if (!before) return undefined;
  const { lex, starts, lines } = before;
  const parts: string[] = [];
  let at = 0;
  for (const line of [...lines.keys()].sort((a, b) => a - b)) {
    const from = starts[line];
    parts.push(lex.code.slice(at, from), lines.get(line) as string);
    at = lineEnd(lex.code, starts, line);
  }
  parts.push(lex.code.slice(at));
  return { code: parts.join(''), comments: state.comments.slice() };
}

/**
 * An edit of a line inside a block comment, begun on an earlier line and
 * ending on a later one, that does not end it: no code changes, nor any
 * line or column outside the line, so the symbols are the previous ones with
 * their documentation attached again. Left to the full analysis: a text that
 * may have breadcrumbs (read from comments), AROS functions (their AutoDocs
 * come from aros.ts's scan), a comment begun on a directive's line (part of
 * the directive).
 */
function commentLineEdit(state: LineEditState, text: string, edit: ChangedLine): { analysis: FileAnalysis; state: LineEditState } | undefined {
  const { start, oldEnd, delta, newLine } = edit;
  if (state.maybeTags !== false || mayHaveBreadcrumbs(newLine)) return undefined;
  const comments = state.comments;
  const i = lastWhere(comments, (c) => c.start < start);
  const c = i >= 0 ? comments[i] : undefined;
  // `*/` begins on a later line: the comment runs past this line's newline and one more character.
  if (!c || !c.block || c.end <= oldEnd + 2) return undefined;
  if (newLine.includes('*/') || breaksInside(newLine, 0, newLine.length)) return undefined;
  const firstLine = lineAt(state.starts, c.start);
  const firstStart = state.starts[firstLine];
  if (firstNonBlank(state.text, firstStart, c.start) === '#') return undefined;
  if (firstLine > 0 && endsWithBackslash(state.text, state.starts[firstLine - 1], firstStart - 1)) return undefined;
  const previous = state.analysis.symbols;
  if (previous.some((s) => s.aros !== undefined)) return undefined;
  // Inside a block comment the lexer blanks every character.
  const lexBefore = keepLexBefore(state, edit.line, spaces(newLine.length));
  shiftStarts(state.starts, edit.line, delta);
  const shifted = shiftComments(comments, i + 1, delta);
  shifted[i] = { start: c.start, end: c.end + delta, block: true };
  // Copies without documentation (the published ones must not change); in a loop, not `map`, for one array kind.
  const symbols: SymbolInfo[] = [];
  for (const s of previous) {
    const copy = newSymbol(s);
    copy.doc = undefined;
    copy.autodoc = undefined;
    symbols.push(copy);
  }
  attachDocs(symbols, text, shifted, state.starts);
  const analysis: FileAnalysis = { ...state.analysis, symbols };
  return { analysis, state: { ...state, text, analysis, comments: shifted, lex: undefined, lexBefore, directives: undefined } };
}

/** `out` (by default the comments before `from`, shared) and the comments from `from` on, moved by `delta` (copies). */
function shiftComments(comments: readonly CommentSpan[], from: number, delta: number, out: CommentSpan[] = comments.slice(0, from)): CommentSpan[] {
  for (let k = from; k < comments.length; k++) {
    const c = comments[k];
    out.push(delta ? { start: c.start + delta, end: c.end + delta, block: c.block } : c);
  }
  return out;
}

/**
 * The lexer's result for `text` when it differs from `state.text` in one line
 * that the lexer enters and leaves in the same state as before (outside
 * everything, or inside a block comment), spliced from the previous result and
 * the line lexed alone; with the identifier counts brought up to date and the
 * identifiers in `analyzeLineEdit`'s order. Undefined otherwise. Consumes the
 * state's counts and line starts.
 */
export function spliceLex(
  state: LineEditState,
  text: string,
): { lex: LexResult; starts: number[]; counts: Map<string, number>; identifiers: string[]; edit: SplicedLine } | undefined {
  const prev = currentLex(state);
  if (!prev) return undefined;
  const edit = changedLine(state, text);
  if (!edit) return undefined;
  const { start, oldEnd, delta } = edit;
  const comments = prev.comments;
  // The comment the line starts in, if any; a line comment continued into it is left to the full lexer.
  const before = lastWhere(comments, (c) => c.start < start);
  // `>=`: a block comment left open runs to the end of the text, which may be this (last) line's start.
  const entering = before >= 0 && comments[before].end >= start ? comments[before] : undefined;
  if (entering && !entering.block) return undefined;
  if (!entering && start > 0 && endsWithBackslash(state.text, state.starts[Math.max(0, edit.line - 1)], start - 1)) return undefined;
  const oldRead = lexLine(edit.oldLine, entering !== undefined);
  const newRead = lexLine(edit.newLine, entering !== undefined);
  if (!oldRead || !newRead || oldRead.open !== newRead.open) return undefined;

  // A comment left open at the line's end ends where the one left open before ended (the same text follows).
  const openEnd = newRead.open ? comments[lastWhere(comments, (c) => c.start < oldEnd)].end + delta : -1;
  const out: CommentSpan[] = comments.slice(0, entering ? before : before + 1);
  if (entering) out.push({ start: entering.start, end: newRead.closesAt >= 0 ? start + newRead.closesAt : openEnd, block: true });
  newRead.comments.forEach((c, i) => {
    const open = newRead.open && i === newRead.comments.length - 1;
    out.push({ start: start + c.start, end: open ? openEnd : start + c.end, block: c.block });
  });
  let k = before + 1;
  while (k < comments.length && comments[k].start < oldEnd) k++;
  shiftComments(comments, k, delta, out);

  const code = prev.code.slice(0, start) + newRead.code + prev.code.slice(oldEnd);
  const oldCode = prev.code.slice(start, oldEnd);
  const identifiers = updateCounts(state, oldCode, newRead.code);
  shiftStarts(state.starts, edit.line, delta);
  return {
    lex: { code, comments: out },
    starts: state.starts,
    counts: state.counts,
    identifiers,
    edit: { line: edit.line, oldEnd, delta, newLine: edit.newLine, oldCode, newCode: newRead.code },
  };
}

/**
 * The directives after a spliced edit of a line that is no directive before or
 * after (spliced lines continue into no other line): the previous ones, with
 * the offsets after the line moved; macros are fresh copies, without the
 * documentation attached to the previous ones.
 */
export function shiftDirectives(previous: Directives, edit: SplicedLine): Directives | undefined {
  const { oldCode, newCode } = edit;
  if (firstNonBlank(oldCode, 0, oldCode.length) === '#' || firstNonBlank(newCode, 0, newCode.length) === '#') return undefined;
  if (breaksInside(oldCode, 0, oldCode.length) || breaksInside(newCode, 0, newCode.length)) return undefined;
  const { delta, oldEnd } = edit;
  return {
    macros: previous.macros.map(({ doc, autodoc, ...rest }) => {
      void doc;
      void autodoc;
      return rest;
    }),
    includes: previous.includes,
    blank: delta ? previous.blank.map(([from, to]) => (from >= oldEnd ? [from + delta, to + delta] : [from, to])) : previous.blank,
  };
}

/** One line lexed on its own, entered inside a block comment or not; undefined if it continues into the next line. */
function lexLine(line: string, inComment: boolean): { code: string; comments: CommentSpan[]; open: boolean; closesAt: number } | undefined {
  if (endsWithBackslash(line, 0, line.length)) return undefined;
  let closesAt = -1;
  let rest = line;
  let skipped = 0;
  if (inComment) {
    const close = line.indexOf('*/');
    if (close < 0) return { code: spaces(line.length), comments: [], open: true, closesAt };
    closesAt = close + 2;
    rest = line.slice(closesAt);
    skipped = closesAt;
  }
  const lex = lexC(rest);
  const last = lex.comments[lex.comments.length - 1];
  const open = last !== undefined && last.block && !(last.end - last.start >= 4 && rest.startsWith('*/', last.end - 2));
  return {
    code: skipped ? spaces(skipped) + lex.code : lex.code,
    comments: skipped ? lex.comments.map((c) => ({ start: c.start + skipped, end: c.end + skipped, block: c.block })) : lex.comments,
    open,
    closesAt,
  };
}

interface ChangedLine {
  line: number;
  start: number;
  oldEnd: number;
  delta: number;
  oldLine: string;
  newLine: string;
}

/** The one line in which `text` differs from `state.text`, or undefined if more than one line differs. */
function changedLine(state: LineEditState, text: string): ChangedLine | undefined {
  const old = state.text;
  const delta = text.length - old.length;
  const line = lineAt(state.starts, commonPrefix(old, text));
  const start = state.starts[line];
  const oldEnd = lineEnd(old, state.starts, line);
  const newEnd = oldEnd + delta;
  if (newEnd < start) return undefined;
  // Everything after the line is unchanged, and the new line is still one line.
  if (old.slice(oldEnd) !== text.slice(newEnd)) return undefined;
  const newLine = text.slice(start, newEnd);
  if (newLine.includes('\n')) return undefined;
  return { line, start, oldEnd, delta, oldLine: old.slice(start, oldEnd), newLine };
}

/** Counts identifiers out of the old line's code and in from the new one's; returns the new identifier list. */
function updateCounts(state: LineEditState, oldCode: string, newCode: string): string[] {
  const change = countIdentifiers(oldCode, new Map(), -1);
  countIdentifiers(newCode, change, 1);
  const counts = state.counts;
  let gone = false;
  const added: string[] = [];
  for (const [name, d] of change) {
    if (d === 0) continue;
    const before = counts.get(name) ?? 0;
    const after = before + d;
    if (after <= 0) {
      counts.delete(name);
      gone = true;
    } else {
      counts.set(name, after);
      if (before === 0) added.push(name);
    }
  }
  const previous = state.analysis.identifiers;
  if (!gone && !added.length) return previous;
  const identifiers = gone ? previous.filter((name) => counts.has(name)) : previous.slice();
  identifiers.push(...added);
  return identifiers;
}

function shiftStarts(starts: number[], line: number, delta: number): void {
  if (delta !== 0) for (let l = line + 1; l < starts.length; l++) starts[l] += delta;
}

/** Index of the last item `test` holds for, in items where it holds for a prefix (or -1). */
function lastWhere<T>(items: readonly T[], test: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (test(items[mid])) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Length of the common prefix of two strings, compared a block at a time. */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  const BLOCK = 2048;
  let i = 0;
  while (i + BLOCK <= n && a.slice(i, i + BLOCK) === b.slice(i, i + BLOCK)) i += BLOCK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function braces(code: string): string {
  return code.replace(/[^{}]/g, '');
}

/** The line holding offset `at`. */
function lineAt(starts: readonly number[], at: number): number {
  return offsetToPosition(starts, at).line;
}

/** Offset of the line's newline, or the text's end. */
function lineEnd(text: string, starts: readonly number[], line: number): number {
  return line + 1 < starts.length ? starts[line + 1] - 1 : text.length;
}

/** As the lexer reads a continuation: a backslash right before the newline (or `\r\n`). */
function endsWithBackslash(text: string, start: number, end: number): boolean {
  let k = end - 1;
  if (k >= start && text.charCodeAt(k) === CR) k--;
  return k >= start && text.charCodeAt(k) === BACKSLASH;
}

function firstNonBlank(text: string, start: number, end: number): string {
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\f' && c !== '\v') return c;
  }
  return '';
}
