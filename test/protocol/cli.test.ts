// The `aros-lsp` command line, run as a child process from out/, and the
// guarantee that `serve` writes nothing to stdout but protocol frames.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without type declarations (see its header for the API)
import { makeBinaryFixtures } from '../fixtures/make-binary-fixtures.mjs';
import { FIXTURE, FrameParser, frame, killLeftovers, listTree, makeWorkspace, printServerStderrOnFailure, RawClient, REPO, runCli, type Workspace } from './client';

printServerStderrOnFailure();

afterEach(() => killLeftovers());

const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/** Rows of the README's "## Library functions" table: the library functions the fixture defines. */
function readmeLibraryFunctions(): string[] {
  const text = fs.readFileSync(path.join(FIXTURE, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('## Library functions'), text.indexOf('### `.conf` files'));
  return [...section.matchAll(/^\| `(\w+)` \| `([^`]+)` \| (\d+) \|/gm)].map((m) => `${m[1]} ${m[2]}:${m[3]}`);
}

/** Runs a command on a workspace with its cache directory and HOME inside the workspace's temp dir. */
function cli(ws: Workspace, ...args: string[]): ReturnType<typeof runCli> {
  return runCli([...args, '--cache-dir', ws.cacheDir], { home: ws.home });
}

function json(r: ReturnType<typeof runCli>): any {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.status}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

describe('aros-lsp --version / --help', () => {
  it('prints the package version', () => {
    expect(runCli(['--version'])).toEqual({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(runCli(['-v']).stdout).toBe(`${VERSION}\n`);
  });

  it('prints the usage with every command', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith('aros-lsp: a language server for the AROS C tree\n')).toBe(true);
    for (const usage of [
      'aros-lsp [serve] [--stdio]',
      'aros-lsp index DIR [--json]',
      'aros-lsp symbols DIR QUERY [--json] [--limit N]',
      'aros-lsp definition DIR NAME [--json]',
      'aros-lsp breadcrumbs DIR [--json] [--check]',
      'aros-lsp --version | --help',
      '--cache-dir DIR',
    ]) {
      expect(r.stdout).toContain(usage);
    }
  });

  it('refuses an unknown command with exit code 2 and the usage on stderr', () => {
    const r = runCli(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith("aros-lsp: unknown command 'frobnicate'\n")).toBe(true);
    expect(r.stderr).toContain('Usage:');
  });

  it('refuses a directory that does not exist with exit code 2', () => {
    const r = runCli(['index', '/nonexistent/aros', '--json', '--no-cache']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('aros-lsp: not a directory: /nonexistent/aros\n');
  });
});

describe('aros-lsp index', () => {
  it('--json: the counts of the fixture, as its README gives them', () => {
    const ws = makeWorkspace();
    const r = cli(ws, 'index', ws.root, '--json');
    expect(r.status).toBe(0);
    const s = json(r);
    expect(readmeLibraryFunctions()).toHaveLength(9);
    expect(s.libraryFunctions).toBe(readmeLibraryFunctions().length);
    expect(s).toMatchObject({ files: 28, parsed: 28, reused: 0, removed: 0, skipped: [], hooks: 2, breadcrumbs: 25, cache: 'no cache yet; saved' });
    expect(typeof s.peakRssMb).toBe('number');
    // The cache went to --cache-dir, nothing to HOME.
    expect(listTree(ws.cacheDir)).toEqual(['index.bin', 'walk.json']);
    expect(listTree(ws.home)).toEqual([]);
    // Run again: everything comes from the cache.
    expect(json(cli(ws, 'index', ws.root, '--json'))).toMatchObject({ files: 28, parsed: 0, reused: 28, cache: 'loaded 28 entries' });
    ws.cleanup();
  });

  it('--json: lists skipped files with their reasons', async () => {
    const ws = makeWorkspace();
    await makeBinaryFixtures(ws.root, { hugeBytes: 6 << 20, latin1: false, buildOutput: false });
    const hugeSize = fs.statSync(ws.abs('malformed/huge.c')).size;
    const s = json(cli(ws, 'index', ws.root, '--json'));
    expect([...s.skipped].sort((a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1))).toEqual([
      { path: 'malformed/binary.h', reason: 'binary: contains NUL bytes' },
      { path: 'malformed/huge.c', reason: `too large: ${hugeSize} bytes (limit 5242880)` },
    ]);
    expect(s.files).toBe(28);
    // With a higher limit the huge file is indexed.
    const bigger = json(cli(ws, 'index', ws.root, '--json', '--max-file-bytes', String(hugeSize)));
    expect(bigger.skipped).toEqual([{ path: 'malformed/binary.h', reason: 'binary: contains NUL bytes' }]);
    expect(bigger.files).toBe(29);
    ws.cleanup();
  });

  it('without --json: a readable summary', () => {
    const ws = makeWorkspace();
    const r = cli(ws, 'index', ws.root);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^files {7}28 \(28 parsed, 0 reused, 0 removed\)$/m);
    expect(r.stdout).toMatch(/^AROS {8}9 library functions, 2 hooks$/m);
    expect(r.stdout).toMatch(/^breadcrumbs 25$/m);
    expect(r.stdout).toMatch(/^skipped {5}0$/m);
    ws.cleanup();
  });
});

describe('aros-lsp symbols', () => {
  it('--json: word segments find AllocPooled, definition before the .conf entry', () => {
    const ws = makeWorkspace();
    const r = cli(ws, 'symbols', ws.root, 'alpo', '--json');
    expect(r.status).toBe(0);
    const found = json(r) as Array<{ name: string; file: string; line: number; kind: string; definition: boolean }>;
    const pooled = found.filter((s) => s.name === 'AllocPooled');
    expect(found.slice(0, 3)).toEqual(pooled);
    expect(pooled.map((s) => `${s.file}:${s.line}`).sort()).toEqual(['compiler/include/proto/exec.h:129', 'rom/exec/allocpooled.c:15', 'rom/exec/exec.conf:33']);
    expect(pooled[2]).toMatchObject({ file: 'rom/exec/exec.conf', definition: false });
    ws.cleanup();
  });

  it('--limit bounds the list; no match exits 1', () => {
    const ws = makeWorkspace();
    expect(json(cli(ws, 'symbols', ws.root, 'Alloc', '--json', '--limit', '2'))).toHaveLength(2);
    const none = cli(ws, 'symbols', ws.root, 'zzzNoSuchThingqqq', '--json');
    expect(none.status).toBe(1);
    expect(json(none)).toEqual([]);
    ws.cleanup();
  });
});

describe('aros-lsp definition', () => {
  it('--json: an AROS library function lands on its AROS_LH2 definition in rom/exec', () => {
    const ws = makeWorkspace();
    const r = cli(ws, 'definition', ws.root, 'AllocMem', '--json');
    expect(r.status).toBe(0);
    const found = json(r) as Array<Record<string, unknown>>;
    const lh = found.find((s) => s.file === 'rom/exec/allocmem.c');
    expect(lh).toEqual({
      name: 'AllocMem',
      kind: 'function',
      definition: true,
      file: 'rom/exec/allocmem.c',
      line: 23,
      column: 24,
      signature: 'APTR AllocMem(\n    IPTR byteSize /* D0 */,\n    ULONG attributes /* D1 */\n)',
      aros: { form: 'library', macro: 'AROS_LH2', baseType: 'struct ExecBase *', baseName: 'SysBase', lvo: 33, library: 'Exec' },
    });
    // Never the .conf entry (a declaration).
    expect(found.some((s) => s.file === 'rom/exec/exec.conf')).toBe(false);
    ws.cleanup();
  });

  it('--json: the AROS_LH2 definition comes first, before the proto/exec.h macro (search.ts: compareRefs)', () => {
    const ws = makeWorkspace();
    const found = json(cli(ws, 'definition', ws.root, 'AllocMem', '--json')) as Array<{ file: string }>;
    expect(found[0].file).toBe('rom/exec/allocmem.c');
    ws.cleanup();
  });

  it('an unknown name exits 1; the plain output is file:line:column', () => {
    const ws = makeWorkspace();
    expect(cli(ws, 'definition', ws.root, 'NoSuchFunction').status).toBe(1);
    const r = cli(ws, 'definition', ws.root, 'radeonsi_InitHW');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('workbench/hidds/radeonsi/radeonsi_init.c:28:6\tfunction\tradeonsi_InitHW\n');
    ws.cleanup();
  });
});

describe('aros-lsp breadcrumbs', () => {
  it('--json: tasks in the order BREADCRUMBS.md gives (status, priority, dependencies, path, line)', () => {
    const ws = makeWorkspace();
    const r = cli(ws, 'breadcrumbs', ws.root, '--json');
    expect(r.status).toBe(0);
    const out = json(r);
    const R = 'workbench/hidds/radeonsi/';
    expect(out.tasks.map((t: { file: string; line: number; status: string; priority?: number }) => `${t.status} ${t.priority ?? '-'} ${t.file.replace(R, '')}:${t.line}`)).toEqual([
      // PARTIAL: V3 has priority 7; the bad file's PARTIAL tasks have none, so they follow in path/line order.
      'PARTIAL 7 radeonsi_init.c:43',
      'PARTIAL - bad_breadcrumbs.c:33',
      'PARTIAL - bad_breadcrumbs.c:53',
      'PARTIAL - bad_breadcrumbs.c:100',
      'PARTIAL - bad_breadcrumbs.c:108',
      'PARTIAL - bad_breadcrumbs.c:136',
      'PARTIAL - bad_breadcrumbs.c:153',
      // NOT_STARTED: V1 and V7 (priority 8, same phase: path order), V9 (3), then the unprioritized ones
      // (case 6's priority 11 is invalid): DISPLAY_OUTPUT before HOTPLUG, which depends on it.
      'NOT_STARTED 8 radeonsi_intern.h:97',
      'NOT_STARTED 8 radeonsi_memory.c:15',
      'NOT_STARTED 3 radeonsi_memory.c:70',
      'NOT_STARTED - bad_breadcrumbs.c:80',
      'NOT_STARTED - bad_breadcrumbs.c:61',
      'NOT_STARTED - bad_breadcrumbs.c:90',
      // NEEDS_REFACTOR: V8 (5), V6 (none).
      'NEEDS_REFACTOR 5 radeonsi_memory.c:50',
      'NEEDS_REFACTOR - radeonsi_init.c:94',
    ]);
    expect(out.summary.total).toBe(25);
    expect(out.summary.findings).toEqual({ error: 5, warning: 11, information: 0, hint: 2 });
    expect(new Set(out.findings.map((f: { file: string }) => f.file))).toEqual(new Set([`${R}bad_breadcrumbs.c`]));
    ws.cleanup();
  });

  it('--json on a tree without bad_breadcrumbs.c: the six tasks of the README, no findings', () => {
    const ws = makeWorkspace();
    fs.rmSync(ws.abs('workbench/hidds/radeonsi/bad_breadcrumbs.c'));
    const out = json(cli(ws, 'breadcrumbs', ws.root, '--json'));
    // README: V3; V1 and V7 (radeonsi_intern.h first); V9; V8; V6.
    expect(out.tasks.map((t: { file: string; line: number; target?: string }) => `${path.basename(t.file)}:${t.line} ${t.target}`)).toEqual([
      'radeonsi_init.c:43 init_gpu_pipeline',
      'radeonsi_intern.h:97 radeon_alloc_vram',
      'radeonsi_memory.c:15 radeon_alloc_vram',
      'radeonsi_memory.c:70 ShaderCacheEntry',
      'radeonsi_memory.c:50 rsi_SetupGART',
      'radeonsi_init.c:94 RadeonSI_Enumerator',
    ]);
    expect(out.findings).toEqual([]);
    expect(out.summary.total).toBe(10);
    ws.cleanup();
  });

  it('--check exits 1 on the fixture (it has error breadcrumbs) and 0 on a tree without errors', () => {
    const ws = makeWorkspace();
    const bad = cli(ws, 'breadcrumbs', ws.root, '--check');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^Findings: 5 errors, 11 warnings, 0 information, 2 hints$/m);
    expect(bad.stdout).toContain('workbench/hidds/radeonsi/bad_breadcrumbs.c:15:1: error: Breadcrumb has no AI_STATUS [missing-tag]');
    expect(cli(ws, 'breadcrumbs', ws.root).status).toBe(0); // without --check, findings are not a failure
    fs.rmSync(ws.abs('workbench/hidds/radeonsi/bad_breadcrumbs.c'));
    const good = cli(ws, 'breadcrumbs', ws.root, '--check');
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^Findings: 0 errors, 0 warnings, 0 information, 0 hints$/m);
    ws.cleanup();
  });

  it('--check exits 0 when there are warnings but no errors', () => {
    const ws = makeWorkspace();
    fs.rmSync(ws.abs('workbench/hidds/radeonsi/bad_breadcrumbs.c'));
    fs.writeFileSync(
      ws.abs('workbench/hidds/radeonsi/warn_only.c'),
      '// AI_PHASE: DISPLAY_OUTPUT\n// AI_STATUS: NOT_STARTED\n// AI_PRIORITY: 11\nstatic void warn_Only(void)\n{\n}\n',
    );
    const r = cli(ws, 'breadcrumbs', ws.root, '--check', '--json');
    expect(json(r).findings.map((f: { severity: string; code: string }) => `${f.severity} ${f.code}`)).toEqual(['warning invalid-format']);
    expect(r.status).toBe(0);
    ws.cleanup();
  });
});

describe('aros-lsp serve', () => {
  it('(the frame checker itself flags bytes outside frames and accepts split frames)', () => {
    const good = new FrameParser();
    const bytes = Buffer.concat([frame({ jsonrpc: '2.0', id: 1, result: null }), frame({ jsonrpc: '2.0', method: 'x' })]);
    for (let i = 0; i < bytes.length; i += 7) good.push(bytes.subarray(i, i + 7));
    expect(good.violations).toEqual([]);
    expect(good.pending).toBe(0);
    expect(good.frames.map((f) => f.message)).toEqual([{ jsonrpc: '2.0', id: 1, result: null }, { jsonrpc: '2.0', method: 'x' }]);
    const bad = new FrameParser();
    bad.push(Buffer.concat([Buffer.from('noise\n'), frame({ jsonrpc: '2.0', id: 1, result: null })]));
    expect(bad.violations).toHaveLength(1);
    const tail = new FrameParser();
    tail.push(Buffer.concat([frame({ jsonrpc: '2.0', id: 1, result: null }), Buffer.from('noise\n')]));
    expect(tail.pending).toBe(6);
  });

  it("sends console output (its own or a dependency's) to stderr, never to stdout", async () => {
    const ws = makeWorkspace();
    // A preloaded module that keeps printing through every console method that writes to stdout by default.
    const noisy = path.join(ws.base, 'noisy.cjs');
    fs.writeFileSync(
      noisy,
      "setInterval(() => { console.log('noise: log'); console.info('noise: info'); console.debug('noise: debug'); console.dir({ noise: 'dir' }); console.table([1]); }, 5).unref();\n",
    );
    for (const args of [['serve', '--stdio'], []]) {
      const c = RawClient.start({ args, home: ws.home, env: { NODE_OPTIONS: `--require ${noisy}` } });
      c.answerServerRequests();
      const init = await c.call('initialize', { processId: process.pid, rootUri: ws.uri(''), initializationOptions: { cacheDir: ws.cacheDir }, capabilities: {} });
      expect(init.result.serverInfo.name).toBe('aros-lsp');
      c.notify('initialized', {});
      await c.waitFor(() => c.messages().some((m) => m.method === 'aros/status' && m.params.state === 'ready'), undefined, 'index ready');
      await c.waitFor(() => c.stderr.includes('noise: debug'), undefined, 'the noise on stderr');
      expect((await c.call('shutdown')).result).toBeNull();
      c.notify('exit');
      expect(await c.exit).toEqual({ code: 0, signal: null });
      expect(c.parser.violations).toEqual([]);
      expect(c.parser.pending).toBe(0);
      expect(c.stderr).toContain('noise: log');
    }
    ws.cleanup();
  });

  for (const args of [['serve', '--stdio'], []]) {
    it(`${args.length ? args.join(' ') : '(no arguments)'}: every byte on stdout belongs to a well-formed frame`, async () => {
      const ws = makeWorkspace();
      await makeBinaryFixtures(ws.root, { hugeBytes: 6 << 20, buildOutput: false }); // skipped files: logged, on stderr only
      const c = RawClient.start({ args, home: ws.home });
      c.answerServerRequests();
      const init = await c.call('initialize', {
        processId: process.pid,
        rootUri: ws.uri(''),
        initializationOptions: { cacheDir: ws.cacheDir },
        capabilities: { window: { workDoneProgress: true }, workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
      });
      expect(init.result.serverInfo).toEqual({ name: 'aros-lsp', version: VERSION });
      c.notify('initialized', {});
      await c.waitFor(() => c.messages().some((m) => m.method === 'aros/status' && m.params.state === 'ready'), undefined, 'index ready');
      // Some traffic of every kind: diagnostics, a search, a hover, an error.
      c.notify('textDocument/didOpen', {
        textDocument: { uri: ws.uri('workbench/hidds/radeonsi/bad_breadcrumbs.c'), languageId: 'c', version: 1, text: fs.readFileSync(ws.abs('workbench/hidds/radeonsi/bad_breadcrumbs.c'), 'utf8') },
      });
      expect((await c.call('workspace/symbol', { query: 'AllocMem' })).result.length).toBe(3);
      await c.call('textDocument/hover', { textDocument: { uri: ws.uri('rom/exec/allocmem.c') }, position: { line: 22, character: 25 } });
      expect((await c.call('textDocument/definition', {})).error.code).toBe(-32602);
      await c.waitFor(() => c.messages().some((m) => m.method === 'textDocument/publishDiagnostics'), undefined, 'diagnostics');
      expect((await c.call('shutdown')).result).toBeNull();
      c.notify('exit');
      expect(await c.exit).toEqual({ code: 0, signal: null });

      expect(c.parser.violations).toEqual([]);
      expect(c.parser.pending).toBe(0);
      for (const f of c.parser.frames) {
        expect(Object.keys(f.headers)).toEqual(['content-length']);
        expect(f.message.jsonrpc).toBe('2.0');
      }
      const methods = new Set(c.messages().map((m) => m.method ?? 'response'));
      for (const m of ['response', 'window/logMessage', 'aros/status', '$/progress', 'textDocument/publishDiagnostics', 'window/workDoneProgress/create']) {
        expect(methods).toContain(m);
      }
      // The skipped files were reported, on stderr.
      expect(c.stderr).toContain('[aros-lsp] skipped malformed/binary.h: binary: contains NUL bytes');
      ws.cleanup();
    });
  }
});

describe('a reader that stops early', () => {
  it('ends the command quietly (| head)', async () => {
    const ws = makeWorkspace();
    try {
      expect(cli(ws, 'index', ws.root).status).toBe(0);
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, [path.join(REPO, 'out/cli/main.js'), 'symbols', ws.root, 'a', '--limit', '500', '--cache-dir', ws.cacheDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: ws.home } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Closed before the first line comes, as `head -0` would: every write meets a closed pipe.
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(stderr).toBe('');
      expect(code).toBe(0);
    } finally {
      ws.cleanup();
    }
  });
});
