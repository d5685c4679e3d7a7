// definition, declaration, references and hover.

import type { Hover, Location as LspLocation } from 'vscode-languageserver/node';
import { hoverMarkdown } from '../index/hoverText';
import { declarations, definitions, references, resolveInclude, wordAt, type WordAt } from '../index/navigation';
import type { SymbolRef } from '../index/workspaceIndex';
import type { WorkspaceSession } from '../index/workspaceSession';
import { type ServerContext, documentRef } from './context';
import { pathToUri } from './convert';
import { optionalBoolean, requirePosition, requireUri } from './params';

interface At {
  session: WorkspaceSession;
  key: string;
  word: WordAt;
}

async function wordAtRequest(ctx: ServerContext, params: unknown): Promise<At | undefined> {
  const uri = requireUri(params);
  const position = requirePosition(params);
  const ref = await documentRef(ctx, uri);
  if (!ref) return undefined;
  const text = await ref.session.readText(ref.key);
  if (text === undefined) return undefined;
  const word = wordAt(text, position);
  return word && { ...ref, word };
}

function toLocations(session: WorkspaceSession, refs: SymbolRef[]): LspLocation[] {
  return refs.map((r) => ({ uri: pathToUri(session.absOf(r.file.path)), range: r.selectionRange }));
}

function includeTargets(at: At): LspLocation[] {
  if (!at.word.include) return [];
  const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return resolveInclude(at.session.index, at.word.include.path, at.key).map((p) => ({ uri: pathToUri(at.session.absOf(p)), range: zero }));
}

export function registerNavigation(ctx: ServerContext): void {
  const { connection } = ctx;

  connection.onDefinition(async (params) => {
    const at = await wordAtRequest(ctx, params);
    if (!at) return [];
    if (at.word.include) return includeTargets(at);
    return toLocations(at.session, definitions(at.session.index, at.word));
  });

  connection.onDeclaration(async (params) => {
    const at = await wordAtRequest(ctx, params);
    if (!at) return [];
    if (at.word.include) return includeTargets(at);
    return toLocations(at.session, declarations(at.session.index, at.word));
  });

  connection.onReferences(async (params, token) => {
    const at = await wordAtRequest(ctx, params);
    if (!at || at.word.include) return [];
    const includeDeclaration = optionalBoolean(params, ['context', 'includeDeclaration']) ?? true;
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const found = await references(at.session.index, at.word.name, (p) => at.session.readText(p), {
      includeDeclaration,
      signal: abort.signal,
    });
    return found.map((l) => ({ uri: pathToUri(at.session.absOf(l.path)), range: l.range }));
  });

  connection.onHover(async (params): Promise<Hover | null> => {
    const at = await wordAtRequest(ctx, params);
    if (!at || at.word.include) return null;
    const best = definitions(at.session.index, at.word)[0];
    if (!best) return null;
    const crumb = best.file.breadcrumbs.find((b) => b.target?.name === best.name);
    return { contents: { kind: 'markdown', value: hoverMarkdown(best, crumb) }, range: at.word.range };
  });
}
