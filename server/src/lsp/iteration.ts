// `aros/runIteration`: the loop over LSP. Progress as `$/progress`
// ("Iteration 2/10 · compile"), live events as `aros/iterationEvent`, finished
// tasks as partial results, cancellation through `$/cancelRequest` (or the
// progress's cancel button), and the edit applied with `workspace/applyEdit`
// only when asked and only if the documents have not changed meanwhile.

import { NotificationType, ProgressType, RequestType, type CancellationToken, type WorkspaceEdit } from 'vscode-languageserver/node';
import * as path from 'node:path';
import { isInside, relativePathProblem } from '../config/workspacePaths';
import type { IterationService } from '../iteration/iterationService';
import type { IterationEvent, IterationParams, IterationResult, RunIterationParams, TaskResult, TextEdit } from '../iteration/types';
import type { ServerContext } from './context';
import { pathToUri, uriToPath } from './convert';
import { invalid } from './params';


export const runIterationRequest = new RequestType<RunIterationParams, IterationResult, void>('aros/runIteration');
export const iterationEventNotification = new NotificationType<IterationEvent>('aros/iterationEvent');
/** Finished tasks, sent as they finish when the client gave a partialResultToken. */
const partialResults = new ProgressType<TaskResult[]>();

export function registerIteration(ctx: ServerContext, service: () => IterationService | undefined): void {
  ctx.connection.onRequest(runIterationRequest, (raw, token) => runWithProgress(ctx, service, checkParams(raw), token, raw.workDoneToken, raw.partialResultToken));
}

/**
 * One run with progress, events, partial results and cancellation; the edit
 * applied through `workspace/applyEdit` only when asked and only when the open
 * documents are still at the versions they had when the run started. Shared by
 * the request and the code-action commands.
 */
export async function runWithProgress(
  ctx: ServerContext,
  service: () => IterationService | undefined,
  params: IterationParams,
  token: CancellationToken,
  workDoneToken?: string | number,
  partialResultToken?: string | number,
): Promise<IterationResult> {
  const { connection } = ctx;
  const svc = service();
  const session = ctx.session();
  if (!svc || !session) throw invalid('the loop needs a workspace folder');
  params = withRelativeTaskFile(session.root, params);
  checkPaths(session.root, params);
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  token.onCancellationRequested(() => controller.abort());
  const progress = workDoneToken !== undefined ? connection.window.attachWorkDoneProgress(workDoneToken) : await connection.window.createWorkDoneProgress();
  progress.begin('AROS iteration', 0, 'finding tasks', true);
  // Versions of open documents when the run starts: an edit is applied only if they still match.
  const versions = new Map<string, number>();
  for (const d of session.documents.all()) versions.set(d.path, d.version);
  let total = 1;
  const onEvent = (e: IterationEvent): void => {
    void connection.sendNotification(iterationEventNotification, e);
    if (e.type === 'task') total = e.total;
    if (e.type === 'phase-start') progress.report(Math.floor(((e.iteration - 1) / Math.max(1, total)) * 100), `Iteration ${e.iteration}/${total} · ${e.phase}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
    if (e.type === 'task-end' && partialResultToken !== undefined) void connection.sendProgress(partialResults, partialResultToken, [e.result]);
  };
  try {
    const result = await svc.run(params, controller.signal, onEvent);
    // Edits go to workspace files only (the loop checks its tasks too; this is the last gate before the editor).
    const outside = result.edits.flatMap((e) => {
      const problem = relativePathProblem(session.root, e.file);
      return problem ? [`${e.file} ${problem}`] : [];
    });
    if (params.apply && outside.length) {
      result.applied = false;
      result.applyMessage = `not applied: ${outside.join(', ')}`;
    } else if (params.apply && result.edits.length) {
      const stale = result.edits.filter((edit) => {
        const now = session.documents.get(edit.file)?.version;
        return versions.has(edit.file) ? now !== versions.get(edit.file) : now !== undefined;
      });
      if (stale.length) {
        result.applied = false;
        result.applyMessage = `not applied: ${stale.map((s) => s.file).join(', ')} changed during the run`;
      } else {
        const applied = await connection.workspace.applyEdit({ label: 'AROS iteration', edit: workspaceEdit(ctx, result.edits, versions) });
        result.applied = applied.applied;
        result.applyMessage = applied.applied ? `applied ${result.edits.length} edit(s)` : `the editor refused the edit${applied.failureReason ? `: ${applied.failureReason}` : ''}`;
      }
    }
    return result;
  } finally {
    progress.done();
  }
}

function workspaceEdit(ctx: ServerContext, edits: readonly TextEdit[], versions: ReadonlyMap<string, number>): WorkspaceEdit {
  const session = ctx.session();
  if (!session) return {};
  return {
    documentChanges: edits.map((e) => ({
      textDocument: { uri: pathToUri(session.absOf(e.file)), version: versions.get(e.file) ?? null },
      edits: [{ range: { start: { line: e.startLine, character: 0 }, end: { line: e.endLine, character: 0 } }, newText: e.newText }],
    })),
  };
}

/** The arguments of the code-action commands: one task `{file, symbol, description?}`; `apply` for "implement". */
export function loopTask(args: unknown[] | undefined, apply: boolean): IterationParams {
  const params = checkParams({ task: args?.[0], maxIterations: 1, apply });
  return params;
}

/**
 * Editors that cannot compute a workspace-relative path (Kakoune, Vim) name
 * the task's file by its absolute path or file URI: one inside the workspace
 * becomes relative; anything else is left for checkPaths to refuse.
 */
function withRelativeTaskFile(root: string, params: IterationParams): IterationParams {
  const file = params.task?.file;
  if (!params.task || file === undefined) return params;
  const abs = file.startsWith('file:') ? uriToPath(file) : path.isAbsolute(file) ? file : undefined;
  if (abs === undefined || !isInside(root, abs)) return params;
  return { ...params, task: { ...params.task, file: path.relative(root, abs).split(path.sep).join('/') } };
}

/**
 * Paths in the params name workspace files: relative, no `..`, no symlink
 * leading out (a project name is a path when it has a separator).
 */
function checkPaths(root: string, params: IterationParams): void {
  const project = params.project;
  const projectProblem = project !== undefined && /[\\/]|^\.\.?$/.test(project) ? relativePathProblem(root, project) : undefined;
  if (projectProblem) throw invalid(`params.project must be a project name or a workspace-relative path: '${project}' ${projectProblem}`);
  const file = params.task?.file;
  const fileProblem = file !== undefined ? relativePathProblem(root, file) : undefined;
  if (fileProblem) throw invalid(`params.task.file must be a workspace-relative path inside the workspace: '${file}' ${fileProblem}`);
}

function checkParams(raw: unknown): IterationParams {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('aros/runIteration params must be an object');
  const p = raw as RunIterationParams;
  const int = (v: unknown, name: string, dflt: number, max: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw invalid(`params.${name} must be an integer from 0 to ${max}`);
    return v;
  };
  if (p.project !== undefined && (typeof p.project !== 'string' || p.project === '')) throw invalid('params.project must be a project name or a workspace-relative path');
  if (p.apply !== undefined && typeof p.apply !== 'boolean') throw invalid('params.apply must be a boolean');
  let task: IterationParams['task'];
  if (p.task !== undefined) {
    const t = p.task;
    if (typeof t !== 'object' || t === null || typeof t.file !== 'string' || typeof t.symbol !== 'string') throw invalid('params.task needs file and symbol (strings)');
    task = { description: typeof t.description === 'string' ? t.description : `Implement ${t.symbol}`, file: t.file, symbol: t.symbol };
    const errors = (t as { errors?: unknown }).errors;
    if (errors !== undefined) {
      if (!Array.isArray(errors) || !errors.every((e) => typeof e?.message === 'string' && Number.isInteger(e?.line))) throw invalid('params.task.errors must be [{ line, message }]');
      task.errors = errors as Array<{ line: number; message: string }>;
    }
  }
  if (!task && !p.project) throw invalid('aros/runIteration needs params.project or params.task');
  return { project: p.project, task, maxIterations: int(p.maxIterations, 'maxIterations', 10, 1000), maxRetries: int(p.maxRetries, 'maxRetries', 2, 20), apply: p.apply ?? false };
}
