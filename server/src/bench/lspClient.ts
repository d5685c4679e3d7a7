// A minimal LSP client over stdio for benchmarks: spawns the built server,
// initializes it on a directory and times requests.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { SERVER_NODE_FLAGS } from '../cli/serverProcess';

export interface BenchServer {
  connection: MessageConnection;
  process: ChildProcess;
  /** The tail of the server's stderr. */
  stderr: () => string;
  /** Resolves when `aros/status` says the index is ready. */
  ready: Promise<number>;
  stop(): Promise<void>;
}

/** The built server: out/cli/main.js beside this file when run from out/, else the repository's out/ (tests import the TypeScript). */
function serverMain(): string {
  const beside = path.join(__dirname, '..', 'cli', 'main.js');
  return existsSync(beside) ? beside : path.resolve(__dirname, '..', '..', '..', 'out', 'cli', 'main.js');
}

/** What a benchmark may add to the server it starts. */
export interface BenchServerOptions {
  /** HOME (and XDG_CACHE_HOME) of the server, so nothing lands in the user's. */
  home?: string;
  /** Node flags for the server process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Every `aros/status` notification (vscode-jsonrpc takes one handler per method). */
  onStatus?: (p: { component: string; state: string; message: string; files?: number }) => void;
  /** Echo the server's stderr as well as keeping its tail. */
  echoStderr?: boolean;
}

/** With `trace`, the server's `$/logTrace` messages go to `onTrace`. */
export async function startBenchServer(
  root: string,
  cacheDir: string,
  extraOptions: Record<string, unknown> = {},
  onTrace?: (message: string) => void,
  more: BenchServerOptions = {},
): Promise<BenchServer> {
  const main = serverMain();
  const env = more.home ? { ...process.env, HOME: more.home, XDG_CACHE_HOME: path.join(more.home, '.cache') } : process.env;
  // With the server's V8 flags given here, `serve` does not start itself again: the pid is the server's.
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...(more.nodeArgs ?? []), main, 'serve', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env });
  if (!child.stdout || !child.stdin || !child.stderr) throw new Error('server stdio unavailable');
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    err = (err + d).slice(-50_000);
    if (more.echoStderr) process.stderr.write(d);
  });
  child.stdin.on('error', () => undefined);
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const started = Date.now();
  const ready = new Promise<number>((resolve, reject) => {
    connection.onNotification('aros/status', (p: { component: string; state: string; message: string; files?: number }) => {
      more.onStatus?.(p);
      if (p.component !== 'index') return;
      if (p.state === 'ready') resolve(Date.now() - started);
      if (p.state === 'error') reject(new Error(p.message));
    });
  });
  if (onTrace) connection.onNotification('$/logTrace', (p: { message: string }) => onTrace(p.message));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/showMessageRequest', () => null);
  connection.onRequest('workspace/configuration', (p: { items?: unknown[] }) => (p.items ?? []).map(() => null));
  connection.onError(() => undefined);
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(root).href,
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: path.basename(root) }],
    capabilities: {
      window: { workDoneProgress: true },
      textDocument: {
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        inlineCompletion: {},
        completion: { completionItem: { snippetSupport: true } },
      },
    },
    initializationOptions: { cacheDir, ...extraOptions },
    ...(onTrace ? { trace: 'verbose' } : {}),
  });
  await connection.sendNotification('initialized', {});
  return {
    connection,
    process: child,
    stderr: () => err,
    ready,
    async stop() {
      await connection.sendRequest('shutdown').catch(() => undefined);
      await connection.sendNotification('exit').catch(() => undefined);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      connection.dispose();
    },
  };
}

export async function timeRequest<T>(connection: MessageConnection, method: string, params: unknown): Promise<{ ms: number; result: T }> {
  const t = process.hrtime.bigint();
  const result = (await connection.sendRequest(method, params)) as T;
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, result };
}
