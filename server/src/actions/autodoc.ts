// The "Write AutoDoc" action without LSP: the AutoDoc comment laid out from a
// function's signature (deterministic), the prompt and JSON schema that ask the
// instruction model for the prose, the prose merged into the layout, and where
// the result goes in the file. Positions are 0-based lines.
//
// Library functions (AROS_LHn) get the AROS shape, where the AutoDoc wraps the
// macro head (`NAME */ #include <proto/x.h> AROS_LHn(...` / `SYNOPSIS */` /
// `LOCATION */`), so the edit replaces the head too. Plain functions get the
// same sections in one comment, with the C prototype under SYNOPSIS.

import { isAutoDocBanner } from '../index/autodoc';
import { cSignature } from '../index/hoverText';
import { lexC, lineStarts, offsetToPosition, type CommentSpan, type LexResult } from '../index/lexer';
import type { ParamInfo, SymbolInfo } from '../index/types';
import type { ChatMessage } from '../models/types';
import { closeJson } from './breadcrumbFixes';

/** What the model has to replace; the user sees it where the model gave nothing. */
export const AUTODOC_PLACEHOLDER = '<write>';

const WIDTH = 76;
const BODY = '        ';
const OPEN_BANNER = `/${'*'.repeat(77)}`;
const CLOSE_BANNER = `${'*'.repeat(78)}/`;

/** The prose the model writes, after validation. */
export interface AutodocProse {
  function: string;
  inputs: Record<string, string>;
  result: string;
  notes: string;
  see_also: string[];
}

// ---------------------------------------------------------------------------
// Layout

/** The AutoDoc for `symbol` (defined in workspace-relative `file`), prose sections holding `<write>`. */
export function autodocLayout(symbol: SymbolInfo, file: string): string {
  const params = symbol.params ?? [];
  const library = isLibrary(symbol);
  const lines: string[] = [OPEN_BANNER, ''];
  if (library) lines.push(...libraryHead(symbol, file));
  else lines.push('    NAME', BODY + symbol.name, '', '    SYNOPSIS', ...prototypeLines(symbol), '');
  // In the library shape FUNCTION opens the comment the head closed.
  lines.push(library ? '/*  FUNCTION' : '    FUNCTION', BODY + AUTODOC_PLACEHOLDER, '');
  lines.push('    INPUTS', ...inputLines(params, library), '');
  lines.push('    RESULT', BODY + AUTODOC_PLACEHOLDER, '');
  lines.push('    NOTES', BODY + AUTODOC_PLACEHOLDER, '');
  lines.push('    EXAMPLE', '', '    BUGS', '');
  lines.push('    SEE ALSO', BODY + AUTODOC_PLACEHOLDER, '');
  lines.push('    INTERNALS', '', CLOSE_BANNER);
  return lines.join('\n');
}

function isLibrary(s: SymbolInfo): boolean {
  return s.aros?.form === 'library' && s.aros.macro !== 'conf';
}

// NAME, the proto include, and the AROS_LHn head split by its SYNOPSIS and LOCATION headings.
function libraryHead(s: SymbolInfo, file: string): string[] {
  const a = s.aros;
  const params = s.params ?? [];
  const macro = a?.macro ?? `AROS_LH${params.length}`;
  const quad = macro.includes('QUAD');
  const types = params.map((p) => `${p.type},`);
  const names = params.map((p) => `${p.name},`);
  const tw = Math.max(0, ...types.map((t) => t.length)) + 1;
  const nw = Math.max(0, ...names.map((n) => n.length)) + 1;
  const args = params.map((p, i) => {
    // 64-bit arguments in a register pair take the QUAD argument macro.
    const argMacro = quad && (p.register ?? '').includes('/') ? 'AROS_LHAQUAD' : 'AROS_LHA';
    const reg = (p.register ?? '').replace('/', ', ');
    return `${BODY}${argMacro}(${types[i].padEnd(tw)}${names[i].padEnd(nw)}${reg}),`;
  });
  const base = `${a?.baseType ?? 'struct Library *'}, ${a?.baseName ?? 'Base'}, ${a?.lvo ?? 0}, ${a?.library ?? libraryName(file)})`;
  return [
    '    NAME */',
    `#include <proto/${protoName(s, file)}.h>`,
    '',
    `${BODY}${macro}(${s.returnType ?? 'void'}, ${s.name},`,
    '',
    '/*  SYNOPSIS */',
    ...args,
    ...(args.length ? [''] : []),
    '/*  LOCATION */',
    BODY + base,
    '',
  ];
}

/** The proto header: the library's name in lower case, else the module directory. */
function protoName(s: SymbolInfo, file: string): string {
  return (s.aros?.library ?? libraryName(file)).toLowerCase();
}

function libraryName(file: string): string {
  const parts = file.split(/[\\/]/).filter((p) => p !== '');
  const dir = parts.length > 1 ? parts[parts.length - 2] : 'library';
  return dir.charAt(0).toUpperCase() + dir.slice(1);
}

/** The C prototype, one line when it fits, else one parameter per line. */
function prototypeLines(s: SymbolInfo): string[] {
  const params = s.params ?? [];
  const storage = s.storage ? `${s.storage} ` : '';
  const head = storage + (s.returnType !== undefined ? joinType(s.returnType, s.name) : s.name);
  const list = params.map((p) => joinType(p.type, p.name));
  const one = s.signature !== undefined && s.aros === undefined ? s.signature : `${head}(${list.length ? list.join(', ') : 'void'})`;
  if (BODY.length + one.length <= WIDTH || list.length === 0) return [BODY + safe(one)];
  return [`${BODY}${safe(head)}(`, ...list.map((p, i) => `${BODY}    ${safe(p)}${i < list.length - 1 ? ',' : ')'}`)];
}

function joinType(type: string, name: string): string {
  if (!type) return name;
  return type.endsWith('*') ? `${type}${name}` : `${type} ${name}`;
}

/** `name (D0) - <write>` with the dashes aligned; `<write>` alone when there are no parameters. */
function inputLines(params: readonly ParamInfo[], library: boolean): string[] {
  if (params.length === 0) return [BODY + 'None.'];
  const labels = params.map((p) => inputLabel(p, library));
  const w = Math.max(...labels.map((l) => l.length));
  return labels.map((l) => `${BODY}${l.padEnd(w)} - ${AUTODOC_PLACEHOLDER}`);
}

function inputLabel(p: ParamInfo, library: boolean): string {
  return library && p.register ? `${p.name} (${p.register})` : p.name;
}

// ---------------------------------------------------------------------------
// Prompt and schema

const MAX_FUNCTION_TEXT = 8000;
const MAX_CALLERS = 8;

/** Chat messages asking for the prose of `symbol`'s AutoDoc as JSON (see `autodocSchema`). */
export function autodocPrompt(
  symbol: SymbolInfo,
  functionText: string,
  callers: Array<{ file: string; line: number; text: string }>,
): ChatMessage[] {
  const params = (symbol.params ?? []).map((p) => p.name);
  const system =
    'You document functions of the AROS operating system (an AmigaOS-compatible OS written in C) ' +
    'in AutoDoc style: plain sentences, present tense, no Markdown, no comment markers. ' +
    'Answer with one JSON object and nothing else.';
  const parts: string[] = [];
  parts.push(`Write the AutoDoc prose for this function.\n\nSignature:\n${cSignature(symbol)}`);
  if (symbol.aros?.library) parts.push(`It is a function of ${symbol.aros.library} (LVO ${symbol.aros.lvo ?? '?'}).`);
  parts.push(`Function text:\n\`\`\`c\n${clip(functionText, MAX_FUNCTION_TEXT)}\n\`\`\``);
  if (callers.length) {
    const shown = callers.slice(0, MAX_CALLERS).map((c) => `${c.file}:${c.line + 1}: ${c.text.trim()}`);
    parts.push(`How it is called:\n${shown.join('\n')}`);
  } else {
    parts.push('No callers are known.');
  }
  parts.push(
    [
      'Reply with JSON of this shape:',
      '{ "function": string, "inputs": { [parameter]: string }, "result": string, "notes": string, "see_also": string[] }',
      '- "function": what the function does, one short paragraph.',
      `- "inputs": one entry per parameter (${params.length ? params.join(', ') : 'none: use {}'}), what it means and which values are valid.`,
      '- "result": what it returns; "None." for void.',
      '- "notes": caveats a caller must know (locking, ownership, side effects), or "" when there are none.',
      '- "see_also": related functions written like "FreeMem()", at most six.',
      'Do not repeat the signature.',
    ].join('\n'),
  );
  return [
    { role: 'system', content: system },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/** JSON schema of the reply, for grammar-constrained output; with a symbol, its parameters are required inputs. */
export function autodocSchema(symbol?: SymbolInfo): Record<string, unknown> {
  const names = (symbol?.params ?? []).map((p) => p.name).filter((n) => n !== '');
  const inputs: Record<string, unknown> = symbol
    ? {
        type: 'object',
        properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])),
        required: names,
        additionalProperties: false,
      }
    : { type: 'object', additionalProperties: { type: 'string' } };
  return {
    type: 'object',
    properties: {
      function: { type: 'string' },
      inputs,
      result: { type: 'string' },
      notes: { type: 'string' },
      see_also: { type: 'array', items: { type: 'string' } },
    },
    required: ['function', 'inputs', 'result', 'notes', 'see_also'],
    additionalProperties: false,
  };
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}\n/* ... */` : s;
}

// ---------------------------------------------------------------------------
// Filling the layout

type ProseKey = 'function' | 'result' | 'notes' | 'see_also';

const SECTION_OF: ReadonlyArray<[string, ProseKey]> = [
  ['FUNCTION', 'function'],
  ['RESULT', 'result'],
  ['NOTES', 'notes'],
  ['SEE ALSO', 'see_also'],
];

const HEADING_LINE = /^(?:\/\*| {2})  ([A-Z][A-Z ]*[A-Z])(?: \*\/)?$/;

/**
 * The layout with the model's prose where it still says `<write>`. `prose` is the
 * parsed reply or its raw text (fences and missing closing brackets tolerated).
 * Missing or ill-typed fields keep their placeholder and are named in `problems`;
 * inputs for parameters the layout does not have are ignored.
 */
export function fillAutodoc(layout: string, prose: unknown): { text: string; problems: string[] } {
  const problems: string[] = [];
  const obj = asObject(prose, problems);
  const lines = layout.split('\n');
  for (const [heading, key] of SECTION_OF) {
    const at = placeholderLine(lines, heading);
    if (at < 0) continue;
    const value = key === 'see_also' ? seeAlso(obj, problems) : textField(obj, key, problems);
    if (value === undefined) continue;
    lines.splice(at, 1, ...wrap(value, BODY, BODY));
  }
  fillInputs(lines, obj, problems);
  return { text: lines.join('\n'), problems };
}

function asObject(prose: unknown, problems: string[]): Record<string, unknown> | undefined {
  let v = prose;
  if (typeof v === 'string') v = parseReply(v);
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  problems.push('the reply is not a JSON object');
  return undefined;
}

function parseReply(raw: string): unknown {
  const start = raw.indexOf('{');
  if (start < 0) return undefined;
  const body = raw.slice(start).replace(/```\s*$/, '').trim();
  for (const candidate of [body, body.slice(0, body.lastIndexOf('}') + 1), closeJson(body)]) {
    if (!candidate) continue;
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // Try the next repair.
    }
  }
  return undefined;
}

function textField(obj: Record<string, unknown> | undefined, key: ProseKey, problems: string[]): string | undefined {
  if (obj === undefined) return undefined;
  const v = obj[key];
  if (typeof v !== 'string') {
    problems.push(v === undefined ? `"${key}" is missing` : `"${key}" is not a string`);
    return undefined;
  }
  return v;
}

function seeAlso(obj: Record<string, unknown> | undefined, problems: string[]): string | undefined {
  if (obj === undefined) return undefined;
  const v = obj.see_also;
  // A model that answers with one comma-separated string means the same thing.
  if (typeof v === 'string') return v;
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    problems.push(v === undefined ? '"see_also" is missing' : '"see_also" is not a list of strings');
    return undefined;
  }
  return v
    .map((x) => x.trim())
    .filter((x) => x !== '')
    .join(', ');
}

/** Index of the `<write>` line right under `heading`, or -1 (section absent or already written). */
function placeholderLine(lines: readonly string[], heading: string): number {
  const h = lines.findIndex((l) => HEADING_LINE.exec(l)?.[1] === heading);
  if (h < 0 || h + 1 >= lines.length) return -1;
  return lines[h + 1].trim() === AUTODOC_PLACEHOLDER ? h + 1 : -1;
}

const INPUT_LINE = /^(\s+)(\w+)((?: \([^)]*\))?\s*)- <write>$/;

function fillInputs(lines: string[], obj: Record<string, unknown> | undefined, problems: string[]): void {
  const h = lines.findIndex((l) => HEADING_LINE.exec(l)?.[1] === 'INPUTS');
  if (h < 0 || obj === undefined) return;
  const raw = obj.inputs;
  const inputs = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  if (inputs === undefined && raw !== undefined) problems.push('"inputs" is not an object');
  let missingAll = raw === undefined;
  for (let i = h + 1; i < lines.length && lines[i].trim() !== ''; i++) {
    const m = INPUT_LINE.exec(lines[i]);
    if (!m) continue;
    const [, indent, name, label] = m;
    const v = inputs?.[name];
    if (typeof v !== 'string') {
      if (missingAll) {
        problems.push('"inputs" is missing');
        missingAll = false;
      } else if (inputs !== undefined) {
        problems.push(`"inputs.${name}" is ${v === undefined ? 'missing' : 'not a string'}`);
      }
      continue;
    }
    const first = `${indent}${name}${label}- `;
    const wrapped = wrap(v, first, ' '.repeat(first.length));
    lines.splice(i, 1, ...wrapped);
    i += wrapped.length - 1;
  }
}

/**
 * Prose as comment lines: paragraphs kept, words wrapped at WIDTH columns, and
 * nothing that would end the comment (`*\/`), open a nested one (`/*`) or read
 * as a section heading.
 */
function wrap(text: string, first: string, rest: string): string[] {
  const paragraphs = safe(text)
    .split(/\n\s*\n/)
    .map((p) => p.split(/\s+/).filter((w) => w !== ''))
    .filter((p) => p.length > 0);
  // An empty answer ("no notes") leaves the section empty, or an input with its label only.
  if (paragraphs.length === 0) return first.trim() === '' ? [] : [first.trimEnd()];
  const out: string[] = [];
  paragraphs.forEach((words, pi) => {
    if (pi > 0) out.push('');
    let line = pi === 0 ? first : rest;
    let empty = true;
    for (const w of words) {
      if (!empty && line.length + 1 + w.length > WIDTH) {
        out.push(line);
        line = rest + w;
      } else {
        line = empty ? line + w : `${line} ${w}`;
      }
      empty = false;
    }
    out.push(line);
  });
  return joinHeadingLookalikes(out);
}

/** A wrapped line holding only `NOTES` or `RESULT:` would start a new section for the parser. */
function joinHeadingLookalikes(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const t = l.trim().replace(/:$/, '');
    if (out.length > 0 && out[out.length - 1] !== '' && /^[A-Z][A-Z ]*$/.test(t) && t.length <= 12) out[out.length - 1] += ` ${l.trim()}`;
    else out.push(l);
  }
  return out;
}

function safe(s: string): string {
  return s
    .replace(/\r/g, '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ')
    .replace(/\*\//g, '* /')
    .replace(/\/\*/g, '/ *');
}

// ---------------------------------------------------------------------------
// Where the AutoDoc goes

export interface AutodocEdit {
  /** First line replaced (or where the text is inserted when replaceLines is 0). */
  line: number;
  /** Ends with the file's line ending. */
  newText: string;
  /** Whole lines replaced from `line`. */
  replaceLines: number;
}

/**
 * The edit that puts `doc` (from `fillAutodoc` or `autodocLayout`) on `symbol`'s
 * definition in `text`. Plain functions: above the function and above its
 * breadcrumb, replacing a plain doc comment or AutoDoc found there. Library
 * functions: the AutoDoc holds the AROS_LHn head, so the head and any AutoDoc or
 * doc comment around it are replaced; a breadcrumb stays above the AutoDoc.
 */
export function autodocEdit(text: string, symbol: SymbolInfo, doc: string): AutodocEdit {
  const src = new Source(text);
  const out = isLibrary(symbol) ? libraryEdit(src, symbol, doc) : plainEdit(src, symbol, doc);
  return { ...out, newText: out.newText.replace(/\r?\n/g, src.eol) };
}

class Source {
  readonly lines: string[];
  readonly lex: LexResult;
  readonly starts: number[];
  readonly eol: string;
  constructor(readonly text: string) {
    this.lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    this.lex = lexC(text);
    this.starts = lineStarts(text);
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }
  line(offset: number): number {
    return offsetToPosition(this.starts, offset).line;
  }
  /** The comment block (a `/* *\/` comment or a run of own-line `//`) whose last line is `line`, alone on its lines. */
  blockEndingAt(line: number): { start: number; end: number; body: string } | undefined {
    const c = this.lex.comments.find((x) => this.line(x.end) === line && this.line(x.end - 1) === line);
    if (c === undefined || !this.alone(c)) return undefined;
    let first = c;
    if (!c.block) {
      for (let i = this.lex.comments.indexOf(c) - 1; i >= 0; i--) {
        const p = this.lex.comments[i];
        if (p.block || this.line(p.start) !== this.line(first.start) - 1 || !this.alone(p)) break;
        first = p;
      }
    }
    return { start: this.line(first.start), end: line, body: this.text.slice(first.start, c.end) };
  }
  private alone(c: CommentSpan): boolean {
    const a = this.line(c.start);
    const b = this.line(c.end);
    return this.lines[a].slice(0, c.start - this.starts[a]).trim() === '' && this.lex.code.slice(c.end, this.starts[b + 1] ?? this.text.length).trim() === '';
  }
}

function isBreadcrumb(body: string): boolean {
  return /\bAI_(?:PHASE|STATUS|STRATEGY)\s*:/.test(body);
}

function plainEdit(src: Source, symbol: SymbolInfo, doc: string): AutodocEdit {
  const fn = symbol.range.start.line;
  const above = src.blockEndingAt(fn - 1);
  const docEol = `${doc}\n`;
  if (above === undefined) return { line: fn, newText: docEol, replaceLines: 0 };
  if (!isBreadcrumb(above.body)) return { line: above.start, newText: docEol, replaceLines: above.end - above.start + 1 };
  // The breadcrumb stays glued to the function; the doc goes above it.
  const higher = src.blockEndingAt(above.start - 1);
  if (higher === undefined || isBreadcrumb(higher.body)) return { line: above.start, newText: docEol, replaceLines: 0 };
  return { line: higher.start, newText: docEol, replaceLines: higher.end - higher.start + 1 };
}

function libraryEdit(src: Source, symbol: SymbolInfo, doc: string): AutodocEdit {
  const headStart = symbol.range.start.line;
  const end = headEnd(src, symbol);
  // An existing AutoDoc: its banner sits above the NAME includes (and blank lines).
  let l = headStart - 1;
  while (l >= 0 && (src.lines[l].trim() === '' || /^\s*#\s*include\b/.test(src.lines[l]))) l--;
  const banner = l >= 0 ? src.blockEndingAt(l) : undefined;
  let start = headStart;
  if (banner && isAutoDocBanner(banner.body.trimStart())) start = banner.start;
  else {
    // No AutoDoc: the proto include written for this function is part of the layout, and
    // so is a plain doc comment directly above.
    const include = /^#include <proto\/[^>]+>/m.exec(doc)?.[0];
    if (include !== undefined && src.lines[headStart - 1]?.trim() === '') {
      for (let k = headStart - 1; k >= 0 && (src.lines[k].trim() === '' || src.lines[k].trim() === include); k--) {
        if (src.lines[k].trim() === include) start = k;
      }
    } else if (src.lines[headStart - 1]?.trim() === include) start = headStart - 1;
    const above = src.blockEndingAt(start - 1);
    if (above && !isBreadcrumb(above.body)) start = above.start;
  }
  let newText = `${doc}\n`;
  if (end.rest !== '') newText += `${end.rest}\n`;
  return { line: start, newText, replaceLines: end.line - start + 1 };
}

/**
 * The last line of the head: the line of the `)` closing AROS_LHn(...), or the end
 * of the AutoDoc comments right after it. `rest` is code after the `)` on its line
 * (a `{` written there), which must survive the replacement.
 */
function headEnd(src: Source, symbol: SymbolInfo): { line: number; rest: string } {
  const code = src.lex.code;
  const startLine = symbol.range.start.line;
  let i = code.indexOf('(', src.starts[startLine] + symbol.range.start.character);
  let depth = 0;
  for (; i >= 0 && i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')' && --depth === 0) break;
  }
  if (i < 0 || i >= code.length) return { line: startLine, rest: '' };
  let line = src.line(i);
  const rest = code.slice(i + 1, src.starts[line + 1] ?? code.length).trim();
  if (rest !== '') return { line, rest };
  // `/*  FUNCTION ... ***/` after the head belongs to the AutoDoc being replaced.
  for (const c of src.lex.comments) {
    if (c.start <= i) continue;
    if (code.slice(i + 1, c.start).trim() !== '') break;
    line = src.line(c.end);
    i = c.end - 1;
  }
  return { line, rest: '' };
}
