// The server's protocol extensions, as the server itself defines them. The
// imports are type-only: esbuild erases them when it bundles the extension,
// so nothing of the server ships in the .vsix, and a change on either side
// that breaks the other fails the extension's type-check.

import type { StatusParams } from '../../../server/src/lsp/status';

export type { StatusParams, StatusState } from '../../../server/src/lsp/status';
export type { IterationEvent, IterationResult, Phase, RunIterationParams, TaskResult, TaskSpec, TaskStatus, TextEdit } from '../../../server/src/iteration/types';
export type ModelRole = NonNullable<StatusParams['role']>;

export const METHODS = {
  status: 'aros/status',
  runIteration: 'aros/runIteration',
  iterationEvent: 'aros/iterationEvent',
} as const;
