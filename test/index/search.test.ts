import { describe, it, expect } from 'vitest';
import type { FileEntry } from '../../server/src/index/fileIndex';
import { compareRefs, scoreName, searchSymbols, segments } from '../../server/src/index/search';
import type { ArosInfo, SymbolInfo, SymbolKind } from '../../server/src/index/types';
import { WorkspaceIndex } from '../../server/src/index/workspaceIndex';

interface Spec {
  name: string;
  kind?: SymbolKind;
  definition?: boolean;
  line?: number;
  aros?: ArosInfo;
}

function sym(s: Spec): SymbolInfo {
  const line = s.line ?? 0;
  return {
    name: s.name,
    kind: s.kind ?? 'function',
    definition: s.definition ?? true,
    range: { start: { line, character: 0 }, end: { line, character: 10 } },
    selectionRange: { start: { line, character: 4 }, end: { line, character: 4 + s.name.length } },
    aros: s.aros,
  };
}

function entry(path: string, specs: Spec[]): FileEntry {
  return {
    path,
    hash: `h-${path}`,
    size: 100,
    mtimeMs: 1,
    encoding: 'utf8',
    lines: 100,
    symbols: specs.map(sym),
    includes: [],
    breadcrumbs: [],
    identifiers: specs.map((s) => s.name),
    hasErrors: false,
  };
}

function indexOf(files: Record<string, Spec[]>): WorkspaceIndex {
  const index = new WorkspaceIndex();
  for (const [path, specs] of Object.entries(files)) index.set(entry(path, specs));
  return index;
}

/** One file holding one function per name. */
function namesIndex(names: string[]): WorkspaceIndex {
  return indexOf({ 'a.c': names.map((name, line) => ({ name, line })) });
}

function search(index: WorkspaceIndex, q: string, limit?: number): string[] {
  return searchSymbols(index, q, limit === undefined ? {} : { limit }).map((r) => r.name);
}

const LIBRARY: ArosInfo = { form: 'library', macro: 'AROS_LH2', baseType: 'struct ExecBase *', baseName: 'SysBase', lvo: 33, library: 'Exec' };
const CONF: ArosInfo = { form: 'library', macro: 'conf', lvo: 33, library: 'exec' };

describe('segments', () => {
  it('splits identifiers into lower-case words', () => {
    const cases: Record<string, string[]> = {
      AllocPooled: ['alloc', 'pooled'],
      ai_phase_id: ['ai', 'phase', 'id'],
      RastPort: ['rast', 'port'],
      HTTPServer: ['http', 'server'],
      IOStdReq: ['io', 'std', 'req'],
      getURL: ['get', 'url'],
      GetRPAttrsA: ['get', 'rp', 'attrs', 'a'],
      AROS_LH2: ['aros', 'lh2'],
      ReadPixelArray8: ['read', 'pixel', 'array8'],
      __init__: ['init'],
      Foo__Bar: ['foo', 'bar'],
      ULONG: ['ulong'],
      a1b: ['a1b'],
      x: ['x'],
      _: [],
      '': [],
    };
    for (const [name, want] of Object.entries(cases)) expect([name, segments(name)]).toEqual([name, want]);
  });
});

describe('scoreName', () => {
  const score = (name: string, q: string): number => scoreName(name, q);

  it('ranks exact > exact ignoring case > prefix > word segments > substring > fuzzy', () => {
    expect(score('alpo', 'alpo')).toBe(1000);
    expect(score('ALPO', 'alpo')).toBe(950);
    expect(score('alpoX', 'alpo')).toBe(799);
    expect(score('AllocPooled', 'alpo')).toBe(687.25);
    expect(score('xalpox', 'alpo')).toBe(397.5);
    expect(score('aXlXpXo', 'alpo')).toBe(185);
    expect(score('alp', 'alpo')).toBe(0);
    expect(score('opla', 'alpo')).toBe(0);
  });

  it('a longer name with the same prefix scores lower, down to a floor', () => {
    expect(score('AllocMem', 'alloc')).toBe(797);
    expect(score('AllocMemWithAVeryLongTail', 'alloc')).toBe(780);
    expect(score(`Alloc${'x'.repeat(200)}`, 'alloc')).toBe(700);
  });

  it('one letter matches only names that start with it', () => {
    expect(score('Alloc', 'a')).toBe(796);
    expect(score('bal', 'a')).toBe(0);
    expect(score('a', 'a')).toBe(1000);
  });

  it('two letters: word initials from the start, or a substring, never fuzzy', () => {
    expect(score('RastPort', 'rp')).toBe(688);
    expect(score('grp', 'rp')).toBe(398.25);
    expect(score('rxxp', 'rp')).toBe(0);
    expect(score('xrxp', 'rp')).toBe(0);
  });

  it('names and queries outside ASCII match as prefixes and substrings', () => {
    expect(score('Größe', 'grö')).toBe(798);
    expect(score('maxGröße', 'größe')).toBe(395);
    expect(score('Größe', 'gre')).toBe(0);
    expect(score('AllocMem', 'allocmé')).toBe(0);
  });

  it('agrees with a plain reading of the rules on strings, for random names and queries', () => {
    // The search reads packed bytes with segment marks; this reference reads
    // the strings the way the rules are written.
    let seed = 777;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65536) % n;
    };
    const parts = ['Alloc', 'Pool', 'MEM', 'free', 'Vec', '_', 'x', 'LH2', 'io', 'Sig', 'RP', 'ab'];
    for (let n = 0; n < 3000; n++) {
      const name = Array.from({ length: 1 + rand(5) }, () => parts[rand(parts.length)]).join('');
      const lower = name.toLowerCase();
      // Queries: pieces of the name (so most match somehow) and random letters.
      const from = rand(lower.length);
      const pieces = [lower.slice(from, from + 1 + rand(6)), segments(name).map((s) => s.slice(0, 1 + rand(3))).join(''), 'apo'.slice(0, 1 + rand(3))];
      for (const q of pieces) if (q.trim()) expect([name, q, scoreName(name, q)]).toEqual([name, q, referenceScore(name, q)]);
    }
  });
});

/** The ranking rules read straight off the strings, without the search's shortcuts. */
function referenceScore(name: string, q: string): number {
  const lower = name.toLowerCase();
  const ql = q.toLowerCase();
  const at = lower.indexOf(ql);
  if (at === 0) return name === q ? 1000 : lower.length === ql.length ? 950 : 800 - Math.min(100, lower.length - ql.length);
  if (ql.length === 1) return 0;
  const substring = 400 - Math.min(100, at) - Math.min(50, lower.length / 4);
  const short = ql.length < 3;
  if (short && lower[0] !== ql[0]) return at > 0 ? substring : 0;
  const segs = segments(name);
  const bySegments = (qi: number, si: number): boolean =>
    qi === ql.length || segs.slice(si).some((seg, k) => [...Array(seg.length).keys()].some((t) => ql.startsWith(seg.slice(0, t + 1), qi) && bySegments(qi + t + 1, si + k + 1)));
  if (segs.length >= 2 && bySegments(0, 0)) return 600 + 100 - Math.min(90, segs.length * 5) - Math.min(50, name.length / 4);
  if (at > 0) return substring;
  if (short) return 0;
  let j = 0;
  let first = -1;
  let last = 0;
  for (let i = 0; i < lower.length && j < ql.length; i++) {
    if (lower[i] === ql[j]) {
      if (first < 0) first = i;
      last = i;
      j++;
    }
  }
  return j < ql.length ? 0 : 100 + Math.max(0, 100 - (last - first + 1 - ql.length) * 5);
}

describe('searchSymbols: name ranking', () => {
  it('orders exact, prefix, segments, substring, fuzzy', () => {
    const index = namesIndex(['aXlXpXo', 'xalpox', 'zzz', 'AllocPooled', 'alp', 'alpoX', 'ALPO', 'alpo']);
    expect(search(index, 'alpo')).toEqual(['alpo', 'ALPO', 'alpoX', 'AllocPooled', 'xalpox', 'aXlXpXo']);
  });

  it('trims the query and returns nothing for an empty one', () => {
    const index = namesIndex(['alpo']);
    expect(search(index, '  alpo  ')).toEqual(['alpo']);
    expect(search(index, '')).toEqual([]);
    expect(search(index, '   ')).toEqual([]);
  });

  it('one-letter queries give prefixes only', () => {
    expect(search(namesIndex(['bal', 'xa', 'Alloc', 'a', 'AbortIO']), 'a')).toEqual(['a', 'Alloc', 'AbortIO']);
  });

  it('ties go to the shorter name, then alphabetically', () => {
    expect(search(namesIndex(['FindTaskB', 'FindTaskA', 'FindPort', 'FindTask']), 'find')).toEqual(['FindPort', 'FindTask', 'FindTaskA', 'FindTaskB']);
  });

  it('matches ignoring case', () => {
    expect(search(namesIndex(['AllocMem', 'allocmem_hook']), 'ALLOCMEM')).toEqual(['AllocMem', 'allocmem_hook']);
  });

  it('two-letter queries find word initials and substrings', () => {
    expect(search(namesIndex(['xrxp', 'grp', 'rxxp', 'RastPort']), 'rp')).toEqual(['RastPort', 'grp']);
  });
});

describe('searchSymbols: limit', () => {
  it('returns at most `limit` symbols, the best ones', () => {
    const names = Array.from({ length: 300 }, (_, i) => `Widget${String(i).padStart(3, '0')}`);
    const index = namesIndex(names);
    expect(searchSymbols(index, 'widget')).toHaveLength(200);
    expect(search(index, 'widget', 3)).toEqual(['Widget000', 'Widget001', 'Widget002']);
    expect(search(namesIndex(['ab', 'abc', 'abcd', 'xab']), 'ab', 2)).toEqual(['ab', 'abc']);
  });

  it('counts symbols, not names: one name with many symbols fills the limit', () => {
    const index = indexOf({
      'a.c': [{ name: 'Open', line: 1 }],
      'b.c': [{ name: 'Open', line: 1 }],
      'c.c': [{ name: 'Open', line: 1 }],
      'd.c': [{ name: 'OpenLibrary', line: 1 }],
    });
    expect(searchSymbols(index, 'open', { limit: 2 }).map((r) => `${r.name}@${r.file.path}`)).toEqual(['Open@a.c', 'Open@b.c']);
  });

  it('agrees with a plain sort of every name for every limit', () => {
    // A fixed pseudo-random set of names: the bounded heap must keep exactly the best ones.
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65536) % n;
    };
    const parts = ['Alloc', 'Pool', 'Mem', 'Free', 'Vec', 'Al', 'po', 'x', 'Lock', 'Sig'];
    const names = new Set<string>();
    for (let i = 0; i < 400 && names.size < 150; i++) names.add(Array.from({ length: 1 + rand(4) }, () => parts[rand(parts.length)]).join(''));
    const list = [...names];
    const index = namesIndex(list);
    const q = 'alpo';
    const expected = list
      .map((n) => ({ n, s: scoreName(n, q) }))
      .filter((x) => x.s > 0)
      .sort((a, b) => b.s - a.s || a.n.length - b.n.length || (a.n < b.n ? -1 : 1))
      .map((x) => x.n);
    expect(expected.length).toBe(20);
    for (const limit of [1, 2, 5, 13, expected.length, 500]) {
      expect(search(index, q, limit)).toEqual(expected.slice(0, limit));
    }
  });
});

describe('searchSymbols: prefix range', () => {
  it('a query no name starts with still finds the others (and the scan passes the empty range)', () => {
    const index = namesIndex(['Beta', 'AllocPooled', 'Zeta', 'MyPoolAlloc', 'Pointer']);
    // Both match by word segments; fewer segments rank first.
    expect(search(index, 'pool')).toEqual(['AllocPooled', 'MyPoolAlloc']);
    expect(search(index, 'zzz')).toEqual([]);
    expect(search(index, 'aaa')).toEqual([]);
  });

  it('when enough names start with the query, they are the answer', () => {
    const names = [...Array.from({ length: 5 }, (_, i) => `Init${i}`), 'MyInit', 'ReInit'];
    expect(search(namesIndex(names), 'init', 5)).toEqual(['Init0', 'Init1', 'Init2', 'Init3', 'Init4']);
    expect(search(namesIndex(names), 'init', 7)).toEqual(['Init0', 'Init1', 'Init2', 'Init3', 'Init4', 'MyInit', 'ReInit']);
  });
});

describe('searchSymbols: symbols of one name', () => {
  it('library bodies, definitions, macros and variables, members, prototypes, then .conf entries', () => {
    const index = indexOf({
      'compiler/include/clib/exec_protos.h': [{ name: 'AllocMem', definition: false, line: 9 }],
      'rom/exec/exec.conf': [{ name: 'AllocMem', definition: false, aros: CONF, line: 3 }],
      'compiler/include/defines/exec.h': [{ name: 'AllocMem', kind: 'macro', line: 20 }],
      'rom/exec/allocmem.c': [{ name: 'AllocMem', aros: LIBRARY, line: 40 }],
      'rom/exec/struct.h': [{ name: 'AllocMem', kind: 'field', line: 5 }],
      'workbench/other.c': [{ name: 'AllocMem', line: 2 }],
    });
    expect(searchSymbols(index, 'AllocMem').map((r) => r.file.path)).toEqual([
      'rom/exec/allocmem.c',
      'workbench/other.c',
      'compiler/include/defines/exec.h',
      'rom/exec/struct.h',
      'compiler/include/clib/exec_protos.h',
      'rom/exec/exec.conf',
    ]);
  });

  it('generic code before arch/, and arch/ before .unmaintained/; then by path, then by line', () => {
    const index = indexOf({
      '.unmaintained/old.c': [{ name: 'Setup', line: 1 }],
      'arch/m68k/setup.c': [{ name: 'Setup', line: 1 }],
      'workbench/.unmaintained/setup.c': [{ name: 'Setup', line: 1 }],
      'rom/setup.c': [
        { name: 'Setup', line: 30 },
        { name: 'Setup', line: 10 },
      ],
      'arch/all-pc/setup.c': [{ name: 'Setup', line: 1 }],
      'archive/setup.c': [{ name: 'Setup', line: 1 }],
    });
    expect(searchSymbols(index, 'Setup').map((r) => `${r.file.path}:${r.line}`)).toEqual([
      'archive/setup.c:1',
      'rom/setup.c:10',
      'rom/setup.c:30',
      'arch/all-pc/setup.c:1',
      'arch/m68k/setup.c:1',
      '.unmaintained/old.c:1',
      'workbench/.unmaintained/setup.c:1',
    ]);
  });

  it('kind rank comes before path rank', () => {
    const index = indexOf({
      'arch/x/f.c': [{ name: 'F', line: 1 }],
      'rom/f.h': [{ name: 'F', definition: false, line: 1 }],
    });
    expect(searchSymbols(index, 'F').map((r) => r.file.path)).toEqual(['arch/x/f.c', 'rom/f.h']);
  });

  it('compareRefs is a consistent order', () => {
    const index = indexOf({
      'b.c': [{ name: 'N', line: 2 }],
      'a.c': [{ name: 'N', line: 5 }],
    });
    const [x, y] = index.lookup('N');
    expect(compareRefs(x, y)).toBeGreaterThan(0);
    expect(compareRefs(y, x)).toBeLessThan(0);
    expect(compareRefs(x, x)).toBe(0);
  });

  it('names of better rank come before every symbol of worse names', () => {
    const index = indexOf({
      'x.conf': [{ name: 'Lock', definition: false, aros: CONF }],
      'y.c': [{ name: 'LockX', aros: LIBRARY }],
    });
    expect(searchSymbols(index, 'lock').map((r) => r.name)).toEqual(['Lock', 'LockX']);
  });
});

describe('searchSymbols: index changes', () => {
  it('sees names added and no longer sees names removed', () => {
    const index = namesIndex(['Alpha']);
    expect(search(index, 'alp')).toEqual(['Alpha']);
    index.set(entry('b.c', [{ name: 'Alpine' }]));
    expect(search(index, 'alp')).toEqual(['Alpha', 'Alpine']);
    index.remove('a.c');
    expect(search(index, 'alp')).toEqual(['Alpine']);
  });
});
