// The model configuration (config/models.json and overrides): one table of
// fields drives validation and the JSON schema beside the file, so the two
// cannot drift apart. Every problem is one message naming its key; a bad value
// is dropped (the layer below, ultimately config/models.json, stays in force).

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export type Field =
  | { type: 'string'; description: string; enum?: readonly string[]; pattern?: string }
  | { type: 'number' | 'integer'; description: string; minimum: number; maximum: number }
  | { type: 'boolean'; description: string }
  | { type: 'strings'; description: string }
  | { type: 'object'; description: string; fields: Readonly<Record<string, Field>> };

const ROLE_FIELDS: Record<string, Field> = {
  model_path: {
    type: 'string',
    description: 'A local GGUF file (relative to this file), a Hugging Face reference `hf:user/repo/file.gguf`, or an https URL.',
  },
  device: { type: 'string', enum: ['cpu', 'auto', 'cuda', 'vulkan', 'metal'], description: 'Where the model runs; `auto` uses a GPU when one is present.' },
  gpu_layers: { type: 'integer', minimum: 0, maximum: 1000, description: 'Layers offloaded to the GPU (0: none).' },
  threads: { type: 'integer', minimum: 0, maximum: 256, description: 'CPU threads; 0 means one per core, at most 8.' },
  context_size: { type: 'integer', minimum: 128, maximum: 1048576, description: 'Context window in tokens.' },
  max_length: { type: 'integer', minimum: 1, maximum: 32768, description: 'New tokens to generate at most (the prompt does not count).' },
  temperature: { type: 'number', minimum: 0, maximum: 2, description: 'Sampling temperature; 0 is greedy.' },
  top_p: { type: 'number', minimum: 0, maximum: 1, description: 'Nucleus sampling.' },
  top_k: { type: 'integer', minimum: 0, maximum: 1000, description: 'Top-k sampling; 0 disables it.' },
  repeat_penalty: { type: 'number', minimum: 0.5, maximum: 2, description: 'Repetition penalty; 1.0 disables it.' },
  stop: { type: 'strings', description: 'Extra stop sequences.' },
  idle_unload_seconds: { type: 'integer', minimum: 0, maximum: 86400, description: 'Unload the model after this long unused; 0 keeps it loaded.' },
  fim: {
    type: 'object',
    description: "Fill-in-the-middle tokens, when the model's own are missing or wrong.",
    fields: {
      prefix: { type: 'string', description: 'e.g. <|fim_prefix|>' },
      suffix: { type: 'string', description: 'e.g. <|fim_suffix|>' },
      middle: { type: 'string', description: 'e.g. <|fim_middle|>' },
    },
  },
  endpoint: {
    type: 'string',
    pattern: '^https?://',
    description: 'An OpenAI-compatible server (llama.cpp server, vLLM, Ollama) to use instead of a local file.',
  },
  remote_model: { type: 'string', description: 'The model name to send to the endpoint.' },
  api_key_env: {
    type: 'string',
    pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
    description: 'The environment variable holding the API key (the key itself never goes into a file).',
  },
  timeout_ms: { type: 'integer', minimum: 100, maximum: 3600000, description: 'Remote requests time out after this long.' },
};

export const MODEL_CONFIG_FIELDS: Readonly<Record<string, Field>> = {
  codegen: { type: 'object', description: 'The fill-in-the-middle code model (completion, generation).', fields: ROLE_FIELDS },
  llm: { type: 'object', description: 'The instruction model (planning, review, prose).', fields: ROLE_FIELDS },
  exploration: {
    type: 'object',
    description: 'How the loop explores the code before it writes.',
    fields: {
      enabled: { type: 'boolean', description: 'Explore before reasoning.' },
      max_files_to_scan: { type: 'integer', minimum: 1, maximum: 100000, description: 'Files read at most per exploration.' },
      similarity_threshold: { type: 'number', minimum: 0, maximum: 1, description: 'Relevance below this is dropped.' },
      enable_caching: { type: 'boolean', description: 'Reuse explorations of the same task.' },
    },
  },
  session: {
    type: 'object',
    description: 'The loop session.',
    fields: {
      enable_streaming: { type: 'boolean', description: 'Stream tokens to the editor.' },
      save_sessions: { type: 'boolean', description: 'Keep session logs in the cache directory.' },
      max_conversation_history: { type: 'integer', minimum: 0, maximum: 1000, description: 'Earlier turns kept in a prompt.' },
    },
  },
  hardware: {
    type: 'object',
    description: 'Machine limits.',
    fields: {
      use_gpu_if_available: { type: 'boolean', description: 'Let `device: auto` roles use a GPU.' },
      max_memory_per_model_gb: { type: 'number', minimum: 0.1, maximum: 1024, description: 'Refuse to load a model file larger than this.' },
      keep_host_warm_seconds: {
        type: 'number',
        minimum: 0,
        maximum: 600,
        description: 'After each request, keep the model host process awake this long (a message every 20 ms while it is idle), so the next request does not wait for it to wake; 0 lets it sleep. Default 5.',
      },
    },
  },
};

export interface RoleConfig {
  model_path?: string;
  device?: 'cpu' | 'auto' | 'cuda' | 'vulkan' | 'metal';
  gpu_layers?: number;
  threads?: number;
  context_size?: number;
  max_length?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  repeat_penalty?: number;
  stop?: string[];
  idle_unload_seconds?: number;
  fim?: { prefix?: string; suffix?: string; middle?: string };
  endpoint?: string;
  remote_model?: string;
  api_key_env?: string;
  timeout_ms?: number;
}

export interface ModelConfig {
  codegen: RoleConfig;
  llm: RoleConfig;
  exploration: { enabled?: boolean; max_files_to_scan?: number; similarity_threshold?: number; enable_caching?: boolean };
  session: { enable_streaming?: boolean; save_sessions?: boolean; max_conversation_history?: number };
  hardware: { use_gpu_if_available?: boolean; max_memory_per_model_gb?: number; keep_host_warm_seconds?: number };
}

export interface ConfigLayer {
  value: unknown;
  /** Names the layer in messages: a file path or `initializationOptions.models`. */
  origin: string;
  /** Local model paths are resolved against this directory. */
  baseDir?: string;
}

export interface ModelConfigResult {
  config: ModelConfig;
  problems: string[];
}

/** Layers (later wins, field by field) validated into one configuration. */
export function resolveModelConfig(layers: readonly ConfigLayer[]): ModelConfigResult {
  const problems: string[] = [];
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    if (layer.value === undefined || layer.value === null) continue;
    const clean = validateObject(layer.value, MODEL_CONFIG_FIELDS, '', layer.origin, problems);
    if (clean) {
      for (const role of ['codegen', 'llm']) {
        const r = clean[role] as RoleConfig | undefined;
        if (r?.model_path && layer.baseDir && isLocalPath(r.model_path)) r.model_path = path.resolve(layer.baseDir, r.model_path);
      }
      deepMerge(merged, clean);
    }
  }
  for (const role of ['codegen', 'llm'] as const) {
    const r = merged[role] as RoleConfig | undefined;
    if (!r?.model_path && !r?.endpoint) problems.push(`models: '${role}' needs a 'model_path' or an 'endpoint'`);
  }
  const config: ModelConfig = {
    codegen: (merged.codegen as RoleConfig) ?? {},
    llm: (merged.llm as RoleConfig) ?? {},
    exploration: (merged.exploration as ModelConfig['exploration']) ?? {},
    session: (merged.session as ModelConfig['session']) ?? {},
    hardware: (merged.hardware as ModelConfig['hardware']) ?? {},
  };
  return { config, problems };
}

/** The configuration shipped with the server (config/models.json), then the given overrides. */
export function loadModelConfig(overrides: readonly ConfigLayer[] = [], file = defaultConfigFile()): ModelConfigResult {
  let value: unknown;
  const problems: string[] = [];
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    problems.push(`${file}: ${(err as Error).message}`);
  }
  const result = resolveModelConfig([{ value, origin: file, baseDir: path.dirname(file) }, ...overrides]);
  return { config: result.config, problems: [...problems, ...result.problems] };
}

export function defaultConfigFile(): string {
  // out/models (build) is two levels below the package root, server/src/models (sources, tests) three.
  const built = path.resolve(__dirname, '..', '..', 'config', 'models.json');
  return existsSync(built) ? built : path.resolve(__dirname, '..', '..', '..', 'config', 'models.json');
}

export function isLocalPath(ref: string): boolean {
  return !/^(hf:|https?:\/\/)/i.test(ref);
}

function validateObject(
  value: unknown,
  fields: Readonly<Record<string, Field>>,
  prefix: string,
  origin: string,
  problems: string[],
): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${origin}: ${prefix || 'the configuration'} must be an object`);
    return undefined;
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (key === '$schema' && !prefix) continue;
    const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (!field) {
      problems.push(`${origin}: unknown key '${name}' (known: ${Object.keys(fields).join(', ')})`);
      continue;
    }
    const problem = checkValue(v, field, name, origin, problems);
    if (problem === undefined) continue;
    if (typeof problem === 'string') problems.push(`${origin}: '${name}' ${problem}, got ${JSON.stringify(v)}`);
    else out[key] = problem.value;
  }
  return out;
}

/** `{ value }` when good, a reason when not, undefined when nested problems were already reported. */
function checkValue(v: unknown, field: Field, name: string, origin: string, problems: string[]): { value: unknown } | string | undefined {
  switch (field.type) {
    case 'string':
      if (typeof v !== 'string' || v === '') return 'must be a non-empty string';
      if (field.enum && !field.enum.includes(v)) return `must be one of ${field.enum.join(', ')}`;
      if (field.pattern && !new RegExp(field.pattern).test(v)) return `must match ${field.pattern}`;
      return { value: v };
    case 'number':
    case 'integer':
      if (typeof v !== 'number' || !Number.isFinite(v) || (field.type === 'integer' && !Number.isInteger(v))) return `must be ${field.type === 'integer' ? 'an integer' : 'a number'}`;
      if (v < field.minimum || v > field.maximum) return `must be from ${field.minimum} to ${field.maximum}`;
      return { value: v };
    case 'boolean':
      return typeof v === 'boolean' ? { value: v } : 'must be true or false';
    case 'strings':
      return Array.isArray(v) && v.every((s) => typeof s === 'string') ? { value: [...(v as string[])] } : 'must be an array of strings';
    case 'object': {
      const nested = validateObject(v, field.fields, name, origin, problems);
      return nested ? { value: nested } : undefined;
    }
  }
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    const t = target[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && t && typeof t === 'object' && !Array.isArray(t)) {
      deepMerge(t as Record<string, unknown>, v as Record<string, unknown>);
    } else target[k] = v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : v;
  }
}

/** The JSON schema (draft-07) of the configuration, for editors; config/models.schema.json is this, written out. */
export function modelConfigSchema(): Record<string, unknown> {
  const toSchema = (f: Field): Record<string, unknown> => {
    switch (f.type) {
      case 'string':
        return { type: 'string', description: f.description, ...(f.enum ? { enum: [...f.enum] } : {}), ...(f.pattern ? { pattern: f.pattern } : {}) };
      case 'number':
      case 'integer':
        return { type: f.type, description: f.description, minimum: f.minimum, maximum: f.maximum };
      case 'boolean':
        return { type: 'boolean', description: f.description };
      case 'strings':
        return { type: 'array', items: { type: 'string' }, description: f.description };
      case 'object':
        return {
          type: 'object',
          description: f.description,
          additionalProperties: false,
          properties: Object.fromEntries(Object.entries(f.fields).map(([k, v]) => [k, toSchema(v)])),
        };
    }
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'aros-lsp model configuration',
    type: 'object',
    additionalProperties: false,
    properties: { $schema: { type: 'string' }, ...Object.fromEntries(Object.entries(MODEL_CONFIG_FIELDS).map(([k, v]) => [k, toSchema(v)])) },
  };
}
