// Plain data between the model runtime and its users. A backend (local
// llama.cpp in a child process, or a remote OpenAI-compatible server) turns a
// GenerateRequest into text; nothing here knows LSP.

export type Role = 'codegen' | 'llm';

export interface Sampling {
  /** New tokens at most (the prompt does not count). */
  maxTokens: number;
  /** 0 is greedy. */
  temperature: number;
  topP?: number;
  topK?: number;
  /** 1 (or undefined) disables the penalty. */
  repeatPenalty?: number;
  stop: string[];
  seed?: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A file's text offered to a FIM model before the prefix (repo-level context). */
export interface ExtraContext {
  filename: string;
  text: string;
}

export type GenerateRequest =
  | { kind: 'infill'; prefix: string; suffix: string; extra?: ExtraContext[]; sampling: Sampling }
  | { kind: 'complete'; prompt: string; sampling: Sampling }
  | { kind: 'chat'; messages: ChatMessage[]; jsonSchema?: Record<string, unknown>; sampling: Sampling };

/**
 * Which KV-cache lane a request uses: completion and the loop get separate
 * context sequences so neither evicts the other's cached prefix.
 */
export type Lane = 'completion' | 'loop';

export interface GenerateOptions {
  signal?: AbortSignal;
  /** Streamed text, in order; the concatenation equals the result's text. */
  onText?: (chunk: string) => void;
  lane?: Lane;
}

export type StopReason = 'eos' | 'stop' | 'maxTokens' | 'abort';

/** How the prompt was laid out: FIM with the model's tokens, prefix-only, chat template, or the plain chat fallback. */
export type PromptFormat = 'fim' | 'prefix' | 'chat-template' | 'chat-plain' | 'remote-infill' | 'remote-completion' | 'remote-chat';

export interface GenerateResult {
  text: string;
  stopReason: StopReason;
  format: PromptFormat;
  /** Tokens generated. */
  tokens: number;
  /** Prompt tokens evaluated for this request (cached prefix tokens excluded), when known. */
  promptTokensEvaluated?: number;
  /** Tokens generated after the cancellation was seen (0 or 1 when it stops within a token). */
  tokensAfterCancel?: number;
  /** From the request's start to the first streamed text, in ms. */
  firstTokenMs?: number;
  totalMs: number;
}

export interface ModelInfo {
  /** The GGUF file, or the endpoint and model name. */
  source: string;
  architecture?: string;
  contextSize: number;
  fim: boolean;
  chatTemplate: boolean;
  loadMs: number;
}

export type ModelErrorCode =
  | 'config'
  | 'missing-file'
  | 'not-gguf'
  | 'corrupt'
  | 'unsupported-architecture'
  | 'too-large'
  | 'out-of-memory'
  | 'runtime-crashed'
  | 'runtime-unavailable'
  | 'remote-http'
  | 'remote-timeout'
  | 'remote-connection'
  | 'unsupported'
  | 'aborted';

/** Every model failure, as one sentence naming the file (or endpoint) and the cause. */
export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

export interface ModelBackend {
  /** Loads (or checks) the model; idempotent; rejects with ModelError. */
  load(signal?: AbortSignal): Promise<ModelInfo>;
  generate(request: GenerateRequest, options?: GenerateOptions): Promise<GenerateResult>;
  /** Frees the model; in-flight requests end with an 'aborted' ModelError. */
  dispose(): Promise<void>;
}
