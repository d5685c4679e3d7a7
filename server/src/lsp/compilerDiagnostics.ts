// "Check this file": the configured compiler on a document's current text
// (a scratch copy; the user's file is not touched), its diagnostics published
// beside the breadcrumb ones until the document changes, and "Fix with AI"
// offered on each error.

import { DiagnosticSeverity, type CancellationToken, type Diagnostic } from 'vscode-languageserver/node';
import type { WorkspaceSettings } from '../config/workspaceSettings';
import { compileCheck } from '../iteration/compileCheck';
import type { CompilerDiagnostic } from '../iteration/gccDiagnostics';
import { documentRef, type ServerContext } from './context';
import { invalid } from './params';

export const COMPILER_SOURCE = 'aros-lsp compiler';

/**
 * Diagnostics from commands (the compiler, a review) per document and source,
 * dropped when the document changes (their lines are stale then).
 */
export class CompilerDiagnostics {
  private readonly byFile = new Map<string, Map<string, Diagnostic[]>>();

  get(key: string): Diagnostic[] {
    return [...(this.byFile.get(key)?.values() ?? [])].flat();
  }

  set(key: string, diagnostics: Diagnostic[], source = COMPILER_SOURCE): void {
    let bySource = this.byFile.get(key);
    if (!bySource) this.byFile.set(key, (bySource = new Map()));
    bySource.set(source, diagnostics);
  }

  /** True when there was something to drop. */
  clear(key: string): boolean {
    return this.byFile.delete(key);
  }
}

export interface CheckResult {
  file: string;
  errors: number;
  warnings: number;
  summary: string;
}

export async function checkDocument(
  ctx: ServerContext,
  store: CompilerDiagnostics,
  settings: WorkspaceSettings,
  args: unknown[] | undefined,
  token: CancellationToken,
  publish: (key: string, uri: string) => void,
): Promise<CheckResult> {
  const uri = (args?.[0] as { uri?: unknown } | undefined)?.uri;
  if (typeof uri !== 'string') throw invalid('aros.checkFile needs arguments [{ uri }]');
  const ref = await documentRef(ctx, uri);
  const cacheDir = ref?.session.cacheDir;
  if (!ref || !cacheDir) throw invalid('checking a file needs a workspace folder');
  const outside = ref.session.diskProblem(ref.key);
  if (outside) throw invalid(`aros.checkFile: ${uri} ${outside}: only workspace files are compiled`);
  const text = await ref.session.readText(ref.key);
  if (text === undefined) throw invalid(`${ref.key} cannot be read`);
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  const r = await compileCheck({ workspace: ref.session.root, cacheDir, file: ref.key, text, compile: { argv: settings.compileCommand, timeoutMs: settings.compileTimeoutMs } }, controller.signal);
  // A compiler that could not start, hung or crashed gave no verdict: say so where the user looks, not only in the result.
  if (r.fatal || r.crashed) {
    ctx.log(`aros.checkFile ${ref.key}: ${r.summary}`);
    void ctx.connection.window.showErrorMessage(`aros-lsp: checking ${ref.key} failed: ${r.summary}`);
  }
  const own = r.diagnostics.filter((d) => d.file === ref.session.absOf(ref.key));
  store.set(ref.key, own.map(toLsp));
  publish(ref.key, uri);
  return { file: ref.key, errors: own.filter((d) => d.severity === 'error' || d.severity === 'fatal').length, warnings: own.filter((d) => d.severity === 'warning').length, summary: r.summary };
}

function toLsp(d: CompilerDiagnostic): Diagnostic {
  const line = Math.max(0, d.line - 1);
  const character = Math.max(0, (d.column ?? 1) - 1);
  return {
    range: { start: { line, character }, end: { line, character: character + 1 } },
    severity: d.severity === 'warning' ? DiagnosticSeverity.Warning : d.severity === 'note' ? DiagnosticSeverity.Information : DiagnosticSeverity.Error,
    source: COMPILER_SOURCE,
    code: d.flag,
    message: d.message,
    relatedInformation: undefined,
  };
}
