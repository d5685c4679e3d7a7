// Indexing progress over the protocol: `$/progress` begin/report/end with file
// counts (for a client that declares window.workDoneProgress), `aros/status`
// from indexing to ready, cancellation, and the persisted cache reused by a
// second server on the same cache directory.

import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { killLeftovers, listTree, LspClient, makeWorkspace, printServerStderrOnFailure, writeGeneratedFiles, type StatusParams } from './client';

printServerStderrOnFailure();

afterEach(() => killLeftovers());

const FIXTURE_FILES = 28; // aros-mini without README, .gitignore and the ignored build/generated.c

interface ProgressParams {
  token: string | number;
  value: { kind: 'begin' | 'report' | 'end'; title?: string; message?: string; percentage?: number; cancellable?: boolean };
}

describe('$/progress and aros/status during indexing', () => {
  it('sends begin, reports with file counts, and end on the token the server created', async () => {
    const ws = makeWorkspace();
    const c = await LspClient.forWorkspace(ws, { workDoneProgress: true });
    const ready = await c.waitForIndexReady();
    await c.waitFor(() => c.received('$/progress').some((p: ProgressParams) => p.value.kind === 'end'), undefined, 'progress end');

    const created = c.serverRequests.filter((r) => r.method === 'window/workDoneProgress/create');
    expect(created).toHaveLength(1);
    const token = created[0].params.token;
    const progress: ProgressParams[] = c.received('$/progress');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p) => p.token === token)).toBe(true);

    const kinds = progress.map((p) => p.value.kind);
    expect(kinds[0]).toBe('begin');
    expect(kinds[kinds.length - 1]).toBe('end');
    expect(kinds.slice(1, -1).every((k) => k === 'report')).toBe(true);
    expect(progress[0].value).toEqual({ kind: 'begin', title: 'Indexing AROS sources', message: 'listing files', cancellable: true, percentage: 0 });

    // File counts: every parse report is "done/28 files"; the last one is complete; percentages never go back.
    const counted = progress.filter((p) => /^\d+\/\d+ files$/.test(p.value.message ?? ''));
    expect(counted.length).toBeGreaterThan(0);
    for (const p of counted) expect(p.value.message).toMatch(new RegExp(`^\\d+/${FIXTURE_FILES} files$`));
    expect(counted[counted.length - 1].value).toEqual({ kind: 'report', message: `${FIXTURE_FILES}/${FIXTURE_FILES} files`, percentage: 100 });
    const percentages = counted.map((p) => p.value.percentage as number);
    expect([...percentages].sort((a, b) => a - b)).toEqual(percentages);

    // aros/status: indexing first, ready last, with the file count.
    const status: StatusParams[] = c.received('aros/status');
    expect(status[0]).toMatchObject({ component: 'index', state: 'indexing' });
    expect(status.slice(0, -1).every((s) => s.state === 'indexing')).toBe(true);
    expect(status[status.length - 1]).toBe(ready);
    expect(ready).toMatchObject({ component: 'index', state: 'ready', files: FIXTURE_FILES });
    expect(ready.message).toMatch(new RegExp(`^indexed ${FIXTURE_FILES} files \\(${FIXTURE_FILES} parsed, 0 reused\\) in \\d+ ms$`));

    await c.shutdown();
    ws.cleanup();
  });

  it('sends no $/progress to a client without window.workDoneProgress, but aros/status still goes indexing -> ready', async () => {
    const ws = makeWorkspace();
    const c = await LspClient.forWorkspace(ws, { workDoneProgress: false });
    await c.waitForIndexReady();
    // The log line comes after the state change: once it is there, indexing is over.
    await c.waitForLog(/^indexed \d+ files/);
    expect(c.serverRequests.filter((r) => r.method === 'window/workDoneProgress/create')).toEqual([]);
    expect(c.received('$/progress')).toEqual([]);
    expect(c.received('aros/status').map((s: StatusParams) => s.state)[0]).toBe('indexing');
    await c.shutdown();
    ws.cleanup();
  });

  it('stops indexing when the user cancels the progress, and keeps serving', async () => {
    const ws = makeWorkspace({ empty: true });
    writeGeneratedFiles(ws, 'gen', 3000, 20);
    // The cancel goes out right behind our answer to window/workDoneProgress/create: the server
    // begins indexing 3000 files only once it has that answer, so the cancel arrives while it runs.
    let token: unknown;
    const c = await LspClient.forWorkspace(ws, {
      workDoneProgress: true,
      beforeInitialize: (client) =>
        client.requestHandlers.set('window/workDoneProgress/create', (params: { token: unknown }) => {
          if (token === undefined) {
            token = params.token; // only the first run (the reindex below runs to the end)
            setImmediate(() => void client.notify('window/workDoneProgress/cancel', { token }));
          }
          return null;
        }),
    });
    const ready = await c.waitForIndexReady();
    expect(ready.message).toBe('indexing cancelled; answering from a partial index');
    await c.waitFor(() => c.received('$/progress').some((p: ProgressParams) => p.value.kind === 'end'), undefined, 'progress end');
    const progress: ProgressParams[] = c.received('$/progress');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p) => p.token === token)).toBe(true);
    expect(progress.some((p) => p.value.message === '3000/3000 files')).toBe(false);
    expect(await c.waitForLog(/^indexing stopped/)).toMatch(/abort/i);
    // Still serving: a search answers (from whatever was indexed), and a reindex completes.
    expect(Array.isArray(await c.request('workspace/symbol', { query: 'gen_Func0000' }))).toBe(true);
    const summary = await c.request('workspace/executeCommand', { command: 'aros.reindex' });
    expect(summary).toMatchObject({ files: 3000, libraryFunctions: 0, skipped: [] });
    expect((await c.request('workspace/symbol', { query: 'gen_Func2999' })).map((s: { name: string }) => s.name)).toEqual(['gen_Func2999']);
    await c.shutdown();
    ws.cleanup();
  });
});

describe('the index cache', () => {
  it('lives in initializationOptions.cacheDir, and a second server on it reuses every file', async () => {
    const ws = makeWorkspace();
    const first = await LspClient.forWorkspace(ws);
    await first.waitForIndexReady();
    expect(await first.waitForLog(/^indexed /)).toMatch(
      new RegExp(`^indexed ${FIXTURE_FILES} files in \\d+ ms: ${FIXTURE_FILES} parsed, 0 reused, 0 skipped; 9 library functions, 2 hooks; cache: no cache yet; saved$`),
    );
    await first.shutdown();
    // Written where we said, and nowhere in HOME.
    expect(listTree(ws.cacheDir)).toEqual(['index.bin', 'walk.json']);
    expect(listTree(ws.home)).toEqual([]);

    const second = await LspClient.forWorkspace(ws);
    const ready = await second.waitForIndexReady();
    expect(ready.message).toMatch(new RegExp(`^indexed ${FIXTURE_FILES} files \\(0 parsed, ${FIXTURE_FILES} reused\\) in \\d+ ms$`));
    expect(await second.waitForLog(/^indexed /)).toMatch(
      new RegExp(`^indexed ${FIXTURE_FILES} files in \\d+ ms: 0 parsed, ${FIXTURE_FILES} reused, 0 skipped; 9 library functions, 2 hooks; cache: loaded ${FIXTURE_FILES} entries$`),
    );
    // Answers come from the cached entries.
    const found = await second.request('workspace/symbol', { query: 'AllocPooled' });
    expect(found.map((s: { location: { uri: string } }) => second.rel(s.location.uri)).sort()).toEqual([
      'compiler/include/proto/exec.h',
      'rom/exec/allocpooled.c',
      'rom/exec/exec.conf',
    ]);

    // aros.reindex says the same, and re-parses exactly the file that changed on disk.
    expect(await second.request('workspace/executeCommand', { command: 'aros.reindex' })).toMatchObject({
      files: FIXTURE_FILES,
      parsed: 0,
      reused: FIXTURE_FILES,
      removed: 0,
      skipped: [],
      libraryFunctions: 9,
      hooks: 2,
      breadcrumbs: 25,
    });
    fs.appendFileSync(ws.abs('rom/exec/forbid.c'), '\nULONG forbid_Appended(void) { return 1; }\n');
    fs.rmSync(ws.abs('rom/exec/setsr.c'));
    const after = await second.request('workspace/executeCommand', { command: 'aros.reindex' });
    expect(after).toMatchObject({ files: FIXTURE_FILES - 1, parsed: 1, reused: FIXTURE_FILES - 2, removed: 1, libraryFunctions: 8 });
    expect((await second.request('workspace/symbol', { query: 'forbid_Appended' })).map((s: { name: string }) => s.name)).toEqual(['forbid_Appended']);
    await second.shutdown();
    expect(listTree(ws.home)).toEqual([]);
    ws.cleanup();
  });

  it('rebuilds from scratch, with a logged reason, when the cache file is corrupt', async () => {
    const ws = makeWorkspace();
    const first = await LspClient.forWorkspace(ws);
    await first.waitForLog(/^indexed /);
    await first.shutdown();
    const bin = `${ws.cacheDir}/index.bin`;
    const bytes = fs.readFileSync(bin);
    // In the core, which a load reads and checks whole (after the 64-byte header).
    bytes[64 + 10] ^= 0xff;
    fs.writeFileSync(bin, bytes);

    const second = await LspClient.forWorkspace(ws);
    const line = await second.waitForLog(/^indexed /);
    expect(second.logMessages()).toContain('cache file is corrupt (checksum mismatch); rebuilding');
    expect(line).toMatch(new RegExp(`: ${FIXTURE_FILES} parsed, 0 reused, 0 skipped; .*cache: cache file is corrupt \\(checksum mismatch\\); rebuilding; saved$`));
    await second.shutdown();
    ws.cleanup();
  });
});
