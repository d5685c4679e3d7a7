// Document sync: open, incremental change, close, and file-watcher events,
// each keeping the index current and the breadcrumb diagnostics fresh.

import { FileChangeType, TextDocumentSyncKind, type TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { TextChange } from '../index/openDocuments';
import { type ServerContext, documentKey } from './context';
import { uriToPath } from './convert';
import { publishOpenDocuments } from './diagnostics';

export const documentSync = TextDocumentSyncKind.Incremental;

const DIAGNOSTICS_DELAY_MS = 150;

export function registerDocuments(ctx: ServerContext): void {
  const { connection } = ctx;
  /** Open documents' keys and the URIs the client used for them. */
  const open = new Map<string, string>();

  const refresh = async (): Promise<void> => {
    const session = ctx.session();
    if (!session) return;
    await session.documents.settle();
    if (ctx.session() === session) publishOpenDocuments(ctx, session, open);
  };
  // Diagnostics follow typing after a pause: validating on every keystroke would queue requests behind it.
  let refreshTimer: NodeJS.Timeout | undefined;
  const refreshSoon = (): void => {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      void refresh();
    }, DIAGNOSTICS_DELAY_MS);
  };

  connection.onDidOpenTextDocument((params) => {
    const doc = params?.textDocument;
    if (!doc || typeof doc.uri !== 'string' || typeof doc.text !== 'string') {
      ctx.log('didOpen ignored: textDocument.uri and textDocument.text are required');
      return;
    }
    const ref = safeRef(ctx, doc.uri);
    if (!ref) return;
    // Only C sources and headers are analysed as C; a `.conf` stays as the indexer read it.
    if (!/\.[ch]$/i.test(ref.key)) return;
    ref.session.documents.open(ref.key, doc.version ?? 0, doc.text);
    open.set(ref.key, doc.uri);
    refreshSoon();
  });

  connection.onDidChangeTextDocument((params) => {
    const doc = params?.textDocument;
    if (!doc || typeof doc.uri !== 'string' || !Array.isArray(params.contentChanges)) {
      ctx.log('didChange ignored: textDocument.uri and contentChanges are required');
      return;
    }
    const ref = safeRef(ctx, doc.uri);
    if (!ref) return;
    const changes = params.contentChanges.filter(isChange).map(
      (c): TextChange => ('range' in c && c.range ? { range: c.range, text: c.text } : { text: c.text }),
    );
    const changed = ref.session.documents.change(ref.key, doc.version ?? 0, changes, { defer: true });
    if (!changed) {
      ctx.log(`didChange ignored for ${doc.uri}: the document is not open`);
      return;
    }
    ctx.onEdited?.(ref.key, changes, changed.text);
    refreshSoon();
  });

  connection.onDidCloseTextDocument(async (params) => {
    const uri = params?.textDocument?.uri;
    if (typeof uri !== 'string') return;
    const ref = safeRef(ctx, uri);
    if (!ref || !open.has(ref.key)) return;
    open.delete(ref.key);
    await ref.session.documentClosed(ref.key);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
    void refresh();
  });

  connection.onDidChangeWatchedFiles(async (params) => {
    const session = ctx.session();
    if (!session || !Array.isArray(params?.changes)) return;
    for (const change of params.changes) {
      const abs = typeof change?.uri === 'string' ? uriToPath(change.uri) : undefined;
      if (!abs) continue;
      const key = session.keyOf(abs);
      if (change.type === FileChangeType.Deleted) session.fileDeleted(key);
      else {
        // fileChanged reads nothing outside the workspace; say why the event is dropped.
        const outside = session.documents.has(key) ? undefined : session.diskProblem(key);
        if (outside) ctx.log(`ignored a file event for ${change.uri}: it ${outside}`);
        await session.fileChanged(key);
      }
    }
    void refresh();
  });
}

/** A change with text, and a range that is absent, null (the whole text) or two integer positions; others are dropped. */
function isChange(c: unknown): c is TextDocumentContentChangeEvent {
  if (typeof c !== 'object' || c === null || typeof (c as { text?: unknown }).text !== 'string') return false;
  const range = (c as { range?: unknown }).range as { start?: unknown; end?: unknown } | null | undefined;
  return range === undefined || range === null || (typeof range === 'object' && isPosition(range.start) && isPosition(range.end));
}

function isPosition(p: unknown): boolean {
  return typeof p === 'object' && p !== null && Number.isInteger((p as { line?: unknown }).line) && Number.isInteger((p as { character?: unknown }).character);
}

/** Notifications cannot answer with an error, so a bad URI is logged and dropped. */
function safeRef(ctx: ServerContext, uri: string): ReturnType<typeof documentKey> {
  try {
    return documentKey(ctx, uri);
  } catch (err) {
    ctx.log(`ignored notification for ${uri}: ${(err as Error).message}`);
    return undefined;
  }
}
