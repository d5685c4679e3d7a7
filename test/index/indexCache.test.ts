import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import type { FileEntry } from '../../server/src/index/fileIndex';
import { CACHE_VERSION, defaultCacheDir, loadIndexCache, saveIndexCache } from '../../server/src/index/indexCache';
import { packFile, unpackSymbols, type PackedFile } from '../../server/src/index/packedFile';

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
    includes: p.includes,
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

  it('round-trips an empty index', async () => {
    await saveIndexCache(dir, []);
    expect(await loadIndexCache(dir)).toEqual({ ok: true, cache: { entries: [] } });
  });

  it('writes a header with magic, version and checksum, and leaves no temporary file', async () => {
    await saveIndexCache(dir, [packed(1)]);
    const bytes = readFileSync(cacheFile());
    const header = headerOf(bytes);
    expect(header).toMatch(new RegExp(`^AROSLSP-INDEX ${CACHE_VERSION} [0-9a-f]{8}$`));
    const crc = (crc32(bytes.subarray(header.length + 1)) >>> 0).toString(16).padStart(8, '0');
    expect(header.split(' ')[2]).toBe(crc);
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

  it('one corrupt byte in the payload fails the checksum', async () => {
    await saveIndexCache(dir, [packed(1), packed(2)]);
    const bytes = readFileSync(cacheFile());
    const at = bytes.length - 20;
    bytes[at] = bytes[at] ^ 0x5a;
    writeFileSync(cacheFile(), bytes);
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (checksum mismatch); rebuilding' });
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
    const old = header.replace(` ${CACHE_VERSION} `, ` ${CACHE_VERSION - 1} `);
    expect(old).not.toBe(header);
    writeFileSync(cacheFile(), Buffer.concat([Buffer.from(old, 'latin1'), bytes.subarray(header.length)]));
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: `cache version ${CACHE_VERSION - 1} is outdated; rebuilding` });
  });

  it('a payload with a valid checksum that does not decode is corrupt, not a crash', async () => {
    const write = (payload: Buffer): void => {
      const crc = (crc32(payload) >>> 0).toString(16).padStart(8, '0');
      writeFileSync(cacheFile(), Buffer.concat([Buffer.from(`AROSLSP-INDEX ${CACHE_VERSION} ${crc}\n`, 'latin1'), payload]));
    };
    const chunk = (value: unknown): Buffer => {
      const body = serialize(value);
      const len = Buffer.alloc(4);
      len.writeUInt32LE(body.length);
      return Buffer.concat([len, body]);
    };
    write(chunk({ not: 'a list' }));
    expect(await loadIndexCache(dir)).toEqual({ ok: false, missing: false, reason: 'cache file is corrupt (chunk is not a list); rebuilding' });

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
