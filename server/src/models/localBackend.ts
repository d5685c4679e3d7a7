// A GGUF file run by the model host. Cheap checks happen here first (the file
// exists, fits the memory limit, has GGUF metadata), so the common mistakes get
// a precise sentence without starting llama.cpp; a file that crashed the host
// while loading is remembered and refused until it changes.

import { statSync } from 'node:fs';
import type { HostClient } from './hostClient';
import type { LoadSpec } from './hostProtocol';
import { GgufError, readGgufInfo } from './ggufInfo';
import { ModelError, type GenerateOptions, type GenerateRequest, type GenerateResult, type ModelBackend, type ModelInfo } from './types';

/** Files that crashed the host while loading, by path: their size and mtime then. */
export type CrashMemo = Map<string, string>;

export interface LocalBackendOptions {
  host: HostClient;
  spec: LoadSpec;
  /** Refuse files larger than this (hardware.max_memory_per_model_gb). */
  maxBytes?: number;
  crashMemo: CrashMemo;
}

export class LocalBackend implements ModelBackend {
  private info?: ModelInfo;
  private loading?: Promise<ModelInfo>;
  /** Size and mtime of the file when it was loaded. */
  private loadedStamp?: string;
  private readonly key: string;

  constructor(private readonly options: LocalBackendOptions) {
    this.key = options.spec.path;
  }

  load(signal?: AbortSignal): Promise<ModelInfo> {
    if (this.info && this.options.host.isLoaded(this.key)) return Promise.resolve(this.info);
    this.loading ??= this.loadOnce(signal).finally(() => (this.loading = undefined));
    return this.loading;
  }

  async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    await this.load(options.signal);
    try {
      return await this.options.host.generate(this.key, options.lane ?? 'completion', request, options.onText, options.signal);
    } catch (err) {
      // llama.cpp maps the file: cut short in place under it, the host dies of SIGBUS. Say why.
      if (err instanceof ModelError && err.code === 'runtime-crashed' && this.loadedStamp !== undefined && fileStamp(this.key) !== this.loadedStamp) {
        throw new ModelError('runtime-crashed', `${err.message}; ${this.key} changed on disk while it was loaded`);
      }
      throw err;
    }
  }

  async dispose(): Promise<void> {
    this.info = undefined;
    await this.options.host.unload(this.key).catch(() => undefined);
  }

  private async loadOnce(signal?: AbortSignal): Promise<ModelInfo> {
    const { spec, crashMemo, host } = this.options;
    const stamp = await this.precheck();
    if (crashMemo.get(spec.path) === stamp) {
      throw new ModelError('corrupt', `${spec.path} crashed llama.cpp when it was last loaded and has not changed since; it is probably corrupt`);
    }
    try {
      this.info = await host.load(this.key, spec, signal);
      this.loadedStamp = stamp;
      return this.info;
    } catch (err) {
      if (err instanceof ModelError && err.code === 'runtime-crashed') {
        crashMemo.set(spec.path, stamp);
        const how = /\((signal \w+|exit code -?\d+)\)/.exec(err.message)?.[1] ?? 'it stopped';
        throw new ModelError('corrupt', `${spec.path} crashed llama.cpp while loading (${how}); it is probably corrupt`);
      }
      throw err;
    }
  }

  /** The file's size and mtime, once it passed the checks llama.cpp would fail less kindly. */
  private async precheck(): Promise<string> {
    const file = this.options.spec.path;
    let size: number;
    let mtime: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new ModelError('missing-file', `${file} is not a file`);
      size = st.size;
      mtime = st.mtimeMs;
    } catch (err) {
      if (err instanceof ModelError) throw err;
      throw new ModelError('missing-file', `${file} does not exist (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    const max = this.options.maxBytes;
    if (max !== undefined && size > max) {
      throw new ModelError('too-large', `${file} is ${(size / 2 ** 30).toFixed(1)} GB, over the ${(max / 2 ** 30).toFixed(1)} GB limit (hardware.max_memory_per_model_gb)`);
    }
    try {
      await readGgufInfo(file);
    } catch (err) {
      if (err instanceof GgufError) throw new ModelError(/bad magic/.test(err.message) ? 'not-gguf' : 'corrupt', err.message);
      throw err;
    }
    return `${size}:${mtime}`;
  }
}

function fileStamp(file: string): string | undefined {
  try {
    const st = statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}
