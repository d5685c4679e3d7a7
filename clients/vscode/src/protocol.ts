// The server's own protocol extensions, as plain types. They mirror
// server/src/lsp/status.ts, server/src/lsp/iteration.ts and
// server/src/iteration/types.ts; the extension is built on its own, so it
// cannot import them, and test/clients/vscode.test.ts checks (at compile
// time) that the two stay assignable to each other.

export type StatusState = 'loading' | 'indexing' | 'ready' | 'busy' | 'error' | 'unloaded';
export type ModelRole = 'codegen' | 'llm';

/** `aros/status`. */
export interface StatusParams {
  state: StatusState;
  message: string;
  component: 'index' | 'model';
  role?: ModelRole;
  files?: number;
}

export type Phase = 'explore' | 'reason' | 'generate' | 'review' | 'compile' | 'learn';

export interface TaskSpec {
  description: string;
  file: string;
  symbol?: string;
  breadcrumbLine?: number;
  errors?: Array<{ line: number; message: string }>;
}

export interface TextEdit {
  file: string;
  startLine: number;
  endLine: number;
  newText: string;
}

export type TaskStatus = 'success' | 'failed' | 'cancelled' | 'skipped';

/** The parts of a task's result the extension shows (the server sends more: attempts, phases). */
export interface TaskResult {
  task: TaskSpec;
  status: TaskStatus;
  reason: string;
  edit?: TextEdit;
}

/** `aros/iterationEvent`. */
export type IterationEvent =
  | { type: 'task'; iteration: number; total: number; task: TaskSpec }
  | { type: 'phase-start'; iteration: number; attempt: number; phase: Phase }
  | { type: 'phase-end'; iteration: number; attempt: number; phase: Phase; ok: boolean; summary: string; ms: number }
  | { type: 'token'; iteration: number; attempt: number; phase: Phase; text: string }
  | { type: 'compiler-output'; iteration: number; attempt: number; text: string }
  | { type: 'task-end'; iteration: number; result: TaskResult };

/** `aros/runIteration` params. */
export interface RunIterationParams {
  project?: string;
  task?: { description?: string; file?: string; symbol?: string };
  maxIterations?: number;
  maxRetries?: number;
  apply?: boolean;
  workDoneToken?: string | number;
  partialResultToken?: string | number;
}

/** `aros/runIteration` result. */
export interface IterationResult {
  sessionId: string;
  results: TaskResult[];
  summary: { total: number; successful: number; failed: number; cancelled: number };
  edits: TextEdit[];
  applied?: boolean;
  applyMessage?: string;
}

export const METHODS = {
  status: 'aros/status',
  runIteration: 'aros/runIteration',
  iterationEvent: 'aros/iterationEvent',
} as const;
