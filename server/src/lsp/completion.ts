// textDocument/inlineCompletion (ghost text from the code model) and
// textDocument/completion (index items, never empty for want of a model,
// plus the model's suggestion on explicit invocation), with
// completionItem/resolve adding AutoDoc documentation.

import {
  CompletionItemKind,
  InlineCompletionTriggerKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionParams,
  type InlineCompletionParams,
  type Position,
} from 'vscode-languageserver/node';
import type { InlineCompletionEngine, InlineResult } from '../completion/inlineEngine';
import { indexCompletions, resolveDocumentation, type IndexItem, type ItemKind } from '../completion/indexItems';
import { RecentEdits } from '../context/completionContext';
import { clampOffset } from '../index/openDocuments';
import { lineStarts, offsetToPosition } from '../index/lexer';
import { documentKey, type ServerContext } from './context';
import { requirePosition, requireUri } from './params';
import type { AcceptanceStats } from '../completion/acceptanceStats';
import { trackShown } from './acceptance';

export interface CompletionDeps {
  /** The inline engine, absent when no code model is configured. */
  engine(): InlineCompletionEngine | undefined;
  /** Whether the client takes snippet syntax in completion items. */
  snippets(): boolean;
  /** Why there is no AI suggestion, for the status when there is none. */
  reportNoSuggestion(reason: string): void;
  /** Acceptance statistics; absent unless the completionStats setting is on. */
  stats?(): AcceptanceStats | undefined;
}

interface ResolveData {
  file: string;
  name: string;
  line: number;
}

export function registerCompletion(ctx: ServerContext, deps: CompletionDeps, recent: RecentEdits): void {
  const { connection } = ctx;

  connection.languages.inlineCompletion.on(async (params: InlineCompletionParams, token) => {
    const at = cursor(ctx, requireUri(params), requirePosition(params));
    const engine = deps.engine();
    if (!at || !engine) return { items: [] };
    const controller = abortOn(token);
    const result = await engine.complete({
      file: at.key,
      text: at.text,
      offset: at.offset,
      automatic: params.context?.triggerKind !== InlineCompletionTriggerKind.Invoked,
      signal: controller.signal,
      recentEdits: recent.list(at.key),
    });
    note(deps, result);
    // After the answer is on its way: tracing must not delay it.
    setImmediate(() => trace(ctx, result));
    if (!result.text) return { items: [] };
    // A cancelled request's answer is never shown, so it is not counted.
    const command = token.isCancellationRequested ? undefined : trackShown(deps.stats?.(), result, at.key);
    return { items: [{ insertText: result.text, range: { start: params.position, end: params.position }, ...(command ? { command } : {}) }] };
  });

  connection.onCompletion(async (params: CompletionParams, token) => {
    const at = cursor(ctx, requireUri(params), requirePosition(params));
    if (!at) return { isIncomplete: false, items: [] };
    const snippets = deps.snippets();
    const found = indexCompletions(at.session.index, { file: at.key, text: at.text, offset: at.offset, snippets });
    const start = offsetToPosition(at.starts, found.replaceStart);
    const items: CompletionItem[] = found.items.map((i) => toLspItem(i, start, params.position));
    // The model is asked only when completion is invoked where no word is being
    // typed: editors (VS Code, nvim-cmp) send their as-you-type requests as
    // Invoked too, and a list must not wait on the model for every keystroke;
    // typing gets ghost text from inlineCompletion instead.
    const engine = deps.engine();
    if (engine && params.context?.triggerKind === 1 && found.context === 'code' && found.replaceStart === at.offset) {
      const controller = abortOn(token);
      const r = await engine.complete({ file: at.key, text: at.text, offset: at.offset, automatic: false, signal: controller.signal, recentEdits: recent.list(at.key) });
      note(deps, r);
      if (r.text) items.unshift(modelItem(r, params.position));
    }
    return { isIncomplete: found.isIncomplete, items };
  });

  connection.onCompletionResolve((item: CompletionItem) => {
    const data = item.data as ResolveData | undefined;
    const session = ctx.session();
    if (!session || !data || typeof data.name !== 'string' || typeof data.file !== 'string') return item;
    const doc = resolveDocumentation(session.index, data);
    if (doc) item.documentation = { kind: MarkupKind.Markdown, value: doc };
    return item;
  });
}

/** Recent edits as completion context: the lines around each change. */
export function recordEdit(recent: RecentEdits, key: string, changes: readonly { range?: { start: Position } }[], text: string): void {
  const starts = lineStarts(text);
  for (const c of changes) {
    if (!c.range) continue;
    const line = Math.min(c.range.start.line, starts.length - 1);
    const from = starts[Math.max(0, line - 2)];
    const to = line + 3 < starts.length ? starts[line + 3] : text.length;
    recent.record(key, text.slice(from, to), Math.max(0, line - 2));
  }
}

function cursor(
  ctx: ServerContext,
  uri: string,
  position: Position,
): { key: string; text: string; starts: number[]; offset: number; session: NonNullable<ReturnType<ServerContext['session']>> } | undefined {
  const ref = documentKey(ctx, uri);
  if (!ref) return undefined;
  const doc = ref.session.documents.get(ref.key);
  if (!doc) return undefined;
  // Line starts once per request: the offset and the replace range both need them.
  const starts = lineStarts(doc.text);
  return { key: ref.key, text: doc.text, starts, offset: clampOffset(starts, doc.text, position), session: ref.session };
}

function abortOn(token: { isCancellationRequested: boolean; onCancellationRequested(listener: () => void): unknown }): AbortController {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller;
}

/** With `$/setTrace` verbose (or `trace` in initialize), each inline request's timings, for clients and benchmarks. */
function trace(ctx: ServerContext, r: InlineResult): void {
  ctx.connection.tracer.log(
    `inlineCompletion ${JSON.stringify({ source: r.source, mode: r.mode, chars: r.text.length, reason: r.reason, timings: r.timings, modelMs: r.generation?.totalMs, tokens: r.generation?.tokens })}`,
  );
}

function note(deps: CompletionDeps, r: InlineResult): void {
  if (!r.text && r.reason && r.mode !== 'none' && !/superseded/.test(r.reason)) deps.reportNoSuggestion(r.reason);
}

function modelItem(r: InlineResult, position: Position): CompletionItem {
  const firstLine = r.text.split('\n').find((l) => l.trim()) ?? r.text;
  return {
    label: firstLine.trim().slice(0, 60),
    kind: CompletionItemKind.Snippet,
    detail: 'aros-lsp: code model',
    sortText: '0',
    filterText: firstLine.trim(),
    insertTextFormat: InsertTextFormat.PlainText,
    textEdit: { range: { start: position, end: position }, newText: r.text },
    documentation: { kind: MarkupKind.Markdown, value: `\`\`\`c\n${r.text}\n\`\`\`` },
  };
}

function toLspItem(i: IndexItem, start: Position, end: Position): CompletionItem {
  return {
    label: i.label,
    kind: KINDS[i.kind],
    detail: i.detail,
    sortText: i.sortText,
    filterText: i.filterText,
    insertTextFormat: i.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    textEdit: { range: { start, end }, newText: i.insertText ?? i.label },
    data: i.data,
  };
}

const KINDS: Record<ItemKind, CompletionItemKind> = {
  function: CompletionItemKind.Function,
  'library-function': CompletionItemKind.Method,
  macro: CompletionItemKind.Constant,
  struct: CompletionItemKind.Struct,
  union: CompletionItemKind.Struct,
  enum: CompletionItemKind.Enum,
  enumerator: CompletionItemKind.EnumMember,
  typedef: CompletionItemKind.TypeParameter,
  field: CompletionItemKind.Field,
  variable: CompletionItemKind.Variable,
  parameter: CompletionItemKind.Variable,
  local: CompletionItemKind.Variable,
  keyword: CompletionItemKind.Keyword,
  'breadcrumb-tag': CompletionItemKind.Property,
  'breadcrumb-value': CompletionItemKind.EnumMember,
};
