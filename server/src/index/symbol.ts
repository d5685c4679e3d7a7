// One way to build a SymbolInfo, so that every symbol of an analysis has the
// same hidden class in V8.

import type { SymbolInfo } from './types';

/** What a symbol is built from: the five fields every symbol has, and any of the others. */
export type SymbolFields = Pick<SymbolInfo, 'name' | 'kind' | 'definition' | 'range' | 'selectionRange'> & Partial<SymbolInfo>;

/**
 * A symbol with every property of SymbolInfo, in one order, those it lacks
 * undefined. Built as object literals of their own, a field (with `parent`),
 * a prototype (with `storage`), a macro (with `params`) and an AROS function
 * (with `aros`) each had a shape of its own, and documentation added later
 * made more: code reading symbols in the parse workers met a new shape file
 * after file, and V8 threw it away and compiled it again each time.
 * Extra properties of `fields` (an AROS definition's region) are left out.
 */
export function newSymbol(fields: SymbolFields): SymbolInfo {
  return {
    name: fields.name,
    kind: fields.kind,
    definition: fields.definition,
    range: fields.range,
    selectionRange: fields.selectionRange,
    parent: fields.parent,
    signature: fields.signature,
    storage: fields.storage,
    returnType: fields.returnType,
    params: fields.params,
    aros: fields.aros,
    autodoc: fields.autodoc,
    doc: fields.doc,
  };
}
