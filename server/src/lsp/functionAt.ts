// The function definition a code action is about: by a line of its head, or by name.

import { relativePathProblem } from '../config/workspacePaths';
import type { SymbolInfo } from '../index/types';
import { documentRef, type DocumentRef, type ServerContext } from './context';
import { pathToUri } from './convert';
import { invalid } from './params';

/** The definition whose head (first line to its name) holds `line`. */
export function functionAt(ref: DocumentRef, line: number): SymbolInfo | undefined {
  const file = ref.session.index.get(ref.key);
  if (!file) return undefined;
  return ref.session.index.symbolsOf(file).find((s) => s.kind === 'function' && s.definition && s.range.start.line <= line && line <= s.selectionRange.end.line);
}

export function symbolNamed(ref: DocumentRef, name: string): SymbolInfo | undefined {
  const file = ref.session.index.get(ref.key);
  return file ? ref.session.index.symbolsOf(file).find((s) => s.kind === 'function' && s.definition && s.name === name) : undefined;
}

export interface FunctionTarget {
  ref: DocumentRef;
  uri: string;
  text: string;
  fn: SymbolInfo;
  /** The open document's version when the command started (undefined when it is not open). */
  version?: number;
}

/**
 * A command's `[{ file, symbol }]` argument resolved to the function and its
 * document; InvalidParams otherwise. `file` must be a file of the workspace
 * (relative, no `..`, no symlink leading out); a command that only reads
 * (`read`) may also name an open document, which is the editor's text.
 */
export async function commandTarget(ctx: ServerContext, command: string, args: unknown[] | undefined, purpose: 'read' | 'edit' = 'edit'): Promise<FunctionTarget> {
  const a = args?.[0] as { file?: unknown; symbol?: unknown } | undefined;
  if (typeof a?.file !== 'string' || typeof a.symbol !== 'string') throw invalid(`${command} needs arguments [{ file, symbol }]`);
  const session = ctx.session();
  if (!session) throw invalid('no workspace folder is open');
  if (purpose === 'edit' || !session.documents.has(a.file)) {
    const problem = relativePathProblem(session.root, a.file) ?? session.diskProblem(a.file);
    if (problem) throw invalid(`${command}: '${a.file}' ${problem}: the server ${purpose === 'edit' ? 'edits only workspace files' : 'reads only workspace files and open documents'}`);
  }
  const uri = pathToUri(session.absOf(a.file));
  const ref = await documentRef(ctx, uri);
  const text = ref ? await ref.session.readText(ref.key) : undefined;
  const fn = ref && text !== undefined ? symbolNamed(ref, a.symbol) : undefined;
  if (!ref || text === undefined || !fn) throw invalid(`no function ${a.symbol} in ${a.file}`);
  return { ref, uri, text, fn, version: session.documents.get(ref.key)?.version };
}
