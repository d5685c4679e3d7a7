// Decides whether inline completion should run at a cursor, and whether the model may
// write one line or a whole block. A one-pass lexical scan answers the cheap questions
// (comment? string? directive? bracket depth?); tree-sitter is consulted only for blank
// lines, where "statement level" versus "inside a multi-line expression" needs syntax.

import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import { blockCommentText, isTagLine, lineCommentRun } from '../breadcrumbs/commentText';
import { isIdentChar } from '../index/lexer';

export type CompletionMode = 'none' | 'line' | 'block';

export interface CompletionDecision {
  mode: CompletionMode;
  /** Why, in words a status line can show: users complain about silence without a reason. */
  reason: string;
}

export interface CompletionModeOptions {
  /** Triggered by typing (true) or by an explicit request (false). */
  automatic: boolean;
  /** A full parse of `text` (not a skeleton); parsed here when absent. */
  tree?: Parser.Tree;
}

let sharedParser: Parser | undefined;

function parser(): Parser {
  if (!sharedParser) {
    sharedParser = new Parser();
    // tree-sitter-c 0.23 declares its own Language type, structurally the one tree-sitter 0.22 takes.
    sharedParser.setLanguage(C as unknown as Parser.Language);
  }
  return sharedParser;
}

export function completionMode(text: string, offset: number, opts: CompletionModeOptions): CompletionDecision {
  const at = Math.max(0, Math.min(offset, text.length));
  const scan = scanTo(text, at);
  const line = cursorLine(text, at);

  if (scan.kind === 'blockComment' || scan.kind === 'lineComment') {
    if (!commentIsBreadcrumb(text, scan)) return none('inside a comment');
    // The comment's own closer right of the cursor is no obstacle, like a closing bracket.
    const inside = scan.kind === 'blockComment' ? { ...line, after: line.after.replace(/\s*\*\/.*$/, '') } : line;
    return rightSideVeto(inside, opts.automatic) ?? { mode: 'line', reason: 'inside a breadcrumb comment' };
  }
  if (scan.kind === 'string') return none('inside a string literal');
  if (scan.kind === 'char') return none('inside a character literal');

  const veto = rightSideVeto(line, opts.automatic);
  if (veto) return veto;
  if (!onlyClosers(line.after)) return { mode: 'line', reason: 'explicit request with text to the right of the cursor' };
  if (scan.inDirective) return { mode: 'line', reason: 'inside a preprocessor directive' };

  if (scan.lastCode >= line.start && text.charCodeAt(scan.lastCode) === OPEN_BRACE) {
    const empty = line.after.trimStart().startsWith('}');
    return { mode: 'block', reason: empty ? 'inside an empty block' : 'after an opening brace at the end of the line' };
  }
  if (line.before.trim() !== '') return { mode: 'line', reason: 'in the middle of a statement' };
  return blankLine(text, at, scan, opts.tree);
}

/** True when `offset` sits inside a comment that is an AI breadcrumb (BREADCRUMBS.md). */
export function isInBreadcrumbComment(text: string, offset: number): boolean {
  const scan = scanTo(text, Math.max(0, Math.min(offset, text.length)));
  return (scan.kind === 'blockComment' || scan.kind === 'lineComment') && commentIsBreadcrumb(text, scan);
}

function none(reason: string): CompletionDecision {
  return { mode: 'none', reason };
}

// ---------------------------------------------------------------------------
// The cursor's line

interface CursorLine {
  start: number;
  before: string;
  /** The rest of the line, without the line break. */
  after: string;
}

function cursorLine(text: string, at: number): CursorLine {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  let end = text.indexOf('\n', at);
  if (end < 0) end = text.length;
  if (end > at && text.charCodeAt(end - 1) === CR) end--;
  return { start, before: text.slice(start, at), after: text.slice(at, Math.max(at, end)) };
}

const CLOSERS_ONLY = /^[\s)\]};,]*$/;

function onlyClosers(after: string): boolean {
  return CLOSERS_ONLY.test(after);
}

/** Typing in front of existing text: a suggestion would have to be spliced into it. */
function rightSideVeto(line: CursorLine, automatic: boolean): CompletionDecision | undefined {
  if (!automatic) return undefined;
  if (line.after.length > 0 && isIdentChar(line.after.charCodeAt(0))) return none('cursor is inside a word');
  if (!onlyClosers(line.after)) return none('text to the right of the cursor');
  return undefined;
}

// ---------------------------------------------------------------------------
// Blank lines: statement level (block) or inside an expression (line)

function blankLine(text: string, at: number, scan: Scan, given: Parser.Tree | undefined): CompletionDecision {
  const inner = scan.openers.length ? text.charCodeAt(scan.openers[scan.openers.length - 1]) : -1;
  if (inner === OPEN_PAREN) return { mode: 'line', reason: 'inside parentheses' };
  if (inner === OPEN_BRACKET) return { mode: 'line', reason: 'inside brackets' };

  const syntax = given
    ? syntaxAt(given, at)
    : syntaxAt(parser().parse(text.slice(scan.topLevelStart, topLevelEnd(text, at, scan.openers.length, scan.openConditionals))), at - scan.topLevelStart);
  if (syntax.kind === 'construct') return { mode: 'line', reason: `inside a multi-line ${syntax.type.replace(/_/g, ' ')}` };
  if (syntax.kind === 'container') return { mode: 'block', reason: containerReason(syntax.type, text, at, scan) };
  // The tree is unsure here (errors, AROS macro heads): the previous token decides.
  if (!statementLevel(text, scan)) return { mode: 'line', reason: 'the previous statement is not finished' };
  return { mode: 'block', reason: inner === OPEN_BRACE ? blockReason(text, at, scan) : 'blank line at file top level' };
}

function containerReason(type: string, text: string, at: number, scan: Scan): string {
  switch (type) {
    case 'translation_unit':
      return 'blank line at file top level';
    case 'field_declaration_list':
      return 'blank line in a struct or union body';
    case 'enumerator_list':
      return 'blank line in an enum body';
    case 'initializer_list':
      return 'blank line in an initializer list';
    default:
      return blockReason(text, at, scan);
  }
}

function blockReason(text: string, at: number, scan: Scan): string {
  const prevBrace = scan.lastCode >= 0 && text.charCodeAt(scan.lastCode) === OPEN_BRACE;
  return prevBrace && /^\s*\}/.test(text.slice(at, at + 400)) ? 'inside an empty block' : 'blank line at statement level';
}

type Syntax = { kind: 'container' | 'construct'; type: string } | { kind: 'unsure' };

/** Node types whose direct children are statements, declarations, fields or list items. */
const CONTAINERS = new Set([
  'translation_unit',
  'compound_statement',
  'case_statement',
  'field_declaration_list',
  'enumerator_list',
  'initializer_list',
  'declaration_list',
  'preproc_if',
  'preproc_ifdef',
  'preproc_elif',
  'preproc_elifdef',
  'preproc_else',
]);

function syntaxAt(tree: Parser.Tree, at: number): Syntax {
  let node: Parser.SyntaxNode | null = tree.rootNode.descendantForIndex(at);
  // A token right of the cursor (`|}`) says nothing; its parent does.
  while (node && !node.isNamed) node = node.parent;
  if (!node || node.hasError) return { kind: 'unsure' };
  return { kind: CONTAINERS.has(node.type) ? 'container' : 'construct', type: node.type };
}

/** Lexical guess: does the code before the cursor end a statement (or a list item)? */
function statementLevel(text: string, scan: Scan): boolean {
  if (scan.lastCode < 0) return true;
  const c = text.charCodeAt(scan.lastCode);
  if (c === SEMI || c === OPEN_BRACE || c === CLOSE_BRACE) return true;
  if (c === COLON) return text.charCodeAt(scan.lastCode - 1) !== COLON;
  if (c === COMMA) return scan.openers.length > 0;
  // AROS bodies open with statement macros that take no semicolon (AROS_LIBFUNC_INIT).
  const start = text.lastIndexOf('\n', scan.lastCode) + 1;
  return /^[ \t]*[A-Z][A-Z0-9_]*[ \t]*$/.test(text.slice(start, scan.lastCode + 1));
}

// ---------------------------------------------------------------------------
// Breadcrumb comments

// Tag-shaped line after the comment markers; `@ai:` is accepted as a loose alias.
const AT_AI = /@ai:/i;

function commentIsBreadcrumb(text: string, scan: Scan): boolean {
  const start = scan.start;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  // Tags in a comment trailing code are not breadcrumbs.
  if (text.slice(lineStart, start).trim() !== '') return false;
  const body = scan.kind === 'blockComment' ? blockCommentText(text, start) : lineCommentRun(text, lineStart);
  return body.split('\n').some(isCrumbLine);
}

/** A breadcrumb tag line, or the loose `@ai:` alias. */
function isCrumbLine(line: string): boolean {
  return AT_AI.test(line) || isTagLine(line);
}

// ---------------------------------------------------------------------------
// The lexical scan

interface Scan {
  kind: 'code' | 'lineComment' | 'blockComment' | 'string' | 'char';
  /** Start of the comment or literal holding the cursor (kind !== 'code'). */
  start: number;
  /** Offsets of the unmatched `(`, `[`, `{` before the cursor, outside directives. */
  openers: number[];
  /** Offset of the last code character before the cursor outside directives, or -1. */
  lastCode: number;
  /** The cursor's (logical) line is a preprocessor directive. */
  inDirective: boolean;
  /**
   * Where the top-level construct holding the cursor starts: after the last
   * `;` or `}` outside any bracket, or at the `#if` that is still open there.
   * Parsing from here to its end answers as a parse of the whole file would,
   * for a fraction of the time (a whole 5,000-line file took 25-35 ms per
   * completion request on a blank line).
   */
  topLevelStart: number;
  /** `#if`s open at the cursor. */
  openConditionals: number;
}

/** +1 for a directive opening a conditional (`#if`, `#ifdef`, `#ifndef`), -1 for `#endif`, else 0. */
function conditionalChange(text: string, hash: number): number {
  const m = /^#[ \t]*(ifdef|ifndef|if|endif)\b/.exec(text.slice(hash, hash + 12));
  if (!m) return 0;
  return m[1] === 'endif' ? -1 : 1;
}

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const SLASH = 47;
const STAR = 42;
const BACKSLASH = 92;
const DQUOTE = 34;
const SQUOTE = 39;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const SEMI = 59;
const COLON = 58;
const COMMA = 44;

/** One forward pass from the file start: a few hundred microseconds for 5,000 lines. */
function scanTo(text: string, at: number): Scan {
  const openers: number[] = [];
  let lastCode = -1;
  let directive = false;
  let fresh = true; // nothing but blanks and comments so far on this line
  let topLevelStart = 0;
  /** Line starts of the `#if`s open at this point. */
  const conditionals: number[] = [];
  const state = (kind: Scan['kind'], start: number): Scan => ({
    kind,
    start,
    openers,
    lastCode,
    inDirective: directive,
    topLevelStart: conditionals.length ? Math.min(topLevelStart, conditionals[0]) : topLevelStart,
    openConditionals: conditionals.length,
  });
  let i = 0;
  while (i < at) {
    const c = text.charCodeAt(i);
    const trivia = triviaEnd(text, i);
    if (trivia > i) {
      if (c === NL) {
        if (!continued(text, i)) directive = false;
        fresh = true;
      } else if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
        const closed = trivia - 2 >= i + 2 && text.startsWith('*/', trivia - 2);
        if (!closed || trivia > at) return state('blockComment', i);
      } else if (c === SLASH && trivia >= at) {
        // The cursor at the very end of a line comment is still inside it.
        return state('lineComment', i);
      }
      i = trivia;
      continue;
    }
    if (c === DQUOTE || c === SQUOTE) {
      const end = literalEnd(text, i, c);
      if (at <= end) return state(c === DQUOTE ? 'string' : 'char', i);
      if (!directive) lastCode = end;
      fresh = false;
      i = end + 1;
      continue;
    }
    if (fresh && c === HASH) {
      directive = true;
      const change = conditionalChange(text, i);
      if (change > 0) conditionals.push(text.lastIndexOf('\n', i) + 1);
      else if (change < 0) conditionals.pop();
    }
    fresh = false;
    if (!directive) {
      lastCode = i;
      track(openers, c, i);
      if ((c === SEMI || c === CLOSE_BRACE) && openers.length === 0) topLevelStart = i + 1;
    }
    i++;
  }
  return state('code', -1);
}

/**
 * Where the top-level construct holding `at` ends, `depth` brackets and
 * `conditionals` `#if`s deep: after the `;` or `}` that brings the depth to 0
 * (with a `;` or declarators after a closing `}`: `};`, `} Name, *PName;`),
 * or after the `#endif` that closes the last open conditional, whichever
 * leaves both at 0; or the end of the text.
 */
function topLevelEnd(text: string, at: number, depth: number, conditionals: number): number {
  let afterBrace = -1;
  let directive = false;
  let fresh = false;
  let i = at;
  const done = (end: number): boolean => depth === 0 && conditionals === 0 && end >= 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const trivia = triviaEnd(text, i);
    if (trivia > i) {
      if (c === NL) {
        if (!continued(text, i)) directive = false;
        fresh = true;
      }
      i = trivia;
      continue;
    }
    if (fresh && c === HASH) {
      if (afterBrace >= 0 && done(afterBrace)) return afterBrace;
      directive = true;
      const change = conditionalChange(text, i);
      conditionals = Math.max(0, conditionals + change);
      if (change < 0 && depth === 0 && conditionals === 0) return lineCommentEnd(text, i);
    }
    fresh = false;
    if (directive) {
      i++;
      continue;
    }
    if (afterBrace >= 0) {
      // A declaration list after a closing brace runs to its `;`; anything else starts the next construct.
      if (c === SEMI && done(i + 1)) return i + 1;
      if (!(isIdentChar(c) || c === STAR || c === COMMA)) {
        if (done(afterBrace)) return afterBrace;
        afterBrace = -1;
      } else {
        i++;
        continue;
      }
    }
    if (c === DQUOTE || c === SQUOTE) {
      i = literalEnd(text, i, c) + 1;
      continue;
    }
    if (c === OPEN_PAREN || c === OPEN_BRACKET || c === OPEN_BRACE) depth++;
    else if (c === CLOSE_PAREN || c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth = Math.max(0, depth - 1);
      if (c === CLOSE_BRACE && depth === 0) afterBrace = i + 1;
    } else if (c === SEMI && done(i + 1)) return i + 1;
    i++;
  }
  return text.length;
}

/**
 * Where the white space or comment at `i` ends, or `i` when there is none
 * there. A block comment without its `*\/` runs to the end of the text.
 */
function triviaEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === NL || c === SPACE || c === TAB || c === CR || c === 12 || c === 11) return i + 1;
  if (c === SLASH) {
    const d = text.charCodeAt(i + 1);
    if (d === STAR) {
      const close = text.indexOf('*/', i + 2);
      return close < 0 ? text.length : close + 2;
    }
    if (d === SLASH) return lineCommentEnd(text, i);
  }
  return i;
}

function track(openers: number[], c: number, i: number): void {
  if (c === OPEN_PAREN || c === OPEN_BRACKET || c === OPEN_BRACE) openers.push(i);
  else if ((c === CLOSE_PAREN || c === CLOSE_BRACKET || c === CLOSE_BRACE) && openers.length) openers.pop();
}

/** The newline at `nl` is escaped by a backslash (a continued directive or comment). */
function continued(text: string, nl: number): boolean {
  let k = nl - 1;
  if (k >= 0 && text.charCodeAt(k) === CR) k--;
  return k >= 0 && text.charCodeAt(k) === BACKSLASH;
}

function lineCommentEnd(text: string, from: number): number {
  let end = from + 2;
  for (;;) {
    const nl = text.indexOf('\n', end);
    if (nl < 0) return text.length;
    if (!continued(text, nl)) return text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
    end = nl + 1;
  }
}

/** Offset of the closing quote, or of the line end / file end when unterminated. */
function literalEnd(text: string, from: number, quote: number): number {
  let j = from + 1;
  while (j < text.length) {
    const e = text.charCodeAt(j);
    if (e === BACKSLASH) {
      j += 2;
      continue;
    }
    if (e === quote || e === NL) return j;
    j++;
  }
  return text.length;
}
