// Security (issue 8, part 4), over stdio with the real server: every path that
// enters from params or from a workspace file is refused when it leads out of
// the workspace (`..`, absolute, symlinks), with a clear error and nothing
// read or written outside; the compile command comes only from the user's
// settings and runs without a shell; model output never reaches a command
// line; edits target workspace URIs only; an API key never reaches a log, a
// notification or a file. The decisions are in ARCHITECTURE.md ("Trust
// boundaries"); the audit table is in RELIABILITY.md.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { outsideProblem, realPathOf, relativePathProblem } from '../../server/src/config/workspacePaths';
import { startFakeOpenAiServer, type FakeServer } from '../models/fakeOpenAiServer';
import { killLeftovers, LspClient, makeWorkspace, printServerStderrOnFailure, REPO, type Workspace } from '../protocol/client';

printServerStderrOnFailure();

const LOOP_MINI = path.join(REPO, 'test', 'fixtures', 'loop-mini');
const DEMO = 'workbench/hidds/demo/demo.c';
const INVALID_PARAMS = -32602;

/** A task function outside the workspace: reading it would put its body in a prompt (the fake model records prompts). */
const SECRET_C = [
  '/*',
  ' * AI_PHASE: SECRET',
  ' * AI_STATUS: NOT_STARTED',
  ' * AI_STRATEGY: return the secret',
  ' */',
  'int secret_fn(int a, int b)',
  '{',
  '    return 0x5ec2e7;',
  '}',
  '',
].join('\n');

const clients: LspClient[] = [];
const servers: FakeServer[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) if (c.alive) await c.shutdown().catch(() => c.kill());
  for (const s of servers.splice(0)) await s.close();
  killLeftovers();
});

interface Setup {
  ws: Workspace;
  /** A directory beside the workspace holding `secret.c`. */
  outside: string;
  secret: string;
}

/**
 * loop-mini as the workspace, `outside/secret.c` beside it, and two symlinks
 * inside the workspace that lead there: `link.c` (a file) and `linkdir` (a directory).
 */
function setup(): Setup {
  const ws = makeWorkspace({ empty: true });
  fs.cpSync(LOOP_MINI, ws.root, { recursive: true });
  const outside = path.join(ws.base, 'outside');
  fs.mkdirSync(outside);
  const secret = path.join(outside, 'secret.c');
  fs.writeFileSync(secret, SECRET_C);
  fs.symlinkSync(secret, ws.abs('link.c'));
  fs.symlinkSync(outside, ws.abs('linkdir'));
  return { ws, outside, secret };
}

async function serve(ws: Workspace, settings: Record<string, unknown> = {}, env?: Record<string, string>): Promise<LspClient> {
  const c = LspClient.start({ home: ws.home, env });
  clients.push(c);
  await c.initialize(ws.root, { cacheDir: ws.cacheDir, ...settings });
  await c.waitForIndexReady();
  return c;
}

async function fakeModel(tokens: string[]): Promise<{ fake: FakeServer; models: Record<string, unknown> }> {
  const fake = await startFakeOpenAiServer({ tokens });
  servers.push(fake);
  const remote = { endpoint: fake.url, remote_model: 'coder', max_length: 64 };
  return { fake, models: { codegen: remote, llm: remote } };
}

/** Every entry under `dir` (symlinks not followed) with a digest of its content or its link target. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isSymbolicLink()) out[r] = `-> ${fs.readlinkSync(abs)}`;
      else if (e.isDirectory()) {
        out[`${r}/`] = 'dir';
        walk(abs, r);
      } else out[r] = createHash('sha1').update(fs.readFileSync(abs)).digest('hex');
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return out;
}

/** Every regular file under `dir` (symlinks not followed). */
function filesUnder(dir: string): string[] {
  return Object.entries(snapshot(dir))
    .filter(([, v]) => v !== 'dir' && !v.startsWith('-> '))
    .map(([k]) => path.join(dir, k));
}

async function refusal(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  const err = await p.then(
    (v) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(v)?.slice(0, 300)}`);
    },
    (e: { code: number; message: string }) => e,
  );
  return { code: err.code, message: err.message };
}

/** Messages shown to the user (vscode-languageserver sends them as window/showMessageRequest). */
function shown(c: LspClient): string[] {
  return c.serverRequests.filter((r) => r.method === 'window/showMessageRequest').map((r) => String(r.params.message));
}

/** A compiler stand-in that records its argument vector, one JSON line per run, and exits 0. */
function recorder(ws: Workspace): { argv: string[]; runs: () => string[][] } {
  const log = path.join(ws.base, 'argv.jsonl');
  const script = path.join(ws.base, 'record-argv.js');
  fs.writeFileSync(script, `require('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`);
  return {
    argv: [process.execPath, script],
    runs: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : []),
  };
}

/** Polls an async check until it gives a value (requests cannot go in LspClient.waitFor, whose predicate is synchronous). */
async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const at = (line: number, character = 4): unknown => ({ start: { line, character }, end: { line, character } });

// ---------------------------------------------------------------------------

describe('the shared path checks (config/workspacePaths.ts)', () => {
  it('refuses .., absolute paths (POSIX, drive letters, UNC) and symlinks leading out; resolves missing tails', () => {
    const { ws, outside } = setup();
    expect(relativePathProblem(ws.root, DEMO)).toBeUndefined();
    expect(relativePathProblem(ws.root, 'not/yet/there.c')).toBeUndefined();
    expect(relativePathProblem(ws.root, '../outside/secret.c')).toBe("contains '..'");
    expect(relativePathProblem(ws.root, 'workbench/../../outside')).toBe("contains '..'");
    expect(relativePathProblem(ws.root, 'a\\..\\..\\b')).toBe("contains '..'");
    for (const abs of ['/etc/passwd', 'C:\\Windows\\win.ini', 'c:foo', '\\\\server\\share\\x']) expect(relativePathProblem(ws.root, abs)).toBe('is absolute, not relative to the workspace');
    expect(relativePathProblem(ws.root, 'x\0.c')).toBe('is not a path');
    expect(relativePathProblem(ws.root, 'link.c')).toBe('leads out of the workspace through a symbolic link');
    expect(relativePathProblem(ws.root, 'linkdir/new/file.c')).toBe('leads out of the workspace through a symbolic link');
    expect(outsideProblem(ws.root, path.join(outside, 'secret.c'))).toBe('is outside the workspace');
    expect(realPathOf(ws.abs('linkdir/a/b.c'))).toBe(path.join(fs.realpathSync(outside), 'a', 'b.c'));
    // A symlink loop resolves to nothing, which is never inside.
    fs.symlinkSync(ws.abs('loop'), ws.abs('loop'));
    expect(realPathOf(ws.abs('loop/x.c'))).toBeUndefined();
    expect(relativePathProblem(ws.root, 'loop/x.c')).toBe('leads out of the workspace through a symbolic link');
  });
});

describe('textDocument requests and notifications', () => {
  it('refuse a file outside the workspace, or behind a symlink leading out, that is not open; an open one is served without edits', async () => {
    const { ws, secret } = setup();
    const { fake, models } = await fakeModel(['    return a + b;\n']);
    const c = await serve(ws, { models });
    const secretUri = pathToFileURL(secret).href;
    const rootUri = pathToFileURL(ws.root).href;
    const refused: Array<[string, RegExp]> = [
      [secretUri, /is outside the workspace and is not open in the editor: the server reads only workspace files from disk/],
      [`${rootUri}/../outside/secret.c`, /is outside the workspace and is not open/],
      [`${rootUri}/%2e%2e/outside/secret.c`, /is outside the workspace and is not open/],
      [ws.uri('link.c'), /leads out of the workspace through a symbolic link and is not open/],
      [ws.uri('linkdir/secret.c'), /leads out of the workspace through a symbolic link and is not open/],
    ];
    const position = { line: 7, character: 12 };
    for (const [uri, message] of refused) {
      for (const [method, params] of [
        ['textDocument/hover', { textDocument: { uri }, position }],
        ['textDocument/definition', { textDocument: { uri }, position }],
        ['textDocument/declaration', { textDocument: { uri }, position }],
        ['textDocument/references', { textDocument: { uri }, position, context: { includeDeclaration: true } }],
        ['textDocument/documentSymbol', { textDocument: { uri } }],
        ['textDocument/codeAction', { textDocument: { uri }, range: at(5), context: { diagnostics: [] } }],
      ] as const) {
        const err = await refusal(c.request(method, params));
        expect({ method, uri, code: err.code }).toEqual({ method, uri, code: INVALID_PARAMS });
        expect(err.message).toMatch(message);
      }
      const check = await refusal(c.request('workspace/executeCommand', { command: 'aros.checkFile', arguments: [{ uri }] }));
      expect(check.message).toMatch(message);
    }

    // Opened by the user, the same file is the editor's text: navigation works, but nothing offers to edit it or compile it.
    await c.notify('textDocument/didOpen', { textDocument: { uri: secretUri, languageId: 'c', version: 1, text: SECRET_C } });
    const symbols = await eventually(async () => {
      const s = (await c.request<Array<{ name: string }>>('textDocument/documentSymbol', { textDocument: { uri: secretUri } })) ?? [];
      return s.length ? s : undefined;
    }, 'the open document analysed');
    expect(symbols.map((s) => s.name)).toEqual(['secret_fn']);
    for (const uri of [secretUri, ws.uri('link.c')]) {
      if (uri !== secretUri) await c.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: SECRET_C } });
      const actions = await eventually(async () => {
        const a = await c.request<Array<{ title: string; edit?: unknown; command?: { command: string } }>>('textDocument/codeAction', { textDocument: { uri }, range: at(5), context: { diagnostics: [] } });
        return a.length ? a : undefined;
      }, `code actions on ${uri}`);
      expect(actions.map((a) => a.title)).toEqual(['Explain secret_fn (AI)', 'Review secret_fn (AI)']);
      expect(actions.some((a) => a.edit !== undefined)).toBe(false);
      const compile = await refusal(c.request('workspace/executeCommand', { command: 'aros.checkFile', arguments: [{ uri }] }));
      expect(compile.message).toMatch(/aros\.checkFile: .* (is outside the workspace|leads out of the workspace through a symbolic link): only workspace files are compiled/);
    }
    expect(c.serverRequests.filter((r) => r.method === 'workspace/applyEdit')).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it('file events outside the workspace or through a symlink are ignored, and closing an outside document reads nothing from disk', async () => {
    const { ws, secret } = setup();
    const c = await serve(ws);
    const secretUri = pathToFileURL(secret).href;
    const find = async (): Promise<unknown[]> => c.request('workspace/symbol', { query: 'secret_fn' });
    await c.notify('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: secretUri, type: 1 },
        { uri: ws.uri('link.c'), type: 2 },
        { uri: ws.uri('linkdir/secret.c'), type: 1 },
      ],
    });
    await c.waitForLog(/^ignored a file event for .*\/outside\/secret\.c: it is outside the workspace$/);
    await c.waitForLog(/^ignored a file event for .*\/ws\/link\.c: it leads out of the workspace through a symbolic link$/);
    await c.waitForLog(/^ignored a file event for .*\/ws\/linkdir\/secret\.c: it leads out of the workspace through a symbolic link$/);
    expect(await find()).toEqual([]);
    // Open: the editor's text is indexed. Closed: the disk copy outside is not read back in.
    await c.notify('textDocument/didOpen', { textDocument: { uri: secretUri, languageId: 'c', version: 1, text: SECRET_C } });
    await eventually(async () => ((await find()).length === 1 ? true : undefined), 'the open document indexed');
    await c.close(secretUri);
    await eventually(async () => ((await find()).length === 0 ? true : undefined), 'the closed document gone from the index');
  });
});

describe('workspace/executeCommand and aros/runIteration', () => {
  const badFiles = (secret: string): string[] => ['../outside/secret.c', 'workbench/../../outside/secret.c', secret, 'link.c', 'linkdir/secret.c'];
  const why = /contains '\.\.'|is absolute, not relative to the workspace|leads out of the workspace through a symbolic link/;

  it('every aros.* command that takes a file refuses one outside the workspace, before reading it or asking a model', async () => {
    const { ws, outside, secret } = setup();
    const { fake, models } = await fakeModel(['    return a + b;\n']);
    const c = await serve(ws, { models });
    const before = snapshot(outside);
    c.requestHandlers.set('workspace/applyEdit', () => ({ applied: true }));
    for (const command of ['aros.writeAutodoc', 'aros.draftBreadcrumb', 'aros.explainFunction', 'aros.reviewFunction', 'aros.implementFromBreadcrumb', 'aros.runIterationHere', 'aros.fixCompilerError']) {
      for (const file of badFiles(secret)) {
        const err = await refusal(c.request('workspace/executeCommand', { command, arguments: [{ file, symbol: 'secret_fn', errors: [{ line: 8, message: 'x' }] }] }));
        expect({ command, file, code: err.code }).toEqual({ command, file, code: INVALID_PARAMS });
        expect(err.message).toMatch(why);
        expect(err.message).toContain(file);
      }
    }
    // The model never saw a prompt (so no file was read into one), the editor was asked to apply nothing, nothing outside changed.
    expect(fake.requests).toEqual([]);
    expect(c.serverRequests.filter((r) => r.method === 'workspace/applyEdit')).toEqual([]);
    expect(snapshot(outside)).toEqual(before);
    expect(c.alive).toBe(true);
  });

  it('aros/runIteration refuses task files and project paths that lead out; a project name reaches only indexed workspace files', async () => {
    const { ws, outside, secret } = setup();
    const { fake, models } = await fakeModel(['    return a + b;\n']);
    const c = await serve(ws, { models });
    const before = snapshot(outside);
    for (const file of badFiles(secret)) {
      const err = await refusal(c.request('aros/runIteration', { task: { file, symbol: 'secret_fn' }, maxIterations: 1, apply: true }));
      expect(err.code).toBe(INVALID_PARAMS);
      expect(err.message).toMatch(/^params\.task\.file must be a workspace-relative path inside the workspace: /);
      expect(err.message).toMatch(why);
    }
    for (const project of ['..', '../outside', 'workbench/../../outside', outside, 'linkdir/', 'linkdir/sub']) {
      const err = await refusal(c.request('aros/runIteration', { project, maxIterations: 1, apply: true }));
      expect(err.code).toBe(INVALID_PARAMS);
      expect(err.message).toMatch(/^params\.project must be a project name or a workspace-relative path: /);
      expect(err.message).toMatch(why);
    }
    // A bare name is looked up among indexed files; the index never follows a symlink, so `linkdir` holds no task.
    const r = await c.request('aros/runIteration', { project: 'linkdir', maxIterations: 5, apply: true });
    expect(r.results).toEqual([]);
    expect(fake.requests).toEqual([]);
    expect(c.serverRequests.filter((r2) => r2.method === 'workspace/applyEdit')).toEqual([]);
    expect(snapshot(outside)).toEqual(before);
  });

  it('a `projects` mapping that leads out of the workspace is a settings problem, and the name then finds nothing', async () => {
    const { ws, outside } = setup();
    const { fake, models } = await fakeModel(['    return a + b;\n']);
    for (const dirs of [['linkdir'], ['../outside'], [outside], ['workbench/hidds/demo', 'linkdir/x']]) {
      const c = await serve(ws, { models, projects: { evil: dirs } });
      await c.waitFor(() => shown(c).find((m) => m.includes("initializationOptions: 'projects' must map project names to arrays of directories inside the workspace")));
      const r = await c.request('aros/runIteration', { project: 'evil', maxIterations: 5 });
      expect(r.results).toEqual([]);
      await c.shutdown();
    }
    expect(fake.requests).toEqual([]);
  });
});

describe('settings from a file in the workspace', () => {
  it('aros-lsp.json cannot move the cache out through a symlink, choose the compiler, or name a model file outside; gcc’s default runs', async () => {
    const { ws, outside } = setup();
    const elsewhere = path.join(ws.base, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, ws.abs('cachelink'));
    const marker = path.join(ws.base, 'compile-marker');
    fs.writeFileSync(
      ws.abs('aros-lsp.json'),
      JSON.stringify({
        cacheDir: 'cachelink/cache',
        compileCommand: ['sh', '-c', `touch ${marker}`, '${file}'],
        models: { codegen: { model_path: '../outside/model.gguf' }, llm: { model_path: 'linkdir/model.gguf' } },
      }),
    );
    // No cacheDir from the user here: the workspace file's would be the one in force.
    const c = await serve(ws, { cacheDir: undefined });
    const messages = await c.waitFor(() => (shown(c).length >= 4 ? shown(c) : undefined));
    expect(messages).toEqual(
      expect.arrayContaining([
        `aros-lsp: aros-lsp.json: 'cacheDir' points outside the workspace through a symbolic link (${ws.abs('cachelink/cache')}); set it in your editor settings instead`,
        "aros-lsp: aros-lsp.json: 'compileCommand' is ignored here: only your editor settings may choose the command the server runs",
        `aros-lsp: aros-lsp.json models: 'codegen.model_path' ${path.join(ws.base, 'outside', 'model.gguf')} is outside the workspace; set it in your editor settings instead`,
        `aros-lsp: aros-lsp.json models: 'llm.model_path' ${ws.abs('linkdir/model.gguf')} leads out of the workspace through a symbolic link; set it in your editor settings instead`,
      ]),
    );
    const uri = await c.open(DEMO);
    const check = await c.request('workspace/executeCommand', { command: 'aros.checkFile', arguments: [{ uri }] });
    expect(check).toMatchObject({ file: DEMO, errors: 0 });
    expect(check.summary).toMatch(/^exit 0, 0 error\(s\)/);
    await c.shutdown();
    expect(fs.existsSync(marker)).toBe(false);
    expect(snapshot(elsewhere)).toEqual({});
    expect(Object.keys(snapshot(outside))).toEqual(['secret.c']);
    // The index cache went to the default place under the user's cache directory instead.
    expect(filesUnder(path.join(ws.home, '.cache')).some((f) => f.endsWith('index.bin'))).toBe(true);
  });

  it('an aros-lsp.json that is a symlink out of the workspace is ignored', async () => {
    const { ws, outside } = setup();
    fs.writeFileSync(path.join(outside, 'settings.json'), JSON.stringify({ exclude: ['**'] }));
    fs.symlinkSync(path.join(outside, 'settings.json'), ws.abs('aros-lsp.json'));
    const c = await serve(ws);
    await c.waitFor(() => shown(c).find((m) => m === 'aros-lsp: aros-lsp.json leads out of the workspace through a symbolic link; it is ignored'));
    // Its `exclude: ["**"]` did not apply: the workspace is indexed.
    const found = await c.request<Array<{ name: string }>>('workspace/symbol', { query: 'demo_add' });
    expect(found.map((s) => s.name)).toContain('demo_add');
  });

  it('links planted in a cache directory inside the workspace do not redirect the index, session logs, error memory or explanations', async () => {
    const { ws, outside } = setup();
    const cache = ws.abs('.aros-cache');
    fs.mkdirSync(cache);
    const victim = path.join(outside, 'victim.txt');
    fs.writeFileSync(victim, 'untouched\n');
    for (const d of ['sessions-target', 'explanations-target']) fs.mkdirSync(path.join(outside, d));
    fs.symlinkSync(path.join(outside, 'sessions-target'), path.join(cache, 'sessions'));
    fs.symlinkSync(path.join(outside, 'explanations-target'), path.join(cache, 'explanations'));
    fs.symlinkSync(victim, path.join(cache, 'error-memory.jsonl'));
    fs.symlinkSync(victim, path.join(cache, 'index.bin'));
    fs.writeFileSync(ws.abs('aros-lsp.json'), JSON.stringify({ cacheDir: '.aros-cache' }));
    const before = snapshot(outside);
    // Code that does not compile: the loop has errors to remember.
    const { models } = await fakeModel(['    return a + no_such_name;\n']);
    const c = await serve(ws, { cacheDir: undefined, models });
    expect(shown(c)).toEqual([]);
    const run = await refusal(c.request('aros/runIteration', { task: { file: DEMO, symbol: 'demo_add' }, maxIterations: 1 }));
    expect(run.message).toMatch(/\.aros-cache\/sessions is not a plain directory inside .*\.aros-cache; refusing to write there/);
    // Without the sessions link the run goes through; the error memory behind its link is neither read nor written.
    fs.unlinkSync(path.join(cache, 'sessions'));
    const r = await c.request('aros/runIteration', { task: { file: DEMO, symbol: 'demo_add' }, maxIterations: 1, maxRetries: 0 });
    expect(r.results[0].attempts[0].diagnostics.length).toBeGreaterThan(0);
    // (The memory was opened by the first run.)
    expect(await c.waitForLog(/^error memory .*error-memory\.jsonl not used: /)).toMatch(/ELOOP/);
    await c.open(DEMO);
    const explain = await refusal(c.request('workspace/executeCommand', { command: 'aros.explainFunction', arguments: [{ file: DEMO, symbol: 'demo_add' }] }));
    expect(explain.message).toMatch(/\.aros-cache\/explanations is not a plain directory inside .*; refusing to write there/);
    await c.shutdown();
    expect(snapshot(outside)).toEqual(before);
    // The index was saved over the planted link (rename replaces the link, it does not write through it).
    expect(fs.lstatSync(path.join(cache, 'index.bin')).isFile()).toBe(true);
  });
});

describe('processes', () => {
  it('the compile command from the user’s settings runs without a shell: metacharacters stay literal arguments', async () => {
    const { ws } = setup();
    const rec = recorder(ws);
    const m = (n: number): string => path.join(ws.base, `marker-${n}`);
    const literal = [`$(touch ${m(1)})`, `x; touch ${m(2)}`, `\`touch ${m(3)}\``, `| touch ${m(4)}`, `&& touch ${m(5)}`, `> ${m(6)}`];
    const c = await serve(ws, { compileCommand: [...rec.argv, '-DX=1', '${file}', ...literal] });
    const uri = await c.open(DEMO);
    const check = await c.request('workspace/executeCommand', { command: 'aros.checkFile', arguments: [{ uri }] });
    for (let n = 1; n <= 6; n++) expect(fs.existsSync(m(n))).toBe(false);
    expect(check.summary).toMatch(/^exit 0/);
    const runs = rec.runs();
    expect(runs).toHaveLength(1);
    const [argv] = runs;
    const scratch = argv[1];
    expect(path.relative(ws.cacheDir, scratch)).toMatch(/^scratch\/c-[^/]+\/demo\.c$/);
    const dir = path.dirname(ws.abs(DEMO));
    expect(argv).toEqual(['-DX=1', scratch, ...literal, '-iquote', dir, '-I', dir]);
  });

  it('model output never reaches a command line, not through code nor through file names, and the loop edits only workspace URIs', async () => {
    const { ws } = setup();
    const rec = recorder(ws);
    const marker = path.join(ws.base, 'model-marker');
    // A file whose name is full of shell syntax: a legal workspace file, named literally on the command line.
    const evil = 'workbench/hidds/demo/evil;touch m6;$(touch m7).c';
    fs.writeFileSync(ws.abs(evil), 'int evil_fn(int a, int b)\n{\n    return 0;\n}\n');
    const { fake, models } = await fakeModel([
      `    system("touch ${marker}");\n`,
      `    // $(touch ${marker}) \`touch ${marker}\`; touch ${marker} | sh\n`,
      '    return a + b;\n',
    ]);
    const c = await serve(ws, { models, compileCommand: [...rec.argv, '--', '${file}'] });
    const applied: Array<{ edit: { documentChanges: Array<{ textDocument: { uri: string } }> } }> = [];
    c.requestHandlers.set('workspace/applyEdit', (params: (typeof applied)[number]) => {
      applied.push(params);
      return { applied: true };
    });
    const results: Array<{ results: Array<{ status: string }>; applied?: boolean }> = [];
    for (const [file, symbol] of [
      [DEMO, 'demo_add'],
      [evil, 'evil_fn'],
    ]) {
      results.push(await c.request('aros/runIteration', { task: { file, symbol, description: `rm -rf / ; $(touch ${marker})` }, maxIterations: 1, maxRetries: 0, apply: true }));
    }
    for (const f of [marker, ws.abs('m6'), ws.abs('m7'), path.join(REPO, 'm6'), path.join(REPO, 'm7')]) expect(fs.existsSync(f)).toBe(false);
    for (const r of results) expect({ status: r.results[0].status, applied: r.applied }).toEqual({ status: 'success', applied: true });
    // The model really wrote the shell syntax into the code it proposed.
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(applied)).toContain(`system(\\"touch ${marker}\\")`);
    // Each compile: the configured arguments, the scratch copy, the include flags of the original's directory; nothing else.
    const runs = rec.runs();
    expect(runs).toHaveLength(2);
    const dir = path.dirname(ws.abs(DEMO));
    for (const [argv, base] of runs.map((a, i) => [a, path.basename(i === 0 ? DEMO : evil)] as const)) {
      expect(argv).toEqual(['--', argv[1], '-iquote', dir, '-I', dir]);
      expect(path.relative(ws.cacheDir, argv[1]).split(path.sep).slice(0, 1)).toEqual(['scratch']);
      expect(path.basename(argv[1])).toBe(base);
      expect(argv.join(' ')).not.toContain('system(');
    }
    // The edits went to the editor for workspace files only.
    const rootUri = `${pathToFileURL(ws.root).href}/`;
    const uris = applied.flatMap((a) => a.edit.documentChanges.map((d) => d.textDocument.uri));
    expect(uris).toHaveLength(2);
    for (const u of uris) expect(u.startsWith(rootUri)).toBe(true);
    expect(uris[0]).toBe(ws.uri(DEMO));
  });
});

describe('API keys', () => {
  it('a key from api_key_env is sent to the endpoint but appears in no log, trace, message, session log or error memory', async () => {
    const { ws } = setup();
    const secret = `sk-aros-${createHash('sha1').update(String(Math.random())).digest('hex')}`;
    // Code that does not compile, so the error memory records something too.
    const fake = await startFakeOpenAiServer({ tokens: ['    return a + no_such_name;\n'] });
    servers.push(fake);
    const remote = { endpoint: fake.url, remote_model: 'coder', max_length: 32, api_key_env: 'AROS_SECURITY_TEST_KEY' };
    // Servers echo keys back ("invalid api key sk-..."): the first chat (here) and the first infill (below) fail that way.
    fake.plan('/v1/chat/completions', { status: 401, error: { message: `invalid api key ${secret}`, type: 'invalid_request_error' } });
    const c = await serve(ws, { models: { codegen: remote, llm: remote } }, { AROS_SECURITY_TEST_KEY: secret });
    // vscode-jsonrpc keeps `$/logTrace` for its own tracer, away from LspClient's catch-all: collect it here.
    const traces: unknown[] = [];
    c.connection.onNotification('$/logTrace', (p: unknown) => void traces.push(p));
    await c.notify('$/setTrace', { value: 'verbose' });
    const uri = await c.open(DEMO);
    const failed = await c.request('aros/runIteration', { task: { file: DEMO, symbol: 'demo_add' }, maxIterations: 1, maxRetries: 0 });
    expect(failed.results[0].status).toBe('failed');
    expect(failed.results[0].reason).toContain('[redacted]');
    // A second run goes through every phase (its code does not compile), so a session log and the error memory hold a whole run.
    const ok = await c.request('aros/runIteration', { task: { file: DEMO, symbol: 'demo_add' }, maxIterations: 1, maxRetries: 0 });
    expect(ok.results[0].attempts.length).toBe(1);
    // Two new lines to complete at the end of (the first fails with the key echoed, the second is traced).
    await c.change(uri, [{ range: at(13, 0) as never, text: '    int x = \n    int y = \n' }]);
    fake.plan('/infill', { status: 500, error: `upstream rejected key ${secret}` });
    const inline = (line: number): Promise<unknown> =>
      c.request('textDocument/inlineCompletion', { textDocument: { uri }, position: { line, character: 12 }, context: { triggerKind: 1 } });
    await inline(13);
    await inline(14);
    await c.waitFor(() => traces.length >= 2 || undefined, undefined, 'two $/logTrace messages');
    await c.shutdown();
    // The key was used...
    expect(fake.requests.some((r) => r.headers.authorization === `Bearer ${secret}`)).toBe(true);
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${secret}`)).toBe(true);
    // ...and written nowhere: stderr, any notification (window/logMessage, $/logTrace, aros/status, progress), any server request, any file.
    expect(c.stderr).not.toContain(secret);
    expect(JSON.stringify(c.notifications)).not.toContain(secret);
    expect(JSON.stringify(traces)).not.toContain(secret);
    expect(JSON.stringify(c.serverRequests)).not.toContain(secret);
    const files = filesUnder(ws.base);
    expect(files.some((f) => f.includes(`${path.sep}sessions${path.sep}`))).toBe(true);
    expect(files.some((f) => f.endsWith('error-memory.jsonl'))).toBe(true);
    for (const f of files) expect({ f, leaked: fs.readFileSync(f).includes(secret) }).toEqual({ f, leaked: false });
    // The scrubbed echo did reach the user, so the check above looked at real error text.
    expect(JSON.stringify(c.notifications) + JSON.stringify(c.serverRequests) + c.stderr).toContain('[redacted]');
    expect(JSON.stringify(traces)).toContain('[redacted]');
  });
});
