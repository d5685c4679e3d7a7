// The text of the comment around a position, and whether a line of it is a
// breadcrumb tag: what completion needs to tell a breadcrumb comment from an
// ordinary one without parsing the whole file.

import { isKnownTag } from './types';

/** A tag-shaped line after the comment markers; group 1 is the tag. */
export const TAG_LINE = /^[ \t]*(?:\/\/+|\/\*+|\*+)?[ \t!]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*:/;

/** A known tag or any `AI_*` tag. */
export function isTagLine(line: string): boolean {
  const m = TAG_LINE.exec(line);
  if (!m) return false;
  const tag = m[1].toUpperCase();
  return isKnownTag(tag) || tag.startsWith('AI_');
}

/** A block comment from its `/*` to its `*` `/` (or the end of the text). */
export function blockCommentText(text: string, start: number): string {
  const close = text.indexOf('*/', start + 2);
  return text.slice(start, close < 0 ? text.length : close);
}

/** The run of consecutive own-line `//` comments around the line starting at `lineStart`, at most `maxLines` each way. */
export function lineCommentRun(text: string, lineStart: number, maxLines = Infinity): string {
  const commentLine = (from: number): boolean => /^[ \t]*\/\//.test(text.slice(from, from + 200));
  let first = lineStart;
  for (let n = 0; first > 0 && n < maxLines; n++) {
    const prev = text.lastIndexOf('\n', first - 2) + 1;
    if (!commentLine(prev)) break;
    first = prev;
  }
  let end = text.indexOf('\n', lineStart);
  for (let n = 0; end >= 0 && n < maxLines && commentLine(end + 1); n++) end = text.indexOf('\n', end + 1);
  return text.slice(first, end < 0 ? text.length : end);
}
