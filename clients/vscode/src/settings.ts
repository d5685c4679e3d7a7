// What the extension sends the server as settings, and where the server keeps
// its files. No `vscode` here: the extension passes in what
// `WorkspaceConfiguration.inspect` returns.

import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelRole } from './protocol';

/** The server's workspace settings (server/src/config/workspaceSettings.ts), all under the `aros-lsp` section. */
export const SERVER_SETTING_KEYS = [
  'exclude',
  'maxFileBytes',
  'cacheDir',
  'workers',
  'breadcrumbDiagnostics',
  'completionStats',
  'compileCommand',
  'compileTimeoutMs',
  'projects',
  'models',
] as const;
export type ServerSettingKey = (typeof SERVER_SETTING_KEYS)[number];

/** Settings of the extension itself, never sent to the server (it would report them as unknown). */
export const EXTENSION_SETTING_KEYS = ['server.command', 'trace.server'] as const;

/**
 * Chosen in user settings only (`scope: machine` in package.json), like the
 * server's rule that a file in the workspace must not choose what it runs.
 */
export const USER_ONLY_KEYS: ReadonlySet<string> = new Set<string>(['compileCommand']);
/** Ignored from workspace settings while the workspace is not trusted (package.json `restrictedConfigurations`). */
export const RESTRICTED_KEYS: ReadonlySet<string> = new Set<string>(['cacheDir', 'models']);

/** The layers of one setting, as `WorkspaceConfiguration.inspect` gives them. */
export interface Inspected {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

type Json = Record<string, unknown>;

/**
 * The settings to send: only values the user actually set (so that
 * `aros-lsp.json` in the workspace, which the server layers below the
 * editor's settings, is not overridden by VS Code's defaults), objects merged
 * across user, workspace and folder settings the way VS Code merges them.
 */
export function pickServerSettings(inspect: (key: ServerSettingKey) => Inspected | undefined, trusted: boolean): Json {
  const out: Json = {};
  for (const key of SERVER_SETTING_KEYS) {
    const i = inspect(key);
    if (!i) continue;
    const workspaceAllowed = !USER_ONLY_KEYS.has(key) && (trusted || !RESTRICTED_KEYS.has(key));
    const layers = workspaceAllowed ? [i.globalValue, i.workspaceValue, i.workspaceFolderValue] : [i.globalValue];
    let value: unknown;
    for (const layer of layers) {
      if (layer === undefined || layer === null || layer === '') continue;
      value = isPlainObject(value) && isPlainObject(layer) ? deepMerge(value, layer) : clone(layer);
    }
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Dotted paths set in `before` and gone from `after`. The server keeps its
 * initializationOptions as a layer of their own, so a setting removed after
 * start would stay in force; the extension restarts the server instead.
 */
export function removedPaths(before: unknown, after: unknown, prefix = ''): string[] {
  if (!isPlainObject(before)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(before)) {
    const name = prefix ? `${prefix}.${k}` : k;
    const next = isPlainObject(after) ? after[k] : undefined;
    if (next === undefined) out.push(name);
    else if (isPlainObject(v)) out.push(...removedPaths(v, next, name));
  }
  return out;
}

/** `models` with `<role>.model_path` set to `modelPath`, or removed when undefined (empty objects dropped). */
export function withModelPath(models: unknown, role: ModelRole, modelPath: string | undefined): Json {
  const out: Json = isPlainObject(models) ? (clone(models) as Json) : {};
  const roleConfig: Json = isPlainObject(out[role]) ? (out[role] as Json) : {};
  if (modelPath === undefined) delete roleConfig.model_path;
  else roleConfig.model_path = modelPath;
  if (Object.keys(roleConfig).length) out[role] = roleConfig;
  else delete out[role];
  return out;
}

/** `<role>.model_path` of a models object, if it is a string. */
export function modelPathOf(models: unknown, role: ModelRole): string | undefined {
  const r = isPlainObject(models) ? models[role] : undefined;
  const p = isPlainObject(r) ? r.model_path : undefined;
  return typeof p === 'string' ? p : undefined;
}

/** The server's default cache directory for a workspace (server/src/index/indexCache.ts `defaultCacheDir`). */
export function defaultCacheDir(root: string, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, '.cache');
  const id = createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 12);
  return path.join(base, 'aros-lsp', `${path.basename(path.resolve(root)) || 'root'}-${id}`);
}

/** Where `aros-lsp models pull` puts models (server/src/models/modelFiles.ts `modelCacheDir`). */
export function modelCacheDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  if (env.AROS_LSP_MODEL_DIR) return path.resolve(env.AROS_LSP_MODEL_DIR);
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, '.cache');
  return path.join(base, 'aros-lsp', 'models');
}

/**
 * The server's cache directory, resolved the way the server layers it: the
 * editor's `cacheDir` (relative to the root), else `aros-lsp.json`'s when it
 * stays inside the workspace, else the default.
 */
export function effectiveCacheDir(root: string, editorCacheDir: unknown, workspaceFileText: string | undefined, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  if (typeof editorCacheDir === 'string' && editorCacheDir !== '') return path.resolve(root, editorCacheDir);
  const fromFile = workspaceFileSetting(workspaceFileText, 'cacheDir');
  if (typeof fromFile === 'string' && fromFile !== '') {
    const resolved = path.resolve(root, fromFile);
    // The server refuses a cache the file sends out of the workspace, also through a symlink.
    if (isInside(root, resolved) && isInside(realPathOf(root), realPathOf(resolved))) return resolved;
  }
  return defaultCacheDir(root, env, home);
}

/** `<cacheDir>/sessions`, where the loop's session logs are (server/src/iteration/sessionLog.ts). */
export function sessionsDir(cacheDir: string): string {
  return path.join(cacheDir, 'sessions');
}

/** One key of `aros-lsp.json`; undefined when the file is missing or not a JSON object. */
export function workspaceFileSetting(text: string | undefined, key: string): unknown {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
  } catch {
    return undefined;
  }
}

/** A file's path relative to the workspace root with `/` separators; undefined when it is outside. */
export function workspaceRelative(root: string, file: string): string | undefined {
  const rel = path.relative(path.resolve(root), path.resolve(file));
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(candidate));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** `p` with its nearest existing ancestor's symlinks resolved (as the server checks it). */
export function realPathOf(p: string): string {
  let current = path.resolve(p);
  const missing: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync.native(current), ...missing);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return path.join(current, ...missing);
      missing.unshift(path.basename(current));
      current = parent;
    }
  }
}

export function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : clone(v);
  }
  return out;
}

function clone(v: unknown): unknown {
  // Settings are JSON; a copy keeps VS Code's frozen configuration objects out of our edits.
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}
