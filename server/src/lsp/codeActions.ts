// textDocument/codeAction: model-free quick fixes for our breadcrumb diagnostics,
// and "Add an AI breadcrumb" on a function definition that has none. Listing runs
// no model; every action carries its edit, checked against the document version.

import {
  CodeActionKind,
  type CodeAction,
  type CodeActionOptions,
  type Diagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { insertBreadcrumb, quickFixes, type FindingLike, type FixOptions } from '../actions/breadcrumbFixes';
import type { BreadcrumbTarget } from '../breadcrumbs/types';
import { phaseOf, statusOf } from '../breadcrumbs/values';
import { TASK_STATUSES } from '../breadcrumbs/tasks';
import { describeTask } from '../iteration/projectTasks';
import type { Range } from '../index/types';
import { autodocAction, draftBreadcrumbAction } from './autodocAction';
import { explainActions } from './explainAction';
import { COMPILER_SOURCE } from './compilerDiagnostics';
import { type DocumentRef, type ServerContext, documentRef } from './context';
import { invalid, requireUri } from './params';

/** For `capabilities.codeActionProvider` in initialize. */
export const codeActionCapability: CodeActionOptions = {
  codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.Refactor],
  resolveProvider: false,
};

const SOURCE = 'aros-lsp';

export function registerCodeActions(ctx: ServerContext): void {
  ctx.connection.onCodeAction((params) => codeActions(ctx, params));
}

export async function codeActions(ctx: ServerContext, params: unknown): Promise<CodeAction[]> {
  const uri = requireUri(params);
  const range = requireRange(params);
  const diagnostics = ownDiagnostics(params);
  const only = requestedKinds(params);
  const ref = await documentRef(ctx, uri);
  if (!ref) return [];
  const text = await ref.session.readText(ref.key);
  if (text === undefined) return [];
  // Edits are only valid for the text they were computed from: the open document's version says which.
  const version = ref.session.documents.get(ref.key)?.version;
  const edit = (edits: TextEdit[]): WorkspaceEdit =>
    version !== undefined ? { documentChanges: [{ textDocument: { uri, version }, edits }] } : { changes: { [uri]: edits } };

  const actions: CodeAction[] = [];
  // The server edits only workspace files: a document outside it (or behind a symlink leading out) gets no edit, only explain and review.
  if (ref.session.diskProblem(ref.key)) return only ? [] : explainActions(ref, range.start.line);
  if (wants(only, CodeActionKind.QuickFix)) actions.push(...compilerFixActions(ref, params));
  if (wants(only, CodeActionKind.QuickFix) && diagnostics.length > 0) {
    const options = fixOptions(ref, diagnostics);
    for (const d of diagnostics) {
      for (const fix of quickFixes(text, d.finding, options)) {
        const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d.diagnostic], edit: edit(fix.edits) };
        if (fix.preferred === true) action.isPreferred = true;
        actions.push(action);
      }
    }
  }
  if (wants(only, CodeActionKind.Refactor)) {
    const add = addBreadcrumb(ref, text, range);
    if (add) actions.push({ title: add.title, kind: CodeActionKind.Refactor, edit: edit(add.edits) });
    const draft = draftBreadcrumbAction(ref, range.start.line, add?.title);
    if (draft) actions.push(draft);
    actions.push(...loopActions(ref, range));
    const doc = autodocAction(ref, range.start.line);
    if (doc) actions.push(doc);
  }
  // Explain and review change nothing, so they have no kind: listed only when no kind is asked for.
  if (!only) actions.push(...explainActions(ref, range.start.line));
  return actions;
}

export const LOOP_COMMANDS = { implement: 'aros.implementFromBreadcrumb', run: 'aros.runIterationHere', fix: 'aros.fixCompilerError' } as const;

/** "Fix with AI" on each compiler error (from "check this file"): the loop on the enclosing function, told the error. */
function compilerFixActions(ref: DocumentRef, params: unknown): CodeAction[] {
  const diagnostics = (context(params)?.diagnostics as unknown[] | undefined) ?? [];
  const file = ref.session.index.get(ref.key);
  if (!file) return [];
  const out: CodeAction[] = [];
  for (const raw of diagnostics) {
    const d = raw as Diagnostic;
    if (d?.source !== COMPILER_SOURCE || d.severity !== 1 || !asRange(d.range)) continue;
    const line = d.range.start.line;
    const fn = ref.session.index.symbolsOf(file).find((s) => s.kind === 'function' && s.definition && s.range.start.line <= line && line <= s.range.end.line);
    if (!fn) continue;
    const task = { file: ref.key, symbol: fn.name, description: `Fix the compiler error in ${fn.name}: ${d.message}`, errors: [{ line: line + 1, message: d.message }] };
    out.push({ title: `Fix with AI: ${d.message}`, kind: CodeActionKind.QuickFix, diagnostics: [d], command: { title: 'Fix with AI', command: LOOP_COMMANDS.fix, arguments: [task] } });
  }
  return out;
}

/**
 * On a breadcrumb that is a task (or its function's head): implement it now,
 * or run the loop on it. Listing costs nothing; the command runs the models.
 */
function loopActions(ref: DocumentRef, range: Range): CodeAction[] {
  const file = ref.session.index.get(ref.key);
  if (!file) return [];
  const line = range.start.line;
  const crumb = file.breadcrumbs.find((b) => {
    if (b.target?.kind !== 'function') return false;
    const head = ref.session.index.symbolsOf(file).find((s) => s.kind === 'function' && s.name === b.target?.name && s.range.start.line === b.target.line);
    return (b.range.start.line <= line && line <= b.range.end.line) || (head !== undefined && head.range.start.line <= line && line <= head.selectionRange.end.line);
  });
  const status = crumb ? statusOf(crumb) : undefined;
  if (!crumb?.target || status === undefined || !TASK_STATUSES.includes(status)) return [];
  const task = { file: ref.key, symbol: crumb.target.name, description: describeTask(crumb.tags, crumb.target.name, status) };
  return [
    { title: `Implement ${crumb.target.name} from its breadcrumb (AI, compile-checked)`, kind: CodeActionKind.RefactorRewrite, command: { title: 'Implement', command: LOOP_COMMANDS.implement, arguments: [task] } },
    { title: `Run the loop on ${crumb.target.name} (show the result, change nothing)`, kind: CodeActionKind.Refactor, command: { title: 'Run the loop', command: LOOP_COMMANDS.run, arguments: [task] } },
  ];
}

/** The function whose head (first line to its name) holds the request's start, when it has no breadcrumb. */
function addBreadcrumb(ref: DocumentRef, text: string, range: Range): ReturnType<typeof insertBreadcrumb> {
  const file = ref.session.index.get(ref.key);
  if (!file) return undefined;
  const line = range.start.line;
  const fn = ref.session.index
    .symbolsOf(file)
    .find((s) => s.kind === 'function' && s.definition && s.range.start.line <= line && line <= s.selectionRange.end.line);
  if (!fn || file.breadcrumbs.some((b) => b.target?.name === fn.name && b.target.line === fn.range.start.line)) return undefined;
  return insertBreadcrumb(text, fn.range.start.line, ref.key);
}

/** What a fix may need beyond the text, computed only when a diagnostic asks for it. */
function fixOptions(ref: DocumentRef, diagnostics: readonly OwnDiagnostic[]): FixOptions {
  const options: FixOptions = { file: ref.key };
  const codes = new Set(diagnostics.map((d) => d.finding.code));
  if (codes.has('unknown-phase')) {
    const phases = new Set<string>();
    for (const { breadcrumb } of ref.session.breadcrumbItems()) {
      const p = phaseOf(breadcrumb);
      if (p !== undefined) phases.add(p);
    }
    options.knownPhases = [...phases];
  }
  if (codes.has('no-target')) {
    const file = ref.session.index.get(ref.key);
    options.definitions = file
      ? ref.session.index
          .symbolsOf(file)
          .filter((s) => s.kind === 'function' && s.definition)
          .map((s): BreadcrumbTarget => ({ name: s.name, kind: s.kind, startLine: s.range.start.line, endLine: s.range.end.line, hasBody: true }))
      : [];
  }
  return options;
}

// ---------------------------------------------------------------------------
// Params: the client echoes our diagnostics back; trust none of their shape.

interface OwnDiagnostic {
  diagnostic: Diagnostic;
  finding: FindingLike;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asRange(v: unknown): Range | undefined {
  if (!isObject(v)) return undefined;
  const pos = (p: unknown): { line: number; character: number } | undefined =>
    isObject(p) && Number.isInteger(p.line) && Number.isInteger(p.character) && (p.line as number) >= 0 && (p.character as number) >= 0
      ? { line: p.line as number, character: p.character as number }
      : undefined;
  const start = pos(v.start);
  const end = pos(v.end);
  return start && end ? { start, end } : undefined;
}

function requireRange(params: unknown): Range {
  const range = asRange(isObject(params) ? params.range : undefined);
  if (!range) throw invalid('params.range must be { start: Position, end: Position } with non-negative integers');
  return range;
}

function context(params: unknown): Record<string, unknown> | undefined {
  const c = isObject(params) ? params.context : undefined;
  if (c === undefined) return undefined;
  if (!isObject(c)) throw invalid('params.context must be an object');
  return c;
}

/** Our own diagnostics of the request; another source's or a malformed one is skipped, not an error. */
function ownDiagnostics(params: unknown): OwnDiagnostic[] {
  const list = context(params)?.diagnostics;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw invalid('params.context.diagnostics must be an array');
  const out: OwnDiagnostic[] = [];
  for (const d of list as unknown[]) {
    if (!isObject(d) || d.source !== SOURCE || typeof d.code !== 'string') continue;
    const range = asRange(d.range);
    if (!range) continue;
    const message = typeof d.message === 'string' ? d.message : '';
    out.push({ diagnostic: d as unknown as Diagnostic, finding: { code: d.code, range, message, data: findingData(d.data) } });
  }
  return out;
}

function findingData(v: unknown): FindingLike['data'] {
  if (!isObject(v)) return undefined;
  const data: NonNullable<FindingLike['data']> = {};
  for (const k of ['tag', 'value', 'suggestion'] as const) if (typeof v[k] === 'string') data[k] = v[k];
  return data;
}

function requestedKinds(params: unknown): string[] | undefined {
  const only = context(params)?.only;
  if (only === undefined) return undefined;
  if (!Array.isArray(only) || !only.every((k) => typeof k === 'string')) throw invalid('params.context.only must be an array of strings');
  return only as string[];
}

/** Kinds are hierarchical: asking for `refactor` includes `refactor.rewrite`, not the reverse. */
function wants(only: readonly string[] | undefined, kind: string): boolean {
  return only === undefined || only.some((k) => kind === k || kind.startsWith(`${k}.`));
}
