// One file in, its index entry out: the same function runs in the worker
// threads during workspace indexing and on the main thread for open documents.

import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import { parseBreadcrumbs } from '../breadcrumbs/parse';
import type { BreadcrumbTarget } from '../breadcrumbs/types';
import { scanArosDefinitions } from './aros';
import { isAutoDocBanner, parseAutoDoc } from './autodoc';
import { parseConfFile } from './conf';
import { scanDirectives } from './directives';
import { extractSymbols } from './extract';
import type { FileAnalysis } from './fileIndex';
import { lexC, lineStarts, type CommentSpan, type LexResult, uniqueIdentifiers } from './lexer';
import { skeletonize } from './skeleton';
import type { SymbolInfo } from './types';

let sharedParser: Parser | undefined;

/** One parser per thread: creating them is cheap, but the language setup is not free. */
export function cParser(): Parser {
  if (!sharedParser) {
    sharedParser = new Parser();
    sharedParser.setLanguage(C as unknown as Parser.Language);
  }
  return sharedParser;
}

export interface AnalyzeOptions {
  /** Parse the full text (open documents) instead of the declaration skeleton (workspace files). */
  fullParse?: boolean;
  /** An earlier tree of the same document, already edited, for incremental re-parsing. */
  oldTree?: Parser.Tree;
}

export interface AnalyzeResult {
  analysis: FileAnalysis;
  tree: Parser.Tree;
}

export function analyzeC(text: string, options: AnalyzeOptions = {}): AnalyzeResult {
  const lex = lexC(text);
  const starts = lineStarts(text);
  const directives = scanDirectives(lex.code, text, starts);
  const aros = scanArosDefinitions(text, lex, starts);
  // AROS macro heads are parse errors to tree-sitter, and error recovery is its slowest path:
  // the scanner already read them, so the skeleton leaves them out.
  const source = options.fullParse
    ? text
    : skeletonize(lex.code, [
        ...directives.blank,
        ...lex.comments.map((c) => [c.start, c.end] as const),
        ...aros.map((a) => [a.regionStart, a.regionEnd] as const),
      ]);
  const tree = cParser().parse(source, options.oldTree);
  const plain = extractSymbols(tree.rootNode, text, starts).symbols;

  // tree-sitter misreads AROS macro heads; what it invents inside them is noise.
  const regions = aros.map((a) => [offsetOf(starts, a.range.start), offsetOf(starts, a.range.end)] as const);
  const kept = regions.length ? dropInside(plain, regions, starts) : plain;
  const merged = [...kept, ...aros.map(stripRegion), ...directives.macros];
  merged.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const symbols = renumberParents(plain, merged);
  attachDocs(symbols, text, lex, starts);

  const targets: BreadcrumbTarget[] = symbols
    .filter((s) => s.kind !== 'field' && s.kind !== 'enumerator' && s.parent === undefined)
    .map((s) => ({
      name: s.name,
      kind: s.kind,
      startLine: s.range.start.line,
      endLine: s.range.end.line,
      hasBody: s.kind === 'function' && s.definition,
    }));
  const breadcrumbs = parseBreadcrumbs(text, targets, { lex, starts });

  return {
    tree,
    analysis: {
      lines: starts.length,
      symbols,
      includes: directives.includes,
      breadcrumbs,
      identifiers: uniqueIdentifiers(lex.code),
      hasErrors: tree.rootNode.hasError,
    },
  };
}

export function analyzeConf(text: string, path: string): FileAnalysis {
  const conf = parseConfFile(text, path);
  return {
    lines: lineStarts(text).length,
    symbols: conf.functions,
    includes: [],
    breadcrumbs: [],
    identifiers: [],
    hasErrors: false,
  };
}

function offsetOf(starts: readonly number[], p: { line: number; character: number }): number {
  return (starts[p.line] ?? 0) + p.character;
}

type WithRegion = SymbolInfo & { regionStart?: number; regionEnd?: number };

function stripRegion(s: WithRegion): SymbolInfo {
  const { regionStart, regionEnd, ...rest } = s;
  void regionStart;
  void regionEnd;
  return rest;
}

function dropInside(symbols: SymbolInfo[], regions: ReadonlyArray<readonly [number, number]>, starts: readonly number[]): SymbolInfo[] {
  return symbols.filter((s) => {
    const at = offsetOf(starts, s.selectionRange.start);
    return !regions.some(([from, to]) => at >= from && at < to);
  });
}

/** Sorting and filtering moved symbols; parents are indexes, so map them to the new positions. */
function renumberParents(before: SymbolInfo[], after: SymbolInfo[]): SymbolInfo[] {
  const newIndex = new Map<SymbolInfo, number>();
  after.forEach((s, i) => newIndex.set(s, i));
  return after.map((s) => {
    if (s.parent === undefined) return s;
    const parent = before[s.parent];
    const mapped = parent ? newIndex.get(parent) : undefined;
    return mapped === undefined ? { ...s, parent: undefined } : mapped === s.parent ? s : { ...s, parent: mapped };
  });
}

/**
 * The comment right above a top-level symbol is its documentation. An AROS
 * AutoDoc banner also spans the comments inside the function head, so those
 * are gathered up to the body.
 */
function attachDocs(symbols: SymbolInfo[], text: string, lex: LexResult, starts: readonly number[]): void {
  const comments = lex.comments;
  if (comments.length === 0) return;
  for (const s of symbols) {
    if (s.parent !== undefined || s.kind === 'field' || s.kind === 'enumerator') continue;
    if (s.autodoc) continue;
    const start = offsetOf(starts, s.range.start);
    const before = commentEndingBefore(comments, lex.code, start);
    if (before < 0) continue;
    const c = comments[before];
    const body = text.slice(c.start, c.end);
    if (isAutoDocBanner(body) || /^\s*\/\*+\s*$/m.test(body.split('\n')[0] ?? '')) {
      const texts = [body];
      const end = offsetOf(starts, s.range.end);
      for (let i = before + 1; i < comments.length && comments[i].start < end; i++) {
        texts.push(text.slice(comments[i].start, comments[i].end));
      }
      const doc = parseAutoDoc(texts);
      if (doc) {
        s.autodoc = doc;
        continue;
      }
    }
    if (!looksLikeBreadcrumb(body)) s.doc = cleanComment(body);
  }
}

/** Index of the comment that ends just before `offset` with only whitespace (at most one blank line) between. */
function commentEndingBefore(comments: readonly CommentSpan[], code: string, offset: number): number {
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
  for (let i = code.indexOf('\n', comments[found].end); i >= 0 && i < offset; i = code.indexOf('\n', i + 1)) {
    if (++lines > 3) return -1;
  }
  const gap = code.slice(comments[found].end, offset);
  if (gap.trim() !== '') {
    // The AROS layout puts `#include <proto/x.h>` between the banner and the macro.
    const withoutIncludes = gap.replace(/^\s*#\s*include[^\n]*$/gm, '');
    if (withoutIncludes.trim() !== '') return -1;
  }
  return found;
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
