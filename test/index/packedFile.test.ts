import { describe, it, expect } from 'vitest';
import { deserialize, serialize } from 'node:v8';
import { analyzeC } from '../../server/src/index/analyze';
import type { FileEntry } from '../../server/src/index/fileIndex';
import {
  FLAG_CONF,
  FLAG_DEFINITION,
  FLAG_HOOK,
  FLAG_LIBRARY,
  KINDS,
  SLOTS,
  flagsAt,
  includesOf,
  kindAt,
  lineAt,
  packFile,
  parentAt,
  selectionAt,
  symbolCount,
  unpackSymbols,
  type PackedFile,
} from '../../server/src/index/packedFile';
import type { SymbolInfo } from '../../server/src/index/types';

function rng(sl: number, sc: number, el: number, ec: number) {
  return { start: { line: sl, character: sc }, end: { line: el, character: ec } };
}

/** Every optional field set somewhere, and symbols with none of them. */
const SYMBOLS: SymbolInfo[] = [
  {
    name: 'AllocWidget',
    kind: 'function',
    definition: true,
    range: rng(10, 4, 40, 1),
    selectionRange: rng(10, 20, 10, 31),
    signature: 'APTR AllocWidget(ULONG size /* D0 */) /* struct WidgetBase *WidgetBase, LVO 5, Widget */',
    returnType: 'APTR',
    params: [
      { type: 'ULONG', name: 'size', register: 'D0' },
      { type: 'struct Foo *', name: 'foo' },
      { type: '', name: '' },
    ],
    aros: { form: 'library', macro: 'AROS_LH1', baseType: 'struct WidgetBase *', baseName: 'WidgetBase', lvo: 5, library: 'Widget' },
    autodoc: { FUNCTION: 'Allocates.\n\nMore — with “Unicode”.', 'SEE ALSO': 'FreeWidget()' },
  },
  {
    name: 'HookFunc',
    kind: 'function',
    definition: true,
    range: rng(50, 0, 60, 1),
    selectionRange: rng(50, 16, 50, 24),
    storage: 'static',
    returnType: 'IPTR',
    params: [{ type: 'struct Hook *', name: 'h', register: 'A0' }],
    aros: { form: 'hook', macro: 'AROS_UFH3S' },
  },
  {
    name: 'OpenWidget',
    kind: 'function',
    definition: false,
    range: rng(0, 0, 0, 40),
    selectionRange: rng(0, 5, 0, 15),
    aros: { form: 'library', macro: 'conf', lvo: 6, library: 'widget' },
    params: [],
  },
  { name: 'Widget', kind: 'struct', definition: true, range: rng(70, 0, 75, 2), selectionRange: rng(70, 7, 70, 13), signature: 'struct Widget', doc: 'A widget.' },
  { name: 'w_Next', kind: 'field', definition: true, range: rng(71, 4, 71, 26), selectionRange: rng(71, 19, 71, 25), parent: 3 },
  { name: 'WK_ONE', kind: 'enumerator', definition: true, range: rng(80, 2, 80, 8), selectionRange: rng(80, 2, 80, 8), parent: 3, signature: '' },
  { name: 'Handle', kind: 'typedef', definition: true, range: rng(90, 0, 90, 30), selectionRange: rng(90, 20, 90, 26), doc: '' },
  { name: 'MAX', kind: 'macro', definition: true, range: rng(95, 0, 96, 10), selectionRange: rng(95, 8, 95, 11), params: [{ type: '', name: 'a' }] },
  { name: 'counter', kind: 'variable', definition: false, range: rng(99, 0, 99, 19), selectionRange: rng(99, 11, 99, 18), storage: 'extern', signature: 'extern int counter' },
  { name: 'u', kind: 'union', definition: true, range: rng(100, 0, 100, 9), selectionRange: rng(100, 6, 100, 7) },
  { name: 'e', kind: 'enum', definition: true, range: rng(101, 0, 101, 9), selectionRange: rng(101, 5, 101, 6) },
  // Only a doc: the empty middle slots must stay absent.
  { name: 'onlyDoc', kind: 'variable', definition: true, range: rng(102, 1, 102, 2), selectionRange: rng(102, 1, 102, 2), doc: 'x' },
];

function entry(symbols: SymbolInfo[] = SYMBOLS): FileEntry {
  return {
    path: 'rom/widget/widget.c',
    hash: 'abc123',
    size: 4321,
    mtimeMs: 1700000000123.5,
    encoding: 'latin1',
    lines: 120,
    symbols,
    includes: [{ path: 'exec/types.h', system: true, line: 1 }],
    breadcrumbs: [],
    identifiers: ['APTR', 'AllocWidget', 'size'],
    hasErrors: true,
  };
}

describe('packFile / unpackSymbols', () => {
  it('round-trips every SymbolInfo field exactly', () => {
    expect(unpackSymbols(packFile(entry()))).toStrictEqual(SYMBOLS);
  });

  it('keeps the file facts', () => {
    const p = packFile(entry());
    expect([p.path, p.hash, p.size, p.mtimeMs, p.encoding, p.lines, p.hasErrors]).toEqual([
      'rom/widget/widget.c',
      'abc123',
      4321,
      1700000000123.5,
      'latin1',
      120,
      true,
    ]);
    expect(p.names).toEqual(SYMBOLS.map((s) => s.name));
    expect(includesOf(p)).toEqual([{ path: 'exec/types.h', system: true, line: 1 }]);
    // Bytes across threads and into the cache; decoded once, when first read.
    expect(Buffer.from(p.includesJson).toString('utf8')).toBe('[{"path":"exec/types.h","system":true,"line":1}]');
    expect(includesOf(p)).toBe(includesOf(p));
    expect(Buffer.from(p.idents).toString('latin1')).toBe('\nAPTR\nAllocWidget\nsize\n');
  });

  it('an empty file packs to an empty table', () => {
    const p = packFile({ ...entry([]), identifiers: [] });
    expect(symbolCount(p)).toBe(0);
    expect(p.table.length).toBe(0);
    expect(unpackSymbols(p)).toStrictEqual([]);
    expect(Buffer.from(p.idents).toString('latin1')).toBe('\n');
  });

  it('round-trips through V8 serialization (the cache and the worker threads)', () => {
    const copy = deserialize(serialize(packFile(entry()))) as PackedFile;
    expect(unpackSymbols(copy)).toStrictEqual(SYMBOLS);
    expect(copy.names).toEqual(SYMBOLS.map((s) => s.name));
  });

  it('reads details from a view with an offset into a larger buffer', () => {
    const p = packFile(entry());
    const big = new Uint8Array(p.details.length + 17);
    big.set(p.details, 9);
    expect(unpackSymbols({ ...p, details: big.subarray(9, 9 + p.details.length) })).toStrictEqual(SYMBOLS);
  });

  it('round-trips what the analyzer produces', () => {
    const text = [
      '/* Adds. */',
      'static int add(int a, int b) { return a + b; }',
      'struct S { int x; union { long l; } u; };',
      'typedef struct { int y; } T;',
      '#define TWICE(x) ((x) * 2)',
      'AROS_LH1(ULONG, Twice,',
      '    AROS_LHA(ULONG, v, D0),',
      '    struct WidgetBase *, WidgetBase, 5, Widget)',
      '{',
      '}',
    ].join('\n');
    const a = analyzeC(text).analysis;
    const packed = packFile({ ...a, path: 'x.c', hash: 'h', size: text.length, mtimeMs: 1, encoding: 'utf8' });
    // The analyzer leaves some keys present but undefined (`storage: undefined`): equal, not strictly.
    expect(unpackSymbols(packed)).toEqual(a.symbols);
    expect(a.symbols.map((s) => s.name)).toEqual(['add', 'S', 'x', 'u', 'l', 'T', 'y', 'TWICE', 'Twice']);
  });
});

describe('table accessors', () => {
  const p = packFile(entry());

  it('has SLOTS int32 slots per symbol', () => {
    expect(p.table.length).toBe(SYMBOLS.length * SLOTS);
    expect(symbolCount(p)).toBe(SYMBOLS.length);
  });

  it('kind, selection, line and parent for every symbol', () => {
    SYMBOLS.forEach((s, i) => {
      expect(kindAt(p.table, i)).toBe(s.kind);
      expect(selectionAt(p.table, i)).toEqual(s.selectionRange);
      expect(lineAt(p.table, i)).toBe(s.range.start.line);
      expect(parentAt(p.table, i)).toBe(s.parent);
    });
  });

  it('flags: definition, conf, library, hook', () => {
    const flags = SYMBOLS.map((_, i) => flagsAt(p.table, i));
    const has = (f: number, bit: number): boolean => (f & bit) !== 0;
    expect(flags.map((f) => has(f, FLAG_DEFINITION))).toEqual(SYMBOLS.map((s) => s.definition));
    expect(flags.map((f, i) => (has(f, FLAG_CONF) ? SYMBOLS[i].name : '')).filter(Boolean)).toEqual(['OpenWidget']);
    expect(flags.map((f, i) => (has(f, FLAG_LIBRARY) ? SYMBOLS[i].name : '')).filter(Boolean)).toEqual(['AllocWidget', 'OpenWidget']);
    expect(flags.map((f, i) => (has(f, FLAG_HOOK) ? SYMBOLS[i].name : '')).filter(Boolean)).toEqual(['HookFunc']);
    expect(flags.map((f) => KINDS[f & 0xff])).toEqual(SYMBOLS.map((s) => s.kind));
  });

  it('every kind has its own code', () => {
    expect(new Set(KINDS).size).toBe(9);
    expect([...KINDS].sort()).toEqual(['enum', 'enumerator', 'field', 'function', 'macro', 'struct', 'typedef', 'union', 'variable']);
  });
});
