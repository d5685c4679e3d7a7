import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import type { FileEntry } from '../../server/src/index/fileIndex';
import { afterBytes, CACHE_VERSION, defaultCacheDir, loadIndexCache, saveIndexCache } from '../../server/src/index/indexCache';
import { NameDirectory } from '../../server/src/index/nameDirectory';
import { buildNameTable } from '../../server/src/index/nameTables';
import { includesOf, packFile, unpackSymbols, type PackedFile } from '../../server/src/index/packedFile';
import { mountTmpfs, unmount } from '../helpers/tmpfs';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'aros-cache-test-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function packed(i: number): PackedFile {
  const e: FileEntry = {
    path: `dir${i % 7}/file${i}.c`,
    hash: `hash${i}`,
    size: 100 + i,
    mtimeMs: 1_700_000_000_000 + i,
    encoding: i % 2 ? 'latin1' : 'utf8',
    lines: 10 + i,
    symbols: [
      {
        name: `fn${i}`,
        kind: 'function',
        definition: true,
        range: { start: { line: i, character: 0 }, end: { line: i + 3, character: 1 } },
        selectionRange: { start: { line: i, character: 4 }, end: { line: i, character: 7 } },
        signature: `int fn${i}(void)`,
        params: [],
        doc: `Function ${i} — ünïcode`,
      },
    ],
    includes: [{ path: 'exec/types.h', system: true, line: 0 }],
    breadcrumbs: [],
    identifiers: [`fn${i}`, 'int'],
    hasErrors: i % 3 === 0,
  };
  return packFile(e);
}

/** A comparable view of a packed entry. */
function view(p: PackedFile) {
  return {
    path: p.path,
    hash: p.hash,
    size: p.size,
    mtimeMs: p.mtimeMs,
    encoding: p.encoding,
    lines: p.lines,
    hasErrors: p.hasErrors,
    names: p.names,
    table: [...p.table],
    symbols: unpackSymbols(p),
    includes: includesOf(p),
    breadcrumbs: p.breadcrumbs,
    idents: Buffer.from(p.idents).toString('latin1'),
  };
}

const cacheFile = (): string => path.join(dir, 'index.bin');

function headerOf(bytes: Buffer): string {
  return bytes.subarray(0, bytes.indexOf(10)).toString('latin1');
}

describe('saveIndexCache / loadIndexCache', () => {
  it('round-trips entries exactly', async () => {
    const entries = [packed(1), packed(2), packed(3)];
    await saveIndexCache(dir, entries);
    const loaded = await loadIndexCache(dir);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.cache.entries.map(view)).toEqual(entries.map(view));
  });

  it('round-trips more entries than one chunk holds, in order', async () => {
    const entries = Array.from({ length: 901 }, (_, i) => packed(i));
    await saveIndexCache(dir, entries);
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.cache.entries.length).toBe(901);
    expect(loaded.cache.entries.map((e) => e.path)).toEqual(entries.map((e) => e.path));
    expect(view(loaded.cache.entries[900])).toEqual(view(entries[900]));
  });

  it('round-trips files without symbols (empty arrays, whose views zlib checksums as nothing at all)', async () => {
    const empty = (i: number): PackedFile => {
      const p = packed(i);
      // A table and name numbers over zero-length buffers, as a worker posts them for a file with no symbols.
      return { ...p, path: `empty${i}.c`, names: [], table: new Int32Array(new ArrayBuffer(0)), details: Buffer.from('[]') };
    };
    const entries = [packed(1), empty(2), packed(3), empty(4)];
    await saveIndexCache(dir, entries);
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.cache.entries.map(view)).toEqual(entries.map(view));
  });

  it('round-trips an empty index', async () => {
    await saveIndexCache(dir, []);
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.cache.entries).toEqual([]);
    expect(loaded.cache.directory.size).toBe(0);
  });

  it('numbers names by the tables given, and gives names no table holds a table of their own', async () => {
    const entries = [packed(1), packed(2)];
    // fn1 is in no table given.
    await saveIndexCache(dir, entries, [buildNameTable(['fn2', 'Unused'])]);
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    const { directory, nameIds } = loaded.cache;
    expect(directory.tables.map((t) => t.names)).toEqual([['fn2', 'Unused'], ['fn1']]);
    expect(loaded.cache.entries.map((e) => e.names)).toEqual([['fn1'], ['fn2']]);
    expect(nameIds.map((ids) => [...ids])).toEqual([[2], [0]]);
    expect(directory.idOf('FN2')).toBe(-1);
    expect(directory.idOf('unused')).toBe(-1);
    expect(directory.idOf('Unused')).toBe(1);
    // The stored hash slots are those a directory builds for itself.
    expect([...directory.slots]).toEqual([...new NameDirectory(directory.tables).slots]);
  });

  it('writes a header with magic, version, the core checksum and lengths, and leaves no temporary file', async () => {
    await saveIndexCache(dir, [packed(1)]);
    const bytes = readFileSync(cacheFile());
    const header = headerOf(bytes);
    expect(header).toMatch(new RegExp(`^AROSLSP-INDEX ${CACHE_VERSION} [0-9a-f]{8} \\d+ [0-9a-f]{8} \\d+ *$`));
    expect(header.length).toBe(63);
    const [, , coreCrc, coreEnd, identsCrc, identsLength] = header.trim().split(' ');
    const crc = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
    expect(coreCrc).toBe(crc(crc32(bytes.subarray(64, Number(coreEnd)))));
    const idents = packed(1).idents;
    expect(Number(identsLength)).toBe(idents.length);
    expect(identsCrc).toBe(crc(crc32(idents)));
    // The details come last, as they are.
    expect(bytes.subarray(bytes.length - packed(1).details.length).equals(Buffer.from(packed(1).details))).toBe(true);
    expect(readdirSync(dir)).toEqual(['index.bin']);
  });

  it('creates missing directories on save', async () => {
    const nested = path.join(dir, 'a', 'b', 'c');
    await saveIndexCache(nested, [packed(1)]);
    const loaded = await loadIndexCache(nested);
    expect(loaded.ok).toBe(true);
  });

  it('a second save replaces the first', async () => {
    await saveIndexCache(dir, [packed(1), packed(2)]);
    await saveIndexCache(dir, [packed(3)]);
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.cache.entries.map((e) => e.path)).toEqual([packed(3).path]);
  });
});

describe('loadIndexCache: what is not a good cache', () => {
  it('a missing directory or file says so, and is marked missing', async () => {
    expect(await loadIndexCache(path.join(dir, 'nope'))).toEqual({ ok: false, missing: true, reason: 'no cache yet' });
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: true, reason: 'no cache yet' });
  });

  it('an unreadable cache (a directory in its place) is reported, not missing', async () => {
    mkdirSync(cacheFile());
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache unreadable: EISDIR' });
  });

  it('one corrupt byte in the core fails the checksum', async () => {
    await saveIndexCache(dir, [packed(1), packed(2)]);
    const bytes = readFileSync(cacheFile());
    const at = 64 + 30;
    bytes[at] = bytes[at] ^ 0x5a;
    writeFileSync(cacheFile(), bytes);
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (checksum mismatch); rebuilding' });
  });

  it('a corrupt byte in a file\'s details is found when they are read: a clear error, the rest still reads', async () => {
    await saveIndexCache(dir, [packed(1), packed(2)]);
    const bytes = readFileSync(cacheFile());
    // The last entry's details end the file.
    bytes[bytes.length - 3] ^= 0x5a;
    writeFileSync(cacheFile(), bytes);
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    const [first, second] = loaded.cache.entries;
    expect(unpackSymbols(first)).toEqual(unpackSymbols(packed(1)));
    expect(() => second.details).toThrow("the index cache's symbol details are corrupt; index the workspace again");
    expect(Buffer.from(second.idents).toString('latin1')).toBe(Buffer.from(packed(2).idents).toString('latin1'));
  });

  it('a corrupt byte in the identifiers is found when they are first read', async () => {
    await saveIndexCache(dir, [packed(1)]);
    const bytes = readFileSync(cacheFile());
    const coreEnd = Number(headerOf(bytes).trim().split(' ')[3]);
    bytes[coreEnd + 1] ^= 0x5a;
    writeFileSync(cacheFile(), bytes);
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(() => loaded.cache.entries[0].idents).toThrow("the index cache's identifiers are corrupt; index the workspace again");
    expect(unpackSymbols(loaded.cache.entries[0])).toEqual(unpackSymbols(packed(1)));
  });

  it('identifiers preloaded in the background are used as they are, and a corrupt region is left to report', async () => {
    await saveIndexCache(dir, [packed(1), packed(2)]);
    const good = readFileSync(cacheFile());
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    await loaded.cache.preloadIdentifiers();
    // Overwritten in place (the same file the load holds open): what was preloaded does not change.
    writeFileSync(cacheFile(), Buffer.alloc(good.length));
    expect(Buffer.from(loaded.cache.entries[1].idents).toString('latin1')).toBe(Buffer.from(packed(2).idents).toString('latin1'));

    const coreEnd = Number(headerOf(good).trim().split(' ')[3]);
    const bad = Buffer.from(good);
    bad[coreEnd + 2] ^= 0x5a;
    writeFileSync(cacheFile(), bad);
    const second = await loadIndexCache(dir);
    if (!second.ok) throw new Error(second.reason);
    await second.cache.preloadIdentifiers();
    expect(() => second.cache.entries[0].idents).toThrow("the index cache's identifiers are corrupt; index the workspace again");
  });

  it('saves loaded entries again as they are (their details copied from the file they were loaded from)', async () => {
    const entries = [packed(1), packed(2), packed(3)];
    await saveIndexCache(dir, entries);
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    const again = path.join(dir, 'again');
    await saveIndexCache(again, loaded.cache.entries);
    const reloaded = await loadIndexCache(again);
    if (!reloaded.ok) throw new Error(reloaded.reason);
    expect(reloaded.cache.entries.map(view)).toEqual(entries.map(view));
  });

  it('what was loaded stays readable after a later save replaced the file', async () => {
    await saveIndexCache(dir, [packed(1)]);
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    await saveIndexCache(dir, [packed(7), packed(8)]);
    expect(unpackSymbols(loaded.cache.entries[0])).toEqual(unpackSymbols(packed(1)));
    expect(Buffer.from(loaded.cache.entries[0].idents).toString('latin1')).toBe(Buffer.from(packed(1).idents).toString('latin1'));
  });

  it('a corrupt byte in the header is a bad header', async () => {
    await saveIndexCache(dir, [packed(1)]);
    const bytes = readFileSync(cacheFile());
    bytes[0] = 'X'.charCodeAt(0);
    writeFileSync(cacheFile(), bytes);
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (bad header); rebuilding' });
  });

  it('a truncated file fails the checksum; one cut inside the header is a bad header', async () => {
    await saveIndexCache(dir, [packed(1), packed(2)]);
    const bytes = readFileSync(cacheFile());
    writeFileSync(cacheFile(), bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await loadIndexCache(dir)).ok).toBe(false);
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (checksum mismatch); rebuilding' });
    writeFileSync(cacheFile(), bytes.subarray(0, 10));
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (bad header); rebuilding' });
    writeFileSync(cacheFile(), Buffer.alloc(0));
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (bad header); rebuilding' });
  });

  it('another version is outdated', async () => {
    await saveIndexCache(dir, [packed(1)]);
    const bytes = readFileSync(cacheFile());
    const header = headerOf(bytes);
    // Padded back to the header's width: 9 is one character shorter than 10.
    const old = header.replace(` ${CACHE_VERSION} `, ` ${CACHE_VERSION - 1} `).padEnd(header.length, ' ');
    expect(old).not.toBe(header);
    writeFileSync(cacheFile(), Buffer.concat([Buffer.from(old, 'latin1'), bytes.subarray(header.length)]));
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: `cache version ${CACHE_VERSION - 1} is outdated; rebuilding` });
  });

  it('a core with a valid checksum that does not decode is corrupt, not a crash', async () => {
    const write = (core: Buffer): void => {
      const crc = (crc32(core) >>> 0).toString(16).padStart(8, '0');
      const header = `AROSLSP-INDEX ${CACHE_VERSION} ${crc} ${64 + core.length} 00000000 0`.padEnd(63, ' ') + '\n';
      writeFileSync(cacheFile(), Buffer.concat([Buffer.from(header, 'latin1'), core]));
    };
    const chunk = (value: unknown, arrays: Buffer = Buffer.alloc(0)): Buffer => {
      const json = Buffer.from(JSON.stringify(value), 'utf8');
      const padded = Buffer.concat([json, Buffer.alloc((4 - (json.length % 4)) % 4)]);
      const head = Buffer.alloc(8);
      head.writeUInt32LE(4 + padded.length + arrays.length, 0);
      head.writeUInt32LE(json.length, 4);
      return Buffer.concat([head, padded, arrays]);
    };
    write(chunk({ not: 'a list' }));
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (chunk is neither files nor name tables); rebuilding' });
    write(chunk({ files: [] }));
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (no name tables); rebuilding' });
    // A file claiming more symbols than its chunk holds.
    write(chunk({ files: [['a.c', 'h', 1, 1, 'utf8', 1, false, 0, [], 1000, 0, 0, 0, 0, 0]] }));
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (chunk runs past the end); rebuilding' });
    // A name number outside the tables.
    const oneSymbol = Buffer.alloc(4 * 8);
    oneSymbol.writeInt32LE(5, 4 * 7);
    write(Buffer.concat([chunk({ files: [['a.c', 'h', 1, 1, 'utf8', 1, false, 0, [], 1, 0, 0, 0, 0, 0]] }, oneSymbol), chunk({ tables: [], slots: 16 }, Buffer.alloc(64))]));
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (entry a.c names an unknown name); rebuilding' });
    // A name table holding more names than it says.
    const names = Buffer.from('AllocMem\0Extra');
    write(chunk({ tables: [[1, names.length]], slots: 16 }, Buffer.concat([names, Buffer.alloc(1), Buffer.alloc(64)])));
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (name table is inconsistent); rebuilding' });
    // Hash slots that do not fit the names.
    write(chunk({ tables: [[1, 8]], slots: 8 }, Buffer.concat([Buffer.from('AllocMem'), Buffer.alloc(32)])));
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (name directory slots do not fit its names); rebuilding' });

    write(Buffer.from([5, 0, 0, 0, 1, 2, 3, 4, 5]));
    const garbage = await loadIndexCache(dir);
    expect(garbage.ok).toBe(false);
    if (!garbage.ok) {
      expect(garbage.missing).toBe(false);
      expect(garbage.reason).toMatch(/^cache file is corrupt \(.+\); rebuilding$/);
    }

    // A length field that runs past the end.
    write(Buffer.from([2]));
    const short = await loadIndexCache(dir);
    expect(short.ok).toBe(false);
    if (!short.ok) expect(short.reason).toMatch(/^cache file is corrupt \(.+\); rebuilding$/);
  });
});

describe('atomic writes', () => {
  it('a stale temporary file from a crashed save is never read as the cache', async () => {
    await saveIndexCache(dir, [packed(1)]);
    writeFileSync(path.join(dir, 'index.bin.99999.tmp'), 'half-written junk');
    writeFileSync(path.join(dir, `index.bin.${process.pid}.tmp`), 'junk from an earlier run of this pid');
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.cache.entries.map((e) => e.path)).toEqual([packed(1).path]);
  });

  it('a save removes temporary files of dead processes and keeps those of live ones', async () => {
    // pid 2^22 + 1 is above Linux's pid_max, so no process has it.
    const dead = `index.bin.${2 ** 22 + 1}.0badf00d.tmp`;
    const live = `index.bin.${process.pid}.0badf00d.tmp`;
    writeFileSync(path.join(dir, dead), 'left by a killed save');
    writeFileSync(path.join(dir, live), 'a save in progress');
    await saveIndexCache(dir, [packed(1)]);
    expect(readdirSync(dir).sort()).toEqual(['index.bin', live].sort());
  });

  it('a temporary file alone is no cache', async () => {
    writeFileSync(path.join(dir, 'index.bin.12345.tmp'), 'junk');
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: true, reason: 'no cache yet' });
  });

  it('a save that fails midway keeps the previous cache and removes its temporary file', async () => {
    await saveIndexCache(dir, [packed(1)]);
    const before = readFileSync(cacheFile());
    // A function cannot be serialized: the save throws after the temporary file was opened.
    const bad = { ...packed(2), details: () => 0 } as unknown as PackedFile;
    await expect(saveIndexCache(dir, [packed(3), bad])).rejects.toThrow();
    expect(readFileSync(cacheFile()).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['index.bin']);
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.cache.entries.map((e) => e.path)).toEqual([packed(1).path]);
  });

  it('a disk that fills up while later pieces are written: the save rejects with ENOSPC, the previous cache stays, no temporary file', async (ctx) => {
    // The size leaves room for the core and the first identifiers piece, not the second: the failing
    // write is one whose error reaches the save only at the next write (writes are pipelined).
    if (typeof process.getuid !== 'function' || process.getuid() !== 0 || !mountTmpfs(dir, '3m')) ctx.skip();
    try {
      await saveIndexCache(dir, [packed(1)]);
      const before = readFileSync(cacheFile());
      const big = Array.from({ length: 250 }, (_, i) => {
        const p = packed(i);
        return { ...p, idents: Buffer.alloc(20_000, 0x61) };
      });
      await expect(saveIndexCache(dir, big)).rejects.toMatchObject({ code: 'ENOSPC' });
      expect(readFileSync(cacheFile()).equals(before)).toBe(true);
      expect(readdirSync(dir)).toEqual(['index.bin']);
    } finally {
      unmount(dir);
    }
  });

  it('two overlapping saves both succeed and leave one whole cache', async () => {
    const a = Array.from({ length: 1200 }, (_, i) => packed(i));
    const b = Array.from({ length: 500 }, (_, i) => packed(5000 + i));
    const results = await Promise.allSettled([saveIndexCache(dir, a), saveIndexCache(dir, b)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    const paths = loaded.cache.entries.map((e) => e.path);
    expect([a.map((e) => e.path), b.map((e) => e.path)]).toContainEqual(paths);
    expect(readdirSync(dir)).toEqual(['index.bin']);
  });

  it('a save where the directory cannot be created rejects', async () => {
    const file = path.join(dir, 'plain-file');
    writeFileSync(file, 'x');
    await expect(saveIndexCache(path.join(file, 'sub'), [packed(1)])).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});

describe('afterBytes (what a short gathered write leaves)', () => {
  const parts = [Uint8Array.of(1, 2, 3), Uint8Array.of(4), Uint8Array.of(5, 6)];
  const flat = (ps: Uint8Array[]): number[] => ps.flatMap((p) => [...p]);

  it('nothing written: every part, as it was', () => {
    expect(flat(afterBytes(parts, 0))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a write that stops inside a part: the rest of that part, then the others', () => {
    const rest = afterBytes(parts, 2);
    expect(flat(rest)).toEqual([3, 4, 5, 6]);
    expect(rest).toHaveLength(3);
  });

  it('a write that stops at a part boundary: the parts after it', () => {
    expect(flat(afterBytes(parts, 4))).toEqual([5, 6]);
  });

  it('everything written: nothing left', () => {
    expect(afterBytes(parts, 6)).toEqual([]);
  });

  it('a save of many entries (gathered writes of many pieces) loads back byte for byte', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => packed(i));
    await saveIndexCache(dir, many);
    const loaded = await loadIndexCache(dir);
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.cache.entries).toHaveLength(many.length);
    for (const k of [0, 1, 1234, 2499]) {
      const got = loaded.cache.entries[k];
      expect(got.path).toBe(many[k].path);
      expect([...got.idents]).toEqual([...many[k].idents]);
      expect([...got.details]).toEqual([...many[k].details]);
      expect(got.names).toEqual(many[k].names);
    }
  });
});

describe('defaultCacheDir', () => {
  const id = (root: string): string => createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 12);

  it('lives under XDG_CACHE_HOME when it is absolute', () => {
    expect(defaultCacheDir('/work/AROS', { XDG_CACHE_HOME: '/var/cache/me' })).toBe(`/var/cache/me/aros-lsp/AROS-${id('/work/AROS')}`);
  });

  it('falls back to ~/.cache for a missing or relative XDG_CACHE_HOME', () => {
    const home = path.join(os.homedir(), '.cache', 'aros-lsp');
    expect(defaultCacheDir('/work/AROS', {})).toBe(`${home}/AROS-${id('/work/AROS')}`);
    expect(defaultCacheDir('/work/AROS', { XDG_CACHE_HOME: 'relative/cache' })).toBe(`${home}/AROS-${id('/work/AROS')}`);
  });

  it('tells apart workspaces with the same base name, and names the root directory `root`', () => {
    const env = { XDG_CACHE_HOME: '/c' };
    expect(defaultCacheDir('/a/AROS', env)).not.toBe(defaultCacheDir('/b/AROS', env));
    expect(defaultCacheDir('/a/AROS/', env)).toBe(defaultCacheDir('/a/AROS', env));
    expect(defaultCacheDir('/', env)).toBe(`/c/aros-lsp/root-${id('/')}`);
  });
});

describe('the descriptor a load keeps', () => {
  it('is not closed behind the back of whoever reuses its number after a failed load', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // A core that passes its checksum and fails to decode after the file was opened.
    await saveIndexCache(dir, [packed(1)]);
    const bytes = readFileSync(cacheFile());
    const coreEnd = Number(headerOf(bytes).trim().split(' ')[3]);
    const core = Buffer.from(bytes.subarray(64, coreEnd));
    core.writeUInt32LE(0xffff, 0);
    const header = headerOf(bytes).replace(/^(\S+ \S+ )\S+/, `$1${(crc32(core) >>> 0).toString(16).padStart(8, '0')}`);
    writeFileSync(cacheFile(), Buffer.concat([Buffer.from(`${header}\n`, 'latin1'), core, bytes.subarray(coreEnd)]));
    const other = path.join(dir, 'other.txt');
    writeFileSync(other, 'still here');
    for (let round = 0; round < 5; round++) {
      const failed = await loadIndexCache(dir);
      expect(failed.ok).toBe(false);
      const fd = openSync(other, 'r');
      gc();
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(readFileSync(fd, 'utf8')).toBe('still here');
      closeSync(fd);
    }
  });
});
