import { describe, it, expect, afterEach } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSettings } from '../../server/src/config/workspaceSettings';
import { loadIndexCache } from '../../server/src/index/indexCache';
import { WorkspaceSession } from '../../server/src/index/workspaceSession';

let base: string | undefined;

afterEach(() => {
  if (base) rmSync(base, { recursive: true, force: true });
  base = undefined;
});

async function until(what: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('WorkspaceSession: a damaged cache entry', () => {
  it('is answered from its table at once, then parsed again from disk', async () => {
    base = mkdtempSync(path.join(os.tmpdir(), 'aros-session-'));
    const root = path.join(base, 'ws');
    mkdirSync(root);
    for (let i = 0; i < 12; i++) writeFileSync(path.join(root, `f${String(i).padStart(2, '0')}.c`), `/* file ${i} */\nint fn_${i}(int a, char *b)\n{\n    return a;\n}\n`);
    const settings = { ...defaultSettings(), cacheDir: path.join(base, 'cache'), workers: 0 };
    const first = new WorkspaceSession(root, settings);
    await first.indexWorkspace();
    await first.dispose();

    // The last entry's details end the cache file: spoil one of their bytes.
    const loaded = await loadIndexCache(settings.cacheDir);
    if (!loaded.ok) throw new Error(loaded.reason);
    const victim = loaded.cache.entries[loaded.cache.entries.length - 1].path;
    const bin = path.join(settings.cacheDir, 'index.bin');
    const bytes = readFileSync(bin);
    bytes[bytes.length - 2] ^= 0x5a;
    writeFileSync(bin, bytes);

    const log: string[] = [];
    const second = new WorkspaceSession(root, settings, { log: (m) => log.push(m) });
    const summary = await second.indexWorkspace();
    expect([summary.parsed, summary.reused]).toEqual([0, 12]);
    const damaged = second.index.get(victim);
    if (!damaged) throw new Error('not indexed');
    const [fn] = second.index.symbolsOf(damaged);
    expect([fn.name, fn.signature]).toEqual([victim.replace(/^f0?(\d+)\.c$/, 'fn_$1'), undefined]);
    expect(log).toContain(`${victim}: the index cache's symbol details are corrupt; index the workspace again; parsing it again`);
    await until(() => second.index.get(victim) !== damaged);
    const repaired = second.index.get(victim);
    if (!repaired) throw new Error('repair lost the file');
    expect(second.index.symbolsOf(repaired)[0].signature).toBe(`int ${fn.name}(int a, char *b)`);
    await second.dispose();
  });
});

describe('WorkspaceSession: a cache damaged as a whole', () => {
  it('indexes the workspace again in one go, logged once, when the identifiers of every file fail their check', async () => {
    base = mkdtempSync(path.join(os.tmpdir(), 'aros-session-'));
    const root = path.join(base, 'ws');
    mkdirSync(root);
    const files = 60;
    for (let i = 0; i < files; i++) writeFileSync(path.join(root, `g${String(i).padStart(2, '0')}.c`), `int shared_${i % 3};\nint own_${i}(void) { return shared_${i % 3}; }\n`);
    const settings = { ...defaultSettings(), cacheDir: path.join(base, 'cache'), workers: 0 };
    const first = new WorkspaceSession(root, settings);
    await first.indexWorkspace();
    await first.dispose();

    // The identifiers region follows the core, whose end the header gives (its fourth field).
    const bin = path.join(settings.cacheDir, 'index.bin');
    const bytes = readFileSync(bin);
    const coreEnd = Number(bytes.subarray(0, 64).toString('latin1').trim().split(/ +/)[3]);
    bytes[coreEnd + 3] ^= 0x5a;
    writeFileSync(bin, bytes);

    const log: string[] = [];
    const second = new WorkspaceSession(root, settings, { log: (m) => log.push(m) });
    const summary = await second.indexWorkspace();
    expect([summary.parsed, summary.reused]).toEqual([0, files]);
    // References read the identifiers: every base file reports damage.
    expect(second.index.filesMentioning('shared_1').length).toBe(files);
    await until(() => [...second.index.allFiles()].every((f) => f.constructor.name !== 'CachedFile'), 20_000);
    expect(log.filter((m) => /^the index cache is damaged in more than 32 files/.test(m))).toHaveLength(1);
    expect(log.filter((m) => m.endsWith('; parsing it again')).length).toBeLessThanOrEqual(32);
    expect(second.index.filesMentioning('shared_1').sort()).toEqual(Array.from({ length: 20 }, (_, k) => `g${String(3 * k + 1).padStart(2, '0')}.c`));
    await second.dispose();

    // The cache written by the rebuild loads whole again.
    const third = new WorkspaceSession(root, settings, { log: (m) => log.push(m) });
    expect((await third.indexWorkspace()).reused).toBe(files);
    expect(third.index.filesMentioning('shared_2')).toHaveLength(20);
    await third.dispose();
  });
});

describe('WorkspaceSession.dispose', () => {
  it('waits for a cancelled indexing run to end, the workers having finished their batches', async () => {
    base = mkdtempSync(path.join(os.tmpdir(), 'aros-session-'));
    const root = path.join(base, 'ws');
    mkdirSync(root);
    const big = Array.from({ length: 8_000 }, (_, i) => `int big_${i}(int a, char *b);\n`).join('');
    for (let i = 0; i < 12; i++) writeFileSync(path.join(root, `big${i}.c`), big);
    const session = new WorkspaceSession(root, { ...defaultSettings(), cacheDir: path.join(base, 'cache'), workers: 2 }, { persist: true });
    const abort = new AbortController();
    const order: string[] = [];
    let parsing = false;
    const run = session.indexWorkspace({ signal: abort.signal, onProgress: (p) => (parsing ||= p.phase === 'parse') });
    void run.catch(() => order.push('indexing ended'));
    await until(() => parsing);
    // Inside the batch: the worker is in tree-sitter now.
    await new Promise((resolve) => setTimeout(resolve, 200));
    abort.abort(new Error('shutting down'));
    await session.dispose();
    order.push('disposed');
    expect(order).toEqual(['indexing ended', 'disposed']);
    await expect(run).rejects.toThrow('shutting down');
  });
});
