// Load (issue 8, part 3), small and fast, through the benchmark's own module
// (server/src/bench/loadBench.ts): 1,000 didChange events as fast as the pipe
// takes them on a 5,000-line file, with completion and inline completion
// requests interleaved. Correctness only, no timing thresholds: every request
// is answered, the server's text is the client's, memory does not keep
// growing, and aros/health answers sane numbers. The timings are the
// benchmark's business (`npm run bench:load`, BENCHMARKS.md).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateTree } from '../../server/src/bench/generateTree';
import { runIndexLoad, runTypingLoad, type Health } from '../../server/src/bench/loadBench';
import { startBenchServer } from '../../server/src/bench/lspClient';
import { killLeftovers, LspClient, makeWorkspace, printServerStderrOnFailure } from '../protocol/client';

printServerStderrOnFailure();
afterEach(() => killLeftovers());

function expectSane(h: Health): void {
  for (const v of [h.eventLoopDelayMs.max, h.eventLoopDelayMs.p99, h.eventLoopDelayMs.mean, h.gc.count, h.gc.totalMs, h.gc.maxMs, h.memory.rss, h.memory.heapUsed, h.uptimeMs]) {
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThanOrEqual(0);
  }
  expect(h.eventLoopDelayMs.max).toBeGreaterThanOrEqual(h.eventLoopDelayMs.p99);
  expect(h.gc.totalMs).toBeGreaterThanOrEqual(h.gc.maxMs);
  expect(h.gc.count === 0).toBe(h.gc.totalMs === 0);
  expect(h.memory.rss).toBeGreaterThan(h.memory.heapUsed);
  expect(h.memory.heapUsed).toBeGreaterThan(1 << 20);
  expect(h.uptimeMs).toBeGreaterThan(0);
}

describe('typing load on a 5,000-line file', () => {
  it(
    '1,000 changes with completions interleaved: every request answered, the same text on both sides, bounded memory',
    async () => {
      for (const autoClose of [true, false]) {
        const r = await runTypingLoad({ changes: 1000, intervalMs: 0, lines: 5000, autoClose, snapshotsAt: [500, 1000] });
        // Typing goes on past 1,000 to the end of the function being typed.
        expect(r.changes).toBeGreaterThanOrEqual(1000);
        expect(r.lines).toBe(5000);
        expect(r.answered).toBe(r.sent);
        for (const [kind, s] of Object.entries(r.latency)) expect({ kind, errors: s.errors }).toEqual({ kind, errors: 0 });
        expect(r.latency.completion.count).toBe(Math.floor(r.changes / 5));
        expect(r.latency.inlineCompletion.count).toBe(Math.floor(r.changes / 10));
        // The server's symbols put every typed function, and every function of the file around them, where the client has them.
        expect(r.textCheck.problems).toEqual([]);
        expect(r.textCheck.ok).toBe(true);
        expect(r.textCheck.typedFunctions).toBeGreaterThanOrEqual(3);
        // Memory: the second 500 changes must not cost what the first did and more (a generous bound, not a timing).
        const [at500, at1000] = r.snapshots;
        expect(at500.changes).toBe(500);
        expect(at1000.changes).toBe(1000);
        expect(at1000.health.memory.rss).toBeLessThan(at500.health.memory.rss * 1.5);
        for (const w of [...r.snapshots.map((s) => s.health), ...r.windows.map((w) => w.health)]) expectSane(w);
        const uptimes = r.windows.map((w) => w.health.uptimeMs);
        expect([...uptimes].sort((a, b) => a - b)).toEqual(uptimes);
      }
    },
    240_000,
  );
});

describe('indexing a tree while requests are served', () => {
  it(
    'answers every workspace/symbol, hover and completion sent while a generated tree is indexed',
    async () => {
      const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'aros-lsp-load-tree-'));
      try {
        const manifest = await generateTree({ outDir: tree, files: 400, seed: 4 });
        const r = await runIndexLoad({ tree, intervalMs: 20 });
        expect(r.files).toBe(manifest.files + manifest.confFiles);
        expect(r.rounds).toBeGreaterThan(0);
        for (const kind of ['workspace/symbol', 'hover', 'completion']) expect(r.latency[kind]).toMatchObject({ count: r.rounds, errors: 0 });
        for (const w of r.windows) expectSane(w.health);
        expect(r.control.aroundStalls).toHaveLength(r.eventLoop.stalls.length);
        expect(r.control.maxMs).toBeGreaterThanOrEqual(0);
      } finally {
        fs.rmSync(tree, { recursive: true, force: true });
      }
    },
    240_000,
  );
});

describe('aros/health', () => {
  it('collects garbage before reading memory when the server runs with --expose-gc', async () => {
    const ws = makeWorkspace({ empty: true });
    const server = await startBenchServer(ws.root, ws.cacheDir, {}, undefined, { nodeArgs: ['--expose-gc'], home: ws.home });
    try {
      await server.ready;
      const h = (await server.connection.sendRequest('aros/health', { collect: true })) as Health;
      expect(h.collected).toBe(true);
      expectSane(h);
      expect(((await server.connection.sendRequest('aros/health')) as Health).collected).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it('answers without params, resets its histogram when asked, and refuses bad params', async () => {
    const ws = makeWorkspace({ empty: true });
    const c = await LspClient.forWorkspace(ws);
    await c.waitForIndexReady();
    const first = await c.request<Health>('aros/health');
    expectSane(first);
    // Reset, wait a little and ask again: uptime moves on.
    await c.request('aros/health', { reset: true });
    await new Promise((r) => setTimeout(r, 300));
    const after = await c.request<Health>('aros/health', { reset: false });
    expectSane(after);
    expect(after.uptimeMs).toBeGreaterThan(first.uptimeMs);
    await expect(c.request('aros/health', { reset: 'yes' })).rejects.toThrow(/aros\/health params must be \{ reset\?: boolean, collect\?: boolean \}/);
    await expect(c.request('aros/health', { collect: 1 })).rejects.toThrow(/aros\/health params/);
    // Without --expose-gc, collect is ignored and the answer says so.
    expect((await c.request<Health>('aros/health', { collect: true })).collected).toBe(false);
    await expect(c.request('aros/health', [1])).rejects.toThrow(/aros\/health params/);
    expect(c.alive).toBe(true);
    await c.shutdown();
    ws.cleanup();
  });
});
