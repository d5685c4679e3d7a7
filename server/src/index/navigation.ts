// Navigation answers from the index: what identifier is at a position, where
// it is defined or declared, where it is used. Plain data in and out.

import { findIdentifier, isIdentChar, lexC, lineStarts, offsetToPosition } from './lexer';
import { compareRefs, sortRefs } from './search';
import type { Position, Range } from './types';
import type { SymbolRef, WorkspaceIndex } from './workspaceIndex';

export interface Location {
  path: string;
  range: Range;
}

export interface WordAt {
  name: string;
  range: Range;
  /** `.` or `->` right before the word: a struct member is meant. */
  member: boolean;
  /** The path of an `#include` when the position is on one. */
  include?: { path: string; system: boolean };
}

export function wordAt(text: string, pos: Position): WordAt | undefined {
  const starts = lineStarts(text);
  if (pos.line < 0 || pos.line >= starts.length || pos.character < 0) return undefined;
  const lineStart = starts[pos.line];
  const lineEnd = pos.line + 1 < starts.length ? starts[pos.line + 1] - 1 : text.length;
  const lineText = text.slice(lineStart, lineEnd);
  const inc = /^\s*#\s*include\s*([<"])([^>"]+)[>"]/.exec(lineText);
  if (inc) {
    const from = lineText.indexOf(inc[2]);
    return {
      name: inc[2],
      range: { start: { line: pos.line, character: from }, end: { line: pos.line, character: from + inc[2].length } },
      member: false,
      include: { path: inc[2], system: inc[1] === '<' },
    };
  }
  const col = Math.min(pos.character, lineText.length);
  let s = col;
  let e = col;
  while (s > 0 && isIdentChar(lineText.charCodeAt(s - 1))) s--;
  while (e < lineText.length && isIdentChar(lineText.charCodeAt(e))) e++;
  if (s === e) return undefined;
  const name = lineText.slice(s, e);
  if (/^[0-9]/.test(name)) return undefined;
  const before = lineText.slice(0, s).trimEnd();
  return {
    name,
    range: { start: { line: pos.line, character: s }, end: { line: pos.line, character: e } },
    member: before.endsWith('.') || before.endsWith('->'),
  };
}

/** Symbols a use of `word` can mean, best first: members for `x.word`, everything else otherwise. */
export function candidates(index: WorkspaceIndex, word: WordAt): SymbolRef[] {
  const all = index.lookup(word.name);
  const members = all.filter((r) => r.kind === 'field');
  const others = all.filter((r) => r.kind !== 'field');
  const chosen = word.member ? (members.length ? members : others) : others.length ? others : members;
  return sortRefs(chosen);
}

export function definitions(index: WorkspaceIndex, word: WordAt): SymbolRef[] {
  const c = candidates(index, word);
  const defs = c.filter((r) => r.definition);
  return defs.length ? defs : c;
}

/** Prototypes, `extern` declarations and `.conf` entries; a definition when nothing declares it separately. */
export function declarations(index: WorkspaceIndex, word: WordAt): SymbolRef[] {
  const c = candidates(index, word);
  const decls = c.filter((r) => !r.definition);
  // Prototypes in C headers before `.conf` entries.
  decls.sort((a, b) => Number(a.fromConf) - Number(b.fromConf) || compareRefs(a, b));
  return decls.length ? decls : c;
}

/** Files whose path ends with the included path (`exec/types.h` -> `compiler/include/exec/types.h`). */
export function resolveInclude(index: WorkspaceIndex, include: string, fromPath: string): string[] {
  const clean = include.replace(/^\.\//, '');
  const fromDir = fromPath.includes('/') ? fromPath.slice(0, fromPath.lastIndexOf('/') + 1) : '';
  const sibling = index.get(fromDir + clean);
  const out: string[] = sibling ? [sibling.path] : [];
  // Candidates by file name, then by the rest of the path: reading all 15,000 paths took 5-10 ms per request.
  for (const path of index.filesNamed(clean.slice(clean.lastIndexOf('/') + 1)).sort()) {
    if (path !== sibling?.path && (path === clean || path.endsWith(`/${clean}`))) out.push(path);
  }
  return out;
}

export type TextSource = (path: string) => Promise<string | undefined>;

export interface ReferenceOptions {
  includeDeclaration: boolean;
  signal?: AbortSignal;
  /** Stop after this many locations (the editor cannot show millions anyway). */
  limit?: number;
}

/** Every occurrence of `name` in code (not comments or strings) across the files that mention it. */
export async function references(index: WorkspaceIndex, name: string, read: TextSource, options: ReferenceOptions): Promise<Location[]> {
  const declared = new Set<string>();
  if (!options.includeDeclaration) {
    for (const r of index.lookup(name)) {
      const p = r.selectionRange.start;
      declared.add(`${r.file.path}:${p.line}:${p.character}`);
    }
  }
  const limit = options.limit ?? 10_000;
  const out: Location[] = [];
  const files = index.filesMentioning(name).sort();
  if (options.includeDeclaration) {
    // Declarations outside C code (`.conf` function lists) are not in any file's identifiers.
    const scanned = new Set(files);
    for (const r of index.lookup(name)) if (!scanned.has(r.file.path)) out.push({ path: r.file.path, range: r.selectionRange });
  }
  for (const path of files) {
    options.signal?.throwIfAborted();
    const text = await read(path);
    if (text === undefined) continue;
    const { code } = lexC(text);
    const starts = lineStarts(text);
    for (const offset of findIdentifier(code, name)) {
      const start = offsetToPosition(starts, offset);
      if (declared.has(`${path}:${start.line}:${start.character}`)) continue;
      out.push({ path, range: { start, end: { line: start.line, character: start.character + name.length } } });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
