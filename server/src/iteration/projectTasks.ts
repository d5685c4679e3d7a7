// The tasks of a run: the breadcrumbs in a project's directories, in the
// order BREADCRUMBS.md gives (status, priority, dependencies), or the one task
// the request names.

import { selectTasks } from '../breadcrumbs/tasks';
import type { BreadcrumbItem } from '../breadcrumbs/types';
import type { TaskSpec } from './types';

/** Where a project name points, in order (the first that has breadcrumbs wins ties in ordering only). */
export function projectDirectories(project: string, mapping: Readonly<Record<string, string[]>> = {}): string[] {
  const clean = project.replace(/\\/g, '/').replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (mapping[clean]) return mapping[clean];
  if (clean.includes('/')) return [clean];
  return [`workbench/hidds/${clean}`, `arch/all/${clean}`, clean];
}

export function projectTasks(items: readonly BreadcrumbItem[], dirs: readonly string[], limit: number): TaskSpec[] {
  const inProject = (file: string): boolean => dirs.some((d) => file === d || file.startsWith(`${d}/`));
  return selectTasks(items.filter((i) => inProject(i.file)))
    .filter((t) => t.breadcrumb.target?.kind === 'function')
    .slice(0, Math.max(0, limit))
    .map((t) => ({
      description: describeTask(t.breadcrumb.tags, t.breadcrumb.target?.name ?? '', t.status),
      file: t.file,
      symbol: t.breadcrumb.target?.name,
      breadcrumbLine: t.breadcrumb.line,
    }));
}

/** A task's description from its breadcrumb: the verb from the status, the phase, the strategy. */
export function describeTask(tags: Record<string, string[]>, name: string, status: string): string {
  const last = (tag: string): string | undefined => tags[tag]?.[tags[tag].length - 1];
  const verb = status === 'NEEDS_REFACTOR' ? 'Refactor' : status === 'PARTIAL' ? 'Finish' : 'Implement';
  const strategy = last('AI_STRATEGY') ?? last('AI_DETAILS') ?? last('AI_NOTE');
  const phase = last('AI_PHASE');
  return `${verb} ${name}${phase ? ` (phase ${phase})` : ''}${strategy ? `: ${strategy}` : ''}`;
}
