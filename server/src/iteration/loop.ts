// The six-phase loop: for each task, explore once, then attempt until the
// code compiles or the retry budget is spent: reason (instruction model),
// generate (code model, FIM inside the function), review (deterministic
// checks, then the instruction model), compile (the configured command on a
// scratch copy, really), learn (error memory: occurrences, and fixes when an
// error of the previous attempt is gone). Nothing here writes user files: the
// result carries the edit.

import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { BreadcrumbItem } from '../breadcrumbs/types';
import type { RuntimeRequest } from '../models/modelRuntime';
import { ModelError, type GenerateOptions, type GenerateResult, type Role } from '../models/types';
import { updateBreadcrumb } from './breadcrumbUpdate';
import { compileCheck, isError } from './compileCheck';
import { errorKind, normaliseError } from './errorSignature';
import { extractBody } from './extractCode';
import type { CompilerDiagnostic } from './gccDiagnostics';
import { planComment, reasonMessages, reviewMessages, formatDiagnostic, type PriorAttempt, type RememberedFix } from './prompts';
import { projectDirectories, projectTasks } from './projectTasks';
import { RetryBudget, type FailureKind } from './retryBudget';
import { reviewChange } from './review';
import { findFunction, replaceFunction } from './targetFunction';
import type { AttemptResult, IterationEvent, IterationParams, IterationResult, Phase, PhaseRecord, TaskResult, TaskSpec, TextEdit } from './types';

/** The error memory as the loop uses it. */
export interface LoopMemory {
  similarFixes(message: string, limit?: number): Array<{ message: string; diff: string; reason: string }>;
  recordOccurrence(o: { message: string; flag?: string; file: string; line: number; task: string }): Promise<unknown>;
  recordFix(f: { message: string; flag?: string; before: string; after: string; reason: string; task: string }): Promise<unknown>;
}

/** The session log as the loop uses it (the caller writes its start and end). */
export interface LoopLog {
  readonly id: string;
  append(record: { type: 'phase' | 'attempt' | 'result'; [key: string]: unknown }): Promise<unknown>;
}

export interface LoopDeps {
  /** Absolute workspace root. */
  workspace: string;
  cacheDir: string;
  breadcrumbs(): readonly BreadcrumbItem[];
  readText(file: string): Promise<string | undefined>;
  /** Why a task's file may not be read or edited (outside the workspace, a symlink leading out); undefined when it may. */
  pathProblem?(file: string): string | undefined;
  /** The explore phase: snippets for the task as text, and what it looked at. */
  explore(task: TaskSpec, signal: AbortSignal): Promise<{ text: string; summary: string }>;
  generate(role: Role, request: RuntimeRequest, options: GenerateOptions): Promise<GenerateResult>;
  compile: { argv: readonly string[]; timeoutMs: number };
  memory: LoopMemory;
  log: LoopLog;
  onEvent?(event: IterationEvent): void;
  projects?: Readonly<Record<string, string[]>>;
  tokens?: { reason?: number; generate?: number; review?: number };
  /** Earlier attempts kept in the planning prompt (session.max_conversation_history). */
  historyLimit?: number;
}

class Cancelled extends Error {}

export async function runIteration(params: IterationParams, deps: LoopDeps, signal: AbortSignal): Promise<IterationResult> {
  const tasks = params.task ? [params.task] : projectTasks(deps.breadcrumbs(), projectDirectories(params.project ?? '', deps.projects), params.maxIterations);
  await deps.log.append({ type: 'phase', phase: 'tasks', tasks });
  const results: TaskResult[] = [];
  for (const [i, task] of tasks.entries()) {
    if (signal.aborted) {
      results.push({ task, status: 'cancelled', reason: 'the run was cancelled', attempts: [] });
      continue;
    }
    deps.onEvent?.({ type: 'task', iteration: i + 1, total: tasks.length, task });
    const result = await runTask(i + 1, task, params, deps, signal);
    results.push(result);
    await deps.log.append({ type: 'result', iteration: i + 1, status: result.status, reason: result.reason, edit: result.edit });
    deps.onEvent?.({ type: 'task-end', iteration: i + 1, result });
  }
  const summary = {
    total: results.length,
    successful: results.filter((r) => r.status === 'success').length,
    failed: results.filter((r) => r.status === 'failed' || r.status === 'skipped').length,
    cancelled: results.filter((r) => r.status === 'cancelled').length,
  };
  const edits = results.flatMap((r) => (r.edit ? [r.edit] : []));
  return { sessionId: deps.log.id, results, summary, edits };
}

async function runTask(iteration: number, task: TaskSpec, params: IterationParams, deps: LoopDeps, signal: AbortSignal): Promise<TaskResult> {
  const outside = deps.pathProblem?.(task.file);
  if (outside) return { task, status: 'skipped', reason: `${task.file} ${outside}: the loop reads and edits workspace files only`, attempts: [] };
  const original = await deps.readText(task.file);
  if (original === undefined) return { task, status: 'skipped', reason: `${task.file} cannot be read`, attempts: [] };
  const name = task.symbol ?? '';
  const target = name ? findFunction(original, name) : undefined;
  if (!target) return { task, status: 'skipped', reason: `no function ${name || '(unnamed)'} in ${task.file}`, attempts: [] };
  // The task's breadcrumb: the one it came from, or the one above the function it names.
  const crumb = deps
    .breadcrumbs()
    .find((b) => b.file === task.file && (task.breadcrumbLine !== undefined ? b.breadcrumb.line === task.breadcrumbLine : b.breadcrumb.target?.name === name))?.breadcrumb;
  const crumbText = crumb ? original.split('\n').slice(crumb.range.start.line, crumb.range.end.line + 1).join('\n') : undefined;

  const attempts: AttemptResult[] = [];
  // Errors the task was asked to fix (a compiler diagnostic in the editor) count as attempt 0's,
  // so the plan sees them and their fix is remembered when they go away.
  const given: AttemptResult | undefined = task.errors?.length
    ? { attempt: 0, phases: [], code: original.slice(target.start, target.end), diagnostics: task.errors.map((e) => ({ file: path.join(deps.workspace, task.file), line: e.line, severity: 'error', message: e.message, notes: [], includeChain: [] })), ok: false }
    : undefined;
  if (given) attempts.push(given);
  const budget = new RetryBudget(params.maxRetries);
  const fixed: Array<{ error: string; reason: string }> = [];
  let exploration: { text: string; summary: string } | undefined;
  try {
    for (let n = 1; ; n++) {
      const run = new AttemptRun(iteration, n, deps, signal);
      if (!exploration) {
        exploration = await run.phase('explore', async () => {
          const e = await deps.explore(task, signal);
          return { ok: true, summary: e.summary, output: e.text, value: e };
        });
      }
      const kept = deps.historyLimit === undefined ? attempts : attempts.slice(Math.max(0, attempts.length - deps.historyLimit));
      const prior: PriorAttempt[] = kept.map((a) => ({ code: a.code, errors: a.diagnostics.filter(isError), review: a.phases.find((p) => p.phase === 'review')?.output }));
      const lastErrors = prior.length ? prior[prior.length - 1].errors : [];
      const fixes = rememberedFixes(deps.memory, lastErrors);
      const reasonInput = { task: task.description, file: task.file, breadcrumb: crumbText, currentCode: original.slice(target.start, target.end), exploration: exploration.text, attempts: prior, fixes };
      const messages = reasonMessages(reasonInput);
      const plan = await run.phase('reason', async () => {
        const r = await run.model('reason', 'llm', { kind: 'chat', messages, sampling: { maxTokens: deps.tokens?.reason ?? 384 } });
        return { ok: r.text.trim().length > 0, summary: `${r.tokens} tokens`, output: r.text, value: r.text };
      });
      const code = await run.phase('generate', async () => {
        const prefix = `${original.slice(0, target.start)}${target.header}\n{\n${planComment(plan, lastErrors)}`;
        const suffix = `\n}${original.slice(target.end)}`;
        const r = await run.model('generate', 'codegen', { kind: 'infill', prefix, suffix, sampling: { maxTokens: deps.tokens?.generate ?? 512 } });
        const body = extractBody(r.text, target.name);
        return { ok: body.trim().length > 0, summary: `${r.tokens} tokens, ${body.split('\n').length} lines`, output: r.text, value: body };
      });
      const { text: newText, functionText: fnText } = replaceFunction(original, target, code);
      const review = await run.phase('review', async () => {
        const det = reviewChange(target, newText, crumb?.line);
        const r = await run.model('review', 'llm', { kind: 'chat', messages: reviewMessages(task.description, fnText, det.findings), sampling: { maxTokens: deps.tokens?.review ?? 128 } });
        const summary = det.ok ? 'checks passed' : det.findings.join('; ');
        return { ok: det.ok, summary, output: `${det.findings.join('\n')}${det.findings.length ? '\n' : ''}model review: ${r.text.trim()}`, value: det };
      });
      const compiled = await run.phase('compile', async () => {
        const lineMap = originalLines(original, target.start, target.end, fnText);
        const c = await compileCheck({ workspace: deps.workspace, cacheDir: deps.cacheDir, file: task.file, text: newText, compile: deps.compile, lineMap }, signal, (text) => deps.onEvent?.({ type: 'compiler-output', iteration, attempt: n, text }));
        return { ok: c.ok, summary: c.summary, output: c.output, value: c };
      });
      const errors = compiled.diagnostics.filter(isError);
      await run.phase('learn', async () => {
        const learned = await learn(deps.memory, task, errors, attempts[attempts.length - 1], fnText, plan, fixed);
        return { ok: true, summary: learned, value: undefined };
      });
      const attempt: AttemptResult = { attempt: n, phases: run.records, code: fnText, diagnostics: compiled.diagnostics, reasonPrompt: messages.map((m) => m.content).join('\n\n'), ok: review.ok && compiled.ok };
      attempts.push(attempt);
      await deps.log.append({ type: 'attempt', iteration, attempt: n, ok: attempt.ok, phases: run.records, diagnostics: compiled.diagnostics.map(formatDiagnostic) });
      if (attempt.ok) {
        const finalText = crumb ? updateBreadcrumb(newText, crumb, { status: 'IMPLEMENTED', fixed }) : newText;
        return { task, status: 'success', reason: `compiled cleanly after ${n} attempt${n > 1 ? 's' : ''}`, attempts: own(attempts), edit: minimalEdit(task.file, original, finalText) };
      }
      if (compiled.fatal) return { task, status: 'failed', reason: compiled.summary, attempts: own(attempts) };
      const kinds: FailureKind[] = [...errors.map((e) => errorKind(e.message, e.flag, e.severity)), ...(review.ok ? [] : (['review'] as const)), ...(compiled.crashed ? (['crash'] as const) : [])];
      const stop = budget.charge(kinds, hash(fnText, errors.map((e) => normaliseError(e.message)).join('|')));
      if (stop) return { task, status: 'failed', reason: stop, attempts: own(attempts) };
    }
  } catch (err) {
    if (err instanceof Cancelled || signal.aborted) return { task, status: 'cancelled', reason: 'the run was cancelled', attempts: own(attempts) };
    if (err instanceof ModelError) return { task, status: 'failed', reason: err.message, attempts: own(attempts) };
    throw err;
  }
}

/** One attempt's phases: events, timing, records, cancellation. */
class AttemptRun {
  readonly records: PhaseRecord[] = [];

  constructor(
    private readonly iteration: number,
    private readonly attempt: number,
    private readonly deps: LoopDeps,
    private readonly signal: AbortSignal,
  ) {}

  async phase<T>(phase: Phase, work: () => Promise<{ ok: boolean; summary: string; output?: string; value: T }>): Promise<T> {
    if (this.signal.aborted) throw new Cancelled();
    this.deps.onEvent?.({ type: 'phase-start', iteration: this.iteration, attempt: this.attempt, phase });
    const t0 = performance.now();
    const r = await work();
    if (this.signal.aborted) throw new Cancelled();
    const ms = performance.now() - t0;
    this.records.push({ phase, ok: r.ok, ms, summary: r.summary, output: r.output?.slice(0, 20_000) });
    this.deps.onEvent?.({ type: 'phase-end', iteration: this.iteration, attempt: this.attempt, phase, ok: r.ok, summary: r.summary, ms });
    return r.value;
  }

  model(phase: Phase, role: Role, request: RuntimeRequest): Promise<GenerateResult> {
    return this.deps.generate(role, request, {
      signal: this.signal,
      lane: 'loop',
      onText: (text) => this.deps.onEvent?.({ type: 'token', iteration: this.iteration, attempt: this.attempt, phase, text }),
    });
  }
}

/** Records this attempt's errors; an error of the previous attempt that is gone now was fixed by this change. */
async function learn(
  memory: LoopMemory,
  task: TaskSpec,
  errors: readonly CompilerDiagnostic[],
  previous: AttemptResult | undefined,
  code: string,
  plan: string,
  fixed: Array<{ error: string; reason: string }>,
): Promise<string> {
  for (const e of errors) {
    await memory.recordOccurrence({ message: e.message, flag: e.flag, file: task.file, line: e.line, task: task.description });
  }
  let fixes = 0;
  if (previous?.code) {
    const now = new Set(errors.map((e) => normaliseError(e.message, { flag: e.flag })));
    for (const e of previous.diagnostics.filter(isError)) {
      const signature = normaliseError(e.message, { flag: e.flag });
      if (now.has(signature)) continue;
      const reason = firstLine(plan) || 'rewritten by the next attempt';
      await memory.recordFix({ message: e.message, flag: e.flag, before: previous.code, after: code, reason, task: task.description });
      fixed.push({ error: formatDiagnostic(e), reason });
      fixes++;
    }
  }
  return `${errors.length} error(s) recorded, ${fixes} fix(es) learned`;
}

function rememberedFixes(memory: LoopMemory, errors: readonly CompilerDiagnostic[]): RememberedFix[] {
  const seen = new Set<string>();
  const out: RememberedFix[] = [];
  for (const e of errors) {
    for (const f of memory.similarFixes(e.message, 2)) {
      const key = `${f.message}\0${f.diff}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ message: f.message, diff: f.diff, reason: f.reason });
    }
  }
  return out.slice(0, 4);
}

/**
 * Lines of the proposed text as lines of the original file: the same before
 * the function, shifted after it, and inside it kept within the original
 * function's lines (the new code has no line of its own in the original).
 */
export function originalLines(original: string, start: number, end: number, functionText: string): (line: number) => number {
  const first = lineOf(original, start);
  const oldCount = lineOf(original, end) - first + 1;
  const newCount = functionText.split('\n').length;
  return (line) => (line < first ? line : line >= first + newCount ? line - (newCount - oldCount) : Math.min(line, first + oldCount - 1));
}

/** 1-based line of an offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Only the lines that differ, so the edit touches as little of the file as possible. */
export function minimalEdit(file: string, before: string, after: string): TextEdit {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let tail = 0;
  while (tail < a.length - start && tail < b.length - start && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const newLines = b.slice(start, b.length - tail);
  return { file, startLine: start, endLine: a.length - tail, newText: newLines.length ? `${newLines.join('\n')}\n` : '' };
}

/** The attempts the loop made (not the errors it was given). */
function own(attempts: readonly AttemptResult[]): AttemptResult[] {
  return attempts.filter((a) => a.attempt > 0);
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim()) ?? '').trim().slice(0, 200);
}

function hash(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}
