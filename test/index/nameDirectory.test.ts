import { describe, it, expect } from 'vitest';
import { NameDirectory } from '../../server/src/index/nameDirectory';
import { buildNameTable } from '../../server/src/index/nameTables';

describe('NameDirectory', () => {
  it('numbers names table by table and finds each exactly, case and all', () => {
    const a = buildNameTable(['AllocMem', 'allocmem', 'FreeMem']);
    const b = buildNameTable(['ALLOCMEM', 'Zeta', '']);
    const d = new NameDirectory([a, b]);
    expect(d.size).toBe(6);
    expect(d.start(0)).toBe(0);
    expect(d.start(1)).toBe(3);
    const all = [...a.names, ...b.names];
    expect(all.map((_, id) => d.nameAt(id))).toEqual(all);
    all.forEach((name, id) => expect(d.idOf(name)).toBe(id));
    // Same lower case, other names: not found.
    expect(d.idOf('allocMem')).toBe(-1);
    expect(d.idOf('Free')).toBe(-1);
    expect(d.idOf('FreeMemX')).toBe(-1);
  });

  it('finds names outside ASCII, and tells apart names that differ only in case', () => {
    const names = ['Größe', 'Grüße', 'Gröss', 'GROSS', 'Ωmega', 'ωmega', 'K\u212Aelvin', 'kkelvin'];
    const d = new NameDirectory([buildNameTable(names)]);
    for (const n of names) expect(d.nameAt(d.idOf(n))).toBe(n);
    expect(d.idOf('Grösse')).toBe(-1);
    expect(d.idOf('ΩMEGA')).toBe(-1);
  });

  it('holds many names with short probes and no false hits', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `name_${i.toString(36)}`);
    const d = new NameDirectory([buildNameTable(names.slice(0, 8192)), buildNameTable(names.slice(8192))]);
    for (const n of names) expect(d.nameAt(d.idOf(n))).toBe(n);
    for (let i = 20_000; i < 21_000; i++) expect(d.idOf(`name_${i.toString(36)}`)).toBe(-1);
  });

  it('is empty without tables', () => {
    const d = new NameDirectory([]);
    expect(d.size).toBe(0);
    expect(d.idOf('x')).toBe(-1);
  });
});
