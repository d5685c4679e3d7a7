// A small, real JSON-RPC client for the protocol tests: it spawns the BUILT
// server (`node out/cli/main.js serve --stdio`), speaks LSP to it over the
// child's stdin/stdout with vscode-jsonrpc, records every notification,
// answers the server's own requests, and keeps the server's stderr so a
// failing test can show it. `RawClient` talks bytes instead, to send frames
// that no well-behaved client would.
//
// Run `npx tsc -p tsconfig.json` first: these tests use out/, not the sources.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeEach, expect } from 'vitest';
import { SERVER_NODE_FLAGS } from '../../server/src/cli/serverProcess';
import {
  createMessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';

export const REPO = path.resolve(__dirname, '..', '..');
export const MAIN = path.join(REPO, 'out', 'cli', 'main.js');
export const FIXTURE = path.join(REPO, 'test', 'fixtures', 'aros-mini');

/** Generous: CI machines are slow and shared; no test depends on how fast anything is. */
export const WAIT_MS = 25_000;

if (!fs.existsSync(MAIN)) {
  throw new Error(`${MAIN} is missing: run \`npx tsc -p tsconfig.json\` before the protocol tests`);
}

// ---------------------------------------------------------------------------
// Workspaces: a fresh copy of the fixture per test, cache and HOME inside it.

export interface Workspace {
  /** Temp directory holding everything below. */
  base: string;
  /** The copy of the fixture tree: the workspace root the server sees. */
  root: string;
  /** Passed to the server as `initializationOptions.cacheDir`. */
  cacheDir: string;
  /** HOME and XDG_CACHE_HOME of the server: must stay empty. */
  home: string;
  abs(rel: string): string;
  uri(rel: string): string;
  cleanup(): void;
}

const workspaces = new Set<Workspace>();

/** Copies aros-mini (or nothing, with `empty`) into a new temp directory. */
export function makeWorkspace(options: { empty?: boolean } = {}): Workspace {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'aros-lsp-proto-'));
  const root = path.join(base, 'ws');
  const cacheDir = path.join(base, 'cache');
  const home = path.join(base, 'home');
  if (options.empty) fs.mkdirSync(root);
  else fs.cpSync(FIXTURE, root, { recursive: true });
  fs.mkdirSync(home);
  const ws: Workspace = {
    base,
    root,
    cacheDir,
    home,
    abs: (rel) => path.join(root, ...rel.split('/')),
    uri: (rel) => pathToFileURL(path.join(root, ...rel.split('/'))).href,
    cleanup: () => {
      workspaces.delete(ws);
      restorePermissions(base);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
  workspaces.add(ws);
  return ws;
}

/** chmod 000 directories (non-root runs) would stop rmSync: give them back. */
function restorePermissions(dir: string): void {
  try {
    fs.chmodSync(dir, 0o755);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) restorePermissions(path.join(dir, e.name));
  } catch {
    // best effort
  }
}

// ---------------------------------------------------------------------------
// Running as another user (the root case of the unreadable-directory test).

export const NOBODY = { uid: 65534, gid: 65534 };

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * True when the server can run as `nobody`: node, out/ and node_modules must be
 * readable for that user. Checked by running a probe as `nobody`, since
 * `fs.accessSync` as root always says yes.
 */
export function canRunAsNobody(): { ok: boolean; why: string } {
  const probe = `
    const fs = require('fs');
    for (const p of ${JSON.stringify([MAIN, path.join(REPO, 'node_modules', 'vscode-languageserver', 'package.json'), path.join(REPO, 'node_modules', 'tree-sitter', 'package.json'), path.join(REPO, 'package.json')])}) fs.accessSync(p, fs.constants.R_OK);
    require(${JSON.stringify(path.join(REPO, 'node_modules', 'tree-sitter'))});
  `;
  const run = (): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ['-e', probe], { ...NOBODY, cwd: '/', encoding: 'utf8', timeout: 20_000 });
  let r = run();
  if (r.status === 0) return { ok: true, why: '' };
  // Make the build and the dependencies world-readable (directories searchable), then try again.
  for (const dir of [path.join(REPO, 'out'), path.join(REPO, 'node_modules')]) spawnSync('chmod', ['-R', 'o+rX', dir]);
  r = run();
  return r.status === 0 ? { ok: true, why: '' } : { ok: false, why: `node as uid 65534 cannot load the server: ${String(r.stderr || r.error)}` };
}

/** Hands a workspace to `nobody` (the server running as that user must read the tree and write its cache). */
export function giveToNobody(ws: Workspace): void {
  const r = spawnSync('chown', ['-R', `${NOBODY.uid}:${NOBODY.gid}`, ws.base]);
  if (r.status !== 0) throw new Error(`chown failed: ${String(r.stderr)}`);
  fs.chmodSync(ws.base, 0o755);
}

// ---------------------------------------------------------------------------
// Spawning the server.

export interface SpawnOptions {
  /** Run as another user (root only). */
  user?: { uid: number; gid: number };
  /** HOME / XDG_CACHE_HOME for the server; a workspace's `home` normally. */
  home?: string;
  args?: string[];
  /** Extra environment variables for the server. */
  env?: Record<string, string>;
}

interface Spawned {
  proc: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const liveProcesses = new Set<{ proc: ChildProcess; label: string; stderr: () => string }>();

function spawnServer(options: SpawnOptions): Spawned {
  const ownHome = options.home === undefined;
  const home = options.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aros-lsp-home-'));
  const args = options.args ?? ['serve', '--stdio'];
  // The server's V8 flags given here: `serve` does not start itself again, so the pid (kill -9, cleanup) is the server's.
  const proc = spawn(process.execPath, [...(args[0] === 'serve' ? SERVER_NODE_FLAGS : []), MAIN, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: options.user ? '/' : REPO,
    env: { ...process.env, HOME: home, XDG_CACHE_HOME: path.join(home, '.cache'), ...(options.env ?? {}) },
    ...(options.user ?? {}),
  });
  let err = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (d: string) => {
    err += d;
  });
  // A server that dies must not take the test runner with it (EPIPE on stdin, a failed spawn).
  proc.stdin?.on('error', () => undefined);
  proc.on('error', (e) => {
    err += `\n[test client] ${e.message}\n`;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const entry = { proc, label: `server pid ${proc.pid}`, stderr: () => err };
  liveProcesses.add(entry);
  void exit.then(() => {
    liveProcesses.delete(entry);
    if (ownHome) fs.rmSync(home, { recursive: true, force: true });
  });
  return { proc, stderr: () => err, exit };
}

/**
 * Call once per test file: when a test fails, prints the stderr of every
 * server that was alive when it started or was spawned during it (passing
 * tests print nothing). `killLeftovers` is the matching cleanup.
 */
export function printServerStderrOnFailure(): void {
  beforeEach((ctx) => {
    const seen = new Map<ChildProcess, { label: string; stderr: () => string }>();
    for (const p of liveProcesses) seen.set(p.proc, p);
    const onSpawn = (p: { proc: ChildProcess; label: string; stderr: () => string }): void => {
      seen.set(p.proc, p);
    };
    spawnListeners.add(onSpawn);
    ctx.onTestFailed(() => {
      for (const { label, stderr } of seen.values()) {
        const text = stderr();
        process.stderr.write(`\n----- stderr of ${label} (${ctx.task.name}) -----\n${text.length > 20_000 ? `...${text.slice(-20_000)}` : text}\n-----\n`);
      }
    });
    return () => {
      spawnListeners.delete(onSpawn);
    };
  });
}

const spawnListeners = new Set<(p: { proc: ChildProcess; label: string; stderr: () => string }) => void>();
function announce(s: Spawned, label: string): void {
  for (const l of spawnListeners) l({ proc: s.proc, label, stderr: s.stderr });
}

// ---------------------------------------------------------------------------
// The JSON-RPC client.

export interface Notification {
  method: string;
  params: any;
}

export interface StatusParams {
  state: 'loading' | 'indexing' | 'ready' | 'busy' | 'error' | 'unloaded';
  message: string;
  component: 'index' | 'model';
  role?: 'codegen' | 'llm';
  files?: number;
}

export interface InitializeOptions {
  /** Declare `window.workDoneProgress` (default true). */
  workDoneProgress?: boolean;
  /** Declare dynamic registration of file watchers (default true). */
  watchDynamic?: boolean;
  /** Skip the `initialized` notification (indexing starts on it). */
  skipInitialized?: boolean;
  /**
   * Sent as `processId` (default: this process). vscode-languageserver exits when
   * `kill(processId, 0)` fails, which it does with EPERM for a server running as
   * another user: pass null then.
   */
  processId?: number | null;
}

export class LspClient {
  readonly notifications: Notification[] = [];
  readonly serverRequests: Notification[] = [];
  readonly connection: MessageConnection;
  readonly proc: ChildProcess;
  root?: string;
  /** Answers for server-to-client requests that replace the default ones (null for the usual methods). */
  readonly requestHandlers = new Map<string, (params: any) => unknown>();
  private readonly spawned: Spawned;
  private readonly versions = new Map<string, number>();
  private closed = false;

  private constructor(spawned: Spawned) {
    this.spawned = spawned;
    this.proc = spawned.proc;
    if (!this.proc.stdout || !this.proc.stdin) throw new Error('no stdio pipes');
    this.connection = createMessageConnection(new StreamMessageReader(this.proc.stdout), new StreamMessageWriter(this.proc.stdin));
    this.connection.onNotification((method: string, params: unknown) => {
      this.notifications.push({ method, params });
    });
    // vscode-jsonrpc routes `$/progress` to progress handlers, never to the catch-all above.
    this.connection.onUnhandledProgress((params) => {
      this.notifications.push({ method: '$/progress', params });
    });
    this.connection.onRequest((method: string, params: unknown) => {
      this.serverRequests.push({ method, params });
      const custom = this.requestHandlers.get(method);
      if (custom) return custom(params);
      switch (method) {
        case 'window/workDoneProgress/create':
        case 'client/registerCapability':
        case 'client/unregisterCapability':
        case 'window/showMessageRequest':
          return null;
        case 'window/showDocument':
          return { success: true };
        case 'workspace/configuration': {
          const items = (params as { items?: unknown[] } | undefined)?.items ?? [];
          return items.map(() => null);
        }
        default:
          return new ResponseError(-32601, `test client does not handle ${method}`);
      }
    });
    this.connection.onError(() => undefined);
    this.connection.onClose(() => {
      this.closed = true;
    });
    this.connection.listen();
  }

  static start(options: SpawnOptions = {}): LspClient {
    const s = spawnServer(options);
    const client = new LspClient(s);
    announce(s, `server pid ${s.proc.pid}`);
    return client;
  }

  /** Spawns a server for a workspace (HOME inside it) and initializes it with `cacheDir`. */
  static async forWorkspace(
    ws: Workspace,
    options: InitializeOptions & { settings?: Record<string, unknown>; user?: SpawnOptions['user']; beforeInitialize?: (c: LspClient) => void } = {},
  ): Promise<LspClient> {
    const client = LspClient.start({ home: ws.home, user: options.user });
    options.beforeInitialize?.(client);
    await client.initialize(ws.root, { cacheDir: ws.cacheDir, ...(options.settings ?? {}) }, options);
    return client;
  }

  get stderr(): string {
    return this.spawned.stderr();
  }

  get exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.spawned.exit;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null && !this.closed;
  }

  async initialize(rootDir: string | null, initializationOptions?: unknown, options: InitializeOptions = {}): Promise<any> {
    this.root = rootDir ?? undefined;
    const rootUri = rootDir ? pathToFileURL(rootDir).href : null;
    const result = await this.connection.sendRequest('initialize', {
      processId: options.processId === undefined ? process.pid : options.processId,
      clientInfo: { name: 'aros-lsp protocol tests', version: '1' },
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: path.basename(rootDir as string) }] : null,
      initializationOptions,
      capabilities: {
        workspace: {
          configuration: true,
          workspaceFolders: true,
          didChangeWatchedFiles: { dynamicRegistration: options.watchDynamic ?? true },
          symbol: { dynamicRegistration: false },
          executeCommand: { dynamicRegistration: false },
          textDocumentContent: { dynamicRegistration: false },
        },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: false },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          definition: { linkSupport: false },
          declaration: { linkSupport: false },
          publishDiagnostics: { relatedInformation: true },
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] }, contextSupport: true },
          inlineCompletion: { dynamicRegistration: false },
        },
        window: { workDoneProgress: options.workDoneProgress ?? true, showMessage: {}, showDocument: { support: true } },
      },
    });
    if (!options.skipInitialized) await this.connection.sendNotification('initialized', {});
    return result;
  }

  request<R = any>(method: string, params?: unknown): Promise<R> {
    return params === undefined ? this.connection.sendRequest(method) : this.connection.sendRequest(method, params);
  }

  notify(method: string, params?: unknown): Promise<void> {
    return params === undefined ? this.connection.sendNotification(method) : this.connection.sendNotification(method, params);
  }

  /** Resolves with the predicate's first truthy value; rejects after `timeoutMs` naming `what`. */
  async waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = WAIT_MS, what = 'condition'): Promise<T> {
    return pollUntil(predicate, timeoutMs, what, () => this.alive, () => this.stderr, () => {
      const recent = this.notifications.slice(-15).map((n) => `${n.method} ${JSON.stringify(n.params).slice(0, 300)}`);
      return `; last notifications:\n${recent.join('\n')}`;
    });
  }

  /** Notifications of one method, optionally only those after index `since` of `notifications`. */
  received(method: string, since = 0): any[] {
    return this.notifications.slice(since).filter((n) => n.method === method).map((n) => n.params);
  }

  /** Waits for `aros/status` state `ready` (after `since`, an index into `notifications`). */
  async waitForIndexReady(since = 0, timeoutMs = WAIT_MS): Promise<StatusParams> {
    return this.waitFor(
      () => this.received('aros/status', since).find((s: StatusParams) => s.component === 'index' && s.state === 'ready') as StatusParams | undefined,
      timeoutMs,
      "aros/status 'ready'",
    );
  }

  /** `window/logMessage` texts, in order. */
  logMessages(since = 0): string[] {
    return this.received('window/logMessage', since).map((p: { message: string }) => p.message);
  }

  async waitForLog(pattern: RegExp, since = 0, timeoutMs = WAIT_MS): Promise<string> {
    return this.waitFor(() => this.logMessages(since).find((m) => pattern.test(m)), timeoutMs, `a log message matching ${pattern}`);
  }

  /** The latest diagnostics published for `uri` after `since`, waiting for one to arrive. */
  async waitForDiagnostics(uri: string, since = 0, timeoutMs = WAIT_MS): Promise<any[]> {
    const p = await this.waitFor(
      () => this.received('textDocument/publishDiagnostics', since).filter((d: { uri: string }) => d.uri === uri).pop() as { diagnostics: any[] } | undefined,
      timeoutMs,
      `diagnostics for ${uri}`,
    );
    return p.diagnostics;
  }

  uri(rel: string): string {
    if (!this.root) throw new Error('no workspace root');
    return pathToFileURL(path.join(this.root, ...rel.split('/'))).href;
  }

  /** Workspace-relative path of a file: URI (the URI itself when outside the root). */
  rel(uri: string): string {
    const abs = fileURLToPath(uri);
    if (!this.root) return abs;
    const r = path.relative(this.root, abs);
    return r.startsWith('..') ? abs : r.split(path.sep).join('/');
  }

  /** didOpen with the file's text from disk (or `text`); returns its URI. */
  async open(relPath: string, text?: string): Promise<string> {
    const uri = this.uri(relPath);
    const content = text ?? fs.readFileSync(path.join(this.root as string, ...relPath.split('/')), 'utf8');
    this.versions.set(uri, 1);
    await this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: content } });
    return uri;
  }

  async change(uri: string, contentChanges: Array<{ range?: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }>): Promise<void> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  async close(uri: string): Promise<void> {
    this.versions.delete(uri);
    await this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  /** `shutdown` then `exit`; the process must end with exit code 0. */
  async shutdown(): Promise<void> {
    const result = await this.request('shutdown');
    expect(result).toBeNull();
    await this.notify('exit');
    const { code, signal } = await this.exit;
    this.connection.dispose();
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  }

  /** For cleanup after a failed test: no questions asked. */
  kill(): void {
    try {
      this.connection.dispose();
    } catch {
      // already gone
    }
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------
// Raw bytes: frames built by hand, stdout parsed and checked byte by byte.

export interface Frame {
  headers: Record<string, string>;
  body: string;
  message?: any;
}

/**
 * Parses an LSP byte stream. Every byte must belong to a frame: header lines
 * `Name: value\r\n` with a numeric Content-Length, an empty line, then exactly
 * that many bytes of JSON. Anything else is recorded in `violations`.
 */
export class FrameParser {
  readonly frames: Frame[] = [];
  readonly violations: string[] = [];
  private buf = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      // No complete header block yet: wait (a test checks `pending` is 0 at the end).
      if (end < 0) return;
      const headerText = this.buf.subarray(0, end).toString('latin1');
      const headers: Record<string, string> = {};
      let bad = false;
      for (const line of headerText.split('\r\n')) {
        const m = /^(Content-Length|Content-Type): (.+)$/.exec(line);
        if (!m) bad = true;
        else headers[m[1].toLowerCase()] = m[2];
      }
      const length = Number(headers['content-length']);
      if (bad || !Number.isInteger(length) || length < 0) {
        this.violations.push(`bad header block: ${JSON.stringify(headerText.slice(0, 200))}`);
        this.buf = this.buf.subarray(end + 4);
        continue;
      }
      if (this.buf.length < end + 4 + length) return;
      const body = this.buf.subarray(end + 4, end + 4 + length).toString('utf8');
      this.buf = this.buf.subarray(end + 4 + length);
      const frame: Frame = { headers, body };
      try {
        frame.message = JSON.parse(body);
        if (frame.message?.jsonrpc !== '2.0') this.violations.push(`not JSON-RPC 2.0: ${body.slice(0, 200)}`);
      } catch {
        this.violations.push(`frame body is not JSON: ${JSON.stringify(body.slice(0, 200))}`);
      }
      this.frames.push(frame);
    }
  }

  /** Bytes received but not yet part of a complete frame. */
  get pending(): number {
    return this.buf.length;
  }
}

export function frame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

export class RawClient {
  readonly parser = new FrameParser();
  readonly proc: ChildProcess;
  private readonly spawned: Spawned;
  private nextId = 1;

  private constructor(spawned: Spawned) {
    this.spawned = spawned;
    this.proc = spawned.proc;
    this.proc.stdout?.on('data', (d: Buffer) => this.parser.push(d));
  }

  static start(options: SpawnOptions = {}): RawClient {
    const s = spawnServer(options);
    announce(s, `raw server pid ${s.proc.pid}`);
    return new RawClient(s);
  }

  get stderr(): string {
    return this.spawned.stderr();
  }

  get exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.spawned.exit;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  write(bytes: Buffer | string): void {
    this.proc.stdin?.write(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  }

  send(message: Record<string, unknown>): void {
    this.write(frame({ jsonrpc: '2.0', ...message }));
  }

  /** Sends a request and returns its id. */
  sendRequest(method: string, params?: unknown): number {
    const id = this.nextId++;
    this.send(params === undefined ? { id, method } : { id, method, params });
    return id;
  }

  notify(method: string, params?: unknown): void {
    this.send(params === undefined ? { method } : { method, params });
  }

  messages(): any[] {
    return this.parser.frames.map((f) => f.message).filter((m) => m !== undefined);
  }

  async waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = WAIT_MS, what = 'condition'): Promise<T> {
    return pollUntil(predicate, timeoutMs, what, () => this.alive, () => this.stderr, () => '');
  }

  /** The response to request `id`. */
  response(id: number, timeoutMs = WAIT_MS): Promise<any> {
    return this.waitFor(() => this.messages().find((m) => m.id === id && !('method' in m)), timeoutMs, `the response to request ${id}`);
  }

  /** Sends a request and waits for its response. */
  async call(method: string, params?: unknown): Promise<any> {
    return this.response(this.sendRequest(method, params));
  }

  /** Answers the server's own requests (progress tokens, registrations) so it never waits on us. */
  answerServerRequests(): void {
    const answered = new Set<unknown>();
    const timer = setInterval(() => {
      if (!this.alive) return clearInterval(timer);
      for (const m of this.messages()) {
        if ('method' in m && 'id' in m && !answered.has(m.id)) {
          answered.add(m.id);
          this.send({ id: m.id, result: null });
        }
      }
    }, 10);
    timer.unref();
  }

  kill(): void {
    if (this.alive) this.proc.kill('SIGKILL');
  }
}

/** Kills what a failed test left running; call from afterEach. */
export function killLeftovers(): void {
  for (const p of liveProcesses) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
  for (const ws of [...workspaces]) ws.cleanup();
}

/** Runs the CLI synchronously. */
export function runCli(args: string[], options: { home?: string; cwd?: string } = {}): { status: number | null; stdout: string; stderr: string } {
  const home = options.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aros-lsp-home-'));
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: options.cwd ?? REPO,
    encoding: 'utf8',
    env: { ...process.env, HOME: home, XDG_CACHE_HOME: path.join(home, '.cache') },
    timeout: WAIT_MS,
  });
  if (!options.home) fs.rmSync(home, { recursive: true, force: true });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Recursively lists a directory (relative paths), for "nothing was written here" checks. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return out.sort();
}

/**
 * Writes `count` small C files under `dir` (workspace-relative): file i holds
 * `struct GenThing<i>` and `ULONG gen_Func<i>(ULONG x)` on line 8 (0-based 7),
 * plus `helpers` static functions. Returns the relative paths.
 */
export function writeGeneratedFiles(ws: Workspace, dir: string, count: number, helpers = 4): string[] {
  fs.mkdirSync(ws.abs(dir), { recursive: true });
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = String(i).padStart(4, '0');
    const rel = `${dir}/gen_${n}.c`;
    const lines = [
      '#include <exec/types.h>',
      '',
      `struct GenThing${n}`,
      '{',
      '    ULONG gt_Value;',
      '};',
      '',
      `ULONG gen_Func${n}(ULONG x)`,
      '{',
      `    return x + ${i};`,
      '}',
      ...Array.from({ length: helpers }, (_, k) => `static ULONG gen_Helper${n}_${k}(ULONG y) { return y * ${k}; }`),
      '',
    ];
    fs.writeFileSync(ws.abs(rel), lines.join('\n'));
    out.push(rel);
  }
  return out;
}

/** Polls until `predicate` gives a truthy value; fails when the server dies or time runs out. */
async function pollUntil<T>(
  predicate: () => T | undefined | null | false,
  timeoutMs: number,
  what: string,
  alive: () => boolean,
  stderr: () => string,
  context: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = predicate();
    if (v) return v;
    if (!alive()) throw new Error(`server exited while waiting for ${what}\n${stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
