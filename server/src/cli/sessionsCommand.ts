// `aros-lsp sessions list [DIR]` and `aros-lsp sessions show ID [DIR]`: the
// loop's session logs in the workspace's cache directory.

import { listSessions, readSession } from '../iteration/sessionLog';
import { type ParsedArgs } from './args';
import { resolveCliSettings, workspaceDirectory } from './openIndex';
import { defaultCacheDir } from '../index/indexCache';

export async function sessionsCommand(args: ParsedArgs): Promise<number> {
  const sub = args.positionals[1] ?? 'list';
  const id = sub === 'show' ? args.positionals[2] : undefined;
  if (sub === 'show' && !id) throw new Error('usage: aros-lsp sessions show ID [DIR]');
  if (sub !== 'list' && sub !== 'show') throw new Error(`unknown sessions command '${sub}' (known: list, show)`);
  const root = workspaceDirectory(args.positionals[sub === 'show' ? 3 : 2] ?? args.options.get('workspace') ?? '.');
  const settings = resolveCliSettings(root, args);
  const dir = settings.cacheDir ?? defaultCacheDir(root);
  if (sub === 'list') {
    const sessions = await listSessions(dir);
    if (args.flags.has('json')) process.stdout.write(`${JSON.stringify(sessions, null, 2)}\n`);
    else if (!sessions.length) process.stdout.write(`no sessions in ${dir}\n`);
    else for (const s of sessions) process.stdout.write(`${s.id}  ${s.outcome.padEnd(10)} ${s.tasks ?? '?'} task(s)  ${s.started ?? ''}\n`);
    return 0;
  }
  const records = await readSession(dir, id as string);
  if (!records) {
    process.stderr.write(`aros-lsp: no session ${id} in ${dir}\n`);
    return 1;
  }
  if (args.flags.has('json')) process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
  else for (const r of records) process.stdout.write(`${r.t} ${r.type} ${JSON.stringify({ ...r, t: undefined, type: undefined }).slice(0, 400)}\n`);
  return 0;
}
