// Faults from outside (issue 8, part 2), each over stdio with the real server
// where the feature is a server's: a model file deleted or cut short while it
// is loaded, the model host killed, a compiler that floods its output, hangs
// or does not exist, a read-only or full cache directory, and kill -9 while
// the index cache, the error memory or a session log is being written.
// Faults that other files already cover are listed in RELIABILITY.md.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateTree } from '../../server/src/bench/generateTree';
import { mulberry32 } from '../../server/src/bench/seededRandom';
import { loadIndexCache } from '../../server/src/index/indexCache';
import { asMemoryRecord, ErrorMemory, LineAppender, readJsonLines } from '../../server/src/iteration/errorMemory';
import { readSession } from '../../server/src/iteration/sessionLog';
import { startFakeOpenAiServer, type FakeServer } from '../models/fakeOpenAiServer';
import { killLeftovers, LspClient, MAIN, makeWorkspace, printServerStderrOnFailure, REPO, type StatusParams, type Workspace } from '../protocol/client';
import { mountTmpfs, unmount } from '../helpers/tmpfs';

printServerStderrOnFailure();
afterEach(() => killLeftovers());

const STORIES = path.resolve(REPO, '..', 'shared', 'models', 'stories260K.gguf');
const MAKELIST = 'workbench/libs/mylib/makelist.c';

interface Loc {
  uri: string;
  range: { start: { line: number; character: number } };
}

/** Navigation must work through every fault: the definition of AllocMem from a call in allocpooled.c (never edited here). */
async function navigationWorks(c: LspClient, ws: Workspace): Promise<void> {
  const rel = 'rom/exec/allocpooled.c';
  const text = fs.readFileSync(ws.abs(rel), 'utf8').split('\n');
  const line = text.findIndex((l) => l.includes('= AllocMem('));
  const uri = ws.uri(rel);
  const defs = await c.request<Loc[]>('textDocument/definition', { textDocument: { uri }, position: { line, character: text[line].indexOf('AllocMem') + 2 } });
  expect(defs.map((d) => c.rel(d.uri))).toContain('rom/exec/allocmem.c');
  const found = await c.request<Array<{ name: string }>>('workspace/symbol', { query: 'AllocPooled' });
  expect(found.some((s) => s.name === 'AllocPooled')).toBe(true);
  expect(c.alive).toBe(true);
}

/** Peak resident memory of a process (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/** Messages the server showed the user (vscode-languageserver sends them as window/showMessageRequest). */
function shown(c: LspClient): Array<{ type: number; message: string }> {
  return c.serverRequests.filter((r) => r.method === 'window/showMessageRequest').map((r) => ({ type: r.params.type, message: r.params.message }));
}

function modelStatuses(c: LspClient, since = 0): StatusParams[] {
  return c.received('aros/status', since).filter((s: StatusParams) => s.component === 'model' && s.role === 'codegen');
}

// ---------------------------------------------------------------------------

describe('a model file that changes under the loaded model', () => {
  /** One inline request at the end of a new line holding `insert`, invoked (no debounce); a new line each time, so no cache answers. */
  let counter = 0;
  async function inline(c: LspClient, uri: string): Promise<{ items: Array<{ insertText: string }> }> {
    const line = 5 + counter;
    const insert = `    ULONG value${counter++} = `;
    await c.change(uri, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: `${insert}\n` }]);
    return c.request('textDocument/inlineCompletion', { textDocument: { uri }, position: { line, character: insert.length }, context: { triggerKind: 1 } });
  }

  async function start(): Promise<{ c: LspClient; ws: Workspace; model: string; uri: string }> {
    const ws = makeWorkspace();
    const model = path.join(ws.base, 'models', 'codegen.gguf');
    fs.mkdirSync(path.dirname(model));
    fs.copyFileSync(STORIES, model);
    const role = { model_path: model, threads: 1, context_size: 512, max_length: 8, temperature: 0 };
    const c = await LspClient.forWorkspace(ws, { settings: { models: { codegen: role, llm: role } } });
    await c.waitForIndexReady();
    counter = 0;
    const uri = await c.open(MAKELIST);
    const first = await inline(c, uri);
    expect(first.items).toHaveLength(1);
    expect(modelStatuses(c).at(-1)?.state).toBe('ready');
    return { c, ws, model, uri };
  }

  it('deleted: answers from memory; replaced by a truncated file: still the loaded model; navigation throughout', async () => {
    const { c, ws, model, uri } = await start();
    const good = fs.readFileSync(model);
    fs.rmSync(model);
    expect((await inline(c, uri)).items).toHaveLength(1);
    await navigationWorks(c, ws);
    // A new, broken file at the same path: the loaded model is the old one, which still answers.
    fs.writeFileSync(model, good.subarray(0, 4096));
    expect((await inline(c, uri)).items).toHaveLength(1);
    await navigationWorks(c, ws);
    fs.writeFileSync(model, good);
    expect((await inline(c, uri)).items).toHaveLength(1);
    expect(modelStatuses(c).filter((s) => s.state === 'error')).toEqual([]);
    await c.shutdown();
  });

  it('truncated in place (the mapped file shrinks): a clear error naming the file, then loads again once restored', async () => {
    const { c, ws, model, uri } = await start();
    const good = fs.readFileSync(model);
    const since = c.notifications.length;
    // Cut short in place: the same inode llama.cpp has mapped.
    fs.truncateSync(model, 4096);
    for (let i = 0; i < 3; i++) expect((await inline(c, uri)).items.length).toBeLessThanOrEqual(1);
    const errors = modelStatuses(c, since).filter((s) => s.state === 'error').map((s) => s.message);
    // The request in flight loses its host (SIGBUS on the mapped pages) and says why; the next load names the file and its problem.
    expect(errors[0]).toMatch(/crashed \(signal SIGBUS\) while generating with .*codegen\.gguf; .*codegen\.gguf changed on disk while it was loaded/);
    expect(errors.at(-1)).toBe(`codegen: ${model}: truncated (the metadata runs past the end of the file)`);
    await navigationWorks(c, ws);
    fs.writeFileSync(model, good);
    expect((await inline(c, uri)).items).toHaveLength(1);
    expect(modelStatuses(c).at(-1)?.state).toBe('ready');
    await c.shutdown();
  });
});

describe('the model host killed between requests', () => {
  it('is restarted by the next request; navigation never notices', async () => {
    const ws = makeWorkspace();
    const role = { model_path: STORIES, threads: 1, context_size: 512, max_length: 8, temperature: 0 };
    const c = await LspClient.forWorkspace(ws, { settings: { models: { codegen: role, llm: role } } });
    await c.waitForIndexReady();
    const uri = await c.open(MAKELIST);
    const ask = async (n: number): Promise<number> => {
      const insert = `    ULONG killed${n} = `;
      await c.change(uri, [{ range: { start: { line: 5, character: 0 }, end: { line: 5, character: 0 } }, text: `${insert}\n` }]);
      const r = await c.request<{ items: unknown[] }>('textDocument/inlineCompletion', { textDocument: { uri }, position: { line: 5, character: insert.length }, context: { triggerKind: 1 } });
      return r.items.length;
    };
    expect(await ask(0)).toBe(1);
    const [host] = childPids(c.proc.pid as number);
    expect(host).toBeDefined();
    process.kill(host, 'SIGKILL');
    await c.waitFor(() => !childPids(c.proc.pid as number).includes(host), undefined, 'the model host to go');
    await navigationWorks(c, ws);
    expect(await ask(1)).toBe(1);
    expect(childPids(c.proc.pid as number)).not.toContain(host);
    expect(modelStatuses(c).at(-1)?.state).toBe('ready');
    await c.shutdown();
  });
});

/** The direct children of a process (Linux). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      out.push(...fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    } catch {
      // the thread ended
    }
  }
  return out;
}

// ---------------------------------------------------------------------------

describe('a compiler that floods, hangs or is missing (aros.checkFile)', () => {
  async function start(compileCommand: string[], extra: Record<string, unknown> = {}): Promise<{ c: LspClient; ws: Workspace; uri: string }> {
    const ws = makeWorkspace();
    const c = await LspClient.forWorkspace(ws, { settings: { compileCommand, ...extra } });
    await c.waitForIndexReady();
    const uri = await c.open(MAKELIST);
    return { c, ws, uri };
  }
  const check = (c: LspClient, uri: string): Promise<{ errors: number; warnings: number; summary: string }> =>
    c.request('workspace/executeCommand', { command: 'aros.checkFile', arguments: [{ uri }] });

  it('100 MB on stdout and stderr: output capped, memory bounded, a clear note, still serving', async () => {
    // 100 MB of error lines naming the file on stdout, 100 MB of noise on stderr. `$0` is the scratch copy.
    const flood = `yes "$0:3:1: error: flood" | head -c 104857600; yes "noise noise noise" | head -c 104857600 >&2; exit 1`;
    const { c, ws, uri } = await start(['sh', '-c', flood, '${file}']);
    const pid = c.proc.pid as number;
    await navigationWorks(c, ws);
    const before = peakRss(pid);
    await c.request('aros/health', { reset: true });
    const since = c.notifications.length;
    const r = await check(c, uri);
    const health = await c.request<{ eventLoopDelayMs: { max: number } }>('aros/health');
    const after = peakRss(pid);
    process.stderr.write(`compiler flood: server peak RSS ${(before / 2 ** 20).toFixed(0)} -> ${(after / 2 ** 20).toFixed(0)} MB, event loop max ${health.eventLoopDelayMs.max} ms\n`);
    expect(r.summary).toMatch(/^exit 1, \d+ error\(s\), 0 warning\(s\), \d+ ms; output cut: \d+ bytes dropped; more than 500 diagnostics, only the first 500 kept$/);
    // 200 MB went through; what is kept is bounded (512 KiB per stream), and so is the server's peak.
    expect(Number(/output cut: (\d+)/.exec(r.summary)?.[1])).toBeGreaterThan(2 * 104857600 - 2 ** 20);
    expect(after - before).toBeLessThan(100 * 2 ** 20);
    const diags = (await c.waitForDiagnostics(uri, since)).filter((d: { source: string }) => d.source === 'aros-lsp compiler');
    expect(diags).toHaveLength(500);
    expect(diags[0]).toMatchObject({ message: 'flood', range: { start: { line: 2 } } });
    await navigationWorks(c, ws);
    await c.shutdown();
  });

  it('a hanging compiler is stopped after compileTimeoutMs, with a message; the server keeps serving', async () => {
    const { c, ws, uri } = await start(['sh', '-c', 'exec sleep 41.5', '${file}'], { compileTimeoutMs: 500 });
    const r = await check(c, uri);
    expect(r).toMatchObject({ errors: 0, summary: 'the compiler did not finish in 500 ms and was stopped' });
    expect(shown(c)).toContainEqual({ type: 1, message: `aros-lsp: checking ${MAKELIST} failed: ${r.summary}` });
    const ps = spawnSync('ps', ['-eo', 'stat,args'], { encoding: 'utf8' }).stdout;
    expect(ps.split('\n').filter((l) => l.includes('sleep 41.5') && !l.startsWith('Z'))).toEqual([]);
    await navigationWorks(c, ws);
    await c.shutdown();
  });

  it('a compiler that does not exist: a clear error message; the server keeps serving', async () => {
    const { c, ws, uri } = await start(['aros-lsp-no-such-compiler', '${file}']);
    const r = await check(c, uri);
    expect(r.summary).toBe("the compile command 'aros-lsp-no-such-compiler' was not found");
    expect(shown(c)).toContainEqual({ type: 1, message: `aros-lsp: checking ${MAKELIST} failed: ${r.summary}` });
    await navigationWorks(c, ws);
    await c.shutdown();
  });
});

describe('a compiler that floods or is missing, in the loop (aros/runIteration)', () => {
  const DEMO = 'workbench/hidds/demo/demo.c';
  const servers: FakeServer[] = [];
  afterEach(async () => {
    for (const f of servers.splice(0)) await f.close();
  });

  async function start(compileCommand: string[]): Promise<{ c: LspClient; ws: Workspace }> {
    const ws = makeWorkspace({ empty: true });
    fs.cpSync(path.join(REPO, 'test', 'fixtures', 'loop-mini'), ws.root, { recursive: true });
    const fake = await startFakeOpenAiServer({ tokens: ['    state->calls++;\n', '    return a + b;\n'] });
    servers.push(fake);
    const remote = { endpoint: fake.url, remote_model: 'coder', max_length: 64 };
    const c = await LspClient.forWorkspace(ws, { settings: { compileCommand, models: { codegen: remote, llm: remote } } });
    await c.waitForIndexReady();
    return { c, ws };
  }
  const run = (c: LspClient): Promise<any> => c.request('aros/runIteration', { task: { file: DEMO, symbol: 'demo_add', description: 'add' }, maxIterations: 1, maxRetries: 0 });

  it('100 MB of compiler output: streamed events capped with a note, the attempt says so, logs stay small', async () => {
    const flood = `yes "$0:12:5: error: flood" | head -c 104857600; yes "noise noise noise" | head -c 104857600 >&2; exit 1`;
    const { c, ws } = await start(['sh', '-c', flood, '${file}']);
    const before = peakRss(c.proc.pid as number);
    const r = await run(c);
    const after = peakRss(c.proc.pid as number);
    process.stderr.write(`compiler flood in the loop: server peak RSS ${(before / 2 ** 20).toFixed(0)} -> ${(after / 2 ** 20).toFixed(0)} MB\n`);
    expect(r.results[0].status).toBe('failed');
    const compile = r.results[0].attempts[0].phases.find((p: { phase: string }) => p.phase === 'compile');
    expect(compile.summary).toMatch(/; output cut: \d+ bytes dropped; more than 500 diagnostics, only the first 500 kept$/);
    expect(r.results[0].attempts[0].diagnostics).toHaveLength(500);
    const streamed = c.received('aros/iterationEvent').filter((e: { type: string }) => e.type === 'compiler-output').map((e: { text: string }) => e.text).join('');
    expect(streamed.length).toBeLessThan(256 * 1024 + 200);
    expect(streamed.endsWith('[aros-lsp: compiler output beyond 262144 characters is not shown]\n')).toBe(true);
    expect(after - before).toBeLessThan(100 * 2 ** 20);
    // The session log and the error memory hold the capped attempt, not the flood.
    const sessions = fs.readdirSync(path.join(ws.cacheDir, 'sessions'));
    expect(fs.statSync(path.join(ws.cacheDir, 'sessions', sessions[0])).size).toBeLessThan(2 * 2 ** 20);
    expect(fs.statSync(path.join(ws.cacheDir, 'error-memory.jsonl')).size).toBeLessThan(2 * 2 ** 20);
    await navigationWorksIn(c, DEMO);
    await c.shutdown();
  });

  it('a missing compiler fails the task with a sentence naming it; the server keeps serving', async () => {
    const { c } = await start(['aros-lsp-no-such-compiler', '${file}']);
    const r = await run(c);
    expect(r.results[0]).toMatchObject({ status: 'failed', reason: "the compile command 'aros-lsp-no-such-compiler' was not found" });
    const compile = r.results[0].attempts[0].phases.find((p: { phase: string }) => p.phase === 'compile');
    expect(compile).toMatchObject({ ok: false, summary: "the compile command 'aros-lsp-no-such-compiler' was not found" });
    await navigationWorksIn(c, DEMO);
    await c.shutdown();
  });
});

/** A document symbol request on a file of the loop fixture still answers. */
async function navigationWorksIn(c: LspClient, rel: string): Promise<void> {
  const symbols = await c.request<Array<{ name: string }>>('textDocument/documentSymbol', { textDocument: { uri: c.uri(rel) } });
  expect(symbols.map((s) => s.name)).toContain('demo_add');
  expect(c.alive).toBe(true);
}

// ---------------------------------------------------------------------------

/** Mounts a tmpfs of `size` at `dir` (root only); false when this machine does not let us. */
describe('a cache directory that cannot be written', () => {
  async function indexInMemory(ws: Workspace, code: RegExp): Promise<void> {
    const c = await LspClient.forWorkspace(ws);
    const ready = await c.waitForIndexReady();
    const log = await c.waitForLog(/^indexed /);
    expect(log).toMatch(/: 28 parsed, 0 reused, 0 skipped; .*cache: no cache yet; cache not saved \(\w+\); the index stays in memory$/);
    expect(log).toMatch(code);
    // The status says so too, and the index answers from memory.
    expect(ready.message).toMatch(/^indexed 28 files \(28 parsed, 0 reused\) in \d+ ms; cache not saved \(\w+\): the index stays in memory$/);
    await navigationWorks(c, ws);
    // No temporary file is left behind.
    expect(fs.readdirSync(ws.cacheDir).filter((f) => f.startsWith('index.bin'))).toEqual([]);
    await c.shutdown();
  }

  it('full (ENOSPC on a 64 KiB tmpfs): the index stays in memory and the status says so', async (ctx) => {
    const ws = makeWorkspace();
    if (!mountTmpfs(ws.cacheDir, '64k')) ctx.skip();
    try {
      await indexInMemory(ws, /\(ENOSPC\)/);
    } finally {
      unmount(ws.cacheDir);
    }
    // Once there is room, the next server writes the cache.
    const c = await LspClient.forWorkspace(ws);
    expect(await c.waitForLog(/^indexed /)).toMatch(/cache: no cache yet; saved$/);
    await c.shutdown();
  });

  it('read-only (a read-only mount, or mode 555 when not root): the index stays in memory and the status says so', async (ctx) => {
    const ws = makeWorkspace();
    let mounted = false;
    if (typeof process.getuid === 'function' && process.getuid() === 0) {
      if (!mountTmpfs(ws.cacheDir, '1m')) ctx.skip();
      mounted = true;
      expect(spawnSync('mount', ['-o', 'remount,ro', ws.cacheDir]).status).toBe(0);
    } else {
      fs.mkdirSync(ws.cacheDir);
      fs.chmodSync(ws.cacheDir, 0o555);
    }
    try {
      await indexInMemory(ws, mounted ? /\(EROFS\)/ : /\(EACCES\)/);
    } finally {
      if (mounted) unmount(ws.cacheDir);
      else fs.chmodSync(ws.cacheDir, 0o755);
    }
  });
});

describe('appending on a full disk', () => {
  it('a line cut short by ENOSPC never swallows the next record once there is room again', async (ctx) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aros-lsp-full-'));
    if (!mountTmpfs(dir, '64k')) {
      fs.rmSync(dir, { recursive: true, force: true });
      ctx.skip();
    }
    try {
      const filler = path.join(dir, 'filler');
      fs.writeFileSync(filler, Buffer.alloc(40 * 1024));
      const file = path.join(dir, 'error-memory.jsonl');
      const appender = new LineAppender(file);
      const written: number[] = [];
      let failed = 0;
      for (let n = 0; n < 200 && failed < 3; n++) {
        if (await appender.append({ n, pad: 'x'.repeat(700) })) written.push(n);
        else failed++;
      }
      expect(failed).toBe(3);
      fs.rmSync(filler);
      expect(await appender.append({ n: 'after' })).toBe(true);
      const read = await readJsonLines(file, (v) => v as { n: number | string });
      expect(read?.records.map((r) => r.n)).toEqual([...written, 'after']);
    } finally {
      unmount(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------

describe('kill -9 while files are being written', () => {
  function run(args: string[], killWhen?: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
      killWhen?.(child);
    });
  }

  /** Polls `dir` until a temporary cache file shows up (the save has started), then kills after `afterMs`. */
  function killDuringSave(dir: string, afterMs: number, hit: { during: number }): (child: ReturnType<typeof spawn>) => void {
    return (child) => {
      const timer = setInterval(() => {
        if (child.exitCode !== null || child.signalCode !== null) return clearInterval(timer);
        const temp = fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith('.tmp'));
        if (!temp) return;
        clearInterval(timer);
        setTimeout(() => {
          if (fs.readdirSync(dir).some((f) => f.endsWith('.tmp'))) hit.during++;
          child.kill('SIGKILL');
        }, afterMs);
      }, 1);
    };
  }

  it(
    'the index cache: after every kill the next run loads or rebuilds, never reads a torn cache, never crashes',
    async () => {
      const base = fs.mkdtempSync(path.join(os.tmpdir(), 'aros-lsp-kill9-'));
      const tree = path.join(base, 'tree');
      const cache = path.join(base, 'cache');
      try {
        await generateTree({ outDir: tree, files: 800, seed: 9 });
        const args = ['index', tree, '--cache-dir', cache, '--json'];
        const random = mulberry32(9);
        type Summary = { files: number; symbols: Record<string, number>; cache: string; elapsedMs: number };
        const complete = async (): Promise<Summary> => {
          const r = await run(args);
          expect(r, r.stderr).toMatchObject({ code: 0, signal: null });
          return JSON.parse(r.stdout) as Summary;
        };

        // A cold run killed at a random moment: afterwards there is no cache, or a whole one.
        const cold = await run(args, (child) => setTimeout(() => child.kill('SIGKILL'), 200 + random() * 1500));
        expect(cold.signal === 'SIGKILL' || cold.code === 0).toBe(true);
        const afterCold = await loadIndexCache(cache);
        expect(afterCold.ok || afterCold.missing).toBe(true);
        const reference = await complete();
        expect(reference.cache).not.toMatch(/corrupt/);

        const hit = { during: 0 };
        let added = 0;
        for (let round = 0; round < 8; round++) {
          // One new function, so the run parses a file and saves the cache again.
          const file = path.join(tree, 'rom', `kill9_${round % 3}.c`);
          fs.appendFileSync(file, `\nULONG kill9_Round${round}(void) { return ${round}; }\n`);
          added++;
          const killed = await run(
            args,
            round % 2 === 0 ? killDuringSave(cache, random() * 10, hit) : (child) => setTimeout(() => child.kill('SIGKILL'), random() * reference.elapsedMs * 1.5),
          );
          expect(killed.signal === 'SIGKILL' || killed.code === 0, killed.stderr).toBe(true);
          // Whatever the moment, index.bin is a whole cache: the rename is the only way it changes.
          const loaded = await loadIndexCache(cache);
          expect(loaded.ok, loaded.ok ? '' : loaded.reason).toBe(true);
          const next = await complete();
          expect(next.cache).toMatch(/^loaded \d+ entries/);
          expect(next.files).toBe(reference.files + Math.min(round + 1, 3));
          expect(next.symbols.function).toBe(reference.symbols.function + added);
          // The next save removed what the killed one left behind.
          expect(fs.readdirSync(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
        }
        // The even rounds aimed at the save (0-10 ms after its temporary file appeared): the scenario must have happened.
        process.stderr.write(`kill -9 index cache: ${hit.during} of 4 aimed kills landed while a temporary cache file was being written\n`);
        expect(hit.during).toBeGreaterThanOrEqual(1);
      } finally {
        fs.rmSync(base, { recursive: true, force: true });
      }
    },
    300_000,
  );

  it(
    'the error memory and a session log: after every kill each acknowledged record is readable, and appends go on',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aros-lsp-kill9-mem-'));
      // Writes records as fast as it can; prints each one's number once its write resolved.
      const writer = `
        const { ErrorMemory } = require(${JSON.stringify(path.join(REPO, 'out', 'iteration', 'errorMemory.js'))});
        const { SessionLog } = require(${JSON.stringify(path.join(REPO, 'out', 'iteration', 'sessionLog.js'))});
        (async () => {
          const [dir, round] = process.argv.slice(1);
          const memory = await ErrorMemory.open(dir);
          const log = await SessionLog.create(dir, { project: 'round-' + round });
          process.stdout.write('session ' + log.id + '\\n');
          for (let n = 0; ; n++) {
            const message = 'r' + round + '-' + n + ": 'x' undeclared " + 'y'.repeat(n % 50);
            await memory.recordOccurrence({ message, file: 'a.c', line: n, task: 't' });
            const ok = await log.append({ type: 'attempt', n, pad: 'z'.repeat(n % 300) });
            if (!ok) throw new Error('append failed');
            process.stdout.write('ack ' + n + '\\n');
          }
        })();
      `;
      const random = mulberry32(3);
      const acked: Array<{ round: number; session: string; upTo: number }> = [];
      try {
        for (let round = 0; round < 6; round++) {
          const child = spawn(process.execPath, ['-e', writer, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          let err = '';
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          // Some records first, then a kill at a random moment.
          await new Promise<void>((resolve, reject) => {
            const timer = setInterval(() => {
              if (child.exitCode !== null) {
                clearInterval(timer);
                reject(new Error(`the writer ended: ${err}`));
              }
              if ((out.match(/^ack /gm) ?? []).length >= 20) {
                clearInterval(timer);
                setTimeout(() => {
                  child.kill('SIGKILL');
                  resolve();
                }, random() * 300);
              }
            }, 2);
          });
          await new Promise((r) => child.once('exit', r));
          const session = /^session (\S+)$/m.exec(out)?.[1] as string;
          const acks = [...out.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
          acked.push({ round, session, upTo: acks.at(-1) ?? -1 });

          // Every acknowledged record of every round so far is readable.
          const memory = await readJsonLines(path.join(dir, 'error-memory.jsonl'), asMemoryRecord);
          const messages = new Set(memory?.records.map((r) => r.message.split(':')[0]));
          for (const a of acked) {
            for (let n = 0; n <= a.upTo; n++) expect(messages.has(`r${a.round}-${n}`), `error memory record r${a.round}-${n}`).toBe(true);
            const records = await readSession(dir, a.session);
            const ns = new Set(records?.filter((r) => r.type === 'attempt').map((r) => (r as unknown as { n: number }).n));
            for (let n = 0; n <= a.upTo; n++) expect(ns.has(n), `session ${a.round} record ${n}`).toBe(true);
          }
          // At most the line being written when a writer died is lost (one per kill; a single small write is rarely torn at all).
          expect(memory?.corrupt ?? 0).toBeLessThanOrEqual(round + 1);
        }
        // The memory still opens normally and holds them all.
        const memory = await ErrorMemory.open(dir);
        expect(memory.stats().occurrences).toBeGreaterThanOrEqual(acked.reduce((sum, a) => sum + a.upTo + 1, 0));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
