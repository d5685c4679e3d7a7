// Counts for `aros-lsp breadcrumbs DIR`.

import type { BreadcrumbItem, Severity } from './types';
import { validateBreadcrumb, validateWorkspace } from './validate';
import { effective, phaseOf } from './values';

export interface BreadcrumbSummary {
  total: number;
  /** Files that hold at least one breadcrumb. */
  files: number;
  /** Effective AI_STATUS as written (trimmed); `(missing)` when absent or empty. */
  byStatus: Record<string, number>;
  /** Effective AI_PHASE, upper-case; `(missing)` when absent or empty. */
  byPhase: Record<string, number>;
  /** Findings of validateBreadcrumb and validateWorkspace together. */
  findings: Record<Severity, number>;
}

const MISSING = '(missing)';

export function summarize(items: ReadonlyArray<BreadcrumbItem>): BreadcrumbSummary {
  const byStatus: Record<string, number> = {};
  const byPhase: Record<string, number> = {};
  const findings: Record<Severity, number> = { error: 0, warning: 0, information: 0, hint: 0 };
  const files = new Set<string>();
  for (const { file, breadcrumb } of items) {
    files.add(file);
    const status = effective(breadcrumb, 'AI_STATUS')?.trim() || MISSING;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    const phase = phaseOf(breadcrumb) ?? MISSING;
    byPhase[phase] = (byPhase[phase] ?? 0) + 1;
    for (const f of validateBreadcrumb(breadcrumb)) findings[f.severity]++;
  }
  for (const list of validateWorkspace(items).values()) for (const f of list) findings[f.severity]++;
  return { total: items.length, files: files.size, byStatus, byPhase, findings };
}

/** Plain-text report, largest counts first. */
export function formatSummary(s: BreadcrumbSummary): string {
  const table = (title: string, counts: Record<string, number>): string[] => [
    `${title}:`,
    ...Object.entries(counts)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([k, n]) => `  ${k.padEnd(24)} ${n}`),
  ];
  const f = s.findings;
  return [
    `${s.total} breadcrumbs in ${s.files} files`,
    ...table('By status', s.byStatus),
    ...table('By phase', s.byPhase),
    `Findings: ${f.error} errors, ${f.warning} warnings, ${f.information} information, ${f.hint} hints`,
  ].join('\n');
}
