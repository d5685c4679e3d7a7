// The server's side of the model host: forks the child on first use, matches
// replies to requests, streams text, forwards aborts, and turns the child's
// death into a clear error for whatever was in flight. The next request starts
// a fresh child; models it held load again lazily.

import { fork, type ChildProcess } from 'node:child_process';
import { builtScript } from '../index/workerScript';
import type { FromHost, GpuChoice, LoadSpec, ToHost } from './hostProtocol';
import { ModelError, type GenerateRequest, type GenerateResult, type Lane, type ModelInfo } from './types';

export interface HostClientOptions {
  maxThreads: number;
  gpu: GpuChoice;
  log?: (message: string) => void;
  /** Called when the child exits unexpectedly; loaded models are gone. */
  onExit?: (reason: string) => void;
  /**
   * After each request, how long to keep the child awake while it is idle (a
   * `ping` every WARM_INTERVAL_MS); 0 never. Waking a process that has slept
   * for a second costs a millisecond or more on a virtual machine, twice per
   * request (the host, then the caller): half of the runtime's extra time to
   * the first token in `npm run bench:models`.
   */
  keepWarmMs?: number;
}

/** How often an idle host is pinged while it is kept warm. */
export const WARM_INTERVAL_MS = 20;

interface Pending {
  resolve: (m: FromHost) => void;
  reject: (e: ModelError) => void;
  onText?: (chunk: string) => void;
  what: string;
}

export class HostClient {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Models the running child holds; empty after it dies. */
  private readonly loaded = new Set<string>();
  private warmUntil = 0;
  private warmTimer?: ReturnType<typeof setInterval>;
  private pings = 0;

  constructor(private readonly options: HostClientOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How many keep-warm pings went to the child (see keepWarmMs). */
  get pingsSent(): number {
    return this.pings;
  }

  isLoaded(key: string): boolean {
    return this.loaded.has(key);
  }

  /** How many models the child holds: none means the child can go. */
  get loadedCount(): number {
    return this.loaded.size;
  }

  async load(key: string, spec: LoadSpec, signal?: AbortSignal): Promise<ModelInfo> {
    const m = await this.call({ type: 'load', key, spec }, `loading ${spec.path}`, signal);
    if (m.type !== 'loaded') throw new ModelError('runtime-unavailable', `unexpected reply ${m.type} to load`);
    this.loaded.add(key);
    return m.info;
  }

  async unload(key: string): Promise<void> {
    this.loaded.delete(key);
    if (!this.child) return;
    await this.call({ type: 'unload', key }, `unloading ${key}`);
  }

  async generate(key: string, lane: Lane, request: GenerateRequest, onText?: (chunk: string) => void, signal?: AbortSignal): Promise<GenerateResult> {
    const m = await this.call({ type: 'generate', key, lane, request, stream: Boolean(onText) }, `generating with ${key}`, signal, onText);
    if (m.type !== 'done') throw new ModelError('runtime-unavailable', `unexpected reply ${m.type} to generate`);
    return m.result;
  }

  /** Stops the child; pending requests end with 'aborted'. */
  async dispose(): Promise<void> {
    if (this.warmTimer) clearInterval(this.warmTimer);
    this.warmTimer = undefined;
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    this.loaded.clear();
    this.failAll(new ModelError('aborted', 'the model runtime was shut down'));
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private async call(
    message: DistributiveOmit<ToHost, 'id'>,
    what: string,
    signal?: AbortSignal,
    onText?: (chunk: string) => void,
  ): Promise<FromHost> {
    if (signal?.aborted) throw new ModelError('aborted', `cancelled before ${what}`);
    await this.start();
    const child = this.child;
    if (!child) throw new ModelError('runtime-unavailable', 'the model runtime is not running');
    const id = this.nextId++;
    const onAbort = (): void => {
      if (child.connected) child.send({ type: 'abort', id } satisfies ToHost);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await new Promise<FromHost>((resolve, reject) => {
        this.pending.set(id, { resolve, reject, onText, what });
        child.send({ ...message, id } as ToHost);
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.pending.delete(id);
      this.keepWarm(child);
    }
  }

  /** Pings the idle child every WARM_INTERVAL_MS until keepWarmMs after the last request (never while one runs: it is awake). */
  private keepWarm(child: ChildProcess): void {
    const ms = this.options.keepWarmMs ?? 0;
    if (ms <= 0) return;
    this.warmUntil = Date.now() + ms;
    if (this.warmTimer) return;
    const timer = setInterval(() => {
      if (this.child !== child || !child.connected || Date.now() > this.warmUntil) {
        clearInterval(timer);
        if (this.warmTimer === timer) this.warmTimer = undefined;
        return;
      }
      if (this.pending.size > 0) return;
      child.send({ type: 'ping' } satisfies ToHost);
      this.pings++;
    }, WARM_INTERVAL_MS);
    // Never what keeps the process running.
    timer.unref();
    this.warmTimer = timer;
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const script = builtScript('llamaHost.js', 'models');
    if (!script) return Promise.reject(new ModelError('runtime-unavailable', 'the model host script is missing (run `npm run build`)'));
    // stdout is not inherited: the language server's stdout carries the protocol.
    const child = fork(script, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    this.child = child;
    const forward = (data: Buffer): void => {
      for (const line of data.toString('utf8').split('\n')) if (line.trim()) this.options.log?.(`model host: ${line.trim()}`);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    this.ready = new Promise<void>((resolve, reject) => {
      child.on('message', (m: FromHost) => {
        if (m.type === 'ready') {
          this.options.log?.(`model host ${child.pid} ready in ${m.ms.toFixed(0)} ms (gpu: ${m.gpu || 'none'})`);
          resolve();
        } else if (m.type === 'fatal') reject(new ModelError(m.code, m.message));
        else this.dispatch(m);
      });
      child.on('error', (err) => reject(new ModelError('runtime-unavailable', `the model runtime could not start (${err.message})`)));
      child.on('exit', (code, sig) => {
        const reason = sig ? `signal ${sig}` : `exit code ${code}`;
        reject(new ModelError('runtime-crashed', `the model runtime stopped (${reason}) before it was ready`));
        if (this.child !== child) return;
        this.child = undefined;
        this.ready = undefined;
        this.loaded.clear();
        for (const p of this.pending.values()) p.reject(new ModelError('runtime-crashed', `the model runtime crashed (${reason}) while ${p.what}`));
        this.pending.clear();
        this.options.onExit?.(reason);
      });
    });
    child.send({ type: 'init', maxThreads: this.options.maxThreads, gpu: this.options.gpu } satisfies ToHost);
    return this.ready;
  }

  private dispatch(m: FromHost): void {
    if (!('id' in m)) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'text') p.onText?.(m.chunk);
    else if (m.type === 'error') p.reject(new ModelError(m.code, m.message));
    else p.resolve(m);
  }

  private failAll(err: ModelError): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
