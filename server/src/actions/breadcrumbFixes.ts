// Model-free breadcrumb edits: a quick fix for every validation finding, and a
// fresh breadcrumb above a function. They work on the text alone (plus facts the
// caller may know, such as the workspace's phases), so the LSP adapter, the CLI
// and tests share them. Positions are 0-based lines and UTF-16 columns.

import { editDistance, nearest } from '../breadcrumbs/distance';
import { parseBreadcrumbs } from '../breadcrumbs/parse';
import {
  COMPLEXITY_VALUES,
  FINDING_CODES,
  KNOWN_TAGS,
  STATUS_VALUES,
  isKnownTag,
  type Breadcrumb,
  type BreadcrumbEntry,
  type BreadcrumbTarget,
  type FindingCode,
} from '../breadcrumbs/types';
import { isIsoDateTime } from '../breadcrumbs/validate';
import { lastEntry, phaseKey, phaseOf } from '../breadcrumbs/values';
import { isAutoDocBanner } from '../index/autodoc';
import { lexC, lineStarts, offsetToPosition, type LexResult } from '../index/lexer';
import type { Position, Range } from '../index/types';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface QuickFix {
  title: string;
  /** Against the text the fix was computed from; never overlapping. */
  edits: TextEdit[];
  preferred?: boolean;
}

/** A validator Finding, or a diagnostic a client sent back (so every field is re-checked). */
export interface FindingLike {
  code: string;
  range: Range;
  message: string;
  data?: { tag?: string; value?: string; suggestion?: string };
}

export interface FixOptions {
  /** Workspace-relative path of the file: a missing AI_PHASE is named after its module. */
  file?: string;
  /** Phases declared in the workspace: replacements for an unknown dependency. */
  knownPhases?: readonly string[];
  /** The file's definitions: a breadcrumb stranded in a body moves above its function. */
  definitions?: readonly BreadcrumbTarget[];
  /** The clock, for "set to the current time" (tests pass a fixed one). */
  now?: Date;
}

/** Where the model will draft the plan later; until then the user sees what to write. */
export const STRATEGY_PLACEHOLDER = 'TODO: describe the approach';
export const FIX_REASON_PLACEHOLDER = 'TODO: explain the root cause and the fix';

/** Fixes for one finding, best first; empty when none is safe or the text no longer matches. */
export function quickFixes(text: string, finding: FindingLike, options: FixOptions = {}): QuickFix[] {
  if (!(FINDING_CODES as readonly string[]).includes(finding.code)) return [];
  return HANDLERS[finding.code as FindingCode](sourceOf(text), finding, options);
}

/**
 * A valid breadcrumb for the function defined at `line`, in the file's own comment
 * style; undefined when one is already there. AROS library functions get it above
 * their AutoDoc, which must stay glued to the `AROS_LHn` head.
 */
export function insertBreadcrumb(text: string, line: number, file: string): { title: string; edits: TextEdit[] } | undefined {
  const src = sourceOf(text);
  if (!Number.isInteger(line) || line < 0 || line >= src.lineCount) return undefined;
  const at = insertionLine(src, line);
  if (breadcrumbAbove(src, at) !== undefined) return undefined;
  const indent = indentOf(src.lineText(line));
  const tags: Array<[string, string]> = [
    ['AI_PHASE', modulePhase(file)],
    ['AI_STATUS', inferStatus(src, line)],
    ['AI_STRATEGY', STRATEGY_PLACEHOLDER],
  ];
  const eol = src.eol;
  const newText =
    dominantStyle(src) === 'line'
      ? tags.map(([t, v]) => `${indent}// ${t}: ${v}${eol}`).join('')
      : `${indent}/*${eol}${tags.map(([t, v]) => `${indent} * ${t}: ${v}${eol}`).join('')}${indent} */${eol}`;
  return { title: 'Add an AI breadcrumb', edits: [{ range: point(at, 0), newText }] };
}

/** An UPPER_SNAKE phase id from the module directory: `workbench/hidds/radeonsi/x.c` → `RADEONSI`. */
export function modulePhase(file: string): string {
  const parts = file.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  const dirs = parts.slice(0, -1);
  for (let i = dirs.length - 1; i >= 0; i--) {
    if (GENERIC_DIRS.has(dirs[i].toLowerCase())) continue;
    const id = upperSnake(dirs[i]);
    if (id !== '') return id;
  }
  return upperSnake((parts[parts.length - 1] ?? '').replace(/\.[^.]*$/, '')) || 'UNASSIGNED';
}

// Directory names that say nothing about the module they sit in.
const GENERIC_DIRS = new Set(['src', 'source', 'sources', 'include', 'common', 'generic']);

function upperSnake(name: string): string {
  const id = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  return /^\d/.test(id) ? `M_${id}` : id;
}

/**
 * JSON that only lacks closing brackets (or has a trailing comma) made valid:
 * `{ "a": [1, 2 }` → `{ "a": [1, 2] }`. Undefined when more than that is wrong.
 */
export function closeJson(s: string): string | undefined {
  let out = '';
  const open: string[] = [];
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inString) {
      out += ch;
      if (ch === '\\' && i + 1 < s.length) out += s[++i];
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '{' || ch === '[') {
      open.push(ch === '{' ? '}' : ']');
      out += ch;
    } else if (ch === '}' || ch === ']') {
      // Close what the writer forgot before this closer.
      while (open.length > 0 && open[open.length - 1] !== ch) out = closeOne(out, open.pop()!);
      if (open.pop() === undefined) return undefined;
      out = dropTrailingComma(out) + ch;
    } else {
      out += ch;
    }
  }
  if (inString) return undefined;
  while (open.length > 0) out = closeOne(out, open.pop()!);
  try {
    JSON.parse(out);
    return out;
  } catch {
    return undefined;
  }
}

function closeOne(out: string, closer: string): string {
  const t = dropTrailingComma(out);
  const body = t.trimEnd();
  return body + closer + t.slice(body.length);
}

function dropTrailingComma(out: string): string {
  const body = out.trimEnd();
  return body.endsWith(',') ? body.slice(0, -1) + out.slice(body.length) : out;
}

// ---------------------------------------------------------------------------
// The text, with what the fixes ask of it computed once.

class SourceText {
  readonly starts: number[];
  readonly eol: string;
  private crumbs?: Breadcrumb[];
  private lexed?: LexResult;

  constructor(readonly text: string) {
    this.starts = lineStarts(text);
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** A line without its line break. */
  lineText(line: number): string {
    if (line < 0 || line >= this.starts.length) return '';
    const end = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    const s = this.text.slice(this.starts[line], end);
    return s.endsWith('\r') ? s.slice(0, -1) : s;
  }

  offset(p: Position): number {
    if (p.line >= this.starts.length) return this.text.length;
    return Math.min(this.starts[Math.max(0, p.line)] + Math.max(0, p.character), this.text.length);
  }

  slice(r: Range): string {
    return this.text.slice(this.offset(r.start), this.offset(r.end));
  }

  get breadcrumbs(): Breadcrumb[] {
    return (this.crumbs ??= parseBreadcrumbs(this.text, undefined, { lex: this.lex, starts: this.starts }));
  }

  get lex(): LexResult {
    return (this.lexed ??= lexC(this.text));
  }

  /** Only blanks (after masking comments and literals) between two offsets. */
  blankCode(from: number, to: number): boolean {
    return /^\s*$/.test(this.lex.code.slice(from, to));
  }
}

// A code-action request asks for every diagnostic of one text: parse it once.
let lastSource: SourceText | undefined;
function sourceOf(text: string): SourceText {
  if (lastSource?.text !== text) lastSource = new SourceText(text);
  return lastSource;
}

// ---------------------------------------------------------------------------
// One handler per finding code; the Record makes a new code a compile error here.

type Handler = (src: SourceText, f: FindingLike, o: FixOptions) => QuickFix[];

const HANDLERS: Record<FindingCode, Handler> = {
  'missing-tag': missingTag,
  'invalid-json': invalidJson,
  'invalid-value': invalidValue,
  'invalid-format': invalidFormat,
  'missing-fix-reason': missingFixReason,
  'unknown-tag': unknownTag,
  'no-target': noTarget,
  'unknown-phase': unknownPhase,
  'dependency-cycle': dependencyCycle,
};

function missingTag(src: SourceText, f: FindingLike, o: FixOptions): QuickFix[] {
  const tag = f.data?.tag ?? /\b(AI_PHASE|AI_STATUS)\b/.exec(f.message)?.[1];
  const b = crumbAt(src, f.range.start);
  if ((tag !== 'AI_PHASE' && tag !== 'AI_STATUS') || b === undefined) return [];
  const fixes: QuickFix[] = [];
  // `AI_STAUS: PARTIAL` already says the status: renaming keeps the writer's value.
  for (const e of b.entries) {
    const r = tagRange(e);
    if (isKnownTag(e.tag) || r === undefined || editDistance(e.tag, tag) > TYPO_DISTANCE) continue;
    const valid = tag !== 'AI_STATUS' || STATUS_VALUES.includes(e.value);
    fixes.push({ title: `Rename ${e.tag} to ${tag}`, edits: [{ range: r, newText: tag }], preferred: valid && fixes.length === 0 });
  }
  const renamed = fixes.some((x) => x.preferred === true);
  const existing = lastEntry(b, tag);
  const values = tag === 'AI_PHASE' ? phaseCandidates(src, b, o.file) : ['NOT_STARTED'];
  for (const value of values) {
    const edit =
      existing !== undefined && existing.value === ''
        ? setValue(src, existing, value)
        : tag === 'AI_PHASE'
          ? insertTagLine(src, b, `AI_PHASE: ${value}`, { before: b.entries[0] })
          : insertTagLine(src, b, `AI_STATUS: ${value}`, { after: lastEntry(b, 'AI_PHASE') ?? b.entries[b.entries.length - 1] });
    if (edit === undefined) continue;
    const title = existing !== undefined ? `Set ${tag} to ${value}` : `Add ${tag}: ${value}`;
    fixes.push({ title, edits: [edit], preferred: !renamed && value === values[0] });
  }
  return fixes.map(tidy);
}

/** Within this many edits a misspelt tag is taken as meant (the parser's own rule). */
const TYPO_DISTANCE = 2;

/** The module's phase, then the phase of the nearest breadcrumb of the file (likely the same work). */
function phaseCandidates(src: SourceText, b: Breadcrumb, file: string | undefined): string[] {
  const out: string[] = [];
  if (file !== undefined) out.push(modulePhase(file));
  let best: { phase: string; distance: number } | undefined;
  for (const other of src.breadcrumbs) {
    const phase = phaseOf(other);
    const distance = Math.abs(other.line - b.line);
    if (other.line === b.line || phase === undefined || (best !== undefined && best.distance <= distance)) continue;
    best = { phase, distance };
  }
  if (best !== undefined && !out.includes(best.phase)) out.push(best.phase);
  return out.length > 0 ? out : ['UNASSIGNED'];
}

function invalidValue(src: SourceText, f: FindingLike): QuickFix[] {
  const tag = f.data?.tag;
  const allowed = tag === 'AI_STATUS' ? STATUS_VALUES : tag === 'AI_COMPLEXITY' ? COMPLEXITY_VALUES : undefined;
  const current = src.slice(f.range);
  if (allowed === undefined || !singleLine(f.range) || (f.data?.value !== undefined && current !== f.data.value)) return [];
  const suggestion = f.data?.suggestion !== undefined && allowed.includes(f.data.suggestion) ? f.data.suggestion : undefined;
  const others = [...allowed].sort((a, b) => editDistance(current, a) - editDistance(current, b));
  const values = [...new Set([...(suggestion !== undefined ? [suggestion] : []), ...others])].filter((v) => v !== current);
  return values.map((v) => tidy({ title: `Change ${tag} to ${v}`, edits: [{ range: f.range, newText: v }], preferred: v === suggestion }));
}

function unknownTag(src: SourceText, f: FindingLike): QuickFix[] {
  const tag = f.data?.tag ?? src.slice(f.range).toUpperCase();
  if (!singleLine(f.range) || src.slice(f.range).toUpperCase() !== tag) return [];
  const suggestion = f.data?.suggestion !== undefined && isKnownTag(f.data.suggestion) ? f.data.suggestion : nearest(tag, KNOWN_TAGS);
  if (suggestion === undefined) return [];
  const close = editDistance(tag, suggestion) <= TYPO_DISTANCE;
  return [tidy({ title: `Rename ${tag} to ${suggestion}`, edits: [{ range: f.range, newText: suggestion }], preferred: close })];
}

function invalidFormat(src: SourceText, f: FindingLike, o: FixOptions): QuickFix[] {
  const tag = f.data?.tag ?? '';
  const current = src.slice(f.range);
  if (!singleLine(f.range) || (f.data?.value !== undefined && current !== f.data.value)) return [];
  const fixes: QuickFix[] = [];
  const offer = (value: string | undefined, preferred: boolean, title = `Change ${tag} to ${value ?? ''}`): void => {
    if (value === undefined || value === current || fixes.some((x) => x.edits[0].newText === value)) return;
    fixes.push(tidy({ title, edits: [{ range: f.range, newText: value }], preferred }));
  };
  switch (tag) {
    case 'AI_PRIORITY':
      offer(clampedInteger(current, 1, 10), true);
      break;
    case 'AI_VERSION':
      offer(clampedVersion(current), true);
      break;
    case 'AI_RETRY_COUNT':
    case 'AI_MAX_RETRIES':
      offer(clampedInteger(current, 0, Infinity), true);
      break;
    case 'AI_TIMESTAMP':
    case 'AI_CLAIMED_AT': {
      offer(isoDate(current), true);
      const now = isoTime(o.now ?? new Date());
      offer(now, false, `Set ${tag} to the current time (${now})`);
      break;
    }
    case 'AI_ESTIMATED_TIME':
      offer(duration(current), true);
      break;
    case 'AI_TRAIN_HASH':
      offer(hexHash(current), true);
      break;
  }
  return fixes;
}

function missingFixReason(src: SourceText, f: FindingLike): QuickFix[] {
  const b = crumbAt(src, f.range.start);
  const err = b?.entries.find((e) => (e.tag === 'COMPILER_ERR' || e.tag === 'RUNTIME_ERR') && e.range !== undefined && contains(e.range, f.range.start));
  if (b === undefined || err === undefined) return [];
  const fixes: QuickFix[] = [];
  // An empty FIX_REASON counts as missing: fill it rather than add a second one.
  const empty = b.entries.find((e) => e.tag === 'FIX_REASON' && e.value === '');
  const reason = empty !== undefined ? setValue(src, empty, FIX_REASON_PLACEHOLDER) : insertTagLine(src, b, `FIX_REASON: ${FIX_REASON_PLACEHOLDER}`, { after: err });
  if (reason !== undefined) fixes.push({ title: `Add FIX_REASON for ${err.tag}`, edits: [reason], preferred: true });
  // Or admit the code does not work yet.
  const status = lastEntry(b, 'AI_STATUS');
  const partial = status !== undefined ? setValue(src, status, 'PARTIAL') : undefined;
  if (partial !== undefined) fixes.push({ title: 'Set AI_STATUS to PARTIAL', edits: [partial] });
  return fixes;
}

function invalidJson(src: SourceText, f: FindingLike): QuickFix[] {
  const b = crumbAt(src, f.range.start);
  const e = b?.entries.find((x) => x.tag === 'AI_CONTEXT' && x.range !== undefined && contains(x.range, f.range.start));
  if (e === undefined || e.valueRange === undefined || !singleLine(e.valueRange) || src.slice(e.valueRange) !== e.value) return [];
  const repaired = e.value === '' ? '{}' : closeJson(e.value);
  if (repaired === undefined || repaired === e.value) return [];
  const edit = setValue(src, e, repaired);
  return edit === undefined ? [] : [{ title: `Repair AI_CONTEXT JSON: ${short(repaired)}`, edits: [edit], preferred: true }];
}

function unknownPhase(src: SourceText, f: FindingLike, o: FixOptions): QuickFix[] {
  const tag = f.data?.tag;
  const phase = f.data?.value !== undefined ? phaseKey(f.data.value) : undefined;
  const b = crumbAt(src, f.range.start);
  const e = b !== undefined && tag !== undefined ? lastEntry(b, tag) : undefined;
  const list = e !== undefined ? listOf(src, e) : undefined;
  if (b === undefined || e === undefined || list === undefined || phase === undefined) return [];
  const at = list.parts.findIndex((p) => phaseKey(p) === phase);
  if (at < 0) return [];
  const listed = new Set(list.parts.map(phaseKey));
  // The validator's typo bound, so a replacement is a plausible misspelling and not any phase.
  const bound = Math.max(2, Math.floor(phase.length / 4));
  const candidates = [
    ...(f.data?.suggestion !== undefined ? [phaseKey(f.data.suggestion)] : []),
    ...[...new Set(o.knownPhases ?? [])]
      .map(phaseKey)
      .filter((p) => editDistance(p, phase) <= bound)
      .sort((a, b) => editDistance(a, phase) - editDistance(b, phase) || a.localeCompare(b))
      .slice(0, 3),
  ].filter((p, i, all) => all.indexOf(p) === i && p !== phase && !listed.has(p));
  const fixes: QuickFix[] = candidates.map((p, i) => ({
    title: `Replace ${phase} with ${p}`,
    edits: [listEdit(src, b, e, list.parts.map((x, k) => (k === at ? p : x)), list.sep)],
    preferred: i === 0,
  }));
  fixes.push({ title: `Remove ${phase} from ${tag}`, edits: [listEdit(src, b, e, list.parts.filter((_, k) => k !== at), list.sep)] });
  return fixes.map(tidy);
}

function dependencyCycle(src: SourceText, f: FindingLike): QuickFix[] {
  const tag = f.data?.tag;
  const b = crumbAt(src, f.range.start);
  const e = b !== undefined && tag !== undefined ? lastEntry(b, tag) : undefined;
  const list = e !== undefined ? listOf(src, e) : undefined;
  if (b === undefined || e === undefined || list === undefined) return [];
  const members = new Set((f.data?.value ?? '').split('→').map(phaseKey));
  // Breaking an edge is a design decision, so none is preferred.
  return list.parts
    .filter((p) => members.has(phaseKey(p)) && phaseKey(p) !== phaseOf(b))
    .map((p) => ({
      title: `Remove ${phaseKey(p)} from ${tag} (breaks the cycle)`,
      edits: [listEdit(src, b, e, list.parts.filter((x) => x !== p), list.sep)],
    }));
}

function noTarget(src: SourceText, f: FindingLike, o: FixOptions): QuickFix[] {
  const b = crumbAt(src, f.range.start);
  if (b === undefined || o.definitions === undefined) return [];
  const S = b.range.start.line;
  const E = b.range.end.line;
  let fn: BreadcrumbTarget | undefined;
  for (const d of o.definitions) {
    if (d.hasBody && d.startLine < S && d.endLine >= E && (fn === undefined || d.startLine > fn.startLine)) fn = d;
  }
  // Only whole comment lines move, and never onto a function that has its own breadcrumb.
  const wholeLines = /^\s*$/.test(src.lineText(S).slice(0, b.range.start.character)) && /^\s*$/.test(src.lineText(E).slice(b.range.end.character));
  if (fn === undefined || !wholeLines || breadcrumbAbove(src, fn.startLine) !== undefined) return [];
  const lines = Array.from({ length: E - S + 1 }, (_, k) => src.lineText(S + k));
  const common = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => indentOf(l).length));
  const indent = indentOf(src.lineText(fn.startLine));
  const moved = lines.map((l) => (l.trim() === '' ? '' : indent + l.slice(common)) + src.eol).join('');
  const cut = E + 1 < src.lineCount ? { start: { line: S, character: 0 }, end: { line: E + 1, character: 0 } } : lineRemoval(src, S, E);
  return [
    {
      title: `Move the breadcrumb above ${fn.name}`,
      edits: [
        { range: point(fn.startLine, 0), newText: moved },
        { range: cut, newText: '' },
      ],
      preferred: true,
    },
  ];
}

// ---------------------------------------------------------------------------
// Value repairs for invalid-format; each returns a value of the tag's form or undefined.

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function numberIn(v: string): number | undefined {
  const t = v.trim().toLowerCase();
  if (/^[+-]?\d+(\.\d+)?$/.test(t)) return Number(t);
  const w = NUMBER_WORDS.indexOf(t);
  return w >= 0 ? w : undefined;
}

function clampedInteger(v: string, min: number, max: number): string | undefined {
  const n = numberIn(v);
  return n === undefined ? undefined : String(Math.min(max, Math.max(min, Math.round(n))));
}

function clampedVersion(v: string): string | undefined {
  const n = numberIn(v.trim().replace(/^v/i, ''));
  if (n === undefined) return undefined;
  const c = Math.min(1, Math.max(0.1, n));
  return c === 1 ? '1.0' : String(Math.round(c * 100) / 100);
}

function isoTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A date the runtime can read, written as ISO 8601 (date only when no time was given). */
function isoDate(v: string): string | undefined {
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  const d = new Date(t);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const out = /\d:\d/.test(v) ? isoTime(d) : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return isIsoDateTime(out) ? out : undefined;
}

/** `2 hours`, `90 min`, `1.5 h` → `2h`, `1h30m`, `1h30m`; a bare number is taken as hours. */
function duration(v: string): string | undefined {
  const t = v.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return `${t}h`;
  let minutes = 0;
  let found = false;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|minutes?|mins?|m)(?![a-z])/g)) {
    found = true;
    minutes += Number(m[1]) * (m[2].startsWith('h') ? 60 : 1);
  }
  if (!found || minutes <= 0) return undefined;
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes - h * 60);
  if (h === 0) return `${m}m`;
  return m === 0 ? `${h}h` : `${h}h${m}m`;
}

function hexHash(v: string): string | undefined {
  const t = v.trim().replace(/^sha-?256\s*[:=]\s*/i, '').replace(/\s+/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(t) ? t : undefined;
}

// ---------------------------------------------------------------------------
// insertBreadcrumb's parts.

/** Above an AutoDoc banner comment that leads into the definition (AROS: banner, NAME, then `AROS_LHn`). */
function insertionLine(src: SourceText, line: number): number {
  let l = line - 1;
  while (l >= 0 && (src.lineText(l).trim() === '' || /^\s*#\s*include\b/.test(src.lineText(l)))) l--;
  if (l < 0) return line;
  const c = src.lex.comments.find((x) => x.block && offsetToPosition(src.starts, x.end).line === l);
  if (c === undefined || !isAutoDocBanner(src.text.slice(c.start, c.end))) return line;
  return offsetToPosition(src.starts, c.start).line;
}

/** A breadcrumb whose target would be the definition starting at `line`. */
function breadcrumbAbove(src: SourceText, line: number): Breadcrumb | undefined {
  const lineStart = src.offset({ line, character: 0 });
  for (const b of src.breadcrumbs) {
    if (b.range.end.line >= line) continue;
    if (src.blankCode(src.offset(b.range.end), lineStart)) return b;
  }
  return undefined;
}

/**
 * NOT_STARTED for a stub (no body, nothing but `return 0;`/`return NULL;`, AROS
 * entry/exit macros and comments), PARTIAL when a comment in the body says
 * TODO/FIXME/XXX, IMPLEMENTED otherwise.
 */
function inferStatus(src: SourceText, line: number): string {
  const body = bodyOf(src, line);
  if (body === undefined) return 'NOT_STARTED';
  const code = src.lex.code
    .slice(body.open + 1, body.close)
    .replace(/\bAROS_(?:LIBFUNC|USERFUNC)_(?:INIT|EXIT)\b/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (code.every((s) => STUB_STATEMENT.test(s))) return 'NOT_STARTED';
  // Only comments admit unfinished work; "TODO" in a string is data.
  const admits = src.lex.comments.some((c) => c.start > body.open && c.start < body.close && /\b(?:TODO|FIXME|XXX)\b/.test(src.text.slice(c.start, c.end)));
  return admits ? 'PARTIAL' : 'IMPLEMENTED';
}

const STUB_STATEMENT = /^(?:return(?:\s*\(?\s*(?:0|0L|0UL|NULL|FALSE)\s*\)?)?|\(void\)\s*\(?\s*\w+\s*\)?)$/;

/** Offsets of the body's braces, read from the masked code; undefined for a prototype. */
function bodyOf(src: SourceText, line: number): { open: number; close: number } | undefined {
  const code = src.lex.code;
  let parens = 0;
  let i = src.offset({ line, character: 0 });
  for (; i < code.length; i++) {
    const ch = code[i];
    if (ch === '(') parens++;
    else if (ch === ')') parens--;
    else if (ch === ';' && parens <= 0) return undefined;
    else if (ch === '{' && parens <= 0) break;
  }
  if (i >= code.length) return undefined;
  let depth = 0;
  for (let j = i; j < code.length; j++) {
    if (code[j] === '{') depth++;
    else if (code[j] === '}' && --depth === 0) return { open: i, close: j };
  }
  return { open: i, close: code.length };
}

/** The file's breadcrumbs decide; without any, its comments do; a tie goes to `//`. */
function dominantStyle(src: SourceText): 'line' | 'block' {
  let line = 0;
  let block = 0;
  if (src.breadcrumbs.length > 0) {
    for (const b of src.breadcrumbs) if (b.form === 'line') line++;
    block = src.breadcrumbs.length - line;
  } else {
    for (const c of src.lex.comments) if (c.block) block++;
    line = src.lex.comments.length - block;
  }
  return block > line ? 'block' : 'line';
}

// ---------------------------------------------------------------------------
// Editing a breadcrumb in its own style.

function crumbAt(src: SourceText, p: Position): Breadcrumb | undefined {
  return src.breadcrumbs.find((b) => contains(b.range, p));
}

function contains(r: Range, p: Position): boolean {
  const afterStart = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const beforeEnd = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return afterStart && beforeEnd;
}

function singleLine(r: Range): boolean {
  return r.start.line === r.end.line;
}

function point(line: number, character: number): Range {
  return { start: { line, character }, end: { line, character } };
}

function indentOf(s: string): string {
  return /^[ \t]*/.exec(s)![0];
}

function tagRange(e: BreadcrumbEntry): Range | undefined {
  if (e.range === undefined) return undefined;
  const s = e.range.start;
  return { start: s, end: { line: s.line, character: s.character + e.tag.length } };
}

function firstLine(e: BreadcrumbEntry): number {
  return e.range?.start.line ?? e.line;
}

function lastLine(e: BreadcrumbEntry): number {
  return e.range?.end.line ?? e.line;
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** `preferred: false` says nothing a missing field does not; keep results minimal. */
function tidy(fix: QuickFix): QuickFix {
  return fix.preferred === true ? fix : { title: fix.title, edits: fix.edits };
}

/** Sets an entry's (single-line) value; an empty value gets the space after the colon. */
function setValue(src: SourceText, e: BreadcrumbEntry, value: string): TextEdit | undefined {
  const r = e.valueRange;
  if (r === undefined || !singleLine(r)) return undefined;
  if (e.value !== '') return src.slice(r) === e.value ? { range: r, newText: value } : undefined;
  const line = src.lineText(r.start.line);
  const before = line[r.start.character - 1];
  const after = line[r.start.character];
  const lead = before === ':' ? ' ' : '';
  const trail = after !== undefined && !/\s/.test(after) ? ' ' : '';
  return { range: point(r.start.line, r.start.character), newText: `${lead}${value}${trail}` };
}

type Place = { before: BreadcrumbEntry } | { after: BreadcrumbEntry };

/** A new `TAG: value` line inside the breadcrumb, led like its other tag lines. */
function insertTagLine(src: SourceText, b: Breadcrumb, tagLine: string, place: Place): TextEdit | undefined {
  const S = b.range.start.line;
  const E = b.range.end.line;
  const before = 'before' in place;
  const anchor = before ? place.before : place.after;
  if (b.form === 'block' && S === E) return rewriteOneLiner(src, b, tagLine, before);
  let L = before ? firstLine(anchor) : lastLine(anchor) + 1;
  if (b.form === 'line') {
    L = Math.min(Math.max(L, S), E + 1);
  } else {
    // Between the opener's line and the closer's line, never inside a spread AI_CONTEXT.
    L = Math.min(Math.max(L, S + 1), E);
    const split = b.entries.find((e) => firstLine(e) < L && L <= lastLine(e));
    if (split !== undefined) L = lastLine(split) + 1;
    if (L > E) return undefined;
  }
  const prefix = b.form === 'line' ? linePrefix(src, b, anchor) : blockPrefix(src, b, anchor);
  return insertLineAt(src, L, prefix + tagLine);
}

function insertLineAt(src: SourceText, line: number, content: string): TextEdit {
  if (line < src.lineCount) return { range: point(line, 0), newText: content + src.eol };
  const end = offsetToPosition(src.starts, src.text.length);
  return { range: point(end.line, end.character), newText: src.eol + content };
}

function linePrefix(src: SourceText, b: Breadcrumb, anchor: BreadcrumbEntry): string {
  for (const e of [anchor, ...b.entries]) {
    if (e.range === undefined) continue;
    const p = src.lineText(e.range.start.line).slice(0, e.range.start.character);
    if (/^[ \t]*\/\/[/!]*[ \t]*$/.test(p)) return p;
  }
  return `${indentOf(src.lineText(b.range.start.line))}// `;
}

function blockPrefix(src: SourceText, b: Breadcrumb, anchor: BreadcrumbEntry): string {
  const S = b.range.start.line;
  for (const e of [anchor, ...b.entries]) {
    if (e.range === undefined || e.range.start.line <= S) continue;
    const p = src.lineText(e.range.start.line).slice(0, e.range.start.character);
    if (/^[ \t]*\**[ \t]*$/.test(p)) return p;
  }
  for (let l = S + 1; l <= b.range.end.line; l++) {
    const m = /^([ \t]*)\*/.exec(src.lineText(l));
    if (m !== null) return `${m[1]}* `;
  }
  return `${indentOf(src.lineText(S))} * `;
}

/** `/* AI_STATUS: FIXED *\/` cannot take a second tag line: it becomes a block of lines. */
function rewriteOneLiner(src: SourceText, b: Breadcrumb, tagLine: string, first: boolean): TextEdit | undefined {
  const m = /^\/\*([*!]*)([\s\S]*?)\*\/$/.exec(src.slice(b.range));
  if (m === null) return undefined;
  const indent = indentOf(src.lineText(b.range.start.line));
  const inner = m[2].trim();
  const lines = (first ? [tagLine, inner] : [inner, tagLine]).filter((l) => l !== '');
  const eol = src.eol;
  return { range: b.range, newText: `/*${m[1]}${lines.map((l) => `${eol}${indent} * ${l}`).join('')}${eol}${indent} */` };
}

/** The comma list of an AI_DEPENDENCIES / AI_BLOCKS entry, when it is one line as parsed. */
function listOf(src: SourceText, e: BreadcrumbEntry): { parts: string[]; sep: string } | undefined {
  if (e.valueRange === undefined || !singleLine(e.valueRange) || src.slice(e.valueRange) !== e.value) return undefined;
  const parts = e.value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return { parts, sep: e.value.includes(',') && !/,\s/.test(e.value) ? ',' : ', ' };
}

/** Rewrites the list; an emptied list takes its line with it when the line holds nothing else. */
function listEdit(src: SourceText, b: Breadcrumb, e: BreadcrumbEntry, parts: string[], sep: string): TextEdit {
  const r = e.valueRange!;
  if (parts.length > 0) return { range: r, newText: parts.join(sep) };
  return removeEntryLine(src, b, e) ?? { range: r, newText: '' };
}

function removeEntryLine(src: SourceText, b: Breadcrumb, e: BreadcrumbEntry): TextEdit | undefined {
  if (e.range === undefined || !singleLine(e.range)) return undefined;
  const line = e.range.start.line;
  const text = src.lineText(line);
  const lead = text.slice(0, e.range.start.character);
  if (text.slice(e.range.end.character).trim() !== '') return undefined;
  const ok =
    b.form === 'line'
      ? /^[ \t]*\/\/[/!]*[ \t]*$/.test(lead)
      : line > b.range.start.line && line < b.range.end.line && /^[ \t]*\**[ \t]*$/.test(lead);
  if (!ok) return undefined;
  return { range: line + 1 < src.lineCount ? { start: { line, character: 0 }, end: { line: line + 1, character: 0 } } : lineRemoval(src, line, line), newText: '' };
}

/** Lines first..last when the last one is the text's last line: the break before them goes too. */
function lineRemoval(src: SourceText, first: number, last: number): Range {
  const end = offsetToPosition(src.starts, src.text.length);
  if (first === 0) return { start: { line: 0, character: 0 }, end };
  return { start: { line: first - 1, character: src.lineText(first - 1).length }, end: { line: last, character: end.character } };
}
