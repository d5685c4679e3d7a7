// The iteration loop's task list (BREADCRUMBS.md, "Tasks").

import { buildPhaseGraph, dependencyDepth } from './graph';
import type { Breadcrumb, BreadcrumbItem } from './types';
import { phaseOf, priorityOf, statusOf } from './values';

/** Task statuses in the order the loop takes them. */
export const TASK_STATUSES: readonly string[] = ['PARTIAL', 'NOT_STARTED', 'NEEDS_REFACTOR'];

export interface Task {
  file: string;
  breadcrumb: Breadcrumb;
  /** Upper-case AI_STATUS: one of TASK_STATUSES. */
  status: string;
  /** AI_PRIORITY when it is a valid integer 1..10. */
  priority?: number;
  /** Upper-case AI_PHASE. */
  phase?: string;
}

/**
 * Breadcrumbs that are tasks, ordered by status (PARTIAL, NOT_STARTED, NEEDS_REFACTOR),
 * then priority (10 first), then dependency order (a phase before the phases that depend
 * on it), then path, then line. Dependencies are read from every breadcrumb in `all`, not
 * only from the tasks, because a finished phase still orders the ones around it.
 */
export function selectTasks(all: ReadonlyArray<BreadcrumbItem>): Task[] {
  const depth = dependencyDepth(buildPhaseGraph(all));
  const tasks: Task[] = [];
  for (const { file, breadcrumb } of all) {
    const status = statusOf(breadcrumb);
    if (status === undefined || !TASK_STATUSES.includes(status)) continue;
    const task: Task = { file, breadcrumb, status };
    const priority = priorityOf(breadcrumb);
    if (priority !== undefined) task.priority = priority;
    const phase = phaseOf(breadcrumb);
    if (phase !== undefined) task.phase = phase;
    tasks.push(task);
  }
  // A missing or malformed priority sorts after every valid one: the spec orders "high
  // first", and an unprioritised task should not jump ahead of ones someone ranked.
  const rank = (t: Task): number => (t.priority === undefined ? 0 : t.priority);
  // Phaseless tasks have no dependencies, so they sit at depth 0.
  const level = (t: Task): number => (t.phase === undefined ? 0 : (depth.get(t.phase) ?? 0));
  return tasks.sort(
    (a, b) =>
      TASK_STATUSES.indexOf(a.status) - TASK_STATUSES.indexOf(b.status) ||
      rank(b) - rank(a) ||
      level(a) - level(b) ||
      compareStrings(a.file, b.file) ||
      a.breadcrumb.line - b.breadcrumb.line,
  );
}

/** Code-unit order, so the result does not depend on the locale. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
