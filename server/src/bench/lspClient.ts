// A minimal LSP client over stdio for benchmarks: spawns the built server,
// initializes it on a directory and times requests.

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export interface BenchServer {
  connection: MessageConnection;
  process: ChildProcess;
  /** Resolves when `aros/status` says the index is ready. */
  ready: Promise<number>;
  stop(): Promise<void>;
}

/** With `trace`, the server's `$/logTrace` messages go to `onTrace`. */
export async function startBenchServer(root: string, cacheDir: string, extraOptions: Record<string, unknown> = {}, onTrace?: (message: string) => void): Promise<BenchServer> {
  const main = path.join(__dirname, '..', 'cli', 'main.js');
  const child = spawn(process.execPath, [main, 'serve', '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  if (!child.stdout || !child.stdin) throw new Error('server stdio unavailable');
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const started = Date.now();
  const ready = new Promise<number>((resolve, reject) => {
    connection.onNotification('aros/status', (p: { component: string; state: string; message: string }) => {
      if (p.component !== 'index') return;
      if (p.state === 'ready') resolve(Date.now() - started);
      if (p.state === 'error') reject(new Error(p.message));
    });
  });
  if (onTrace) connection.onNotification('$/logTrace', (p: { message: string }) => onTrace(p.message));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(root).href,
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: path.basename(root) }],
    capabilities: { window: { workDoneProgress: true }, textDocument: { inlineCompletion: {}, completion: { completionItem: { snippetSupport: true } } } },
    initializationOptions: { cacheDir, ...extraOptions },
    ...(onTrace ? { trace: 'verbose' } : {}),
  });
  await connection.sendNotification('initialized', {});
  return {
    connection,
    process: child,
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
