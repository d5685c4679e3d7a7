// Workspace settings: from the editor (initializationOptions or
// workspace/configuration), or an `aros-lsp.json` at the workspace root.
// Invalid values are reported one message per key and replaced by defaults;
// they never stop the server.

import * as os from 'node:os';
import * as path from 'node:path';
import { isInside, realInside, relativePathProblem } from './workspacePaths';

export { isInside } from './workspacePaths';

export interface WorkspaceSettings {
  /** gitignore-style patterns, relative to the workspace root, left out of the index. */
  exclude: string[];
  /** Files larger than this are skipped with a logged reason. */
  maxFileBytes: number;
  /** Where the index cache lives; default under the user's cache directory. */
  cacheDir?: string;
  /** Parse worker threads; default one per core. */
  workers: number;
  /** Publish breadcrumb diagnostics for open documents. */
  breadcrumbDiagnostics: boolean;
  /** Count shown and accepted inline completions in the cache directory (counts only; opt-in). */
  completionStats: boolean;
  /**
   * The loop's compiler, as an argument vector run without a shell; `${file}` is
   * the file to check, `${workspace}` the root. Only the user's own settings
   * may set it: a file in the workspace must not choose what the server runs.
   */
  compileCommand: string[];
  compileTimeoutMs: number;
  /** Project names for `aros/runIteration`, mapped to workspace directories. */
  projects: Record<string, string[]>;
}

export interface SettingsResult {
  settings: WorkspaceSettings;
  problems: string[];
}

export type SettingsSource = 'user' | 'workspace';

export function defaultSettings(): WorkspaceSettings {
  return {
    exclude: [],
    maxFileBytes: 5 * 1024 * 1024,
    workers: Math.max(1, Math.min(8, os.availableParallelism())),
    breadcrumbDiagnostics: true,
    completionStats: false,
    compileCommand: ['gcc', '-fsyntax-only', '-Wall', '-I', '${workspace}/compiler/include', '${file}'],
    compileTimeoutMs: 60_000,
    projects: {},
  };
}

type Check = (value: unknown, key: string, out: WorkspaceSettings, problems: string[], ctx: Context) => void;

interface Context {
  root: string;
  source: SettingsSource;
  origin: string;
}

const CHECKS: Record<string, Check> = {
  exclude: (v, key, out, problems, ctx) => {
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out.exclude = v;
    else problems.push(`${ctx.origin}: '${key}' must be an array of glob strings`);
  },
  maxFileBytes: (v, key, out, problems, ctx) => {
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) out.maxFileBytes = v;
    else problems.push(`${ctx.origin}: '${key}' must be a positive integer (bytes), got ${JSON.stringify(v)}`);
  },
  workers: (v, key, out, problems, ctx) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 64) out.workers = v;
    else problems.push(`${ctx.origin}: '${key}' must be an integer from 0 to 64, got ${JSON.stringify(v)}`);
  },
  breadcrumbDiagnostics: (v, key, out, problems, ctx) => {
    if (typeof v === 'boolean') out.breadcrumbDiagnostics = v;
    else problems.push(`${ctx.origin}: '${key}' must be true or false`);
  },
  cacheDir: (v, key, out, problems, ctx) => {
    if (typeof v !== 'string' || v === '') {
      problems.push(`${ctx.origin}: '${key}' must be a directory path`);
      return;
    }
    const resolved = path.resolve(ctx.root, v);
    // A file in the workspace may not send the cache elsewhere, not even through a symlink; the user's own settings may.
    if (ctx.source === 'workspace' && !(isInside(ctx.root, resolved) && realInside(ctx.root, resolved))) {
      const how = isInside(ctx.root, resolved) ? ' through a symbolic link' : '';
      problems.push(`${ctx.origin}: '${key}' points outside the workspace${how} (${resolved}); set it in your editor settings instead`);
      return;
    }
    out.cacheDir = resolved;
  },
  // The model configuration has its own validator (models/modelConfig.ts); lsp/models.ts reads it.
  models: () => undefined,
  completionStats: (v, key, out, problems, ctx) => {
    if (typeof v === 'boolean') out.completionStats = v;
    else problems.push(`${ctx.origin}: '${key}' must be true or false`);
  },
  compileCommand: (v, key, out, problems, ctx) => {
    if (ctx.source === 'workspace') {
      problems.push(`${ctx.origin}: '${key}' is ignored here: only your editor settings may choose the command the server runs`);
      return;
    }
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== '')) out.compileCommand = [...(v as string[])];
    else problems.push(`${ctx.origin}: '${key}' must be a non-empty array of strings (an argument vector; no shell)`);
  },
  compileTimeoutMs: (v, key, out, problems, ctx) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 3_600_000) out.compileTimeoutMs = v;
    else problems.push(`${ctx.origin}: '${key}' must be an integer from 100 to 3600000 (ms), got ${JSON.stringify(v)}`);
  },
  projects: (v, key, out, problems, ctx) => {
    const ok =
      typeof v === 'object' && v !== null && !Array.isArray(v) &&
      Object.values(v as Record<string, unknown>).every((dirs) => Array.isArray(dirs) && dirs.every((d) => typeof d === 'string' && relativePathProblem(ctx.root, d) === undefined));
    if (ok) out.projects = { ...(v as Record<string, string[]>) };
    else problems.push(`${ctx.origin}: '${key}' must map project names to arrays of directories inside the workspace`);
  },
};

/** Layers settings objects over the defaults, later layers winning; each problem names its key. */
export function resolveSettings(root: string, layers: ReadonlyArray<{ value: unknown; source: SettingsSource; origin: string }>): SettingsResult {
  const settings = defaultSettings();
  const problems: string[] = [];
  for (const layer of layers) {
    if (layer.value === undefined || layer.value === null) continue;
    if (typeof layer.value !== 'object' || Array.isArray(layer.value)) {
      problems.push(`${layer.origin}: settings must be a JSON object`);
      continue;
    }
    const ctx: Context = { root, source: layer.source, origin: layer.origin };
    for (const [key, value] of Object.entries(layer.value as Record<string, unknown>)) {
      // Own keys only: `toString` or `__proto__` in a settings file must be unknown, not Object.prototype's.
      const check = Object.hasOwn(CHECKS, key) ? CHECKS[key] : undefined;
      if (check) check(value, key, settings, problems, ctx);
      else problems.push(`${layer.origin}: unknown setting '${key}' (known: ${Object.keys(CHECKS).join(', ')})`);
    }
  }
  return { settings, problems };
}
