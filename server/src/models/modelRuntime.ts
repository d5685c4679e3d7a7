// The model runtime: which backend serves each role, loaded on first use,
// shared when both roles name the same file, unloaded after idling, and
// swapped when the configuration changes. It reports each role's state so the
// editor can say why there is no suggestion; a failure stays with its role.

import { availableParallelism } from 'node:os';
import { HostClient, type HostClientOptions } from './hostClient';
import type { GpuChoice, LoadSpec } from './hostProtocol';
import { LocalBackend, type CrashMemo } from './localBackend';
import { isLocalPath, type ModelConfig, type RoleConfig } from './modelConfig';
import { localModelPath } from './modelFiles';
import { RemoteBackend } from './remoteBackend';
import { ModelError, type GenerateOptions, type GenerateRequest, type GenerateResult, type ModelBackend, type ModelInfo, type Role, type Sampling } from './types';

export type RoleState = 'unloaded' | 'loading' | 'ready' | 'error';

export interface RoleStatus {
  role: Role;
  state: RoleState;
  message: string;
}

/** A request whose sampling falls back to the role's configuration. */
export type RuntimeRequest = (
  | { kind: 'infill'; prefix: string; suffix: string; extra?: { filename: string; text: string }[] }
  | { kind: 'complete'; prompt: string }
  | { kind: 'chat'; messages: { role: 'system' | 'user' | 'assistant'; content: string }[]; jsonSchema?: Record<string, unknown> }
) & { sampling?: Partial<Sampling> };

export interface ModelRuntimeOptions {
  config: ModelConfig;
  log?: (message: string) => void;
  onStatus?: (status: RoleStatus) => void;
  /** Where pulled model files live (default: the user's model cache). */
  modelDir?: string;
  env?: NodeJS.ProcessEnv;
  createHost?: (options: HostClientOptions) => HostClient;
}

interface Slot {
  /** What the backend is, as a string: a change means a new backend. */
  spec: string;
  backend: ModelBackend;
  roles: Set<Role>;
  hostKey?: string;
  inFlight: Set<AbortController>;
  idleMs: number;
  timer?: NodeJS.Timeout;
}

export const ROLES: readonly Role[] = ['codegen', 'llm'];

export class ModelRuntime {
  private config: ModelConfig;
  private readonly slots = new Map<string, Slot>();
  private readonly hosts = new Map<string, HostClient>();
  private readonly statuses = new Map<Role, RoleStatus>();
  private readonly crashMemo: CrashMemo = new Map();
  /** Each role's slot key while the configuration stands (see specOf). */
  private readonly specs = new Map<Role, string>();
  private disposed = false;

  constructor(private readonly options: ModelRuntimeOptions) {
    this.config = options.config;
    for (const role of ROLES) this.statuses.set(role, { role, state: 'unloaded', message: `${role}: not loaded yet (loads on first use)` });
  }

  status(role: Role): RoleStatus {
    return this.statuses.get(role) as RoleStatus;
  }

  /** The model host's process id for a role's local model, if one is running (tests, diagnostics). */
  hostPid(role: Role): number | undefined {
    const slot = this.slotOf(role);
    return slot?.hostKey ? this.hosts.get(slot.hostKey)?.pid : undefined;
  }

  async load(role: Role, signal?: AbortSignal): Promise<ModelInfo> {
    const slot = this.slotFor(role);
    if (this.statuses.get(role)?.state !== 'ready') this.setStatus(role, 'loading', `${role}: loading ${this.describe(role)}`);
    try {
      const info = await slot.backend.load(signal);
      if (this.statuses.get(role)?.state !== 'ready') {
        this.setStatus(role, 'ready', `${role}: ${info.source} ready${info.loadMs ? ` (loaded in ${info.loadMs.toFixed(0)} ms)` : ''}`);
      }
      return info;
    } catch (err) {
      const e = asModelError(err);
      if (e.code !== 'aborted') this.setStatus(role, 'error', `${role}: ${e.message}`);
      throw e;
    }
  }

  async generate(role: Role, request: RuntimeRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    const full = { ...request, sampling: this.sampling(role, request.sampling) } as GenerateRequest;
    await this.load(role, options.signal);
    const slot = this.slotFor(role);
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    slot.inFlight.add(controller);
    this.clearIdle(slot);
    try {
      return await slot.backend.generate(full, { ...options, signal, lane: options.lane ?? (role === 'codegen' ? 'completion' : 'loop') });
    } catch (err) {
      const e = asModelError(err);
      if (e.code === 'runtime-crashed') this.setStatus(role, 'error', `${role}: ${e.message}; it restarts on the next request`);
      throw e;
    } finally {
      slot.inFlight.delete(controller);
      this.armIdle(slot);
    }
  }

  /**
   * A new configuration: roles whose backend changed lose it (their in-flight
   * requests are cancelled and end with 'abort'), and the new one loads on
   * next use; unchanged roles keep their warm model.
   */
  async reconfigure(config: ModelConfig): Promise<void> {
    this.config = config;
    this.specs.clear();
    const wanted = new Set(ROLES.map((role) => this.specOf(role)));
    const stale = [...this.slots.entries()].filter(([spec]) => !wanted.has(spec));
    for (const [spec, slot] of stale) {
      this.slots.delete(spec);
      await this.retire(slot);
      for (const role of slot.roles) this.setStatus(role, 'unloaded', `${role}: configuration changed; ${this.describe(role)} loads on first use`);
    }
    await this.stopIdleHosts();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const slot of this.slots.values()) await this.retire(slot);
    this.slots.clear();
    for (const host of this.hosts.values()) await host.dispose();
    this.hosts.clear();
  }

  private sampling(role: Role, given: Partial<Sampling> = {}): Sampling {
    const c = this.config[role];
    return {
      maxTokens: given.maxTokens ?? c.max_length ?? 128,
      temperature: given.temperature ?? c.temperature ?? 0.2,
      topP: given.topP ?? c.top_p,
      topK: given.topK ?? c.top_k,
      repeatPenalty: given.repeatPenalty ?? c.repeat_penalty,
      stop: [...(c.stop ?? []), ...(given.stop ?? [])],
      seed: given.seed,
    };
  }

  private slotOf(role: Role): Slot | undefined {
    return this.slots.get(this.specOf(role));
  }

  private slotFor(role: Role): Slot {
    if (this.disposed) throw new ModelError('runtime-unavailable', 'the model runtime was shut down');
    const spec = this.specOf(role);
    let slot = this.slots.get(spec);
    if (!slot) {
      slot = this.createSlot(role, spec);
      this.slots.set(spec, slot);
    }
    slot.roles.add(role);
    return slot;
  }

  private createSlot(role: Role, spec: string): Slot {
    const c = this.config[role];
    const idleMs = Math.min(...ROLES.filter((r) => this.specOf(r) === spec).map((r) => (this.config[r].idle_unload_seconds ?? 900) * 1000));
    if (c.endpoint) {
      const backend = new RemoteBackend({ role, config: c, env: this.options.env, log: this.options.log });
      return { spec, backend, roles: new Set([role]), inFlight: new Set(), idleMs };
    }
    const load = JSON.parse(spec) as { load: LoadSpec; gpu: GpuChoice; maxThreads: number };
    const hostKey = `${String(load.gpu)}:${load.maxThreads}`;
    let host = this.hosts.get(hostKey);
    if (!host) {
      const options: HostClientOptions = {
        maxThreads: load.maxThreads,
        gpu: load.gpu,
        log: this.options.log,
        onExit: (reason) => this.options.log?.(`model host stopped (${reason})`),
        keepWarmMs: (this.config.hardware.keep_host_warm_seconds ?? 5) * 1000,
      };
      host = this.options.createHost ? this.options.createHost(options) : new HostClient(options);
      this.hosts.set(hostKey, host);
    }
    const missing = this.notDownloaded(c);
    if (missing) return { spec, backend: unavailable(missing), roles: new Set([role]), inFlight: new Set(), idleMs };
    const gb = this.config.hardware.max_memory_per_model_gb;
    const backend = new LocalBackend({ host, spec: load.load, crashMemo: this.crashMemo, maxBytes: gb ? gb * 2 ** 30 : undefined });
    return { spec, backend, roles: new Set([role]), hostKey, inFlight: new Set(), idleMs };
  }

  /**
   * A role's slot key. Kept while the configuration stands, since every request
   * looks it up twice and making it was a tenth of a millisecond before each
   * request left; not kept while some model reference waits to be pulled, as
   * its path changes when the file arrives.
   */
  private specOf(role: Role): string {
    let spec = this.specs.get(role);
    if (spec === undefined) {
      spec = this.makeSpec(role);
      if (ROLES.every((r) => this.config[r].endpoint || isLocalPath(this.config[r].model_path ?? ''))) this.specs.set(role, spec);
    }
    return spec;
  }

  /**
   * The backend a role needs, as a string. Local roles naming the same file
   * share one spec, made large enough for both (context, threads).
   */
  private makeSpec(role: Role): string {
    const c = this.config[role];
    if (c.endpoint) return JSON.stringify({ role, remote: c });
    const path = this.modelPath(c);
    const sharing = ROLES.filter((r) => !this.config[r].endpoint && this.modelPath(this.config[r]) === path).map((r) => this.config[r]);
    const load: LoadSpec = {
      path,
      contextSize: Math.max(...sharing.map((s) => s.context_size ?? 4096)),
      threads: Math.max(...sharing.map((s) => resolveThreads(s.threads))),
      gpuLayers: c.gpu_layers,
      fim: c.fim,
    };
    const gpu = this.gpuChoice(c);
    return JSON.stringify({ load, gpu, maxThreads: Math.max(...ROLES.map((r) => resolveThreads(this.config[r].threads))) });
  }

  private modelPath(c: RoleConfig): string {
    const ref = c.model_path ?? '';
    if (!ref) return '';
    if (isLocalPath(ref)) return ref;
    try {
      return localModelPath(ref, this.options.modelDir);
    } catch {
      // Not downloaded: the path where it would be, so loading names it and says to pull.
      return ref;
    }
  }

  /** Why a role's hf:/https model cannot load: it has not been pulled. */
  private notDownloaded(c: RoleConfig): ModelError | undefined {
    const ref = c.model_path ?? '';
    if (!ref) return new ModelError('config', 'no model_path or endpoint is configured');
    if (isLocalPath(ref)) return undefined;
    try {
      localModelPath(ref, this.options.modelDir);
      return undefined;
    } catch (err) {
      return err instanceof ModelError ? err : new ModelError('config', (err as Error).message);
    }
  }

  private gpuChoice(c: RoleConfig): GpuChoice {
    switch (c.device ?? 'cpu') {
      case 'cpu':
        return false;
      case 'auto':
        return this.config.hardware.use_gpu_if_available ? 'auto' : false;
      default:
        return c.device as GpuChoice;
    }
  }

  private describe(role: Role): string {
    const c = this.config[role];
    return c.endpoint ? `${c.endpoint}${c.remote_model ? ` (${c.remote_model})` : ''}` : (c.model_path ?? '(no model configured)');
  }

  private setStatus(role: Role, state: RoleState, message: string): void {
    const status = { role, state, message };
    this.statuses.set(role, status);
    this.options.onStatus?.(status);
  }

  private armIdle(slot: Slot): void {
    this.clearIdle(slot);
    if (slot.idleMs <= 0 || slot.inFlight.size > 0 || this.disposed) return;
    slot.timer = setTimeout(() => void this.unloadIdle(slot), slot.idleMs);
    slot.timer.unref();
  }

  private clearIdle(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
  }

  private async unloadIdle(slot: Slot): Promise<void> {
    if (slot.inFlight.size > 0 || this.slots.get(slot.spec) !== slot) return;
    this.slots.delete(slot.spec);
    await this.retire(slot);
    for (const role of slot.roles) this.setStatus(role, 'unloaded', `${role}: unloaded after ${Math.round(slot.idleMs / 1000)} s unused; loads again on next use`);
    await this.stopIdleHosts();
  }

  private async retire(slot: Slot): Promise<void> {
    this.clearIdle(slot);
    for (const c of slot.inFlight) c.abort();
    await slot.backend.dispose();
  }

  /** A host holding no model is stopped, freeing llama.cpp's memory. */
  private async stopIdleHosts(): Promise<void> {
    const used = new Set([...this.slots.values()].map((s) => s.hostKey));
    for (const [key, host] of this.hosts) {
      if (!used.has(key) && host.loadedCount === 0) {
        this.hosts.delete(key);
        await host.dispose();
      }
    }
  }
}

/** 0 means one thread per core, at most 8 (more rarely helps on CPU and starves the editor). */
export function resolveThreads(threads: number | undefined): number {
  return threads && threads > 0 ? threads : Math.max(1, Math.min(availableParallelism(), 8));
}

/** A backend for a role that cannot run: every call gives the same clear reason. */
function unavailable(error: ModelError): ModelBackend {
  return {
    load: () => Promise.reject(error),
    generate: () => Promise.reject(error),
    dispose: () => Promise.resolve(),
  };
}

function asModelError(err: unknown): ModelError {
  return err instanceof ModelError ? err : new ModelError('runtime-unavailable', (err as Error).message);
}
