// A local stand-in for an OpenAI-compatible server (llama.cpp server's wire
// formats, docs/models-research.md section 5), with scriptable failures, for
// the remote backend's tests. It records every request it receives.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
  /** The client went away before the response ended. */
  disconnected: boolean;
}

/** What the server does with the next request to a route, instead of answering normally. */
export type Step =
  /** Close the socket before any response byte. */
  | { drop: true }
  /** Answer with this status and `{"error": error}` (or a raw body). */
  | { status: number; error?: { message: string; type?: string; code?: number } | string; rawBody?: string }
  /** Wait this long before answering (the answer is then normal). */
  | { delayMs: number }
  /** Stream the tokens this far apart. */
  | { tokenDelayMs: number }
  /** Stream this many tokens, then `data: {"error": ...}`. */
  | { errorAfterTokens: number; message: string }
  /** Stream this many tokens, then close the socket. */
  | { dropAfterTokens: number };

export interface FakeServerOptions {
  /** The generated text, token by token; default ['Hello', ',', ' world', '!']. */
  tokens?: string[];
  /** /infill as llama.cpp with a FIM model ('ok'), without one (501), or absent (404, vLLM and Ollama). */
  infill?: 'ok' | 'not-supported' | 'missing';
  model?: string;
  /** Line ending for SSE ('\r\n' checks CRLF tolerance). */
  eol?: '\n' | '\r\n';
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  options: Required<FakeServerOptions>;
  /** Queues steps for the next requests to a route, in order. */
  plan(route: string, ...steps: Step[]): void;
  /** Requests to a route. */
  to(route: string): RecordedRequest[];
  close(): Promise<void>;
}

type Reason = 'eos' | 'limit' | 'word';
type Failure = { errorAfterTokens: number; message: string } | { dropAfterTokens: number };

export async function startFakeOpenAiServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const opts: Required<FakeServerOptions> = {
    tokens: options.tokens ?? ['Hello', ',', ' world', '!'],
    infill: options.infill ?? 'ok',
    model: options.model ?? 'fake-model',
    eol: options.eol ?? '\n',
  };
  const requests: RecordedRequest[] = [];
  const plans = new Map<string, Step[]>();

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0];
    const rec: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined, disconnected: false };
    requests.push(rec);
    res.on('close', () => {
      if (!res.writableEnded) rec.disconnected = true;
    });
    const step = plans.get(path)?.shift();
    if (step && 'drop' in step) return void req.socket.destroy();
    if (step && 'status' in step) return sendError(res, step.status, step);
    if (step && 'delayMs' in step) {
      await wait(step.delayMs);
      if (rec.disconnected) return;
    }
    const tokenDelay = step && 'tokenDelayMs' in step ? step.tokenDelayMs : 0;
    const failAfter = step && ('errorAfterTokens' in step || 'dropAfterTokens' in step) ? step : undefined;
    await route(path, rec, res, tokenDelay, failAfter);
  }

  async function route(path: string, rec: RecordedRequest, res: ServerResponse, tokenDelay: number, failAfter: Failure | undefined): Promise<void> {
    const body = rec.body ?? {};
    if (path === '/v1/models' && rec.method === 'GET') {
      return sendJson(res, 200, { object: 'list', data: [{ id: opts.model, object: 'model', owned_by: 'llamacpp', meta: { n_ctx_train: 4096 } }] });
    }
    if (path === '/infill' && opts.infill !== 'ok') {
      if (opts.infill === 'missing') return sendJson(res, 404, { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } });
      return sendJson(res, 501, { error: { code: 501, type: 'not_supported_error', message: 'Infill is not supported by this model: prefix token is missing.' } });
    }
    if (path !== '/infill' && path !== '/v1/completions' && path !== '/v1/chat/completions') {
      return sendJson(res, 404, { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } });
    }
    const maxTokens = typeof body.n_predict === 'number' ? body.n_predict : typeof body.max_tokens === 'number' ? body.max_tokens : Infinity;
    const stop = Array.isArray(body.stop) ? (body.stop as string[]) : [];
    const { tokens, reason } = generate(opts.tokens, maxTokens, stop);
    const kind = path === '/infill' ? 'infill' : path === '/v1/completions' ? 'completion' : 'chat';
    if (body.stream === true) await stream(res, rec, kind, tokens, reason, tokenDelay, failAfter, Boolean((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage));
    else sendJson(res, 200, whole(kind, tokens.join(''), tokens.length, reason));
  }

  async function stream(
    res: ServerResponse,
    rec: RecordedRequest,
    kind: 'infill' | 'completion' | 'chat',
    tokens: string[],
    reason: Reason,
    tokenDelay: number,
    failAfter: Failure | undefined,
    usage: boolean,
  ): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const eol = opts.eol;
    const event = (data: unknown): void => void res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}${eol}${eol}`);
    if (kind === 'chat') event(chatChunk({ role: 'assistant', content: null }, null));
    res.write(`:${eol}${eol}`); // llama.cpp's keep-alive ping
    for (const [i, token] of tokens.entries()) {
      if (failAfter && 'dropAfterTokens' in failAfter && i === failAfter.dropAfterTokens) {
        await wait(50); // let the tokens reach the client: destroy() discards unflushed writes
        return void res.socket?.destroy();
      }
      if (failAfter && 'errorAfterTokens' in failAfter && i === failAfter.errorAfterTokens) {
        event({ error: { code: 500, message: failAfter.message, type: 'server_error' } });
        return void res.end();
      }
      if (tokenDelay > 0) await wait(tokenDelay);
      if (rec.disconnected) return;
      if (kind === 'infill') event({ content: token, stop: false, tokens: [i] });
      else if (kind === 'completion') event(completionChunk(token, null));
      else event(chatChunk({ content: token }, null));
    }
    if (kind === 'infill') {
      event({ content: '', stop: true, stop_type: reason, stopping_word: '', tokens_predicted: tokens.length, tokens_evaluated: 12, timings: { prompt_n: 10, predicted_n: tokens.length } });
      return void res.end(); // no [DONE] on /infill
    }
    res.write(`:${eol}${eol}`);
    const finish = reason === 'limit' ? 'length' : 'stop';
    event(kind === 'completion' ? completionChunk('', finish) : chatChunk({}, finish));
    if (usage) event({ choices: [], object: 'chat.completion.chunk', usage: usageOf(tokens.length) });
    event('[DONE]');
    res.end();
  }

  function whole(kind: 'infill' | 'completion' | 'chat', text: string, n: number, reason: Reason): unknown {
    const finish = reason === 'limit' ? 'length' : 'stop';
    if (kind === 'infill') {
      return { content: text, stop: true, stop_type: reason, stopping_word: '', tokens_predicted: n, tokens_evaluated: 12, tokens_cached: 2, timings: { prompt_n: 10, predicted_n: n } };
    }
    if (kind === 'completion') {
      return { id: 'cmpl-1', object: 'text_completion', created: 0, model: opts.model, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }], usage: usageOf(n) };
    }
    return { id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: opts.model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }], usage: usageOf(n) };
  }

  function completionChunk(text: string, finish: string | null): unknown {
    return { id: 'cmpl-1', object: 'text_completion', created: 0, model: opts.model, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] };
  }

  function chatChunk(delta: Record<string, unknown>, finish: string | null): unknown {
    return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 0, model: opts.model, choices: [{ index: 0, delta, finish_reason: finish }] };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    options: opts,
    plan(route, ...steps) {
      plans.set(route, [...(plans.get(route) ?? []), ...steps]);
    },
    to(route) {
      return requests.filter((r) => r.path === route);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The tokens up to the limit or a stop sequence (a token equal to one), and why it stopped. */
function generate(all: string[], maxTokens: number, stop: string[]): { tokens: string[]; reason: Reason } {
  const tokens: string[] = [];
  for (const token of all) {
    if (stop.includes(token)) return { tokens, reason: 'word' };
    if (tokens.length >= maxTokens) return { tokens, reason: 'limit' };
    tokens.push(token);
  }
  return { tokens, reason: 'eos' };
}

function usageOf(n: number): Record<string, number> {
  return { prompt_tokens: 12, completion_tokens: n, total_tokens: 12 + n };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, step: { error?: { message: string; type?: string; code?: number } | string; rawBody?: string }): void {
  if (step.rawBody !== undefined) {
    res.writeHead(status, { 'content-type': 'text/plain' });
    return void res.end(step.rawBody);
  }
  sendJson(res, status, { error: step.error ?? { code: status, message: 'scripted failure', type: 'server_error' } });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
