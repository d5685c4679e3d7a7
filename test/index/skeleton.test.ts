import { describe, it, expect } from 'vitest';
import { cParser } from '../../server/src/index/analyze';
import { scanDirectives } from '../../server/src/index/directives';
import { lexC, lineStarts } from '../../server/src/index/lexer';
import { declarationRanges, declarationRangesEveryCharacter, skeletonize, type DeclarationRanges } from '../../server/src/index/skeleton';
import { randomTexts } from '../helpers/randomText';

/** Bodies only: the tests of parameter lists use the whole cut. */
function bodiesOf(code: string): DeclarationRanges {
  return { bodies: declarationRanges(code).bodies, parameters: [] };
}

function skel(text: string): string {
  const code = lexC(text).code;
  return skeletonize(code, bodiesOf(code));
}

/** What analyze.ts cuts in workspace mode: bodies plus directives and comments. */
function fullSkeleton(text: string): string {
  const lex = lexC(text);
  const d = scanDirectives(lex.code, text, lineStarts(text));
  return skeletonize(lex.code, bodiesOf(lex.code), [...d.blank, ...lex.comments.map((c) => [c.start, c.end] as const)]);
}

/** Every character the skeleton keeps sits at the same line and column as in the original. */
function expectSameLayout(original: string, skeleton: string): void {
  const a = original.split('\n');
  const b = skeleton.split('\n');
  expect(b.length).toBe(a.length);
  b.forEach((line, row) => {
    for (let col = 0; col < line.length; col++) {
      if (line[col] !== ' ') expect(`${row}:${col}:${line[col]}`).toBe(`${row}:${col}:${a[row][col]}`);
    }
  });
}

/** Identifiers tree-sitter sees in the skeleton, as `name@line:column`, read back from the original text. */
function identifiersAt(original: string, skeleton: string): string[] {
  const lines = original.split('\n');
  const out: string[] = [];
  const walk = (n: import('tree-sitter').SyntaxNode): void => {
    if (n.type === 'identifier' || n.type === 'type_identifier' || n.type === 'field_identifier') {
      const { row, column } = n.startPosition;
      const fromOriginal = lines[row].slice(column, column + n.text.length);
      expect(fromOriginal).toBe(n.text);
      out.push(`${n.text}@${row}:${column}`);
    }
    for (const c of n.children) walk(c);
  };
  walk(cParser().parse(skeleton).rootNode);
  return out;
}

describe('skeletonize: bodies', () => {
  it('cuts a function body to its newlines and the closing line indentation', () => {
    const text = 'int f(int a)\n{\n    int x = a;\n    return x;\n}\nint g;\n';
    const s = skel(text);
    expect(s).toBe('int f(int a)\n{\n\n\n}\nint g;\n');
    expectSameLayout(text, s);
    expect(identifiersAt(text, s)).toEqual(['f@0:4', 'a@0:10', 'g@5:4']);
  });

  it('keeps the column of an indented closing brace', () => {
    const text = 'void f(void) {\n  call();\n    }  int after;\n';
    const s = skel(text);
    expect(s).toBe('void f(void) {\n\n    }  int after;\n');
    expect(identifiersAt(text, s)).toEqual(['f@0:5', 'after@2:11']);
  });

  it('cuts a one-line body to spaces', () => {
    const text = 'static int one(void) { return 1; } int two;';
    expect(skel(text)).toBe('static int one(void) {           } int two;');
  });

  it('cuts initializers after `=`', () => {
    const text = 'static const int table[] = {\n    1, 2,\n    3 };\nstruct S s = { 1, 2 };\nint after;\n';
    const s = skel(text);
    expect(s).toBe('static const int table[] = {\n\n      };\nstruct S s = {      };\nint after;\n');
    expectSameLayout(text, s);
    expect(identifiersAt(text, s)).toEqual(['table@0:17', 'S@3:7', 's@3:9', 'after@4:4']);
  });

  it('keeps struct, union and enum bodies (they are declarations)', () => {
    const text = 'struct S {\n    int a;\n};\nunion U { int i; float f; };\nenum E { A, B };\ntypedef struct { int z; } T;\n';
    expect(skel(text)).toBe(text);
  });

  it('cuts nested braces inside a body as one range', () => {
    const text = 'int f(void)\n{\n    if (x) {\n        y();\n    } else { z(); }\n}\nint after;';
    const s = skel(text);
    expect(s).toBe('int f(void)\n{\n\n\n\n}\nint after;');
  });

  it('cuts K&R definitions: parameter declarations between `)` and `{`', () => {
    const text = 'int f(a, b)\n    int a;\n    char *b;\n{\n    return a + *b;\n}\nint after;\n';
    const s = skel(text);
    expect(s).toBe('int f(a, b)\n    int a;\n    char *b;\n{\n\n}\nint after;\n');
    expectSameLayout(text, s);
  });

  it('a `;` before `{` that is not after a parameter list does not open a body', () => {
    const text = 'int x = 1;\n{\n    int inner;\n}\n';
    expect(skel(text)).toBe(text);
  });

  it('skips a preprocessor line between the head and the brace', () => {
    const text = 'int f(void)\n#pragma whatever\n{\n    body();\n}\nint after;';
    expect(skel(text)).toBe('int f(void)\n#pragma whatever\n{\n\n}\nint after;');
  });

  it('is unchanged when there is nothing to cut', () => {
    const text = 'extern int a;\nint f(int);\n';
    expect(skel(text)).toBe(text);
    expect(skeletonize('')).toBe('');
  });

  it('looks at the masked code: braces in comments and strings do not count', () => {
    const text = 'int f(void)\n{\n    puts("}");\n    /* } */\n}\nint after;';
    expect(skel(text)).toBe('int f(void)\n{\n\n\n}\nint after;');
  });
});

describe('skeletonize: conditionals', () => {
  it('does not count braces under #if 0', () => {
    const text = '#if 0\nvoid old(void) {\n#endif\nvoid f(void)\n{\n    body();\n}\nint after;';
    const s = skel(text);
    expect(s).toBe('#if 0\nvoid old(void) {\n#endif\nvoid f(void)\n{\n\n}\nint after;');
    expect(identifiersAt(text, s).filter((x) => x.startsWith('after'))).toEqual(['after@7:4']);
  });

  it('counts only the first branch of #ifdef ... #else', () => {
    const text = '#ifdef X\nint f(int a) {\n#else\nint f(int a, int b) {\n#endif\n    return a;\n}\nint after;';
    const s = skel(text);
    expect(s).toBe('#ifdef X\nint f(int a) {\n\n\n\n\n}\nint after;');
    expectSameLayout(text, s);
  });

  it('counts only the first branch of #if ... #elif ... #endif', () => {
    const text = '#if A\nvoid g(void) {\n#elif B\nvoid g(int x) {\n#else\nvoid g(long y) {\n#endif\n}\nint after;';
    expect(skel(text)).toBe('#if A\nvoid g(void) {\n\n\n\n\n\n}\nint after;');
  });

  it('after #if 0, the first branch that can be compiled counts: #else, or the first #elif', () => {
    const elsed = '#if 0\nvoid old(void) {\n#else\nvoid f(void) {\n    body();\n}\n#endif\nint after;';
    expect(skel(elsed)).toBe('#if 0\nvoid old(void) {\n#else\nvoid f(void) {\n\n}\n#endif\nint after;');
    const elifs = '#if 0\nvoid a(void) {\n#elif B\nvoid b(void) {\n  x();\n}\n#else\nvoid c(void) {\n#endif\nint after;';
    expect(skel(elifs)).toBe('#if 0\nvoid a(void) {\n#elif B\nvoid b(void) {\n\n}\n#else\nvoid c(void) {\n#endif\nint after;');
    // Under a skipped branch it stays skipped.
    const nested = '#ifdef X\nint x;\n#else\n#if 0\n#else\nvoid f(void) {\n#endif\n#endif\nint g(void) { y(); }';
    expect(skel(nested)).toBe('#ifdef X\nint x;\n#else\n#if 0\n#else\nvoid f(void) {\n#endif\n#endif\nint g(void) {      }');
  });

  it('cuts the bodies of a branch skipped at file level that ends where it began (another implementation under #else)', () => {
    const text = '#ifdef QUIET\n#define show(l) quiet()\n#else\nstatic void show(int l)\n{\n    printf(l);\n}\n#endif\nint after;';
    const s = skel(text);
    expect(s).toBe('#ifdef QUIET\n#define show(l) quiet()\n#else\nstatic void show(int l)\n{\n\n}\n#endif\nint after;');
    expectSameLayout(text, s);
    // Every later branch on its own, #elif and #else alike, and initializers too.
    const elifs = '#if A\nint a;\n#elif B\nint b(void) { x(); }\n#else\nint c[] = { 1, 2 };\n#endif\n';
    expect(skel(elifs)).toBe('#if A\nint a;\n#elif B\nint b(void) {      }\n#else\nint c[] = {      };\n#endif\n');
    // A function set aside under `#if 0`, the same way.
    const aside = '#if 0\nvoid old(void) { x(); }\n#endif\nint after;';
    expect(skel(aside)).toBe('#if 0\nvoid old(void) {      }\n#endif\nint after;');
    // Plain parameter lists are cut there as in the first branch.
    const lists = '#ifdef X\nint x;\n#else\nULONG Count(struct List *l);\n#endif\n';
    expect(skeletonize(lexC(lists).code)).toBe(lists.replace('struct List *l', ' '.repeat(14)));
  });

  it('leaves a later branch whose braces do not balance within it, or one inside a body', () => {
    // An alternative head and its `{` (the first branch's counts), or a branch closing what came before.
    const heads = '#ifdef X\nint f(int a) {\n#else\nint f(int a, int b) { if (b) {\n#endif\n    return a;\n}\n';
    expect(skel(heads)).toBe('#ifdef X\nint f(int a) {\n\n\n\n\n}\n');
    const closing = 'struct S {\n#ifdef X\n};\n#else\n int y; };\n#endif\nint g(void) { y(); }';
    expect(skel(closing)).toBe(closing.replace('{ y(); }', '{      }'));
    const opening = '#ifdef X\nint x;\n#else\nvoid f(void) {\n#endif\n  y();\n}\n';
    expect(skel(opening)).toBe(opening);
    // Inside a body only the first branch counts, as before.
    const inside = 'void f(void) {\n#ifdef X\n  a();\n#else\n  if (b) { c(); }\n#endif\n}\n';
    expect(skel(inside)).toBe('void f(void) {\n\n\n\n\n\n}\n');
  });

  it('braces inside an #if 0 nested in a live branch stay uncounted, and counting resumes after', () => {
    const text = '#ifdef X\n#if 0\n{\n#endif\nint f(void) { a(); }\n#endif\nint after;';
    expect(skel(text)).toBe('#ifdef X\n#if 0\n{\n#endif\nint f(void) {      }\n#endif\nint after;');
  });

  it('directives continued with a backslash are skipped whole', () => {
    const text = '#define M(x) \\\n    { x }\nint f(void) { x; }';
    expect(skel(text)).toBe('#define M(x) \\\n    { x }\nint f(void) {    }');
  });
});

describe('skeletonize: unbalanced braces degrade gracefully', () => {
  it('an unclosed body leaves the rest of the file as it is', () => {
    const text = 'void f(void)\n{\n    if (x) {\n}\nint after;\nstruct S { int a; };\n';
    expect(() => skel(text)).not.toThrow();
    expect(skel(text)).toBe(text);
  });

  it('a stray closing brace does not stop later bodies from being cut', () => {
    const text = '}\n}\nint g(void) { x(); }\nint after;';
    expect(skel(text)).toBe('}\n}\nint g(void) {      }\nint after;');
  });

  it('an unclosed brace after a cut body keeps the cut body and the rest', () => {
    const text = 'int a(void) { one(); }\nint b(void) {\n    two();\nint after;';
    expect(skel(text)).toBe('int a(void) {        }\nint b(void) {\n    two();\nint after;');
  });
});

describe('skeletonize: directive and comment ranges', () => {
  it('cuts the given ranges to newlines and spaces', () => {
    const code = '#define A 1\nint x;\n';
    expect(skeletonize(code, undefined, [[0, 11]])).toBe('           \nint x;\n');
  });

  it('cuts a continued #define and keeps the following line in place', () => {
    const text = '#define M(a) \\\n  (a)\nint y;';
    const s = fullSkeleton(text);
    expect(s).toBe('\n     \nint y;');
    expect(identifiersAt(text, s)).toEqual(['y@2:4']);
  });

  it('leaves conditionals and cuts includes, defines and comments', () => {
    const text = '#include <exec/types.h>\n#ifndef X_H\n/* doc\n   more */\nint x; // tail\n#endif\n';
    expect(fullSkeleton(text)).toBe(
      '                       \n#ifndef X_H\n\n          \nint x;        \n#endif\n',
    );
  });

  it('merges a comment range overlapping a body range', () => {
    const text = 'int f(void)\n{\n    /* inside\n    */ x();\n}\nint after; /* c */';
    const s = fullSkeleton(text);
    expect(s).toBe('int f(void)\n{\n\n\n}\nint after;        ');
    expectSameLayout(text, s);
  });

  it('keeps the layout of a realistic file so tree-sitter sees the same declaration positions', () => {
    const text = [
      '/* header */',
      '#include "x.h"',
      '#define LIMIT 10',
      'struct Node {',
      '    struct Node *next;',
      '    int value;',
      '};',
      'static int count(struct Node *n)',
      '{',
      '    int c = 0;',
      '    while (n) { c++; n = n->next; }',
      '    return c;',
      '}',
      'static const char *names[] = {',
      '    "a", "b",',
      '};',
      '    int indented(void) {',
      '        return 0;',
      '    }',
      'int last;',
    ].join('\n');
    const s = fullSkeleton(text);
    expectSameLayout(text, s);
    expect(identifiersAt(text, s)).toEqual([
      'Node@3:7',
      'Node@4:11',
      'next@4:17',
      'value@5:8',
      'count@7:11',
      'Node@7:24',
      'n@7:30',
      'names@13:19',
      'indented@16:8',
      'last@19:4',
    ]);
    expect(cParser().parse(s).rootNode.hasError).toBe(false);
  });
});

describe('declarationRanges: skipping to braces and directives', () => {
  it('finds what looking at every character finds, on random text', () => {
    const pieces = ['{', '}', '(', ')', ';', ',', '=', '\n', '\r\n', ' ', '\t', '#', '\n#if 0\n', '\n  #else\n', '\n#endif\n', '\n#ifdef X\n', '\n#elif Y\n', '\n#define M { \\\n }\n', 'int f', 'static LONG g', 'x', 'extern " " ', 'struct S ', 'typedef ', '*', '0'];
    let compared = 0;
    for (const code of randomTexts(7, pieces, 3000, 40)) {
      expect(declarationRanges(code), JSON.stringify(code)).toEqual(declarationRangesEveryCharacter(code));
      compared++;
    }
    expect(compared).toBe(3000);
  });
});

describe('skeletonize: parameter lists', () => {
  const cut = (text: string): string => skeletonize(lexC(text).code);

  it('cuts the lists of plain prototypes and definitions, keeping every line and column (not after a comma: no type there)', () => {
    const text = ['ULONG Count(struct List *list,', '            ULONG max);', 'static const char *name(int i) {', '  return 0;', '}', 'struct Node *a(int), *b(void *p);', ''].join('\n');
    const s = cut(text);
    expect(s.split('\n')).toEqual(['ULONG Count(', '                     );', 'static const char *name(     ) {', '', '}', 'struct Node *a(   ), *b(void *p);', '']);
    expectSameLayout(text, s);
  });

  it('a head starts at its first word: a long comment before it does not count against its length', () => {
    const comment = `/*${' note'.repeat(80)} */`;
    for (const before of ['', 'int a;\n', '}\n', '#include <x.h>\n']) {
      const text = `${before}${comment}\nstatic LONG Read(struct DirHandle *dh, ULONG *len);\n`;
      expect(cut(text).split('\n').at(-2), before).toBe(`static LONG Read(${' '.repeat(32)});`);
    }
    // Still bounded: a head itself longer than the limit is left as written.
    const long = `static ${'const '.repeat(50)}LONG Read(int a);\n`;
    expect(cut(long)).toBe(long);
  });

  it('cuts the list of a VBCC inline stub, whose head is followed by `=` and its assembly', () => {
    const text = 'long __Open(__reg("a6") struct Library *)="\\tjsr\\t-36(a6)";\n';
    expect(cut(text)).toBe(`long __Open(${' '.repeat(28)})="${' '.repeat(14)}";\n`);
  });

  it('keeps lists that tell a pointer from a function, and heads tree-sitter may read otherwise', () => {
    const kept = [
      'int (*hook)(int a);', // behind `)`
      'typedef AROS_UFP2(LONG, (*CMP), AROS_UFPA(APTR, a, A0));', // a typedef's name inside
      '__BEGIN_DECLS double atof(const char *s);', // an unknown word before a basic type
      'void * __aros Open(const char *f);',
      'SAVEDS ULONG Main(int argc);', // three words
      'NV_DECLARE_ALIGNED(NvU64 base, 8);', // one word: a macro, not a declaration
      'int x __attribute__((aligned(4)));',
      'int f(a, b) int a; int b; { return a; }', // K&R: `int` follows
      'int v = g(1, 2);',
    ];
    for (const text of kept) expect(cut(text), text).toBe(text.replace('{ return a; }', `{${' '.repeat(11)}}`));
  });

  it('cuts at file level and in extern "C" blocks, not in aggregates or in code whose braces hid a body', () => {
    expect(cut('extern "C" {\nint f(int a);\n}\n')).toBe('extern " " {\nint f(     );\n}\n');
    expect(cut('struct S {\n  ULONG f(int a);\n};\n')).toBe('struct S {\n  ULONG f(int a);\n};\n');
    const ranges = declarationRanges(lexC('#if 1\nvoid f(void) {\n#else\nvoid f(int x) {\n#endif\n  return g(x, y);\n}\n').code);
    expect(ranges.parameters).toHaveLength(1);
  });
});
