import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverFiles, discoverFilesInWorker, isIndexedPath, packListing, STEP_FILES, unpackListing } from '../../server/src/index/discover';
import { builtScript } from '../../server/src/index/workerScript';

let root: string;

function put(rel: string, content = 'int x;\n'): void {
  const abs = path.join(root, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, content);
}

const OPTIONS = { maxFileBytes: 50, exclude: ['rom/skip/', 'workbench/**/test_*.c'] };

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'aros-discover-'));
  put('.gitignore', '# generated\n\n/build\ngen.c\nobjs/\n*.gen.c\n');
  put('a.c');
  put('b.h');
  put('c.conf', '##begin config\n');
  put('D.C');
  put('E.H');
  put('notes.txt');
  put('x.cpp');
  put('y.hpp');
  put('build/out.c');
  put('src/build/keep_me.c');
  put('gen.c');
  put('src/gen.c');
  put('objs/o.c');
  put('src/objs/o.c');
  put('src/table.gen.c');
  put('src/table.c');
  put('lib/.gitignore', '*.c\n!keep.c\n/local.h\n');
  put('lib/keep.c');
  put('lib/drop.c');
  put('lib/local.h');
  put('lib/deep/local.h');
  put('lib/deep/x.c');
  put('lib/deep/keep.c');
  put('rom/skip/s.c');
  put('rom/ok.c');
  put('workbench/t/test_x.c');
  put('workbench/t/real.c');
  put('big.c', 'x'.repeat(51));
  put('edge.c', 'x'.repeat(50));
  put('.git/config.c');
  put('node_modules/m/m.c');
  put('.hg/h.c');
  put('.svn/s.c');
  symlinkSync(path.join(root, 'src'), path.join(root, 'link_dir'));
  symlinkSync(path.join(root, 'a.c'), path.join(root, 'link.c'));
  symlinkSync(root, path.join(root, 'src', 'loop'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const EXPECTED = [
  'D.C',
  'E.H',
  'a.c',
  'b.h',
  'c.conf',
  'edge.c',
  'lib/deep/keep.c',
  'lib/deep/local.h',
  'lib/keep.c',
  'rom/ok.c',
  'src/build/keep_me.c',
  'src/table.c',
  'workbench/t/real.c',
];

describe('isIndexedPath', () => {
  it('accepts .c, .h and .conf in any case, nothing else', () => {
    expect(['a.c', 'a.h', 'a.conf', 'A.C', 'x/y.H', 'lib.CONF'].map(isIndexedPath)).toEqual([true, true, true, true, true, true]);
    expect(['a.cpp', 'a.hpp', 'a.cc', 'a.conf.bak', 'a.c~', 'c', 'mmakefile.src', 'a.s'].map(isIndexedPath)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('discoverFiles', () => {
  it('lists exactly the indexed files, sorted, honouring .gitignore files and the configured excludes', async () => {
    const result = await discoverFiles(root, OPTIONS);
    expect(result.files.map((f) => f.path)).toEqual(EXPECTED);
  });

  it('reports too-large files with the reason, and nothing else as skipped', async () => {
    const result = await discoverFiles(root, OPTIONS);
    expect(result.skipped).toEqual([{ path: 'big.c', reason: 'too large: 51 bytes (limit 50)' }]);
  });

  it('gives each file its size and mtime', async () => {
    const result = await discoverFiles(root, OPTIONS);
    const edge = result.files.find((f) => f.path === 'edge.c');
    const st = statSync(path.join(root, 'edge.c'));
    expect(edge).toEqual({ path: 'edge.c', size: 50, mtimeMs: st.mtimeMs });
  });

  it('without excludes, the excluded files come back (and .gitignore rules still apply)', async () => {
    const result = await discoverFiles(root, { maxFileBytes: 1000 });
    expect(result.files.map((f) => f.path)).toEqual(
      [...EXPECTED, 'big.c', 'rom/skip/s.c', 'workbench/t/test_x.c'].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    expect(result.skipped).toEqual([]);
  });

  it('a .gitignore applies below its own directory only', async () => {
    const result = await discoverFiles(path.join(root, 'src'), { maxFileBytes: 1000 });
    // From src/, the root .gitignore is not seen: gen.c, objs/ and *.gen.c come back.
    expect(result.files.map((f) => f.path)).toEqual(['build/keep_me.c', 'gen.c', 'objs/o.c', 'table.c', 'table.gen.c']);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(discoverFiles(root, { ...OPTIONS, signal: controller.signal })).rejects.toThrow('stop');
  });

  it('an unreadable root is reported, not thrown', async () => {
    const result = await discoverFiles(path.join(root, 'no-such-dir'), OPTIONS);
    expect(result.files).toEqual([]);
    expect(result.skipped).toEqual([{ path: '.', reason: 'unreadable directory: ENOENT' }]);
  });
});

describe('discoverFilesInWorker', () => {
  it('runs the built worker script', () => {
    expect(builtScript('discoverWorker.js')).toMatch(/out\/index\/discoverWorker\.js$/);
  });

  it('packs a listing into one string and one buffer, and back, whatever the names', async () => {
    const files = [
      { path: 'a b/ü€😀.c', size: 0, mtimeMs: 1732482000123.456 },
      { path: 'line\nbreak.h', size: 2 ** 40, mtimeMs: -1 },
      { path: 'x', size: 7, mtimeMs: 0 },
    ];
    const skipped = [{ path: 'big.c', reason: 'too large' }];
    const packed = packListing({ files, skipped });
    expect(typeof packed.paths).toBe('string');
    expect(packed.numbers).toBeInstanceOf(Float64Array);
    expect(await unpackListing(structuredClone(packed))).toEqual({ files, skipped });
    expect(await unpackListing(packListing({ files: [], skipped: [] }))).toEqual({ files: [], skipped: [] });
    // Past one step of the event loop.
    const many = Array.from({ length: 2 * STEP_FILES + 1 }, (_, i) => ({ path: `d/${i}.c`, size: i, mtimeMs: i / 3 }));
    expect((await unpackListing(packListing({ files: many, skipped: [] }))).files).toEqual(many);
  });

  it('gives the same result as discoverFiles', async () => {
    const inWorker = await discoverFilesInWorker(root, OPTIONS);
    const here = await discoverFiles(root, OPTIONS);
    expect(inWorker).toEqual(here);
    expect(inWorker.files.map((f) => f.path)).toEqual(EXPECTED);
  });

  it('rejects when the signal was aborted before the call', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(discoverFilesInWorker(root, { ...OPTIONS, signal: controller.signal })).rejects.toThrow('too late');
  });

  it('rejects when aborted', async () => {
    const controller = new AbortController();
    const p = discoverFilesInWorker(root, { ...OPTIONS, signal: controller.signal });
    controller.abort(new Error('cancelled'));
    await expect(p).rejects.toThrow('cancelled');
  });
});

describe("discoverFiles with rules anchored at different depths (as in AROS's root .gitignore)", () => {
  it('applies to each directory the rules anchored at it and at its ancestors, in their order', async () => {
    const saved = root;
    root = mkdtempSync(path.join(os.tmpdir(), 'aros-discover-anchored-'));
    try {
      put('.gitignore', 'arch/*/x.c\n/arch/m68k/gen.c\n!/arch/i386/x.c\n/arch/ppc/\n*.tmp.c\n');
      for (const dir of ['arch/i386', 'arch/m68k', 'arch/ppc', 'arch/arm', 'other/arch/m68k']) {
        put(`${dir}/x.c`);
        put(`${dir}/gen.c`);
        put(`${dir}/a.tmp.c`);
      }
      const result = await discoverFiles(root, { maxFileBytes: 1000 });
      expect(result.files.map((f) => f.path)).toEqual([
        'arch/arm/gen.c',
        'arch/i386/gen.c',
        'arch/i386/x.c',
        'other/arch/m68k/gen.c',
        'other/arch/m68k/x.c',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
      root = saved;
    }
  });
});
