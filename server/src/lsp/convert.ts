// Conversions between the core's plain data and LSP types.

import { fileURLToPath, pathToFileURL } from 'node:url';
import { SymbolKind, type Location as LspLocation } from 'vscode-languageserver/node';
import type { Location } from '../index/navigation';
import type { SymbolKind as CoreKind } from '../index/types';
import type { WorkspaceSession } from '../index/workspaceSession';

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(absPath: string): string {
  return pathToFileURL(absPath).href;
}

export function toLspLocation(session: WorkspaceSession, loc: Location): LspLocation {
  return { uri: pathToUri(session.absOf(loc.path)), range: loc.range };
}

export function lspSymbolKind(kind: CoreKind): SymbolKind {
  switch (kind) {
    case 'function':
      return SymbolKind.Function;
    case 'struct':
    case 'union':
      return SymbolKind.Struct;
    case 'enum':
      return SymbolKind.Enum;
    case 'field':
      return SymbolKind.Field;
    case 'enumerator':
      return SymbolKind.EnumMember;
    case 'typedef':
      return SymbolKind.TypeParameter;
    case 'macro':
      return SymbolKind.Constant;
    case 'variable':
      return SymbolKind.Variable;
  }
}
