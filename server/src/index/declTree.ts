// The part of a tree-sitter tree that declarations are read from, copied out
// into plain objects with one tree cursor. node-tree-sitter's node accessors
// allocate a node object per call, hash a 64-bit id through BigInt and pin
// each node in the tree's cache; on a cold index of AROS that was half of
// extraction's time and much of the workers' garbage. A cursor answers the
// same questions with a native call each and allocates nothing but positions.
//
// Only what extraction looks at is copied: containers, declarations and their
// declarators, type specifiers with bodies, field and enumerator lists. The
// rest (parameter lists, initializers, expressions) is a leaf: type, field and
// span, no children.

import type Parser from 'tree-sitter';

export interface Point {
  row: number;
  column: number;
}

export interface DeclNode {
  readonly type: string;
  /** The field this node fills in its parent, if any. */
  readonly field: string | undefined;
  readonly start: Point;
  readonly end: Point;
  /** Named children, in order; empty for a leaf or a unit read without them. */
  children: DeclNode[];
  /** A unit's place in the tree, for `DeclReader.expand`; -1 below units. */
  readonly descendant: number;
}

/** Nodes whose named children are top-level units or further containers. */
export const CONTAINERS: ReadonlySet<string> = new Set([
  'translation_unit',
  'preproc_if',
  'preproc_ifdef',
  'preproc_else',
  'preproc_elif',
  'preproc_elifdef',
  'declaration_list',
  'linkage_specification',
]);

/** Units whose children extraction reads; others are kept for their type and span alone. */
const DECLARATIONS: ReadonlySet<string> = new Set([
  'function_definition',
  'declaration',
  'type_definition',
  'struct_specifier',
  'union_specifier',
  'enum_specifier',
]);

/** Nodes below a declaration whose children extraction reads: every type a `declarator` field can hold is here. */
const DESCEND: ReadonlySet<string> = new Set([
  ...CONTAINERS,
  ...DECLARATIONS,
  'ERROR',
  'field_declaration_list',
  'field_declaration',
  'enumerator_list',
  'enumerator',
  'pointer_declarator',
  'attributed_declarator',
  'function_declarator',
  'parenthesized_declarator',
  'array_declarator',
  'init_declarator',
  'parameter_declaration',
  'abstract_pointer_declarator',
  'abstract_function_declarator',
  'abstract_array_declarator',
  'abstract_parenthesized_declarator',
  'type_descriptor',
]);

/** The first child filling `field`, as tree-sitter's `childForFieldName`. */
export function fieldOf(node: DeclNode, field: string): DeclNode | null {
  for (const child of node.children) if (child.field === field) return child;
  return null;
}

/** Every child filling `field`, as tree-sitter's `childrenForFieldName`. */
export function fieldsOf(node: DeclNode, field: string): DeclNode[] {
  return node.children.filter((child) => child.field === field);
}

/** A language's type and field names by id, each looked up once. */
interface NameCache {
  typeNames: string[];
  namedTypes: boolean[];
  fieldNames: Array<string | undefined>;
}

/**
 * Per language, not per tree: a cache per reader looked the same few dozen
 * names up again in every file, a tenth of the native calls of reading AROS.
 */
const nameCaches = new WeakMap<object, NameCache>();

function nameCacheOf(language: object): NameCache {
  let cache = nameCaches.get(language);
  if (!cache) nameCaches.set(language, (cache = { typeNames: [], namedTypes: [], fieldNames: [] }));
  return cache;
}

/** The grammar a tree was parsed with (node-tree-sitter sets it on every tree it parses; its types omit it). */
function languageOf(root: Parser.SyntaxNode): object {
  const language = (root.tree as Parser.Tree & { language?: object }).language;
  // Without one, a cache of this tree's own.
  return language ?? {};
}

/** Reads one tree. Type and field names are looked up once per id, not per node. */
export class DeclReader {
  private readonly cursor: Parser.TreeCursor;
  private readonly typeNames: string[];
  private readonly namedTypes: boolean[];
  private readonly fieldNames: Array<string | undefined>;

  constructor(root: Parser.SyntaxNode) {
    this.cursor = root.walk();
    ({ typeNames: this.typeNames, namedTypes: this.namedTypes, fieldNames: this.fieldNames } = nameCacheOf(languageOf(root)));
  }

  /**
   * The top-level units, in order, looking through containers (`#if` blocks,
   * `extern "C"` bodies, ERROR nodes). With `expand`, declarations come with
   * their children; otherwise `expand` reads them one by one.
   */
  units(expand: boolean): DeclNode[] {
    const out: DeclNode[] = [];
    this.cursor.gotoDescendant(0);
    this.containerChildren(out, expand);
    return out;
  }

  /** A unit read without children, read again with them (if extraction reads any). */
  expand(unit: DeclNode): DeclNode {
    if (unit.children.length > 0 || !DECLARATIONS.has(unit.type)) return unit;
    this.cursor.gotoDescendant(unit.descendant);
    return this.read(unit.field, true, unit.descendant);
  }

  private containerChildren(out: DeclNode[], expand: boolean): void {
    const c = this.cursor;
    if (!c.gotoFirstChild()) return;
    do {
      const id = c.nodeTypeId;
      if (!this.isNamed(id)) continue;
      const type = this.typeName(id);
      if (type === 'linkage_specification') {
        if (this.gotoField('body')) {
          this.containerChildren(out, expand);
          c.gotoParent();
        }
      } else if (type === 'ERROR' || CONTAINERS.has(type)) this.containerChildren(out, expand);
      // Where `expand` finds the unit again: only units read without their children need it.
      else out.push(this.read(this.fieldName(), expand && DECLARATIONS.has(type), expand ? -1 : c.currentDescendantIndex));
    } while (c.gotoNextSibling());
    c.gotoParent();
  }

  /** Moves to the current node's first child filling `field`; false (and not moved) if none. */
  private gotoField(field: string): boolean {
    const c = this.cursor;
    if (!c.gotoFirstChild()) return false;
    do {
      if (this.fieldName() === field) return true;
    } while (c.gotoNextSibling());
    c.gotoParent();
    return false;
  }

  /** The node under the cursor, with its named children when `descend`; the cursor ends where it started. */
  private read(field: string | undefined, descend: boolean, descendant = -1): DeclNode {
    const c = this.cursor;
    const type = this.typeName(c.nodeTypeId);
    const node: DeclNode = { type, field, start: c.startPosition, end: c.endPosition, children: [], descendant };
    if (!descend || !c.gotoFirstChild()) return node;
    do {
      const id = c.nodeTypeId;
      if (!this.isNamed(id)) continue;
      node.children.push(this.read(this.fieldName(), DESCEND.has(this.typeName(id))));
    } while (c.gotoNextSibling());
    c.gotoParent();
    return node;
  }

  private typeName(id: number): string {
    let name = this.typeNames[id];
    if (name === undefined) this.typeNames[id] = name = this.cursor.nodeType;
    return name;
  }

  private isNamed(id: number): boolean {
    let named = this.namedTypes[id];
    if (named === undefined) this.namedTypes[id] = named = this.cursor.nodeIsNamed;
    return named;
  }

  private fieldName(): string | undefined {
    // undefined, not 0, where the node fills no field (whatever the typings say): read as
    // a key, it looked the name up again for every such node.
    const id = this.cursor.currentFieldId as number | undefined;
    if (id === undefined || id === 0) return undefined;
    let name = this.fieldNames[id];
    if (name === undefined) this.fieldNames[id] = name = this.cursor.currentFieldName;
    return name;
  }
}
