// `aros-lsp stats [DIR] [--json]`: the completion acceptance statistics saved
// in DIR's cache directory. Reads the file only: nothing is indexed.

import * as path from 'node:path';
import { readStatsFile, STATS_FILE, summarizeStats, type BucketSummary, type RateCounts, type StatsSummary } from '../completion/acceptanceStats';
import { defaultCacheDir } from '../index/indexCache';
import type { ParsedArgs } from './args';
import { resolveCliSettings, workspaceDirectory } from './openIndex';

const RECENT_DAYS = 7;

export async function statsCommand(args: ParsedArgs): Promise<number> {
  const root = workspaceDirectory(args.positionals[1] ?? '.');
  const settings = resolveCliSettings(root, args);
  const file = path.join(settings.cacheDir ?? defaultCacheDir(root), STATS_FILE);
  const read = await readStatsFile(file);
  const summary = read.state === 'ok' ? summarizeStats(read.data, new Date(), RECENT_DAYS) : undefined;
  const problem = read.state === 'corrupt' || read.state === 'unreadable' ? read.reason : undefined;

  if (args.flags.has('json')) {
    const out = { file, enabled: settings.completionStats, state: read.state, reason: problem, summary };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else if (problem !== undefined) {
    process.stderr.write(`aros-lsp: ${file} is unreadable (${problem})\n`);
  } else if (!summary) {
    process.stdout.write(
      settings.completionStats
        ? `No completion statistics yet in ${file}.\nThey are saved a few seconds after the server shows a suggestion.\n`
        : `Completion statistics are off (completionStats is not true in aros-lsp.json) and there is no file at ${file}.\nTo collect them, set "completionStats": true in aros-lsp.json or in your editor's aros-lsp settings.\n`,
    );
  } else {
    // The editor's settings may turn them on where the command line cannot see it, so this is a note, not an error.
    const note = settings.completionStats ? '' : '\n(completionStats is off in aros-lsp.json: the counts may be old)';
    process.stdout.write(`Completion acceptance (${file})${note}\n\n${formatTable(summary)}\n`);
  }
  return problem === undefined ? 0 : 1;
}

export function formatTable(s: StatsSummary): string {
  const header = `${''.padEnd(14)}${'shown'.padStart(8)}${'accepted'.padStart(10)}${'rate'.padStart(8)}${'accepted chars'.padStart(16)}`;
  const row = (label: string, c: RateCounts): string =>
    `${label.padEnd(14)}${String(c.shown).padStart(8)}${String(c.accepted).padStart(10)}${formatRate(c.rate).padStart(8)}${String(c.acceptedChars).padStart(16)}`;
  const rows = (label: string, b: BucketSummary): string[] => [row(label, b), row('  line', b.byMode.line), row('  block', b.byMode.block)];
  return [header, ...rows('overall', s.total), ...rows(`last ${s.recent.days} days`, s.recent)].join('\n');
}

function formatRate(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}
