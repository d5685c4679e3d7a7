// What every feature module needs from the server: the workspace session and
// a way to turn a request's URI into the session's file key.

import type { Connection, Diagnostic } from 'vscode-languageserver/node';
import type { TextChange } from '../index/openDocuments';
import type { WorkspaceSession } from '../index/workspaceSession';
import { uriToPath } from './convert';
import { invalid } from './params';

export interface ServerContext {
  connection: Connection;
  session(): WorkspaceSession | undefined;
  log(message: string): void;
  /** Compiler diagnostics from "check this file", published with the breadcrumb ones. */
  compilerDiagnostics?: { get(key: string): Diagnostic[] };
  /** Told of every applied didChange (completion keeps recent edits). */
  onEdited?(key: string, changes: readonly TextChange[], text: string): void;
}

export interface DocumentRef {
  session: WorkspaceSession;
  key: string;
}

/**
 * Resolves a request's document, its analysis brought up to date with the
 * latest edits; an unusable URI, or a file outside the workspace that is not
 * open, is the client's error; an unknown file is simply empty.
 */
export async function documentRef(ctx: ServerContext, uri: string): Promise<DocumentRef | undefined> {
  const ref = documentKey(ctx, uri);
  // An open document is the editor's text, wherever it lives; anything else is read from disk, and only inside the workspace.
  const outside = ref && !ref.session.documents.has(ref.key) ? ref.session.diskProblem(ref.key) : undefined;
  if (outside) throw invalid(`${uri} ${outside} and is not open in the editor: the server reads only workspace files from disk`);
  // Every pending document, not only this one: answers read other files' symbols too (references, definitions).
  // A first analysis still running in slices is waited for, not forced through in one step.
  await ref?.session.documents.settle();
  return ref;
}

/** The same without the analysis: for requests that need only the text (completion). */
export function documentKey(ctx: ServerContext, uri: string): DocumentRef | undefined {
  const session = ctx.session();
  if (!session) return undefined;
  const abs = uriToPath(uri);
  if (!abs) throw invalid(`unsupported URI '${uri}': only file: URIs are served`);
  return { session, key: session.keyOf(abs) };
}
