// Completion acceptance in the protocol: each inline item carries a command
// the client runs when the user accepts it (`aros.completion.accepted` with
// the item's id), and clients that can tell when an item is displayed say so
// with `aros/completionShown`. The counting is completion/acceptanceStats.ts.

import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { NotificationType } from 'vscode-languageserver/node';
import { AcceptanceStats, STATS_FILE } from '../completion/acceptanceStats';
import type { WorkspaceSettings } from '../config/workspaceSettings';
import { defaultCacheDir } from '../index/indexCache';
import { invalid } from './params';

export const ACCEPT_COMMAND = 'aros.completion.accepted';

export interface CompletionShownParams {
  id: string;
}

export const completionShownNotification = new NotificationType<CompletionShownParams>('aros/completionShown');

/** The Command attached to an inline completion item, run by the client on accept. */
export function acceptanceCommand(id: string): { title: string; command: string; arguments: string[] } {
  return { title: 'Count accepted suggestion', command: ACCEPT_COMMAND, arguments: [id] };
}

/**
 * Records a suggestion about to be returned under a fresh id and gives the command for its item;
 * undefined when statistics are off (the item then carries no command).
 */
export function trackShown(
  stats: AcceptanceStats | undefined,
  result: { text: string; mode: string; source: string },
  file: string,
): ReturnType<typeof acceptanceCommand> | undefined {
  if (!stats?.enabled || !result.text) return undefined;
  if ((result.mode !== 'line' && result.mode !== 'block') || (result.source !== 'model' && result.source !== 'cache' && result.source !== 'in-flight')) return undefined;
  const id = randomUUID();
  stats.recordShown(id, { mode: result.mode, source: result.source, chars: result.text.length, file });
  return acceptanceCommand(id);
}

/** workspace/executeCommand for ACCEPT_COMMAND: arguments must be [id]. */
export function handleAccepted(stats: AcceptanceStats | undefined, args: unknown[] | undefined): { accepted: boolean } {
  const id = Array.isArray(args) ? args[0] : undefined;
  if (!Array.isArray(args) || args.length !== 1 || typeof id !== 'string') throw invalid(`${ACCEPT_COMMAND} takes one argument, the suggestion's id (a string)`);
  return { accepted: stats?.recordAccepted(id) ?? false };
}

/** The aros/completionShown notification; a malformed one is ignored (a notification has no reply). */
export function handleShown(stats: AcceptanceStats | undefined, params: unknown): void {
  const id = typeof params === 'object' && params !== null ? (params as Record<string, unknown>).id : undefined;
  if (typeof id === 'string') stats?.recordDisplayed(id);
}

/**
 * The statistics for these settings: undefined when off, `current` when it already counts into
 * the same file, else a newly loaded one (the old one flushed first, so no count is lost).
 */
export async function reopenStats(
  current: AcceptanceStats | undefined,
  root: string | undefined,
  settings: WorkspaceSettings,
  log: (message: string) => void,
): Promise<AcceptanceStats | undefined> {
  const dir = root === undefined ? undefined : settings.cacheDir ?? defaultCacheDir(root);
  const file = dir === undefined ? undefined : path.join(dir, STATS_FILE);
  if (settings.completionStats && current && current.file === file) return current;
  await current?.flush();
  return settings.completionStats ? AcceptanceStats.open({ enabled: true, dir, log }) : undefined;
}
