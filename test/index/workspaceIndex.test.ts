import { describe, it, expect } from 'vitest';
import type { FileEntry } from '../../server/src/index/fileIndex';
import { NameDirectory } from '../../server/src/index/nameDirectory';
import { packFile, type PackedFile } from '../../server/src/index/packedFile';
import type { ArosInfo, SymbolInfo, SymbolKind } from '../../server/src/index/types';
import { letterMask } from '../../server/src/index/nameMatch';
import { buildNameTable, nameCount, type NameView } from '../../server/src/index/nameTables';
import { WorkspaceIndex } from '../../server/src/index/workspaceIndex';

function sym(name: string, line: number, extra: Partial<SymbolInfo> = {}): SymbolInfo {
  return {
    name,
    kind: 'function' as SymbolKind,
    definition: true,
    range: { start: { line, character: 0 }, end: { line: line + 1, character: 1 } },
    selectionRange: { start: { line, character: 4 }, end: { line, character: 4 + name.length } },
    signature: `int ${name}(void)`,
    ...extra,
  };
}

function entry(path: string, symbols: SymbolInfo[], identifiers: string[] = symbols.map((s) => s.name)): FileEntry {
  return { path, hash: `h:${path}`, size: 1, mtimeMs: 1, encoding: 'utf8', lines: 10, symbols, includes: [], breadcrumbs: [], identifiers, hasErrors: false };
}

/** name -> sorted "path:line" of every symbol with that name, through lookup(). */
function lookupAll(index: WorkspaceIndex): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const n of visibleNames(index.names())) out[n] = index.lookup(n).map((r) => `${r.file.path}:${r.line}`).sort();
  return out;
}

/** The same, computed from the files themselves. */
function expectedFromFiles(index: WorkspaceIndex): Record<string, string[]> {
  const m = new Map<string, string[]>();
  for (const f of index.allFiles()) {
    f.names.forEach((n, i) => {
      const list = m.get(n) ?? [];
      list.push(`${f.path}:${index.symbolsOf(f)[i].range.start.line}`);
      m.set(n, list);
    });
  }
  const out: Record<string, string[]> = {};
  for (const n of [...m.keys()].sort()) out[n] = (m.get(n) ?? []).sort();
  return out;
}

/** A seeded generator of integers below n (a linear congruential one: the same series every run). */
function seeded(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
}

/** Removes or sets one of `files` files at random, in the index and in the model (path -> names by line). */
function randomChange(
  index: WorkspaceIndex,
  model: Map<string, string[]>,
  rand: (n: number) => number,
  o: { files: number; removeOneIn: number; maxNames: number; pool: string[] },
): void {
  const path = `f${rand(o.files)}.c`;
  if (rand(o.removeOneIn) === 0) {
    index.remove(path);
    model.delete(path);
  } else {
    const names = Array.from({ length: rand(o.maxNames) }, () => o.pool[rand(o.pool.length)]);
    index.set(entry(path, names.map((n, line) => sym(n, line))));
    model.set(path, names);
  }
}

/** What lookupAll should give for the model. */
function expectedFromModel(model: Map<string, string[]>): Record<string, string[]> {
  const expected: Record<string, string[]> = {};
  for (const [p, names] of model) names.forEach((n, line) => (expected[n] ??= []).push(`${p}:${line}`));
  const sorted: Record<string, string[]> = {};
  for (const k of Object.keys(expected).sort()) sorted[k] = expected[k].sort();
  return sorted;
}

describe('letterMask', () => {
  it('sets one bit per letter, one for digits, one for underscore', () => {
    expect(letterMask('a')).toBe(1);
    expect(letterMask('abc')).toBe(7);
    expect(letterMask('z')).toBe(1 << 25);
    expect(letterMask('09')).toBe(1 << 26);
    expect(letterMask('_')).toBe(1 << 27);
    expect(letterMask('a_1a')).toBe(1 | (1 << 26) | (1 << 27));
    expect(letterMask('')).toBe(0);
  });
});

describe('WorkspaceIndex: set, replace, remove', () => {
  it('set adds files and their symbols by name', () => {
    const index = new WorkspaceIndex();
    index.set(entry('a.c', [sym('Open', 1), sym('Close', 5), sym('Open', 9)]));
    index.set(entry('b.c', [sym('Open', 2)]));
    expect(index.fileCount).toBe(2);
    expect(lookupAll(index)).toEqual({ Close: ['a.c:5'], Open: ['a.c:1', 'a.c:9', 'b.c:2'] });
    expect(lookupAll(index)).toEqual(expectedFromFiles(index));
    expect(index.lookup('Missing')).toEqual([]);
  });

  it('replacing a file drops its old names and keeps the others', () => {
    const index = new WorkspaceIndex();
    index.set(entry('a.c', [sym('Open', 1), sym('OnlyInOld', 3)]));
    index.set(entry('b.c', [sym('Open', 2)]));
    const namesBefore = index.names();
    expect(visibleNames(namesBefore)).toEqual(['OnlyInOld', 'Open']);
    index.set(entry('a.c', [sym('Open', 7), sym('OnlyInNew', 8)]));
    expect(index.fileCount).toBe(2);
    expect(lookupAll(index)).toEqual({ OnlyInNew: ['a.c:8'], Open: ['a.c:7', 'b.c:2'] });
    expect(visibleNames(index.names())).toEqual(['OnlyInNew', 'Open']);
    expect(lookupAll(index)).toEqual(expectedFromFiles(index));
  });

  it('remove drops the file and names no other file has', () => {
    const index = new WorkspaceIndex();
    index.set(entry('a.c', [sym('Shared', 1), sym('Mine', 2)]));
    index.set(entry('b.c', [sym('Shared', 3)]));
    expect(index.remove('a.c')).toBe(true);
    expect(index.remove('a.c')).toBe(false);
    expect(index.remove('never.c')).toBe(false);
    expect(index.get('a.c')).toBeUndefined();
    expect(index.fileCount).toBe(1);
    expect(lookupAll(index)).toEqual({ Shared: ['b.c:3'] });
    expect(visibleNames(index.names())).toEqual(['Shared']);
    index.remove('b.c');
    expect(visibleNames(index.names())).toEqual([]);
    expect(index.fileCount).toBe(0);
  });

  it('names() carries lower-case copies and masks in step with the names', () => {
    const index = new WorkspaceIndex();
    index.set(entry('a.c', [sym('AllocMem', 1), sym('FREE_2', 2)]));
    const view = index.names();
    expect(view.tables).toHaveLength(1);
    const t = view.tables[0];
    const i = t.names.indexOf('FREE_2');
    expect(t.lower[i]).toBe('free_2');
    expect(t.masks[i]).toBe(letterMask('free_2'));
    expect(t.names.length).toBe(t.lower.length);
    expect(t.masks.length).toBe(t.names.length);
    // Unchanged names: the same table objects are handed out again.
    index.set(entry('b.c', [sym('AllocMem', 3)]));
    expect(index.names().tables).toEqual([t]);
    expect(index.names().tables[0]).toBe(t);
  });

  it('stays consistent through a long series of random sets and removes', () => {
    const rand = seeded(7);
    const index = new WorkspaceIndex();
    const model = new Map<string, string[]>();
    for (let step = 0; step < 300; step++) {
      randomChange(index, model, rand, { files: 12, removeOneIn: 4, maxNames: 5, pool: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] });
      expect(lookupAll(index)).toEqual(expectedFromModel(model));
      expect(index.fileCount).toBe(model.size);
    }
  });

  it('accepts an already packed file', () => {
    const index = new WorkspaceIndex();
    const stored = index.set(packFile(entry('p.c', [sym('Packed', 4)])));
    expect(stored.path).toBe('p.c');
    expect(index.get('p.c')).toBe(stored);
    expect(index.lookup('Packed').map((r) => r.line)).toEqual([4]);
  });

  it('gives every stored file a new id', () => {
    const index = new WorkspaceIndex();
    const a = index.set(entry('a.c', []));
    const b = index.set(entry('b.c', []));
    const a2 = index.set(entry('a.c', []));
    expect(new Set([a.id, b.id, a2.id]).size).toBe(3);
    expect([...index.allFiles()].map((f) => f.path).sort()).toEqual(['a.c', 'b.c']);
  });
});

describe('SymbolRef', () => {
  const LIB: ArosInfo = { form: 'library', macro: 'AROS_LH1', lvo: 5, library: 'W' };
  const CONF: ArosInfo = { form: 'library', macro: 'conf', lvo: 5, library: 'w' };
  const index = new WorkspaceIndex();
  index.set(
    entry('w.c', [
      sym('Lib', 1, { aros: LIB }),
      sym('Conf', 2, { aros: CONF, definition: false }),
      sym('S', 3, { kind: 'struct' }),
      sym('f', 4, { kind: 'field', parent: 2 }),
      sym('proto', 5, { definition: false }),
    ]),
  );

  it('reads the cheap facts from the table', () => {
    const facts = index.refsOf(index.get('w.c')!).map((r) => [r.name, r.kind, r.definition, r.fromConf, r.libraryFunction, r.line, r.containerName]);
    expect(facts).toEqual([
      ['Lib', 'function', true, false, true, 1, undefined],
      ['Conf', 'function', false, true, true, 2, undefined],
      ['S', 'struct', true, false, false, 3, undefined],
      ['f', 'field', true, false, false, 4, 'S'],
      ['proto', 'function', false, false, false, 5, undefined],
    ]);
    expect(index.lookup('f')[0].selectionRange).toEqual({ start: { line: 4, character: 4 }, end: { line: 4, character: 5 } });
  });

  it('decodes the details on demand', () => {
    expect(index.lookup('Lib')[0].symbol).toEqual(sym('Lib', 1, { aros: LIB }));
    expect(index.lookup('f')[0].symbol.parent).toBe(2);
  });
});

describe('filesMentioning', () => {
  it('finds whole identifiers only', () => {
    const index = new WorkspaceIndex();
    index.set(entry('a.c', [], ['AllocMem', 'FreeMem']));
    index.set(entry('b.c', [], ['AllocMemX', 'Alloc']));
    index.set(entry('c.c', [], ['AllocMem']));
    index.set(entry('d.c', [], []));
    expect(index.filesMentioning('AllocMem').sort()).toEqual(['a.c', 'c.c']);
    expect(index.filesMentioning('Alloc')).toEqual(['b.c']);
    expect(index.filesMentioning('FreeMem')).toEqual(['a.c']);
    expect(index.filesMentioning('Mem')).toEqual([]);
    expect(index.filesMentioning('Nowhere')).toEqual([]);
  });

  it('forgets removed and replaced files', () => {
    const index = new WorkspaceIndex();
    index.set(entry('a.c', [], ['Old']));
    index.set(entry('a.c', [], ['New']));
    expect(index.filesMentioning('Old')).toEqual([]);
    expect(index.filesMentioning('New')).toEqual(['a.c']);
    index.remove('a.c');
    expect(index.filesMentioning('New')).toEqual([]);
  });
});

describe('symbolsOf: the decoded-file LRU', () => {
  it('returns the right symbols for every file after older ones are evicted', () => {
    const index = new WorkspaceIndex();
    const n = 300;
    for (let i = 0; i < n; i++) index.set(entry(`f${i}.c`, [sym(`fn${i}`, i), sym(`var${i}`, i + 1, { kind: 'variable' })]));
    const check = (i: number): void => {
      const f = index.get(`f${i}.c`)!;
      expect(index.symbolsOf(f)).toEqual([sym(`fn${i}`, i), sym(`var${i}`, i + 1, { kind: 'variable' })]);
    };
    for (let i = 0; i < n; i++) check(i);
    // f0..f43 have been evicted by now; read them again, then the rest, twice over.
    for (let i = 0; i < n; i++) check(i);
    for (let i = n - 1; i >= 0; i--) check(i);
  });

  it('keeps a recently used file decoded (same array) and re-decodes an evicted one', () => {
    const index = new WorkspaceIndex();
    for (let i = 0; i < 800; i++) index.set(entry(`f${i}.c`, [sym(`fn${i}`, i)]));
    const read = (from: number, to: number): void => {
      for (let i = from; i < to; i++) index.symbolsOf(index.get(`f${i}.c`)!);
    };
    const first = index.get('f0.c')!;
    const a = index.symbolsOf(first);
    read(1, 256); // 256 decoded: f0 is the oldest but still there
    expect(index.symbolsOf(first)).toBe(a); // and now the newest
    read(256, 511); // 255 newer files evict f1..f255, not f0
    expect(index.symbolsOf(first)).toBe(a);
    read(511, 767); // 256 newer files push f0 out
    const again = index.symbolsOf(first);
    expect(again).not.toBe(a);
    expect(again).toEqual(a);
  });

  it('filesNamed finds files by their last path segment as files come and go', () => {
    const index = new WorkspaceIndex();
    index.set(entry('compiler/include/exec/types.h', []));
    index.set(entry('arch/x/exec/types.h', []));
    index.set(entry('rom/dos/types.c', []));
    expect(index.filesNamed('types.h').sort()).toEqual(['arch/x/exec/types.h', 'compiler/include/exec/types.h']);
    index.set(entry('arch/x/exec/types.h', [sym('Again', 1)]));
    expect(index.filesNamed('types.h')).toHaveLength(2);
    index.remove('arch/x/exec/types.h');
    expect(index.filesNamed('types.h')).toEqual(['compiler/include/exec/types.h']);
    index.remove('compiler/include/exec/types.h');
    expect(index.filesNamed('types.h')).toEqual([]);
    expect(index.filesNamed('nothing.h')).toEqual([]);
  });

  it('an analysed entry keeps its own symbols as the decoded ones; a packed entry is decoded from its bytes', () => {
    const index = new WorkspaceIndex();
    const analysed = entry('open.c', [sym('Typed', 1), sym('Other', 4)]);
    const stored = index.set(analysed);
    expect(index.symbolsOf(stored)).toBe(analysed.symbols);
    const packed = index.set(packFile(entry('disk.c', [sym('OnDisk', 2)])));
    const decoded = index.symbolsOf(packed);
    expect(decoded.map((s) => s.name)).toEqual(['OnDisk']);
    expect(index.symbolsOf(packed)).toBe(decoded);
  });

  it('a replaced file decodes its new symbols, not the cached old ones', () => {
    const index = new WorkspaceIndex();
    const old = index.set(entry('a.c', [sym('Old', 1)]));
    expect(index.symbolsOf(old)[0].name).toBe('Old');
    const neu = index.set(entry('a.c', [sym('New', 2)]));
    expect(index.symbolsOf(neu).map((s) => s.name)).toEqual(['New']);
    expect(index.lookup('New')[0].symbol.name).toBe('New');
  });
});

describe('the name tables after edits', () => {
  it('follow names that appear and disappear as files are set and replaced', () => {
    const index = new WorkspaceIndex();
    const base = ['AllocMem', 'allocVec', 'FreeMem', 'Zeta', 'alpha', 'Beta', 'beta', 'MEMF_CLEAR'];
    base.forEach((n, i) => index.set(entry(`f${i}.c`, [sym(n, i)])));
    const before = index.names();
    expect(nameCount(before)).toBe(base.length);
    // An edited document: one name goes, three come (one of them tied in lower case with an old one).
    index.set(entry('f2.c', [sym('FreeVec', 1), sym('ALPHA', 2), sym('aaa_first', 3)]));
    index.set(entry('new.c', [sym('zz_last', 1)]));
    const after = index.names();
    const live = [...new Set([...index.allFiles()].flatMap((f) => f.names))].sort();
    expect(visibleNames(after)).toEqual(live);
    expect(visibleNames(after)).not.toContain('FreeMem');
    for (const t of after.tables) {
      expect(t.lower).toEqual([...t.lower].sort());
      t.names.forEach((n, i) => {
        expect(t.masks[i]).toBe(letterMask(n.toLowerCase()));
        expect(t.lower[i]).toBe(n.toLowerCase());
      });
    }
    // The view a caller held is unchanged.
    expect(visibleNames(before)).toContain('FreeMem');
  });
});

function visibleNames(view: NameView): string[] {
  return view.tables.flatMap((t) => t.names.filter((n) => !view.gone.has(n))).sort();
}

describe('loadBase: the files of a cache put in at once', () => {
  /** Packed entries with the numbers of their names in one directory, as a loaded cache gives them. */
  function cacheOf(files: Array<[string, string[]]>): { directory: NameDirectory; entries: PackedFile[]; ids: Int32Array[] } {
    const entries = files.map(([path, names]) => packFile(entry(path, names.map((n, line) => sym(n, line)))));
    const all = [...new Set(entries.flatMap((e) => e.names))];
    // Two tables, as a cache holds several.
    const directory = new NameDirectory([buildNameTable(all.slice(0, 3)), buildNameTable(all.slice(3))]);
    return { directory, entries, ids: entries.map((e) => Int32Array.from(e.names, (n) => directory.idOf(n))) };
  }

  function expectTablesSound(index: WorkspaceIndex): void {
    const view = index.names();
    const seen = new Set<string>();
    for (const t of view.tables) {
      expect(t.lower).toEqual([...t.lower].sort());
      t.names.forEach((n, i) => {
        expect(seen.has(n)).toBe(false);
        seen.add(n);
        expect(t.lower[i]).toBe(n.toLowerCase());
        expect(t.masks[i]).toBe(letterMask(n.toLowerCase()));
      });
    }
    expect(visibleNames(view)).toEqual([...new Set([...index.allFiles()].flatMap((f) => f.names))].sort());
  }

  for (const eager of [true, false]) {
    it(`answers as if each file had been set, through random changes (${eager ? 'eager' : 'lazy'} name tables)`, () => {
      const rand = seeded(11);
      const pool = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'Ab', 'ab'];
      const model = new Map<string, string[]>();
      const files: Array<[string, string[]]> = [];
      for (let i = 0; i < 10; i++) {
        const names = Array.from({ length: 1 + rand(4) }, () => pool[rand(pool.length)]);
        files.push([`f${i}.c`, names]);
        model.set(`f${i}.c`, names);
      }
      const { directory, entries, ids } = cacheOf(files);
      const index = new WorkspaceIndex({ eager, chunk: 4 });
      expect(index.loadBase(directory, entries, ids)).toBe(true);
      expect(index.loadBase(directory, entries, ids)).toBe(false);
      const check = (): void => {
        expect(lookupAll(index)).toEqual(expectedFromModel(model));
        expect(index.fileCount).toBe(model.size);
        expectTablesSound(index);
      };
      check();
      for (let step = 0; step < 200; step++) {
        randomChange(index, model, rand, { files: 14, removeOneIn: 3, maxNames: 4, pool });
        if (step % 7 === 0) check();
      }
      check();
      index.settleNames();
      check();
    });
  }

  it('keeps what came first (an open document) and what is skipped out of the base', () => {
    const index = new WorkspaceIndex({ eager: true });
    index.set(entry('doc.c', [sym('Edited', 0), sym('Shared', 1)]));
    const { directory, entries, ids } = cacheOf([
      ['doc.c', ['OnDisk', 'Shared']],
      ['other.c', ['Shared', 'Other']],
      ['owned.c', ['Owned']],
    ]);
    expect(index.loadBase(directory, entries, ids, (p) => p === 'owned.c')).toBe(true);
    expect(index.get('doc.c')?.names).toEqual(['Edited', 'Shared']);
    expect(index.get('owned.c')).toBeUndefined();
    expect(index.lookup('OnDisk')).toEqual([]);
    expect(index.lookup('Owned')).toEqual([]);
    expect(index.lookup('Shared').map((r) => r.file.path).sort()).toEqual(['doc.c', 'other.c']);
    expectTablesSound(index);
    // The base copy of doc.c never counts: removing the document leaves its names to other.c alone.
    index.remove('doc.c');
    expect(index.lookup('Shared').map((r) => r.file.path)).toEqual(['other.c']);
    expectTablesSound(index);
    // A skipped entry put in later (no longer owned) is an ordinary file: in, then out again, cleanly.
    index.set(entries[2]);
    expect(index.lookup('Owned').map((r) => r.file.path)).toEqual(['owned.c']);
    index.remove('owned.c');
    expect(index.lookup('Owned')).toEqual([]);
    expect(index.lookup('Other').map((r) => r.file.path)).toEqual(['other.c']);
    expectTablesSound(index);
  });

  it('answers a file whose details cannot be read from its table, and says which file it is', () => {
    const damaged: string[] = [];
    const index = new WorkspaceIndex({ onDamaged: (path, reason) => damaged.push(`${path}: ${reason}`) });
    const { directory, entries, ids } = cacheOf([['bad.c', ['Broken', 'Fine']]]);
    const bad = entries[0];
    const withBadBytes: PackedFile = Object.defineProperty({ ...bad }, 'details', {
      get: () => {
        throw new Error('the details are corrupt');
      },
    });
    index.loadBase(directory, [withBadBytes], ids);
    const file = index.get('bad.c');
    if (!file) throw new Error('not loaded');
    const symbols = index.symbolsOf(file);
    expect(symbols.map((s) => [s.name, s.kind, s.selectionRange.start.line, s.signature])).toEqual([
      ['Broken', 'function', 0, undefined],
      ['Fine', 'function', 1, undefined],
    ]);
    expect(damaged).toEqual(['bad.c: the details are corrupt']);
  });
});

describe('the name map, built on first need', () => {
  it('answers after files came, went and were replaced before anything was asked', async () => {
    const index = new WorkspaceIndex();
    index.set(entry('a.c', [sym('AllocMem', 0), sym('Shared', 1)]));
    index.set(entry('b.c', [sym('Shared', 0), sym('Gone', 1)]));
    index.set(entry('c.c', [sym('Replaced', 0)]));
    index.remove('b.c');
    index.set(entry('c.c', [sym('Fresh', 0), sym('Shared', 3)]));
    // The tables for a cache come straight from the files.
    expect((await index.liveNameTables()).flatMap((t) => t.names).sort()).toEqual(['AllocMem', 'Fresh', 'Shared']);
    expect(lookupAll(index)).toEqual({ AllocMem: ['a.c:0'], Fresh: ['c.c:0'], Shared: ['a.c:1', 'c.c:3'] });
    // From here on it follows changes.
    index.set(entry('d.c', [sym('AllocMem', 5)]));
    index.remove('a.c');
    expect(lookupAll(index)).toEqual({ AllocMem: ['d.c:5'], Fresh: ['c.c:0'], Shared: ['c.c:3'] });
    expect(visibleNames(index.names())).toEqual(['AllocMem', 'Fresh', 'Shared']);
  });
});
