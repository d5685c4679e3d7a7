// Declarations of plain C, read from a tree-sitter tree. The tree may come
// from the skeleton (bodies blank) or from the full text of an open document;
// names, ranges and signatures are read from the original text. Macros and
// includes are read lexically (directives.ts), so directive nodes are ignored.
// The tree is read through a cursor into plain nodes (declTree.ts).

import type Parser from 'tree-sitter';
import { CONTAINERS, DeclReader, fieldOf, fieldsOf, type DeclNode } from './declTree';
import type { SimpleField, SimpleFieldLists } from './fieldLists';
import { offsetToPosition } from './lexer';
import { clipSignature, MAX_SIGNATURE, splitSignature, storageOf } from './signatureText';
import type { Range, SymbolInfo, SymbolKind } from './types';
import { newSymbol } from './symbol';

type Node = DeclNode;

export interface Extracted {
  symbols: SymbolInfo[];
}

/**
 * `starts` are the original text's line starts: positions, not offsets, survive the skeleton.
 * With `keys`, also the declarations read, as `unitKeys` gives them (for an open document's next edit).
 */
export function extractSymbols(root: Parser.SyntaxNode, text: string, starts: readonly number[], keys = false, fields?: SimpleFieldLists): Extracted & { units?: UnitKey[] } {
  const units = new DeclReader(root).units(true);
  const symbols = extractUnits(units, text, starts, fields);
  return keys ? { symbols, units: units.map(keyOf) } : { symbols };
}

/** The symbols of declarations read without a tree, as nodes like a tree's (plainUnits.ts). */
export function extractUnits(units: readonly DeclNode[], text: string, starts: readonly number[], fields?: SimpleFieldLists): SymbolInfo[] {
  const ex = new Extractor(text, starts, fields);
  for (const unit of units) ex.visitUnit(unit);
  return ex.symbols;
}

/** A declaration the extractor reads, as type and span: `type:row:column:row:column`. */
export type UnitKey = string;

/** The declarations `extractSymbols` reads, as keys, for `extractSymbolsAround` to check the next tree against. */
export function unitKeys(root: Parser.SyntaxNode): UnitKey[] {
  return new DeclReader(root).units(false).map(keyOf);
}

/**
 * `extractSymbols` after an edit that changed rows `from`..`to` of the text
 * and left every other row where it was, given the symbols and declarations
 * (`unitKeys`) read before it: only the declarations on those rows, and any
 * sharing a row with them, are read from the tree again; the previous symbols
 * stand for the rest. Undefined unless the declarations outside those rows
 * are the previous ones, type and span (then extract in full).
 */
export function extractSymbolsAround(
  root: Parser.SyntaxNode,
  text: string,
  starts: readonly number[],
  previous: { symbols: readonly SymbolInfo[]; units: readonly UnitKey[] },
  from: number,
  to: number,
  fields?: SimpleFieldLists,
): (Extracted & { units: UnitKey[] }) | undefined {
  const reader = new DeclReader(root);
  const units = reader.units(false);
  // The rows to read again: the changed ones, grown until no declaration crosses their edge.
  let first = from;
  let last = to;
  const chosen = new Set<number>();
  for (let grown = true; grown; ) {
    grown = false;
    units.forEach((u, i) => {
      if (chosen.has(i) || u.end.row < first || u.start.row > last) return;
      chosen.add(i);
      if (u.start.row < first || u.end.row > last) grown = true;
      first = Math.min(first, u.start.row);
      last = Math.max(last, u.end.row);
    });
  }
  const keys = units.map(keyOf);
  // Outside those rows the declarations must be the previous ones, and none of those may cross into them.
  const outside = (key: UnitKey): boolean | undefined => {
    const [startRow, endRow] = rowsOf(key);
    if (endRow < first || startRow > last) return true;
    return startRow >= first && endRow <= last ? false : undefined;
  };
  const previousOutside: UnitKey[] = [];
  for (const key of previous.units) {
    const o = outside(key);
    if (o === undefined) return undefined;
    if (o) previousOutside.push(key);
  }
  const currentOutside = keys.filter((_, i) => !chosen.has(i));
  if (currentOutside.length !== previousOutside.length || currentOutside.some((k, i) => k !== previousOutside[i])) return undefined;

  const ex = new Extractor(text, starts, fields);
  [...chosen].sort((a, b) => a - b).forEach((i) => ex.visitUnit(reader.expand(units[i])));
  // Parents index into the list: map the kept ones, and shift the new ones past those before.
  const newIndex = new Map<number, number>();
  let n = 0;
  previous.symbols.forEach((sym, i) => {
    if (sym.range.start.line < first) newIndex.set(i, n++);
  });
  const before = n;
  n += ex.symbols.length;
  previous.symbols.forEach((sym, i) => {
    if (sym.range.start.line > last) newIndex.set(i, n++);
  });
  const out: SymbolInfo[] = [];
  const keep = (sym: SymbolInfo): boolean => {
    if (sym.parent === undefined) return out.push(sym) > 0;
    const parent = newIndex.get(sym.parent);
    if (parent === undefined) return false;
    out.push(parent === sym.parent ? sym : { ...sym, parent });
    return true;
  };
  if (!previous.symbols.filter((sym) => sym.range.start.line < first).every(keep)) return undefined;
  for (const sym of ex.symbols) out.push(sym.parent === undefined ? sym : { ...sym, parent: sym.parent + before });
  if (!previous.symbols.filter((sym) => sym.range.start.line > last).every(keep)) return undefined;
  return { symbols: out, units: keys };
}

function keyOf(node: Node): UnitKey {
  const s = node.start;
  const e = node.end;
  return `${s.row}:${e.row}:${s.column}:${e.column}:${node.type}`;
}

function rowsOf(key: UnitKey): [number, number] {
  const a = key.indexOf(':');
  const b = key.indexOf(':', a + 1);
  return [Number(key.slice(0, a)), Number(key.slice(a + 1, b))];
}

class Extractor {
  readonly symbols: SymbolInfo[] = [];

  constructor(
    private readonly text: string,
    private readonly starts: readonly number[],
    /** Bodies the skeleton left empty: their fields are read from the text (fieldLists.ts). */
    private readonly fields?: SimpleFieldLists,
  ) {}

  private start(node: Node): number {
    const p = node.start;
    return (this.starts[p.row] ?? this.text.length) + p.column;
  }

  private end(node: Node): number {
    const p = node.end;
    return (this.starts[p.row] ?? this.text.length) + p.column;
  }

  /** One unit of `DeclReader.units`: containers are already looked through. */
  visitUnit(node: Node): void {
    switch (node.type) {
      case 'function_definition':
        this.functionDefinition(node);
        return;
      case 'declaration':
        this.declaration(node);
        return;
      case 'type_definition':
        this.typeDefinition(node);
        return;
      case 'struct_specifier':
      case 'union_specifier':
      case 'enum_specifier':
        this.tagged(node, undefined);
        return;
    }
  }

  /** The text a node covers (names: one line). */
  private textOf(node: Node): string {
    return this.text.slice(this.start(node), this.end(node));
  }

  private functionDefinition(node: Node): void {
    const declarator = fieldOf(node, 'declarator');
    const fn = declarator && functionDeclarator(declarator);
    const nameNode = fn && innermostName(fn);
    if (!fn || !nameNode) return;
    const body = fieldOf(node, 'body');
    const headEnd = body ? this.start(body) : this.end(node);
    const name = this.textOf(nameNode);
    const signature = this.clip(this.start(node), headEnd);
    const parts = splitSignature(signature, name);
    this.symbols.push(newSymbol({
      name,
      kind: 'function',
      definition: true,
      range: rangeOf(node),
      selectionRange: rangeOf(nameNode),
      signature,
      storage: parts?.storage,
      returnType: parts?.returnType,
      params: parts?.params ?? [],
    }));
  }

  private declaration(node: Node): void {
    const type = fieldOf(node, 'type');
    if (type) this.tagged(type, undefined);
    let storage: string | undefined;
    let isExtern = false;
    let first = true;
    for (const declarator of fieldsOf(node, 'declarator')) {
      const stub = this.vbccStub(declarator);
      const fn = stub ?? functionDeclarator(declarator);
      const nameNode = innermostName(fn ?? declarator);
      if (!nameNode) continue;
      const name = this.textOf(nameNode);
      const signature = this.declarationSignature(node, type, declarator);
      if (first) {
        storage = storageOf(signature);
        isExtern = storage !== undefined && /\bextern\b/.test(storage);
        first = false;
      }
      if (fn) {
        const parts = splitSignature(signature, name);
        this.symbols.push(newSymbol({
          name,
          kind: 'function',
          definition: stub !== null,
          range: rangeOf(node),
          selectionRange: rangeOf(nameNode),
          signature,
          storage,
          returnType: parts?.returnType,
          params: parts?.params ?? [],
        }));
        continue;
      }
      this.symbols.push(newSymbol({
        name,
        kind: 'variable',
        definition: !isExtern,
        range: rangeOf(node),
        selectionRange: rangeOf(nameNode),
        signature,
        storage,
      }));
    }
  }

  /**
   * The function declarator of a VBCC inline stub, a library call whose body
   * is assembly: `long f(__reg("a6") struct Library *) = "\tjsr\t-36(a6)";`.
   * Only with `__reg` in the list: `GM_UNIQUENAME(libname) = "x"` is a variable.
   */
  private vbccStub(declarator: Node): Node | null {
    if (declarator.type !== 'init_declarator') return null;
    const value = fieldOf(declarator, 'value');
    if (!value || (value.type !== 'string_literal' && value.type !== 'concatenated_string')) return null;
    const inner = fieldOf(declarator, 'declarator');
    const fn = inner && functionDeclarator(inner);
    const params = fn && fieldOf(fn, 'parameters');
    return params && /\b__reg\s*\(/.test(this.textOf(params)) ? fn : null;
  }

  private typeDefinition(node: Node): void {
    const type = fieldOf(node, 'type');
    const declarators = fieldsOf(node, 'declarator');
    const anonymous = type && isTagged(type) && !fieldOf(type, 'name') && fieldOf(type, 'body');
    let firstTypedef = -1;
    for (const declarator of declarators) {
      const nameNode = innermostName(declarator);
      if (!nameNode) continue;
      const index = this.symbols.length;
      if (firstTypedef < 0) firstTypedef = index;
      this.symbols.push(newSymbol({
        name: this.textOf(nameNode),
        kind: 'typedef',
        definition: true,
        range: rangeOf(node),
        selectionRange: rangeOf(nameNode),
        signature: this.declarationSignature(node, type, declarator),
      }));
    }
    if (!type) return;
    // `typedef struct { ... } Name;` hangs the fields under the typedef itself.
    if (anonymous && firstTypedef >= 0) this.members(type, firstTypedef);
    else this.tagged(type, undefined);
  }

  /** struct/union/enum specifiers that carry a body (or are forward declarations at top level). */
  private tagged(node: Node, parent: number | undefined): number | undefined {
    if (!isTagged(node)) return undefined;
    const nameNode = fieldOf(node, 'name');
    const body = fieldOf(node, 'body');
    if (!body) {
      return undefined;
    }
    let index = parent;
    if (nameNode) {
      index = this.symbols.length;
      this.symbols.push(newSymbol({
        name: this.textOf(nameNode),
        kind: tagKind(node.type),
        definition: true,
        range: rangeOf(node),
        selectionRange: rangeOf(nameNode),
        signature: this.clip(this.start(node), this.start(body)),
        parent,
      }));
    }
    this.members(node, index);
    return index;
  }

  private members(node: Node, parent: number | undefined): void {
    const body = fieldOf(node, 'body');
    if (!body) return;
    if (body.type === 'enumerator_list') {
      for (const e of body.children) {
        if (e.type !== 'enumerator') continue;
        const nameNode = fieldOf(e, 'name');
        if (!nameNode) continue;
        this.symbols.push(newSymbol({
          name: this.textOf(nameNode),
          kind: 'enumerator',
          definition: true,
          range: rangeOf(e),
          selectionRange: rangeOf(nameNode),
          signature: this.clip(this.start(e), this.end(e)),
          parent,
        }));
      }
      return;
    }
    this.fieldList(body, parent);
  }

  private fieldList(list: Node, parent: number | undefined): void {
    const simple = this.fields?.get(this.start(list));
    if (simple) {
      this.simpleFields(simple.fields, parent);
      return;
    }
    for (const field of list.children) {
      if (field.type !== 'field_declaration') {
        // Fields under #ifdef inside a struct are still fields.
        if (CONTAINERS.has(field.type)) this.fieldList(field, parent);
        continue;
      }
      const type = fieldOf(field, 'type');
      const aggregate = type && isTagged(type) && fieldOf(type, 'body') ? type : undefined;
      // A nested named aggregate is a symbol of its own.
      if (aggregate && fieldOf(aggregate, 'name')) this.tagged(aggregate, parent);
      let firstField: number | undefined;
      for (const declarator of fieldsOf(field, 'declarator')) {
        const nameNode = innermostName(declarator);
        if (!nameNode) continue;
        firstField ??= this.symbols.length;
        this.symbols.push(newSymbol({
          name: this.textOf(nameNode),
          kind: 'field',
          definition: true,
          range: rangeOf(field),
          selectionRange: rangeOf(nameNode),
          signature: this.declarationSignature(field, type, declarator),
          parent,
        }));
      }
      // An anonymous aggregate's members belong to the field it declares (`struct { ... } r_Half;`),
      // or, with no declarator (C11 anonymous members), to the enclosing aggregate.
      if (aggregate && !fieldOf(aggregate, 'name')) this.members(aggregate, firstField ?? parent);
    }
  }

  /** The fields of a body read from the text: what the loop above makes of the same fields in a tree. */
  private simpleFields(fields: readonly SimpleField[], parent: number | undefined): void {
    for (const field of fields) {
      const aggregate = field.aggregate;
      // As `fieldList` reads a nested aggregate: a named one is a symbol of its own, before the fields
      // it types; an anonymous one's members come after, under its first field (or the enclosing one).
      if (aggregate?.name) {
        const index = this.symbols.length;
        this.symbols.push(newSymbol({
          name: this.text.slice(aggregate.name.start, aggregate.name.end),
          kind: aggregate.kind,
          definition: true,
          range: this.rangeAt(aggregate.start, aggregate.end),
          selectionRange: this.rangeAt(aggregate.name.start, aggregate.name.end),
          signature: this.clip(aggregate.start, aggregate.open),
          parent,
        }));
        this.simpleFields(aggregate.body.fields, index);
      }
      const prefix = aggregate ? `${this.clip(field.start, aggregate.open)}${aggregate.name ? '' : ' {...}'}` : this.clip(field.start, field.typeEnd);
      let firstField: number | undefined;
      for (const d of field.declarators) {
        firstField ??= this.symbols.length;
        this.symbols.push(newSymbol({
          name: this.text.slice(d.nameStart, d.nameEnd),
          kind: 'field',
          definition: true,
          range: this.rangeAt(field.start, field.end),
          selectionRange: this.rangeAt(d.nameStart, d.nameEnd),
          signature: `${prefix} ${this.clip(d.start, d.end)}`.trim().slice(0, MAX_SIGNATURE),
          parent,
        }));
      }
      if (aggregate && !aggregate.name) this.simpleFields(aggregate.body.fields, firstField ?? parent);
    }
  }

  private rangeAt(from: number, to: number): Range {
    return { start: offsetToPosition(this.starts, from), end: offsetToPosition(this.starts, to) };
  }

  private declarationSignature(node: Node, type: Node | null, declarator: Node): string {
    const prefix = type ? this.clip(this.start(node), this.end(type)) : '';
    const decl = declarator.type === 'init_declarator' ? fieldOf(declarator, 'declarator') ?? declarator : declarator;
    const body = type && fieldOf(type, 'body');
    // Leave out an aggregate's body: the signature of `struct X {...} x` is `struct X x`;
    // an anonymous one keeps a placeholder, or `struct {...} x` would read as `struct x`.
    const head = body && type ? `${this.clip(this.start(node), this.start(body))}${fieldOf(type, 'name') ? '' : ' {...}'}` : prefix;
    return `${head} ${this.clip(this.start(decl), this.end(decl))}`.trim().slice(0, MAX_SIGNATURE);
  }

  private clip(start: number, end: number): string {
    return clipSignature(this.text, start, end);
  }
}

function isTagged(node: Node): boolean {
  return node.type === 'struct_specifier' || node.type === 'union_specifier' || node.type === 'enum_specifier';
}

function tagKind(type: string): SymbolKind {
  return type === 'struct_specifier' ? 'struct' : type === 'union_specifier' ? 'union' : 'enum';
}

/** The function declarator of a function (through pointers and attributes), or null for anything else. */
function functionDeclarator(declarator: Node): Node | null {
  let d: Node | null = declarator;
  while (d && (d.type === 'pointer_declarator' || d.type === 'attributed_declarator')) d = fieldOf(d, 'declarator') ?? d.children[0] ?? null;
  if (!d || d.type !== 'function_declarator') return null;
  // `int (*fp)(int)` is a variable holding a pointer, not a function.
  const inner = fieldOf(d, 'declarator');
  return inner && inner.type === 'parenthesized_declarator' ? null : d;
}

/** The identifier a declarator names, through pointers, arrays, parentheses and initializers. */
function innermostName(declarator: Node): Node | null {
  let d: Node | null = declarator;
  for (let guard = 0; d && guard < 32; guard++) {
    switch (d.type) {
      case 'identifier':
      case 'field_identifier':
      case 'type_identifier':
        return d;
      case 'parenthesized_declarator':
      case 'attributed_declarator':
        d = d.children[0] ?? null;
        break;
      default:
        d = fieldOf(d, 'declarator');
    }
  }
  return null;
}

function rangeOf(node: Node): Range {
  const s = node.start;
  const e = node.end;
  return { start: { line: s.row, character: s.column }, end: { line: e.row, character: e.column } };
}
