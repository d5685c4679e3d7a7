// The compact form of a file's index entry, used in memory, between threads
// and in the cache. Lookups and search need only a symbol's name, kind, flags
// and position: those live in a small Int32Array per file. Everything else
// (signatures, parameters, AutoDocs) stays one JSON string per file, a single
// flat object the garbage collector never has to walk, decoded only for the
// few files a hover or outline touches. On the full AROS tree this is the
// difference between ~430 MB of heap objects and a few dozen MB.

import type { Breadcrumb } from '../breadcrumbs/types';
import type { FileEntry } from './fileIndex';
import type { ArosInfo, IncludeInfo, ParamInfo, Position, Range, SymbolInfo, SymbolKind } from './types';

export const KINDS: readonly SymbolKind[] = ['function', 'struct', 'union', 'enum', 'field', 'enumerator', 'typedef', 'macro', 'variable'];
const KIND_INDEX = new Map(KINDS.map((k, i) => [k, i]));

export const FLAG_DEFINITION = 1 << 8;
export const FLAG_CONF = 1 << 9;
export const FLAG_LIBRARY = 1 << 10;
export const FLAG_HOOK = 1 << 11;

/** Int32 slots per symbol in `table`. */
export const SLOTS = 7;
const F = 0; // kind | flags
const SL = 1; // selection start line
const SC = 2; // selection start character
const EL = 3; // selection end line
const EC = 4; // selection end character
const RL = 5; // range start line
const PARENT = 6; // parent index, -1 for none

export interface PackedFile {
  path: string;
  hash: string;
  size: number;
  mtimeMs: number;
  encoding: 'utf8' | 'latin1';
  lines: number;
  hasErrors: boolean;
  names: string[];
  table: Int32Array;
  /**
   * Per symbol, what the table does not hold: UTF-8 JSON arrays (see `Extra`).
   * Bytes rather than a string: copied in one piece between threads and from the cache.
   */
  details: Uint8Array;
  /**
   * The `#include`s, as UTF-8 JSON (read with `includesOf`): few readers need
   * them, and as objects they were a third of what the main thread
   * deserialized from the parse workers, and stringified again for the cache.
   */
  includesJson: Uint8Array;
  breadcrumbs: Breadcrumb[];
  /** Each identifier used in code, UTF-8, `\n`-separated with a leading and trailing `\n`. */
  idents: Uint8Array;
}

export function packFile(entry: FileEntry): PackedFile {
  const symbols = entry.symbols;
  const n = symbols.length;
  const table = new Int32Array(n * SLOTS);
  // Pushed: `new Array(n)` is holey, and a holey array crosses threads as a sparse one, element by element.
  const names: string[] = [];
  const extras: Array<ReturnType<typeof extraOf>> = [];
  for (let i = 0; i < n; i++) {
    const s = symbols[i];
    const o = i * SLOTS;
    let flags = KIND_INDEX.get(s.kind) ?? 0;
    if (s.definition) flags |= FLAG_DEFINITION;
    if (s.aros?.macro === 'conf') flags |= FLAG_CONF;
    if (s.aros?.form === 'library') flags |= FLAG_LIBRARY;
    if (s.aros?.form === 'hook') flags |= FLAG_HOOK;
    table[o + F] = flags;
    table[o + SL] = s.selectionRange.start.line;
    table[o + SC] = s.selectionRange.start.character;
    table[o + EL] = s.selectionRange.end.line;
    table[o + EC] = s.selectionRange.end.character;
    table[o + RL] = s.range.start.line;
    table[o + PARENT] = s.parent ?? -1;
    names.push(s.name);
    extras.push(extraOf(s));
  }
  return {
    path: entry.path,
    hash: entry.hash,
    size: entry.size,
    mtimeMs: entry.mtimeMs,
    encoding: entry.encoding,
    lines: entry.lines,
    hasErrors: entry.hasErrors,
    names,
    table,
    details: Buffer.from(JSON.stringify(extras), 'utf8'),
    includesJson: Buffer.from(JSON.stringify(entry.includes), 'utf8'),
    breadcrumbs: entry.breadcrumbs,
    idents: Buffer.from(entry.identifiers.length ? `\n${entry.identifiers.join('\n')}\n` : '\n', 'latin1'),
  };
}

/**
 * A symbol's details without what the table already holds, positional and with
 * trailing empties cut: it halves the memory and the cache file.
 * [rangeStartCharacter, rangeEndLine, rangeEndCharacter, signature, storage,
 *  returnType, params as [type, name, register?], aros, autodoc, doc]
 */
type Extra = [number, number, number, string?, string?, string?, Array<[string, string, string?]>?, ArosInfo?, Record<string, string>?, string?];

function extraOf(s: SymbolInfo): Extra | Array<number | string | object | null> {
  const e: Array<number | string | object | null> = [
    s.range.start.character,
    s.range.end.line,
    s.range.end.character,
    s.signature ?? null,
    s.storage ?? null,
    s.returnType ?? null,
    s.params ? paramsOf(s.params) : null,
    s.aros ?? null,
    s.autodoc ?? null,
    s.doc ?? null,
  ];
  while (e.length > 3 && e[e.length - 1] === null) e.pop();
  return e;
}

const includesRead = new WeakMap<Uint8Array, IncludeInfo[]>();

/** A file's `#include`s, decoded once per entry's bytes. */
export function includesOf(p: PackedFile): IncludeInfo[] {
  const bytes = p.includesJson;
  let includes = includesRead.get(bytes);
  if (!includes) {
    includes = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as IncludeInfo[];
    includesRead.set(bytes, includes);
  }
  return includes;
}

/** A loop, not `map`: parameter lists come empty, from literals and from `map`, each kind a deoptimization of a mapped closure. */
function paramsOf(params: readonly ParamInfo[]): Array<[string, string, string?]> {
  const out: Array<[string, string, string?]> = [];
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    out.push(p.register ? [p.type, p.name, p.register] : [p.type, p.name]);
  }
  return out;
}

export function unpackSymbols(p: PackedFile): SymbolInfo[] {
  // Read once: a loaded entry reads its details from the cache file on each access.
  const details = p.details;
  const extras = JSON.parse(Buffer.from(details.buffer, details.byteOffset, details.byteLength).toString('utf8')) as Array<Array<unknown>>;
  return extras.map((e, i) => {
    const s = tableSymbol(p, i, e[0] as number, { line: e[1] as number, character: e[2] as number });
    if (e[3] != null) s.signature = e[3] as string;
    if (e[4] != null) s.storage = e[4] as string;
    if (e[5] != null) s.returnType = e[5] as string;
    if (e[6] != null) s.params = (e[6] as Array<[string, string, string?]>).map(([type, name, register]) => (register ? { type, name, register } : { type, name }));
    if (e[7] != null) s.aros = e[7] as ArosInfo;
    if (e[8] != null) s.autodoc = e[8] as Record<string, string>;
    if (e[9] != null) s.doc = e[9] as string;
    return s;
  });
}

/** What the table alone tells of a file's symbols: no signatures or docs, and a range from the start of its first line to the end of the name. */
export function tableSymbols(p: PackedFile): SymbolInfo[] {
  return p.names.map((_, i) => tableSymbol(p, i, 0, selectionAt(p.table, i).end));
}

/** Symbol i as its table row gives it; the range's start character and end come from the details, when there are any. */
function tableSymbol(p: PackedFile, i: number, rangeStartCharacter: number, rangeEnd: Position): SymbolInfo {
  const t = p.table;
  const o = i * SLOTS;
  const s: SymbolInfo = {
    name: p.names[i],
    kind: KINDS[t[o + F] & 0xff],
    definition: (t[o + F] & FLAG_DEFINITION) !== 0,
    range: { start: { line: t[o + RL], character: rangeStartCharacter }, end: rangeEnd },
    selectionRange: selectionAt(t, i),
  };
  if (t[o + PARENT] >= 0) s.parent = t[o + PARENT];
  return s;
}

/** A copy of an entry with another mtime; every field read, also those a loaded entry reads from the cache on demand. */
export function withMtime(p: PackedFile, mtimeMs: number): PackedFile {
  return {
    path: p.path,
    hash: p.hash,
    size: p.size,
    mtimeMs,
    encoding: p.encoding,
    lines: p.lines,
    hasErrors: p.hasErrors,
    names: p.names,
    table: p.table,
    details: p.details,
    includesJson: p.includesJson,
    breadcrumbs: p.breadcrumbs,
    idents: p.idents,
  };
}

export function kindAt(table: Int32Array, i: number): SymbolKind {
  return KINDS[table[i * SLOTS + F] & 0xff];
}

export function flagsAt(table: Int32Array, i: number): number {
  return table[i * SLOTS + F];
}

export function selectionAt(table: Int32Array, i: number): Range {
  const o = i * SLOTS;
  return { start: { line: table[o + SL], character: table[o + SC] }, end: { line: table[o + EL], character: table[o + EC] } };
}

export function lineAt(table: Int32Array, i: number): number {
  return table[i * SLOTS + RL];
}

export function parentAt(table: Int32Array, i: number): number | undefined {
  const p = table[i * SLOTS + PARENT];
  return p >= 0 ? p : undefined;
}

export function symbolCount(p: PackedFile): number {
  return p.table.length / SLOTS;
}
