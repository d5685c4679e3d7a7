// The documentation of symbols: the comment right above each top-level
// symbol, an AROS AutoDoc where it is one. Read from the text and the
// comments' spans alone, never from the masked code: an edit inside a comment
// changes no code, and the line-edit path (lineEdit.ts) attaches the
// documentation again without masking a large document's text anew.

import { AUTODOC_SECTIONS, isAutoDocBanner, parseAutoDoc } from './autodoc';
import { positionToOffset as offsetOf, type CommentSpan } from './lexer';
import type { SymbolInfo } from './types';

/**
 * The comment right above a top-level symbol is its documentation. An AROS
 * AutoDoc banner also spans the comments inside the function head, so those
 * are gathered up to the body (not into it: a body's comments are notes on
 * the code). Symbols that already have an AutoDoc (AROS functions, from
 * aros.ts) are left as they are.
 */
export function attachDocs(symbols: SymbolInfo[], text: string, comments: readonly CommentSpan[], starts: readonly number[]): void {
  if (comments.length === 0 || symbols.length === 0) return;
  for (const s of symbols) {
    if (s.parent !== undefined || s.kind === 'field' || s.kind === 'enumerator') continue;
    if (s.autodoc) continue;
    const start = offsetOf(starts, s.range.start);
    const before = commentEndingBefore(comments, text, start);
    if (before < 0) continue;
    const c = comments[before];
    // A run of own-line `//` comments is one doc comment, not just its last line.
    let first = before;
    if (!c.block) while (first > 0 && continuesLineComments(comments, first - 1, text)) first--;
    // A comment after code on its line (`} /* Name */`, `int x; // note`) belongs to that code, not to what follows.
    if (!ownLine(comments, first, text)) continue;
    const body = text.slice(comments[first].start, c.end);
    if (isAutoDocBanner(body) || /^\s*\/\*+\s*$/m.test(body.split('\n')[0] ?? '')) {
      const texts = [body];
      const end = headEnd(text, comments, offsetOf(starts, s.selectionRange.end), offsetOf(starts, s.range.end));
      for (let i = before + 1; i < comments.length && comments[i].start < end; i++) {
        texts.push(text.slice(comments[i].start, comments[i].end));
      }
      const doc = parseAutoDoc(texts);
      if (doc) {
        s.autodoc = doc;
        continue;
      }
    }
    if (looksLikeBreadcrumb(body)) continue;
    const doc = cleanComment(body);
    // Nothing but decoration (`/*********/`, `// -----`) is no documentation, nor the `NAME */`
    // that opens an AutoDoc whose sections are all empty.
    if (!/^[\s*\-=_~#/]*$/.test(doc) && !AUTODOC_SECTIONS.includes(doc)) s.doc = doc;
  }
}

/** The first `{` outside comments in [from, to) (a body's), or `to`. */
function headEnd(text: string, comments: readonly CommentSpan[], from: number, to: number): number {
  let at = text.indexOf('{', from);
  while (at >= 0 && at < to) {
    const inside = commentAround(comments, at);
    if (!inside) return at;
    at = text.indexOf('{', inside.end);
  }
  return to;
}

/** The comment that holds offset `at`, if one does (comments are in order and do not overlap). */
function commentAround(comments: readonly CommentSpan[], at: number): CommentSpan | undefined {
  let lo = 0;
  let hi = comments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = comments[mid];
    if (at < c.start) hi = mid - 1;
    else if (at >= c.end) lo = mid + 1;
    else return c;
  }
  return undefined;
}

/**
 * Index of the comment that ends just before `offset` with only whitespace
 * (at most two blank lines) between. No comment lies between the two, so the
 * text there is what the masked code has (a literal keeps its quotes there).
 */
function commentEndingBefore(comments: readonly CommentSpan[], text: string, offset: number): number {
  let lo = 0;
  let hi = comments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (comments[mid].end <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return -1;
  // Count lines before slicing: the previous comment can be thousands of lines up.
  let lines = 0;
  for (let i = text.indexOf('\n', comments[found].end); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    if (++lines > 3) return -1;
  }
  const gap = text.slice(comments[found].end, offset);
  if (gap.trim() !== '') {
    // The AROS layout puts `#include <proto/x.h>` between the banner and the macro.
    const withoutIncludes = gap.replace(/^\s*#\s*include[^\n]*$/gm, '');
    if (withoutIncludes.trim() !== '') return -1;
  }
  return found;
}

/** Comment `i` is an own-line `//` comment on the line just above comment `i + 1`. */
function continuesLineComments(comments: readonly CommentSpan[], i: number, text: string): boolean {
  const a = comments[i];
  return !a.block && /^[ \t]*\r?\n[ \t]*$/.test(text.slice(a.end, comments[i + 1].start)) && ownLine(comments, i, text);
}

/** Only whitespace, or other comments, before comment `i` on its line. */
function ownLine(comments: readonly CommentSpan[], i: number, text: string): boolean {
  const c = comments[i];
  const lineStart = text.lastIndexOf('\n', c.start - 1) + 1;
  let k = i;
  while (k > 0 && comments[k - 1].end > lineStart) k--;
  let at = lineStart;
  for (; k < i; k++) {
    if (!blank(text, at, comments[k].start)) return false;
    at = Math.max(at, comments[k].end);
  }
  return blank(text, at, c.start);
}

function blank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (ch !== 32 && ch !== 9) return false;
  }
  return true;
}

function looksLikeBreadcrumb(comment: string): boolean {
  return /\b(AI_PHASE|AI_STATUS)\s*:/i.test(comment);
}

function cleanComment(comment: string): string {
  return comment
    .replace(/^\/\*+|\*+\/$/g, '')
    .split('\n')
    .map((l) => l.replace(/^\s*(\/\/+|\*+(?!\/))?\s?/, '').trimEnd())
    .join('\n')
    .trim()
    .slice(0, 4000);
}
