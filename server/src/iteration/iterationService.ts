// One run of the loop over a workspace session and the model runtime: the
// error memory and the session log in the workspace's cache directory, the
// compiler from the settings, exploration from the index. Shared by the
// language server (`aros/runIteration`) and the command line (`aros-lsp iterate`).

import type { WorkspaceSettings } from '../config/workspaceSettings';
import { relativePathProblem } from '../config/workspacePaths';
import type { WorkspaceSession } from '../index/workspaceSession';
import type { ModelConfig } from '../models/modelConfig';
import type { ModelRuntime } from '../models/modelRuntime';
import { ErrorMemory } from './errorMemory';
import { ExploreCache, explorationSummary, explorationText, explore, sessionExploreSource } from './explore';
import { runIteration } from './loop';
import { SessionLog } from './sessionLog';
import type { IterationEvent, IterationParams, IterationResult, TaskSpec } from './types';

export interface IterationServiceOptions {
  session: WorkspaceSession;
  runtime: ModelRuntime;
  settings: WorkspaceSettings;
  models: ModelConfig;
  log?: (message: string) => void;
}

/** Memories and caches that outlive one run (one per workspace). */
export class IterationService {
  private memory?: Promise<ErrorMemory>;
  private readonly exploreCache = new ExploreCache();

  constructor(private readonly options: IterationServiceOptions) {}

  get cacheDir(): string {
    const dir = this.options.session.cacheDir;
    if (!dir) throw new Error('the loop needs a workspace with a cache directory');
    return dir;
  }

  async run(params: IterationParams, signal: AbortSignal, onEvent?: (e: IterationEvent) => void): Promise<IterationResult> {
    const { session, runtime, settings, models } = this.options;
    this.memory ??= ErrorMemory.open(this.cacheDir, { log: this.options.log });
    const memory = await this.memory;
    // session.save_sessions: false keeps no log on disk.
    const log = models.session.save_sessions === false ? unsavedLog() : await SessionLog.create(this.cacheDir, { workspace: session.root, params }, { log: this.options.log });
    // session.enable_streaming: false sends phases and compiler output, not tokens.
    const events = onEvent && models.session.enable_streaming === false ? (e: IterationEvent): void => (e.type === 'token' ? undefined : onEvent(e)) : onEvent;
    let result: IterationResult | undefined;
    try {
      result = await runIteration(
        params,
        {
          workspace: session.root,
          cacheDir: this.cacheDir,
          breadcrumbs: () => session.breadcrumbItems(),
          readText: (file) => session.readText(file),
          pathProblem: (file) => relativePathProblem(session.root, file) ?? session.diskProblem(file),
          explore: async (task) => this.explore(task),
          generate: (role, request, options) => runtime.generate(role, request, options),
          compile: { argv: settings.compileCommand, timeoutMs: settings.compileTimeoutMs },
          memory,
          log,
          onEvent: events,
          projects: settings.projects,
          historyLimit: models.session.max_conversation_history,
          tokens: { reason: models.llm.max_length, generate: models.codegen.max_length },
        },
        signal,
      );
      return result;
    } finally {
      const s = result?.summary;
      await log.close({ outcome: signal.aborted ? 'cancelled' : !s ? 'error' : s.successful > 0 ? 'succeeded' : 'failed', tasks: s?.total, summary: s });
      await memory.flush();
    }
  }

  private explore(task: TaskSpec): { text: string; summary: string } {
    const { session, models } = this.options;
    if (models.exploration.enabled === false) return { text: '', summary: 'exploration is disabled (exploration.enabled)' };
    const e = explore(sessionExploreSource(session), { description: task.description, file: task.file, symbol: task.symbol }, {
      maxFiles: models.exploration.max_files_to_scan,
      similarityThreshold: models.exploration.similarity_threshold,
      cache: models.exploration.enable_caching === false ? undefined : this.exploreCache,
    });
    return { text: explorationText(e), summary: explorationSummary(e) };
  }
}

function unsavedLog(): { id: string; append: () => Promise<boolean>; close: () => Promise<boolean> } {
  return { id: `unsaved-${Date.now()}`, append: async () => true, close: async () => true };
}
