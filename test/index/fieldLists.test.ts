import { describe, it, expect } from 'vitest';
import { analyzeC } from '../../server/src/index/analyze';
import { simpleFieldLists } from '../../server/src/index/fieldLists';
import { lexC } from '../../server/src/index/lexer';

/** The bodies found simple, as `{`'s line and the fields' names. */
function simple(text: string): Array<[number, string[]]> {
  const code = lexC(text).code;
  return [...simpleFieldLists(code)].map(([open, body]) => [
    code.slice(0, open).split('\n').length - 1,
    body.fields.flatMap((f) => f.declarators.map((d) => code.slice(d.nameStart, d.nameEnd))),
  ]);
}

describe('simpleFieldLists', () => {
  it('reads plain field lists: qualifiers, multi-word types, pointers, arrays, bit-fields, several declarators', () => {
    const text = [
      'struct Node {',
      '    struct Node *ln_Succ, *ln_Pred;',
      '    UBYTE ln_Type; /* a comment */ BYTE ln_Pri;',
      '    const char *ln_Name;',
      '    unsigned long int big[2][N + 1];',
      '    ULONG flag : 1, other : FLAG_BITS;',
      '};',
      'typedef union { long l; short s[2]; } Pair;',
      'struct Empty { };',
    ].join('\n');
    expect(simple(text)).toEqual([
      [0, ['ln_Succ', 'ln_Pred', 'ln_Type', 'ln_Pri', 'ln_Name', 'big', 'flag', 'other']],
      [7, ['l', 's']],
      [8, []],
    ]);
  });

  it('leaves to tree-sitter any body with something else in it', () => {
    const bodies = [
      'struct A { void (*fn)(int x = 1); };', // a function pointer whose parameters hold more than declarations
      'struct B { struct C { int x; void (*f)(int y = 0); } c; };', // a nested aggregate that is not plain
      'struct D {\n# 12 "x.h"\n int x;\n};', // a `#` that starts no directive the skeleton blanks (a line marker)
      'struct D2 {\n#if X\n int x;\n};', // a conditional left open
      'struct D3 { int x; #if X\n int y;\n#endif\n};', // a `#` that does not start its line
      'struct E { int x __attribute__((aligned(4))); };', // an attribute
      'struct F { ULONG : 4; };', // a bit-field without a name
      'struct G { char * const p; };', // a qualified pointer
      'struct H { int int; };', // a keyword for a name
      'struct I { int x };', // no semicolon
      'struct J { static int x; };', // a storage class
      'struct K { APTR FAR p; };', // two type names
      'struct L { int x = 1; };', // an initializer
      'struct M { char const *p; };', // a qualifier after the type
      'struct N { void (*load)(struct lut *, int size, void __iomem *); };', // a parameter tree-sitter cannot read (a macro in it)
      'struct O { void (*f)(REG(a0, APTR x)); };', // a macro as a parameter
    ];
    expect(bodies.map((b) => simple(b).map(([, names]) => names))).toEqual([[], [], [], [], [], [], [], [], [], [], [], [], [], [], [], []]);
  });

  it('reads past directives other than conditionals (the skeleton blanks them) and pointers to functions returning pointers', () => {
    const text = ['struct Flags {', '  ULONG f_Flags;', '#define FF_ON 1', '#pragma pack(2)', '  char *(*f_Name)(void), **(*f_Names)(int);', '};'].join('\n');
    expect(simple(text)).toEqual([[0, ['f_Flags', 'f_Name', 'f_Names']]]);
  });

  it('reads the fields of every branch of a conditional in a body', () => {
    const text = ['struct Cond {', '  ULONG a;', '#ifdef __AROS__', '  APTR b;', '#elif defined(X) \\', '      || defined(Y)', '  IPTR b;', '#else', '  LONG c;', '#endif', '  ULONG d;', '};'].join('\n');
    expect(simple(text)).toEqual([[0, ['a', 'b', 'b', 'c', 'd']]]);
  });

  it('reads nested plain aggregates, named or not, with the fields they type', () => {
    const text = ['struct Outer {', '  struct Inner { int a; } inner, *pinner;', '  union { long l; short s[2]; } u;', '  struct { int x; };', '  int after;', '};'].join('\n');
    expect(simple(text).find(([line]) => line === 0)?.[1]).toEqual(['inner', 'pinner', 'u', 'after']);
  });

  it('reads pointers to functions, their parameter lists nested or not', () => {
    const text = ['struct Hooks {', '  APTR (*h_Entry)(struct Hook *, APTR, APTR);', '  void (**table)(void), (*many[4])(int, ...);', '  LONG (*cmp)(int (*)(const void *, const void *), ULONG);', '  int (*v)(const char *fmt, ...), (*arr)(char buf[32], unsigned long n);', '  ULONG plain;', '};'].join('\n');
    expect(simple(text)).toEqual([[0, ['h_Entry', 'table', 'many', 'cmp', 'v', 'arr', 'plain']]]);
  });

  it('is not fooled by words that only contain struct, by references to a struct, or by an unclosed body', () => {
    expect(simple('int my_struct { x; };\nstruct Node *p;\nstruct Open { int x;')).toEqual([]);
  });
});

describe('fields read from the text are the fields tree-sitter reads', () => {
  const texts: Record<string, string> = {
    plain: ['struct Node {', '    struct Node *ln_Succ, *ln_Pred;', '    UBYTE ln_Type;', '    BYTE  ln_Pri;', '    char *ln_Name;', '};'].join('\n'),
    qualifiers: ['struct Q {', '  const char *a;', '  char const *b;', '  volatile ULONG c;', '  const struct Node *d;', '  unsigned long const e;', '};'].join('\n'),
    types: ['struct T {', '  unsigned x; signed char y; long long z; long double w;', '  unsigned short int u[4];', '  enum Color color;', '  union U *up;', '  size_t n;', '};'].join('\n'),
    arrays: ['struct R {', '  UBYTE name[MAX_NAME + 1];', '  ULONG grid[4][8], *rows[2];', '  char tail[];', '  int shifted[1 << 4];', '};'].join('\n'),
    bitfields: ['struct B {', '  unsigned a : 1, b : 2;', '  ULONG c : WIDTH;', '  int d;', '};'].join('\n'),
    comments: ['struct C {', '  /* first */ ULONG a; // trailing', '  ULONG /* inside */ b;', '  /* multi', '     line */ ULONG c;', '};'].join('\n'),
    anonymous: ['typedef struct {', '  int x, y;', '} Point;', 'struct { long l; } single;', 'typedef union { long l; short s[2]; } Pair;'].join('\n'),
    nested: ['struct Outer {', '  struct Inner {', '    int a;', '    char *b;', '  } inner;', '  union { long l; short s; } u;', '  struct { int p; } anon;', '  int after;', '};'].join('\n'),
    conditional: ['#ifdef __AROS__', 'struct X { int a; };', '#else', 'struct X { long a; };', '#endif', 'struct Y {', '#if 1', '  int b;', '#endif', '  int c;', '};'].join('\n'),
    pointers: ['struct P {', '  APTR (*h_Entry)(struct Hook *, APTR, APTR);', '  void (**table)(void), (*many[4])(int, ...);', '  LONG (*cmp)(int (*)(const void *, const void *), ULONG);', '  int (*v)(const char *fmt, ...), (*arr)(char buf[32], unsigned long n);', '  ULONG after;', '};'].join('\n'),
    conditionalFields: ['struct Cond {', '  ULONG a;', '#ifdef __AROS__', '  APTR b;', '#elif defined(X) \\', '      || defined(Y)', '  IPTR b;', '#else', '  LONG c;', '#endif', '  ULONG d;', '};', 'typedef struct {', '#if 0', '  int old;', '#endif', '  int now;', '} T;'].join('\n'),
    deeplyNested: [
      'typedef struct {',
      '  const struct Inner { int a; struct { char c; } deep; } inner[2], *p;',
      '  union { long l; struct { short hi, lo; } w; } u;',
      '  struct { int x; ULONG y : 3; };',
      '  struct Named { int n; };',
      '  int after;',
      '} Outer;',
    ].join('\n'),
    directives: ['struct D {', '  ULONG d_Flags;', '#define DF_ON (1 << 0)', '#undef DF_OFF', '  APTR d_Data;', '};'].join('\n'),
    pointerReturns: ['struct F {', '  char *(*get)(void);', '  XImage * (*create) (Display* , Visual* , unsigned int , int);', '  void **(*all)(int), *plain;', '};'].join('\n'),
    mixed: ['struct M { int a; void (*fn)(void); };', 'struct N { int a; } n, *np;', 'struct P { int x; } __attribute__((packed));', 'int after;'].join('\n'),
  };

  for (const [name, text] of Object.entries(texts)) {
    it(name, () => {
      const skeleton = analyzeC(text).analysis;
      const full = analyzeC(text, { fullParse: true }).analysis;
      expect(skeleton.symbols).toEqual(full.symbols);
      expect(skeleton.hasErrors).toBe(full.hasErrors);
      expect(skeleton.symbols.filter((s) => s.kind === 'field').length).toBeGreaterThan(0);
    });
  }

  it('the skeleton blanks the plain bodies: tree-sitter does not see their fields', () => {
    const { source } = analyzeC(texts.plain);
    expect(source).not.toContain('ln_Succ');
    expect(source.split('\n')).toHaveLength(texts.plain.split('\n').length);
  });

  it('an open document: renaming a field inside a plain body is read at once', () => {
    const before = analyzeC(texts.plain, { forEditing: true });
    const edited = texts.plain.replace('ln_Type', 'ln_Kind');
    const after = analyzeC(edited, { forEditing: true, previous: before });
    expect(after.source).toBe(before.source);
    expect(after.analysis.symbols.map((s) => s.name)).toContain('ln_Kind');
    expect(after.analysis.symbols.map((s) => s.name)).not.toContain('ln_Type');
    expect(after.analysis.symbols).toEqual(analyzeC(edited, { fullParse: true }).analysis.symbols);
  });
});
