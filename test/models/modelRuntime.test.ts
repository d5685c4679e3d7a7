// The model runtime against real llama.cpp: the shared GGUF models and tiny
// models written here with FIM tokens and chat templates, threads: 1.

import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostClient, type HostClientOptions } from '../../server/src/models/hostClient';
import type { ModelConfig, RoleConfig } from '../../server/src/models/modelConfig';
import { cachedModelPath } from '../../server/src/models/modelFiles';
import { ModelRuntime, type RoleStatus } from '../../server/src/models/modelRuntime';
import { ModelError } from '../../server/src/models/types';
import { startFakeOpenAiServer } from './fakeOpenAiServer';
import { tinyModelBytes, writeTinyModel } from './tinyModel';

const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared', 'models');
const STORIES = path.join(SHARED, 'stories260K.gguf');
const dir = mkdtempSync(path.join(os.tmpdir(), 'runtime-'));
const FIM = writeTinyModel(path.join(dir, 'fim.gguf'));
const PLAIN = writeTinyModel(path.join(dir, 'plain.gguf'), { chatTemplate: null, fim: false });

function role(model_path: string, extra: RoleConfig = {}): RoleConfig {
  return { model_path, threads: 1, context_size: 512, max_length: 16, temperature: 0, ...extra };
}

function config(codegen: RoleConfig, llm: RoleConfig = codegen, hardware: ModelConfig['hardware'] = {}): ModelConfig {
  return { codegen, llm, exploration: {}, session: {}, hardware };
}

async function failure(p: Promise<unknown>): Promise<ModelError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ModelError);
    return err as ModelError;
  }
  throw new Error('expected a ModelError');
}

describe('model runtime with llama.cpp', () => {
  const statuses: RoleStatus[] = [];
  let loads = 0;
  const runtime = new ModelRuntime({
    config: config(role(FIM), role(FIM)),
    onStatus: (s) => statuses.push(s),
    createHost: (options: HostClientOptions) =>
      new (class extends HostClient {
        override load(...args: Parameters<HostClient['load']>): ReturnType<HostClient['load']> {
          loads++;
          return super.load(...args);
        }
      })(options),
  });
  afterAll(() => runtime.dispose());

  it('loads lazily, once for a file both roles name, and reports each role ready', async () => {
    expect(runtime.status('codegen').state).toBe('unloaded');
    expect(runtime.hostPid('codegen')).toBeUndefined();
    const [a, b] = await Promise.all([runtime.load('codegen'), runtime.load('llm')]);
    expect(loads).toBe(1);
    expect(a.fim).toBe(true);
    expect(b.chatTemplate).toBe(true);
    expect(runtime.hostPid('codegen')).toBe(runtime.hostPid('llm'));
    expect(statuses.filter((s) => s.state === 'loading').map((s) => s.role).sort()).toEqual(['codegen', 'llm']);
    expect(runtime.status('codegen').state).toBe('ready');
  });

  it('fills in the middle with the model’s own FIM tokens, streaming', async () => {
    const chunks: string[] = [];
    const r = await runtime.generate('codegen', { kind: 'infill', prefix: 'int main(', suffix: ') {}' }, { onText: (c) => chunks.push(c) });
    expect(r.format).toBe('fim');
    // node-llama-cpp's meter counts the token that hit the limit too.
    expect(r.tokens).toBeGreaterThanOrEqual(16);
    expect(r.tokens).toBeLessThanOrEqual(17);
    expect(r.stopReason).toBe('maxTokens');
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.join('')).toBe(r.text);
    expect(r.firstTokenMs).toBeGreaterThan(0);
  });

  it('reuses the cached prefix of an earlier prompt on the same lane', async () => {
    const prefix = 'static int count;\nint add(int a, int b)\n{\n    return a + b;\n}\nint main(void)\n{\n';
    const first = await runtime.generate('codegen', { kind: 'infill', prefix, suffix: '}\n', extra: [{ filename: 'a.h', text: 'int add(int, int);' }] });
    const second = await runtime.generate('codegen', { kind: 'infill', prefix: `${prefix}    int x`, suffix: '}\n', extra: [{ filename: 'a.h', text: 'int add(int, int);' }] });
    expect(first.promptTokensEvaluated).toBeGreaterThan(40);
    expect(second.promptTokensEvaluated).toBeLessThan((first.promptTokensEvaluated ?? 0) / 2);
  });

  it('formats chat with the GGUF’s template and constrains output to a JSON schema', async () => {
    const r = await runtime.generate('llm', { kind: 'chat', messages: [{ role: 'user', content: 'Is it C?' }], jsonSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }, sampling: { maxTokens: 40 } });
    expect(r.format).toBe('chat-template');
    expect(typeof (JSON.parse(r.text) as { ok: unknown }).ok).toBe('boolean');
  });

  it('stops within one token of a cancellation and returns the partial text', async () => {
    const controller = new AbortController();
    let streamed = '';
    const r = await runtime.generate(
      'codegen',
      { kind: 'complete', prompt: 'int', sampling: { maxTokens: 400 } },
      {
        signal: controller.signal,
        onText: (t) => {
          streamed += t;
          controller.abort();
        },
      },
    );
    expect(r.stopReason).toBe('abort');
    // Within one token of the host seeing the cancellation (what reaches it in between is IPC latency, not the model's).
    expect(r.tokensAfterCancel).toBeLessThanOrEqual(1);
    expect(r.tokens).toBeLessThan(400);
    expect(r.text).toBe(streamed);
  });

  it('serves concurrent requests on one model, on both lanes and within one', async () => {
    const rs = await Promise.all([
      runtime.generate('codegen', { kind: 'complete', prompt: 'int a' }),
      runtime.generate('codegen', { kind: 'complete', prompt: 'int b' }),
      runtime.generate('llm', { kind: 'chat', messages: [{ role: 'user', content: 'hello' }] }),
    ]);
    expect(rs.map((r) => r.stopReason)).toEqual(['maxTokens', 'maxTokens', 'maxTokens']);
    expect(rs.every((r) => r.tokens >= 16 && r.tokens <= 17)).toBe(true);
    expect(rs[2].format).toBe('chat-template');
  });

  it('restarts the host after it dies mid-generation', async () => {
    const pid = runtime.hostPid('codegen') as number;
    const pending = runtime.generate('codegen', { kind: 'complete', prompt: 'int', sampling: { maxTokens: 100000 } }, { onText: () => process.kill(pid, 'SIGKILL') });
    const err = await failure(pending);
    expect(err.code).toBe('runtime-crashed');
    expect(runtime.status('codegen').state).toBe('error');
    const r = await runtime.generate('codegen', { kind: 'infill', prefix: 'int ', suffix: ';' });
    expect(r.format).toBe('fim');
    expect(runtime.hostPid('codegen')).not.toBe(pid);
    expect(runtime.status('codegen').state).toBe('ready');
  });
});

describe('prompt formats without FIM tokens or a chat template', () => {
  const runtime = new ModelRuntime({ config: config(role(STORIES), role(PLAIN)) });
  afterAll(() => runtime.dispose());

  it('completes from the prefix alone when the model has no FIM tokens', async () => {
    const r = await runtime.generate('codegen', { kind: 'infill', prefix: 'Once upon a time', suffix: 'The end.' }, { onText: () => undefined });
    expect(r.format).toBe('prefix');
    expect(r.text.length).toBeGreaterThan(10);
  });

  it('falls back to plain role titles when the GGUF has no chat template', async () => {
    const r = await runtime.generate('llm', { kind: 'chat', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] });
    expect(r.format).toBe('chat-plain');
    expect(r.tokens).toBeGreaterThan(0);
  });
});

describe('hot swap and idle unload', () => {
  it('swaps a role’s model on a configuration change, cancelling in-flight work cleanly', async () => {
    const runtime = new ModelRuntime({ config: config(role(STORIES), role(PLAIN)) });
    try {
      let started!: () => void;
      const streaming = new Promise<void>((r) => (started = r));
      const long = runtime.generate('codegen', { kind: 'complete', prompt: 'Once upon a time', sampling: { maxTokens: 100000 } }, { onText: () => started() });
      await streaming;
      await runtime.reconfigure(config(role(FIM), role(PLAIN)));
      const ended = await long;
      expect(ended.stopReason).toBe('abort');
      expect(runtime.status('codegen').state).toBe('unloaded');
      const r = await runtime.generate('codegen', { kind: 'infill', prefix: 'int ', suffix: ';' });
      expect(r.format).toBe('fim');
      // The unchanged role kept its backend: no reload reported.
      expect(runtime.status('llm').state).toBe('unloaded');
    } finally {
      await runtime.dispose();
    }
  });

  it('swapping one role leaves the other role’s running generation alone', async () => {
    const runtime = new ModelRuntime({ config: config(role(STORIES), role(PLAIN)) });
    try {
      await runtime.load('codegen');
      let started!: () => void;
      const streaming = new Promise<void>((r) => (started = r));
      const other = runtime.generate('llm', { kind: 'chat', messages: [{ role: 'user', content: 'hi' }], sampling: { maxTokens: 200 } }, { onText: () => started() });
      await streaming;
      await runtime.reconfigure(config(role(FIM), role(PLAIN)));
      expect((await other).stopReason).not.toBe('abort');
    } finally {
      await runtime.dispose();
    }
  });

  it('unloads after the idle time and stops the host, then loads again on use', async () => {
    const runtime = new ModelRuntime({ config: config(role(STORIES, { idle_unload_seconds: 1 }), role(STORIES, { idle_unload_seconds: 1 })) });
    try {
      await runtime.generate('codegen', { kind: 'complete', prompt: 'Once' });
      const pid = runtime.hostPid('codegen') as number;
      expect(pid).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1600));
      expect(runtime.status('codegen').state).toBe('unloaded');
      expect(runtime.status('codegen').message).toMatch(/unloaded after 1 s unused/);
      expect(runtime.hostPid('codegen')).toBeUndefined();
      expect(() => process.kill(pid, 0)).toThrow();
      const r = await runtime.generate('codegen', { kind: 'complete', prompt: 'Once' });
      expect(r.tokens).toBeGreaterThan(0);
    } finally {
      await runtime.dispose();
    }
  });
});

describe('keeping the model host awake between requests', () => {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('pings the idle host for the configured time after a request, never during one, and answers after', async () => {
    let host: HostClient | undefined;
    const runtime = new ModelRuntime({
      config: config(role(STORIES, { max_length: 400 }), role(STORIES), { keep_host_warm_seconds: 0.4 }),
      createHost: (options) => (host = new HostClient(options)),
    });
    try {
      await runtime.generate('codegen', { kind: 'complete', prompt: 'Once' });
      const h = host as HostClient;
      await sleep(200);
      // About one every 20 ms while idle (timers on a busy machine run late, never early).
      expect(h.pingsSent).toBeGreaterThan(2);
      expect(h.pingsSent).toBeLessThanOrEqual(11);
      await sleep(500);
      const stopped = h.pingsSent;
      await sleep(200);
      expect(h.pingsSent).toBe(stopped);
      // While a request runs the host is awake: no pings, and the request is answered as before.
      const before = h.pingsSent;
      const r = await runtime.generate('codegen', { kind: 'complete', prompt: 'Once upon a time' });
      expect(r.tokens).toBeGreaterThan(100);
      expect(h.pingsSent).toBe(before);
    } finally {
      await runtime.dispose();
    }
  });

  it('sends none when keep_host_warm_seconds is 0', async () => {
    let host: HostClient | undefined;
    const runtime = new ModelRuntime({
      config: config(role(STORIES), role(STORIES), { keep_host_warm_seconds: 0 }),
      createHost: (options) => (host = new HostClient(options)),
    });
    try {
      await runtime.generate('codegen', { kind: 'complete', prompt: 'Once' });
      await sleep(150);
      expect((host as HostClient).pingsSent).toBe(0);
    } finally {
      await runtime.dispose();
    }
  });
});

describe('bad model files: one clear error each, and the runtime keeps working', () => {
  const bad = mkdtempSync(path.join(os.tmpdir(), 'bad-models-'));
  const truncated = path.join(bad, 'truncated.gguf');
  const full = tinyModelBytes();
  writeFileSync(truncated, full.subarray(0, full.length - 50_000));
  const notGguf = path.join(bad, 'notes.gguf');
  writeFileSync(notGguf, 'these are my notes, not a model\n');
  const codegenArch = writeTinyModel(path.join(bad, 'codegen-arch.gguf'), { architecture: 'codegen' });
  const zeroLayers = writeTinyModel(path.join(bad, 'zero-layers.gguf'), { blockCount: 0 });
  const huge = path.join(bad, 'huge.gguf');
  const statuses: RoleStatus[] = [];
  let runtime: ModelRuntime;

  beforeAll(() => {
    const fd = openSync(huge, 'w');
    writeSync(fd, readFileSync(FIM).subarray(0, 4096));
    ftruncateSync(fd, 200 * 2 ** 20);
    closeSync(fd);
    runtime = new ModelRuntime({ config: config(role(path.join(bad, 'missing.gguf')), role(FIM)), onStatus: (s) => statuses.push(s) });
  });
  afterAll(() => runtime.dispose());

  const cases: Array<[string, () => string, string, RegExp, ModelConfig['hardware']?]> = [
    ['a missing file', () => path.join(bad, 'missing.gguf'), 'missing-file', /missing\.gguf does not exist/],
    ['a file that is not a GGUF', () => notGguf, 'not-gguf', /notes\.gguf.*not a GGUF file/],
    ['a truncated file', () => truncated, 'corrupt', /truncated\.gguf could not be loaded \(.*(file bounds|corrupted or incomplete)/],
    ['an architecture llama.cpp lacks', () => codegenArch, 'unsupported-architecture', /codegen-arch\.gguf: llama\.cpp cannot run this model \(unknown model architecture: 'codegen'\)/],
    ['a file over the memory limit', () => huge, 'too-large', /huge\.gguf is 0\.2 GB, over the 0\.1 GB limit/, { max_memory_per_model_gb: 0.1 }],
    ['a file that crashes llama.cpp (zero layers)', () => zeroLayers, 'corrupt', /zero-layers\.gguf crashed llama\.cpp while loading \(signal SIGABRT\)/],
  ];
  for (const [what, file, code, message, hardware] of cases) {
    it(`${what}`, async () => {
      await runtime.reconfigure(config(role(file()), role(FIM), hardware));
      const err = await failure(runtime.generate('codegen', { kind: 'complete', prompt: 'int' }));
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      expect(runtime.status('codegen')).toEqual({ role: 'codegen', state: 'error', message: `codegen: ${err.message}` });
      // The other role, on the same host, still answers.
      const ok = await runtime.generate('llm', { kind: 'chat', messages: [{ role: 'user', content: 'hi' }] });
      expect(ok.tokens).toBeGreaterThan(0);
    });
  }

  it('refuses a file that crashed llama.cpp without crashing again until it changes', async () => {
    await runtime.reconfigure(config(role(zeroLayers), role(FIM)));
    const pid = runtime.hostPid('llm');
    const err = await failure(runtime.generate('codegen', { kind: 'complete', prompt: 'int' }));
    expect(err.message).toMatch(/crashed llama\.cpp when it was last loaded and has not changed since/);
    expect(runtime.hostPid('llm')).toBe(pid);
  });

  it('loads a good model afterwards', async () => {
    await runtime.reconfigure(config(role(FIM), role(FIM)));
    const r = await runtime.generate('codegen', { kind: 'infill', prefix: 'int ', suffix: ';' });
    expect(r.format).toBe('fim');
  });
});

describe('references not downloaded yet', () => {
  it('names the reference and the command that fetches it, without starting llama.cpp', async () => {
    const runtime = new ModelRuntime({
      config: config(role('hf:ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF/qwen2.5-coder-0.5b-q8_0.gguf'), role(FIM)),
      modelDir: mkdtempSync(path.join(os.tmpdir(), 'empty-models-')),
    });
    try {
      const err = await failure(runtime.generate('codegen', { kind: 'complete', prompt: 'int' }));
      expect(err.code).toBe('missing-file');
      expect(err.message).toMatch(/qwen2\.5-coder-0\.5b-q8_0\.gguf.*is not downloaded yet: run `aros-lsp models pull/);
      expect(runtime.hostPid('codegen')).toBeUndefined();
    } finally {
      await runtime.dispose();
    }
  });

  it('loads the file once it has been pulled, in the same runtime', async () => {
    const ref = 'hf:u/r/later.gguf';
    const modelDir = mkdtempSync(path.join(os.tmpdir(), 'later-models-'));
    const runtime = new ModelRuntime({ config: config(role(ref), role(FIM)), modelDir });
    try {
      expect((await failure(runtime.generate('codegen', { kind: 'complete', prompt: 'int' }))).code).toBe('missing-file');
      // What `models pull` leaves behind: the file under the cache's name for the reference.
      const target = cachedModelPath(ref, modelDir);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, readFileSync(FIM));
      const r = await runtime.generate('codegen', { kind: 'infill', prefix: 'int ', suffix: ';', sampling: { maxTokens: 2 } });
      expect(r.format).toBe('fim');
    } finally {
      await runtime.dispose();
    }
  });
});

describe('cancellation while the prompt is read', () => {
  it('stops reading a long prompt at the next step, and the next request reads the rest', async () => {
    const runtime = new ModelRuntime({ config: config(role(STORIES, { context_size: 2048 })) });
    try {
      await runtime.load('codegen');
      const prompt = 'Once upon a time there was a little dog who liked to run in the park with his friends. '.repeat(80);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 5);
      const err = await failure(runtime.generate('codegen', { kind: 'complete', prompt, sampling: { maxTokens: 8 } }, { signal: controller.signal }));
      expect(err.code).toBe('aborted');
      const again = await runtime.generate('codegen', { kind: 'complete', prompt, sampling: { maxTokens: 8 } });
      // Only part of the prompt had been read when the cancellation came.
      expect(again.promptTokensEvaluated).toBeGreaterThan(100);
      const third = await runtime.generate('codegen', { kind: 'complete', prompt, sampling: { maxTokens: 8 } });
      expect(third.promptTokensEvaluated).toBeLessThan(5);
    } finally {
      await runtime.dispose();
    }
  });
});

describe('FIM token overrides', () => {
  const custom = writeTinyModel(path.join(dir, 'custom-fim.gguf'), { fimTexts: ['<PRE_X>', '<SUF_X>', '<MID_X>'], fimIds: false });

  it('uses configured FIM tokens the GGUF does not name', async () => {
    const plain = new ModelRuntime({ config: config(role(custom)) });
    const overridden = new ModelRuntime({ config: config(role(custom, { fim: { prefix: '<PRE_X>', suffix: '<SUF_X>', middle: '<MID_X>' } })) });
    try {
      const request = { kind: 'infill' as const, prefix: 'int main(', suffix: ') {}' };
      expect((await plain.generate('codegen', request)).format).toBe('prefix');
      expect((await overridden.load('codegen')).fim).toBe(true);
      expect((await overridden.generate('codegen', request)).format).toBe('fim');
    } finally {
      await plain.dispose();
      await overridden.dispose();
    }
  });

  it('names an override that is not one token of the vocabulary', async () => {
    const runtime = new ModelRuntime({ config: config(role(custom, { fim: { prefix: '<nope>', suffix: '<SUF_X>' } })) });
    try {
      const err = await failure(runtime.generate('codegen', { kind: 'infill', prefix: 'a', suffix: 'b' }));
      expect(err.code).toBe('config');
      expect(err.message).toMatch(/custom-fim\.gguf: the fim\.prefix token '<nope>' is not a single token/);
    } finally {
      await runtime.dispose();
    }
  });
});

describe('a role on a remote server', () => {
  it('serves one role remotely while the other runs llama.cpp locally', async () => {
    const server = await startFakeOpenAiServer({ tokens: ['int', ' x', ';'] });
    const statuses: RoleStatus[] = [];
    const runtime = new ModelRuntime({
      config: config({ endpoint: server.url, remote_model: 'coder', max_length: 8 }, role(FIM)),
      onStatus: (s) => statuses.push(s),
    });
    try {
      const chunks: string[] = [];
      const r = await runtime.generate('codegen', { kind: 'infill', prefix: 'static ', suffix: '\n' }, { onText: (c) => chunks.push(c) });
      expect(r.format).toBe('remote-infill');
      expect(r.text).toBe('int x;');
      expect(chunks.join('')).toBe('int x;');
      expect(runtime.hostPid('codegen')).toBeUndefined();
      const local = await runtime.generate('llm', { kind: 'chat', messages: [{ role: 'user', content: 'hi' }] });
      expect(local.format).toBe('chat-template');
      expect(statuses.find((s) => s.role === 'codegen' && s.state === 'ready')?.message).toContain(server.url);
    } finally {
      await runtime.dispose();
      await server.close();
    }
  });
});
