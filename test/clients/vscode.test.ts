// The VS Code client (clients/vscode): it type-checks against @types/vscode,
// `vsce` packages it into a .vsix whose manifest names exactly what the code
// registers and what the server reads, and its vscode-free modules behave.
// There is no VS Code here to run it in; those modules hold the logic.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS, SERVER_COMMANDS } from '../../clients/vscode/src/commands';
import { describeSession, findGgufFiles, listSessionFiles } from '../../clients/vscode/src/files';
import { EventFormatter, formatResult, ProgressTracker } from '../../clients/vscode/src/iterationEvents';
import type { IterationEvent } from '../../clients/vscode/src/protocol';
import { resolveServerCommand, stderrLevel } from '../../clients/vscode/src/serverCommand';
import {
  defaultCacheDir,
  effectiveCacheDir,
  EXTENSION_SETTING_KEYS,
  modelCacheDir,
  modelPathOf,
  pickServerSettings,
  removedPaths,
  SERVER_SETTING_KEYS,
  sessionsDir,
  withModelPath,
  workspaceRelative,
  type Inspected,
} from '../../clients/vscode/src/settings';
import { applyStatus, emptyBoard, summarizeStatus, withClientState } from '../../clients/vscode/src/status';
import { enclosingSymbol, type SymbolLike } from '../../clients/vscode/src/symbols';
import { defaultSettings, resolveSettings } from '../../server/src/config/workspaceSettings';
import { defaultCacheDir as serverDefaultCacheDir } from '../../server/src/index/indexCache';
import { SessionLog } from '../../server/src/iteration/sessionLog';
import { modelConfigSchema } from '../../server/src/models/modelConfig';
import { modelCacheDir as serverModelCacheDir } from '../../server/src/models/modelFiles';

const REPO = path.resolve(__dirname, '..', '..');
const EXT = path.join(REPO, 'clients', 'vscode');
const EXT_PKG = JSON.parse(fs.readFileSync(path.join(EXT, 'package.json'), 'utf8')) as Manifest;

interface Manifest {
  name: string;
  main: string;
  engines: { vscode: string };
  activationEvents?: string[];
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    configuration: { properties: Record<string, { default?: unknown; scope?: string; properties?: unknown }> };
  };
  capabilities?: { untrustedWorkspaces?: { restrictedConfigurations?: string[] } };
}

let tmp: string | undefined;
afterEach(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});
function tempDir(): string {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aros-vscode-'));
  return tmp;
}

function run(cmd: string, args: string[], cwd: string, timeout: number): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { status: r.status, out: `${r.error ?? ''}\n${r.stdout}\n${r.stderr}` };
}

/** The entries of a zip file (name → uncompressed bytes), from its central directory. */
function readZip(file: string): Map<string, Buffer> {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory`);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + compressedSize);
    const data = method === 0 ? raw : inflateRawSync(raw);
    if (data.length !== size) throw new Error(`${file}: ${name}: ${data.length} bytes, expected ${size}`);
    entries.set(name, data);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

describe('VS Code extension: build and package', () => {
  it('type-checks against @types/vscode (tsc --noEmit, strict)', () => {
    const r = run(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(EXT, 'tsconfig.json'), '--noEmit'], EXT, 120_000);
    expect(r.status, r.out).toBe(0);
  }, 150_000);

  it('vsce packages a .vsix whose manifest names what the code registers and what the server reads', () => {
    const dir = tempDir();
    const vsix = path.join(dir, 'x.vsix');
    // vsce runs `vscode:prepublish` (the esbuild bundle) before it packs.
    const vsce = path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
    const r = run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], EXT, 120_000);
    expect(r.status, r.out).toBe(0);

    const zip = readZip(vsix);
    const names = [...zip.keys()];
    const pkg = JSON.parse((zip.get('extension/package.json') ?? Buffer.from('null')).toString('utf8')) as Manifest;
    expect(pkg, names.join('\n')).not.toBeNull();
    const main = `extension/${path.posix.normalize(pkg.main)}`;
    expect(names).toContain(main);
    expect(names.some((n) => /^extension\/readme\.md$/i.test(n)), names.join('\n')).toBe(true);
    // One self-contained bundle: no sources, no node_modules.
    expect(names.filter((n) => n.endsWith('.ts') || n.includes('node_modules/')), names.join('\n')).toEqual([]);
    const bundle = (zip.get(main) as Buffer).toString('utf8');
    expect(bundle).not.toMatch(/require\(["']vscode-languageclient/);

    // Commands: exactly the ones the extension registers plus the server's palette commands.
    const contributed = pkg.contributes.commands.map((c) => c.command).sort();
    expect(contributed).toEqual([...Object.values(COMMANDS), ...Object.values(SERVER_COMMANDS)].sort());
    for (const id of Object.values(COMMANDS)) expect(bundle, `${id} is not in the bundle`).toContain(id);
    for (const c of pkg.contributes.commands) expect(c.category).toBe('AROS');
    // All registration goes through the COMMANDS table: no command id written inline elsewhere.
    const sources = fs.readdirSync(path.join(EXT, 'src')).map((f) => fs.readFileSync(path.join(EXT, 'src', f), 'utf8')).join('\n');
    expect(sources).not.toMatch(/registerCommand\(\s*['"`]/);
    const serverSource = fs.readFileSync(path.join(REPO, 'server', 'src', 'lsp', 'server.ts'), 'utf8');
    for (const id of Object.values(SERVER_COMMANDS)) expect(serverSource).toContain(`'${id}'`);

    // Settings: the server's keys, exactly, plus the extension's own.
    const props = pkg.contributes.configuration.properties;
    expect(Object.keys(props).sort()).toEqual([...SERVER_SETTING_KEYS, ...EXTENSION_SETTING_KEYS].map((k) => `aros-lsp.${k}`).sort());
    const known = /known: ([^)]*)\)/.exec(resolveSettings('/ws', [{ value: { noSuchKey: 1 }, source: 'user', origin: 'x' }]).problems[0] ?? '')?.[1].split(', ');
    expect([...SERVER_SETTING_KEYS].sort()).toEqual(known?.sort());
    const defaults = defaultSettings();
    for (const key of ['exclude', 'maxFileBytes', 'breadcrumbDiagnostics', 'completionStats', 'compileCommand', 'compileTimeoutMs', 'projects'] as const) {
      expect(props[`aros-lsp.${key}`].default, key).toEqual(defaults[key]);
    }
    const modelProps: Record<string, unknown> = { ...(modelConfigSchema().properties as Record<string, unknown>) };
    delete modelProps.$schema;
    expect(props['aros-lsp.models'].properties).toEqual(modelProps);
    // What runs on this machine comes from user settings only, never from a workspace.
    expect(props['aros-lsp.server.command'].scope).toBe('machine');
    expect(props['aros-lsp.compileCommand'].scope).toBe('machine');
    expect(pkg.capabilities?.untrustedWorkspaces?.restrictedConfigurations?.sort()).toEqual(['aros-lsp.cacheDir', 'aros-lsp.models']);
    expect(pkg).toEqual(EXT_PKG);
  }, 150_000);
});

describe('VS Code extension: server command', () => {
  const base = { userHome: '/home/u', workspaceFolder: '/src/AROS' };

  it('uses the setting, with ${workspaceFolder}, ${userHome} and ~ replaced', () => {
    expect(resolveServerCommand({ ...base, configured: ['node', '${workspaceFolder}/../aros-lsp/out/cli/main.js', '--verbose'] })).toEqual({
      command: 'node',
      args: ['/src/AROS/../aros-lsp/out/cli/main.js', '--verbose'],
      source: 'setting',
    });
    expect(resolveServerCommand({ ...base, configured: ['~/bin/aros-lsp'] }).command).toBe('/home/u/bin/aros-lsp');
    expect(resolveServerCommand({ ...base, configured: ['${userHome}/aros-lsp'] }).command).toBe('/home/u/aros-lsp');
  });

  it('falls back to the bundled server, then to aros-lsp on PATH, saying why a bad setting was ignored', () => {
    expect(resolveServerCommand({ ...base, configured: [], bundledMain: '/ext/server/out/cli/main.js' })).toEqual({ command: 'node', args: ['/ext/server/out/cli/main.js'], source: 'bundled' });
    expect(resolveServerCommand({ ...base, configured: undefined })).toEqual({ command: 'aros-lsp', args: [], source: 'path' });
    const bad = resolveServerCommand({ ...base, configured: 'aros-lsp --stdio' });
    expect(bad).toMatchObject({ command: 'aros-lsp', source: 'path' });
    expect(bad.problem).toContain('must be an array');
    expect(resolveServerCommand({ ...base, configured: ['aros-lsp', ''] }).problem).toContain('must be an array');
    expect(resolveServerCommand({ userHome: '/h', configured: ['${workspaceFolder}/x'] }).problem).toContain('no folder is open');
  });

  it('keeps the server’s own stderr lines (echoes of window/logMessage) at debug level, anything else an error', () => {
    expect(stderrLevel('[aros-lsp] indexed 30 files in 640 ms')).toBe('debug');
    expect(stderrLevel('TypeError: x is not a function')).toBe('error');
    expect(stderrLevel('    at Object.<anonymous> (main.js:1:1)')).toBe('error');
  });
});

describe('VS Code extension: settings', () => {
  const inspector = (table: Partial<Record<string, Inspected>>) => (key: string) => table[key];

  it('sends only the values the user set, objects merged across user, workspace and folder', () => {
    const sent = pickServerSettings(
      inspector({
        exclude: { workspaceValue: ['build/**'] },
        maxFileBytes: { globalValue: 1000, workspaceValue: 2000 },
        workers: { globalValue: null },
        cacheDir: { globalValue: '' },
        projects: { globalValue: { a: ['x'] }, workspaceFolderValue: { b: ['y'] } },
        models: { globalValue: { codegen: { model_path: '/m/a.gguf', threads: 2 } }, workspaceValue: { codegen: { threads: 4 }, llm: { model_path: '/m/b.gguf' } } },
      }),
      true,
    );
    expect(sent).toEqual({
      exclude: ['build/**'],
      maxFileBytes: 2000,
      projects: { a: ['x'], b: ['y'] },
      models: { codegen: { model_path: '/m/a.gguf', threads: 4 }, llm: { model_path: '/m/b.gguf' } },
    });
    // Nothing the server would call unknown.
    expect(resolveSettings('/ws', [{ value: sent, source: 'user', origin: 'initializationOptions' }]).problems).toEqual([]);
  });

  it('takes the compile command from user settings only, and cacheDir/models from the workspace only when trusted', () => {
    const table = inspector({
      compileCommand: { globalValue: ['clang', '${file}'], workspaceValue: ['sh', '-c', 'evil'] },
      cacheDir: { globalValue: '/c/user', workspaceValue: '/c/ws' },
      models: { workspaceValue: { codegen: { model_path: '/tmp/x.gguf' } } },
    });
    expect(pickServerSettings(table, false)).toEqual({ compileCommand: ['clang', '${file}'], cacheDir: '/c/user' });
    expect(pickServerSettings(table, true)).toEqual({ compileCommand: ['clang', '${file}'], cacheDir: '/c/ws', models: { codegen: { model_path: '/tmp/x.gguf' } } });
  });

  it('names the settings removed since start (they need a restart), and edits models.<role>.model_path', () => {
    expect(removedPaths({ exclude: ['a'], models: { codegen: { model_path: 'a', threads: 2 } } }, { models: { codegen: { threads: 2 } } })).toEqual(['exclude', 'models.codegen.model_path']);
    expect(removedPaths({ exclude: ['a'] }, { exclude: [] })).toEqual([]);
    const before = { llm: { model_path: '/l.gguf' }, codegen: { threads: 2 } };
    const set = withModelPath(before, 'codegen', '/c.gguf');
    expect(set).toEqual({ llm: { model_path: '/l.gguf' }, codegen: { threads: 2, model_path: '/c.gguf' } });
    expect(before.codegen).toEqual({ threads: 2 });
    expect(modelPathOf(set, 'codegen')).toBe('/c.gguf');
    expect(withModelPath(set, 'llm', undefined)).toEqual({ codegen: { threads: 2, model_path: '/c.gguf' } });
    expect(withModelPath(undefined, 'llm', '/l.gguf')).toEqual({ llm: { model_path: '/l.gguf' } });
  });

  it('finds the cache and model directories where the server puts them', () => {
    for (const env of [{}, { XDG_CACHE_HOME: '/xdg' }, { XDG_CACHE_HOME: 'relative' }] as NodeJS.ProcessEnv[]) {
      expect(defaultCacheDir('/src/AROS', env)).toBe(serverDefaultCacheDir('/src/AROS', env));
      expect(modelCacheDir(env)).toBe(serverModelCacheDir(env));
    }
    expect(modelCacheDir({ AROS_LSP_MODEL_DIR: '/models' })).toBe(serverModelCacheDir({ AROS_LSP_MODEL_DIR: '/models' }));
    const env = { XDG_CACHE_HOME: '/xdg' };
    expect(effectiveCacheDir('/ws', 'cache', undefined, env)).toBe('/ws/cache');
    expect(effectiveCacheDir('/ws', '', '{"cacheDir": ".aros-lsp-cache"}', env)).toBe('/ws/.aros-lsp-cache');
    // aros-lsp.json may not send the cache out of the workspace; the server ignores it, so do we.
    expect(effectiveCacheDir('/ws', undefined, '{"cacheDir": "/elsewhere"}', env)).toBe(serverDefaultCacheDir('/ws', env));
    expect(effectiveCacheDir('/ws', undefined, 'not json', env)).toBe(serverDefaultCacheDir('/ws', env));
    expect(sessionsDir('/c')).toBe(path.join('/c', 'sessions'));
    // A cacheDir that leaves through a symlink: refused by the server, so not where its sessions are.
    const ws = tempDir();
    fs.mkdirSync(path.join(ws, 'root'));
    fs.symlinkSync(os.tmpdir(), path.join(ws, 'root', 'cache'));
    const file = '{"cacheDir": "cache/x"}';
    const server = resolveSettings(path.join(ws, 'root'), [{ value: JSON.parse(file), source: 'workspace', origin: 'aros-lsp.json' }]).settings.cacheDir;
    expect(server).toBeUndefined();
    expect(effectiveCacheDir(path.join(ws, 'root'), undefined, file, env)).toBe(serverDefaultCacheDir(path.join(ws, 'root'), env));
    fs.mkdirSync(path.join(ws, 'root', 'real'));
    expect(effectiveCacheDir(path.join(ws, 'root'), undefined, '{"cacheDir": "real/c"}', env)).toBe(path.join(ws, 'root', 'real', 'c'));
    expect(workspaceRelative('/ws', '/ws/rom/exec/allocmem.c')).toBe('rom/exec/allocmem.c');
    expect(workspaceRelative('/ws', '/other/x.c')).toBeUndefined();
    expect(workspaceRelative('/ws', '/ws')).toBeUndefined();
  });
});

describe('VS Code extension: status bar', () => {
  it('summarises aros/status for the index and each model role', () => {
    let b = withClientState(emptyBoard(), 'running');
    expect(summarizeStatus(b)).toMatchObject({ text: '$(sync~spin) AROS', level: 'busy' });
    b = applyStatus(b, { component: 'index', state: 'indexing', message: 'Indexing 120/12345 files' });
    expect(summarizeStatus(b).text).toBe('$(sync~spin) AROS: indexing');
    b = applyStatus(b, { component: 'index', state: 'ready', message: 'Indexed 12345 files', files: 12345 });
    b = applyStatus(b, { component: 'model', role: 'codegen', state: 'loading', message: 'loading qwen 1.5B' });
    expect(summarizeStatus(b)).toEqual({
      text: '$(database) AROS 12,345 files · codegen …',
      lines: ['Index: ready (12,345 files) — Indexed 12345 files', 'codegen: loading — loading qwen 1.5B'],
      level: 'busy',
    });
    b = applyStatus(b, { component: 'model', role: 'codegen', state: 'ready', message: 'ready' });
    b = applyStatus(b, { component: 'model', role: 'llm', state: 'error', message: 'unknown model architecture' });
    expect(summarizeStatus(b)).toMatchObject({ text: '$(database) AROS 12,345 files · codegen ✓ · llm ✗', level: 'error' });
    expect(summarizeStatus(b).lines).toContain('llm: error — unknown model architecture');
  });

  it('ignores malformed notifications and starts afresh with a new server', () => {
    let b = withClientState(emptyBoard(), 'running');
    b = applyStatus(b, { component: 'index', state: 'ready', message: 'ok', files: 3 });
    for (const bad of [null, 'x', { state: 'sleeping', message: 'x' }, { component: 'model', state: 'ready', message: 'no role' }, { component: 'index', state: 'ready' }]) {
      expect(applyStatus(b, bad)).toBe(b);
    }
    expect(summarizeStatus(withClientState(b, 'stopped'))).toMatchObject({ text: '$(debug-disconnect) AROS: stopped', level: 'stopped' });
    const restarted = withClientState(b, 'starting');
    expect(restarted.index).toBeUndefined();
    expect(summarizeStatus(restarted).text).toBe('$(sync~spin) AROS: starting');
  });

  it('says so when no folder is open (the server indexes nothing then)', () => {
    const b = withClientState(emptyBoard('starting', false), 'running');
    expect(summarizeStatus(b)).toMatchObject({ text: '$(file) AROS: no folder', level: 'ok' });
    expect(summarizeStatus(b).lines[0]).toContain('no folder is open');
    expect(withClientState(b, 'starting').folder).toBe(false);
  });
});

describe('VS Code extension: the loop output', () => {
  it('formats iteration events as lines, streaming tokens without breaking them', () => {
    const f = new EventFormatter();
    const task = { description: 'Implement RadeonInit', file: 'workbench/hidds/radeonsi/init.c', symbol: 'RadeonInit' };
    const events: IterationEvent[] = [
      { type: 'task', iteration: 1, total: 2, task },
      { type: 'phase-start', iteration: 1, attempt: 1, phase: 'generate' },
      { type: 'token', iteration: 1, attempt: 1, phase: 'generate', text: 'int x' },
      { type: 'token', iteration: 1, attempt: 1, phase: 'generate', text: ' = 1;' },
      { type: 'phase-end', iteration: 1, attempt: 1, phase: 'generate', ok: true, summary: '12 lines', ms: 1530 },
      { type: 'phase-start', iteration: 1, attempt: 2, phase: 'compile' },
      { type: 'compiler-output', iteration: 1, attempt: 2, text: 'init.c:3:1: error: x\ninit.c:4:1: note: y\n' },
      { type: 'phase-end', iteration: 1, attempt: 2, phase: 'compile', ok: false, summary: '1 error', ms: 80 },
      { type: 'task-end', iteration: 1, result: { task, status: 'success', reason: 'compiles', attempts: [], edit: { file: task.file, startLine: 9, endLine: 20, newText: '' } } },
    ];
    const text = events.map((e) => f.format(e)).join('') + f.flush();
    expect(text).toBe(
      [
        '=== Task 1/2: Implement RadeonInit (workbench/hidds/radeonsi/init.c · RadeonInit)',
        '--- [1/2] generate',
        'int x = 1;',
        '--- [1/2] generate ok in 1.5 s: 12 lines',
        '--- [1/2] compile (attempt 2)',
        '  | init.c:3:1: error: x',
        '  | init.c:4:1: note: y',
        '--- [1/2] compile FAILED in 80 ms: 1 error',
        '=== Task 1 success: compiles → edit workbench/hidds/radeonsi/init.c:10-20',
        '',
      ].join('\n'),
    );
    expect(f.format({ type: 'unknown' })).toBe('');
    expect(f.format(null)).toBe('');
  });

  it('summarises the result and turns absolute percentages into VS Code increments', () => {
    const task = { description: 'd', file: 'a.c', symbol: 'f' };
    const { lines, message } = formatResult({
      sessionId: '2026-01-01T00-00-00-000Z-abcd',
      results: [{ task, status: 'failed', reason: 'stuck on the same error', attempts: [] }],
      summary: { total: 1, successful: 0, failed: 1, cancelled: 0 },
      edits: [],
    });
    expect(message).toBe('AROS loop: 1 task(s): 0 succeeded, 1 failed, 0 cancelled');
    expect(lines).toEqual([
      '=== Done: 1 task(s): 0 succeeded, 1 failed, 0 cancelled',
      '  a.c f: failed: stuck on the same error',
      '  session log: 2026-01-01T00-00-00-000Z-abcd (aros-lsp sessions show 2026-01-01T00-00-00-000Z-abcd; AROS: Open session logs)',
    ]);
    const t = new ProgressTracker();
    expect(t.next({ kind: 'begin', title: 'AROS iteration', percentage: 0, message: 'finding tasks' })).toEqual({ message: 'finding tasks' });
    expect(t.next({ kind: 'report', percentage: 50, message: 'Iteration 2/2 · compile' })).toEqual({ message: 'Iteration 2/2 · compile', increment: 50 });
    expect(t.next({ kind: 'report', percentage: 40 })).toEqual({});
    expect(t.next({ kind: 'end' })).toEqual({ increment: 50 });
  });
});

describe('VS Code extension: session logs, models, symbols', () => {
  it('lists the server’s own session logs newest first, with subject and outcome', async () => {
    const cache = tempDir();
    const first = await SessionLog.create(cache, { workspace: '/ws', params: { project: 'radeonsi' } }, { now: () => new Date('2026-01-01T10:00:00Z') });
    await first.close({ outcome: 'succeeded', tasks: 2 });
    const second = await SessionLog.create(cache, { workspace: '/ws', params: { task: { file: 'a.c', symbol: 'f' } } }, { now: () => new Date('2026-01-02T10:00:00Z') });
    await second.append({ type: 'phase', phase: 'explore' });
    const list = await listSessionFiles(sessionsDir(cache));
    expect(list.map((s) => [s.id, s.subject, s.outcome])).toEqual([
      [second.id, 'a.c · f', 'unfinished'],
      [first.id, 'radeonsi', 'succeeded'],
    ]);
    expect(list[1].file).toBe(path.join(cache, 'sessions', `${first.id}.jsonl`));
    await second.close({ outcome: 'cancelled' });
    expect(await listSessionFiles(path.join(cache, 'missing'))).toEqual([]);
    expect(describeSession('{"torn', '')).toEqual({ outcome: 'unfinished' });
  });

  it('finds GGUF files in nested model directories', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'hf', 'user', 'repo'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'hf', 'user', 'repo', 'm.gguf'), '');
    fs.writeFileSync(path.join(dir, 'b.GGUF'), '');
    fs.writeFileSync(path.join(dir, 'notes.txt'), '');
    expect(await findGgufFiles(dir)).toEqual([path.join(dir, 'b.GGUF'), path.join(dir, 'hf', 'user', 'repo', 'm.gguf')].sort());
    expect(await findGgufFiles(path.join(dir, 'missing'))).toEqual([]);
  });

  it('picks the innermost function at the cursor', () => {
    const r = (a: number, b: number) => ({ start: { line: a, character: 0 }, end: { line: b, character: 1 } });
    const FUNCTION = 11;
    const symbols: SymbolLike[] = [
      { name: 'Struct', kind: 22, range: r(0, 5) },
      { name: 'outer', kind: FUNCTION, range: r(10, 40), children: [{ name: 'local', kind: 12, range: r(12, 12) }, { name: 'nested', kind: FUNCTION, range: r(20, 30) }] },
    ];
    const at = (line: number) => enclosingSymbol(symbols, { line, character: 0 }, (k) => k === FUNCTION)?.name;
    expect([at(3), at(12), at(25), at(40), at(41)]).toEqual([undefined, 'outer', 'nested', 'outer', undefined]);
  });
});

// The bundle itself, run against the real server with a stand-in for the
// `vscode` module: just enough API for vscode-languageclient 10 to start; any
// other member is a do-nothing proxy. It proves the bundle loads, starts the
// server with the configured command, passes the settings at start and on
// change, shows aros/status in the status bar and restarts when a setting goes.
describe('VS Code extension: the bundle against the real server', () => {
  it('starts the server, shows the index in the status bar, sends setting changes, restarts on a removed setting', async () => {
    const mainJs = path.join(REPO, 'out', 'cli', 'main.js');
    if (!fs.existsSync(mainJs)) throw new Error(`${mainJs} is missing: npm run build first`);
    const base = tempDir();
    // The package script's bundle, but into the temporary directory: this test never runs a stale one.
    const build = (JSON.parse(fs.readFileSync(path.join(EXT, 'package.json'), 'utf8')) as { scripts: { build: string } }).scripts.build.split(' ');
    expect(build[0]).toBe('esbuild');
    const bundle = path.join(base, 'extension.js');
    // bin/esbuild is the native binary after esbuild's postinstall, a node script without it: run it as it is.
    const esbuild = path.join(REPO, 'node_modules', '.bin', 'esbuild');
    const r = run(esbuild, [...build.slice(1).map((a) => (a.startsWith('--outfile=') ? `--outfile=${bundle}` : a))], EXT, 60_000);
    expect(r.status, r.out).toBe(0);
    const root = path.join(base, 'ws');
    fs.cpSync(path.join(REPO, 'test', 'fixtures', 'aros-mini'), root, { recursive: true });
    const settings: Record<string, unknown> = {
      'server.command': [process.execPath, mainJs],
      cacheDir: path.join(base, 'cache'),
      workers: 0,
      exclude: ['workbench/**'],
    };
    const fake = fakeVscode(root, settings);
    const load = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
    const original = load._load;
    load._load = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? fake.api : original.call(this, request, ...rest);
    };
    type Extension = { activate(ctx: unknown): Promise<void>; deactivate(): Promise<void> };
    let ext: Extension | undefined;
    try {
      const req = createRequire(bundle);
      delete req.cache[bundle];
      ext = req(bundle) as Extension;
      const context = { subscriptions: [], extensionPath: EXT, asAbsolutePath: (p: string) => path.join(EXT, p) };
      await ext.activate(context);
      const files = async (after: number): Promise<number> => {
        for (let i = 0; i < 150; i++) {
          const hit = fake.state.status.slice(after).reverse().map((t) => /AROS ([\d,]+) files/.exec(t)).find((m) => m);
          if (hit) return Number(hit[1].replace(/,/g, ''));
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`no index status; status bar: ${fake.state.status.join(' | ')}; messages: ${fake.state.messages.join(' | ')}`);
      };
      const excluded = await files(0);
      for (const id of [...Object.values(COMMANDS), ...Object.values(SERVER_COMMANDS)]) expect(fake.state.commands.has(id), id).toBe(true);
      expect(fake.state.schemes).toEqual(['aros-lsp']);

      // A changed setting goes to the server (workspace/didChangeConfiguration), which re-indexes.
      let mark = fake.state.status.length;
      settings.exclude = [];
      fake.changeConfiguration();
      const all = await files(mark);
      expect(all).toBeGreaterThan(excluded);

      // A removed one restarts the server (its initializationOptions would keep the old value).
      mark = fake.state.status.length;
      delete settings.exclude;
      fake.changeConfiguration();
      expect(await files(mark)).toBe(all);
      expect(fake.state.status.slice(mark)).toContain('$(sync~spin) AROS: starting');
      expect(fake.state.messages).toEqual([]);
    } finally {
      await ext?.deactivate();
      load._load = original;
    }
  }, 60_000);
});

/** A stand-in for the `vscode` module (see above): records the status bar, messages, commands and content schemes. */
function fakeVscode(root: string, settings: Record<string, unknown>) {
  const state = { status: [] as string[], messages: [] as string[], commands: new Map<string, (...args: unknown[]) => unknown>(), schemes: [] as string[] };
  const anything = (): unknown =>
    new Proxy(function () {}, {
      get: (_t, p) => (p === 'then' || typeof p === 'symbol' ? undefined : anything()),
      apply: () => anything(),
      construct: () => anything() as object,
    });
  class EventEmitter<T> {
    private listeners: Array<(e: T) => void> = [];
    event = (f: (e: T) => void) => {
      this.listeners.push(f);
      return { dispose: () => (this.listeners = this.listeners.filter((g) => g !== f)) };
    };
    fire(e: T): void {
      for (const f of this.listeners) f(e);
    }
    dispose(): void {}
  }
  class Disposable {
    constructor(private readonly f?: () => void) {}
    dispose(): void {
      this.f?.();
    }
    static from(...d: Array<{ dispose(): void }>): Disposable {
      return new Disposable(() => d.forEach((x) => x.dispose()));
    }
  }
  const file = (p: string) => ({ scheme: 'file', fsPath: p, path: p, authority: '', query: '', fragment: '', toString: () => `file://${p}`, with() { return this; } });
  const noEvent = () => () => ({ dispose() {} });
  const config = new EventEmitter<{ affectsConfiguration(s: string): boolean }>();
  const channel = (name: string) => {
    const quiet = () => undefined;
    return { name, append: quiet, appendLine: quiet, replace: quiet, clear: quiet, show: quiet, hide: quiet, dispose: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet, logLevel: 3, onDidChangeLogLevel: noEvent() };
  };
  const message = (kind: string) => async (m: string) => {
    state.messages.push(`${kind}: ${m}`);
    return undefined;
  };
  const api: Record<string, unknown> = {
    version: '1.91.0',
    EventEmitter,
    Disposable,
    Uri: { file, parse: (s: string) => file(decodeURIComponent(s.replace(/^file:\/\//, ''))) },
    LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ThemeColor: class {
      constructor(readonly id: string) {}
    },
    workspace: new Proxy(
      {
        workspaceFolders: [{ uri: file(root), name: 'ws', index: 0 }],
        isTrusted: true,
        textDocuments: [],
        notebookDocuments: [],
        getConfiguration: () => ({
          get: (k: string, d?: unknown) => settings[k] ?? d,
          inspect: (k: string) => (k in settings ? { key: k, globalValue: settings[k] } : { key: k }),
          update: async () => undefined,
        }),
        onDidChangeConfiguration: config.event,
        registerTextDocumentContentProvider: (scheme: string) => {
          state.schemes.push(scheme);
          return new Disposable();
        },
        createFileSystemWatcher: () => ({ onDidCreate: noEvent(), onDidChange: noEvent(), onDidDelete: noEvent(), dispose() {} }),
        getWorkspaceFolder: () => undefined,
      } as Record<string, unknown>,
      { get: (t, p: string) => (p in t ? t[p] : p.startsWith('on') ? noEvent() : anything()) },
    ),
    window: new Proxy(
      {
        createOutputChannel: channel,
        createStatusBarItem: () =>
          new Proxy({ show() {}, hide() {}, dispose() {} } as Record<string, unknown>, {
            set: (t, p: string, v: unknown) => {
              t[p] = v;
              if (p === 'text') state.status.push(String(v));
              return true;
            },
          }),
        showErrorMessage: message('error'),
        showWarningMessage: message('warning'),
        showInformationMessage: message('info'),
        withProgress: async (_o: unknown, task: (p: unknown, t: unknown) => Promise<unknown>) => task({ report() {} }, { isCancellationRequested: false, onCancellationRequested: noEvent() }),
        visibleTextEditors: [],
      } as Record<string, unknown>,
      { get: (t, p: string) => (p in t ? t[p] : p.startsWith('on') ? noEvent() : anything()) },
    ),
    commands: {
      registerCommand: (id: string, f: (...args: unknown[]) => unknown) => {
        state.commands.set(id, f);
        return new Disposable(() => state.commands.delete(id));
      },
      executeCommand: async (id: string, ...args: unknown[]) => state.commands.get(id)?.(...args),
    },
    languages: new Proxy({ createDiagnosticCollection: () => ({ set() {}, delete() {}, clear() {}, dispose() {}, forEach() {}, get() {}, has() {} }), match: () => 0 } as Record<string, unknown>, {
      get: (t, p: string) => (p in t ? t[p] : () => new Disposable()),
    }),
    env: { appName: 'fake', language: 'en', machineId: 'x', sessionId: 'y', uriScheme: 'vscode' },
    extensions: { getExtension: () => undefined, all: [] },
  };
  return {
    api: new Proxy(api, { get: (t, p: string) => (p in t ? t[p] : anything()) }),
    state,
    changeConfiguration: () => config.fire({ affectsConfiguration: (s: string) => s === 'aros-lsp' || (s.startsWith('aros-lsp.') && s !== 'aros-lsp.server.command') }),
  };
}
