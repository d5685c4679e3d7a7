// textDocument/documentSymbol and workspace/symbol.

import { type DocumentSymbol, type SymbolInformation } from 'vscode-languageserver/node';
import { searchSymbols } from '../index/search';
import type { SymbolInfo } from '../index/types';
import { type ServerContext, documentRef } from './context';
import { lspSymbolKind, pathToUri } from './convert';
import { requireString, requireUri } from './params';

export function registerSymbols(ctx: ServerContext): void {
  ctx.connection.onDocumentSymbol(async (params) => {
    const ref = await documentRef(ctx, requireUri(params));
    const file = ref && ref.session.index.get(ref.key);
    return file ? documentSymbols(ref.session.index.symbolsOf(file)) : [];
  });

  ctx.connection.onWorkspaceSymbol(async (params): Promise<SymbolInformation[]> => {
    const query = requireString(params, 'query');
    const session = ctx.session();
    if (!session) return [];
    // Edits whose analysis is still deferred (typing) count.
    await session.documents.settle();
    return searchSymbols(session.index, query, { limit: 200 }).map((r) => ({
      name: r.name,
      kind: lspSymbolKind(r.kind),
      location: { uri: pathToUri(session.absOf(r.file.path)), range: r.selectionRange },
      containerName: r.containerName ?? r.file.path,
    }));
  });
}

/** The flat symbol list of a file as a tree: fields and enumerators under their aggregate. */
export function documentSymbols(symbols: readonly SymbolInfo[]): DocumentSymbol[] {
  const nodes: DocumentSymbol[] = symbols.map((s) => ({
    name: s.name || '(anonymous)',
    detail: detail(s),
    kind: lspSymbolKind(s.kind),
    range: s.range,
    selectionRange: s.selectionRange,
    children: [],
  }));
  const roots: DocumentSymbol[] = [];
  symbols.forEach((s, i) => {
    const parent = s.parent !== undefined ? nodes[s.parent] : undefined;
    if (parent && s.parent !== i) parent.children?.push(nodes[i]);
    else roots.push(nodes[i]);
  });
  return roots;
}

function detail(s: SymbolInfo): string | undefined {
  if (s.aros?.form === 'library') return `${s.aros.library ?? ''} LVO ${s.aros.lvo ?? '?'}`.trim();
  if (s.aros?.form === 'hook') return 'hook';
  if (s.kind === 'function' && !s.definition) return 'prototype';
  return undefined;
}
