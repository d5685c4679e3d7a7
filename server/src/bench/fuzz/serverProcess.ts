// One server under test: `node out/cli/main.js serve --stdio` with its own
// HOME, spoken to in raw bytes. It parses what the server writes, answers the
// server's own requests (progress tokens, registrations, applyEdit refused),
// keeps the tail of stderr, and samples the peak resident set from /proc.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { frameOf, OutputParser, type ParsedFrame } from './frames';
import { SERVER_NODE_FLAGS } from '../../cli/serverProcess';

/** The repository: the nearest directory up with package.json (from out/bench/fuzz, or from the sources under vitest). */
export const REPO = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..', '..');
  }
})();
/** The built server (run `npm run build` first); AROS_LSP_FUZZ_SERVER names another build's main.js. */
export const MAIN = process.env.AROS_LSP_FUZZ_SERVER ? path.resolve(process.env.AROS_LSP_FUZZ_SERVER) : path.join(REPO, 'out', 'cli', 'main.js');

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  home: string;
  cwd: string;
  /** Bytes of stderr kept (the tail). */
  stderrLimit?: number;
}

const STDERR_LIMIT = 256 * 1024;

export class FuzzServer {
  readonly proc: ChildProcess;
  readonly parser: OutputParser;
  readonly exit: Promise<ServerExit>;
  exited: ServerExit | undefined;
  /** Total stderr characters seen (the text kept is only the tail); a mark for `stderr(since)`. */
  stderrChars = 0;
  private stderrTail = '';
  private peakKb = 0;
  private readonly sampler: NodeJS.Timeout;
  private readonly listeners = new Set<(message: any) => void>();
  private readonly stderrLimit: number;

  private constructor(options: SpawnOptions) {
    this.stderrLimit = options.stderrLimit ?? STDERR_LIMIT;
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: options.home, XDG_CACHE_HOME: path.join(options.home, '.cache'), HF_ENDPOINT: 'http://127.0.0.1:9' };
    delete env.AROS_LSP_MODEL_DIR;
    delete env.NODE_OPTIONS;
    // The server's V8 flags given here: `serve` does not start itself again, and the pid (RSS, kill) is the server's.
    this.proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, MAIN, 'serve', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], cwd: options.cwd, env });
    this.parser = new OutputParser((f) => this.onFrame(f));
    this.proc.stdout?.on('data', (d: Buffer) => this.parser.push(d));
    this.proc.stderr?.setEncoding('utf8');
    this.proc.stderr?.on('data', (d: string) => {
      this.stderrChars += d.length;
      this.stderrTail += d;
      if (this.stderrTail.length > this.stderrLimit * 2) this.stderrTail = this.stderrTail.slice(-this.stderrLimit);
    });
    // A server that dies must not take the fuzzer with it.
    this.proc.stdin?.on('error', () => undefined);
    this.proc.on('error', (e) => {
      this.stderrTail += `\n[fuzz] ${e.message}\n`;
    });
    this.exit = new Promise<ServerExit>((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exited = { code, signal };
        clearInterval(this.sampler);
        resolve(this.exited);
      });
    });
    this.sampler = setInterval(() => this.sample(), 250);
    this.sampler.unref();
  }

  static start(options: SpawnOptions): FuzzServer {
    return new FuzzServer(options);
  }

  get alive(): boolean {
    return this.exited === undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** stderr since the mark `since` (a value of `stderrChars`), as far as the kept tail reaches. */
  stderr(since = 0): string {
    const dropped = this.stderrChars - this.stderrTail.length;
    return this.stderrTail.slice(Math.max(0, since - dropped));
  }

  /** Peak resident set size in KiB (VmHWM), as of the last sample. */
  peakRssKb(): number {
    this.sample();
    return this.peakKb;
  }

  private lockTail: Promise<void> = Promise.resolve();

  /**
   * Runs `fn` with the input to itself: nothing else (such as the answer to a
   * request of the server's) is written in between, so a frame written in
   * pieces, or stalled on purpose, stays one frame.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const before = this.lockTail;
    let release = (): void => undefined;
    this.lockTail = new Promise<void>((r) => {
      release = r;
    });
    await before;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Writes bytes when no exclusive writer holds the input. */
  write(bytes: Buffer): Promise<void> {
    return this.exclusive(() => this.writeNow(bytes));
  }

  /** Writes bytes at once, waiting for the pipe to drain (a 50 MB frame is written at the server's pace); only inside `exclusive`. */
  async writeNow(bytes: Buffer): Promise<void> {
    const stdin = this.proc.stdin;
    if (!stdin || stdin.destroyed || !this.alive) return;
    const ok = stdin.write(bytes);
    if (ok) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        stdin.off('drain', done);
        stdin.off('close', done);
        clearInterval(check);
        resolve();
      };
      // If the server dies, or stops reading, the caller's own deadline decides; never wait forever here.
      const check = setInterval(() => {
        if (!this.alive) done();
      }, 100);
      stdin.on('drain', done);
      stdin.on('close', done);
    });
  }

  send(message: unknown): Promise<void> {
    return this.write(frameOf(message));
  }

  endInput(): void {
    this.proc.stdin?.end();
  }

  onMessage(listener: (message: any) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  kill(): void {
    if (this.alive) this.proc.kill('SIGKILL');
  }

  private sample(): void {
    const pid = this.proc.pid;
    if (pid === undefined || !this.alive) return;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
      const m = /^VmHWM:\s+(\d+) kB/m.exec(status);
      if (m) this.peakKb = Math.max(this.peakKb, Number(m[1]));
    } catch {
      // gone, or not Linux
    }
  }

  private onFrame(frame: ParsedFrame): void {
    const m = frame.message;
    if (m && typeof m === 'object' && typeof m.method === 'string' && 'id' in m) {
      // The server's own request: answer it at once so it never waits on us.
      void this.send({ jsonrpc: '2.0', id: m.id, result: answerFor(m.method, m.params) });
      return;
    }
    for (const l of this.listeners) l(m);
  }
}

function answerFor(method: string, params: any): unknown {
  switch (method) {
    case 'workspace/applyEdit':
      return { applied: false, failureReason: 'the fuzzer applies nothing' };
    case 'window/showDocument':
      return { success: false };
    case 'workspace/configuration':
      return Array.isArray(params?.items) ? params.items.map(() => null) : [];
    default:
      return null;
  }
}
