// `aros-lsp breadcrumbs DIR [--json] [--check]`: statistics, tasks and findings.

import { formatSummary, summarize } from '../breadcrumbs/stats';
import { selectTasks } from '../breadcrumbs/tasks';
import { findingsByFile } from '../lsp/diagnostics';
import type { ParsedArgs } from './args';
import { openIndex } from './openIndex';

export async function breadcrumbsCommand(args: ParsedArgs): Promise<number> {
  const { session } = await openIndex(args.positionals[1], args);
  const items = session.breadcrumbItems();
  const summary = summarize(items);
  const tasks = selectTasks(items);
  const findings = [...findingsByFile(items)].flatMap(([file, list]) => list.map((f) => ({ file, ...f })));
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.range.start.line - b.range.start.line));
  const errors = findings.filter((f) => f.severity === 'error').length;

  if (args.flags.has('json')) {
    const out = {
      summary,
      tasks: tasks.map((t) => ({
        file: t.file,
        line: t.breadcrumb.line + 1,
        status: t.status,
        priority: t.priority,
        phase: t.phase,
        target: t.breadcrumb.target?.name,
      })),
      findings: findings.map((f) => ({ file: f.file, line: f.range.start.line + 1, severity: f.severity, code: f.code, message: f.message })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    const lines = [formatSummary(summary), '', `Tasks (${tasks.length}):`];
    for (const t of tasks) {
      lines.push(`  ${t.status.padEnd(15)} p${t.priority ?? '-'}  ${(t.phase ?? '').padEnd(24)} ${t.file}:${t.breadcrumb.line + 1}${t.breadcrumb.target ? ` ${t.breadcrumb.target.name}` : ''}`);
    }
    lines.push('', `Findings (${findings.length}):`);
    for (const f of findings) lines.push(`  ${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity}: ${f.message} [${f.code}]`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return args.flags.has('check') && errors > 0 ? 1 : 0;
}
