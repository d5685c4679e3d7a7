import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfigFile, loadModelConfig, modelConfigSchema, resolveModelConfig } from '../../server/src/models/modelConfig';

const REPO = path.resolve(__dirname, '..', '..');

describe('config/models.json', () => {
  it('is valid, and names a FIM code model and an instruction model', () => {
    const { config, problems } = loadModelConfig([], path.join(REPO, 'config', 'models.json'));
    expect(problems).toEqual([]);
    expect(config.codegen.model_path).toBe('hf:ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/qwen2.5-coder-1.5b-q8_0.gguf');
    expect(config.llm.model_path).toBe('hf:bartowski/Qwen2.5-Coder-7B-Instruct-GGUF/Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf');
    expect([config.codegen.threads, config.codegen.max_length, config.llm.context_size]).toEqual([0, 128, 8192]);
    expect(config.exploration).toEqual({ enabled: true, max_files_to_scan: 200, similarity_threshold: 0.2, enable_caching: true });
  });

  it('is the file the server finds by default', () => {
    expect(defaultConfigFile()).toBe(path.join(REPO, 'config', 'models.json'));
  });

  it('models.schema.json is exactly the schema the validator is built from', () => {
    expect(JSON.parse(readFileSync(path.join(REPO, 'config', 'models.schema.json'), 'utf8'))).toEqual(modelConfigSchema());
  });
});

describe('resolveModelConfig', () => {
  const base = { value: { codegen: { model_path: 'a.gguf', threads: 2 }, llm: { model_path: 'b.gguf' } }, origin: 'base.json', baseDir: '/cfg' };

  it('resolves local paths against the file that names them, and keeps references as they are', () => {
    const { config, problems } = resolveModelConfig([
      base,
      { value: { llm: { model_path: 'hf:org/repo/model.gguf' } }, origin: 'override' },
    ]);
    expect(problems).toEqual([]);
    expect(config.codegen.model_path).toBe('/cfg/a.gguf');
    expect(config.llm.model_path).toBe('hf:org/repo/model.gguf');
  });

  it('merges layers field by field, later winning', () => {
    const { config } = resolveModelConfig([base, { value: { codegen: { threads: 1, temperature: 0 } }, origin: 'user' }]);
    expect(config.codegen).toEqual({ model_path: '/cfg/a.gguf', threads: 1, temperature: 0 });
  });

  it('reports each bad key in one message naming it, and keeps the value below', () => {
    const { config, problems } = resolveModelConfig([
      base,
      {
        value: {
          codegen: { threads: -1, temperature: 3, device: 'tpu', stop: 'x', top_k: 1.5, fim: { prefix: '' } },
          llm: { endpoint: 'ftp://host', api_key_env: 'MY KEY' },
          exploration: { enabled: 'yes' },
          colour: 'blue',
        },
        origin: 'aros-lsp.json',
      },
    ]);
    expect(problems).toEqual([
      "aros-lsp.json: 'codegen.threads' must be from 0 to 256, got -1",
      "aros-lsp.json: 'codegen.temperature' must be from 0 to 2, got 3",
      "aros-lsp.json: 'codegen.device' must be one of cpu, auto, cuda, vulkan, metal, got \"tpu\"",
      "aros-lsp.json: 'codegen.stop' must be an array of strings, got \"x\"",
      "aros-lsp.json: 'codegen.top_k' must be an integer, got 1.5",
      "aros-lsp.json: 'codegen.fim.prefix' must be a non-empty string, got \"\"",
      "aros-lsp.json: 'llm.endpoint' must match ^https?://, got \"ftp://host\"",
      "aros-lsp.json: 'llm.api_key_env' must match ^[A-Za-z_][A-Za-z0-9_]*$, got \"MY KEY\"",
      "aros-lsp.json: 'exploration.enabled' must be true or false, got \"yes\"",
      "aros-lsp.json: unknown key 'colour' (known: codegen, llm, exploration, session, hardware)",
    ]);
    expect(config.codegen.threads).toBe(2);
    expect(config.codegen.device).toBeUndefined();
  });

  it('a role needs a model file or an endpoint', () => {
    const { problems } = resolveModelConfig([{ value: { codegen: { endpoint: 'http://127.0.0.1:8080' } }, origin: 'x' }]);
    expect(problems).toEqual(["models: 'llm' needs a 'model_path' or an 'endpoint'"]);
  });

  it('a layer that is not an object is one message, and inherited names are unknown keys', () => {
    const { problems } = resolveModelConfig([base, { value: [1], origin: 'arr' }, { value: JSON.parse('{"__proto__": 1, "toString": 2}'), origin: 'proto' }]);
    expect(problems).toEqual([
      'arr: the configuration must be an object',
      "proto: unknown key '__proto__' (known: codegen, llm, exploration, session, hardware)",
      "proto: unknown key 'toString' (known: codegen, llm, exploration, session, hardware)",
    ]);
  });

  it('an unreadable or invalid file is reported with its path', () => {
    const { problems } = loadModelConfig([], '/nonexistent/models.json');
    expect(problems[0]).toMatch(/^\/nonexistent\/models\.json: ENOENT/);
  });
});
