// Plain data of the iteration loop (`aros/runIteration`, `aros-lsp iterate`).

import type { CompilerDiagnostic } from './gccDiagnostics';

export type Phase = 'explore' | 'reason' | 'generate' | 'review' | 'compile' | 'learn';
export const PHASES: readonly Phase[] = ['explore', 'reason', 'generate', 'review', 'compile', 'learn'];

export interface TaskSpec {
  description: string;
  /** Workspace-relative path. */
  file: string;
  /** The function to write; default: the breadcrumb's target. */
  symbol?: string;
  /** 0-based line of the task's breadcrumb, when it came from one. */
  breadcrumbLine?: number;
  /** Compiler errors to fix (1-based lines), from a diagnostic the user chose. */
  errors?: Array<{ line: number; message: string }>;
}

export interface IterationParams {
  /** A project name (mapped to directories) or a workspace-relative path. */
  project?: string;
  task?: TaskSpec;
  maxIterations: number;
  /** Retries after the first attempt, before the budget adapts it. */
  maxRetries: number;
  apply: boolean;
}

/** `aros/runIteration` params as a client sends them (checked into IterationParams by lsp/iteration.ts). */
export interface RunIterationParams {
  project?: string;
  task?: { description?: string; file?: string; symbol?: string };
  maxIterations?: number;
  maxRetries?: number;
  apply?: boolean;
  workDoneToken?: string | number;
  partialResultToken?: string | number;
}

export interface PhaseRecord {
  phase: Phase;
  ok: boolean;
  ms: number;
  /** A short human summary. */
  summary: string;
  /** The phase's output: plan, code, findings, compiler output (bounded). */
  output?: string;
}

export interface AttemptResult {
  attempt: number;
  phases: PhaseRecord[];
  /** The function as generated (header and body). */
  code?: string;
  diagnostics: CompilerDiagnostic[];
  /** Prompt given to the instruction model (kept so tests and users can see what it was told). */
  reasonPrompt?: string;
  ok: boolean;
}

export interface TextEdit {
  /** Workspace-relative path. */
  file: string;
  /** 0-based lines; `endLine` exclusive: lines [startLine, endLine) are replaced. */
  startLine: number;
  endLine: number;
  newText: string;
}

export type TaskStatus = 'success' | 'failed' | 'cancelled' | 'skipped';

export interface TaskResult {
  task: TaskSpec;
  status: TaskStatus;
  reason: string;
  attempts: AttemptResult[];
  edit?: TextEdit;
}

export interface IterationSummary {
  total: number;
  successful: number;
  failed: number;
  cancelled: number;
}

export interface IterationResult {
  sessionId: string;
  results: TaskResult[];
  summary: IterationSummary;
  edits: TextEdit[];
  applied?: boolean;
  applyMessage?: string;
}

export type IterationEvent =
  | { type: 'task'; iteration: number; total: number; task: TaskSpec }
  | { type: 'phase-start'; iteration: number; attempt: number; phase: Phase }
  | { type: 'phase-end'; iteration: number; attempt: number; phase: Phase; ok: boolean; summary: string; ms: number }
  | { type: 'token'; iteration: number; attempt: number; phase: Phase; text: string }
  | { type: 'compiler-output'; iteration: number; attempt: number; text: string }
  | { type: 'task-end'; iteration: number; result: TaskResult };
