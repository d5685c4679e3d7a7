// A ModelBackend for an OpenAI-compatible server (llama.cpp server, vLLM,
// Ollama). Infill goes to llama.cpp's /infill while the server proves to have
// FIM, else to /v1/completions with the prefix; chat goes to
// /v1/chat/completions. Text streams over SSE when the caller wants it as it
// comes. The API key is read from the environment per request and scrubbed
// from every message and log line.

import { STATUS_CODES } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RoleConfig } from './modelConfig';
import { SseParser } from './sse';
import {
  ModelError,
  type GenerateOptions,
  type GenerateRequest,
  type GenerateResult,
  type ModelBackend,
  type ModelErrorCode,
  type ModelInfo,
  type PromptFormat,
  type Role,
  type Sampling,
  type StopReason,
} from './types';

export interface RemoteBackendOptions {
  role: Role;
  config: RoleConfig;
  /** Where `config.api_key_env` is looked up; process.env by default. */
  env?: NodeJS.ProcessEnv;
  fetchImpl?: typeof fetch;
  log?: (msg: string) => void;
  /** Retries after a connection failure or a 503; 2 by default. */
  retries?: number;
  /** The first retry's delay, doubling after; 200 ms by default. */
  backoffMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Failures where the server never saw (or never answered) the request, so sending it again is safe. */
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

type Json = Record<string, unknown>;
type Dialect = 'infill' | 'completion' | 'chat';

/** Why the backend aborted a request itself; the caller's own abort carries no such reason. */
class BackendAbort {
  constructor(readonly cause: 'timeout' | 'dispose') {}
}

/** An exception from the caller's onText: passed on untouched, not blamed on the server. */
class CallbackFailure {
  constructor(readonly error: unknown) {}
}

/** One generate or load call: its signals and clock. */
interface Exchange {
  signal: AbortSignal;
  own: AbortController;
  caller?: AbortSignal;
  started: number;
  onText?: (chunk: string) => void;
  /** The request had stop sequences (so OpenAI's finish_reason 'stop' may mean one matched). */
  hasStop: boolean;
}

/** What one JSON body or stream chunk says. */
interface Piece {
  text?: string;
  finish?: StopReason;
  tokens?: number;
  promptTokens?: number;
  /** /infill's last chunk (it sends no [DONE]). */
  done: boolean;
}

/** A stream's running totals. */
interface Tally {
  text: string;
  chunks: number;
  finish?: StopReason;
  tokens?: number;
  promptTokens?: number;
  firstTokenMs?: number;
}

/** `http://h:8080/v1/` and `http://h:8080` both become `http://h:8080`: routes are appended to this. */
export function normaliseEndpoint(endpoint: string): string {
  return endpoint.trim().replace(/\/+$/, '').replace(/\/v1$/, '').replace(/\/+$/, '');
}

export class RemoteBackend implements ModelBackend {
  private readonly role: Role;
  private readonly config: RoleConfig;
  private readonly env: NodeJS.ProcessEnv;
  private readonly fetchImpl: typeof fetch;
  private readonly logSink: (msg: string) => void;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly inFlight = new Set<AbortController>();
  /** Unknown until /infill answers; 'no' after a 404/501 so later requests go straight to /v1/completions. */
  private fim: 'unknown' | 'yes' | 'no' = 'unknown';
  private model: string | undefined;
  private info: ModelInfo | undefined;
  private loading: Promise<ModelInfo> | undefined;
  /** The key last read from the environment, to scrub from messages. */
  private secret: string | undefined;

  constructor(options: RemoteBackendOptions) {
    this.role = options.role;
    this.config = options.config;
    this.env = options.env ?? process.env;
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.logSink = options.log ?? (() => undefined);
    this.retries = Math.max(0, options.retries ?? 2);
    this.backoffMs = Math.max(0, options.backoffMs ?? 200);
    this.model = options.config.remote_model;
  }

  async load(signal?: AbortSignal): Promise<ModelInfo> {
    if (!this.info) {
      this.loading ??= this.fetchInfo(signal).finally(() => {
        this.loading = undefined;
      });
      this.info = await this.loading;
    }
    return { ...this.info, fim: this.fim === 'yes' };
  }

  async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    const hasStop = request.sampling.stop.length > 0;
    return this.exchange(options.signal, hasStop, options.onText, async (ex) => {
      switch (request.kind) {
        case 'infill':
          return this.infill(ex, request.prefix, request.suffix, request.extra ?? [], request.sampling);
        case 'complete':
          return this.complete(ex, request.prompt, request.sampling);
        case 'chat': {
          const responseFormat = request.jsonSchema ? { type: 'json_schema', json_schema: { name: 'result', schema: request.jsonSchema } } : undefined;
          const body = { ...this.openAiBody(request.sampling, ex), messages: request.messages, response_format: responseFormat };
          return this.read(ex, await this.send(ex, '/v1/chat/completions', body), 'chat', 'remote-chat');
        }
      }
    });
  }

  async dispose(): Promise<void> {
    for (const own of this.inFlight) own.abort(new BackendAbort('dispose'));
    this.inFlight.clear();
    this.info = undefined;
  }

  // --- load ---

  private async fetchInfo(signal: AbortSignal | undefined): Promise<ModelInfo> {
    return this.exchange(signal, false, undefined, async (ex) => {
      const res = await this.send(ex, '/v1/models');
      if (!res.ok) throw await this.httpError(res);
      const listed = modelIds(await this.json(res));
      if (this.model === undefined) this.model = listed[0];
      else if (listed.length > 0 && !listed.includes(this.model)) {
        this.log(`${this.role}: ${this.endpoint()} does not list model '${this.model}' (it lists ${listed.join(', ')}); sending it anyway`);
      }
      return {
        source: `${this.endpoint()} (${this.model ?? 'default model'})`,
        contextSize: this.config.context_size ?? 0,
        fim: false,
        chatTemplate: true,
        loadMs: Math.round(performance.now() - ex.started),
      };
    });
  }

  // --- generate ---

  private async infill(ex: Exchange, prefix: string, suffix: string, extra: { filename: string; text: string }[], s: Sampling): Promise<GenerateResult> {
    if (this.fim !== 'no') {
      const body = {
        input_prefix: prefix,
        input_suffix: suffix,
        input_extra: extra.map(({ filename, text }) => ({ filename, text })),
        n_predict: s.maxTokens,
        temperature: s.temperature,
        top_k: s.topK ?? this.config.top_k,
        top_p: s.topP ?? this.config.top_p,
        repeat_penalty: s.repeatPenalty ?? this.config.repeat_penalty,
        stop: s.stop,
        seed: s.seed,
        stream: Boolean(ex.onText),
        cache_prompt: true,
      };
      const res = await this.send(ex, '/infill', body);
      if (res.status !== 404 && res.status !== 501) {
        const result = await this.read(ex, res, 'infill', 'remote-infill');
        this.fim = 'yes';
        return result;
      }
      await res.body?.cancel().catch(() => undefined);
      this.fim = 'no';
      this.log(`${this.role}: ${this.endpoint()} has no /infill (${res.status}); completing from the prefix with /v1/completions`);
    }
    return this.complete(ex, prefix, s);
  }

  private async complete(ex: Exchange, prompt: string, s: Sampling): Promise<GenerateResult> {
    const res = await this.send(ex, '/v1/completions', { ...this.openAiBody(s, ex), prompt });
    return this.read(ex, res, 'completion', 'remote-completion');
  }

  /** The fields /v1/completions and /v1/chat/completions share (only OpenAI's, which strict servers insist on). */
  private openAiBody(s: Sampling, ex: Exchange): Json {
    const stream = Boolean(ex.onText);
    return {
      model: this.model,
      max_tokens: s.maxTokens,
      temperature: s.temperature,
      top_p: s.topP ?? this.config.top_p,
      stop: s.stop.length > 0 ? s.stop : undefined,
      seed: s.seed,
      stream,
      stream_options: stream ? { include_usage: true } : undefined,
    };
  }

  // --- one exchange: timeout, cancellation, dispose ---

  private async exchange<T>(caller: AbortSignal | undefined, hasStop: boolean, onText: ((chunk: string) => void) | undefined, run: (ex: Exchange) => Promise<T>): Promise<T> {
    const started = performance.now();
    const own = new AbortController();
    const timeoutMs = this.config.timeout_ms ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => own.abort(new BackendAbort('timeout')), timeoutMs);
    this.inFlight.add(own);
    const signal = caller ? AbortSignal.any([own.signal, caller]) : own.signal;
    try {
      return await run({ signal, own, caller, started, onText, hasStop });
    } catch (err) {
      if (err instanceof CallbackFailure) throw err.error;
      throw this.explain(err, own, caller, timeoutMs);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(own);
    }
  }

  /** Any failure as one ModelError; an abort says who aborted. */
  private explain(err: unknown, own: AbortController, caller: AbortSignal | undefined, timeoutMs: number): ModelError {
    const reason: unknown = own.signal.reason;
    if (own.signal.aborted && reason instanceof BackendAbort) {
      return reason.cause === 'timeout'
        ? this.error('remote-timeout', `${this.role} endpoint ${this.endpoint()} did not answer within ${timeoutMs} ms`)
        : this.error('aborted', `${this.role} request to ${this.endpoint()} was cancelled: the backend was disposed`);
    }
    if (caller?.aborted) return this.error('aborted', `${this.role} request to ${this.endpoint()} was cancelled`);
    if (err instanceof ModelError) return err;
    return this.error('remote-connection', `connection to ${this.role} endpoint ${this.endpoint()} failed: ${describe(err)}`);
  }

  // --- HTTP ---

  /** POST (with a body) or GET, retried with backoff on connection failures and 503 (llama.cpp still loading). */
  private async send(ex: Exchange, route: string, body?: Json): Promise<Response> {
    const url = this.base() + route;
    const init: RequestInit = {
      method: body ? 'POST' : 'GET',
      headers: this.headers(body !== undefined && ex.onText !== undefined),
      body: body ? JSON.stringify(body) : undefined,
      signal: ex.signal,
    };
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchImpl(url, init);
      } catch (err) {
        if (ex.signal.aborted || attempt >= this.retries || !isRetryable(err)) throw err;
        await this.backoff(ex, route, attempt, describe(err));
        continue;
      }
      if (res.status !== 503 || attempt >= this.retries) return res;
      await res.body?.cancel().catch(() => undefined);
      await this.backoff(ex, route, attempt, '503 Service Unavailable');
    }
  }

  private async backoff(ex: Exchange, route: string, attempt: number, why: string): Promise<void> {
    const ms = this.backoffMs * 2 ** attempt;
    this.log(`${this.role}: ${this.endpoint()}${route}: ${why}; retry ${attempt + 1} of ${this.retries} in ${ms} ms`);
    await sleep(ms, undefined, { signal: ex.signal });
  }

  private headers(streaming: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: streaming ? 'text/event-stream' : 'application/json',
    };
    const key = this.apiKey();
    if (key !== undefined) headers.authorization = `Bearer ${key}`;
    return headers;
  }

  private apiKey(): string | undefined {
    const name = this.config.api_key_env;
    if (name === undefined) return undefined;
    const key = this.env[name];
    if (key === undefined || key === '') {
      throw this.error('config', `${this.role}: the environment variable ${name} (named by 'api_key_env') is not set`);
    }
    this.secret = key;
    return key;
  }

  private base(): string {
    const endpoint = this.config.endpoint;
    if (endpoint === undefined || endpoint.trim() === '') throw this.error('config', `${this.role}: no 'endpoint' is configured`);
    const base = normaliseEndpoint(endpoint);
    if (!/^https?:\/\/[^/]/i.test(base)) throw this.error('config', `${this.role}: 'endpoint' ${base} is not an http(s) URL`);
    return base;
  }

  /** The endpoint as messages name it (never throws). */
  private endpoint(): string {
    return normaliseEndpoint(this.config.endpoint ?? '(none)');
  }

  /** One sentence from a 4xx/5xx: `codegen endpoint http://h:8080 answered 401 Unauthorized: invalid api key`. */
  private async httpError(res: Response): Promise<ModelError> {
    const body = await res.text().catch(() => '');
    let detail: string | undefined;
    try {
      detail = errorDetail(JSON.parse(body));
    } catch {
      detail = body.trim().replace(/\s+/g, ' ').slice(0, 200) || undefined;
    }
    const status = `${res.status} ${res.statusText || STATUS_CODES[res.status] || ''}`.trim();
    return this.error('remote-http', `${this.role} endpoint ${this.endpoint()} answered ${status}${detail ? `: ${detail}` : ''}`);
  }

  private async json(res: Response): Promise<unknown> {
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      throw this.error('remote-http', `${this.role} endpoint ${this.endpoint()} answered with something other than JSON: ${text.slice(0, 80)}`);
    }
  }

  // --- reading answers ---

  private async read(ex: Exchange, res: Response, dialect: Dialect, format: PromptFormat): Promise<GenerateResult> {
    if (!res.ok) throw await this.httpError(res);
    // A server may ignore `stream`: then the whole answer is one chunk.
    const sse = (res.headers.get('content-type') ?? '').includes('text/event-stream');
    if (ex.onText && sse) return this.readStream(ex, res, dialect, format);
    const obj = record(await this.json(res)) ?? {};
    this.throwIfError(obj);
    const piece = extract(dialect, obj, ex.hasStop);
    const tally: Tally = { text: piece.text ?? '', chunks: piece.text ? 1 : 0, finish: piece.finish, tokens: piece.tokens, promptTokens: piece.promptTokens };
    if (ex.onText && tally.text !== '') {
      tally.firstTokenMs = Math.round(performance.now() - ex.started);
      emit(ex, tally.text);
    }
    return this.result(ex, format, tally, tally.finish ?? 'eos');
  }

  private async readStream(ex: Exchange, res: Response, dialect: Dialect, format: PromptFormat): Promise<GenerateResult> {
    if (!res.body) return this.result(ex, format, { text: '', chunks: 0 }, 'eos');
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    const tally: Tally = { text: '', chunks: 0 };
    let reading = false;
    try {
      for (;;) {
        reading = true;
        const { value, done } = await reader.read();
        reading = false;
        const events = done ? parser.end() : parser.push(decoder.decode(value, { stream: true }));
        for (const event of events) {
          if (event.data === '[DONE]') return this.result(ex, format, tally, tally.finish ?? 'eos');
          const piece = this.chunk(ex, dialect, event.data, tally);
          if (piece.done) return this.result(ex, format, tally, tally.finish ?? 'eos');
          // onText may have aborted: stop before handing it more text.
          if (ex.signal.aborted) throw ex.signal.reason;
        }
        // A server that ends the body without [DONE] is taken at its word.
        if (done) return this.result(ex, format, tally, tally.finish ?? 'eos');
      }
    } catch (err) {
      // The caller gave up after text arrived: that text is still worth having.
      if (ex.caller?.aborted && !ex.own.signal.aborted && tally.text !== '') return this.result(ex, format, tally, 'abort');
      if (!reading || ex.signal.aborted) throw err;
      throw this.error('remote-connection', `${this.role} endpoint ${this.endpoint()} closed the connection mid-answer: ${describe(err)}`);
    } finally {
      reader.cancel().catch(() => undefined);
    }
  }

  /** One SSE event's JSON folded into the tally; its text goes to onText. */
  private chunk(ex: Exchange, dialect: Dialect, data: string, tally: Tally): Piece {
    let obj: Json | undefined;
    try {
      obj = record(JSON.parse(data));
    } catch {
      obj = undefined;
    }
    if (!obj) throw this.error('remote-http', `${this.role} endpoint ${this.endpoint()} streamed something other than JSON: ${data.slice(0, 80)}`);
    this.throwIfError(obj);
    const piece = extract(dialect, obj, ex.hasStop);
    if (piece.text) {
      tally.text += piece.text;
      tally.chunks++;
      tally.firstTokenMs ??= Math.round(performance.now() - ex.started);
      emit(ex, piece.text);
    }
    tally.finish = piece.finish ?? tally.finish;
    tally.tokens = piece.tokens ?? tally.tokens;
    tally.promptTokens = piece.promptTokens ?? tally.promptTokens;
    return piece;
  }

  private throwIfError(obj: Json): void {
    if (obj.error === undefined || obj.error === null) return;
    const detail = errorDetail(obj) ?? JSON.stringify(obj.error).slice(0, 200);
    throw this.error('remote-http', `${this.role} endpoint ${this.endpoint()} reported an error: ${detail}`);
  }

  private result(ex: Exchange, format: PromptFormat, tally: Tally, stopReason: StopReason): GenerateResult {
    const result: GenerateResult = {
      text: tally.text,
      stopReason,
      format,
      tokens: tally.tokens ?? tally.chunks,
      totalMs: Math.round(performance.now() - ex.started),
    };
    if (tally.promptTokens !== undefined) result.promptTokensEvaluated = tally.promptTokens;
    if (tally.firstTokenMs !== undefined) result.firstTokenMs = tally.firstTokenMs;
    return result;
  }

  // --- messages ---

  private error(code: ModelErrorCode, message: string): ModelError {
    return new ModelError(code, this.scrub(message));
  }

  private log(msg: string): void {
    this.logSink(this.scrub(msg));
  }

  /** Servers echo keys back ("invalid api key sk-..."): never let one through. */
  private scrub(text: string): string {
    const key = this.secret;
    return key ? text.split(key).join('[redacted]') : text;
  }
}

function emit(ex: Exchange, text: string): void {
  try {
    ex.onText?.(text);
  } catch (err) {
    throw new CallbackFailure(err);
  }
}

// --- wire formats ---

function extract(dialect: Dialect, obj: Json, hasStop: boolean): Piece {
  const timings = record(obj.timings);
  if (dialect === 'infill') {
    // llama.cpp's own format: content, then a last chunk with stop:true.
    const done = obj.stop === true;
    return {
      text: str(obj.content),
      finish: done ? infillStop(obj.stop_type) : undefined,
      tokens: num(obj.tokens_predicted) ?? num(timings?.predicted_n),
      promptTokens: num(timings?.prompt_n),
      done,
    };
  }
  const choice = record(Array.isArray(obj.choices) ? obj.choices[0] : undefined);
  const text = dialect === 'chat' ? (str(record(choice?.delta)?.content) ?? str(record(choice?.message)?.content)) : str(choice?.text);
  const usage = record(obj.usage);
  const cached = num(record(usage?.prompt_tokens_details)?.cached_tokens) ?? 0;
  const promptTokens = num(usage?.prompt_tokens);
  return {
    text,
    finish: openAiStop(choice?.finish_reason, hasStop),
    tokens: num(usage?.completion_tokens),
    // llama.cpp's timings count only the prompt tokens it evaluated (the cached prefix excluded).
    promptTokens: num(timings?.prompt_n) ?? (promptTokens === undefined ? undefined : promptTokens - cached),
    done: false,
  };
}

function infillStop(type: unknown): StopReason {
  if (type === 'limit') return 'maxTokens';
  if (type === 'word') return 'stop';
  return 'eos';
}

/** OpenAI's 'stop' covers both end of sequence and a stop sequence; without stop sequences it can only be the former. */
function openAiStop(reason: unknown, hasStop: boolean): StopReason | undefined {
  if (typeof reason !== 'string') return undefined;
  if (reason === 'length') return 'maxTokens';
  if (reason === 'stop') return hasStop ? 'stop' : 'eos';
  return 'stop';
}

/** `{"error":{"message"}}` (OpenAI, llama.cpp), `{"error":"..."}` (Ollama), `{"message"}` (vLLM), `{"detail"}` (FastAPI). */
function errorDetail(body: unknown): string | undefined {
  const obj = record(body);
  if (!obj) return undefined;
  if (typeof obj.error === 'string') return obj.error;
  const message = str(record(obj.error)?.message) ?? str(obj.message) ?? str(obj.detail);
  return message?.trim() || undefined;
}

function modelIds(body: unknown): string[] {
  const data = record(body)?.data;
  if (!Array.isArray(data)) return [];
  return data.map((m) => str(record(m)?.id)).filter((id): id is string => id !== undefined);
}

function isRetryable(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && RETRYABLE_CODES.has(code);
}

/** undici's fetch rejects with TypeError('fetch failed'); the cause says what happened. */
function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  const inner = cause instanceof Error ? cause : err instanceof Error ? err : undefined;
  if (!inner) return String(err);
  const code = errorCode(err);
  return code && !inner.message.includes(code) ? `${inner.message} (${code})` : inner.message;
}

function record(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
