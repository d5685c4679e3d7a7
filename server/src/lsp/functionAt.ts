// The function definition a code action is about: by a line of its head, or by name.

import type { SymbolInfo } from '../index/types';
import type { DocumentRef } from './context';

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
