// "Write the AutoDoc": the AROS layout from the signature (no model), the
// prose written by the instruction model from the body and the callers
// (JSON-schema constrained), delivered as an edit checked against the
// document's version. When the model fails nothing is applied and a message
// says why; sections the model left out keep their placeholders.

import type { CancellationToken, CodeAction } from 'vscode-languageserver/node';
import { CodeActionKind } from 'vscode-languageserver/node';
import { autodocEdit, autodocLayout, autodocPrompt, autodocSchema, fillAutodoc } from '../actions/autodoc';
import { STRATEGY_PLACEHOLDER, insertBreadcrumb } from '../actions/breadcrumbFixes';
import { findIdentifier, lexC, lineStarts, offsetToPosition } from '../index/lexer';
import type { SymbolInfo } from '../index/types';
import type { ModelRuntime } from '../models/modelRuntime';
import { ModelError } from '../models/types';
import type { DocumentRef, ServerContext } from './context';
import { commandTarget, functionAt } from './functionAt';
import { invalid } from './params';

export const AUTODOC_COMMAND = 'aros.writeAutodoc';

/** The action on a function's head; listing it runs nothing. */
export function autodocAction(ref: DocumentRef, line: number): CodeAction | undefined {
  const fn = functionAt(ref, line);
  // Library functions may have theirs rewritten; other functions get one only when they have no doc comment.
  if (!fn || (fn.aros?.form !== 'library' && (fn.doc !== undefined || fn.autodoc !== undefined))) return undefined;
  return { title: `Write the AutoDoc for ${fn.name} (AI)`, kind: CodeActionKind.RefactorRewrite, command: { title: 'Write AutoDoc', command: AUTODOC_COMMAND, arguments: [{ file: ref.key, symbol: fn.name }] } };
}

export async function writeAutodoc(ctx: ServerContext, runtime: () => ModelRuntime | undefined, args: unknown[] | undefined, token: CancellationToken): Promise<{ applied: boolean; problems: string[] }> {
  const { ref, uri, text, fn, version } = await commandTarget(ctx, AUTODOC_COMMAND, args);
  const session = ref.session;
  const layout = autodocLayout(fn, ref.key);
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  let prose: unknown;
  const problems: string[] = [];
  try {
    const rt = runtime();
    if (!rt) throw new ModelError('config', 'no model runtime');
    const r = await rt.generate('llm', { kind: 'chat', messages: autodocPrompt(fn, functionText(text, fn), await callers(ref, fn.name)), jsonSchema: autodocSchema(fn), sampling: { maxTokens: 600 } }, { signal: controller.signal, lane: 'loop' });
    prose = r.text;
  } catch (err) {
    // A failed or cancelled model leaves the file as it was: no half-written AutoDoc.
    const message = `AutoDoc for ${fn.name} not written: ${(err as Error).message}`;
    void ctx.connection.window.showErrorMessage(`aros-lsp: ${message}`);
    return { applied: false, problems: [message] };
  }
  const filled = fillAutodoc(layout, prose);
  problems.push(...filled.problems);
  const edit = autodocEdit(text, fn, filled.text);
  // The document changed while the model wrote: the edit would land in the wrong place.
  if (version !== undefined && session.documents.get(ref.key)?.version !== version) return { applied: false, problems: [...problems, `${ref.key} changed meanwhile; nothing applied`] };
  const range = { start: { line: edit.line, character: 0 }, end: { line: edit.line + edit.replaceLines, character: 0 } };
  const r = await ctx.connection.workspace.applyEdit({
    label: `AutoDoc for ${fn.name}`,
    edit: version !== undefined ? { documentChanges: [{ textDocument: { uri, version }, edits: [{ range, newText: edit.newText }] }] } : { changes: { [uri]: [{ range, newText: edit.newText }] } },
  });
  if (problems.length) void ctx.connection.window.showInformationMessage(`aros-lsp: AutoDoc for ${fn.name}: ${problems.join('; ')}`);
  return { applied: r.applied, problems };
}



function functionText(text: string, fn: SymbolInfo): string {
  const starts = lineStarts(text);
  return text.slice(starts[fn.range.start.line], fn.range.end.line + 1 < starts.length ? starts[fn.range.end.line + 1] : text.length);
}

/** A few call sites from files that mention the name (the index's identifier lists), for the prose. */
async function callers(ref: DocumentRef, name: string): Promise<Array<{ file: string; line: number; text: string }>> {
  const out: Array<{ file: string; line: number; text: string }> = [];
  for (const path of ref.session.index.filesMentioning(name).slice(0, 16)) {
    if (out.length >= 8) break;
    if (path === ref.key) continue;
    const doc = await ref.session.readText(path);
    if (doc === undefined) continue;
    const starts = lineStarts(doc);
    for (const at of findIdentifier(lexC(doc).code, name).slice(0, 2)) {
      const line = offsetToPosition(starts, at).line;
      out.push({ file: path, line: line + 1, text: doc.slice(starts[line], starts[line + 1] ?? doc.length).trim() });
    }
  }
  return out;
}

export const DRAFT_BREADCRUMB_COMMAND = 'aros.draftBreadcrumb';

/** The breadcrumb action with its strategy drafted by the instruction model (the plain one inserts a placeholder). */
export function draftBreadcrumbAction(ref: DocumentRef, line: number, plainTitle: string | undefined): CodeAction | undefined {
  const fn = functionAt(ref, line);
  if (!fn || plainTitle === undefined) return undefined;
  return { title: `${plainTitle}, strategy drafted by AI`, kind: CodeActionKind.Refactor, command: { title: 'Draft breadcrumb', command: DRAFT_BREADCRUMB_COMMAND, arguments: [{ file: ref.key, symbol: fn.name }] } };
}

export async function draftBreadcrumb(ctx: ServerContext, runtime: () => ModelRuntime | undefined, args: unknown[] | undefined, token: CancellationToken): Promise<{ applied: boolean; strategy?: string; problem?: string }> {
  const { ref, uri, text, fn, version } = await commandTarget(ctx, DRAFT_BREADCRUMB_COMMAND, args);
  const session = ref.session;
  const plain = insertBreadcrumb(text, fn.range.start.line, ref.key);
  if (!plain) throw invalid(`${fn.name} in ${ref.key} already has a breadcrumb`);
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  let strategy: string;
  try {
    const rt = runtime();
    if (!rt) throw new ModelError('config', 'no model runtime');
    const r = await rt.generate(
      'llm',
      { kind: 'chat', messages: [{ role: 'system', content: 'Describe in one short sentence the approach this AROS C function takes or should take. No preamble.' }, { role: 'user', content: functionText(text, fn) }], sampling: { maxTokens: 60 } },
      { signal: controller.signal, lane: 'loop' },
    );
    strategy = r.text.replace(/\s+/g, ' ').replace(/\*\//g, '* /').trim().slice(0, 160);
    if (!strategy) throw new Error('the model wrote nothing');
  } catch (err) {
    const problem = `breadcrumb for ${fn.name} not added: ${(err as Error).message}`;
    void ctx.connection.window.showErrorMessage(`aros-lsp: ${problem}`);
    return { applied: false, problem };
  }
  if (version !== undefined && session.documents.get(ref.key)?.version !== version) return { applied: false, problem: `${ref.key} changed meanwhile; nothing applied` };
  const edits = plain.edits.map((e) => ({ ...e, newText: e.newText.replace(STRATEGY_PLACEHOLDER, strategy) }));
  const r = await ctx.connection.workspace.applyEdit({
    label: `Breadcrumb for ${fn.name}`,
    edit: version !== undefined ? { documentChanges: [{ textDocument: { uri, version }, edits }] } : { changes: { [uri]: edits } },
  });
  return { applied: r.applied, strategy };
}
