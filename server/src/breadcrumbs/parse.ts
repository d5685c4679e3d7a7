// Finds AI breadcrumbs in C text (BREADCRUMBS.md, "Syntax"). The lexer finds comments in
// one pass; only comments that could hold a tag are split into lines and parsed, so a
// 3 MB file costs little more than lexing it.

import { isIdentChar, lexC, lineStarts, offsetToPosition, type CommentSpan, type LexResult } from '../index/lexer';
import type { Position, Range } from '../index/types';
import { editDistance } from './distance';
import { isKnownTag, KNOWN_TAGS, type Breadcrumb, type BreadcrumbEntry, type BreadcrumbTarget } from './types';

/** One line of comment text with the comment markers (`//`, `/*`, `*`) removed. */
interface CommentLine {
  line: number;
  /** UTF-16 column of text[0] on its line. */
  col: number;
  text: string;
}

interface Group {
  form: 'line' | 'block';
  lines: CommentLine[];
  range: Range;
  /** Code follows the comment on its last line (`/* AI_STATUS: FIXED *\/ int f(void);`). */
  codeAfter: boolean;
}

// Cheap superset test: a comment can only be a breadcrumb if some known tag or `AI_` word
// is followed by a colon. Every known tag starts with one of these stems.
const STEM = /AI_|COMPILER_ERR|RUNTIME_ERR|FIX_REASON|LINUX_REF|AMIGAOS_REF|AROS_IMPL|REF_|HUMAN_OVERRIDE|PREVIOUS_IMPLEMENTATION_REF|CORRECTION_REF/i;

const TAG_LINE = /^([ \t]*)([A-Za-z_][A-Za-z0-9_]*)[ \t]*:(.*)$/;

/**
 * An unknown `AI_*` tag alone makes a breadcrumb only when it is this close to a known tag:
 * `AI_STAUS: X` should get its hint, but `AI_PASSIVE: ...` describing getaddrinfo flags
 * must not turn into a breadcrumb with missing-tag errors.
 */
const TYPO_DISTANCE = 2;

/** Whether anything in `text` could be a breadcrumb tag: the cheap test that spares most files the rest. */
export function mayHaveBreadcrumbs(text: string): boolean {
  // A stem, then word characters, blanks and a colon: the stem lies in the word before some
  // colon. Colons are rare in C and indexOf finds them fast; scanning the text for stems
  // case-insensitively was 2 % of a cold index.
  for (let colon = text.indexOf(':'); colon >= 0; colon = text.indexOf(':', colon + 1)) {
    let end = colon;
    for (let c = text.charCodeAt(end - 1); c === 32 || c === 9; c = text.charCodeAt(end - 1)) end--;
    let start = end;
    while (start > 0 && isIdentChar(text.charCodeAt(start - 1))) start--;
    if (end - start >= 3 && STEM.test(text.slice(start, end))) return true;
  }
  return false;
}

/**
 * `pre` lets a caller that already lexed the text (the indexer) skip a second
 * pass, and one that already ran `mayHaveBreadcrumbs` on it skip that.
 */
export function parseBreadcrumbs(
  text: string,
  targets?: readonly BreadcrumbTarget[],
  pre?: { lex: LexResult; starts: readonly number[]; mayHaveTags?: boolean },
): Breadcrumb[] {
  // Files without anything tag-shaped (nearly all) cost one scan, not a lex.
  if (!pre?.mayHaveTags && !mayHaveBreadcrumbs(text)) return [];
  const { code, comments } = pre?.lex ?? lexC(text);
  const starts = pre?.starts ?? lineStarts(text);
  const out: Breadcrumb[] = [];
  const locate = targets !== undefined ? targetLocator(targets) : undefined;

  const emit = (g: Group): void => {
    const b = parseGroup(g);
    if (b === undefined) return;
    if (locate !== undefined) {
      const where = locate(g.range.start.line, g.range.end.line, g.codeAfter);
      if (where.target !== undefined) b.target = where.target;
      b.insideFunction = where.insideFunction;
    }
    out.push(b);
  };

  // The current run of consecutive own-line `//` comments.
  let run: { c: CommentSpan; pos: Position }[] = [];
  let runEndLine = -1;
  let runMaybe = false;
  const flush = (): void => {
    if (run.length > 0 && runMaybe) emit(lineGroup(text, starts, run));
    run = [];
    runMaybe = false;
  };

  // Comments come in offset order, so one forward-moving cursor finds every line.
  let cursor = 0;
  const lineOf = (offset: number): number => {
    while (cursor + 1 < starts.length && starts[cursor + 1] <= offset) cursor++;
    return cursor;
  };

  for (const c of comments) {
    const line = lineOf(c.start);
    const pos: Position = { line, character: c.start - starts[line] };
    // Tags in a trailing comment after code are not breadcrumbs, and the code line ends a run.
    if (hasCode(code, starts[pos.line], c.start)) {
      flush();
      continue;
    }
    if (c.block) {
      flush();
      if (mayHaveBreadcrumbs(text.slice(c.start, c.end))) emit(blockGroup(text, code, starts, c, pos));
      continue;
    }
    if (run.length > 0 && pos.line !== runEndLine + 1) flush();
    run.push({ c, pos });
    // A `//` comment ends at its newline, or later when a backslash continues it.
    runEndLine = lineOf(c.end);
    if (!runMaybe && mayHaveBreadcrumbs(text.slice(c.start, c.end))) runMaybe = true;
  }
  flush();
  return out;
}

function hasCode(code: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const ch = code.charCodeAt(i);
    if (ch !== 32 && ch !== 9 && ch !== 13 && ch !== 10 && ch !== 12 && ch !== 11) return true;
  }
  return false;
}

function stripCR(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

function lineGroup(text: string, starts: readonly number[], run: { c: CommentSpan; pos: Position }[]): Group {
  const lines: CommentLine[] = [];
  for (const { c, pos } of run) {
    const parts = text.slice(c.start, c.end).split('\n');
    // `///` and `//!` doc comments are line comments too.
    const lead = /^\/\/[/!]*/.exec(parts[0])![0].length;
    lines.push({ line: pos.line, col: pos.character + lead, text: stripCR(parts[0].slice(lead)) });
    // Lines continued by a trailing backslash.
    for (let k = 1; k < parts.length; k++) lines.push({ line: pos.line + k, col: 0, text: stripCR(parts[k]) });
  }
  const first = run[0];
  const last = run[run.length - 1].c;
  let end = last.end;
  if (end > last.start && text.charCodeAt(end - 1) === 13) end--;
  return {
    form: 'line',
    lines,
    range: { start: first.pos, end: offsetToPosition(starts, end) },
    codeAfter: false,
  };
}

function blockGroup(text: string, code: string, starts: readonly number[], c: CommentSpan, pos: Position): Group {
  let body = text.slice(c.start + 2, c.end);
  if (body.endsWith('*/')) body = body.slice(0, -2);
  const parts = body.split('\n');
  const lines: CommentLine[] = [];
  for (let k = 0; k < parts.length; k++) {
    // The opener may be `/**` or `/*!`; later lines may be led by `*`.
    const lead = (k === 0 ? /^[*!]*/ : /^(?:[ \t]*\*+)?/).exec(parts[k])![0].length;
    const col = k === 0 ? pos.character + 2 + lead : lead;
    lines.push({ line: pos.line + k, col, text: stripCR(parts[k].slice(lead)) });
  }
  const end = offsetToPosition(starts, c.end);
  const nextLine = end.line + 1 < starts.length ? starts[end.line + 1] : code.length;
  return {
    form: 'block',
    lines,
    range: { start: pos, end },
    codeAfter: hasCode(code, c.end, nextLine),
  };
}

interface JsonPiece {
  line: number;
  col: number;
  text: string;
}

/** Parses the lines of one comment; undefined when it holds no tag that makes it a breadcrumb. */
function parseGroup(g: Group): Breadcrumb | undefined {
  const entries: BreadcrumbEntry[] = [];
  const tags: Record<string, string[]> = {};
  const notes: string[] = [];
  let qualifies = false;
  let context: { ok: true; value: unknown } | { ok: false } | undefined;
  let contextError: { message: string; line: number } | undefined;

  const lines = g.lines;
  let i = 0;
  while (i < lines.length) {
    const cl = lines[i];
    const m = TAG_LINE.exec(cl.text);
    const tag = m === null ? '' : m[2].toUpperCase();
    const known = m !== null && isKnownTag(tag);
    if (m === null || (!known && !tag.startsWith('AI_'))) {
      // Plain text, including unknown `WORD:` lines such as `TODO: x`.
      const note = cl.text.trim();
      if (note !== '') notes.push(note);
      i++;
      continue;
    }
    if (known) qualifies = true;
    else if (!qualifies && KNOWN_TAGS.some((k) => editDistance(tag, k) <= TYPO_DISTANCE)) qualifies = true;

    const raw = m[3];
    const value = raw.trim();
    const tagCol = cl.col + m[1].length;
    const valueCol = cl.col + (m[0].length - raw.length) + (raw.length - raw.trimStart().length);
    const entry: BreadcrumbEntry = {
      tag,
      value,
      line: cl.line,
      range: span(cl.line, tagCol, cl.line, valueCol + value.length),
      valueRange: span(cl.line, valueCol, cl.line, valueCol + value.length),
    };
    i++;

    if (tag === 'AI_CONTEXT') {
      const json = readJson(lines, i - 1, { line: cl.line, col: valueCol, text: value });
      if (json.balanced && json.pieces.length > 0) {
        const first = json.pieces[0];
        const last = json.pieces[json.pieces.length - 1];
        entry.value = json.pieces.map((p) => p.text).join('\n');
        entry.valueRange = span(first.line, first.col, last.line, last.col + last.text.length);
        entry.range = span(cl.line, tagCol, last.line, last.col + last.text.length);
      }
      const parsed = parseJson(json.pieces, json.balanced, cl.line);
      if ('error' in parsed) {
        context = { ok: false };
        contextError ??= parsed.error;
      } else {
        context = { ok: true, value: parsed.value };
      }
      // Balanced JSON consumed its lines; unbalanced JSON consumed nothing, so the
      // lines after the tag are read again as ordinary lines and no tag is lost.
      i = json.next;
    }
    entries.push(entry);
    (tags[tag] ??= []).push(entry.value);
  }
  if (!qualifies) return undefined;

  const b: Breadcrumb = {
    form: g.form,
    range: g.range,
    line: g.range.start.line,
    entries,
    tags,
    notes,
    insideFunction: false,
  };
  if (context !== undefined && context.ok) b.context = context.value;
  if (contextError !== undefined) b.contextError = contextError;
  return b;
}

function span(l1: number, c1: number, l2: number, c2: number): Range {
  return { start: { line: l1, character: c1 }, end: { line: l2, character: c2 } };
}

/**
 * Collects the JSON of the AI_CONTEXT on lines[at]: its value, continued over the following
 * lines of the same comment until braces and brackets balance. An empty value may start the
 * JSON on the next line. A known tag line, or the end of the comment, before the JSON
 * balances leaves it unbalanced and consumes nothing beyond the tag line.
 */
function readJson(
  lines: readonly CommentLine[],
  at: number,
  valuePiece: JsonPiece,
): { pieces: JsonPiece[]; next: number; balanced: boolean } {
  let first = valuePiece;
  let j = at;
  if (first.text === '' && at + 1 < lines.length && /^[ \t]*[{[]/.test(lines[at + 1].text)) {
    j = at + 1;
    first = trimmedPiece(lines[j]);
  }
  if (first.text === '') return { pieces: [], next: at + 1, balanced: true };
  if (first.text[0] !== '{' && first.text[0] !== '[') return { pieces: [first], next: j + 1, balanced: true };

  const pieces: JsonPiece[] = [];
  let depth = 0;
  for (let k = j; k < lines.length; k++) {
    const piece = k === j ? first : trimmedPiece(lines[k]);
    if (k > j) {
      const m = TAG_LINE.exec(piece.text);
      if (m !== null && isKnownTag(m[2].toUpperCase())) break;
    }
    pieces.push(piece);
    const r = scanDepth(piece.text, depth);
    if (r.closed) return { pieces, next: k + 1, balanced: true };
    depth = r.depth;
  }
  return { pieces: [first], next: at + 1, balanced: false };
}

function trimmedPiece(cl: CommentLine): JsonPiece {
  const lead = cl.text.length - cl.text.trimStart().length;
  return { line: cl.line, col: cl.col + lead, text: cl.text.trim() };
}

/** Bracket depth after one line; strings are skipped so `"a}"` does not close anything. */
function scanDepth(s: string, depth: number): { depth: number; closed: boolean } {
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++;
      else if (ch === 34) inString = false;
    } else if (ch === 34) {
      inString = true;
    } else if (ch === 123 || ch === 91) {
      depth++;
    } else if (ch === 125 || ch === 93) {
      depth--;
      if (depth <= 0) return { depth, closed: true };
    }
  }
  return { depth, closed: false };
}

function parseJson(
  pieces: readonly JsonPiece[],
  balanced: boolean,
  tagLine: number,
): { value: unknown } | { error: { message: string; line: number } } {
  if (pieces.length === 0) return { error: { message: 'AI_CONTEXT is empty; expected JSON', line: tagLine } };
  if (!balanced) {
    return {
      error: { message: 'AI_CONTEXT is not valid JSON: braces or brackets do not balance', line: tagLine },
    };
  }
  const source = pieces.map((p) => p.text).join('\n');
  try {
    return { value: JSON.parse(source) as unknown };
  } catch (e) {
    // V8 quotes the whole input in some messages; the diagnostic already points at it.
    const message = jsonMessage(e).replace(/, ".*" is not valid JSON$/s, '');
    return { error: { message: `AI_CONTEXT is not valid JSON: ${message}`, line: errorLine(pieces) } };
  }
}

function jsonMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** V8's "at position N", when the message has one. */
function jsonPosition(message: string): number | undefined {
  const m = /at position (\d+)/.exec(message);
  return m === null ? undefined : Number(m[1]);
}

/** The parse failed only because the input stopped early: more lines could still fix it. */
function endedEarly(message: string, length: number): boolean {
  const pos = jsonPosition(message);
  return /end of JSON input/i.test(message) || (pos !== undefined && pos >= length);
}

/**
 * The comment line that holds the JSON error: the first line whose prefix of the JSON fails
 * for a reason other than ending early. V8 does not always give a position, so prefixes are
 * tried (only on the error path, and AI_CONTEXT is small).
 */
function errorLine(pieces: readonly JsonPiece[]): number {
  let source = '';
  for (const p of pieces) {
    source = source === '' ? p.text : `${source}\n${p.text}`;
    try {
      JSON.parse(source);
    } catch (e) {
      if (!endedEarly(jsonMessage(e), source.length)) return p.line;
    }
  }
  return pieces[pieces.length - 1].line;
}

/**
 * Returns a function that finds a comment's target and whether it lies in a function body.
 * The target is the first target starting after the comment (on its last line too, when code
 * follows the comment there); inside a body, a target beyond the body's end does not count.
 */
function targetLocator(
  input: readonly BreadcrumbTarget[],
): (firstLine: number, lastLine: number, codeAfter: boolean) => Pick<Breadcrumb, 'target' | 'insideFunction'> {
  let targets = input;
  for (let k = 1; k < targets.length; k++) {
    if (targets[k].startLine < targets[k - 1].startLine) {
      targets = [...input].sort((a, b) => a.startLine - b.startLine);
      break;
    }
  }
  // Largest body end among targets[0..k]: lets the search for an enclosing body stop early.
  const maxEnd: number[] = [];
  let acc = -1;
  for (const t of targets) {
    if (t.hasBody) acc = Math.max(acc, t.endLine);
    maxEnd.push(acc);
  }
  const firstStartingAtOrAfter = (line: number): number => {
    let lo = 0;
    let hi = targets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (targets[mid].startLine < line) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (firstLine, lastLine, codeAfter) => {
    // Innermost body that encloses the comment: the latest-starting one, since bodies nest.
    let enclosing: BreadcrumbTarget | undefined;
    for (let j = firstStartingAtOrAfter(firstLine) - 1; j >= 0 && maxEnd[j] >= lastLine; j--) {
      const t = targets[j];
      if (t.hasBody && t.endLine >= lastLine) {
        enclosing = t;
        break;
      }
    }
    const k = firstStartingAtOrAfter(codeAfter ? lastLine : lastLine + 1);
    const next = k < targets.length ? targets[k] : undefined;
    const inBody = next !== undefined && (enclosing === undefined || next.startLine <= enclosing.endLine);
    return {
      target: inBody ? { name: next.name, kind: next.kind, line: next.startLine } : undefined,
      insideFunction: enclosing !== undefined && enclosing.kind === 'function',
    };
  };
}
