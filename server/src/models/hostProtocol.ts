// Messages between the server and the model host, the child process that runs
// llama.cpp (see ARCHITECTURE.md, "Models"): a native abort in llama.cpp then
// ends the child, not the language server.

import type { GenerateRequest, GenerateResult, Lane, ModelErrorCode, ModelInfo } from './types';

export type GpuChoice = false | 'auto' | 'cuda' | 'vulkan' | 'metal';

/** One model file as the host loads it; both roles share it when they name the same file. */
export interface LoadSpec {
  path: string;
  contextSize: number;
  threads: number;
  gpuLayers?: number;
  /** Token texts that replace the model's own FIM tokens (models/modelConfig.ts `fim`). */
  fim?: { prefix?: string; suffix?: string; middle?: string };
}

export type ToHost =
  | { type: 'init'; maxThreads: number; gpu: GpuChoice }
  | { type: 'load'; id: number; key: string; spec: LoadSpec }
  | { type: 'unload'; id: number; key: string }
  | { type: 'generate'; id: number; key: string; lane: Lane; request: GenerateRequest; stream: boolean }
  | { type: 'abort'; id: number }
  /** Nothing to do: keeps an idle host awake (see HostClientOptions.keepWarmMs). */
  | { type: 'ping' };

export type FromHost =
  | { type: 'ready'; gpu: string | false; ms: number }
  | { type: 'loaded'; id: number; info: ModelInfo }
  | { type: 'unloaded'; id: number }
  | { type: 'text'; id: number; chunk: string }
  | { type: 'done'; id: number; result: GenerateResult }
  | { type: 'error'; id: number; code: ModelErrorCode; message: string }
  | { type: 'fatal'; code: ModelErrorCode; message: string };
