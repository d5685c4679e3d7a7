import { describe, it, expect } from 'vitest';
import type Parser from 'tree-sitter';
import { cParser } from '../../server/src/index/analyze';
import { DeclReader, fieldOf, fieldsOf, type DeclNode } from '../../server/src/index/declTree';

const TEXT = [
  '#include <exec/types.h>',
  'struct Node { struct Node *ln_Succ, *ln_Pred; UBYTE ln_Type; };',
  'typedef struct { int x; union { long l; short s[2]; } u; } Pair;',
  'enum Color { RED, GREEN = 2, BLUE };',
  'extern "C" { int inside(void); }',
  '#ifdef __AROS__',
  'static int (*hook)(int a, char *b) = 0, plain;',
  '#else',
  'int k_and_r(a, b) int a; char *b; { }',
  '#endif',
  'struct Flags {',
  '#if WIDE',
  '  ULONG f __attribute__((aligned(4)));',
  '#endif',
  '  void (*fn)(void);',
  '};',
  'LONG arr[4][2], *ptr;',
  'void last(void) { }',
  'int broken( { ; int swallowed;', // ERROR recovery takes the rest of the file
].join('\n');

/** The same tree read through node-tree-sitter's node objects, to check the cursor's reading against. */
function viaNodes(node: Parser.SyntaxNode, field: string | undefined, descend: (type: string, field: string | undefined) => boolean): DeclNode {
  const out: DeclNode = { type: node.type, field, start: node.startPosition, end: node.endPosition, children: [], descendant: -1 };
  if (!descend(node.type, field)) return out;
  node.namedChildren.forEach((child, i) => {
    out.children.push(viaNodes(child, node.fieldNameForNamedChild(i) ?? undefined, () => true));
  });
  return out;
}

/** Drops what only the cursor knows (unit places) and cuts both readings to the depth the cursor read. */
function shape(node: DeclNode): unknown {
  return { type: node.type, field: node.field, start: node.start, end: node.end, children: node.children.map(shape) };
}

function prune(full: DeclNode, read: DeclNode): DeclNode {
  return { ...full, children: read.children.length ? full.children.map((c, i) => prune(c, read.children[i] ?? { ...c, children: [] })) : [] };
}

describe('DeclReader', () => {
  const tree = cParser().parse(TEXT);

  it('reads units through containers, with types, fields and spans as the node API gives them', () => {
    const units = new DeclReader(tree.rootNode).units(true);
    expect(units.filter((u) => u.type === 'function_definition').map((u) => u.start.row)).toEqual([8, 17]);
    // Containers are looked through: no #if block or linkage body is a unit.
    expect(units.some((u) => ['preproc_ifdef', 'preproc_else', 'linkage_specification', 'declaration_list', 'ERROR'].includes(u.type))).toBe(false);
    const names = units.filter((u) => u.type === 'declaration').map((u) => TEXT.split('\n')[u.start.row]);
    expect(names).toEqual(expect.arrayContaining(['static int (*hook)(int a, char *b) = 0, plain;', 'LONG arr[4][2], *ptr;']));
    expect(names.some((line) => line.includes('inside'))).toBe(true);

    // Every unit, read to the depth the cursor went, matches the node API's reading of the same node.
    const byStart = new Map<string, Parser.SyntaxNode>();
    const index = (n: Parser.SyntaxNode): void => {
      byStart.set(`${n.startIndex}:${n.endIndex}:${n.type}`, n);
      n.namedChildren.forEach(index);
    };
    index(tree.rootNode);
    for (const unit of units) {
      const node = [...byStart.values()].find((n) => n.type === unit.type && n.startPosition.row === unit.start.row && n.startPosition.column === unit.start.column && n.endPosition.row === unit.end.row && n.endPosition.column === unit.end.column);
      expect(node, `${unit.type} at ${unit.start.row}`).toBeDefined();
      const reference = viaNodes(node as Parser.SyntaxNode, unit.field, () => true);
      expect(shape(unit)).toEqual(shape(prune(reference, unit)));
    }
  });

  it('reads the declarator chain and aggregate members, and leaves parameter lists as leaves', () => {
    const units = new DeclReader(tree.rootNode).units(true);
    const hook = units.find((u) => u.type === 'declaration' && u.start.row === 6) as DeclNode;
    const declarators = fieldsOf(hook, 'declarator');
    expect(declarators.map((d) => d.type)).toEqual(['init_declarator', 'identifier']);
    const fn = fieldOf(declarators[0], 'declarator') as DeclNode;
    expect(fn.type).toBe('function_declarator');
    expect(fieldOf(fn, 'declarator')?.type).toBe('parenthesized_declarator');
    expect(fieldOf(fn, 'parameters')?.children).toEqual([]);

    const flags = units.find((u) => u.type === 'struct_specifier' && u.start.row === 10) as DeclNode;
    const body = fieldOf(flags, 'body') as DeclNode;
    expect(body.children.map((c) => c.type)).toEqual(['preproc_if', 'field_declaration']);
    const inIf = body.children[0].children.filter((c) => c.type === 'field_declaration');
    expect(inIf).toHaveLength(1);
  });

  it('reads a tree the same after readers of other trees (type and field names are kept per language)', () => {
    const first = shape({ type: 'root', field: undefined, start: { row: 0, column: 0 }, end: { row: 0, column: 0 }, children: new DeclReader(tree.rootNode).units(true), descendant: -1 });
    // Other trees, other node types and fields, read in between.
    for (const other of ['union U { int a; } u; enum { A } e;', 'int main(int argc, char **argv) { return 0; }', 'typedef void (*F)(int);']) {
      new DeclReader(cParser().parse(other).rootNode).units(true);
    }
    const again = shape({ type: 'root', field: undefined, start: { row: 0, column: 0 }, end: { row: 0, column: 0 }, children: new DeclReader(cParser().parse(TEXT).rootNode).units(true), descendant: -1 });
    expect(again).toEqual(first);
    // A unit read with its children carries no place: only `expand` needs one.
    expect(new DeclReader(tree.rootNode).units(true).every((u) => u.descendant === -1)).toBe(true);
    expect(new DeclReader(tree.rootNode).units(false).every((u) => u.descendant >= 0)).toBe(true);
  });

  it('gives a unit read without children the same children when expanded', () => {
    const reader = new DeclReader(tree.rootNode);
    const shallow = reader.units(false);
    const deep = new DeclReader(tree.rootNode).units(true);
    expect(shallow.map((u) => [u.type, u.start, u.end])).toEqual(deep.map((u) => [u.type, u.start, u.end]));
    expect(shallow.every((u) => u.children.length === 0)).toBe(true);
    // Out of order, to move the cursor back and forth.
    for (const i of [...shallow.keys()].reverse()) expect(shape(reader.expand(shallow[i]))).toEqual(shape(deep[i]));
  });
});
