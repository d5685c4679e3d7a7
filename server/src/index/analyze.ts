// One file in, its index entry out: the same function runs in the worker
// threads during workspace indexing and on the main thread for open documents.

import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import { mayHaveBreadcrumbs, parseBreadcrumbs } from '../breadcrumbs/parse';
import type { BreadcrumbTarget } from '../breadcrumbs/types';
import { scanArosDefinitions } from './aros';
import { modtypeFromMmakefile, parseConfFile } from './conf';
import { neutralizeDialect } from './dialectWords';
import { scanDirectives } from './directives';
import { attachDocs } from './docComments';
import { extractSymbols, extractSymbolsAround, type UnitKey } from './extract';
import { simpleFieldLists, type SimpleFieldLists } from './fieldLists';
import type { FileAnalysis } from './fileIndex';
import { countIdentifiers, lexC, lineStarts, positionToOffset as offsetOf, type CommentSpan, type LexResult, uniqueIdentifiers } from './lexer';
import { analyzeLineEdit, editableLines, shiftDirectives, spliceLex, type LineEditState } from './lineEdit';
import { readPlainUnits } from './plainUnits';
import { declarationRanges, skeletonize } from './skeleton';
import { newSymbol } from './symbol';
import type { SymbolInfo } from './types';

let sharedParser: Parser | undefined;

/** One parser per thread: creating them is cheap, but the language setup is not free. */
export function cParser(): Parser {
  sharedParser ??= newCParser();
  return sharedParser;
}

function newCParser(): Parser {
  const parser = new Parser();
  // tree-sitter-c 0.23 declares its own Language type, structurally the one tree-sitter 0.22 takes.
  parser.setLanguage(C as unknown as Parser.Language);
  return parser;
}

/**
 * A parser for analyses run in slices. A parse that times out keeps its state
 * in the parser and resumes on the next call, so no other parse may use this
 * parser in between; `owner` says whose partial parse it holds.
 */
export interface SlicedParser {
  parser: Parser;
  /** How long one slice of the parse may run. */
  sliceMicros: number;
  owner?: object;
}

export function slicedParser(sliceMicros = 8000): SlicedParser {
  return { parser: newCParser(), sliceMicros };
}

export interface AnalyzeOptions {
  /**
   * Parse the whole (masked, neutralized) text instead of the declaration
   * skeleton: the two yield the same symbols (tests check it); a review of
   * generated code reads its errors from it.
   */
  fullParse?: boolean;
  /**
   * The previous parse of the same document: the text tree-sitter saw and its
   * tree. The tree is edited from the difference and re-parsed incrementally;
   * an edit inside a function body leaves the skeleton (nearly) unchanged, so
   * typing costs tree-sitter almost nothing.
   */
  previous?: Reusable;
  /** Parse in time slices with this parser (for `analyzeSteps` driven by a caller that yields between steps). */
  sliced?: SlicedParser;
  /** Keep what a later edit of one line inside a body needs to skip the whole-file passes (open documents). */
  forEditing?: boolean;
}

/** What a later analysis of the same document can reuse. */
export interface Reusable {
  source: string;
  tree: Parser.Tree;
  /** Symbols read from `tree`, before AROS and macro symbols are merged in. */
  plain: readonly SymbolInfo[];
  /**
   * The text of the parameter lists and plain field lists the skeleton cut
   * (`cutText`): signatures and fields are read from it, so an edit there
   * changes symbols though the skeleton stays the same.
   */
  parameters?: string;
  /** With `forEditing`: the state `analyzeLineEdit` answers the next edit from. */
  editing?: LineEditState;
  /** With `forEditing`: the declarations `plain` was read from (`unitKeys`). */
  units?: readonly UnitKey[];
}

export interface AnalyzeResult extends Reusable {
  analysis: FileAnalysis;
}

export function analyzeC(text: string, options: AnalyzeOptions = {}): AnalyzeResult {
  return runToEnd(analyzeSteps(text, options));
}

/**
 * A file's analysis for the workspace index (the parse workers): `analyzeC`'s,
 * with the plain top-level declarations read from the skeleton's text rather
 * than parsed (plainUnits.ts), so nothing is left to reuse for a later edit.
 */
export function analyzeForIndex(text: string): FileAnalysis {
  return runToEnd(analysisSteps(text, {}, true)).analysis;
}

/** Drives a stepwise analysis to its end without yielding to anyone. */
export function runToEnd<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `analyzeC` in steps: each `yield` is a point where a caller on the main
 * thread may let the event loop run. On a 5,000-line file the first analysis
 * takes 50-80 ms while V8 still compiles the code; no step takes more than
 * about 25 ms of that.
 */
export function* analyzeSteps(text: string, options: AnalyzeOptions = {}): Generator<void, AnalyzeResult, void> {
  const result = yield* analysisSteps(text, options, false);
  const tree = result.tree;
  // Without plain units read from the text, every analysis parses.
  if (!tree) throw new Error('analysis without a tree');
  return { ...result, tree };
}

/** `analyzeSteps`; with `plainUnits`, a file whose declarations are all plain is read without a tree of them. */
function* analysisSteps(
  text: string,
  options: AnalyzeOptions,
  plainUnits: boolean,
): Generator<void, Omit<AnalyzeResult, 'tree'> & { tree: Parser.Tree | undefined }, void> {
  const previous = options.previous;
  if (previous?.editing) {
    const quick = analyzeLineEdit(previous.editing, text);
    if (quick) return { source: previous.source, tree: previous.tree, plain: previous.plain, parameters: previous.parameters, units: previous.units, editing: quick.state, analysis: quick.analysis };
  }
  // Otherwise an edit of one line still need not lex the whole file again.
  const spliced = previous?.editing && options.forEditing ? spliceLex(previous.editing, text) : undefined;
  const lex = spliced?.lex ?? lexC(text);
  const starts = spliced?.starts ?? lineStarts(text);
  const previousDirectives = spliced && previous?.editing?.directives ? shiftDirectives(previous.editing.directives, spliced.edit) : undefined;
  const directives = previousDirectives ?? scanDirectives(lex.code, text, starts);
  const aros = scanArosDefinitions(text, lex, starts);
  yield;
  const counts = spliced?.counts ?? (options.forEditing ? countIdentifiers(lex.code) : undefined);
  const identifiers = spliced?.identifiers ?? (counts ? [...counts.keys()] : uniqueIdentifiers(lex.code));
  // Counting a whole document's identifiers is a step of its own in a sliced first analysis.
  if (counts && !spliced) yield;
  // Declarations are read with the dialect's macro words neutralized (dialectWords.ts): their
  // structure, and their names and signatures (`static ULONG Init(...)` for
  // `static ULONG SAVEDS GM_UNIQUENAME(Init)(...)`), which then split into C's parts.
  const structure = neutralizeDialect(lex.code, identifiers);
  // AROS macro heads are parse errors to tree-sitter, and error recovery is its slowest path:
  // the scanner already read them, so the skeleton leaves them out.
  const cut = declarationRanges(structure);
  const bodies = cut.bodies;
  // Plain field lists are read from the text, not parsed (fieldLists.ts).
  const fields = options.fullParse ? undefined : simpleFieldLists(structure);
  const source = options.fullParse
    ? structure
    : skeletonize(structure, cut, blankedSpans(directives.blank, lex.comments, aros, fields));
  // Only an analysis that a later one may start from needs them (open documents; not the parse workers).
  const parameters = options.fullParse || !(options.forEditing || previous) ? undefined : cutText(structure, cut, fields);
  // Same skeleton and parameters, same declarations: typing inside a body skips parsing and extraction.
  const unchanged = previous !== undefined && previous.source === source && previous.parameters === parameters;
  // A file whose declarations are all plain is read from the text; only its conditionals are parsed.
  let plainRead = plainUnits ? readPlainUnits(source, structure, starts, fields) : undefined;
  yield;
  let tree = previous
    ? reparse(previous, source)
    : options.sliced
      ? yield* parseInSlices(source, options.sliced)
      : plainRead
        ? plainRead.directives === undefined
          ? undefined
          : cParser().parse(plainRead.directives)
        : cParser().parse(source);
  if (plainRead && tree?.rootNode.hasError) {
    // Conditionals that do not balance: tree-sitter's reading of the declarations among them is the one to keep.
    plainRead = undefined;
    tree = cParser().parse(source);
  }
  yield;
  // Signatures are read from the masked, neutralized code: no comments in them, and nothing the skeleton does not see.
  const around = !unchanged && spliced && previous && tree ? extractAroundLine(tree, previous, spliced.edit.line, structure, starts, fields) : undefined;
  const read = unchanged
    ? { symbols: previous.plain.map(copySymbol), units: previous.units }
    : (around ?? (plainRead ? { symbols: plainRead.symbols, units: [] } : extractSymbols(treeOf(tree).rootNode, structure, starts, options.forEditing, fields)));
  const plain = read.symbols;
  // Copies only for a later analysis to start from: that is one made `forEditing` (open documents);
  // the parse workers keep nothing.
  const extracted = unchanged ? previous.plain : options.forEditing || previous ? plain.map(copySymbol) : plain;
  // The declarations read, for the next edit's check (open documents only).
  const unitKeys = options.forEditing ? read.units : undefined;
  yield;

  // tree-sitter misreads AROS macro heads; what it invents inside them is noise.
  const kept = aros.length ? dropInside(plain, aros.map((a) => [offsetOf(starts, a.range.start), offsetOf(starts, a.range.end)] as const), starts) : plain;
  const merged = kept.slice();
  for (const a of aros) merged.push(newSymbol(a));
  for (const m of directives.macros) merged.push(m);
  merged.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const symbols = renumberParents(plain, merged);
  attachDocs(symbols, text, lex.comments, starts);
  yield;

  // Tags cannot span lines: a text that had none and an edited line with none make no breadcrumbs.
  const maybeTags = spliced && previous?.editing?.maybeTags === false ? mayHaveBreadcrumbs(spliced.edit.newLine) : mayHaveBreadcrumbs(text);
  const breadcrumbs = maybeTags ? breadcrumbsOf(symbols, text, lex, starts) : [];
  yield;

  // Mapping a whole document's lines is a step of its own in a sliced first analysis.
  if (counts && !spliced) yield;
  const analysis: FileAnalysis = {
    lines: starts.length,
    symbols,
    includes: directives.includes,
    breadcrumbs,
    identifiers,
    hasErrors: tree ? tree.rootNode.hasError : false,
  };
  const editing = counts
    ? { text, starts, editable: editableLines(text, starts, bodies, lex.comments, symbols), counts, analysis, lex, comments: lex.comments, directives, maybeTags }
    : undefined;
  // The tree of a file read from the text holds its conditionals alone: nothing to keep.
  return { source, tree: plainRead ? undefined : tree, plain: extracted, parameters, units: unitKeys, editing, analysis };
}

/**
 * After an edit of one line (rows elsewhere unchanged), the symbols read again
 * only from the declarations on that line and where tree-sitter reports the
 * tree changed; the previous ones elsewhere, copied (documentation is attached
 * to the objects later). Undefined when the declarations elsewhere changed.
 */
function extractAroundLine(
  tree: Parser.Tree,
  previous: Reusable,
  line: number,
  code: string,
  starts: readonly number[],
  fields: SimpleFieldLists | undefined,
): { symbols: SymbolInfo[]; units: UnitKey[] } | undefined {
  if (!previous.units) return undefined;
  let from = line;
  let to = line;
  for (const r of tree.getChangedRanges(previous.tree)) {
    from = Math.min(from, r.startPosition.row);
    to = Math.max(to, r.endPosition.row);
  }
  const around = extractSymbolsAround(tree.rootNode, code, starts, { symbols: previous.plain, units: previous.units }, from, to, fields);
  return around && { symbols: around.symbols.map(copySymbol), units: around.units };
}

function treeOf(tree: Parser.Tree | undefined): Parser.Tree {
  if (!tree) throw new Error('no tree parsed');
  return tree;
}

/** A whole-file parse that yields each time tree-sitter's timeout ends a slice, resuming where it stopped. */
function* parseInSlices(source: string, sliced: SlicedParser): Generator<void, Parser.Tree, void> {
  const me = {};
  sliced.owner = me;
  sliced.parser.reset();
  let resumed = false;
  try {
    for (;;) {
      // Someone else parsed with this parser meanwhile: its state is not ours to resume.
      if (sliced.owner !== me) {
        sliced.owner = me;
        sliced.parser.reset();
        resumed = false;
      }
      sliced.parser.setTimeoutMicros(sliced.sliceMicros);
      const tree = sliced.parser.parse(source) as Parser.Tree | null | undefined;
      if (tree && (!resumed || !tree.rootNode.hasError)) return tree;
      if (tree) {
        // A resumed parse restarts its loop over GLR stack versions, so error recovery may choose
        // differently than one uninterrupted parse: parse once more without a timeout, so that an
        // open document reads exactly as the workspace indexer reads it. Rare: on AROS, 6 files of
        // 1,000 over 20 KB need a second slice, and 3 of those have errors.
        sliced.parser.setTimeoutMicros(0);
        sliced.parser.reset();
        return sliced.parser.parse(source);
      }
      resumed = true;
      yield;
    }
  } finally {
    sliced.parser.setTimeoutMicros(0);
    if (sliced.owner === me) sliced.owner = undefined;
  }
}

/** `mmakefile` is the text of the `mmakefile.src` beside the `.conf`: its `modtype` fixes where LVOs start. */
/** Edits the old tree by the one span where the texts differ, then re-parses incrementally. */
function reparse(previous: { source: string; tree: Parser.Tree }, source: string): Parser.Tree {
  const old = previous.source;
  if (old === source) return previous.tree;
  const limit = Math.min(old.length, source.length);
  let start = 0;
  while (start < limit && old.charCodeAt(start) === source.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < limit - start && old.charCodeAt(old.length - 1 - tail) === source.charCodeAt(source.length - 1 - tail)) tail++;
  const oldEnd = old.length - tail;
  const newEnd = source.length - tail;
  previous.tree.edit({
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(old, start),
    oldEndPosition: pointAt(old, oldEnd),
    newEndPosition: pointAt(source, newEnd),
  });
  return cParser().parse(source, previous.tree);
}

function pointAt(text: string, offset: number): Parser.Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

export function analyzeConf(text: string, path: string, mmakefile?: string): FileAnalysis {
  const modname = (path.split('/').pop() ?? path).replace(/\.conf$/i, '');
  const modtype = mmakefile ? modtypeFromMmakefile(mmakefile, modname) : undefined;
  const conf = parseConfFile(text, path, modtype ? { modtype } : {});
  return {
    lines: lineStarts(text).length,
    symbols: conf.functions,
    includes: [],
    breadcrumbs: [],
    identifiers: [],
    hasErrors: false,
  };
}

/**
 * The breadcrumbs of a text that may have some, attached to its top-level
 * symbols. Apart from analyzeSteps: most files have none, and code there that
 * ran only for the few that do made V8 recompile all of analyzeSteps.
 */
function breadcrumbsOf(symbols: readonly SymbolInfo[], text: string, lex: LexResult, starts: readonly number[]): ReturnType<typeof parseBreadcrumbs> {
  const targets: BreadcrumbTarget[] = [];
  for (const s of symbols) {
    if (s.kind === 'field' || s.kind === 'enumerator' || s.parent !== undefined) continue;
    targets.push({ name: s.name, kind: s.kind, startLine: s.range.start.line, endLine: s.range.end.line, hasBody: s.kind === 'function' && s.definition });
  }
  return parseBreadcrumbs(text, targets, { lex, starts, mayHaveTags: true });
}

/**
 * The text the skeleton cuts out of declarations (parameter lists, plain field
 * lists): the symbols read depend on it, so a later analysis compares it too.
 */
function cutText(code: string, cut: { parameters: ReadonlyArray<readonly [number, number]> }, fields: SimpleFieldLists | undefined): string {
  const parts: string[] = [];
  for (const [from, to] of cut.parameters) parts.push(code.slice(from, to));
  // A mark between the two kinds: moving a text from one to the other is a change.
  parts.push('\u0001');
  if (fields) for (const [open, body] of fields) parts.push(code.slice(open, body.close));
  return parts.join('\0');
}

/**
 * What the skeleton blanks, in one array built by loops: spreading arrays of
 * different element kinds (empty or not) made V8 throw away and recompile
 * this module's largest function again and again in every parse worker.
 */
function blankedSpans(
  directives: ReadonlyArray<readonly [number, number]>,
  comments: readonly CommentSpan[],
  aros: ReadonlyArray<{ regionStart: number; regionEnd: number }>,
  fields: SimpleFieldLists | undefined,
): Array<readonly [number, number]> {
  const spans = directives.slice();
  for (const c of comments) spans.push([c.start, c.end]);
  for (const a of aros) spans.push([a.regionStart, a.regionEnd]);
  if (fields) for (const [open, body] of fields) spans.push([open + 1, body.close]);
  return spans;
}

/** Docs are attached to symbols in place, so a kept copy must not share them. */
function copySymbol(s: SymbolInfo): SymbolInfo {
  return newSymbol(s);
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
  for (let i = 0; i < after.length; i++) newIndex.set(after[i], i);
  // Pushed, not mapped: `map` makes a holey array, and every symbol list later code loops over
  // came in two kinds (with `.conf` lists and empty ones, four), each new one a deoptimization.
  const out: SymbolInfo[] = [];
  for (const s of after) {
    if (s.parent === undefined) {
      out.push(s);
      continue;
    }
    const parent = before[s.parent];
    const mapped = parent ? newIndex.get(parent) : undefined;
    if (mapped === s.parent) {
      out.push(s);
      continue;
    }
    const moved = newSymbol(s);
    moved.parent = mapped;
    out.push(moved);
  }
  return out;
}

