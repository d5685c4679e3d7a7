// What a fill-in-the-middle model sees around the cursor: the prefix and
// suffix windows, and snippets from the index put before the prefix
// (signatures of the AROS library functions being called, definitions of the
// identifiers used nearby, the structs whose members are accessed, the
// enclosing function's breadcrumb, regions edited recently in other files).
// Everything comes from the index's by-name lookups and the request's own
// text: no file is read and no file list is scanned, so a request stays in
// the low milliseconds on the full tree.

import { parseBreadcrumbs } from '../breadcrumbs/parse';
import type { BreadcrumbTarget } from '../breadcrumbs/types';
import { blankLines, lexC, lineStarts, offsetToPosition, spaces } from '../index/lexer';
import { sortRefs } from '../index/search';
import type { SymbolInfo } from '../index/types';
import type { StoredFile, SymbolRef, WorkspaceIndex } from '../index/workspaceIndex';
import type { ExtraContext } from '../models/types';
import { locality } from '../index/pathNearness';

export interface RecentEdit {
  /** Workspace key of the edited file. */
  file: string;
  /** 0-based line of the region's first line. */
  line: number;
  text: string;
}

export interface ContextRequest {
  /** Workspace key (or absolute path) exactly as the index uses it. */
  file: string;
  text: string;
  /** UTF-16 offset of the cursor in `text`. */
  offset: number;
  /** Tokens for the snippets (the windows are not counted); default 1536. */
  budgetTokens?: number;
  /** Whole lines before the cursor line; default 120. */
  prefixLines?: number;
  /** Whole lines after the cursor line; default 40. */
  suffixLines?: number;
  recentEdits?: RecentEdit[];
  /** A performance.now() value: stop gathering snippets after it and return what is ready. */
  deadline?: number;
}

export type ContextPartKind = 'definition' | 'prototype' | 'library-signature' | 'breadcrumb' | 'recent-edit' | 'struct';

export interface ContextPart {
  kind: ContextPartKind;
  /** The symbol's name, or `file:line` for a recent edit. */
  label: string;
  file: string;
  /** 0-based, as in the index. */
  line: number;
  text: string;
  tokens: number;
  /** Why the part was chosen, for `--explain`. */
  why: string;
  /** Value used to fit the budget: higher parts are kept first. */
  score: number;
}

/** Where the windows were cut; 0-based lines, UTF-16 column. */
export interface ContextWindow {
  startLine: number;
  cursorLine: number;
  cursorCharacter: number;
  endLine: number;
}

export interface CompletionContext {
  prefix: string;
  suffix: string;
  /** What goes before the FIM prefix, stable parts first. */
  extra: ExtraContext[];
  /** Kept parts in prompt order. */
  parts: ContextPart[];
  /** Over budget, best first. */
  dropped: ContextPart[];
  tokensUsed: number;
  budgetTokens: number;
  window: ContextWindow;
  elapsedMs: number;
  timedOut: boolean;
}

/** The part of the index this module reads: by-name lookups and one file's symbols. */
export type ContextIndex = Pick<WorkspaceIndex, 'lookup' | 'get' | 'symbolsOf'>;

const DEFAULT_BUDGET = 1536;
const DEFAULT_PREFIX_LINES = 120;
const DEFAULT_SUFFIX_LINES = 40;

/** Distinct names looked up per request: bounds the work on long windows. */
const MAX_NAMES = 64;
const MAX_MEMBER_BASES = 16;
const MAX_RECENT_EDITS = 8;
const MAX_STRUCT_FIELDS = 40;
const MAX_MACRO_CHARS = 600;
const MAX_EDIT_LINES = 40;
/** How far above a function its breadcrumb is looked for when the index does not say. */
const BREADCRUMB_LOOKBACK = 60;

// Base values per kind of evidence; closeness to the cursor scales each between half and all of it.
/** A member is about to be written: its struct matters more than anything else. */
const V_MEMBER_AT_CURSOR = 120;
const V_LIBRARY_CALLED = 100;
const V_MEMBER_STRUCT = 95;
const V_DEF_CALLED = 85;
const V_LIBRARY_NAMED = 80;
const V_BREADCRUMB = 75;
const V_TYPE_NAMED = 70;
const V_DEF_USED = 65;
const V_RECENT_EDIT = 60;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}

// ---------------------------------------------------------------------------
// Entry point

export function buildCompletionContext(index: ContextIndex, req: ContextRequest): CompletionContext {
  const started = performance.now();
  const budget = req.budgetTokens ?? DEFAULT_BUDGET;
  const cut = cutWindows(req.text, req.offset, req.prefixLines ?? DEFAULT_PREFIX_LINES, req.suffixLines ?? DEFAULT_SUFFIX_LINES);
  const gatherer = new Gatherer(index, req, cut);
  const timedOut = !gatherer.run();
  const { kept, dropped } = selectParts(gatherer.candidates(), budget);
  const ordered = orderForCache(kept);
  const parts = ordered.map((c) => c.part);
  return {
    prefix: cut.prefix,
    suffix: cut.suffix,
    extra: toExtra(ordered),
    parts,
    dropped: dropped.map((c) => c.part),
    tokensUsed: parts.reduce((n, p) => n + p.tokens, 0),
    budgetTokens: budget,
    window: cut.window,
    elapsedMs: performance.now() - started,
    timedOut,
  };
}

// ---------------------------------------------------------------------------
// Windows

interface Cut {
  prefix: string;
  suffix: string;
  window: ContextWindow;
  /** Offset in the text where the cursor line starts: lines above are found by walking back from it. */
  cursorLineStart: number;
  /** The identifier that ends at the cursor, being typed: never looked up. */
  partialWord: string;
}

function cutWindows(text: string, offset: number, prefixLines: number, suffixLines: number): Cut {
  const at = Math.max(0, Math.min(text.length, offset));
  const cursorLineStart = at === 0 ? 0 : text.lastIndexOf('\n', at - 1) + 1;
  const cursorLine = countNewlines(text, 0, cursorLineStart);
  let start = cursorLineStart;
  let walked = 0;
  while (walked < prefixLines && start > 0) {
    start = previousLineStart(text, start);
    walked++;
  }
  let nl = text.indexOf('\n', at);
  for (let k = 0; k < suffixLines && nl >= 0; k++) nl = text.indexOf('\n', nl + 1);
  const end = nl < 0 ? text.length : nl + 1;
  const prefix = text.slice(start, at);
  const suffix = text.slice(at, end);
  const suffixNewlines = countNewlines(suffix, 0, suffix.length);
  const endLine = cursorLine + suffixNewlines - (suffix.endsWith('\n') ? 1 : 0);
  const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(prefix);
  return {
    prefix,
    suffix,
    window: { startLine: cursorLine - walked, cursorLine, cursorCharacter: at - cursorLineStart, endLine: Math.max(cursorLine, endLine) },
    cursorLineStart,
    partialWord: word ? word[0] : '',
  };
}

/** Start of the line before the one starting at `start` (> 0). */
function previousLineStart(text: string, start: number): number {
  // lastIndexOf clamps a negative position to 0 and would find a newline there.
  return start <= 1 ? 0 : text.lastIndexOf('\n', start - 2) + 1;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  let i = text.indexOf('\n', from);
  while (i >= 0 && i < to) {
    n++;
    i = text.indexOf('\n', i + 1);
  }
  return n;
}

// ---------------------------------------------------------------------------
// What the prefix window uses

interface NameUse {
  /** Nearest line to the cursor that mentions the name. */
  line: number;
  called: boolean;
  count: number;
}

interface MemberUse {
  /** The expression before `->`/`.`: a variable, or a member when `viaMember`. */
  base: string;
  viaMember: boolean;
  line: number;
  /** Set by a cast `((struct X *)p)->`: the struct is named outright. */
  structName?: string;
}

interface WindowScan {
  uses: Map<string, NameUse>;
  /** Nearest first, one per base. */
  members: MemberUse[];
  /** Names declared in the window (locals, parameters, macros) with their type text. */
  locals: Map<string, string>;
}

export const C_KEYWORDS = new Set(
  (
    'auto break case char const continue default do double else enum extern float for goto if inline int long register ' +
    'restrict return short signed sizeof static struct switch typedef union unsigned void volatile while _Bool _Complex ' +
    '_Imaginary _Alignas _Alignof _Atomic _Generic _Noreturn _Static_assert _Thread_local bool true false asm __asm__ ' +
    '__attribute__ __inline__ __volatile__ typeof __typeof__ ' +
    // preprocessor words
    'define undef include ifdef ifndef elif endif defined pragma error warning line'
  ).split(' '),
);

/** Types and constants every model knows from exec/types.h: their definitions would only crowd the budget. */
const BASIC_NAMES = new Set(
  (
    'APTR CONST_APTR QUAD UQUAD LONG ULONG WORD UWORD BYTE UBYTE IPTR SIPTR BOOL STRPTR CONST_STRPTR VOID TEXT FLOAT DOUBLE ' +
    'LONGBITS WORDBITS BYTEBITS RPTR BPTR BSTR NULL TRUE FALSE CONST size_t ssize_t intptr_t uintptr_t int8_t int16_t ' +
    'int32_t int64_t uint8_t uint16_t uint32_t uint64_t'
  ).split(' '),
);

/** Words that only qualify a type: never its name. */
const TYPE_QUALIFIERS = new Set('const volatile static extern register inline restrict unsigned signed struct union enum'.split(' '));

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/g;
const LIBCALL_NAME = /\bAROS_LC[0-9A-Z]*\s*\(\s*[^,]*,\s*([A-Za-z_][A-Za-z0-9_]*)/g;
// `type *name` followed by `;`, `=`, `,`, `[` or `)`, at a statement or parameter start.
export const DECLARATION =
  /(?<=^|[;{}(,])[ \t]*((?:(?:const|volatile|static|register|unsigned|signed|extern)\s+)*(?:(?:struct|union|enum)\s+)?[A-Za-z_][A-Za-z0-9_]*)((?:\s*\*)*)\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?=[;=,[)])/gm;
export const NOT_A_TYPE = new Set('return goto case else do sizeof typedef break continue'.split(' '));
const INCLUDE_LINE = /^[ \t]*#[ \t]*include\b.*$/gm;
const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)/gm;
const MEMBER = /([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[[^\]\n]*\]\s*)?(?:->|\.(?![.0-9]))/g;
const CAST_MEMBER = /\(\s*(?:struct|union)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\*\s*\)\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*->/g;

function scanWindow(prefix: string, startLine: number, partialWord: string): WindowScan {
  const code = maskedWindow(prefix);
  const starts = lineStarts(code);
  const lineOf = (offset: number): number => startLine + offsetToPosition(starts, offset).line;
  const uses = collectUses(code, lineOf, partialWord);
  for (const m of code.matchAll(LIBCALL_NAME)) {
    const u = uses.get(m[1]);
    if (u) u.called = true;
  }
  return { uses, members: collectMembers(code, lineOf), locals: collectLocals(code) };
}

/**
 * The window with comments, literals and `#include` paths blanked; a window
 * that starts inside a block comment loses that tail.
 */
function maskedWindow(prefix: string): string {
  const close = prefix.indexOf('*/');
  const open = prefix.indexOf('/*');
  const text = close >= 0 && (open < 0 || close < open) ? blankLines(prefix.slice(0, close + 2)) + prefix.slice(close + 2) : prefix;
  return lexC(text).code.replace(INCLUDE_LINE, (m) => spaces(m.length));
}

function collectUses(code: string, lineOf: (offset: number) => number, partialWord: string): Map<string, NameUse> {
  const uses = new Map<string, NameUse>();
  for (const m of code.matchAll(IDENT)) {
    const at = m.index;
    const name = m[0];
    // Skip the tails of numbers such as 0x1F or 10UL.
    const prev = at > 0 ? code.charCodeAt(at - 1) : 0;
    if (prev >= 48 && prev <= 57) continue;
    if (!worthLookingUp(name)) continue;
    if (name === partialWord && at + name.length === code.length) continue;
    const line = lineOf(at);
    const called = /^\s*\(/.test(code.slice(at + name.length, at + name.length + 8));
    const u = uses.get(name);
    if (u) {
      // Matches come in text order, so the last one is the nearest to the cursor.
      u.line = line;
      u.count++;
      u.called ||= called;
    } else uses.set(name, { line, called, count: 1 });
  }
  return uses;
}

function worthLookingUp(name: string): boolean {
  if (name.length < 2 || C_KEYWORDS.has(name) || BASIC_NAMES.has(name)) return false;
  // The AROS macros themselves, and the m68k registers named in AROS_LHA/AROS_LCA.
  return !/^_*AROS_/.test(name) && !/^[AD][0-7]$/.test(name);
}

function collectMembers(code: string, lineOf: (offset: number) => number): MemberUse[] {
  const found: MemberUse[] = [];
  for (const m of code.matchAll(MEMBER)) {
    const base = m[1];
    if (C_KEYWORDS.has(base)) continue;
    const before = code.slice(Math.max(0, m.index - 4), m.index).trimEnd();
    found.push({ base, viaMember: before.endsWith('->') || before.endsWith('.'), line: lineOf(m.index) });
  }
  for (const m of code.matchAll(CAST_MEMBER)) found.push({ base: m[1], viaMember: false, line: lineOf(m.index), structName: m[1] });
  // Nearest first, one per base.
  found.sort((a, b) => b.line - a.line);
  const seen = new Set<string>();
  return found.filter((u) => {
    const key = `${u.structName ? 'cast:' : ''}${u.base}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function collectLocals(code: string): Map<string, string> {
  const locals = new Map<string, string>();
  for (const m of code.matchAll(DECLARATION)) {
    const typeWord = /[A-Za-z_][A-Za-z0-9_]*$/.exec(m[1])?.[0] ?? '';
    if (NOT_A_TYPE.has(typeWord) || NOT_A_TYPE.has(m[3]) || C_KEYWORDS.has(m[3])) continue;
    // Later declarations shadow earlier ones.
    locals.set(m[3], `${m[1]} ${m[2].replace(/\s+/g, '')}`.trim());
  }
  for (const m of code.matchAll(DEFINE)) locals.set(m[1], '');
  return locals;
}

// ---------------------------------------------------------------------------
// Gathering candidate parts

interface Candidate {
  part: ContextPart;
  /** Prompt order: 0 library signatures, 1 other files, 2 this file, 3 recent edits, 4 breadcrumb. */
  group: number;
  /** Order inside a group where file and line do not decide (recent edits: oldest first). */
  order: number;
}

const G_LIBRARY = 0;
const G_OTHER_FILES = 1;
const G_THIS_FILE = 2;
const G_RECENT = 3;
const G_BREADCRUMB = 4;

class Gatherer {
  private readonly found = new Map<string, Candidate>();
  private readonly scan: WindowScan;
  private readonly current: StoredFile | undefined;
  /** The current file's symbols as last indexed (an open document is re-indexed as it changes). */
  private readonly symbols: readonly SymbolInfo[];
  private readonly enclosing: SymbolInfo | undefined;

  constructor(
    private readonly index: ContextIndex,
    private readonly req: ContextRequest,
    private readonly cut: Cut,
  ) {
    this.scan = { uses: new Map(), members: [], locals: new Map() };
    this.current = index.get(req.file);
    this.symbols = [];
    this.enclosing = undefined;
    if (this.expired()) return;
    this.scan = scanWindow(cut.prefix, cut.window.startLine, cut.partialWord);
    this.symbols = this.current ? index.symbolsOf(this.current) : [];
    this.enclosing = enclosingFunction(this.symbols, cut.window.cursorLine);
    this.declareParameters();
  }

  /** The enclosing function's parameters (and an AROS library function's base) count as locals; a declaration in the window shadows them. */
  private declareParameters(): void {
    const fn = this.enclosing;
    if (!fn) return;
    const locals = this.scan.locals;
    for (const p of fn.params ?? []) if (p.name && !locals.has(p.name)) locals.set(p.name, p.type);
    const base = fn.aros?.baseName;
    if (base && fn.aros?.baseType && !locals.has(base)) locals.set(base, fn.aros.baseType);
  }

  /** Gathers everything; false when the deadline cut it short. */
  run(): boolean {
    if (this.expired()) return false;
    const steps: Array<() => boolean> = [() => this.gatherNames(), () => this.gatherMembers(), () => this.gatherBreadcrumb(), () => this.gatherRecentEdits()];
    for (const step of steps) if (!step()) return false;
    return true;
  }

  candidates(): Candidate[] {
    return [...this.found.values()];
  }

  private expired(): boolean {
    return this.req.deadline !== undefined && performance.now() >= this.req.deadline;
  }

  private get window(): ContextWindow {
    return this.cut.window;
  }

  // -- identifiers -----------------------------------------------------------

  private gatherNames(): boolean {
    const names = [...this.scan.uses.entries()]
      .filter(([name]) => !this.scan.locals.has(name) && name !== this.enclosing?.name)
      .sort((a, b) => b[1].line - a[1].line || Number(b[1].called) - Number(a[1].called) || b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_NAMES);
    for (const [name, use] of names) {
      if (this.expired()) return false;
      this.gatherName(name, use);
    }
    return true;
  }

  private gatherName(name: string, use: NameUse): void {
    const refs = this.index.lookup(name);
    if (refs.length === 0 || refs.some((r) => this.inWindow(r))) return;
    const library = refs.filter((r) => r.libraryFunction);
    if (library.length) {
      this.addLibrary(sortRefs(library)[0], use);
      return;
    }
    const usable = refs.filter((r) => r.kind !== 'field');
    if (usable.length) this.addDefinition(this.pick(usable), use);
  }

  private addLibrary(ref: SymbolRef, use: NameUse): void {
    const s = ref.symbol;
    const aros = s.aros;
    const source = aros?.macro === 'conf' ? 'its .conf entry' : `its ${aros?.macro ?? 'AROS_LHn'} definition`;
    const facts = [aros?.library, aros?.lvo !== undefined ? `LVO ${aros.lvo}` : undefined].filter((x) => x).join(' ');
    this.add(
      {
        kind: 'library-signature',
        label: s.name,
        ref,
        text: librarySignatureText(s),
        why: `AROS library function ${use.called ? 'called' : 'named'} ${this.where(use.line)}${facts ? ` (${facts})` : ''}, from ${source}`,
        score: this.score(use.called ? V_LIBRARY_CALLED : V_LIBRARY_NAMED, use.line, use.count),
      },
      G_LIBRARY,
    );
  }

  private addDefinition(ref: SymbolRef, use: NameUse): void {
    const s = ref.symbol;
    const verb = use.called ? 'called' : 'used';
    const where = `${ref.definition ? 'defined' : 'declared'} at ${ref.file.path}:${ref.line + 1}`;
    const value = use.called ? V_DEF_CALLED : V_DEF_USED;
    if (s.kind === 'struct' || s.kind === 'union' || s.kind === 'enum') {
      const kind = s.kind === 'enum' ? 'definition' : 'struct';
      this.addAggregate(ref, kind, `${s.kind} ${s.name} named ${this.where(use.line)}; ${where}`, this.score(V_TYPE_NAMED, use.line, use.count));
      return;
    }
    if (s.kind === 'enumerator') {
      const parent = this.parentRef(ref);
      if (parent) this.addAggregate(parent, 'definition', `enumerator ${s.name} ${verb} ${this.where(use.line)}; its enum is ${where}`, this.score(V_DEF_USED, use.line, use.count));
      return;
    }
    this.add(
      {
        kind: ref.definition ? 'definition' : 'prototype',
        label: s.name,
        ref,
        text: declarationText(s),
        why: `${s.kind} ${verb} ${this.where(use.line)}; ${where}`,
        score: this.score(value, use.line, use.count),
      },
      this.groupOf(ref),
    );
  }

  private addAggregate(ref: SymbolRef, kind: ContextPartKind, why: string, score: number): void {
    this.add({ kind, label: ref.name, ref, text: aggregateText(this.index.symbolsOf(ref.file), ref.index), why, score }, this.groupOf(ref));
  }

  private parentRef(ref: SymbolRef): SymbolRef | undefined {
    const parent = ref.symbol.parent;
    if (parent === undefined) return undefined;
    const name = ref.file.names[parent];
    return this.index.lookup(name).find((r) => r.file === ref.file && r.index === parent);
  }

  // -- member access ---------------------------------------------------------

  private gatherMembers(): boolean {
    for (const use of this.scan.members.slice(0, MAX_MEMBER_BASES)) {
      if (this.expired()) return false;
      const typeText = use.structName ? `struct ${use.structName}` : this.typeOf(use);
      if (!typeText) continue;
      const ref = this.resolveAggregate(parseTypeName(typeText), 0);
      if (!ref) continue;
      const how = use.structName ? `cast to ${typeText}` : `type of ${use.base} (${typeText})`;
      const value = use.line >= this.window.cursorLine ? V_MEMBER_AT_CURSOR : V_MEMBER_STRUCT;
      this.addAggregate(ref, 'struct', `${how}, whose members are accessed ${this.where(use.line)}`, this.score(value, use.line, 1));
    }
    return true;
  }

  /** The declared type of the expression before `->`/`.`: a local, a parameter, a global, or a member. */
  private typeOf(use: MemberUse): string | undefined {
    if (use.viaMember) {
      const fields = this.index.lookup(use.base).filter((r) => r.kind === 'field');
      return fields.length ? declaredType(this.pick(fields).symbol, use.base) : undefined;
    }
    const local = this.scan.locals.get(use.base);
    if (local !== undefined) return local || undefined;
    const globals = this.index.lookup(use.base).filter((r) => r.kind === 'variable');
    return globals.length ? declaredType(this.pick(globals).symbol, use.base) : undefined;
  }

  /** The struct or union a type names, through typedefs (two levels). */
  private resolveAggregate(type: TypeName | undefined, depth: number): SymbolRef | undefined {
    if (!type || depth > 2) return undefined;
    const refs = this.index.lookup(type.name);
    const aggregates = refs.filter((r) => (r.kind === 'struct' || r.kind === 'union') && r.definition);
    if (aggregates.length) return this.pick(aggregates);
    if (type.tag) return undefined;
    const typedefs = refs.filter((r) => r.kind === 'typedef');
    if (!typedefs.length) return undefined;
    const sig = this.pick(typedefs).symbol.signature ?? '';
    const body = sig.replace(/^\s*typedef\s+/, '');
    const target = parseTypeName(body.slice(0, Math.max(0, body.lastIndexOf(type.name))));
    return target && target.name !== type.name ? this.resolveAggregate(target, depth + 1) : undefined;
  }

  // -- breadcrumb ------------------------------------------------------------

  private gatherBreadcrumb(): boolean {
    if (this.expired()) return false;
    const fn = this.enclosing;
    if (!fn) return true;
    const found = enclosingBreadcrumb(this.req.text, this.cut, fn, this.current, this.symbols);
    if (!found) return true;
    if (found.endLine >= this.window.startLine) return true; // the model reads it in the prefix already
    this.add(
      {
        kind: 'breadcrumb',
        label: fn.name,
        file: this.req.file,
        line: found.line,
        text: found.text,
        why: `breadcrumb of the enclosing function ${fn.name} (line ${fn.range.start.line + 1}), above the prefix window`,
        score: V_BREADCRUMB,
      },
      G_BREADCRUMB,
    );
    return true;
  }

  // -- recent edits ----------------------------------------------------------

  private gatherRecentEdits(): boolean {
    const edits = (this.req.recentEdits ?? []).filter((e) => e.file !== this.req.file).slice(0, MAX_RECENT_EDITS);
    edits.forEach((e, i) => {
      const text = capLines(e.text, MAX_EDIT_LINES);
      if (!text.trim()) return;
      this.add(
        {
          kind: 'recent-edit',
          label: `${e.file}:${e.line + 1}`,
          file: e.file,
          line: e.line,
          text,
          why: `edited recently in another file (${ordinal(i + 1)} most recent)`,
          score: Math.max(1, V_RECENT_EDIT - 6 * i),
        },
        G_RECENT,
        // Oldest first, so the newest sits nearest the prefix.
        -i,
      );
    });
    return true;
  }

  // -- helpers ---------------------------------------------------------------

  private add(
    p: { kind: ContextPartKind; label: string; text: string; why: string; score: number } & ({ ref: SymbolRef } | { file: string; line: number }),
    group: number,
    order = 0,
  ): void {
    const file = 'ref' in p ? p.ref.file.path : p.file;
    const line = 'ref' in p ? p.ref.line : p.line;
    const key = `${p.kind}|${file}|${line}|${p.label}`;
    const old = this.found.get(key);
    if (old && old.part.score >= p.score) return;
    const part: ContextPart = { kind: p.kind, label: p.label, file, line, text: p.text, tokens: estimateTokens(p.text), why: p.why, score: Math.round(p.score * 100) / 100 };
    this.found.set(key, { part, group, order });
  }

  private groupOf(ref: SymbolRef): number {
    return ref.file.path === this.req.file ? G_THIS_FILE : G_OTHER_FILES;
  }

  /** A symbol of this file that sits inside the windows: the model sees it already. */
  private inWindow(ref: SymbolRef): boolean {
    return ref.file.path === this.req.file && ref.line >= this.window.startLine && ref.line <= this.window.endLine;
  }

  /** Definitions first, then the nearest file (same file, same directory, same module), then the index's usual order. */
  private pick(refs: SymbolRef[]): SymbolRef {
    const sorted = sortRefs(refs);
    let best = sorted[0];
    let bestKey = -1;
    for (const r of sorted) {
      const key = (r.definition ? 4 : 0) + locality(r.file.path, this.req.file);
      if (key > bestKey) {
        best = r;
        bestKey = key;
      }
    }
    return best;
  }

  private score(base: number, line: number, count: number): number {
    const distance = Math.max(0, this.window.cursorLine - line);
    const span = Math.max(1, this.window.cursorLine - this.window.startLine + 1);
    const closeness = 1 - Math.min(1, distance / span);
    return base * (0.5 + 0.5 * closeness) + Math.min(3, count - 1);
  }

  private where(line: number): string {
    const d = this.window.cursorLine - line;
    return d <= 0 ? 'on the cursor line' : `${d} line${d === 1 ? '' : 's'} above the cursor`;
  }
}


function ordinal(n: number): string {
  return n === 1 ? '1st' : n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`;
}

function capLines(text: string, max: number): string {
  const lines = text.split('\n');
  return lines.length <= max ? text : `${lines.slice(0, max).join('\n')}\n/* ... */`;
}

// ---------------------------------------------------------------------------
// Types named in declarations

export interface TypeName {
  tag?: 'struct' | 'union';
  name: string;
}

/** `struct RadeonBase *` -> {struct, RadeonBase}; `const MyCounter_t *` -> {MyCounter_t}. */
export function parseTypeName(typeText: string): TypeName | undefined {
  const tagged = /\b(struct|union)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(typeText);
  if (tagged) return { tag: tagged[1] as 'struct' | 'union', name: tagged[2] };
  const words = (typeText.match(IDENT) ?? []).filter((w) => !TYPE_QUALIFIERS.has(w) && !C_KEYWORDS.has(w));
  const name = words[words.length - 1];
  return name && !BASIC_NAMES.has(name) ? { name } : undefined;
}

/** The type part of a declaration's signature: `struct MinList rb_Rings` -> `struct MinList`. */
export function declaredType(s: SymbolInfo, name: string): string | undefined {
  const sig = s.signature ?? '';
  const re = new RegExp(`\\b${name}\\b`, 'g');
  let last = -1;
  for (const m of sig.matchAll(re)) last = m.index;
  return last > 0 ? sig.slice(0, last).replace(/\b(?:extern|static|register|inline)\s+/g, '').trim() : undefined;
}

// ---------------------------------------------------------------------------
// Snippet text

/** The C prototype with registers as comments, led by the AutoDoc's first lines. */
export function librarySignatureText(s: SymbolInfo): string {
  const lines: string[] = [];
  const summary = autodocSummary(s);
  if (summary.length) lines.push(`/* ${s.name}: ${summary.join('\n   ')} */`);
  lines.push(prototypeLine(s.signature ?? `${s.returnType ?? 'void'} ${s.name}(void)`));
  return lines.join('\n');
}

/** `APTR F(APTR a /* A0 *\/) /* base, LVO *\/` -> `APTR F(APTR a /* A0 *\/); /* base, LVO *\/`. */
function prototypeLine(signature: string): string {
  const m = /^([\s\S]*\))\s*(\/\*[^]*?\*\/)\s*$/.exec(signature);
  return m ? `${m[1]}; ${m[2]}` : `${signature};`;
}

function autodocSummary(s: SymbolInfo): string[] {
  const doc = s.autodoc;
  if (!doc) return [];
  const out: string[] = [];
  const name = firstLine(doc.NAME);
  // In AROS the NAME section usually holds only the #include and the macro.
  if (name && !/^#|AROS_/.test(name)) out.push(name);
  const synopsis = firstLine(doc.SYNOPSIS);
  if (synopsis && !/AROS_/.test(synopsis)) out.push(synopsis);
  const fn = firstSentence(doc.FUNCTION);
  if (fn) out.push(fn);
  const result = firstSentence(doc.RESULT);
  if (result) out.push(`Result: ${result}`);
  return out.map(safeComment);
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n').map((l) => l.trim()).find((l) => l) ?? '';
}

function firstSentence(text: string | undefined): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  const end = flat.search(/[.!?](\s|$)/);
  const sentence = end >= 0 ? flat.slice(0, end + 1) : flat;
  return sentence.length > 160 ? `${sentence.slice(0, 157)}...` : sentence;
}

function safeComment(text: string): string {
  return text.replace(/\*\//g, '* /');
}

/** What a definition or prototype looks like without its body. */
export function declarationText(s: SymbolInfo): string {
  const sig = s.signature ?? s.name;
  if (s.kind === 'macro') return sig.length > MAX_MACRO_CHARS ? `${sig.slice(0, MAX_MACRO_CHARS)} ...` : sig;
  const doc = s.doc && !/\bAI_[A-Z_]+\s*:/.test(s.doc) ? `/* ${safeComment(s.doc.split('\n').slice(0, 3).join('\n   '))} */\n` : '';
  if (s.kind === 'function') return `${doc}${prototypeLine(sig)}`;
  return `${doc}${sig};`;
}

/** A struct, union or enum with its members as declared; nested anonymous members are expanded. */
export function aggregateText(symbols: readonly SymbolInfo[], idx: number): string {
  const s = symbols[idx];
  const budget = { left: MAX_STRUCT_FIELDS, omitted: 0 };
  const body = memberLines(symbols, idx, '    ', budget, 0);
  if (budget.omitted) body.push(`    /* ... ${budget.omitted} more */`);
  return [s.signature ?? `${s.kind} ${s.name}`, '{', ...body, '};'].join('\n');
}

function memberLines(symbols: readonly SymbolInfo[], idx: number, indent: string, budget: { left: number; omitted: number }, depth: number): string[] {
  const out: string[] = [];
  for (const c of childrenOf(symbols, idx)) {
    const m = symbols[c];
    if (budget.left <= 0) {
      budget.omitted++;
      continue;
    }
    budget.left--;
    const sig = m.signature ?? m.name;
    if (m.kind === 'enumerator') {
      out.push(`${indent}${sig},`);
      continue;
    }
    const open = sig.indexOf('{...}');
    const inner = open >= 0 && depth < 2 ? memberLines(symbols, c, `${indent}    `, budget, depth + 1) : [];
    if (inner.length) out.push(`${indent}${sig.slice(0, open)}{`, ...inner, `${indent}}${sig.slice(open + 5)};`);
    else out.push(`${indent}${sig};`);
  }
  return out;
}

/** Members whose parent is `idx`; they follow it inside its range. */
function childrenOf(symbols: readonly SymbolInfo[], idx: number): number[] {
  const end = symbols[idx].range.end.line;
  const out: number[] = [];
  for (let j = idx + 1; j < symbols.length && symbols[j].range.start.line <= end; j++) if (symbols[j].parent === idx) out.push(j);
  return out;
}

// ---------------------------------------------------------------------------
// The enclosing function and its breadcrumb

function enclosingFunction(symbols: readonly SymbolInfo[], line: number): SymbolInfo | undefined {
  let best: SymbolInfo | undefined;
  for (const s of symbols) {
    if (s.kind !== 'function' || !s.definition || s.range.start.line > line || s.range.end.line < line) continue;
    if (!best || s.range.start.line > best.range.start.line) best = s;
  }
  return best;
}

interface FoundBreadcrumb {
  line: number;
  endLine: number;
  text: string;
}

/** The breadcrumb comment whose target is `fn`, parsed from the request's text above the function. */
function enclosingBreadcrumb(text: string, cut: Cut, fn: SymbolInfo, file: StoredFile | undefined, symbols: readonly SymbolInfo[]): FoundBreadcrumb | undefined {
  const fnLine = fn.range.start.line;
  if (fnLine > cut.window.cursorLine) return undefined;
  let from = Math.max(0, fnLine - BREADCRUMB_LOOKBACK);
  // The index knows where a long comment starts.
  for (const b of file?.breadcrumbs ?? []) if (b.target?.name === fn.name && b.line < from && b.line >= fnLine - 10 * BREADCRUMB_LOOKBACK) from = b.line;
  const fromOffset = lineStartBefore(text, cut, from);
  const fnOffset = lineStartBefore(text, cut, fnLine);
  const nl = text.indexOf('\n', fnOffset);
  const slice = text.slice(fromOffset, nl < 0 ? text.length : nl + 1);
  const crumbs = parseBreadcrumbs(slice, targetsBetween(symbols, from, fnLine)).filter((b) => b.target?.name === fn.name);
  const b = crumbs[crumbs.length - 1];
  if (!b) return undefined;
  const lines = slice.split('\n').slice(b.range.start.line, b.range.end.line + 1);
  return { line: from + b.range.start.line, endLine: from + b.range.end.line, text: lines.join('\n').replace(/\r$/gm, '') };
}

/** The file's declarations from `from` to `to` as the indexer gives them to the parser, lines relative to `from`. */
function targetsBetween(symbols: readonly SymbolInfo[], from: number, to: number): BreadcrumbTarget[] {
  return symbols
    .filter((s) => s.kind !== 'field' && s.kind !== 'enumerator' && s.parent === undefined && s.range.start.line >= from && s.range.start.line <= to)
    .map((s) => ({
      name: s.name,
      kind: s.kind,
      startLine: s.range.start.line - from,
      endLine: s.range.end.line - from,
      hasBody: s.kind === 'function' && s.definition,
    }));
}

/** Offset of the start of `line` (at most the cursor line), walking back from the cursor line. */
function lineStartBefore(text: string, cut: Cut, line: number): number {
  let start = cut.cursorLineStart;
  for (let l = cut.window.cursorLine; l > line && start > 0; l--) start = previousLineStart(text, start);
  return start;
}

// ---------------------------------------------------------------------------
// Budget and order

/** Best first; a part that does not fit what is left is dropped, and smaller, lesser parts may still fill the rest. */
function selectParts(candidates: Candidate[], budget: number): { kept: Candidate[]; dropped: Candidate[] } {
  const sorted = [...candidates].sort((a, b) => b.part.score - a.part.score || comparePlace(a, b));
  const kept: Candidate[] = [];
  const dropped: Candidate[] = [];
  let used = 0;
  for (const c of sorted) {
    if (used + c.part.tokens <= budget) {
      kept.push(c);
      used += c.part.tokens;
    } else dropped.push(c);
  }
  return { kept, dropped };
}

/**
 * Stable parts first (library signatures, then other files' definitions, by
 * file and line), volatile ones last: consecutive requests then share the
 * longest possible prompt start, which the model's KV cache reuses.
 */
function orderForCache(kept: Candidate[]): Candidate[] {
  return [...kept].sort((a, b) => a.group - b.group || a.order - b.order || comparePlace(a, b));
}

function comparePlace(a: Candidate, b: Candidate): number {
  const pa = a.part;
  const pb = b.part;
  return cmp(pa.file, pb.file) || pa.line - pb.line || cmp(pa.kind, pb.kind) || cmp(pa.label, pb.label);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One chunk per run of parts from the same file and group, in prompt order. */
function toExtra(ordered: Candidate[]): ExtraContext[] {
  const out: ExtraContext[] = [];
  let lastGroup = -1;
  for (const c of ordered) {
    const prev = out[out.length - 1];
    if (prev && prev.filename === c.part.file && lastGroup === c.group && c.group !== G_RECENT && c.group !== G_BREADCRUMB) prev.text += `\n\n${c.part.text}`;
    else out.push({ filename: c.part.file, text: c.part.text });
    lastGroup = c.group;
  }
  for (const e of out) if (!e.text.endsWith('\n')) e.text += '\n';
  return out;
}

// ---------------------------------------------------------------------------
// Recent edits

/** The last few edited regions of each document, newest first; a few documents at most. */
export class RecentEdits {
  private readonly byFile = new Map<string, Array<RecentEdit & { stamp: number }>>();
  private stamp = 0;

  constructor(
    private readonly perFile = 4,
    private readonly maxFiles = 8,
    /** An edit this many lines from a kept one replaces it: typing in one place is one region. */
    private readonly nearLines = 8,
  ) {}

  record(file: string, text: string, line: number): void {
    const list = (this.byFile.get(file) ?? []).filter((e) => Math.abs(e.line - line) > this.nearLines);
    list.unshift({ file, line, text, stamp: ++this.stamp });
    list.length = Math.min(list.length, this.perFile);
    // Re-inserting keeps the Map in order of last use, so the first key is the stalest file.
    this.byFile.delete(file);
    this.byFile.set(file, list);
    while (this.byFile.size > this.maxFiles) {
      const stalest = this.byFile.keys().next().value;
      if (stalest === undefined) break;
      this.byFile.delete(stalest);
    }
  }

  /** Every kept region, newest first, without those of `excludeFile` (the file being completed). */
  list(excludeFile?: string): RecentEdit[] {
    const all: Array<RecentEdit & { stamp: number }> = [];
    for (const [file, edits] of this.byFile) if (file !== excludeFile) all.push(...edits);
    all.sort((a, b) => b.stamp - a.stamp);
    return all.map(({ file, line, text }) => ({ file, line, text }));
  }

  forget(file: string): void {
    this.byFile.delete(file);
  }
}

// ---------------------------------------------------------------------------
// Explanation

/** Every part with its tokens and reason, then the prompt as sent: extra chunks, prefix, cursor, suffix. Lines are 1-based. */
export function renderPrompt(ctx: CompletionContext): string {
  const w = ctx.window;
  const out: string[] = [];
  const total = ctx.parts.length + ctx.dropped.length;
  out.push(
    `completion context: ${ctx.parts.length} of ${total} parts, ${ctx.tokensUsed} of ${ctx.budgetTokens} tokens, ${ctx.elapsedMs.toFixed(1)} ms${ctx.timedOut ? ', timed out (snippets cut short)' : ''}`,
  );
  out.push(
    `cursor: line ${w.cursorLine + 1}, column ${w.cursorCharacter + 1}; prefix: lines ${w.startLine + 1}-${w.cursorLine + 1} (${ctx.prefix.length} chars, ~${estimateTokens(ctx.prefix)} tokens); suffix: lines ${w.cursorLine + 1}-${w.endLine + 1} (${ctx.suffix.length} chars, ~${estimateTokens(ctx.suffix)} tokens)`,
  );
  out.push('', 'parts, in prompt order (stable first):');
  if (!ctx.parts.length) out.push('  (none)');
  ctx.parts.forEach((p, i) => out.push(describePart(`${i + 1}.`, p)));
  if (ctx.dropped.length) {
    out.push('', 'dropped (over budget), best first:');
    for (const p of ctx.dropped) out.push(describePart('-', p));
  }
  ctx.extra.forEach((e, i) => out.push('', `=== extra ${i + 1}/${ctx.extra.length}: ${e.filename} (~${estimateTokens(e.text)} tokens) ===`, e.text.replace(/\n$/, '')));
  out.push(
    '',
    `=== window: prefix from line ${w.startLine + 1} column 1, <|cursor|> at line ${w.cursorLine + 1} column ${w.cursorCharacter + 1}, suffix to the end of line ${w.endLine + 1} ===`,
  );
  out.push(`${ctx.prefix}<|cursor|>${ctx.suffix}`.replace(/\n$/, ''));
  out.push('=== end of window ===');
  return `${out.join('\n')}\n`;
}

function describePart(bullet: string, p: ContextPart): string {
  return `  ${bullet} [${p.kind}] ${p.label}  ${p.file}:${p.line + 1}  ${p.tokens} tokens, score ${p.score}: ${p.why}`;
}
