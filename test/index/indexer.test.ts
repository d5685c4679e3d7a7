import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileEntry } from '../../server/src/index/fileIndex';
import { loadIndexCache } from '../../server/src/index/indexCache';
import { buildIndex, type IndexProgress, type IndexSummary, type IndexerOptions } from '../../server/src/index/indexer';
import { builtScript } from '../../server/src/index/workerScript';
import { WorkspaceIndex } from '../../server/src/index/workspaceIndex';

const FILES = 20;

let base: string;
let root: string;
let cacheDir: string;

function write(rel: string, content: string | Buffer): void {
  const abs = path.join(root, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, content);
}

function source(i: number): string {
  return `#define M_${i} ${i}\nstruct S_${i} {\n    int a;\n};\nint fn_${i}(void)\n{\n    return M_${i};\n}\n`;
}

const CONF = '##begin config\nversion 1.0\n##end config\n##begin functionlist\nAPTR MakeWidget(ULONG flags) (D0)\nvoid FreeWidget(APTR w) (A0)\n##end functionlist\n';

function generateTree(): void {
  for (let i = 0; i < FILES; i++) write(`mod${i % 3}/file${String(i).padStart(2, '0')}.c`, source(i));
  write('libs/widget/widget.conf', CONF);
  write('README.txt', 'not indexed');
}

/** Every file's path and symbol names, for comparing two indexes. */
function contents(index: WorkspaceIndex): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of [...index.allFiles()].sort((a, b) => (a.path < b.path ? -1 : 1))) out[f.path] = index.symbolsOf(f).map((s) => `${s.kind}:${s.name}`);
  return out;
}

function options(extra: Partial<IndexerOptions> = {}): IndexerOptions {
  return { root, cacheDir, maxFileBytes: 100_000, workers: 0, ...extra };
}

/** The summary without what depends on timing. */
function stable(s: IndexSummary): Omit<IndexSummary, 'elapsedMs'> {
  const { elapsedMs, ...rest } = s;
  void elapsedMs;
  return rest;
}

beforeEach(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'aros-indexer-'));
  root = path.join(base, 'ws');
  cacheDir = path.join(base, 'cache');
  mkdirSync(root);
  generateTree();
});

afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

const ALL = FILES + 1;

describe.each([0, 2])('buildIndex with %i workers', (workers) => {
  it('cold: parses everything, counts symbols, saves the cache', async () => {
    const index = new WorkspaceIndex();
    const s = await buildIndex(index, options({ workers }));
    expect(stable(s)).toEqual({
      files: ALL,
      parsed: ALL,
      reused: 0,
      removed: 0,
      skipped: [],
      symbols: { function: FILES + 2, struct: FILES, union: 0, enum: 0, field: FILES, enumerator: 0, typedef: 0, macro: FILES, variable: 0 },
      libraryFunctions: 0,
      hooks: 0,
      breadcrumbs: 0,
      cache: 'no cache yet; saved',
    });
    expect(contents(index)['mod1/file04.c']).toEqual(['macro:M_4', 'struct:S_4', 'field:a', 'function:fn_4']);
    expect(contents(index)['libs/widget/widget.conf']).toEqual(['function:MakeWidget', 'function:FreeWidget']);
    const loaded = await loadIndexCache(cacheDir);
    expect(loaded.ok && loaded.cache.entries.length).toBe(ALL);
  });

  it('warm: reuses every file from the cache and does not save again', async () => {
    const cold = new WorkspaceIndex();
    await buildIndex(cold, options({ workers }));
    const cacheBytes = readFileSync(path.join(cacheDir, 'index.bin'));
    const warm = new WorkspaceIndex();
    const s = await buildIndex(warm, options({ workers }));
    expect([s.files, s.parsed, s.reused, s.removed, s.cache]).toEqual([ALL, 0, ALL, 0, `loaded ${ALL} entries`]);
    expect(contents(warm)).toEqual(contents(cold));
    expect(readFileSync(path.join(cacheDir, 'index.bin')).equals(cacheBytes)).toBe(true);
  });

  it('a second run on the same index reuses what it holds', async () => {
    const index = new WorkspaceIndex();
    await buildIndex(index, options({ workers }));
    const s = await buildIndex(index, options({ workers }));
    expect([s.files, s.parsed, s.reused, s.removed]).toEqual([ALL, 0, ALL, 0]);
  });

  it('a touched file (same bytes, new mtime) is re-read but not re-parsed, and the cache is re-saved', async () => {
    await buildIndex(new WorkspaceIndex(), options({ workers }));
    const file = path.join(root, 'mod0/file03.c');
    const later = new Date(statSync(file).mtimeMs + 60_000);
    utimesSync(file, later, later);
    const newMtime = statSync(file).mtimeMs;
    const index = new WorkspaceIndex();
    const s = await buildIndex(index, options({ workers }));
    expect([s.parsed, s.reused, s.removed, s.cache]).toEqual([0, ALL, 0, `loaded ${ALL} entries; saved`]);
    expect(index.get('mod0/file03.c')?.mtimeMs).toBe(newMtime);
    const loaded = await loadIndexCache(cacheDir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.cache.entries.find((e) => e.path === 'mod0/file03.c')?.mtimeMs).toBe(newMtime);
    // Now the cache matches the disk again: nothing to do, nothing to save.
    const again = await buildIndex(new WorkspaceIndex(), options({ workers }));
    expect([again.parsed, again.reused, again.cache]).toEqual([0, ALL, `loaded ${ALL} entries`]);
  });

  it('a changed file is the only one parsed again', async () => {
    await buildIndex(new WorkspaceIndex(), options({ workers }));
    write('mod1/file01.c', 'int renamed(void);\n');
    const index = new WorkspaceIndex();
    const s = await buildIndex(index, options({ workers }));
    expect([s.parsed, s.reused, s.removed, s.cache]).toEqual([1, ALL - 1, 0, `loaded ${ALL} entries; saved`]);
    expect(contents(index)['mod1/file01.c']).toEqual(['function:renamed']);
    expect(index.lookup('fn_1')).toEqual([]);
  });

  it('a deleted file is removed from the index and from the cache', async () => {
    const index = new WorkspaceIndex();
    await buildIndex(index, options({ workers }));
    rmSync(path.join(root, 'mod2/file02.c'));
    const s = await buildIndex(index, options({ workers }));
    expect([s.files, s.parsed, s.reused, s.removed]).toEqual([ALL - 1, 0, ALL - 1, 1]);
    expect(index.get('mod2/file02.c')).toBeUndefined();
    expect(index.lookup('fn_2')).toEqual([]);
    const loaded = await loadIndexCache(cacheDir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.cache.entries.map((e) => e.path)).not.toContain('mod2/file02.c');
    expect(loaded.cache.entries.length).toBe(ALL - 1);
  });

  it('a corrupt cache is rebuilt, with the reason logged', async () => {
    await buildIndex(new WorkspaceIndex(), options({ workers }));
    const file = path.join(cacheDir, 'index.bin');
    const bytes = readFileSync(file);
    // In the core (after the 64-byte header): the part a load reads and checks.
    bytes[64 + 20] ^= 0xff;
    writeFileSync(file, bytes);
    const log: string[] = [];
    const s = await buildIndex(new WorkspaceIndex(), options({ workers, log: (m) => log.push(m) }));
    expect([s.parsed, s.reused, s.cache]).toEqual([ALL, 0, 'cache file is corrupt (checksum mismatch); rebuilding; saved']);
    expect(log).toEqual(['cache file is corrupt (checksum mismatch); rebuilding']);
    expect((await loadIndexCache(cacheDir)).ok).toBe(true);
  });
});

describe('buildIndex: a warm start for a server', () => {
  it('reads the cached identifiers in the background a second after the index is ready', async () => {
    await buildIndex(new WorkspaceIndex(), options());
    const index = new WorkspaceIndex({ eager: true });
    const s = await buildIndex(index, options({ preloadIdentifiers: true }));
    expect(s.reused).toBe(ALL);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Zeroed in place (the file the load holds open): only identifiers already read still check out.
    const file = path.join(cacheDir, 'index.bin');
    writeFileSync(file, Buffer.alloc(statSync(file).size));
    expect(index.filesMentioning('fn_3')).toEqual(['mod0/file03.c']);
  });
});

describe('buildIndex: workers and threads agree', () => {
  it('the parse workers are built and in use', () => {
    expect(builtScript('parseWorker.js')).toMatch(/out\/index\/parseWorker\.js$/);
  });

  it('0 and 2 workers give the same index', async () => {
    const a = new WorkspaceIndex();
    const b = new WorkspaceIndex();
    await buildIndex(a, options({ workers: 0, cacheDir: undefined }));
    await buildIndex(b, options({ workers: 2, cacheDir: undefined, batchSize: 3 }));
    expect(contents(b)).toEqual(contents(a));
    for (const f of a.allFiles()) expect(b.symbolsOf(b.get(f.path)!)).toEqual(a.symbolsOf(f));
  });
});

describe('buildIndex: files that cannot be indexed', () => {
  it('lists binary, too-large and unreadable files in `skipped` with reasons', async () => {
    write('bin/blob.c', Buffer.from([0x69, 0x6e, 0x74, 0x00, 0x01]));
    write('big/huge.h', `/* ${'x'.repeat(200)} */\n`);
    write('gone/vanishing.c', 'int v;\n');
    write('gone/dir.c', 'int d;\n');
    const log: string[] = [];
    const onProgress = (p: IndexProgress): void => {
      // Between listing and parsing: one file disappears, one becomes a directory.
      if (p.phase === 'parse' && p.done === 0) {
        rmSync(path.join(root, 'gone/vanishing.c'));
        rmSync(path.join(root, 'gone/dir.c'));
        mkdirSync(path.join(root, 'gone/dir.c'));
      }
    };
    const index = new WorkspaceIndex();
    const s = await buildIndex(index, options({ maxFileBytes: 150, log: (m) => log.push(m), onProgress }));
    const skipped = [...s.skipped].sort((x, y) => (x.path < y.path ? -1 : 1));
    expect(skipped).toEqual([
      { path: 'big/huge.h', reason: 'too large: 207 bytes (limit 150)' },
      { path: 'bin/blob.c', reason: 'binary: contains NUL bytes' },
      { path: 'gone/dir.c', reason: 'unreadable: EISDIR' },
      { path: 'gone/vanishing.c', reason: 'unreadable: ENOENT' },
    ]);
    expect([...log].sort()).toEqual([
      'skipped big/huge.h: too large: 207 bytes (limit 150)',
      'skipped bin/blob.c: binary: contains NUL bytes',
      'skipped gone/dir.c: unreadable: EISDIR',
      'skipped gone/vanishing.c: unreadable: ENOENT',
    ]);
    expect([s.files, s.parsed]).toEqual([ALL, ALL]);
    expect(index.get('bin/blob.c')).toBeUndefined();
  });

  it('reads invalid UTF-8 as Latin-1', async () => {
    write('latin/old.c', Buffer.concat([Buffer.from('/* K'), Buffer.from([0xf6]), Buffer.from('rper */\nint latin_fn(void);\n')]));
    const index = new WorkspaceIndex();
    await buildIndex(index, options({ cacheDir: undefined }));
    const f = index.get('latin/old.c')!;
    expect(f.encoding).toBe('latin1');
    expect(index.symbolsOf(f).map((s) => [s.name, s.doc])).toEqual([['latin_fn', 'Körper']]);
  });
});

describe('buildIndex: cancellation', () => {
  it('an aborted signal rejects before anything is indexed or saved', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled early'));
    const index = new WorkspaceIndex();
    await expect(buildIndex(index, options({ signal: controller.signal }))).rejects.toThrow('cancelled early');
    expect(index.fileCount).toBe(0);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('aborting mid-parse stops after the current batch and saves nothing', async () => {
    const controller = new AbortController();
    const index = new WorkspaceIndex();
    const onProgress = (p: IndexProgress): void => {
      if (p.phase === 'parse' && p.done === 4) controller.abort(new Error('cancelled'));
    };
    await expect(buildIndex(index, options({ signal: controller.signal, batchSize: 4, onProgress }))).rejects.toThrow('cancelled');
    expect(index.fileCount).toBe(4);
    expect(existsSync(path.join(cacheDir, 'index.bin'))).toBe(false);
  });

  it('with workers, aborting mid-parse rejects too', async () => {
    const controller = new AbortController();
    const onProgress = (p: IndexProgress): void => {
      if (p.phase === 'parse' && p.done > 0) controller.abort(new Error('cancelled'));
    };
    const index = new WorkspaceIndex();
    await expect(buildIndex(index, options({ workers: 2, signal: controller.signal, batchSize: 2, onProgress }))).rejects.toThrow('cancelled');
    expect(index.fileCount).toBeLessThan(ALL);
    expect(existsSync(path.join(cacheDir, 'index.bin'))).toBe(false);
  });
});

describe('buildIndex: owned files (open documents)', () => {
  function ownedEntry(p: string): FileEntry {
    return {
      path: p,
      hash: 'editor',
      size: 1,
      mtimeMs: -1,
      encoding: 'utf8',
      lines: 1,
      symbols: [
        {
          name: 'fromEditor',
          kind: 'function',
          definition: true,
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 10 } },
          selectionRange: { start: { line: 0, character: 4 }, end: { line: 0, character: 14 } },
        },
      ],
      includes: [],
      breadcrumbs: [],
      identifiers: [],
      hasErrors: false,
    };
  }

  it.each([0, 2])('are never overwritten, removed or saved (%i workers)', async (workers) => {
    const index = new WorkspaceIndex();
    index.set(ownedEntry('mod0/file00.c'));
    index.set(ownedEntry('mod0/unsaved.c')); // not on disk at all
    const owned = new Set(['mod0/file00.c', 'mod0/unsaved.c']);
    const s = await buildIndex(index, options({ workers, isOwned: (p) => owned.has(p) }));
    expect([s.files, s.parsed, s.reused, s.removed]).toEqual([ALL + 1, ALL - 1, 0, 0]);
    for (const p of owned) expect(index.symbolsOf(index.get(p)!).map((x) => x.name)).toEqual(['fromEditor']);
    const loaded = await loadIndexCache(cacheDir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.cache.entries.map((e) => e.path).filter((p) => owned.has(p))).toEqual([]);
    expect(loaded.cache.entries.length).toBe(ALL - 1);
  });

  it('an owned file is not overwritten from the cache either', async () => {
    await buildIndex(new WorkspaceIndex(), options());
    const index = new WorkspaceIndex();
    index.set(ownedEntry('mod1/file01.c'));
    const s = await buildIndex(index, options({ isOwned: (p) => p === 'mod1/file01.c' }));
    expect([s.parsed, s.reused]).toEqual([0, ALL - 1]);
    expect(index.symbolsOf(index.get('mod1/file01.c')!).map((x) => x.name)).toEqual(['fromEditor']);
  });
});

describe('buildIndex: cache directory problems', () => {
  it('a cache directory that cannot be created leaves the index in memory, with a logged reason', async () => {
    const blocker = path.join(base, 'blocker');
    writeFileSync(blocker, 'x');
    const log: string[] = [];
    const index = new WorkspaceIndex();
    const s = await buildIndex(index, options({ cacheDir: path.join(blocker, 'sub'), log: (m) => log.push(m) }));
    expect([s.files, s.parsed]).toEqual([ALL, ALL]);
    expect(s.cache).toBe('cache unreadable: ENOTDIR; cache not saved (ENOTDIR); the index stays in memory');
    expect(log).toEqual(['cache unreadable: ENOTDIR', 'cache not saved (ENOTDIR); the index stays in memory']);
  });

  it('reparse parses every file again, ignoring the cache and what the index holds, and saves afresh', async () => {
    const index = new WorkspaceIndex();
    await buildIndex(index, options());
    const before = index.get([...index.allFiles()][0].path);
    const again = await buildIndex(index, options({ reparse: true }));
    expect([again.parsed, again.reused, again.files]).toEqual([ALL, 0, ALL]);
    expect(again.cache).toBe('not read (every file parsed again); saved');
    expect(index.get(before?.path ?? '')).not.toBe(before);
    // A fresh index from the cache written by the reparse reuses every file.
    expect((await buildIndex(new WorkspaceIndex(), options())).reused).toBe(ALL);
  });

  it('without a cache directory nothing is written', async () => {
    const s = await buildIndex(new WorkspaceIndex(), options({ cacheDir: undefined }));
    expect(s.cache).toBe('disabled');
    expect(readdirSync(base)).toEqual(['ws']);
  });
});

describe('buildIndex: a cold start parses while the tree is listed', () => {
  const MANY = 700;
  function bigTree(): void {
    for (let i = 0; i < MANY; i++) write(`big/d${i % 14}/f${i}.c`, `int big_${i}(void) { return ${i}; }\n`);
  }

  it.each([0, 2])('parsing starts before the listing ends, and every file is indexed once (%i workers)', async (workers) => {
    bigTree();
    const seen: IndexProgress[] = [];
    const index = new WorkspaceIndex();
    const s = await buildIndex(index, options({ workers, onProgress: (p) => seen.push({ ...p }) }));
    expect([s.files, s.parsed, s.reused]).toEqual([ALL + MANY, ALL + MANY, 0]);
    const early = seen.filter((p) => p.phase === 'parse' && p.listing);
    expect(early.length).toBeGreaterThan(0);
    // While listing, the total is what was found so far; at the end it is every file.
    expect(early[0].total).toBeLessThan(ALL + MANY);
    const last = seen.filter((p) => p.phase === 'parse').at(-1);
    expect(last).toEqual({ phase: 'parse', done: ALL + MANY, total: ALL + MANY, listing: false });
    for (let i = 0; i < MANY; i += 97) expect(index.symbolsOf(index.get(`big/d${i % 14}/f${i}.c`)!).map((x) => x.name)).toEqual([`big_${i}`]);
    // The cache it wrote serves a warm start whole.
    expect((await buildIndex(new WorkspaceIndex(), options({ workers }))).reused).toBe(ALL + MANY);
  });

  it('with a cache, nothing is parsed before the listing is compared with it', async () => {
    bigTree();
    await buildIndex(new WorkspaceIndex(), options());
    for (let i = 0; i < MANY; i += 2) write(`big/d${i % 14}/f${i}.c`, `int changed_${i};\n`);
    const seen: IndexProgress[] = [];
    const s = await buildIndex(new WorkspaceIndex(), options({ workers: 2, onProgress: (p) => seen.push({ ...p }) }));
    expect([s.parsed, s.reused]).toEqual([MANY / 2, ALL + MANY / 2]);
    expect(seen.some((p) => p.listing)).toBe(false);
  });

  it('an owned file found while listing is left to its owner', async () => {
    bigTree();
    const index = new WorkspaceIndex();
    const owned = 'big/d3/f3.c';
    const s = await buildIndex(index, options({ workers: 2, isOwned: (p) => p === owned }));
    expect(s.parsed).toBe(ALL + MANY - 1);
    expect(index.get(owned)).toBeUndefined();
  });

  it('a failure after parsing began stops it: the files still queued are not parsed, nothing is saved', async () => {
    bigTree();
    // Asked once when a chunk comes in and once more when the whole listing is compared: fails then.
    const asked = new Set<string>();
    const isOwned = (p: string): boolean => {
      if (asked.has(p)) throw new Error('owner lookup failed');
      asked.add(p);
      return false;
    };
    const index = new WorkspaceIndex();
    await expect(buildIndex(index, options({ workers: 2, isOwned }))).rejects.toThrow('owner lookup failed');
    // The chunks queued about 600 files; only those done or in flight when it failed are in.
    expect(asked.size).toBeGreaterThan(500);
    expect(index.fileCount).toBeLessThan(400);
    expect(existsSync(path.join(cacheDir, 'index.bin'))).toBe(false);
  });

  it('a failure while taking in files the listing posted rejects the run, with nothing thrown elsewhere', async () => {
    bigTree();
    const index = new WorkspaceIndex();
    const isOwned = (): boolean => {
      throw new Error('owner lookup failed at once');
    };
    await expect(buildIndex(index, options({ workers: 2, isOwned }))).rejects.toThrow('owner lookup failed at once');
    expect(existsSync(path.join(cacheDir, 'index.bin'))).toBe(false);
  });

  it('aborted while listing and parsing: rejects, stops the workers, saves nothing', async () => {
    bigTree();
    const controller = new AbortController();
    const onProgress = (p: IndexProgress): void => {
      if (p.phase === 'parse' && p.listing) controller.abort(new Error('cancelled while listing'));
    };
    const index = new WorkspaceIndex();
    await expect(buildIndex(index, options({ workers: 2, signal: controller.signal, onProgress }))).rejects.toThrow('cancelled while listing');
    expect(index.fileCount).toBeLessThan(ALL + MANY);
    expect(existsSync(path.join(cacheDir, 'index.bin'))).toBe(false);
  });
});
