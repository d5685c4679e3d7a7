import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RoleConfig } from '../../server/src/models/modelConfig';
import { normaliseEndpoint, RemoteBackend, type RemoteBackendOptions } from '../../server/src/models/remoteBackend';
import { ModelError, type GenerateResult, type Sampling } from '../../server/src/models/types';
import { startFakeOpenAiServer, type FakeServer, type FakeServerOptions } from './fakeOpenAiServer';

const servers: FakeServer[] = [];
const backends: RemoteBackend[] = [];

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.dispose()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options?: FakeServerOptions): Promise<FakeServer> {
  const server = await startFakeOpenAiServer(options);
  servers.push(server);
  return server;
}

function connect(endpoint: string, config: Partial<RoleConfig> = {}, options: Partial<RemoteBackendOptions> = {}): { backend: RemoteBackend; logs: string[] } {
  const logs: string[] = [];
  const backend = new RemoteBackend({ role: 'codegen', config: { endpoint, ...config }, env: {}, log: (m) => logs.push(m), backoffMs: 5, ...options });
  backends.push(backend);
  return { backend, logs };
}

function sampling(over: Partial<Sampling> = {}): Sampling {
  return { maxTokens: 64, temperature: 0, stop: [], ...over };
}

async function rejection(promise: Promise<unknown>): Promise<ModelError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ModelError);
    return err as ModelError;
  }
  throw new Error('expected a rejection');
}

async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const INFILL = { kind: 'infill' as const, prefix: 'int main(', suffix: ') {}', extra: [{ filename: 'a.h', text: 'int x;' }] };

describe('normaliseEndpoint', () => {
  it('strips trailing slashes and /v1', () => {
    expect(normaliseEndpoint('http://h:8080')).toBe('http://h:8080');
    expect(normaliseEndpoint('http://h:8080/')).toBe('http://h:8080');
    expect(normaliseEndpoint('http://h:8080/v1')).toBe('http://h:8080');
    expect(normaliseEndpoint('http://h:8080/v1/')).toBe('http://h:8080');
    expect(normaliseEndpoint(' http://h/ollama/v1 ')).toBe('http://h/ollama');
  });
});

describe('RemoteBackend.load', () => {
  it('lists the models and describes the endpoint', async () => {
    const server = await serve();
    const { backend } = connect(`${server.url}/v1/`, { context_size: 8192 });
    const info = await backend.load();
    expect(info).toMatchObject({ source: `${server.url} (fake-model)`, contextSize: 8192, fim: false, chatTemplate: true });
    expect(info.loadMs).toBeGreaterThanOrEqual(0);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
    expect(server.requests[0].headers.authorization).toBeUndefined();
    await backend.load();
    expect(server.requests).toHaveLength(1);
  });

  it('names the configured model and sends it', async () => {
    const server = await serve();
    const { backend, logs } = connect(server.url, { remote_model: 'qwen-coder' });
    expect((await backend.load()).source).toBe(`${server.url} (qwen-coder)`);
    expect(logs.join('\n')).toMatch(/does not list model 'qwen-coder'/);
    expect((await backend.load()).contextSize).toBe(0);
    await backend.generate({ kind: 'complete', prompt: 'x', sampling: sampling() });
    expect(server.to('/v1/completions')[0].body?.model).toBe('qwen-coder');
  });

  it('retries a 503 (llama.cpp still loading the model)', async () => {
    const server = await serve();
    server.plan('/v1/models', { status: 503, error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
    const { backend, logs } = connect(server.url);
    expect((await backend.load()).source).toContain('fake-model');
    expect(server.to('/v1/models')).toHaveLength(2);
    expect(logs.join('\n')).toMatch(/503 Service Unavailable; retry 1 of 2/);
  });

  it('names the endpoint and the cause when nothing listens', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { backend, logs } = connect(url);
    const err = await rejection(backend.load());
    expect(err.code).toBe('remote-connection');
    expect(err.message).toMatch(new RegExp(`^connection to codegen endpoint ${url} failed: .*ECONNREFUSED`));
    expect(logs.filter((l) => l.includes('retry'))).toHaveLength(2);
  });

  it('needs an endpoint', async () => {
    const err = await rejection(new RemoteBackend({ role: 'llm', config: {} }).load());
    expect(err.code).toBe('config');
    expect(err.message).toBe("llm: no 'endpoint' is configured");
  });
});

describe('RemoteBackend.generate: infill', () => {
  it('posts to /infill and reads the JSON answer', async () => {
    const server = await serve();
    const { backend } = connect(server.url, { top_k: 40 });
    const result = await backend.generate({ ...INFILL, sampling: sampling({ maxTokens: 32, topP: 0.9, repeatPenalty: 1.1, stop: ['\n\n'] }) });
    expect(result).toMatchObject({ text: 'Hello, world!', stopReason: 'eos', format: 'remote-infill', tokens: 4, promptTokensEvaluated: 10 });
    expect(result.firstTokenMs).toBeUndefined();
    expect(server.to('/infill')[0].body).toEqual({
      input_prefix: 'int main(',
      input_suffix: ') {}',
      input_extra: [{ filename: 'a.h', text: 'int x;' }],
      n_predict: 32,
      temperature: 0,
      top_k: 40,
      top_p: 0.9,
      repeat_penalty: 1.1,
      stop: ['\n\n'],
      stream: false,
      cache_prompt: true,
    });
    expect((await backend.load()).fim).toBe(true);
  });

  it('streams /infill (no [DONE], ends with stop:true); the chunks make the text', async () => {
    const server = await serve({ eol: '\r\n' });
    const { backend } = connect(server.url);
    const chunks: string[] = [];
    const result = await backend.generate({ ...INFILL, sampling: sampling() }, { onText: (c) => chunks.push(c) });
    expect(chunks).toEqual(['Hello', ',', ' world', '!']);
    expect(chunks.join('')).toBe(result.text);
    expect(result).toMatchObject({ text: 'Hello, world!', stopReason: 'eos', format: 'remote-infill', tokens: 4, promptTokensEvaluated: 10 });
    expect(result.firstTokenMs).toBeGreaterThanOrEqual(0);
    expect(result.firstTokenMs).toBeLessThanOrEqual(result.totalMs);
    expect(server.to('/infill')[0].body?.stream).toBe(true);
    expect(server.to('/infill')[0].headers.accept).toBe('text/event-stream');
  });

  it('maps stop_type limit and word', async () => {
    const server = await serve();
    const { backend } = connect(server.url);
    expect(await backend.generate({ ...INFILL, sampling: sampling({ maxTokens: 2 }) })).toMatchObject({ text: 'Hello,', stopReason: 'maxTokens' });
    expect(await backend.generate({ ...INFILL, sampling: sampling({ stop: [' world'] }) }, { onText: () => undefined })).toMatchObject({ text: 'Hello,', stopReason: 'stop' });
  });

  it('falls back to /v1/completions with the prefix when the model has no FIM (501), and remembers', async () => {
    const server = await serve({ infill: 'not-supported' });
    const { backend, logs } = connect(server.url);
    await backend.load();
    const first = await backend.generate({ ...INFILL, sampling: sampling() });
    expect(first).toMatchObject({ text: 'Hello, world!', format: 'remote-completion', stopReason: 'eos' });
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/models', '/infill', '/v1/completions']);
    expect(server.to('/v1/completions')[0].body).toMatchObject({ prompt: 'int main(', model: 'fake-model', max_tokens: 64, stream: false });
    expect(logs.join('\n')).toMatch(/has no \/infill \(501\)/);
    const second = await backend.generate({ ...INFILL, sampling: sampling() }, { onText: () => undefined });
    expect(second.format).toBe('remote-completion');
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/models', '/infill', '/v1/completions', '/v1/completions']);
    expect((await backend.load()).fim).toBe(false);
  });

  it('falls back when the server has no /infill route at all (404: vLLM, Ollama)', async () => {
    const server = await serve({ infill: 'missing' });
    const { backend } = connect(server.url);
    const chunks: string[] = [];
    const result = await backend.generate({ ...INFILL, sampling: sampling() }, { onText: (c) => chunks.push(c) });
    expect(result.format).toBe('remote-completion');
    expect(chunks.join('')).toBe('Hello, world!');
  });
});

describe('RemoteBackend.generate: completions and chat', () => {
  it('posts /v1/completions and reads usage', async () => {
    const server = await serve();
    const { backend } = connect(server.url, { remote_model: 'm' });
    const result = await backend.generate({ kind: 'complete', prompt: 'Once', sampling: sampling({ maxTokens: 3, topP: 0.5, seed: 7 }) });
    expect(result).toMatchObject({ text: 'Hello, world', stopReason: 'maxTokens', format: 'remote-completion', tokens: 3, promptTokensEvaluated: 12 });
    expect(server.to('/v1/completions')[0].body).toEqual({ model: 'm', prompt: 'Once', max_tokens: 3, temperature: 0, top_p: 0.5, seed: 7, stream: false });
  });

  it('streams /v1/completions up to [DONE]; stop sequences give "stop"', async () => {
    const server = await serve();
    const { backend } = connect(server.url);
    const chunks: string[] = [];
    const result = await backend.generate({ kind: 'complete', prompt: 'Once', sampling: sampling({ stop: ['!'] }) }, { onText: (c) => chunks.push(c) });
    expect(chunks).toEqual(['Hello', ',', ' world']);
    expect(result).toMatchObject({ text: chunks.join(''), stopReason: 'stop', tokens: 3 });
    expect(server.to('/v1/completions')[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true }, stop: ['!'] });
  });

  it('streams chat (role chunk, pings, usage chunk, [DONE])', async () => {
    const server = await serve();
    const { backend } = connect(server.url, { remote_model: 'chat-model' });
    const chunks: string[] = [];
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ] as const;
    const result = await backend.generate({ kind: 'chat', messages: [...messages], sampling: sampling() }, { onText: (c) => chunks.push(c) });
    expect(chunks).toEqual(['Hello', ',', ' world', '!']);
    expect(result).toMatchObject({ text: 'Hello, world!', stopReason: 'eos', format: 'remote-chat', tokens: 4, promptTokensEvaluated: 12 });
    const body = server.to('/v1/chat/completions')[0].body;
    expect(body).toMatchObject({ model: 'chat-model', messages, max_tokens: 64, temperature: 0, stream: true });
    expect(body).not.toHaveProperty('response_format');
  });

  it('sends a JSON schema as response_format and reads a plain JSON answer', async () => {
    const server = await serve({ tokens: ['{"ok":', 'true}'] });
    const { backend } = connect(server.url);
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    const result = await backend.generate({ kind: 'chat', messages: [{ role: 'user', content: 'ok?' }], jsonSchema: schema, sampling: sampling() });
    expect(result).toMatchObject({ text: '{"ok":true}', format: 'remote-chat', stopReason: 'eos', tokens: 2 });
    expect(server.to('/v1/chat/completions')[0].body?.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'result', schema } });
  });
});

describe('RemoteBackend: errors', () => {
  it('turns an HTTP error into one sentence and does not retry 401', async () => {
    const server = await serve();
    server.plan('/v1/chat/completions', { status: 401, error: { message: 'invalid api key', type: 'authentication_error', code: 401 } });
    const { backend } = connect(server.url);
    const err = await rejection(backend.generate({ kind: 'chat', messages: [{ role: 'user', content: 'x' }], sampling: sampling() }));
    expect(err.code).toBe('remote-http');
    expect(err.message).toBe(`codegen endpoint ${server.url} answered 401 Unauthorized: invalid api key`);
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry 400 or other 5xx; reads non-JSON error bodies', async () => {
    const server = await serve();
    server.plan('/v1/completions', { status: 400, error: 'bad prompt' }, { status: 500, rawBody: 'upstream exploded\n' });
    const { backend } = connect(server.url);
    const bad = await rejection(backend.generate({ kind: 'complete', prompt: 'x', sampling: sampling() }));
    expect(bad.message).toBe(`codegen endpoint ${server.url} answered 400 Bad Request: bad prompt`);
    const boom = await rejection(backend.generate({ kind: 'complete', prompt: 'x', sampling: sampling() }, { onText: () => undefined }));
    expect(boom.message).toBe(`codegen endpoint ${server.url} answered 500 Internal Server Error: upstream exploded`);
    expect(server.requests).toHaveLength(2);
  });

  it('reports an error sent mid-stream', async () => {
    const server = await serve();
    server.plan('/v1/chat/completions', { errorAfterTokens: 2, message: 'the context is full' });
    const { backend } = connect(server.url);
    const chunks: string[] = [];
    const err = await rejection(backend.generate({ kind: 'chat', messages: [{ role: 'user', content: 'x' }], sampling: sampling() }, { onText: (c) => chunks.push(c) }));
    expect(err.code).toBe('remote-http');
    expect(err.message).toBe(`codegen endpoint ${server.url} reported an error: the context is full`);
    expect(chunks).toEqual(['Hello', ',']);
  });

  it('does not retry once streaming started: a connection lost mid-answer fails', async () => {
    const server = await serve();
    server.plan('/v1/completions', { dropAfterTokens: 2 });
    const { backend } = connect(server.url);
    const err = await rejection(backend.generate({ kind: 'complete', prompt: 'x', sampling: sampling() }, { onText: () => undefined }));
    expect(err.code).toBe('remote-connection');
    expect(err.message).toMatch(new RegExp(`^codegen endpoint ${server.url} closed the connection mid-answer`));
    expect(server.requests).toHaveLength(1);
  });
});

describe('RemoteBackend: callbacks', () => {
  it("passes an exception from onText on unchanged and stops reading", async () => {
    const server = await serve({ tokens: Array.from({ length: 20 }, (_, i) => `t${i}`) });
    server.plan('/v1/completions', { tokenDelayMs: 20 });
    const { backend } = connect(server.url);
    const oops = new Error('editor went away');
    const promise = backend.generate({ kind: 'complete', prompt: 'x', sampling: sampling() }, { onText: () => { throw oops; } });
    await expect(promise).rejects.toBe(oops);
    await until(() => server.requests[0].disconnected);
  });
});

describe('RemoteBackend: API key', () => {
  const KEY = 'sk-secret-0123456789';

  it('sends the key as a bearer token and never shows it in errors or logs', async () => {
    const server = await serve({ infill: 'not-supported' });
    server.plan('/v1/completions', { drop: true }, { status: 401, error: { message: `invalid api key ${KEY}`, type: 'authentication_error' } });
    const { backend, logs } = connect(server.url, { api_key_env: 'AROS_TEST_KEY' }, { env: { AROS_TEST_KEY: KEY } });
    await backend.load();
    const err = await rejection(backend.generate({ ...INFILL, sampling: sampling() }));
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`, `Bearer ${KEY}`, `Bearer ${KEY}`]);
    expect(err.message).toBe(`codegen endpoint ${server.url} answered 401 Unauthorized: invalid api key [redacted]`);
    expect(logs.length).toBeGreaterThanOrEqual(2);
    for (const line of [err.message, ...logs]) expect(line).not.toContain(KEY);
  });

  it('names the missing variable (and sends nothing)', async () => {
    const server = await serve();
    const { backend } = connect(server.url, { api_key_env: 'AROS_MISSING_KEY' });
    for (const p of [backend.load(), backend.generate({ kind: 'complete', prompt: 'x', sampling: sampling() })]) {
      const err = await rejection(p);
      expect(err.code).toBe('config');
      expect(err.message).toBe("codegen: the environment variable AROS_MISSING_KEY (named by 'api_key_env') is not set");
    }
    expect(server.requests).toHaveLength(0);
  });
});

describe('RemoteBackend: retries', () => {
  it('retries a dropped connection and succeeds', async () => {
    const server = await serve();
    server.plan('/v1/completions', { drop: true }, { drop: true });
    const { backend, logs } = connect(server.url);
    const result = await backend.generate({ kind: 'complete', prompt: 'x', sampling: sampling() }, { onText: () => undefined });
    expect(result.text).toBe('Hello, world!');
    expect(server.to('/v1/completions')).toHaveLength(3);
    expect(logs.filter((l) => /retry \d of 2/.test(l))).toHaveLength(2);
  });

  it('gives up after the configured retries', async () => {
    const server = await serve();
    server.plan('/v1/completions', { drop: true }, { drop: true }, { drop: true }, { drop: true });
    const { backend } = connect(server.url, {}, { retries: 3 });
    const err = await rejection(backend.generate({ kind: 'complete', prompt: 'x', sampling: sampling() }));
    expect(err.code).toBe('remote-connection');
    expect(err.message).toMatch(new RegExp(`^connection to codegen endpoint ${server.url} failed: `));
    expect(server.to('/v1/completions')).toHaveLength(4);
  });

  it('retries 503 on generate, then reports it', async () => {
    const server = await serve();
    server.plan('/infill', { status: 503, error: { message: 'Loading model' } }, { status: 503, error: { message: 'Loading model' } }, { status: 503, error: { message: 'Loading model' } });
    const { backend } = connect(server.url);
    const err = await rejection(backend.generate({ ...INFILL, sampling: sampling() }));
    expect(err.message).toBe(`codegen endpoint ${server.url} answered 503 Service Unavailable: Loading model`);
    expect(server.requests).toHaveLength(3);
    server.plan('/infill', { status: 503 });
    expect((await backend.generate({ ...INFILL, sampling: sampling() })).text).toBe('Hello, world!');
  });
});

describe('RemoteBackend: timeout, cancellation, dispose', () => {
  const many = Array.from({ length: 40 }, (_, i) => `t${i} `);

  it('times out the whole request', async () => {
    const server = await serve();
    server.plan('/v1/completions', { delayMs: 5000 });
    const { backend } = connect(server.url, { timeout_ms: 150 });
    const t0 = Date.now();
    const err = await rejection(backend.generate({ kind: 'complete', prompt: 'x', sampling: sampling() }));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err.code).toBe('remote-timeout');
    expect(err.message).toBe(`codegen endpoint ${server.url} did not answer within 150 ms`);
    await until(() => server.requests[0].disconnected);
  });

  it('times out a stream that is too slow', async () => {
    const server = await serve({ tokens: many });
    server.plan('/v1/chat/completions', { tokenDelayMs: 50 });
    const { backend } = connect(server.url, { timeout_ms: 400 });
    const chunks: string[] = [];
    const err = await rejection(backend.generate({ kind: 'chat', messages: [{ role: 'user', content: 'x' }], sampling: sampling() }, { onText: (c) => chunks.push(c) }));
    expect(err.code).toBe('remote-timeout');
    expect(chunks.length).toBeGreaterThan(0);
    await until(() => server.requests[0].disconnected);
  });

  it('cancels mid-stream quickly, keeps the partial text, and the server sees the disconnect', async () => {
    const server = await serve({ tokens: many });
    server.plan('/v1/completions', { tokenDelayMs: 50 });
    const { backend } = connect(server.url);
    const abort = new AbortController();
    const chunks: string[] = [];
    const t0 = Date.now();
    const result: GenerateResult = await backend.generate(
      { kind: 'complete', prompt: 'x', sampling: sampling() },
      {
        signal: abort.signal,
        onText: (c) => {
          chunks.push(c);
          if (chunks.length === 2) abort.abort();
        },
      },
    );
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(result).toMatchObject({ text: 't0 t1 ', stopReason: 'abort', tokens: 2, format: 'remote-completion' });
    expect(chunks.join('')).toBe(result.text);
    await until(() => server.requests[0].disconnected);
  });

  it('rejects with "aborted" when cancelled before any text', async () => {
    const server = await serve();
    server.plan('/v1/completions', { delayMs: 5000 });
    const { backend } = connect(server.url);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const err = await rejection(backend.generate({ kind: 'complete', prompt: 'x', sampling: sampling() }, { signal: abort.signal, onText: () => undefined }));
    expect(err.code).toBe('aborted');
    expect(err.message).toBe(`codegen request to ${server.url} was cancelled`);
    await until(() => server.requests[0].disconnected);
    const already = await rejection(backend.generate({ kind: 'complete', prompt: 'x', sampling: sampling() }, { signal: AbortSignal.abort() }));
    expect(already.code).toBe('aborted');
  });

  it('dispose ends in-flight requests with "aborted"', async () => {
    const server = await serve({ tokens: many });
    server.plan('/infill', { tokenDelayMs: 50 });
    const { backend } = connect(server.url);
    let first!: () => void;
    const started = new Promise<void>((r) => (first = r));
    const pending = backend.generate({ ...INFILL, sampling: sampling() }, { onText: () => first() });
    await started;
    await backend.dispose();
    const err = await rejection(pending);
    expect(err.code).toBe('aborted');
    expect(err.message).toMatch(/disposed/);
    await until(() => server.requests[0].disconnected);
  });
});
