// The model host: a child process that runs llama.cpp through node-llama-cpp
// and answers hostProtocol messages. It keeps one model per file, one context
// per model with a sequence per lane, and serialises requests within a lane
// (lanes run side by side). Everything it cannot do becomes a one-sentence
// error naming the file and the cause.

import type {
  ChatHistoryItem,
  Llama,
  LlamaChat,
  LlamaCompletion,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
  Token,
} from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { FromHost, GpuChoice, LoadSpec, ToHost } from './hostProtocol';
import type { ChatMessage, ExtraContext, GenerateRequest, GenerateResult, Lane, ModelErrorCode, PromptFormat, Sampling, StopReason } from './types';

type NodeLlamaCpp = typeof import('node-llama-cpp', { with: { 'resolution-mode': 'import' } });

interface LaneState {
  sequence: LlamaContextSequence;
  completion: LlamaCompletion;
  chat: LlamaChat;
  /** The lane's tail: requests run one after another on a sequence. */
  queue: Promise<unknown>;
}

interface FimTokens {
  prefix: Token;
  suffix: Token;
  middle: Token | null;
}

interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  lanes: Record<Lane, LaneState>;
  hasTemplate: boolean;
  /** The model's FIM tokens, or the configured overrides; absent: prefix-only completion. */
  fim?: FimTokens;
  fileSep?: Token;
}

class HostError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How long streamed text may wait to be sent with the next chunks: about one editor frame (30 Hz).
 * Each message wakes the server on a core the decode loop shares; at 8 ms a fast model lost 5-7 %
 * of its tokens/s to that, at 33 ms the loss is within the noise of two identical in-process runs.
 */
const STREAM_FLUSH_MS = 33;

const send = (m: FromHost): void => {
  process.send?.(m);
};

let lib: NodeLlamaCpp | undefined;
let llama: Llama | undefined;
let maxThreads = 1;
/** llama.cpp's recent error lines: the only place a load failure's cause appears. */
const recentLog: string[] = [];
const models = new Map<string, Loaded>();
const loading = new Map<string, Promise<Loaded>>();
/** In-flight requests by id, with the model each runs on. */
const aborts = new Map<number, { key: string; controller: AbortController }>();
const grammars = new Map<string, Promise<LlamaGrammar>>();

process.on('message', (m: ToHost) => {
  void handle(m);
});
process.on('disconnect', () => process.exit(0));

async function handle(m: ToHost): Promise<void> {
  switch (m.type) {
    case 'init':
      return init(m.maxThreads, m.gpu);
    case 'load':
      return reply(m.id, async () => ({ type: 'loaded', id: m.id, info: await infoOf(m.key, m.spec) }));
    case 'unload':
      return reply(m.id, async () => {
        await unload(m.key);
        return { type: 'unloaded', id: m.id };
      });
    case 'generate':
      return reply(m.id, async () => ({ type: 'done', id: m.id, result: await generate(m.id, m.key, m.lane, m.request, m.stream) }));
    case 'abort':
      aborts.get(m.id)?.controller.abort();
      return;
    case 'ping':
      return;
  }
}

async function reply(id: number, work: () => Promise<FromHost>): Promise<void> {
  try {
    send(await work());
  } catch (err) {
    const e = err instanceof HostError ? err : new HostError('corrupt', (err as Error).message);
    send({ type: 'error', id, code: e.code, message: e.message });
  }
}

async function init(threads: number, gpu: GpuChoice): Promise<void> {
  const t0 = performance.now();
  maxThreads = threads;
  try {
    lib = await import('node-llama-cpp');
    llama = await lib.getLlama({
      gpu,
      build: 'never',
      skipDownload: true,
      maxThreads: threads,
      logLevel: lib.LlamaLogLevel.warn,
      logger: (level, message) => {
        if (level === 'error' || level === 'fatal' || level === 'warn') {
          recentLog.push(message.trim());
          if (recentLog.length > 50) recentLog.shift();
        }
      },
    });
    send({ type: 'ready', gpu: llama.gpu, ms: performance.now() - t0 });
  } catch (err) {
    send({ type: 'fatal', code: 'runtime-unavailable', message: `llama.cpp could not start (${(err as Error).message})` });
  }
}

function runtime(): { lib: NodeLlamaCpp; llama: Llama } {
  if (!lib || !llama) throw new HostError('runtime-unavailable', 'llama.cpp is not initialised');
  return { lib, llama };
}

async function infoOf(key: string, spec: LoadSpec): Promise<import('./types').ModelInfo> {
  const t0 = performance.now();
  const loaded = await ensureLoaded(key, spec);
  return {
    source: spec.path,
    architecture: loaded.model.fileInfo.metadata.general.architecture,
    contextSize: loaded.context.contextSize,
    fim: loaded.fim !== undefined,
    chatTemplate: loaded.hasTemplate,
    loadMs: performance.now() - t0,
  };
}

function ensureLoaded(key: string, spec: LoadSpec): Promise<Loaded> {
  const have = models.get(key);
  if (have) return Promise.resolve(have);
  let pending = loading.get(key);
  if (!pending) {
    pending = load(spec).finally(() => loading.delete(key));
    loading.set(key, pending);
    pending.then((l) => models.set(key, l), () => undefined);
  }
  return pending;
}

async function load(spec: LoadSpec): Promise<Loaded> {
  const { lib, llama } = runtime();
  recentLog.length = 0;
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: spec.path, gpuLayers: llama.gpu ? (spec.gpuLayers ?? 'auto') : 0 });
  } catch (err) {
    // llama.cpp's log lines reach JS asynchronously; let them arrive before naming the cause.
    await new Promise((resolve) => setTimeout(resolve, 20));
    throw loadError(spec.path, err as Error);
  }
  let context: LlamaContext;
  try {
    context = await model.createContext({ contextSize: spec.contextSize, sequences: 2, threads: Math.min(spec.threads, maxThreads) });
  } catch (err) {
    await model.dispose();
    const oom = (err as Error).name === 'InsufficientMemoryError' || /memory/i.test((err as Error).message);
    throw new HostError(oom ? 'out-of-memory' : 'corrupt', `${spec.path}: cannot create a context of ${spec.contextSize} tokens (${(err as Error).message})`);
  }
  const template = model.fileInfo.metadata.tokenizer?.chat_template;
  const hasTemplate = typeof template === 'string' && template.length > 0;
  const lane = (): LaneState => {
    const sequence = context.getSequence();
    return {
      sequence,
      completion: new lib.LlamaCompletion({ contextSequence: sequence }),
      // Without a template in the file, a plain role-titled format rather than a guess from the file name.
      chat: new lib.LlamaChat({ contextSequence: sequence, chatWrapper: hasTemplate ? 'auto' : new lib.GeneralChatWrapper() }),
      queue: Promise.resolve(),
    };
  };
  let fim: FimTokens | undefined;
  try {
    fim = fimTokensOf(model, spec);
  } catch (err) {
    await context.dispose();
    await model.dispose();
    throw err;
  }
  return {
    model,
    context,
    lanes: { completion: lane(), loop: lane() },
    hasTemplate,
    fim,
    fileSep: singleToken(model, '<|file_sep|>'),
  };
}

function singleToken(model: LlamaModel, text: string): Token | undefined {
  const t = model.tokenize(text, true);
  return t.length === 1 && model.detokenize(t, true) === text ? t[0] : undefined;
}

/** The configured overrides win; each must be one token of this vocabulary. */
function fimTokensOf(model: LlamaModel, spec: LoadSpec): FimTokens | undefined {
  const own = model.tokens.infill;
  const pick = (role: 'prefix' | 'suffix' | 'middle', fallback: Token | null): Token | null => {
    const text = spec.fim?.[role];
    if (text === undefined) return fallback;
    const token = singleToken(model, text);
    if (token === undefined) throw new HostError('config', `${spec.path}: the fim.${role} token '${text}' is not a single token of this model's vocabulary`);
    return token;
  };
  const prefix = pick('prefix', own.prefix);
  const suffix = pick('suffix', own.suffix);
  const middle = pick('middle', own.middle);
  return prefix !== null && suffix !== null ? { prefix, suffix, middle } : undefined;
}


function loadError(file: string, err: Error): HostError {
  const cause = recentLog.find((l) => /error loading model:/.test(l))?.replace(/^.*error loading model:\s*/, '');
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new HostError('missing-file', `${file} does not exist`);
  if (err.name === 'InvalidGgufMagicError') return new HostError('not-gguf', `${file} is not a GGUF file`);
  if (err.name === 'InsufficientMemoryError') return new HostError('out-of-memory', `${file} does not fit in memory (${err.message})`);
  if (cause && /architecture/.test(cause)) return new HostError('unsupported-architecture', `${file}: llama.cpp cannot run this model (${cause})`);
  return new HostError('corrupt', `${file} could not be loaded (${cause ?? err.message})`);
}

async function unload(key: string): Promise<void> {
  const loaded = models.get(key) ?? (await loading.get(key)?.catch(() => undefined));
  models.delete(key);
  if (!loaded) return;
  // In-flight generation on this model ends (as 'abort') before the memory goes.
  for (const a of aborts.values()) if (a.key === key) a.controller.abort();
  await Promise.allSettled(Object.values(loaded.lanes).map((l) => l.queue));
  await loaded.context.dispose();
  await loaded.model.dispose();
}

async function generate(id: number, key: string, laneName: Lane, request: GenerateRequest, stream: boolean): Promise<GenerateResult> {
  const loaded = models.get(key);
  if (!loaded) throw new HostError('runtime-unavailable', `model ${key} is not loaded`);
  const lane = loaded.lanes[laneName];
  const controller = new AbortController();
  aborts.set(id, { key, controller });
  const run = lane.queue.then(() => runOne(id, loaded, lane, request, stream, controller.signal));
  lane.queue = run.catch(() => undefined);
  try {
    return await run;
  } finally {
    aborts.delete(id);
  }
}

async function runOne(id: number, loaded: Loaded, lane: LaneState, request: GenerateRequest, stream: boolean, signal: AbortSignal): Promise<GenerateResult> {
  const t0 = performance.now();
  if (signal.aborted) throw new HostError('aborted', 'the request was cancelled before it started');
  let first: number | undefined;
  let text = '';
  // After the first chunk (sent at once, for latency), chunks are sent together once a frame: an IPC
  // message per token cost a fifth of the decode speed of a fast model on two cores.
  let unsent = '';
  let flushing = false;
  const flush = (): void => {
    flushing = false;
    if (unsent) send({ type: 'text', id, chunk: unsent });
    unsent = '';
  };
  const onTextChunk = (chunk: string): void => {
    const isFirst = first === undefined;
    first ??= performance.now() - t0;
    text += chunk;
    if (!stream) return;
    unsent += chunk;
    if (isFirst) flush();
    else if (!flushing) {
      flushing = true;
      setTimeout(flush, STREAM_FLUSH_MS);
    }
  };
  const meter = lane.sequence.tokenMeter;
  const [inputBefore, outputBefore] = [meter.usedInputTokens, meter.usedOutputTokens];
  let outputAtCancel: number | undefined;
  signal.addEventListener('abort', () => (outputAtCancel = meter.usedOutputTokens), { once: true });
  const common = { ...samplingOptions(request.sampling), signal, stopOnAbortSignal: true, onTextChunk };
  let format: PromptFormat;
  let stopReason: string;
  if (request.kind === 'chat') {
    format = loaded.hasTemplate ? 'chat-template' : 'chat-plain';
    const grammar = request.jsonSchema ? await grammarFor(request.jsonSchema) : undefined;
    const r = await lane.chat.generateResponse(chatHistory(request.messages), { ...common, grammar });
    stopReason = r.metadata.stopReason;
  } else {
    const fim = request.kind === 'infill' && loaded.fim !== undefined;
    format = fim ? 'fim' : 'prefix';
    const room = promptRoom(loaded, request.sampling.maxTokens);
    const input = fim
      ? fimTokens(loaded, request.prefix, request.suffix, request.extra ?? [], room)
      : lastTokens(textTokens(loaded, request.kind === 'complete' ? request.prompt : request.prefix), room);
    await prefill(loaded, lane, input, signal);
    if (signal.aborted) throw new HostError('aborted', 'the request was cancelled while reading the prompt');
    const r = await lane.completion.generateCompletionWithMeta(input, common);
    stopReason = r.metadata.stopReason;
  }
  flush();
  if (signal.aborted && text === '') throw new HostError('aborted', 'the request was cancelled');
  return {
    text,
    stopReason: mapStop(stopReason, signal.aborted),
    format,
    tokens: meter.usedOutputTokens - outputBefore,
    tokensAfterCancel: outputAtCancel === undefined ? undefined : meter.usedOutputTokens - outputAtCancel,
    promptTokensEvaluated: meter.usedInputTokens - inputBefore,
    firstTokenMs: first,
    totalMs: performance.now() - t0,
  };
}

function samplingOptions(s: Sampling): {
  maxTokens: number;
  temperature: number;
  topP?: number;
  topK?: number;
  seed?: number;
  repeatPenalty: false | { penalty: number };
  customStopTriggers?: string[];
} {
  return {
    maxTokens: s.maxTokens,
    temperature: s.temperature,
    topP: s.topP,
    topK: s.topK,
    seed: s.seed,
    // node-llama-cpp penalises repeats unless told not to; 1.0 means off.
    repeatPenalty: s.repeatPenalty !== undefined && s.repeatPenalty !== 1 ? { penalty: s.repeatPenalty } : false,
    customStopTriggers: s.stop.length > 0 ? s.stop : undefined,
  };
}

function mapStop(reason: string, aborted: boolean): StopReason {
  if (aborted || reason === 'abort') return 'abort';
  if (reason === 'maxTokens') return 'maxTokens';
  if (reason === 'eogToken') return 'eos';
  return 'stop';
}

function chatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === 'system' ? { type: 'system', text: m.content } : m.role === 'user' ? { type: 'user', text: m.content } : { type: 'model', response: [m.content] },
  );
  history.push({ type: 'model', response: [] });
  return history;
}

/**
 * The FIM prompt built from tokens, so other files' snippets can go first
 * (repo-level `<|file_sep|>` chunks where the model has the token) and the
 * prompt fits: the suffix keeps at most a quarter, extras go before the prefix.
 */
function fimTokens(loaded: Loaded, prefix: string, suffix: string, extra: readonly ExtraContext[], promptRoom: number): Token[] {
  const { model } = loaded;
  const { prefix: pre, suffix: suf, middle: mid } = loaded.fim as FimTokens;
  let room = promptRoom - 3;
  const sufTokens = model.tokenize(suffix).slice(0, Math.max(0, Math.floor(room / 4)));
  room -= sufTokens.length;
  let preTokens = model.tokenize(prefix);
  if (preTokens.length > room) preTokens = preTokens.slice(preTokens.length - room);
  room -= preTokens.length;
  const extraTokens: Token[] = [];
  for (const e of extra) {
    const chunk = loaded.fileSep !== undefined ? [loaded.fileSep, ...model.tokenize(`${e.filename}\n${e.text}\n`)] : model.tokenize(`/* ${e.filename} */\n${e.text}\n`);
    if (chunk.length > room) break;
    extraTokens.push(...chunk);
    room -= chunk.length;
  }
  // Repo-level chunks precede the FIM prefix token, as Qwen2.5-Coder and llama.cpp's /infill lay them out.
  const body = loaded.fileSep !== undefined ? [...extraTokens, pre, ...preTokens] : [pre, ...extraTokens, ...preTokens];
  return mid !== null ? [...body, suf, ...sufTokens, mid] : [suf, ...sufTokens, ...body];
}

/**
 * Prompt tokens that fit: node-llama-cpp keeps a tenth of the context free
 * for shifting and cuts longer inputs from the left, which would defeat both
 * our layout and the KV-cache reuse; BOS takes one more.
 */
function promptRoom(loaded: Loaded, maxTokens: number): number {
  const size = loaded.context.contextSize;
  return size - Math.max(maxTokens, Math.floor(size / 10)) - 2;
}

/** Text as LlamaCompletion tokenizes a string prompt: no extra leading space after BOS. */
function textTokens(loaded: Loaded, text: string): Token[] {
  const tokens = loaded.model.tokens;
  return loaded.model.tokenize(text, false, tokens.shouldPrependBosToken && tokens.bos !== null ? 'trimLeadingSpace' : undefined);
}

function lastTokens(tokens: Token[], room: number): Token[] {
  return tokens.length > room ? tokens.slice(tokens.length - room) : tokens;
}

/** How long one prefill step should take: a cancellation waits at most about this long. */
const PREFILL_STEP_MS = 20;
const PREFILL_MIN = 16;
const PREFILL_MAX = 1024;

/**
 * Reads the prompt into the sequence in steps, checking for cancellation
 * between them: node-llama-cpp cannot interrupt a prompt being evaluated, and
 * a long one takes seconds on a CPU. Steps are sized to take about
 * PREFILL_STEP_MS, because each evaluation call has a fixed cost (small steps
 * doubled the prompt time of a fast model). What is already cached (the
 * shared prefix of the previous prompt) is kept. BOS is laid out as
 * LlamaCompletion will, so its own pass then finds everything cached.
 */
async function prefill(loaded: Loaded, lane: LaneState, input: Token[], signal: AbortSignal): Promise<void> {
  const tokens = loaded.model.tokens;
  const full = tokens.shouldPrependBosToken && tokens.bos !== null ? [tokens.bos, ...input] : input;
  // The last token is left for the generation itself, as LlamaCompletion does.
  const head = full.slice(0, -1);
  const sequence = lane.sequence;
  // Little left to read beyond what is cached (a repeated or extended prompt): LlamaCompletion reads it in
  // one evaluation anyway, and adapting the state here first cost 0.2-0.3 ms before the first token.
  if (head.length - commonPrefix(sequence.contextTokens, head) <= PREFILL_MIN) return;
  await sequence.adaptStateToTokens(head, false);
  let step = PREFILL_MIN;
  for (let at = sequence.nextTokenIndex; at < head.length; ) {
    if (signal.aborted) return;
    const t0 = performance.now();
    const n = Math.min(step, head.length - at);
    await sequence.evaluateWithoutGeneratingNewTokens(head.slice(at, at + n));
    // A sequence that did not advance (a context shift) is left to LlamaCompletion.
    if (sequence.nextTokenIndex <= at) return;
    at = sequence.nextTokenIndex;
    const perToken = (performance.now() - t0) / n;
    step = Math.max(PREFILL_MIN, Math.min(PREFILL_MAX, Math.floor(PREFILL_STEP_MS / Math.max(perToken, 1e-3))));
  }
}

function commonPrefix(a: readonly Token[], b: readonly Token[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function grammarFor(schema: Record<string, unknown>): Promise<LlamaGrammar> {
  const key = JSON.stringify(schema);
  let g = grammars.get(key);
  if (!g) {
    // The schema arrives as plain JSON; node-llama-cpp checks it when building the grammar.
    g = runtime().llama.createGrammarForJsonSchema(schema as Parameters<Llama['createGrammarForJsonSchema']>[0]);
    grammars.set(key, g);
    g.catch(() => grammars.delete(key));
  }
  return g.catch((err: Error) => {
    throw new HostError('unsupported', `the JSON schema cannot be turned into a grammar (${err.message})`);
  });
}
