// `aros-lsp index DIR [--json]`: build or refresh the index and summarize it.

import type { ParsedArgs } from './args';
import { openIndex } from './openIndex';

export async function indexCommand(args: ParsedArgs): Promise<number> {
  const { summary } = await openIndex(args.positionals[1], args);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  if (args.flags.has('json')) {
    process.stdout.write(`${JSON.stringify({ ...summary, peakRssMb }, null, 2)}\n`);
    return 0;
  }
  const s = summary.symbols;
  const lines = [
    `files       ${summary.files} (${summary.parsed} parsed, ${summary.reused} reused, ${summary.removed} removed)`,
    `symbols     ${Object.values(s).reduce((a, b) => a + b, 0)}: ` +
      Object.entries(s)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`)
        .join(', '),
    `AROS        ${summary.libraryFunctions} library functions, ${summary.hooks} hooks`,
    `breadcrumbs ${summary.breadcrumbs}`,
    `skipped     ${summary.skipped.length}`,
    ...summary.skipped.slice(0, 50).map((k) => `  ${k.path}: ${k.reason}`),
    ...(summary.skipped.length > 50 ? [`  ... and ${summary.skipped.length - 50} more (--json lists all)`] : []),
    `cache       ${summary.cache}`,
    `elapsed     ${summary.elapsedMs} ms, peak RSS ${peakRssMb} MB`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
