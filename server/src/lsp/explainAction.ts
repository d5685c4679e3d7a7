// "Explain" and "Review" a function with the instruction model. The text is
// written to a Markdown file in the cache directory and shown with
// `window/showDocument` (outside the workspace, so it is not the user's
// file); clients without showDocument get it as a message. Review findings
// naming a line become information diagnostics on those lines.

import { DiagnosticSeverity, LSPErrorCodes, ResponseError, type CancellationToken, type CodeAction, type Diagnostic } from 'vscode-languageserver/node';
import { constants } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ownSubdirectory } from '../config/workspacePaths';
import type { ModelRuntime } from '../models/modelRuntime';
import type { DocumentRef, ServerContext } from './context';
import { commandTarget, functionAt } from './functionAt';
import { pathToUri } from './convert';
import { invalid } from './params';

export const EXPLAIN_COMMANDS = { explain: 'aros.explainFunction', review: 'aros.reviewFunction' } as const;
export const REVIEW_SOURCE = 'aros-lsp review';

export function explainActions(ref: DocumentRef, line: number): CodeAction[] {
  const fn = functionAt(ref, line);
  if (!fn) return [];
  const args = [{ file: ref.key, symbol: fn.name }];
  return [
    { title: `Explain ${fn.name} (AI)`, command: { title: 'Explain', command: EXPLAIN_COMMANDS.explain, arguments: args } },
    { title: `Review ${fn.name} (AI)`, command: { title: 'Review', command: EXPLAIN_COMMANDS.review, arguments: args } },
  ];
}

export interface ExplainDeps {
  runtime(): ModelRuntime | undefined;
  showDocumentSupport: boolean;
  /** Serve the text as a read-only `aros-lsp:` document (LSP 3.18 `workspace/textDocumentContent`) instead of a file. */
  virtualDocuments?: VirtualDocuments;
  /** Review findings, published with the document's other diagnostics. */
  setReview(key: string, uri: string, diagnostics: Diagnostic[]): void;
}

export async function explainOrReview(ctx: ServerContext, deps: ExplainDeps, review: boolean, args: unknown[] | undefined, token: CancellationToken): Promise<{ text: string; document?: string; findings: number }> {
  const { ref, uri, text, fn } = await commandTarget(ctx, review ? EXPLAIN_COMMANDS.review : EXPLAIN_COMMANDS.explain, args, 'read');
  const session = ref.session;
  if (!session.cacheDir) throw invalid('no workspace folder is open');
  const a = { file: ref.key };
  const lines = text.split('\n');
  const first = fn.range.start.line;
  const body = lines.slice(first, fn.range.end.line + 1).map((l, i) => `${first + i + 1}: ${l}`).join('\n');
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  const runtime = deps.runtime();
  if (!runtime) throw invalid('no model is configured');
  const instruction = review
    ? 'Review this AROS C function. List each problem on its own line as "LINE: problem" using the line numbers shown; answer OK when there is none.'
    : 'Explain what this AROS C function does, for a developer new to the code: its purpose, inputs, result, side effects and the AROS APIs it uses.';
  let answer: string;
  try {
    const r = await runtime.generate('llm', { kind: 'chat', messages: [{ role: 'system', content: instruction }, { role: 'user', content: `${a.file}:\n${body}` }], sampling: { maxTokens: 600 } }, { signal: controller.signal, lane: 'loop' });
    answer = r.text.trim();
  } catch (err) {
    const message = `${review ? 'review' : 'explanation'} of ${fn.name} failed: ${(err as Error).message}`;
    void ctx.connection.window.showErrorMessage(`aros-lsp: ${message}`);
    // The request was fine and the server did not crash: the model could not answer (RequestFailed, not InternalError).
    throw new ResponseError(LSPErrorCodes.RequestFailed, message);
  }
  let findings = 0;
  if (review) {
    const diagnostics = reviewDiagnostics(answer, first, fn.range.end.line, lines);
    findings = diagnostics.length;
    deps.setReview(ref.key, uri, diagnostics);
  }
  const title = `${review ? 'Review' : 'Explanation'} of ${fn.name} (${a.file})`;
  // A plain directory of the cache, and no symlink followed at the file: the cache may lie inside the workspace.
  const file = path.join(await ownSubdirectory(session.cacheDir, 'explanations'), `${a.file.replace(/[/\\]/g, '_')}-${fn.name}-${review ? 'review' : 'explain'}.md`);
  await writeFile(file, `# ${title}\n\n${answer}\n`, { flag: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW });
  if (deps.showDocumentSupport && deps.virtualDocuments) {
    const virtual = deps.virtualDocuments.put(`explanations/${path.basename(file)}`, `# ${title}\n\n${answer}\n`);
    await ctx.connection.window.showDocument({ uri: virtual, takeFocus: true });
    return { text: answer, document: virtual, findings };
  }
  if (deps.showDocumentSupport) {
    await ctx.connection.window.showDocument({ uri: pathToUri(file), takeFocus: true });
    return { text: answer, document: file, findings };
  }
  void ctx.connection.window.showInformationMessage(`${title}: ${answer.slice(0, 2000)}`);
  return { text: answer, findings };
}

/** "LINE: problem" lines inside the function become information diagnostics. */
function reviewDiagnostics(answer: string, first: number, last: number, lines: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const m of answer.matchAll(/^\s*(?:line\s*)?(\d+)\s*[:.)-]\s*(.+)$/gim)) {
    const line = Number(m[1]) - 1;
    if (line < first || line > last) continue;
    out.push({ range: { start: { line, character: 0 }, end: { line, character: lines[line]?.length ?? 0 } }, severity: DiagnosticSeverity.Information, source: REVIEW_SOURCE, message: m[2].trim() });
  }
  return out;
}



export const VIRTUAL_SCHEME = 'aros-lsp';

/** Read-only texts the server shows (explanations, reviews), by `aros-lsp:` URI; the newest few are kept. */
export class VirtualDocuments {
  private readonly texts = new Map<string, string>();

  constructor(private readonly capacity = 50) {}

  put(name: string, text: string): string {
    const uri = `${VIRTUAL_SCHEME}:/${name}`;
    this.texts.delete(uri);
    this.texts.set(uri, text);
    while (this.texts.size > this.capacity) this.texts.delete(this.texts.keys().next().value as string);
    return uri;
  }

  get(uri: string): string | undefined {
    return this.texts.get(uri);
  }
}
