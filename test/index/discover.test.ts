import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverFiles, discoverFilesInWorker, FILE_CHUNK, isIndexedPath, packListing, readWalkRecord, STEP_FILES, unpackListing, writeWalkRecord, type DiscoverResult } from '../../server/src/index/discover';
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
    expect(inWorker).toEqual({ files: here.files, skipped: here.skipped });
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

describe('files told as they are found (onFiles)', () => {
  let many: string;
  beforeAll(() => {
    many = mkdtempSync(path.join(os.tmpdir(), 'aros-discover-many-'));
    for (let d = 0; d < 12; d++) {
      mkdirSync(path.join(many, `dir${d}`));
      for (let i = 0; i < 60; i++) writeFileSync(path.join(many, `dir${d}`, `f${i}.c`), 'int x;\n');
    }
  });
  afterAll(() => rmSync(many, { recursive: true, force: true }));

  it.each([
    ['discoverFiles', discoverFiles],
    ['discoverFilesInWorker', discoverFilesInWorker],
  ])('%s: in chunks of at least FILE_CHUNK, each file once, all of them in the result', async (_name, discover) => {
    const chunks: string[][] = [];
    const result = await discover(many, { maxFileBytes: 100, onFiles: (files) => chunks.push(files.map((f) => f.path)) });
    expect(result.files).toHaveLength(720);
    for (const c of chunks) expect(c.length).toBeGreaterThanOrEqual(FILE_CHUNK);
    const told = chunks.flat();
    // What is left untold at the end is less than a chunk.
    expect(told.length).toBeGreaterThan(720 - FILE_CHUNK);
    expect(new Set(told).size).toBe(told.length);
    const listed = new Set(result.files.map((f) => f.path));
    for (const p of told) expect(listed.has(p)).toBe(true);
  });

  it('a tree smaller than a chunk is told nothing', async () => {
    const chunks: unknown[] = [];
    await discoverFilesInWorker(root, { ...OPTIONS, onFiles: (f) => chunks.push(f) });
    expect(chunks).toEqual([]);
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

describe("the walk's record: unchanged directories are not read again", () => {
  let tree: string;
  const opts = { maxFileBytes: 1000 };

  function at(rel: string, content = 'int x;\n'): void {
    const abs = path.join(tree, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }

  /** Every directory and file dated an hour back: older than the record's racy window. */
  function age(dir = tree): void {
    const then = new Date(Date.now() - 3_600_000);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) age(path.join(dir, e.name));
      utimesSync(path.join(dir, e.name), then, then);
    }
    utimesSync(dir, then, then);
  }

  const plain = (r: DiscoverResult): unknown => ({ files: r.files, skipped: r.skipped });

  beforeAll(() => {
    tree = mkdtempSync(path.join(os.tmpdir(), 'aros-walk-'));
    at('.gitignore', '/build/\n*.gen.c\n');
    at('a.c');
    at('build/out.c');
    at('src/x.c');
    at('src/t.gen.c');
    at('src/deep/y.h');
    at('src/deep/z.c');
    at('lib/l.c');
    age();
  });

  afterAll(() => rmSync(tree, { recursive: true, force: true }));

  it('lists the same files from the record, and says nothing changed', async () => {
    const first = await discoverFiles(tree, opts);
    expect(first.changed).toBe(true);
    const second = await discoverFiles(tree, { ...opts, previous: first.record });
    expect(second.changed).toBe(false);
    expect(plain(second)).toEqual(plain(first));
    expect(second.files.map((f) => f.path)).toEqual(['a.c', 'lib/l.c', 'src/deep/y.h', 'src/deep/z.c', 'src/x.c']);
  });

  it('still stats every file: an edit in place shows, though no directory changed', async () => {
    const first = await discoverFiles(tree, opts);
    at('src/deep/z.c', 'int changed_in_place;\n');
    utimesSync(path.join(tree, 'src/deep'), new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const second = await discoverFiles(tree, { ...opts, previous: first.record });
    expect(second.files.find((f) => f.path === 'src/deep/z.c')?.size).toBe('int changed_in_place;\n'.length);
    expect(plain(second)).toEqual(plain(await discoverFiles(tree, opts)));
  });

  it('reads a directory again when an entry came or went, and a directory changed in the walk\'s own seconds', async () => {
    const first = await discoverFiles(tree, opts);
    at('src/deep/new.c');
    const second = await discoverFiles(tree, { ...opts, previous: first.record });
    expect(second.changed).toBe(true);
    expect(second.files.map((f) => f.path)).toContain('src/deep/new.c');
    // That directory's mtime is within the racy window of the second record: the third walk reads it again too.
    unlinkSync(path.join(tree, 'src/deep/new.c'));
    const third = await discoverFiles(tree, { ...opts, previous: second.record });
    expect(third.files.map((f) => f.path)).not.toContain('src/deep/new.c');
    age();
  });

  it('does not trust a directory dated within two seconds before the walk: a coarse clock may hide a change', async () => {
    const dir = path.join(tree, 'lib');
    // A whole second, as a file system with one-second times would show it, just before the walk.
    const second = Math.floor(Date.now() / 1000) - 1;
    utimesSync(dir, second, second);
    const first = await discoverFiles(tree, opts);
    at('lib/hidden.c');
    utimesSync(dir, second, second);
    expect(statSync(dir).mtimeMs).toBe(first.record?.dirs.find((d) => d[0] === 'lib')?.[1]);
    const next = await discoverFiles(tree, { ...opts, previous: first.record });
    expect(next.files.map((f) => f.path)).toContain('lib/hidden.c');
    unlinkSync(path.join(tree, 'lib/hidden.c'));
    age();
  });

  it('trusts nothing when an ignore file changed, or a new one came, or the excludes are others', async () => {
    const first = await discoverFiles(tree, opts);
    at('.gitignore', '/build/\n');
    age();
    const edited = await discoverFiles(tree, { ...opts, previous: first.record });
    expect(edited.changed).toBe(true);
    expect(edited.files.map((f) => f.path)).toContain('src/t.gen.c');
    // A new ignore file in src/: src/ was read again, and what lies below it too (src/deep/ did not change).
    at('src/.gitignore', 'z.c\n');
    const withNew = await discoverFiles(tree, { ...opts, previous: edited.record });
    expect(withNew.files.map((f) => f.path)).not.toContain('src/deep/z.c');
    expect(plain(withNew)).toEqual(plain(await discoverFiles(tree, opts)));
    const excluded = await discoverFiles(tree, { ...opts, exclude: ['lib/'], previous: withNew.record });
    expect(excluded.changed).toBe(true);
    expect(excluded.files.map((f) => f.path)).not.toContain('lib/l.c');
    unlinkSync(path.join(tree, 'src/.gitignore'));
    at('.gitignore', '/build/\n*.gen.c\n');
    age();
  });

  it('is kept in a file by the worker, read back, and ignored when it is not a record', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'aros-walk-cache-'));
    try {
      const file = path.join(cache, 'sub', 'walk.json');
      const first = await discoverFilesInWorker(tree, { ...opts, recordFile: file });
      expect(existsSync(file)).toBe(true);
      const record = readWalkRecord(file);
      expect(record?.dirs.map((d) => d[0]).sort()).toEqual(['', 'lib', 'src', 'src/deep']);
      const second = await discoverFilesInWorker(tree, { ...opts, recordFile: file });
      expect(second).toEqual(first);
      writeFileSync(file, '{"version": 1, "dirs": "no"}');
      expect(readWalkRecord(file)).toBeUndefined();
      writeFileSync(file, 'not json');
      expect(readWalkRecord(file)).toBeUndefined();
      expect(await discoverFilesInWorker(tree, { ...opts, recordFile: file })).toEqual(first);
      // Written again, whole: no temporary file stays.
      expect(readWalkRecord(file)?.dirs.length).toBe(4);
      expect(readdirSync(path.dirname(file))).toEqual(['walk.json']);
      writeWalkRecord(path.join(cache, 'sub'), { version: 1, key: '[]', takenAt: 0, ignores: [], dirs: [] });
      expect(readdirSync(path.dirname(file))).toEqual(['walk.json']);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
