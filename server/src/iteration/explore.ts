// The explore phase of the iteration loop (issue 5): which files, symbols and
// snippets a model should see for one task. Everything comes from what the
// index holds in memory: by-name lookups, the sorted name table, include
// lists, identifier lists and breadcrumbs. No file's code is scanned; the only
// text read is the task file's (for the task's own function), so an
// exploration stays in the tens of milliseconds on the full tree.
//
// Ranking, per candidate file:
//   text      BM25 of the query (task description, symbol, the task
//             breadcrumb's strategy/pattern/note values) against a document
//             of the file's symbol names split into words, its path segments
//             and its breadcrumbs' text;
//   graph     personalised PageRank over the candidates' include and
//             reference edges, restarting at the task file;
//   crumbs    breadcrumb relations (same feature, dependencies, same phase).
// Candidates come only from index lookups; see `Explorer.gather*`.

import { readFileSync } from 'node:fs';
import { relatedBreadcrumbs, type RelationKind } from '../breadcrumbs/relations';
import type { Breadcrumb, BreadcrumbItem } from '../breadcrumbs/types';
import { phaseOf } from '../breadcrumbs/values';
import { aggregateText, C_KEYWORDS, declarationText, estimateTokens, librarySignatureText } from '../context/completionContext';
import { lexC, uniqueIdentifiers } from '../index/lexer';
import { includesOf } from '../index/packedFile';
import { segmentStarts } from '../index/nameMatch';
import { decodeSource } from '../index/readSource';
import { sortRefs } from '../index/search';
import type { SymbolInfo } from '../index/types';
import { forEachWithPrefix, nameCount, type NameView } from '../index/nameTables';
import type { StoredFile, SymbolRef, WorkspaceIndex } from '../index/workspaceIndex';
import type { WorkspaceSession } from '../index/workspaceSession';
import { dirOf, locality } from '../index/pathNearness';

// ---------------------------------------------------------------------------
// Public types

export interface ExploreTask {
  description: string;
  /** Workspace key of the file the task is about. */
  file: string;
  symbol?: string;
  breadcrumb?: Breadcrumb;
}

export interface RankedFile {
  file: string;
  score: number;
  why: string[];
}

export interface RankedSymbol {
  name: string;
  file: string;
  /** 0-based. */
  line: number;
  kind: string;
  score: number;
  why: string;
}

export interface Snippet {
  file: string;
  /** 0-based first line. */
  line: number;
  text: string;
  tokens: number;
  why: string;
}

export interface Exploration {
  /** Best first; the task file is always first. */
  files: RankedFile[];
  symbols: RankedSymbol[];
  /** Best first, within the token budget. */
  snippets: Snippet[];
  tokensUsed: number;
  elapsedMs: number;
  cached: boolean;
  timedOut: boolean;
}

/** The part of the index exploration reads. */
export type ExploreIndex = Pick<WorkspaceIndex, 'lookup' | 'get' | 'symbolsOf' | 'names' | 'filesMentioning' | 'allFiles' | 'fileCount'>;

export interface ExploreSource {
  index: ExploreIndex;
  /** The session's breadcrumbs. */
  breadcrumbs(): readonly BreadcrumbItem[];
  /** Open-document text, else the disk. */
  readText(file: string): string | undefined;
}

export interface ExploreOptions {
  /** exploration.max_files_to_scan: candidates scored and files returned; default 200. */
  maxFiles?: number;
  /** exploration.similarity_threshold, 0..1: files scoring below this fraction of the best are dropped. */
  similarityThreshold?: number;
  /** Tokens for the snippets; default 2000. */
  budgetTokens?: number;
  /** Time allowed; default 150 ms. Checked between steps. */
  deadlineMs?: number;
  cache?: ExploreCache;
}

// ---------------------------------------------------------------------------
// Tuning

const DEFAULT_MAX_FILES = 200;
const DEFAULT_BUDGET = 2000;
const DEFAULT_DEADLINE_MS = 150;

// Weights of the combined score; each component is normalised to 0..1 first.
// Text says what the task is about, the graph what the code around it uses;
// breadcrumb relations are sparse (most files have none), so they weigh less.
const W_TEXT = 0.45;
const W_GRAPH = 0.35;
const W_CRUMB = 0.2;

// Evidence used only to choose which candidates get scored when there are more than maxFiles.
const E_TASK = 1000;
const E_INCLUDED = 10;
const E_INCLUDER = 8;
const E_HEADER_INCLUDER = 3;
const E_USED = 2;
const E_MENTIONS = 5;
const E_NAMED = 6;
const E_CRUMB = 8;
const E_TERM = 1;
const E_PATH = 3;

// BM25 with fields: a path word or a breadcrumb word says more about a file than one of its many names.
const K1 = 1.2;
const B = 0.75;
const F_PATH = 3;
const F_CRUMB = 2;

// Personalised PageRank.
const DAMPING = 0.85;
const PR_ITERATIONS = 12;

// Breadcrumb relation strengths (seen from the task's breadcrumb).
const RELATION_WEIGHT: Record<RelationKind, number> = {
  feature: 1,
  'refers-to': 1,
  'depends-on': 0.8,
  'same-ref': 0.7,
  'referred-by': 0.7,
  'blocked-by': 0.6,
  'dependency-of': 0.5,
  blocks: 0.5,
};
const SAME_PHASE_WEIGHT = 0.6;

/** Names of one prefix range read per query word; accepted ones, and scanned ones. */
const MAX_PREFIX_ACCEPTED = 200;
const MAX_PREFIX_SCANNED = 2000;
/** Symbols per name looked at: a name defined everywhere says little about any one file. */
const MAX_REFS_PER_NAME = 8;
/** A name the task file uses that is defined in more files than this is too generic to be an edge. */
const MAX_DEFINING_FILES = 12;
const MAX_USED_NAMES = 1500;
const MAX_MENTIONING = 100;
const MAX_INCLUDERS = 200;
/** A path word matching more files than this is not evidence. */
const MAX_PATH_MATCHES = 400;
/** Names of one file read for its BM25 document. */
const MAX_DOC_NAMES = 3000;
const MAX_SYMBOLS = 40;
const MAX_SYMBOLS_PER_FILE = 8;
const SYMBOL_FILES = 12;
const MAX_TASK_LINES = 150;
/** How far above a function its breadcrumb may start and still be shown with it. */
const CRUMB_LOOKBACK = 60;
const MAX_WHY = 6;

const QUERY_TAGS = ['AI_PHASE', 'AI_PATTERN', 'AI_STRATEGY', 'AI_DETAILS', 'AI_NOTE', 'AI_BREADCRUMB', 'COMPILER_ERR', 'RUNTIME_ERR', 'FIX_REASON'];

const STOP_WORDS = new Set(
  (
    'the and for with from into that this then than when before after first else until not yet are was were has have had its ' +
    'one all any but use used new out off own per via who why how what which there their them they been being also only ' +
    'implement implemented write code function file files make sure should would could will can may must need needs here ' +
    'now still just real part end each every some more most less same other below above bring until error warning note ' +
    'void int char long short unsigned signed struct union enum static const return null true false'
  ).split(' '),
);

/** Types and constants every C file in AROS uses: an edge through them says nothing. */
const COMMON_NAMES = new Set(
  (
    'APTR CONST_APTR QUAD UQUAD LONG ULONG WORD UWORD BYTE UBYTE IPTR SIPTR BOOL STRPTR CONST_STRPTR VOID TEXT FLOAT DOUBLE ' +
    'NULL TRUE FALSE CONST size_t ssize_t uint8_t uint16_t uint32_t uint64_t int8_t int16_t int32_t int64_t'
  ).split(' '),
);

// ---------------------------------------------------------------------------
// Entry point

export function explore(src: ExploreSource, task: ExploreTask, opts: ExploreOptions = {}): Exploration {
  const started = performance.now();
  const options = {
    maxFiles: Math.max(1, opts.maxFiles ?? DEFAULT_MAX_FILES),
    similarityThreshold: Math.min(1, Math.max(0, opts.similarityThreshold ?? 0)),
    budgetTokens: Math.max(0, opts.budgetTokens ?? DEFAULT_BUDGET),
    deadline: started + (opts.deadlineMs ?? DEFAULT_DEADLINE_MS),
  };
  const key = cacheKey(task, options);
  const hit = opts.cache?.get(key, src.index);
  if (hit) return { ...hit, cached: true, elapsedMs: performance.now() - started };

  const explorer = new Explorer(src, task, options);
  const result = explorer.run();
  const exploration: Exploration = { ...result, elapsedMs: performance.now() - started, cached: false };
  // A cut-short answer is not what the same request would get with time to spare.
  if (opts.cache && !exploration.timedOut) opts.cache.set(key, explorer.stamp(), exploration);
  return exploration;
}

/** An ExploreSource over a workspace session: its index, its breadcrumbs, open documents before the disk. */
export function sessionExploreSource(session: WorkspaceSession): ExploreSource {
  return {
    index: session.index,
    breadcrumbs: () => session.breadcrumbItems(),
    readText: (file) => session.documents.get(file)?.text ?? readDisk(session.absOf(file)),
  };
}

function readDisk(absPath: string): string | undefined {
  try {
    const decoded = decodeSource(readFileSync(absPath));
    return 'binary' in decoded ? undefined : decoded.text;
  } catch {
    return undefined;
  }
}

/** The snippets as one prompt section, best first, each led by where it comes from. */
export function explorationText(e: Exploration): string {
  return e.snippets.map((s) => `// ${s.file}:${s.line + 1} (${s.why})\n${s.text}`).join('\n\n');
}

/** One line for logs and progress: what was looked at and how long it took. */
export function explorationSummary(e: Exploration): string {
  const top = e.files.slice(0, 5).map((f) => f.file).join(', ');
  const flags = [e.cached ? 'cached' : '', e.timedOut ? 'timed out' : ''].filter((x) => x).join(', ');
  return `${e.files.length} files, ${e.symbols.length} symbols, ${e.snippets.length} snippets (${e.tokensUsed} tokens) in ${e.elapsedMs.toFixed(1)} ms${flags ? ` (${flags})` : ''}; top: ${top}`;
}

// ---------------------------------------------------------------------------
// Cache

interface Stamp {
  fileCount: number;
  /** The highest file id: every `set` of the index takes a new, higher id, so any change moves it. */
  generation: number;
  /** Distinct names in the index when it ran: a new name anywhere could match the query. */
  nameCount: number | undefined;
  /** Path and content hash of every file the exploration scored. */
  files: Array<[string, string]>;
}

interface CacheEntry {
  stamp: Stamp;
  value: Exploration;
}

/**
 * Explorations by task, least recently used dropped first. An entry is valid
 * while the index is unchanged (same file count and highest file id); after a
 * change it is still valid when the file count, the number of names and the content
 * hashes of every file it scored are the same (a file saved unchanged, or an
 * edit elsewhere that adds no name). What that second check can miss: an
 * unscored file starting to include the task file without adding a name.
 */
export class ExploreCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly capacity = 32) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, index: ExploreIndex): Exploration | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (!stillValid(entry.stamp, index)) {
      this.entries.delete(key);
      return undefined;
    }
    // Refresh its place in the LRU order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, stamp: Stamp, value: Exploration): void {
    this.entries.delete(key);
    this.entries.set(key, { stamp, value });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

function generationOf(index: ExploreIndex): number {
  let max = 0;
  for (const f of index.allFiles()) if (f.id > max) max = f.id;
  return max;
}

function stillValid(stamp: Stamp, index: ExploreIndex): boolean {
  if (index.fileCount !== stamp.fileCount) return false;
  if (generationOf(index) === stamp.generation) return true;
  if (stamp.nameCount !== undefined && nameCount(index.names()) !== stamp.nameCount) return false;
  return stamp.files.every(([path, hash]) => index.get(path)?.hash === hash);
}

function cacheKey(task: ExploreTask, o: { maxFiles: number; similarityThreshold: number; budgetTokens: number }): string {
  return JSON.stringify([task.description, task.file, task.symbol ?? '', task.breadcrumb?.line ?? -1, o.maxFiles, o.similarityThreshold, o.budgetTokens]);
}

// ---------------------------------------------------------------------------
// Query

interface Query {
  /** Lower-case words with their weight in the query. */
  words: Map<string, number>;
  /** Identifiers as written, for exact lookups. */
  idents: Set<string>;
}

/** Word segments of an identifier or path part, lower-case: `rsi_SetupGART` -> rsi, setup, gart. */
export function splitWords(name: string): string[] {
  const starts = segmentStarts(name);
  const out: string[] = [];
  for (let k = 0; k < starts.length; k++) {
    let end = k + 1 < starts.length ? starts[k + 1] : name.length;
    // Segments end before the underscores that separate them.
    while (end > starts[k] && name.charCodeAt(end - 1) === 95) end--;
    if (end > starts[k]) out.push(name.slice(starts[k], end).toLowerCase());
  }
  return out;
}

function buildQuery(task: ExploreTask, crumb: Breadcrumb | undefined): Query {
  const words = new Map<string, number>();
  const idents = new Set<string>();
  const add = (text: string, weight: number): void => {
    for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
      const token = m[0];
      if (token.length < 3 || C_KEYWORDS.has(token) || COMMON_NAMES.has(token)) continue;
      idents.add(token);
      for (const w of splitWords(token)) {
        if (w.length < 3 || STOP_WORDS.has(w) || /^\d+$/.test(w)) continue;
        words.set(w, (words.get(w) ?? 0) + weight);
      }
    }
  };
  add(task.description, 1);
  // The symbol is the most specific thing the task names.
  if (task.symbol) add(task.symbol, 2);
  if (crumb) {
    for (const tag of QUERY_TAGS) for (const v of crumb.tags[tag] ?? []) add(v, 1);
    for (const n of crumb.notes) add(n, 0.5);
  }
  // A word repeated many times should not drown the others.
  for (const [w, n] of words) words.set(w, Math.min(3, n));
  return { words, idents };
}

// ---------------------------------------------------------------------------
// The exploration

interface Candidate {
  path: string;
  file: StoredFile | undefined;
  evidence: number;
  why: string[];
  text: number;
  graph: number;
  crumb: number;
  score: number;
}

interface UsedName {
  ref: SymbolRef;
  weight: number;
}

interface RelatedCrumb {
  item: BreadcrumbItem;
  weight: number;
  why: string;
}

interface SymbolPick {
  ref: SymbolRef;
  score: number;
  why: string;
}

interface SnippetPick extends Snippet {
  score: number;
}

interface Options {
  maxFiles: number;
  similarityThreshold: number;
  budgetTokens: number;
  deadline: number;
}

class Explorer {
  private readonly index: ExploreIndex;
  private readonly taskFile: StoredFile | undefined;
  private readonly taskItem: BreadcrumbItem | undefined;
  private readonly query: Query;
  private readonly cands = new Map<string, Candidate>();
  /** Undirected weighted edges by path. */
  private readonly edges = new Map<string, Map<string, number>>();
  /** Files each query word was found in while gathering: a lower bound of its document frequency. */
  private readonly termFiles = new Map<string, Set<string>>();
  private readonly used = new Map<string, UsedName>();
  private readonly related: RelatedCrumb[] = [];
  private names: NameView | undefined;
  private selected: Candidate[] = [];
  private taskText: string | undefined;
  private taskFn: SymbolInfo | undefined;
  private fnIdents: string[] | undefined;
  private timedOut = false;

  constructor(
    private readonly src: ExploreSource,
    private readonly task: ExploreTask,
    private readonly options: Options,
  ) {
    this.index = src.index;
    this.taskFile = this.index.get(task.file);
    this.taskItem = this.findTaskItem();
    this.query = buildQuery(task, this.taskItem?.breadcrumb);
    const self = this.candidate(task.file, E_TASK, this.taskFile ? 'the task file' : 'the task file (not in the index)');
    if (self) self.crumb = this.taskItem ? 1 : 0;
  }

  run(): Omit<Exploration, 'elapsedMs' | 'cached'> {
    const gathering: Array<() => void> = [
      () => this.readTaskFunction(),
      () => this.gatherPaths(),
      () => this.gatherUsedNames(),
      () => this.gatherBreadcrumbs(),
      () => this.gatherNamedTerms(),
      // Last: it reads every file's identifier list, so a tight deadline drops it first.
      () => this.gatherMentions(),
    ];
    this.steps(gathering);
    this.select();
    this.steps([() => this.scoreText(), () => this.scoreGraph()]);
    const files = this.combine();
    let symbols: SymbolPick[] = [];
    let snippets: SnippetPick[] = [];
    if (!this.expired()) symbols = this.pickSymbols(files);
    if (!this.expired()) snippets = this.pickSnippets(symbols);
    else this.timedOut = true;
    return {
      files,
      symbols: symbols.map(toRankedSymbol),
      snippets: snippets.map(({ score: _score, ...s }) => s),
      tokensUsed: snippets.reduce((n, s) => n + s.tokens, 0),
      timedOut: this.timedOut,
    };
  }

  stamp(): Stamp {
    return {
      fileCount: this.index.fileCount,
      generation: generationOf(this.index),
      nameCount: this.names && nameCount(this.names),
      files: this.selected.flatMap((c) => (c.file ? [[c.path, c.file.hash] as [string, string]] : [])),
    };
  }

  /** Runs steps until the deadline passes. */
  private steps(steps: Array<() => void>): void {
    for (const step of steps) {
      if (this.expired()) {
        this.timedOut = true;
        return;
      }
      step();
    }
  }

  private expired(): boolean {
    return performance.now() >= this.options.deadline;
  }

  private findTaskItem(): BreadcrumbItem | undefined {
    if (this.task.breadcrumb) return { file: this.task.file, breadcrumb: this.task.breadcrumb };
    const symbol = this.task.symbol;
    const b = symbol ? this.taskFile?.breadcrumbs.find((x) => x.target?.name === symbol) : undefined;
    return b ? { file: this.task.file, breadcrumb: b } : undefined;
  }

  private get taskSymbol(): string | undefined {
    return this.task.symbol ?? this.taskItem?.breadcrumb.target?.name;
  }

  // -- gathering ---------------------------------------------------------------

  private candidate(path: string, evidence: number, why?: string): Candidate | undefined {
    let c = this.cands.get(path);
    if (!c) {
      const file = path === this.task.file ? this.taskFile : this.index.get(path);
      if (!file && path !== this.task.file) return undefined;
      c = { path, file, evidence: 0, why: [], text: 0, graph: 0, crumb: 0, score: 0 };
      this.cands.set(path, c);
    }
    c.evidence += evidence;
    if (why !== undefined && !c.why.includes(why)) c.why.push(why);
    return c;
  }

  private edge(a: string, b: string, w: number): void {
    if (a === b || w <= 0) return;
    for (const [x, y] of [
      [a, b],
      [b, a],
    ]) {
      let m = this.edges.get(x);
      if (!m) this.edges.set(x, (m = new Map()));
      m.set(y, (m.get(y) ?? 0) + w);
    }
  }

  private noteTerm(word: string, path: string): void {
    let s = this.termFiles.get(word);
    if (!s) this.termFiles.set(word, (s = new Set()));
    s.add(path);
  }

  /** The task function's definition and text, for its identifiers and its snippet. */
  private readTaskFunction(): void {
    const name = this.taskSymbol;
    if (!this.taskFile || !name) return;
    const symbols = this.index.symbolsOf(this.taskFile);
    this.taskFn =
      symbols.find((s) => s.name === name && s.kind === 'function' && s.definition) ?? symbols.find((s) => s.name === name && s.kind !== 'field');
    this.taskText = this.src.readText(this.task.file);
  }

  /**
   * One pass over the file table (paths, and include lists inside the task's
   * module only; no content): the task file's includes resolved by path suffix,
   * the module's files including the task file or its local headers, and the
   * files whose path holds a query word.
   */
  private gatherPaths(): void {
    const taskPath = this.task.file;
    const taskDir = dirOf(taskPath);
    // Local headers are included from their own module; a public header's includers elsewhere are too many to help.
    const module = moduleOf(taskPath);
    const targets = new Map<string, string[]>();
    addTo(targets, baseOf(taskPath), taskPath);
    const wanted: string[] = [];
    for (const inc of this.taskFile ? includesOf(this.taskFile) : []) {
      const clean = cleanInclude(inc.path);
      if (!wanted.includes(clean)) wanted.push(clean);
      // A quoted include is usually the task's own header, whose other includers are its siblings.
      if (!inc.system) addTo(targets, baseOf(clean), taskDir + clean);
    }
    const words = [...this.query.words.keys()];
    // One case-insensitive test per path; only the few that pass are lower-cased and checked word by word.
    const anyWord = words.length ? new RegExp(words.map(escapeRegExp).join('|'), 'i') : undefined;
    const pathHits = new Map<string, string[]>();
    const resolved = new Map<string, string[]>();
    const includers = new Map<string, string[]>();

    for (const f of this.index.allFiles()) {
      const p = f.path;
      for (const clean of wanted) if (endsWithPath(p, clean)) addTo(resolved, clean, p);
      if (p !== taskPath && (module ? p.startsWith(module) : !p.includes('/'))) this.matchIncluders(f, targets, includers);
      if (anyWord?.test(p)) {
        const lower = p.toLowerCase();
        for (const w of words) if (lower.includes(w)) addTo(pathHits, w, p);
      }
    }
    this.addIncluded(resolved, taskDir);
    this.addIncluders(includers);
    this.addPathHits(pathHits);
  }

  private matchIncluders(f: StoredFile, targets: Map<string, string[]>, out: Map<string, string[]>): void {
    const dir = dirOf(f.path);
    for (const inc of includesOf(f)) {
      const list = targets.get(baseOf(inc.path));
      if (!list) continue;
      const clean = cleanInclude(inc.path);
      for (const t of list) {
        if (dir + clean !== t && t !== clean && !t.endsWith(`/${clean}`)) continue;
        const found = out.get(t);
        if (!found) out.set(t, [f.path]);
        else if (found.length < MAX_INCLUDERS && !found.includes(f.path)) found.push(f.path);
      }
    }
  }

  private addIncluded(resolved: Map<string, string[]>, taskDir: string): void {
    for (const [clean, paths] of resolved) {
      // A sibling wins (as the preprocessor's quoted search would); else every match, sharing the weight.
      const sibling = paths.find((p) => p === taskDir + clean);
      const chosen = sibling ? [sibling] : nearest(paths, this.task.file, 4);
      for (const p of chosen) {
        const w = 1 / chosen.length;
        this.candidate(p, E_INCLUDED * w, `included by the task file (#include ${clean})`);
        this.edge(this.task.file, p, w);
      }
    }
  }

  private addIncluders(includers: Map<string, string[]>): void {
    for (const [target, paths] of includers) {
      const isTask = target === this.task.file;
      for (const p of paths) {
        if (isTask) {
          this.candidate(p, E_INCLUDER, 'includes the task file');
          this.edge(p, target, 1);
        } else if (this.index.get(target)) {
          this.candidate(p, E_HEADER_INCLUDER, `includes ${baseOf(target)} like the task file`);
          this.edge(p, target, 0.5);
        }
      }
    }
  }

  private addPathHits(hits: Map<string, string[]>): void {
    const n = Math.max(1, this.index.fileCount);
    for (const [w, paths] of hits) {
      if (paths.length > MAX_PATH_MATCHES) continue;
      const weight = E_PATH * Math.log(1 + n / paths.length) / Math.log(1 + n);
      for (const p of paths) {
        this.noteTerm(w, p);
        this.candidate(p, weight * (this.query.words.get(w) ?? 1), `path has "${w}"`);
      }
    }
  }

  /** Files defining the names the task file (above all the task function) uses. */
  private gatherUsedNames(): void {
    if (!this.taskFile) return;
    const inFunction = new Set(this.functionIdentifiers());
    const all = identsOf(this.taskFile);
    let n = 0;
    for (const name of all) {
      if (n++ >= MAX_USED_NAMES) break;
      if (name.length < 3 || C_KEYWORDS.has(name) || COMMON_NAMES.has(name) || name === this.taskSymbol) continue;
      this.useName(name, inFunction.has(name) ? 3 : 1);
    }
  }

  private useName(name: string, weight: number): void {
    const all = this.index.lookup(name).filter((r) => r.kind !== 'field');
    // Defined in the task file itself: that is the one it uses (others of the name are unrelated statics).
    const local = all.find((r) => r.file.path === this.task.file && r.definition);
    if (local) {
      this.used.set(name, { ref: local, weight });
      return;
    }
    const refs = all.filter((r) => r.file.path !== this.task.file);
    if (!refs.length) return;
    const files = new Set(refs.map((r) => r.file.path));
    if (files.size > MAX_DEFINING_FILES) return;
    const best = pickRef(refs, this.task.file);
    this.used.set(name, { ref: best, weight });
    const w = weight / files.size;
    for (const p of files) {
      const c = this.candidate(p, E_USED * w);
      if (c) addWhyList(c, 'defines names the task file uses', name);
      this.edge(this.task.file, p, w);
    }
  }

  /** Identifiers in the task function's code (comments and strings masked); read once. */
  private functionIdentifiers(): string[] {
    if (this.fnIdents === undefined) {
      const fn = this.taskFn;
      this.fnIdents = !fn || this.taskText === undefined ? [] : uniqueIdentifiers(lexC(sliceLines(this.taskText, fn.range.start.line, fn.range.end.line)).code);
    }
    return this.fnIdents;
  }

  /** Query words through the sorted name table's prefix ranges; query identifiers by exact lookup. */
  private gatherNamedTerms(): void {
    this.names = this.index.names();
    for (const [word, qw] of this.query.words) {
      const files = new Set<string>();
      let accepted = 0;
      let scanned = 0;
      forEachWithPrefix(this.names, word, (name) => {
        if (++scanned > MAX_PREFIX_SCANNED || accepted >= MAX_PREFIX_ACCEPTED) return false;
        if (!wordBoundary(name, word.length)) return;
        accepted++;
        for (const r of this.index.lookup(name).slice(0, MAX_REFS_PER_NAME)) files.add(r.file.path);
      });
      const n = Math.max(1, this.index.fileCount);
      const weight = (E_TERM * qw * Math.log(1 + n / Math.max(1, files.size))) / Math.log(1 + n);
      for (const p of files) {
        this.noteTerm(word, p);
        const c = this.candidate(p, weight);
        if (c) addWhyList(c, 'names with', `"${word}"`);
      }
    }
    for (const ident of this.query.idents) {
      if (ident === this.taskSymbol && this.taskFile) continue;
      for (const r of this.index.lookup(ident).slice(0, MAX_REFS_PER_NAME)) {
        this.candidate(r.file.path, E_NAMED, `${r.definition ? 'defines' : 'declares'} ${ident}, named in the task`);
        this.edge(this.task.file, r.file.path, 0.5);
      }
    }
  }

  /** Files whose code uses the task symbol: its callers. */
  private gatherMentions(): void {
    const symbol = this.taskSymbol;
    // A static function is called from its own file only: no need to read every identifier list.
    if (!symbol || /\bstatic\b/.test(this.taskFn?.storage ?? '')) return;
    for (const p of this.index.filesMentioning(symbol).slice(0, MAX_MENTIONING)) {
      if (p === this.task.file) continue;
      this.candidate(p, E_MENTIONS, `uses ${symbol}`);
      this.edge(this.task.file, p, 1);
    }
  }

  /** Files whose breadcrumbs relate to the task's (BREADCRUMBS.md, Relations), or share its phase. */
  private gatherBreadcrumbs(): void {
    const item = this.taskItem;
    if (!item) return;
    const all = this.src.breadcrumbs();
    for (const { item: other, reasons } of relatedBreadcrumbs(item, all)) {
      const best = reasons.reduce((a, r) => (RELATION_WEIGHT[r.kind] > RELATION_WEIGHT[a.kind] ? r : a));
      const w = RELATION_WEIGHT[best.kind];
      const why = `breadcrumb ${best.kind.replace(/-/g, ' ')} ${best.value} (line ${other.breadcrumb.line + 1})`;
      this.related.push({ item: other, weight: w, why });
      this.relate(other.file, w, why);
    }
    const phase = phaseOf(item.breadcrumb);
    if (phase === undefined) return;
    for (const other of all) {
      if (other.file === item.file && other.breadcrumb.line === item.breadcrumb.line) continue;
      if (phaseOf(other.breadcrumb) !== phase) continue;
      const why = `same phase ${phase} (line ${other.breadcrumb.line + 1})`;
      if (!this.related.some((r) => r.item === other)) this.related.push({ item: other, weight: SAME_PHASE_WEIGHT, why });
      this.relate(other.file, SAME_PHASE_WEIGHT, why);
    }
  }

  private relate(path: string, w: number, why: string): void {
    const c = this.candidate(path, E_CRUMB * w, why);
    if (!c || path === this.task.file) return;
    c.crumb += w;
    this.edge(this.task.file, path, w);
  }

  /** The task file, then the strongest evidence, up to maxFiles. */
  private select(): void {
    const rest = [...this.cands.values()].filter((c) => c.path !== this.task.file);
    rest.sort((a, b) => b.evidence - a.evidence || cmp(a.path, b.path));
    const task = this.cands.get(this.task.file);
    this.selected = [...(task ? [task] : []), ...rest.slice(0, this.options.maxFiles - 1)];
  }

  // -- scoring -----------------------------------------------------------------

  /** BM25 over each selected file's document (names, path, breadcrumbs), fields weighted. */
  private scoreText(): void {
    const words = [...this.query.words.keys()];
    if (!words.length) return;
    const wordSet = new Set(words);
    const anyWord = new RegExp(words.map(escapeRegExp).join('|'), 'i');
    const docs = this.selected.map((c) => documentOf(c, wordSet, anyWord));
    const avgdl = docs.reduce((n, d) => n + d.length, 0) / Math.max(1, docs.length) || 1;
    const n = Math.max(this.index.fileCount, docs.length);
    for (const w of words) {
      let df = this.termFiles.get(w)?.size ?? 0;
      let inDocs = 0;
      for (const d of docs) if (d.tf.has(w)) inDocs++;
      df = Math.max(df, inDocs);
      if (!df) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const qw = this.query.words.get(w) ?? 1;
      docs.forEach((d, i) => {
        const tf = d.tf.get(w);
        if (!tf) return;
        this.selected[i].text += (qw * idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * d.length) / avgdl));
      });
    }
  }

  /** Personalised PageRank over the selected files: the task's edges plus include edges among the candidates. */
  private scoreGraph(): void {
    this.addCandidateIncludes();
    const nodes = this.selected;
    const at = new Map(nodes.map((c, i) => [c.path, i]));
    const start = at.get(this.task.file) ?? 0;
    const adj: Array<Array<[number, number]>> = nodes.map((c) => {
      const out: Array<[number, number]> = [];
      for (const [p, w] of this.edges.get(c.path) ?? []) {
        const j = at.get(p);
        if (j !== undefined) out.push([j, w]);
      }
      return out;
    });
    const rank = personalisedPageRank(adj, start);
    rank.forEach((r, i) => (nodes[i].graph = r));
  }

  /** Include edges between selected files, resolved by path suffix within the selection. */
  private addCandidateIncludes(): void {
    const byBase = new Map<string, string[]>();
    for (const c of this.selected) {
      const b = baseOf(c.path);
      byBase.set(b, [...(byBase.get(b) ?? []), c.path]);
    }
    for (const c of this.selected) {
      if (!c.file || c.path === this.task.file) continue; // the task's own includes are edges already
      const dir = dirOf(c.path);
      for (const inc of includesOf(c.file)) {
        const list = byBase.get(baseOf(inc.path));
        if (!list) continue;
        const clean = cleanInclude(inc.path);
        const hits = list.filter((t) => t !== c.path && (t === dir + clean || t === clean || t.endsWith(`/${clean}`)));
        for (const t of hits) this.edge(c.path, t, 1 / hits.length);
      }
    }
  }

  /** Normalised components, weighted; the task file first, then by score; the threshold applied. */
  private combine(): RankedFile[] {
    const others = this.selected.filter((c) => c.path !== this.task.file);
    const maxText = Math.max(0, ...this.selected.map((c) => c.text));
    const maxGraph = Math.max(0, ...others.map((c) => c.graph));
    const maxCrumb = Math.max(0, ...others.map((c) => c.crumb));
    for (const c of this.selected) {
      const isTask = c.path === this.task.file;
      const text = maxText > 0 ? c.text / maxText : 0;
      // The restart node always holds the most rank; the others are compared among themselves.
      const graph = isTask ? 1 : maxGraph > 0 ? c.graph / maxGraph : 0;
      const crumb = isTask ? c.crumb : maxCrumb > 0 ? c.crumb / maxCrumb : 0;
      c.score = W_TEXT * text + W_GRAPH * graph + W_CRUMB * crumb;
      c.why = [...c.why.slice(0, MAX_WHY), `text ${text.toFixed(2)}, graph ${graph.toFixed(2)}, breadcrumbs ${crumb.toFixed(2)}`];
    }
    const ranked = [...this.selected].sort(
      (a, b) => Number(b.path === this.task.file) - Number(a.path === this.task.file) || b.score - a.score || cmp(a.path, b.path),
    );
    const best = Math.max(0, ...ranked.map((c) => c.score));
    const floor = this.options.similarityThreshold * best;
    return ranked
      .filter((c) => c.path === this.task.file || (c.score > 0 && c.score >= floor))
      .slice(0, this.options.maxFiles)
      .map((c) => ({ file: c.path, score: round(c.score), why: c.why }));
  }

  // -- symbols -----------------------------------------------------------------

  /** The task symbol, what its function uses, its neighbours in the task file, then matching definitions of the top files. */
  private pickSymbols(files: RankedFile[]): SymbolPick[] {
    const scoreOf = new Map(files.map((f) => [f.file, f.score]));
    const picks = new Map<string, SymbolPick>();
    const add = (ref: SymbolRef, score: number, why: string): void => {
      const key = `${ref.file.path}:${ref.index}`;
      const old = picks.get(key);
      if (!old || old.score < score) picks.set(key, { ref, score: round(score), why });
    };
    this.pickTaskSymbol(add);
    this.pickUsed(add, scoreOf);
    this.pickNeighbours(add);
    this.pickFromTopFiles(add, files);
    return [...picks.values()].sort((a, b) => b.score - a.score || cmp(a.ref.file.path, b.ref.file.path) || a.ref.line - b.ref.line).slice(0, MAX_SYMBOLS);
  }

  private pickTaskSymbol(add: (ref: SymbolRef, score: number, why: string) => void): void {
    const name = this.taskSymbol;
    if (!name) return;
    for (const r of sortRefs(this.index.lookup(name)).slice(0, MAX_REFS_PER_NAME)) {
      if (r.kind === 'field') continue;
      const inTask = r.file.path === this.task.file;
      add(r, inTask ? 1.2 : 1.1, inTask ? 'the task symbol' : `${r.definition ? 'definition' : 'declaration'} of the task symbol`);
    }
  }

  private pickUsed(add: (ref: SymbolRef, score: number, why: string) => void, scoreOf: Map<string, number>): void {
    const inFunction = new Set(this.functionIdentifiers());
    const fnName = this.taskFn?.name;
    // Names the task function uses that the task file itself defines count too.
    if (this.taskFile) for (const name of inFunction) if (!this.used.has(name) && name !== fnName) this.useLocal(name);
    for (const [name, u] of this.used) {
      const ref = aggregateOf(u.ref, this.index) ?? u.ref;
      const base = kindWeight(ref) * (inFunction.has(name) ? 0.9 : 0.5);
      const near = scoreOf.get(ref.file.path) ?? 0;
      const where = inFunction.has(name) && fnName ? `used by ${fnName}` : 'used by the task file';
      const what = ref === u.ref ? describeRef(ref) : `${describeRef(ref)} holding ${name}`;
      add(ref, base * (0.8 + 0.2 * near), `${what}, ${where}`);
    }
  }

  private useLocal(name: string): void {
    if (name.length < 3 || C_KEYWORDS.has(name) || COMMON_NAMES.has(name)) return;
    const refs = this.index.lookup(name).filter((r) => r.file.path === this.task.file && r.kind !== 'field');
    if (refs.length) this.used.set(name, { ref: pickRef(refs, this.task.file), weight: 1 });
  }

  private pickNeighbours(add: (ref: SymbolRef, score: number, why: string) => void): void {
    const file = this.taskFile;
    const fn = this.taskFn;
    if (!file || !fn) return;
    const here = fn.range.start.line;
    const symbols = this.index.symbolsOf(file);
    symbols.forEach((s, i) => {
      if (s.parent !== undefined || s.kind === 'field' || s.kind === 'enumerator' || s === fn || !s.definition) return;
      const distance = Math.abs(s.range.start.line - here);
      const ref = refAt(this.index, file, i);
      if (ref) add(ref, 0.8 * kindWeight(ref) * (1 - Math.min(1, distance / 300)), `defined ${distance} lines from ${fn.name} in the task file`);
    });
  }

  private pickFromTopFiles(add: (ref: SymbolRef, score: number, why: string) => void, files: RankedFile[]): void {
    const words = this.query.words;
    for (const f of files.slice(0, SYMBOL_FILES)) {
      const stored = f.file === this.task.file ? undefined : this.index.get(f.file);
      if (!stored) continue;
      let taken = 0;
      for (let i = 0; i < stored.names.length && taken < MAX_SYMBOLS_PER_FILE; i++) {
        const ref = refAt(this.index, stored, i);
        if (!ref || !ref.definition || ref.kind === 'field' || ref.kind === 'enumerator' || isIncludeGuard(ref)) continue;
        const hits = splitWords(ref.name).filter((w) => words.has(w)).length;
        if (!hits && !ref.libraryFunction) continue;
        taken++;
        const match = hits ? `name matches ${hits} task word${hits === 1 ? '' : 's'}` : 'AROS library function';
        add(ref, f.score * (hits ? 0.5 + 0.1 * Math.min(3, hits) : 0.4) * kindWeight(ref), `${describeRef(ref)} in a top file (${match})`);
      }
    }
  }

  // -- snippets ----------------------------------------------------------------

  private pickSnippets(symbols: SymbolPick[]): SnippetPick[] {
    const found = new Map<string, SnippetPick>();
    // A prototype in the header and the definition's signature read the same: one is enough.
    const texts = new Set<string>();
    const add = (s: SnippetPick): void => {
      const key = `${s.file}:${s.line}`;
      if (found.has(key) || !s.text.trim() || texts.has(s.text)) return;
      found.set(key, s);
      texts.add(s.text);
    };
    const own = this.taskSnippet();
    if (own) add(own);
    for (const p of symbols) {
      if (this.expired()) break;
      if (p.ref.name === this.taskSymbol && (p.ref.file.path === this.task.file || !p.ref.definition)) continue;
      const text = symbolText(p.ref, this.index);
      add({ file: p.ref.file.path, line: p.ref.line, text, tokens: estimateTokens(text), why: p.why, score: p.score * 100 });
    }
    for (const r of this.related) {
      const text = breadcrumbText(r.item.breadcrumb);
      add({ file: r.item.file, line: r.item.breadcrumb.line, text, tokens: estimateTokens(text), why: r.why, score: 60 * r.weight });
    }
    return fitBudget([...found.values()], this.options.budgetTokens);
  }

  /** The task function as it is now, with its breadcrumb; cut to fit the budget. */
  private taskSnippet(): SnippetPick | undefined {
    const fn = this.taskFn;
    const crumb = this.taskItem?.breadcrumb;
    if (this.taskText === undefined) {
      if (!crumb) return undefined;
      const text = breadcrumbText(crumb);
      return { file: this.task.file, line: crumb.line, text, tokens: estimateTokens(text), why: "the task's breadcrumb", score: 1000 };
    }
    let from: number;
    let to: number;
    if (fn) {
      from = crumb && crumb.line < fn.range.start.line && crumb.line >= fn.range.start.line - CRUMB_LOOKBACK ? crumb.line : fn.range.start.line;
      to = fn.range.end.line;
    } else if (crumb) {
      from = crumb.line;
      to = crumb.range.end.line + 20;
    } else return undefined;
    to = Math.min(to, from + MAX_TASK_LINES - 1);
    let text = sliceLines(this.taskText, from, to).replace(/\n$/, '');
    // The task's own code matters most, but it must leave room for what it calls.
    const cap = Math.floor(this.options.budgetTokens * 0.6);
    while (estimateTokens(text) > cap && text.includes('\n')) text = text.slice(0, text.lastIndexOf('\n'));
    if (estimateTokens(text) > cap) return undefined;
    const why = fn ? `the task function ${fn.name} as it is now` : "the task's breadcrumb and the code after it";
    return { file: this.task.file, line: from, text, tokens: estimateTokens(text), why, score: 1000 };
  }
}

// ---------------------------------------------------------------------------
// Helpers

interface Doc {
  tf: Map<string, number>;
  length: number;
}

/** Field-weighted term counts of one file for the query words only; the length counts every word. */
function documentOf(c: Candidate, words: ReadonlySet<string>, anyWord: RegExp): Doc {
  const tf = new Map<string, number>();
  const bump = (w: string, by: number): void => {
    if (words.has(w)) tf.set(w, (tf.get(w) ?? 0) + by);
  };
  let length = 0;
  const names = c.file?.names ?? [];
  const n = Math.min(names.length, MAX_DOC_NAMES);
  for (let i = 0; i < n; i++) {
    // Only names holding some query word are split: most are not.
    if (anyWord.test(names[i])) for (const w of splitWords(names[i])) bump(w, 1);
  }
  length += n;
  for (const part of c.path.split(/[/.\-]+/)) {
    for (const w of splitWords(part)) {
      bump(w, F_PATH);
      length += F_PATH;
    }
  }
  for (const b of c.file?.breadcrumbs ?? []) {
    for (const text of [...b.entries.filter((e) => e.tag !== 'AI_CONTEXT').map((e) => e.value), ...b.notes]) {
      for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
        for (const w of splitWords(m[0])) {
          bump(w, F_CRUMB);
          length += F_CRUMB;
        }
      }
    }
  }
  return { tf, length };
}

/** Rank with restart at `start`; a node without edges gives its rank back to the start. */
export function personalisedPageRank(adj: ReadonlyArray<ReadonlyArray<readonly [number, number]>>, start: number, iterations = PR_ITERATIONS, damping = DAMPING): number[] {
  const n = adj.length;
  if (!n) return [];
  const outSum = adj.map((edges) => edges.reduce((s, [, w]) => s + w, 0));
  let rank = new Array<number>(n).fill(0);
  rank[start] = 1;
  for (let it = 0; it < iterations; it++) {
    const next = new Array<number>(n).fill(0);
    let dangling = 0;
    for (let i = 0; i < n; i++) {
      if (!rank[i]) continue;
      if (outSum[i] <= 0) {
        dangling += rank[i];
        continue;
      }
      for (const [j, w] of adj[i]) next[j] += (damping * rank[i] * w) / outSum[i];
    }
    next[start] += 1 - damping + damping * dangling;
    rank = next;
  }
  return rank;
}

function symbolText(ref: SymbolRef, index: ExploreIndex): string {
  const symbols = index.symbolsOf(ref.file);
  const s = symbols[ref.index];
  if (ref.libraryFunction) return librarySignatureText(s);
  if ((s.kind === 'struct' || s.kind === 'union' || s.kind === 'enum') && s.definition) return aggregateText(symbols, ref.index);
  return declarationText(s);
}

/** A breadcrumb as comment lines, from what the index holds (no file is read). */
function breadcrumbText(b: Breadcrumb): string {
  const lines = b.entries.map((e) => `// ${e.tag}: ${e.value.replace(/\n/g, ' ')}`);
  for (const n of b.notes) lines.push(`// ${n}`);
  if (b.target) lines.push(`/* -> ${b.target.kind} ${b.target.name} */`);
  return lines.join('\n');
}

/** Best first; a snippet that does not fit what is left is skipped, and smaller ones may still fill the rest. */
function fitBudget(snippets: SnippetPick[], budget: number): SnippetPick[] {
  const sorted = [...snippets].sort((a, b) => b.score - a.score || cmp(a.file, b.file) || a.line - b.line);
  const kept: SnippetPick[] = [];
  let used = 0;
  for (const s of sorted) {
    if (used + s.tokens > budget) continue;
    kept.push(s);
    used += s.tokens;
  }
  return kept;
}

function toRankedSymbol(p: SymbolPick): RankedSymbol {
  return { name: p.ref.name, file: p.ref.file.path, line: p.ref.line, kind: p.ref.kind, score: p.score, why: p.why };
}

/** How much a kind of symbol helps a model write code that uses it. */
function kindWeight(ref: SymbolRef): number {
  if (ref.libraryFunction) return 1;
  switch (ref.kind) {
    case 'struct':
    case 'union':
      return 0.95;
    case 'function':
      return ref.definition ? 0.85 : 0.65;
    case 'enum':
      return 0.8;
    case 'typedef':
      return 0.75;
    case 'macro':
      return 0.7;
    default:
      return 0.6;
  }
}

/** `#define FOO_H` with nothing after it: says nothing to a model. */
function isIncludeGuard(ref: SymbolRef): boolean {
  return ref.kind === 'macro' && /_H_?$/.test(ref.name);
}

function describeRef(ref: SymbolRef): string {
  if (ref.libraryFunction) return 'AROS library function';
  return `${ref.kind}${ref.definition ? '' : ' declaration'}`;
}

/** A field's or enumerator's struct/union/enum, in the same file. */
function aggregateOf(ref: SymbolRef, index: ExploreIndex): SymbolRef | undefined {
  if (ref.kind !== 'field' && ref.kind !== 'enumerator') return undefined;
  const parent = ref.containerName;
  if (parent === undefined) return undefined;
  return index.lookup(parent).find((r) => r.file === ref.file && r.definition);
}

function refAt(index: ExploreIndex, file: StoredFile, i: number): SymbolRef | undefined {
  return index.lookup(file.names[i]).find((r) => r.file === file && r.index === i);
}

/** Definitions first, then the nearest file to `from`, then the index's usual order. */
function pickRef(refs: SymbolRef[], from: string): SymbolRef {
  const sorted = sortRefs(refs);
  let best = sorted[0];
  let bestKey = -1;
  for (const r of sorted) {
    const key = (r.definition ? 8 : 0) + (r.libraryFunction ? 4 : 0) + locality(r.file.path, from);
    if (key > bestKey) {
      best = r;
      bestKey = key;
    }
  }
  return best;
}


/** Up to `max` paths, those sharing the longest directory prefix with `from` first. */
function nearest(paths: string[], from: string, max: number): string[] {
  const shared = (p: string): number => {
    let i = 0;
    while (i < p.length && i < from.length && p[i] === from[i]) i++;
    return i;
  };
  return [...paths].sort((a, b) => shared(b) - shared(a) || cmp(a, b)).slice(0, max);
}

function identsOf(file: StoredFile): string[] {
  const idents = file.idents;
  const text = Buffer.from(idents.buffer, idents.byteOffset, idents.byteLength).toString('latin1');
  return text.split('\n').filter((s) => s);
}

/** Lines `from`..`to` (0-based, inclusive) of `text`, with their newlines. */
function sliceLines(text: string, from: number, to: number): string {
  let start = 0;
  for (let l = 0; l < from && start >= 0; l++) {
    const nl = text.indexOf('\n', start);
    start = nl < 0 ? -1 : nl + 1;
  }
  if (start < 0) return '';
  let end = start;
  for (let l = from; l <= to; l++) {
    const nl = text.indexOf('\n', end);
    if (nl < 0) return text.slice(start);
    end = nl + 1;
  }
  return text.slice(start, end);
}

/** Whether a query word matched at the start of `name` ends at one of its word boundaries (`pipe` does not match `PipelineState`). */
function wordBoundary(name: string, length: number): boolean {
  if (length >= name.length) return true;
  const next = name.charCodeAt(length);
  const prev = name.charCodeAt(length - 1);
  if (next === 95) return true;
  const isUpper = (c: number): boolean => c >= 65 && c <= 90;
  const isDigit = (c: number): boolean => c >= 48 && c <= 57;
  if (isDigit(next) !== isDigit(prev)) return true;
  return isUpper(next) && !isUpper(prev);
}

function addWhyList(c: Candidate, label: string, item: string): void {
  const prefix = `${label}: `;
  const at = c.why.findIndex((w) => w.startsWith(prefix));
  if (at < 0) {
    c.why.push(`${prefix}${item}`);
    return;
  }
  const items = c.why[at].slice(prefix.length).split(', ');
  if (items.length < 5 && !items.includes(item)) c.why[at] = `${prefix}${[...items, item].join(', ')}`;
}


function addTo(m: Map<string, string[]>, k: string, v: string): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** `path` is `suffix` or ends with `/suffix`. */
function endsWithPath(path: string, suffix: string): boolean {
  return path.endsWith(suffix) && (path.length === suffix.length || path.charCodeAt(path.length - suffix.length - 1) === 47);
}

/** The first three directories (`workbench/hidds/radeonsi/`), or the file's directory when it is shallower. */
function moduleOf(path: string): string {
  const parts = path.split('/');
  return parts.slice(0, Math.min(3, parts.length - 1)).map((x) => `${x}/`).join('');
}

function cleanInclude(p: string): string {
  return p.replace(/^\.\//, '');
}


function baseOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
