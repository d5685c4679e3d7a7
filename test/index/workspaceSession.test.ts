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
