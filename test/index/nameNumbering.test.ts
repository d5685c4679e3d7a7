import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeC } from '../../server/src/index/analyze';
import { saveIndexCache } from '../../server/src/index/indexCache';
import { NameDirectory } from '../../server/src/index/nameDirectory';
import { NameNumbering } from '../../server/src/index/nameNumbering';
import { storedNameTables } from '../../server/src/index/nameTables';
import { packFile, type PackedFile } from '../../server/src/index/packedFile';

const entry = (names: string[]): { names: string[] } => ({ names });

/** Each entry's names read back through the tables' numbering. */
function namesBack(tables: Array<{ names: string[] }>, ids: Int32Array): string[] {
  const flat = tables.flatMap((t) => t.names);
  return Array.from(ids, (id) => flat[id]);
}

describe('NameNumbering', () => {
  const files = [entry(['Zeta', 'alpha', 'Beta', 'alpha']), entry(['beta', 'Alpha', 'gamma']), entry(['delta', 'Zeta', 'eps', 'ALPHA'])];

  it('numbers every name added, once, in tables ordered as name tables are', () => {
    const numbering = new NameNumbering(3);
    for (const f of files) numbering.add(f);
    const { tables, idsOf } = numbering.finish();
    const arrival = ['Zeta', 'alpha', 'Beta', 'beta', 'Alpha', 'gamma', 'delta', 'eps', 'ALPHA'];
    // Tables of three, in arrival order, each sorted as storedNameTables sorts (lower case, ties as they came).
    expect(tables.map((t) => t.names)).toEqual(storedNameTables(arrival, 3).map((t) => t.names));
    expect(tables.map((t) => t.names)).toEqual([
      ['alpha', 'Beta', 'Zeta'],
      ['Alpha', 'beta', 'gamma'],
      ['ALPHA', 'delta', 'eps'],
    ]);
    for (const f of files) expect(namesBack(tables, idsOf(f) as Int32Array)).toEqual(f.names);
  });

  it('a table still filling is sorted at the finish; an entry never added has no numbers', () => {
    const numbering = new NameNumbering(8192);
    numbering.add(files[0]);
    const { tables, idsOf } = numbering.finish();
    expect(tables.map((t) => t.names)).toEqual([['alpha', 'Beta', 'Zeta']]);
    expect(Array.from(idsOf(files[0]) as Int32Array)).toEqual([2, 0, 1, 0]);
    expect(idsOf(files[1])).toBeUndefined();
  });

  it('many names over many tables: every entry reads back its own names', () => {
    const numbering = new NameNumbering(64);
    const many = Array.from({ length: 300 }, (_, k) => entry(Array.from({ length: 1 + (k % 7) }, (_, i) => `N${(k * 31 + i * 17) % 997}_${i % 3 ? 'x' : 'Y'}`)));
    for (const f of many) numbering.add(f);
    const { tables, idsOf } = numbering.finish();
    const all = tables.flatMap((t) => t.names);
    expect(new Set(all).size).toBe(all.length);
    for (const t of tables) expect(t.names.map((n) => n.toLowerCase())).toEqual(t.names.map((n) => n.toLowerCase()).sort());
    for (const f of many) expect(namesBack(tables, idsOf(f) as Int32Array)).toEqual(f.names);
  });

  it('hashes the names as the name directory does, growing its slots as they come', async () => {
    const numbering = new NameNumbering(5);
    const many = Array.from({ length: 40 }, (_, k) => entry([`n${k}`, `N${k % 9}`, `shared`]));
    const seen: number[] = [];
    for (const f of many) {
      numbering.add(f);
      const { tables, slots } = numbering.finish();
      const built = await NameDirectory.build(tables, async () => undefined);
      expect(Array.from(slots as Int32Array)).toEqual(Array.from(built.slots));
      seen.push((slots as Int32Array).length);
    }
    expect(new Set(seen).size).toBeGreaterThan(2);
    const { tables } = numbering.finish();
    for (const t of tables) expect(Buffer.from(t.bytes as Uint8Array).toString('utf8')).toBe(t.names.join('\0'));
  });

  it('a cache saved with the numbers given is the cache saved with them looked up, byte for byte', async () => {
    const texts = ['struct S { int a; int b; };\nint f(void);\n', 'typedef long T;\nint f(void) { return 0; }\nint g;\n', 'enum E { A, B };\nstruct S *s;\n'];
    const entries: PackedFile[] = texts.map((text, i) => packFile({ ...analyzeC(text).analysis, path: `f${i}.c`, hash: `h${i}`, size: text.length, mtimeMs: 1000 + i, encoding: 'utf8' }));
    const numbering = new NameNumbering(2);
    for (const e of entries) numbering.add(e);
    // One file that the numbering never saw (an open document put in by someone else).
    const other = packFile({ ...analyzeC('int late_name;\n').analysis, path: 'late.c', hash: 'h9', size: 15, mtimeMs: 9, encoding: 'utf8' });
    const known = numbering.finish();
    const { tables } = known;
    const dirs = [mkdtempSync(path.join(os.tmpdir(), 'nn-')), mkdtempSync(path.join(os.tmpdir(), 'nn-'))];
    try {
      await saveIndexCache(dirs[0], [...entries, other], tables.map((t) => ({ names: [...t.names] })));
      await saveIndexCache(dirs[1], [...entries, other], tables, known);
      const [a, b] = dirs.map((d) => readFileSync(path.join(d, 'index.bin')));
      expect(b.equals(a)).toBe(true);
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
