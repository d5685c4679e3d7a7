// The model runtime as the server sees it: configuration layered from
// config/models.json, the workspace's aros-lsp.json (`models`), the client's
// initializationOptions and didChangeConfiguration (`models`), and each role's
// state sent as `aros/status`. A workspace file may choose local model files,
// but not a remote endpoint: only the user's own settings may send code away.

import type { Connection } from 'vscode-languageserver/node';
import * as path from 'node:path';
import { outsideProblem } from '../config/workspacePaths';
import { isLocalPath, loadModelConfig, type ConfigLayer, type ModelConfig } from '../models/modelConfig';
import { ModelRuntime, type RoleStatus } from '../models/modelRuntime';
import { InlineCompletionEngine } from '../completion/inlineEngine';
import type { ContextIndex } from '../context/completionContext';
import { statusNotification } from './status';

export interface ModelLayers {
  root?: string;
  workspace?: unknown;
  initialization?: unknown;
  client?: unknown;
}

export function resolveModelLayers(layers: ModelLayers, configFile?: string): { config: ModelConfig; problems: string[] } {
  const problems: string[] = [];
  const overrides: ConfigLayer[] = [
    { value: workspaceModels(layers.workspace, layers.root, problems), origin: 'aros-lsp.json models', baseDir: layers.root },
    { value: layers.initialization, origin: 'initializationOptions.models', baseDir: layers.root },
    { value: layers.client, origin: 'workspace/didChangeConfiguration models', baseDir: layers.root },
  ];
  const result = configFile ? loadModelConfig(overrides, configFile) : loadModelConfig(overrides);
  return { config: result.config, problems: [...problems, ...result.problems] };
}

/**
 * The workspace file's model settings without what only the user may choose:
 * a remote endpoint (code would leave the machine) or a local file outside the
 * workspace (`hf:` and URL references name the user's own model cache).
 */
function workspaceModels(value: unknown, root: string | undefined, problems: string[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const role of ['codegen', 'llm']) {
    const r = copy[role];
    if (typeof r !== 'object' || r === null || Array.isArray(r)) continue;
    const clean: Record<string, unknown> = { ...(r as Record<string, unknown>) };
    for (const key of ['endpoint', 'api_key_env']) {
      if (key in clean) {
        problems.push(`aros-lsp.json models: '${role}.${key}' is ignored: only your editor settings may point a model at a server`);
        delete clean[key];
      }
    }
    const file = clean.model_path;
    const outside = typeof file === 'string' && file !== '' && isLocalPath(file) && root !== undefined ? outsideProblem(root, path.resolve(root, file)) : undefined;
    if (outside) {
      problems.push(`aros-lsp.json models: '${role}.model_path' ${path.resolve(root as string, file as string)} ${outside}; set it in your editor settings instead`);
      delete clean.model_path;
    }
    copy[role] = clean;
  }
  return copy;
}

/**
 * The server's models: configuration layers, the runtime (created on first
 * use, so a session that never completes starts no model host) and the
 * inline completion engine over it.
 */
export class ServerModels {
  private runtime?: ModelRuntime;
  private inline?: InlineCompletionEngine;
  private config: ModelConfig;
  private lastReason?: string;

  constructor(
    private readonly connection: Connection,
    private layers: ModelLayers,
    private readonly index: () => ContextIndex | undefined,
    private readonly log: (m: string) => void,
    private readonly warn: (m: string) => void,
  ) {
    this.config = this.resolve();
  }

  /** The configuration in force. */
  get configuration(): ModelConfig {
    return this.config;
  }

  engine(): InlineCompletionEngine | undefined {
    if (!this.config.codegen.model_path && !this.config.codegen.endpoint) return undefined;
    this.inline ??= new InlineCompletionEngine({
      index: () => this.index() ?? EMPTY_INDEX,
      generate: (request, options) => this.models().generate('codegen', request, options),
      prepare: (signal) => this.models().load('codegen', signal),
      blockTokens: this.config.codegen.max_length,
    });
    return this.inline;
  }

  models(): ModelRuntime {
    this.runtime ??= new ModelRuntime({
      config: this.config,
      log: this.log,
      onStatus: (s: RoleStatus) => {
        this.lastReason = undefined;
        void this.connection.sendNotification(statusNotification, { component: 'model', role: s.role, state: s.state, message: s.message });
      },
    });
    return this.runtime;
  }

  /** Says once why completion came without an AI suggestion (a load failure already said so). */
  reportNoSuggestion(reason: string): void {
    if (reason === this.lastReason || this.runtime?.status('codegen').state === 'error') return;
    this.lastReason = reason;
    this.log(`no AI suggestion: ${reason}`);
    void this.connection.sendNotification(statusNotification, { component: 'model', role: 'codegen', state: 'ready', message: `codegen: no suggestion (${reason})` });
  }

  /** New client settings: a changed configuration swaps only the roles that changed. */
  async updateClient(models: unknown): Promise<void> {
    this.layers = { ...this.layers, client: models };
    const next = this.resolve();
    if (JSON.stringify(next) === JSON.stringify(this.config)) return;
    this.config = next;
    this.inline = undefined;
    await this.runtime?.reconfigure(next);
  }

  async dispose(): Promise<void> {
    await this.runtime?.dispose();
  }

  private resolve(): ModelConfig {
    const { config, problems } = resolveModelLayers(this.layers);
    for (const p of problems) this.warn(p);
    return config;
  }
}

const EMPTY_INDEX: ContextIndex = { lookup: () => [], get: () => undefined, symbolsOf: () => [] };
