// Opens a directory's index for a CLI command: settings from `aros-lsp.json`
// and the command line, cache reused, changed files re-parsed.

import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { outsideProblem } from '../config/workspacePaths';
import { resolveSettings, type WorkspaceSettings } from '../config/workspaceSettings';
import type { IndexSummary } from '../index/indexer';
import { WorkspaceSession } from '../index/workspaceSession';
import { intOption, type ParsedArgs } from './args';
import { progressBar } from './progressBar';

export interface OpenedIndex {
  session: WorkspaceSession;
  summary: IndexSummary;
}

export async function openIndex(dir: string | undefined, args: ParsedArgs): Promise<OpenedIndex> {
  const root = workspaceDirectory(dir);
  const settings = resolveCliSettings(root, args);

  const verbose = args.flags.has('verbose');
  const session = new WorkspaceSession(root, settings, {
    persist: !args.flags.has('no-cache'),
    log: verbose ? (m) => process.stderr.write(`${m}\n`) : undefined,
  });
  const bar = progressBar(process.stderr, args.flags.has('no-progress'));
  try {
    const summary = await session.indexWorkspace({ onProgress: (p) => bar.update(p.phase, p.done, p.total) });
    return { session, summary };
  } finally {
    bar.done();
  }
}

/** DIR made absolute; an error when it is missing or not a directory. */
export function workspaceDirectory(dir: string | undefined): string {
  if (!dir) throw new Error('a directory is required');
  const root = path.resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new Error(`not a directory: ${root}`);
  return root;
}

/** The settings a command uses for `root`: its `aros-lsp.json`, then the command line; problems go to stderr. */
export function resolveCliSettings(root: string, args: ParsedArgs): WorkspaceSettings {
  const cli: Record<string, unknown> = {};
  const workers = intOption(args, 'workers');
  if (workers !== undefined) cli.workers = workers;
  const maxBytes = intOption(args, 'max-file-bytes');
  if (maxBytes !== undefined) cli.maxFileBytes = maxBytes;
  if (args.options.has('cache-dir')) cli.cacheDir = path.resolve(args.options.get('cache-dir') as string);
  if (args.options.has('exclude')) cli.exclude = (args.options.get('exclude') as string).split(',');

  const { settings, problems } = resolveSettings(root, [
    { value: readWorkspaceFile(root), source: 'workspace', origin: 'aros-lsp.json' },
    { value: cli, source: 'user', origin: 'command line' },
  ]);
  for (const p of problems) process.stderr.write(`aros-lsp: ${p}\n`);
  return settings;
}

function readWorkspaceFile(root: string): unknown {
  const file = path.join(root, 'aros-lsp.json');
  // A settings file that is a symlink out of the workspace is not the workspace's to give.
  const outside = outsideProblem(root, file);
  if (outside) {
    process.stderr.write(`aros-lsp: aros-lsp.json ${outside}; it is ignored\n`);
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
