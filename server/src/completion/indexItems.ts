// The index half of code completion: what the workspace index and the
// document's own text can offer at the cursor, as plain data (the LSP adapter
// converts). Everything comes from by-name lookups, one prefix range of the
// sorted name table and the current document: no symbol list is scanned, so a
// request stays cheap on the full AROS tree. Model suggestions are elsewhere.

import { STATUS_VALUES, COMPLEXITY_VALUES, KNOWN_TAGS, isKnownTag } from '../breadcrumbs/types';
import { phaseKey } from '../breadcrumbs/values';
import { TAG_LINE, blockCommentText, isTagLine, lineCommentRun } from '../breadcrumbs/commentText';
import { C_KEYWORDS, DECLARATION, NOT_A_TYPE, declaredType, parseTypeName, type TypeName } from '../context/completionContext';
import { hoverMarkdown } from '../index/hoverText';
import { isIdentChar, lexC } from '../index/lexer';
import { sortRefs } from '../index/search';
import { splitParams } from '../index/signatureText';
import type { ParamInfo, SymbolInfo, SymbolKind } from '../index/types';
import type { StoredFile, SymbolRef, WorkspaceIndex } from '../index/workspaceIndex';
import { forEachWithPrefix } from '../index/nameTables';
import { dirOf, locality } from '../index/pathNearness';

export type ItemKind =
  | 'function'
  | 'library-function'
  | 'macro'
  | 'struct'
  | 'union'
  | 'enum'
  | 'enumerator'
  | 'typedef'
  | 'field'
  | 'variable'
  | 'parameter'
  | 'local'
  | 'keyword'
  | 'breadcrumb-tag'
  | 'breadcrumb-value';

export interface ItemData {
  file: string;
  name: string;
  /** 0-based start line of the symbol's range, as the index stores it. */
  line: number;
}

export interface IndexItem {
  label: string;
  kind: ItemKind;
  /** Signature or type. */
  detail?: string;
  insertText?: string;
  /** insertText uses LSP snippet syntax `${1:name}`. */
  snippet?: boolean;
  sortText: string;
  filterText?: string;
  /** For resolveDocumentation. */
  data?: ItemData;
}

export interface IndexCompletion {
  items: IndexItem[];
  isIncomplete: boolean;
  /** Offset where the word being completed starts. */
  replaceStart: number;
  context: 'code' | 'member' | 'breadcrumb' | 'include' | 'none';
}

export interface IndexCompletionRequest {
  /** Workspace key exactly as the index uses it. */
  file: string;
  text: string;
  /** UTF-16 offset of the cursor in `text`. */
  offset: number;
  /** Most items returned; default 100. */
  limit?: number;
  /** The client accepts snippet insert text. */
  snippets?: boolean;
}

/** The part of the index completion reads: by-name lookups, one file's symbols, the name table, file paths. */
export type CompletionIndex = Pick<WorkspaceIndex, 'lookup' | 'get' | 'symbolsOf' | 'names' | 'allFiles'>;

const DEFAULT_LIMIT = 100;
/** Names of one prefix range read at most, per requested item: a one-letter prefix must not read a tenth of the table. */
const SCAN_PER_ITEM = 8;
const MIN_SCAN = 400;
const MAX_MACRO_DETAIL = 120;
/** How far back a function's opening brace is looked for when the index does not know the function. */
const HEURISTIC_LOOKBACK = 200_000;
const MAX_CHAIN = 8;

const C_WORDS = (
  'auto break case char const continue default do double else enum extern float for goto if inline int long ' +
  'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while _Bool'
).split(' ');
const DIRECTIVES = 'include define undef if ifdef ifndef elif else endif error warning pragma line'.split(' ');
const HEADER = /\.(?:h|hh|hpp|hxx|inc)$/i;

// ---------------------------------------------------------------------------
// Entry points

export function indexCompletions(index: CompletionIndex, req: IndexCompletionRequest): IndexCompletion {
  const text = req.text;
  const offset = Math.max(0, Math.min(req.offset, text.length));
  const opts: Options = { limit: Math.max(1, req.limit ?? DEFAULT_LIMIT), snippets: req.snippets ?? false };
  const lineStart = lineStartOf(text, offset);
  const state = cursorState(text, offset);
  const include = /^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]*)$/.exec(text.slice(lineStart, offset));
  if (include && (state.kind === 'code' || state.kind === 'string')) {
    return includeCompletions(index, req.file, text, include[2], include[1] === '"', offset, opts);
  }
  if (state.kind === 'line-comment' || state.kind === 'block-comment') return commentCompletions(index, text, offset, state, opts);
  if (state.kind !== 'code') return empty(offset, 'none');
  return codeCompletions(index, req.file, text, offset, opts);
}

/** Markdown for an item's `data`: signature, AROS library facts (base, LVO, registers), AutoDoc sections, breadcrumb. */
export function resolveDocumentation(index: Pick<WorkspaceIndex, 'lookup'>, data: ItemData): string | undefined {
  const ref = index.lookup(data.name).find((r) => r.file.path === data.file && r.line === data.line);
  if (!ref) return undefined;
  const crumb = ref.file.breadcrumbs.find((b) => b.target?.name === data.name);
  return hoverMarkdown(ref, crumb);
}

interface Options {
  limit: number;
  snippets: boolean;
}

function empty(replaceStart: number, context: IndexCompletion['context']): IndexCompletion {
  return { items: [], isIncomplete: false, replaceStart, context };
}

// ---------------------------------------------------------------------------
// Where the cursor is: code, a comment or a literal

type CursorKind = 'code' | 'line-comment' | 'block-comment' | 'string' | 'char';

interface CursorState {
  kind: CursorKind;
  /** Start of the comment or literal holding the cursor; -1 in code. */
  start: number;
}

/** One pass from the file start that jumps between `/`, `"` and `'`: only they can open a comment or literal. */
function cursorState(text: string, at: number): CursorState {
  const re = /[/"']/g;
  for (;;) {
    const m = re.exec(text);
    if (!m || m.index >= at) return { kind: 'code', start: -1 };
    const i = m.index;
    const c = text.charCodeAt(i);
    if (c === 47 /* / */) {
      const next = text.charCodeAt(i + 1);
      if (next === 42 /* * */) {
        const close = text.indexOf('*/', i + 2);
        if (close < 0 || close + 2 > at) return { kind: 'block-comment', start: i };
        re.lastIndex = close + 2;
      } else if (next === 47) {
        const end = lineCommentEnd(text, i);
        // The cursor at the very end of a line comment is still inside it.
        if (end >= at) return { kind: 'line-comment', start: i };
        re.lastIndex = end;
      }
      continue;
    }
    const end = literalEnd(text, i, c);
    if (at <= end) return { kind: c === 34 ? 'string' : 'char', start: i };
    re.lastIndex = end + 1;
  }
}

function lineCommentEnd(text: string, from: number): number {
  let end = from + 2;
  for (;;) {
    const nl = text.indexOf('\n', end);
    if (nl < 0) return text.length;
    // A backslash before the newline continues a line comment.
    const k = text.charCodeAt(nl - 1) === 13 ? nl - 2 : nl - 1;
    if (text.charCodeAt(k) !== 92) return nl;
    end = nl + 1;
  }
}

/** Offset of the closing quote, or of the line end when unterminated. */
function literalEnd(text: string, from: number, quote: number): number {
  let j = from + 1;
  while (j < text.length) {
    const e = text.charCodeAt(j);
    if (e === 92) {
      j += 2;
      continue;
    }
    if (e === quote || e === 10) return j;
    j++;
  }
  return text.length;
}

function lineStartOf(text: string, offset: number): number {
  return offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
}

// ---------------------------------------------------------------------------
// Breadcrumb comments

const WORD_BEFORE = /^([A-Za-z_][A-Za-z0-9_]*)?$/;
const VALUE_BEFORE = /^([A-Za-z_][A-Za-z0-9_]*)[ \t]*:[ \t]*(.*)$/;
const MAX_RUN_LINES = 200;

const TAG_GROUPS: ReadonlyArray<[string, readonly string[]]> = [
  ['core (required)', ['AI_PHASE', 'AI_STATUS']],
  ['strategy', ['AI_PATTERN', 'AI_STRATEGY', 'AI_DETAILS']],
  ['notes and history', ['AI_NOTE', 'AI_HISTORY', 'AI_CHANGE']],
  ['feature marker', ['AI_BREADCRUMB']],
  ['errors', ['COMPILER_ERR', 'RUNTIME_ERR', 'FIX_REASON']],
  ['references', ['LINUX_REF', 'AMIGAOS_REF', 'AROS_IMPL']],
  ['tracker', ['REF_GITHUB_ISSUE', 'REF_PR', 'REF_TROUBLE_TICKET', 'REF_USER_FEEDBACK', 'REF_AUDIT_LOG']],
  ['provenance', ['HUMAN_OVERRIDE', 'PREVIOUS_IMPLEMENTATION_REF', 'CORRECTION_REF', 'AI_VERSION', 'AI_TRAIN_HASH', 'AI_TIMESTAMP']],
  ['JSON', ['AI_CONTEXT']],
  [
    'work distribution',
    ['AI_ASSIGNED_TO', 'AI_CLAIMED_AT', 'AI_ESTIMATED_TIME', 'AI_PRIORITY', 'AI_DEPENDENCIES', 'AI_BLOCKS', 'AI_COMPLEXITY', 'AI_BOUNTY', 'AI_TIMEOUT', 'AI_RETRY_COUNT', 'AI_MAX_RETRIES'],
  ],
];
const TAG_GROUP = new Map(TAG_GROUPS.flatMap(([group, tags]) => tags.map((t) => [t, group] as const)));

function commentCompletions(index: CompletionIndex, text: string, offset: number, state: CursorState, opts: Options): IndexCompletion {
  // Tags in a comment trailing code are not breadcrumbs.
  const commentLine = lineStartOf(text, state.start);
  if (text.slice(commentLine, state.start).trim() !== '') return empty(offset, 'none');
  const before = commentTextBefore(text, offset, state).trimStart();
  const body = state.kind === 'block-comment' ? blockCommentText(text, state.start) : lineCommentRun(text, commentLine, MAX_RUN_LINES);
  const isCrumb = body.split('\n').some(isTagLine);
  const value = VALUE_BEFORE.exec(before);
  if (value) {
    const tag = value[1].toUpperCase();
    if (!isCrumb || !isKnownTag(tag)) return empty(offset, isCrumb ? 'breadcrumb' : 'none');
    return valueCompletions(index, tag, value[2], offset, opts);
  }
  const word = WORD_BEFORE.exec(before);
  if (word && (isCrumb || startsTag(word[1] ?? ''))) return tagCompletions(word[1] ?? '', body, offset, opts);
  return empty(offset, isCrumb ? 'breadcrumb' : 'none');
}

/** The cursor line's comment text before the cursor, without `//`, `/*` or a leading `*`. */
function commentTextBefore(text: string, offset: number, state: CursorState): string {
  const lineStart = lineStartOf(text, offset);
  if (state.kind === 'line-comment' && state.start >= lineStart) return text.slice(state.start + 2, offset).replace(/^[/!]+/, '');
  if (state.start >= lineStart) return text.slice(state.start + 2, offset).replace(/^\*+/, '');
  return text.slice(lineStart, offset).replace(/^[ \t]*\*+(?!\/)/, '');
}

/** Outside a breadcrumb, only an upper-case start of a tag (`AI`, `FIX_`) counts: `// A comment` must stay quiet. */
function startsTag(word: string): boolean {
  if (word.length < 2 || word !== word.toUpperCase()) return false;
  return KNOWN_TAGS.some((t) => t.startsWith(word));
}




function tagCompletions(word: string, body: string, offset: number, opts: Options): IndexCompletion {
  const upper = word.toUpperCase();
  const present = new Set<string>();
  for (const line of body.split('\n')) {
    const m = TAG_LINE.exec(line);
    if (m) present.add(m[1].toUpperCase());
  }
  const candidates: Candidate[] = [];
  KNOWN_TAGS.forEach((tag, i) => {
    if (!tag.startsWith(upper)) return;
    candidates.push({
      // Tags the breadcrumb lacks first, each group in the table's order.
      key: [present.has(tag) ? 1 : 0, i],
      item: { label: tag, kind: 'breadcrumb-tag', detail: TAG_GROUP.get(tag), ...tagInsert(tag, opts.snippets) },
    });
  });
  return finish(candidates, opts.limit, offset - word.length, 'breadcrumb', false);
}

/** `AI_STATUS: ` and, with snippets, a choice of the tag's values. */
function tagInsert(tag: string, snippets: boolean): Pick<IndexItem, 'insertText' | 'snippet'> {
  const values = fixedValues(tag);
  if (snippets && values) return { insertText: `${tag}: \${1|${values.join(',')}|}`, snippet: true };
  return { insertText: `${tag}: ` };
}

function fixedValues(tag: string): readonly string[] | undefined {
  if (tag === 'AI_STATUS') return STATUS_VALUES;
  if (tag === 'AI_COMPLEXITY') return COMPLEXITY_VALUES;
  if (tag === 'AI_PRIORITY') return ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];
  return undefined;
}

function valueCompletions(index: CompletionIndex, tag: string, valueText: string, offset: number, opts: Options): IndexCompletion {
  const typed = /[A-Za-z0-9_.-]*$/.exec(valueText)?.[0] ?? '';
  const replaceStart = offset - typed.length;
  const list = tag === 'AI_DEPENDENCIES' || tag === 'AI_BLOCKS';
  let values: readonly string[] | undefined = fixedValues(tag);
  let detail = `${tag} value`;
  if (!values && (tag === 'AI_PHASE' || list)) {
    // A list names each phase once.
    const listed = new Set(valueText.split(',').slice(0, -1).map(phaseKey));
    values = workspaceTagValues(index, 'AI_PHASE', phaseKey).filter((p) => !listed.has(p));
    detail = 'phase declared in the workspace';
  } else if (!values && tag === 'AI_BREADCRUMB') {
    values = workspaceTagValues(index, 'AI_BREADCRUMB', (v) => v.trim());
    detail = 'feature marker used in the workspace';
  }
  if (!values) return empty(replaceStart, 'breadcrumb');
  const lower = typed.toLowerCase();
  const candidates: Candidate[] = [];
  values.forEach((v, i) => {
    if (v.toLowerCase().startsWith(lower)) candidates.push({ key: [i], item: { label: v, kind: 'breadcrumb-value', detail } });
  });
  return finish(candidates, opts.limit, replaceStart, 'breadcrumb', false);
}

/** Every distinct value of a tag across the workspace's breadcrumbs (a walk over files, not symbols), sorted. */
function workspaceTagValues(index: CompletionIndex, tag: string, normalise: (v: string) => string): string[] {
  const seen = new Set<string>();
  for (const f of index.allFiles()) {
    for (const b of f.breadcrumbs) {
      for (const v of b.tags[tag] ?? []) {
        const key = normalise(v);
        if (key) seen.add(key);
      }
    }
  }
  return [...seen].sort();
}

// ---------------------------------------------------------------------------
// #include paths

function includeCompletions(index: CompletionIndex, file: string, text: string, typed: string, quoted: boolean, offset: number, opts: Options): IndexCompletion {
  const lower = typed.toLowerCase();
  // Close the path when the line does not already.
  const rest = text.slice(offset, text.indexOf('\n', offset) < 0 ? text.length : text.indexOf('\n', offset));
  const closeAfter = rest.includes(quoted ? '"' : '>') ? '' : quoted ? '"' : '>';
  const fromDir = dirOf(file);
  const byLabel = new Map<string, { paths: string[]; sameDir: boolean }>();
  for (const f of index.allFiles()) {
    if (!HEADER.test(f.path)) continue;
    const label = shortestSuffix(f.path, lower);
    if (label === undefined) continue;
    const entry = byLabel.get(label) ?? { paths: [], sameDir: false };
    entry.paths.push(f.path);
    entry.sameDir ||= quoted && dirOf(f.path) + label === f.path && dirOf(f.path) === fromDir;
    byLabel.set(label, entry);
  }
  const candidates: Candidate[] = [];
  for (const [label, e] of byLabel) {
    const closer = closeAfter ? { insertText: `${label}${closeAfter}` } : {};
    const paths = e.paths.sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    candidates.push({
      key: [e.sameDir ? 0 : 1, label.startsWith(typed) ? 0 : 1, quoted || e.paths.some((p) => underInclude(p, label)) ? 0 : 1, slashes(label)],
      // No kind names a file; the context ('include') tells the adapter what these are.
      item: { label, kind: 'keyword', detail: paths.length > 1 ? `${paths[0]} (+${paths.length - 1} more)` : paths[0], ...closer },
    });
  }
  // The label is the shortest suffix that fits what is typed, so it changes as typing goes on: always ask again.
  return finish(candidates, opts.limit, offset - typed.length, 'include', true);
}

/** The shortest tail of `path` starting at a `/` boundary that begins with `lower` (case-insensitive). */
function shortestSuffix(path: string, lower: string): string | undefined {
  let at = path.length;
  for (;;) {
    const slash = path.lastIndexOf('/', at - 1);
    const from = slash + 1;
    const tail = path.slice(from);
    if (tail.length >= lower.length && tail.slice(0, lower.length).toLowerCase() === lower) return tail;
    if (slash < 0) return undefined;
    at = slash;
  }
}

/** `<exec/types.h>` names `.../include/exec/types.h`: headers below an include directory come first. */
function underInclude(path: string, label: string): boolean {
  return path.slice(0, path.length - label.length).endsWith('include/');
}


function slashes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('/'); i >= 0; i = s.indexOf('/', i + 1)) n++;
  return n;
}

// ---------------------------------------------------------------------------
// Code: identifiers

/** Sort groups: the function's own names, the current file, the workspace and keywords. */
const G_SCOPE = 0;
const G_FILE = 1;
const G_WORKSPACE = 2;

interface Candidate {
  /** Compared element by element, then the label's length and the label. */
  key: number[];
  item: Omit<IndexItem, 'sortText'>;
}

function codeCompletions(index: CompletionIndex, file: string, text: string, offset: number, opts: Options): IndexCompletion {
  let start = offset;
  while (start > 0 && isIdentChar(text.charCodeAt(start - 1))) start--;
  const prefix = text.slice(start, offset);
  // The tail of a number (`0x1F`, `10UL`) is no identifier.
  if (/^[0-9]/.test(prefix)) return empty(start, 'code');
  const lineBefore = text.slice(lineStartOf(text, start), start);
  if (/^[ \t]*#[ \t]*$/.test(lineBefore)) return directiveCompletions(prefix, start, opts);
  const op = memberOperator(text, start);
  if (op === 'number') return empty(start, 'code');
  const scope = readScope(index, file, text, offset);
  if (op !== undefined) return memberCompletions(new TypeResolver(index, file, scope), scope, op - scope.base, start, opts);
  const tag = /\b(struct|union|enum)[ \t]+$/.exec(lineBefore)?.[1] as 'struct' | 'union' | 'enum' | undefined;
  return identifierCompletions(index, file, text, { prefix, start, scope, tag }, opts);
}

interface IdentifierQuery {
  prefix: string;
  start: number;
  scope: Scope;
  /** After `struct`/`union`/`enum`: only tags of that kind. */
  tag?: 'struct' | 'union' | 'enum';
}

function identifierCompletions(index: CompletionIndex, file: string, text: string, q: IdentifierQuery, opts: Options): IndexCompletion {
  const ctx: ItemContext = { snippets: opts.snippets, parenFollows: parenAfterWord(text, q.start) };
  const taken = new Set<string>();
  const candidates: Candidate[] = [];
  const lower = q.prefix.toLowerCase();
  const matches = (name: string): boolean => name.length >= lower.length && name.slice(0, lower.length).toLowerCase() === lower;
  if (!q.tag) {
    for (const local of q.scope.names.values()) {
      if (!matches(local.name)) continue;
      taken.add(local.name);
      candidates.push({ key: [G_SCOPE, caseRank(local.name, q.prefix), local.order], item: { label: local.name, kind: local.kind, detail: local.type || undefined } });
    }
  }
  const fileNames = currentFileNames(index, file, q, matches, opts.limit);
  for (const name of fileNames.names) {
    if (taken.has(name)) continue;
    const c = classify(index, name, q.tag);
    if (!c) continue;
    taken.add(name);
    candidates.push({ key: [G_FILE, caseRank(name, q.prefix), c.rank], item: itemFor(c, ctx) });
  }
  // An empty prefix (an explicit request) stays cheap: the workspace waits for a letter.
  const workspaceCapped = q.prefix ? workspaceCandidates(index, q, taken, ctx, opts.limit, candidates) : true;
  if (!q.tag) {
    for (const word of C_WORDS) {
      if (taken.has(word) || !matches(word)) continue;
      candidates.push({ key: [G_WORKSPACE, caseRank(word, q.prefix), 1], item: { label: word, kind: 'keyword' } });
    }
  }
  return finish(candidates, opts.limit, q.start, 'code', workspaceCapped || fileNames.capped);
}

function caseRank(name: string, prefix: string): number {
  return name.startsWith(prefix) ? 0 : 1;
}

function directiveCompletions(prefix: string, start: number, opts: Options): IndexCompletion {
  const candidates: Candidate[] = [];
  DIRECTIVES.forEach((d, i) => {
    if (d.startsWith(prefix)) candidates.push({ key: [i], item: { label: d, kind: 'keyword' } });
  });
  return finish(candidates, opts.limit, start, 'code', false);
}

/** Sorts, cuts at `limit` and numbers the items so the client keeps this order. */
function finish(candidates: Candidate[], limit: number, replaceStart: number, context: IndexCompletion['context'], incomplete: boolean): IndexCompletion {
  candidates.sort(compareCandidates);
  const kept = candidates.slice(0, limit);
  const width = String(kept.length).length;
  const items = kept.map((c, i) => ({ ...c.item, sortText: String(i).padStart(width, '0') }));
  return { items, isIncomplete: incomplete || candidates.length > limit, replaceStart, context };
}

function compareCandidates(a: Candidate, b: Candidate): number {
  const n = Math.min(a.key.length, b.key.length);
  for (let i = 0; i < n; i++) if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
  const la = a.item.label;
  const lb = b.item.label;
  return la.length - lb.length || (la < lb ? -1 : la > lb ? 1 : 0);
}

/** Names of the current file's symbols that match; nearest the cursor first when there are too many. */
function currentFileNames(
  index: CompletionIndex,
  file: string,
  q: IdentifierQuery,
  matches: (name: string) => boolean,
  limit: number,
): { names: string[]; capped: boolean } {
  const stored = index.get(file);
  if (!stored) return { names: [], capped: false };
  const symbols = index.symbolsOf(stored);
  const line = q.scope.cursorLine;
  const best = new Map<string, number>();
  for (const s of symbols) {
    if (s.kind === 'field' || (q.tag && s.kind !== q.tag) || !matches(s.name)) continue;
    const distance = Math.abs(s.range.start.line - line);
    const old = best.get(s.name);
    if (old === undefined || distance < old) best.set(s.name, distance);
  }
  const names = [...best.entries()].sort((a, b) => a[1] - b[1]).map((e) => e[0]);
  return { names: names.slice(0, limit), capped: names.length > limit };
}

/** Names of the workspace in the prefix range of the sorted table; true when the range was not read to its end. */
function workspaceCandidates(index: CompletionIndex, q: IdentifierQuery, taken: Set<string>, ctx: ItemContext, limit: number, out: Candidate[]): boolean {
  const ql = q.prefix.toLowerCase();
  const maxScan = Math.max(MIN_SCAN, limit * SCAN_PER_ITEM);
  const found: Array<{ c: Classified; key: number[] }> = [];
  let scanned = 0;
  let capped = false;
  forEachWithPrefix(index.names(), ql, (name) => {
    if (++scanned > maxScan) {
      capped = true;
      return false;
    }
    if (taken.has(name)) return;
    const c = classify(index, name, q.tag);
    if (!c) return;
    taken.add(name);
    found.push({ c, key: [G_WORKSPACE, caseRank(name, q.prefix), c.rank] });
  });
  if (capped) return finishWorkspace(found, ctx, limit, out, true);
  return finishWorkspace(found, ctx, limit, out, false);
}

/** Only the best `limit` get items: building one decodes its file's details. */
function finishWorkspace(found: Array<{ c: Classified; key: number[] }>, ctx: ItemContext, limit: number, out: Candidate[], capped: boolean): boolean {
  const ranked = found.map((f) => ({ key: f.key, item: { label: f.c.name, kind: f.c.kind }, c: f.c }));
  ranked.sort(compareCandidates);
  for (const r of ranked.slice(0, limit)) out.push({ key: r.key, item: itemFor(r.c, ctx) });
  return capped || ranked.length > limit;
}


// ---------------------------------------------------------------------------
// One name of the index: which of its symbols stands for it, and its item

interface Classified {
  name: string;
  kind: ItemKind;
  /** The symbol the item shows and resolves: library function, then the sortRefs order (definitions first). */
  ref: SymbolRef;
  /** sortRefs' rank of that symbol: library function 0, definitions 1, macros and variables 2, ... */
  rank: number;
}

/** undefined when nothing but struct members has the name (or nothing of the kind after `struct`). */
function classify(index: CompletionIndex, name: string, tag: 'struct' | 'union' | 'enum' | undefined): Classified | undefined {
  const refs = index.lookup(name).filter((r) => (tag ? r.kind === tag : r.kind !== 'field'));
  if (!refs.length) return undefined;
  // `AllocMem` is a macro in proto/exec.h, an AROS_LH2 body and a .conf entry: one library function.
  const library = refs.filter((r) => r.libraryFunction);
  if (library.length) return { name, kind: 'library-function', ref: sortRefs(library)[0], rank: 0 };
  const ref = sortRefs(refs)[0];
  return { name, kind: itemKindOf(ref.kind), ref, rank: refRank(ref) };
}

/** search.ts's order of symbols, as a number comparable across names. */
function refRank(r: SymbolRef): number {
  if (r.fromConf) return 5;
  if (!r.definition) return 4;
  if (r.kind === 'field' || r.kind === 'enumerator') return 3;
  if (r.kind === 'macro' || r.kind === 'variable') return 2;
  return 1;
}

/** Every SymbolKind is an ItemKind of the same name. */
function itemKindOf(kind: SymbolKind): ItemKind {
  return kind;
}

interface ItemContext {
  snippets: boolean;
  /** A `(` already follows the word: insert the bare name. */
  parenFollows: boolean;
}

function itemFor(c: Classified, ctx: ItemContext): Omit<IndexItem, 'sortText'> {
  const s = c.ref.symbol;
  const item: Omit<IndexItem, 'sortText'> = {
    label: c.name,
    kind: c.kind,
    detail: detailOf(s, c.kind),
    data: { file: c.ref.file.path, name: c.name, line: c.ref.line },
  };
  const params = callParams(s, c.kind);
  if (params && !ctx.parenFollows) {
    if (ctx.snippets) {
      item.insertText = `${c.name}(${params.map((p, i) => `\${${i + 1}:${snippetEscape(p)}}`).join(', ')})`;
      item.snippet = true;
    } else item.insertText = `${c.name}(`;
  }
  return item;
}

/** Placeholder names of a call, or undefined for what is not called (object-like macros, variables, types). */
function callParams(s: SymbolInfo, kind: ItemKind): string[] | undefined {
  if (kind === 'macro') {
    // `#define NAME(` with no space: function-like; `#define NAME (x)` is object-like.
    if (!new RegExp(`^#\\s*define\\s+${s.name}\\(`).test(s.signature ?? '')) return undefined;
  } else if (kind !== 'function' && kind !== 'library-function') return undefined;
  return (s.params ?? []).filter((p) => p.name !== '...' && p.type !== '...').map((p) => p.name || p.type);
}

function snippetEscape(s: string): string {
  return s.replace(/[\\$}]/g, (m) => `\\${m}`);
}

function detailOf(s: SymbolInfo, kind: ItemKind): string | undefined {
  if (kind === 'library-function') return librarySignature(s);
  if (kind === 'function') return s.returnType !== undefined && s.params ? plainSignature(s.returnType, s.name, s.params) : s.signature;
  if (kind === 'macro') {
    const sig = s.signature ?? '';
    return sig.length > MAX_MACRO_DETAIL ? `${sig.slice(0, MAX_MACRO_DETAIL)}…` : sig || undefined;
  }
  return s.signature;
}

/** `APTR AllocMem(IPTR byteSize, ULONG attributes) [Exec LVO 33]`. */
function librarySignature(s: SymbolInfo): string {
  const sig = s.returnType !== undefined && s.params ? plainSignature(s.returnType, s.name, s.params) : (s.signature ?? s.name).replace(/\s*\/\*.*?\*\//g, '');
  const a = s.aros;
  const facts = [a?.library, a?.lvo !== undefined ? `LVO ${a.lvo}` : undefined].filter((x) => x).join(' ');
  return facts ? `${sig} [${facts}]` : sig;
}

function plainSignature(returnType: string, name: string, params: ParamInfo[]): string {
  return `${joinType(returnType, name)}(${params.map((p) => joinType(p.type, p.name)).join(', ')})`;
}

function joinType(type: string, name: string): string {
  if (!type) return name;
  if (!name) return type;
  return type.endsWith('*') ? `${type}${name}` : `${type} ${name}`;
}

/** A `(` right after the word at the cursor (the rest of the word included). */
function parenAfterWord(text: string, start: number): boolean {
  let end = start;
  while (end < text.length && isIdentChar(text.charCodeAt(end))) end++;
  return text.charCodeAt(end) === 40;
}

// ---------------------------------------------------------------------------
// The enclosing function: parameters and visible locals

interface ScopeName {
  name: string;
  /** C type text; empty when unknown. */
  type: string;
  kind: 'parameter' | 'local';
  /** Sort order: the nearest declaration first, parameters last. */
  order: number;
}

interface Scope {
  /** Offset in the text where `code` starts: the enclosing function's head, or the cursor line. */
  base: number;
  /** text[base, cursor) with comments and literals blanked. */
  code: string;
  names: Map<string, ScopeName>;
  cursorLine: number;
}

function readScope(index: CompletionIndex, file: string, text: string, offset: number): Scope {
  const cursorLine = countNewlines(text, offset);
  const fn = indexedFunction(index, file, text, cursorLine);
  const found = fn ?? headOfFunction(text, offset);
  const base = found ? found.start : lineStartOf(text, offset);
  const code = lexC(text.slice(base, offset)).code;
  const names = new Map<string, ScopeName>();
  if (found) {
    found.params.forEach((p, i) => names.set(p.name, { name: p.name, type: p.type, kind: 'parameter', order: 1_000_000 + i }));
    collectLocals(code, names);
  }
  return { base, code, names, cursorLine };
}

interface FunctionHead {
  /** Offset of the function's first line (indexed) or of its parameter list (guessed). */
  start: number;
  params: ParamInfo[];
}

/** The indexed function definition around the cursor, when the document still has its name where the index says. */
function indexedFunction(index: CompletionIndex, file: string, text: string, line: number): FunctionHead | undefined {
  const stored = index.get(file);
  if (!stored) return undefined;
  let best: SymbolInfo | undefined;
  for (const s of index.symbolsOf(stored)) {
    if (s.kind !== 'function' || !s.definition || s.range.start.line > line || s.range.end.line < line) continue;
    if (!best || s.range.start.line > best.range.start.line) best = s;
  }
  if (!best) return undefined;
  const nameLine = lineOffset(text, best.selectionRange.start.line);
  if (nameLine < 0 || !text.startsWith(best.name, nameLine + best.selectionRange.start.character)) return undefined;
  const params = (best.params ?? []).filter((p) => p.name && p.name !== '...');
  // An AROS library function's base is in scope like a parameter.
  const a = best.aros;
  if (a?.form === 'library' && a.baseName && a.baseType) params.push({ type: a.baseType, name: a.baseName });
  return { start: lineOffset(text, best.range.start.line), params };
}

/**
 * Without the index (a new function, an unindexed file): the last `{` in
 * column 0 that no `}` in column 0 has closed, and the parameter list before it.
 */
function headOfFunction(text: string, offset: number): FunctionHead | undefined {
  const from = Math.max(0, offset - HEURISTIC_LOOKBACK);
  const brace = text.lastIndexOf('\n{', offset - 1);
  if (brace < from) return undefined;
  const closing = text.indexOf('\n}', brace + 1);
  if (closing >= 0 && closing < offset) return undefined;
  const headFrom = Math.max(0, text.lastIndexOf('\n}', brace), text.lastIndexOf(';\n', brace));
  const head = lexC(text.slice(headFrom, brace + 1)).code;
  const close = head.lastIndexOf(')');
  const open = close >= 0 ? matchBack(head, close, 40, 41) : -1;
  if (open < 0) return undefined;
  const inner = head.slice(open + 1, close);
  // AROS_LHn / AROS_UFHn heads name their arguments in AROS_LHA(type, name, register).
  const aros = [...inner.matchAll(AROS_ARG)].map((m) => ({ type: m[1], name: m[2] }));
  const params = aros.length ? aros : splitParams(inner).filter((p) => p.name && p.name !== '...');
  return { start: headFrom + open, params };
}

const AROS_ARG = /\bAROS_\w*HA\w*\s*\(\s*([^,()]+?)\s*,\s*([A-Za-z_]\w*)\s*,/g;

/** Declarations in `code` still in scope at its end: not inside a block closed before it. */
function collectLocals(code: string, names: Map<string, ScopeName>): void {
  const closed = closedBlocks(code);
  let order = 0;
  const found: ScopeName[] = [];
  for (const m of code.matchAll(DECLARATION)) {
    const typeWord = /[A-Za-z_][A-Za-z0-9_]*$/.exec(m[1])?.[0] ?? '';
    const name = m[3];
    if (NOT_A_TYPE.has(typeWord) || NOT_A_TYPE.has(name) || C_KEYWORDS.has(name) || /^(?:struct|union|enum)$/.test(typeWord)) continue;
    // `(a * b)` reads like a declaration; `a` being a variable says it is a product.
    if (names.has(typeWord) || found.some((f) => f.name === typeWord)) continue;
    const at = m.index ?? 0;
    if (closed.some(([s, e]) => s < at && at < e)) continue;
    found.push({ name, type: `${m[1]} ${m[2].replace(/\s+/g, '')}`.trim(), kind: 'local', order: order++ });
  }
  // The nearest declaration wins and sorts first.
  for (let i = found.length - 1; i >= 0; i--) {
    const f = found[i];
    // A parameter list reads like declarations too; the parameter stays one.
    if (names.has(f.name)) continue;
    names.set(f.name, { ...f, order: found.length - 1 - i });
  }
}

/** [open, close] offsets of every brace pair closed within `code`. */
function closedBlocks(code: string): Array<[number, number]> {
  const open: number[] = [];
  const out: Array<[number, number]> = [];
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 123) open.push(i);
    else if (c === 125) {
      const s = open.pop();
      if (s !== undefined) out.push([s, i]);
    }
  }
  return out;
}

function countNewlines(text: string, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Offset of the start of a 0-based line, or -1 past the end. */
function lineOffset(text: string, line: number): number {
  let at = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return -1;
    at = nl + 1;
  }
  return at;
}

// ---------------------------------------------------------------------------
// Members after `.` and `->`

/** Offset of the `.`/`->` before the word at `start`; 'number' for `1.`; undefined when there is none. */
function memberOperator(text: string, start: number): number | 'number' | undefined {
  let i = start;
  while (i > 0 && /\s/.test(text[i - 1])) i--;
  if (text[i - 1] === '>' && text[i - 2] === '-') return i - 2;
  if (text[i - 1] !== '.' || text[i - 2] === '.') return undefined;
  let w = i - 1;
  while (w > 0 && isIdentChar(text.charCodeAt(w - 1))) w--;
  return /^[0-9]/.test(text.slice(w, i - 1)) ? 'number' : i - 1;
}

function memberCompletions(types: TypeResolver, scope: Scope, opAt: number, start: number, opts: Options): IndexCompletion {
  const chain = parseOperand(scope.code, opAt, 0);
  const agg = chain && types.resolveChain(chain);
  if (!agg) return empty(start, 'member');
  const candidates: Candidate[] = [];
  fieldsOf(agg).forEach((idx, order) => {
    const s = agg.symbols[idx];
    candidates.push({
      key: [order],
      item: { label: s.name, kind: 'field', detail: s.signature, data: { file: agg.file.path, name: s.name, line: s.range.start.line } },
    });
  });
  return finish(candidates, opts.limit, start, 'member', false);
}

type Root = { var: string } | { call: string } | { cast: string };

interface Chain {
  root: Root;
  /** Member names after the root, in order. */
  fields: string[];
}

/** The operand of `.`/`->` ending at `end` in masked code, read backwards: `a`, `a->b.c[i]`, `f(x)`, `((struct X *)p)`. */
function parseOperand(code: string, end: number, depth: number): Chain | undefined {
  if (depth > MAX_CHAIN) return undefined;
  let i = skipSpaceBack(code, end);
  // Indexing does not change which struct is meant.
  while (code.charCodeAt(i - 1) === 93 /* ] */) {
    const open = matchBack(code, i - 1, 91, 93);
    if (open < 0) return undefined;
    i = skipSpaceBack(code, open);
  }
  if (code.charCodeAt(i - 1) === 41 /* ) */) return parenthesized(code, i - 1, depth);
  const word = identBefore(code, i);
  if (!word || C_KEYWORDS.has(word)) return undefined;
  const k = skipSpaceBack(code, i - word.length);
  const op = code.slice(k - 2, k) === '->' ? 2 : code[k - 1] === '.' ? 1 : 0;
  if (!op) return { root: { var: word }, fields: [] };
  const base = parseOperand(code, k - op, depth + 1);
  return base && { root: base.root, fields: [...base.fields, word] };
}

/** `f(...)`, `(expr)` or `((struct X *)expr)` whose `)` is at `close`. */
function parenthesized(code: string, close: number, depth: number): Chain | undefined {
  const open = matchBack(code, close, 40, 41);
  if (open < 0) return undefined;
  const j = skipSpaceBack(code, open);
  const word = identBefore(code, j);
  if (word && !C_KEYWORDS.has(word)) {
    // A call through a member (`p->fn(x)`) is not followed.
    const k = skipSpaceBack(code, j - word.length);
    return code.slice(k - 2, k) === '->' || code[k - 1] === '.' ? undefined : { root: { call: word }, fields: [] };
  }
  const inner = code.slice(open + 1, close);
  const cast = /^\s*\(\s*((?:(?:const|volatile)\s+)*(?:(?:struct|union)\s+)?[A-Za-z_][A-Za-z0-9_]*\s*\**)\s*\)/.exec(inner);
  if (cast) return { root: { cast: cast[1] }, fields: [] };
  const stripped = inner.replace(/^[\s*&]+/, '');
  return parseOperand(stripped, stripped.length, depth + 1);
}

function skipSpaceBack(code: string, i: number): number {
  while (i > 0 && /\s/.test(code[i - 1])) i--;
  return i;
}

function identBefore(code: string, i: number): string | undefined {
  let s = i;
  while (s > 0 && isIdentChar(code.charCodeAt(s - 1))) s--;
  const word = code.slice(s, i);
  return word && !/^[0-9]/.test(word) ? word : undefined;
}

/** Offset of the opener matching the closer at `close`, or -1. */
function matchBack(code: string, close: number, opener: number, closer: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const c = code.charCodeAt(i);
    if (c === closer) depth++;
    else if (c === opener && --depth === 0) return i;
  }
  return -1;
}

/** A struct or union with members: a tagged definition, an anonymous typedef, or a field of an anonymous aggregate. */
interface Aggregate {
  file: StoredFile;
  index: number;
  symbols: readonly SymbolInfo[];
}

type TypeRef = { text: string } | { agg: Aggregate };

const TYPEDEF_DEPTH = 4;

/** Types of expressions, by name through the index; definitions near the current file preferred. */
class TypeResolver {
  constructor(
    private readonly index: CompletionIndex,
    private readonly file: string,
    private readonly scope: Scope,
  ) {}

  resolveChain(chain: Chain): Aggregate | undefined {
    let type = this.rootType(chain.root);
    for (const field of chain.fields) {
      const agg = type && this.aggregate(type);
      if (!agg) return undefined;
      type = this.fieldType(agg, field);
    }
    return type && this.aggregate(type);
  }

  private rootType(root: Root): TypeRef | undefined {
    if ('cast' in root) return { text: root.cast };
    if ('call' in root) return this.returnType(root.call);
    const local = this.scope.names.get(root.var);
    if (local) return local.type ? { text: local.type } : undefined;
    const vars = this.index.lookup(root.var).filter((r) => r.kind === 'variable');
    if (!vars.length) return undefined;
    const text = declaredType(this.pick(vars).symbol, root.var);
    return text ? { text } : undefined;
  }

  /** A function's return type, or the struct a macro casts to (`#define PrivBase(b) ((struct PrivBase *)(b))`). */
  private returnType(name: string): TypeRef | undefined {
    const refs = this.index.lookup(name);
    const fns = refs.filter((r) => r.kind === 'function');
    if (fns.length) {
      const s = this.pick(fns).symbol;
      return s.returnType ? { text: s.returnType } : undefined;
    }
    const macros = refs.filter((r) => r.kind === 'macro');
    if (!macros.length) return undefined;
    const sig = this.pick(macros).symbol.signature ?? '';
    const body = sig.replace(/^#\s*define\s+[A-Za-z_]\w*(?:\([^)]*\))?/, '');
    const cast = /^\s*\(*\s*\(\s*((?:struct|union)\s+[A-Za-z_]\w*)\s*\*+\s*\)/.exec(body);
    return cast ? { text: cast[1] } : undefined;
  }

  private fieldType(agg: Aggregate, name: string): TypeRef | undefined {
    const idx = fieldsOf(agg).find((i) => agg.symbols[i].name === name);
    if (idx === undefined) return undefined;
    // `struct { ... } r_Half`: the members hang under the field itself.
    const inner: Aggregate = { ...agg, index: idx };
    if (fieldsOf(inner).length) return { agg: inner };
    const text = declaredType(agg.symbols[idx], name);
    return text ? { text } : undefined;
  }

  private aggregate(type: TypeRef): Aggregate | undefined {
    return 'agg' in type ? type.agg : this.named(parseTypeName(type.text), 0);
  }

  /** The struct or union a type names, through typedefs. */
  private named(type: TypeName | undefined, depth: number): Aggregate | undefined {
    if (!type || depth > TYPEDEF_DEPTH) return undefined;
    const refs = this.index.lookup(type.name);
    const tagged = refs.filter((r) => (type.tag ? r.kind === type.tag : r.kind === 'struct' || r.kind === 'union'));
    const typedefs = type.tag ? [] : refs.filter((r) => r.kind === 'typedef');
    // An untagged name is a typedef in C; a tag of the same name is the fallback.
    if (!typedefs.length) return tagged.length ? this.toAggregate(this.pick(tagged)) : undefined;
    const t = this.pick(typedefs);
    const own = this.toAggregate(t);
    if (fieldsOf(own).length) return own;
    const body = (t.symbol.signature ?? '').replace(/^\s*typedef\s+/, '');
    const target = parseTypeName(body.slice(0, Math.max(0, body.lastIndexOf(type.name))));
    if (target && !(target.name === type.name && !target.tag)) return this.named(target, depth + 1);
    return tagged.length ? this.toAggregate(this.pick(tagged)) : undefined;
  }

  private toAggregate(ref: SymbolRef): Aggregate {
    return { file: ref.file, index: ref.index, symbols: this.index.symbolsOf(ref.file) };
  }

  /** Definitions first, then the nearest file (same file, directory, module), then the index's usual order. */
  private pick(refs: SymbolRef[]): SymbolRef {
    const sorted = sortRefs(refs);
    let best = sorted[0];
    let bestKey = -1;
    for (const r of sorted) {
      const key = (r.definition ? 4 : 0) + locality(r.file.path, this.file);
      if (key > bestKey) {
        best = r;
        bestKey = key;
      }
    }
    return best;
  }
}


/** Indexes of the fields directly under `agg`, in declaration order; they follow it inside its range. */
function fieldsOf(agg: Aggregate): number[] {
  const symbols = agg.symbols;
  const end = symbols[agg.index].range.end.line;
  const out: number[] = [];
  for (let j = agg.index + 1; j < symbols.length && symbols[j].range.start.line <= end; j++) {
    if (symbols[j].parent === agg.index && symbols[j].kind === 'field') out.push(j);
  }
  return out;
}
