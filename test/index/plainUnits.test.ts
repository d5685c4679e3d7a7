import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { analyzeC, analyzeForIndex } from '../../server/src/index/analyze';
import { neutralizeDialect } from '../../server/src/index/dialectWords';
import { simpleFieldLists } from '../../server/src/index/fieldLists';
import { lexC, lineStarts } from '../../server/src/index/lexer';
import { readPlainUnits } from '../../server/src/index/plainUnits';

/** What `readPlainUnits` makes of a text's skeleton: the symbols' names, or undefined if a declaration is not plain. */
function plainNames(text: string): string[] | undefined {
  const { source } = analyzeC(text);
  const code = lexC(text).code;
  return readPlainUnits(source, code, lineStarts(text), simpleFieldLists(neutralizeDialect(code)))?.symbols.map((s) => s.name);
}

describe('readPlainUnits', () => {
  it('reads function definitions, prototypes and variables with plain heads', () => {
    const text = [
      '#include <exec/types.h>',
      '/* a comment */',
      'static ULONG foo(struct Library *base, int x)',
      '{',
      '    return x;',
      '}',
      'struct Node *Bar(void);',
      'static const char *names[3] = { "a", "b" };',
      'extern int count;',
      'int total = 0;',
      'unsigned long int mask = (1UL << 3) | FOO(2);',
      'char const * const p = NULL;',
      'static inline void *baz(void) { }',
      'const char ver[] = "$VER: x " VERSION_STRING;',
      'struct Library *Base = (struct Library *)&x[2];',
      'float f = 1.5e-3f, ', // not plain: a second declarator
    ].join('\n');
    expect(plainNames(text)).toBeUndefined();
    expect(plainNames(text.replace('float f = 1.5e-3f, ', 'float f = -1.5e-3f;'))).toEqual([
      'foo',
      'Bar',
      'names',
      'count',
      'total',
      'mask',
      'p',
      'baz',
      'ver',
      'Base',
      'f',
    ]);
  });

  it('reads typedefs, structs and unions with plain bodies, and declarations of several names', () => {
    const text = [
      'typedef ULONG IPTR, *PIPTR;',
      'typedef struct Node { struct Node *ln_Succ; UBYTE ln_Type; } Node_t;',
      'typedef struct { int x, y; } Point;',
      'struct MinNode { struct MinNode *mln_Succ; };',
      'union Pair { long l; short s[2]; };',
      'struct Forward;',
      'enum Colour;',
      'struct { int a; } anon, *anonp = NULL;',
      'static int opterr = 1, optind = 1, optopt;',
      'typedef unsigned long int ulong_t[4];',
    ].join('\n');
    expect(plainNames(text)).toEqual([
      'IPTR', 'PIPTR', 'Node_t', 'Node', 'ln_Succ', 'ln_Type', 'Point', 'x', 'y', 'MinNode', 'mln_Succ', 'Pair', 'l', 's',
      'a', 'anon', 'anonp', 'opterr', 'optind', 'optopt', 'ulong_t',
    ]);
    expect(analyzeForIndex(text)).toEqual(analyzeC(text).analysis);
  });

  it('reads enums with their enumerators, macros called at file level, stray semicolons and the bodies of AROS functions', () => {
    const text = [
      'enum Colour { RED, GREEN = 2, BLUE = (1 << 3) | GREEN, };',
      'typedef enum { MODE_A = -1, MODE_B = sizeof(struct Node) } Mode;',
      'enum { ANON };',
      'static enum Colour current = RED;',
      ';',
      'ADD2INITLIB(Init, -2);',
      'DEFINESET(CTORS);',
      'ADD2OPENLIB(Open, (LONG)sizeof(struct Node) * 2 - OFFSET[1]);',
      'AROS_LH1(void, Foo, AROS_LHA(ULONG, x, D0), struct Library *, Base, 5, Exec)',
      '{',
      '    return;',
      '}',
      'enum Empty { };',
    ].join('\n');
    expect(plainNames(text)).toEqual(['Colour', 'RED', 'GREEN', 'BLUE', 'Mode', 'MODE_A', 'MODE_B', 'ANON', 'current', 'Empty']);
    expect(analyzeForIndex(text)).toEqual(analyzeC(text).analysis);
  });

  it('reads pointers to functions, and parameter lists the skeleton left (under #if 0) when they are plain', () => {
    const text = [
      'static int (*bm_Lock)(JNIEnv *env, void **addr) = NULL;',
      'extern short (*modes[4])(long mode, BOOL set);',
      'typedef void (*SIGHANDLER_T)(int);',
      'typedef unsigned int (*ULONG_FUNC)();',
      '#if 0',
      'void serial_int(HIDDT_IRQ_Handler *irq, HIDDT_IRQ_HwInfo *hw)',
      '{',
      '}',
      'int old(a, b);',
      '#endif',
    ].join('\n');
    expect(plainNames(text)).toEqual(['bm_Lock', 'modes', 'SIGHANDLER_T', 'ULONG_FUNC', 'serial_int', 'old']);
    expect(analyzeForIndex(text)).toEqual(analyzeC(text).analysis);
    // A pointer to a function returning one is read as tree-sitter nests it.
    const nested = 'int (*(*fp)(int))(void);';
    expect(plainNames(nested)).toEqual(['fp']);
    expect(analyzeForIndex(nested)).toEqual(analyzeC(nested).analysis);
    // Under an `#if 0` that balances, plain heads have their lists cut as anywhere else; under one that does not, a
    // parameter that is not a plain declaration is tree-sitter's to read.
    const cut = '#if 0\nvoid f(REG(a0, APTR x));\n#endif\n';
    expect(plainNames(cut)).toEqual(['f']);
    expect(analyzeForIndex(cut)).toEqual(analyzeC(cut, { fullParse: true }).analysis);
    expect(plainNames('#if 0\nvoid f(REG(a0, APTR x));\n}\n#endif\n')).toBeUndefined();
  });

  it('reads the declarations of every branch of a conditional', () => {
    expect(plainNames('#ifndef X_H\n#define X_H\n#ifdef A\nint a;\n#else\nlong a;\n#endif\nvoid f(void);\n#endif\n')).toEqual(['a', 'a', 'f']);
    // A function defined under #else (its body cut by the skeleton), as the tree reads it.
    const text = '#ifdef QUIET\nstatic void q(void) { }\n#define show(l) q()\n#else\nstatic void show(int l)\n{\n    unsigned long e;\n    while ((e = next())) log(l, e);\n}\n#endif\nint after;\n';
    expect(plainNames(text)).toEqual(['q', 'show', 'after']);
    expect(analyzeForIndex(text)).toEqual(analyzeC(text, { fullParse: true }).analysis);
  });

  it('leaves to tree-sitter every file with a declaration that is not plain', () => {
    const declarations = [
      'int f(a, b) int a; char *b; { }', // K&R
      'ULONG MYCALL f(void) { }', // a macro in the head (one dialectWords.ts does not know)
      'void f(void) NORETURN_ATTR;', // a macro after the declarator (one dialectWords.ts does not know)
      'enum E { A = { 1 } };', // a brace in a value
      'enum E { A B };',
      'enum E { A,\n#ifdef X\n B,\n#endif\n};', // a directive among the enumerators
      'enum E { int };',
      'struct S { int x : 4 + 1; };', // a body fieldLists.ts does not read
      'static struct S { int x; };', // a storage class and no declarator
      'typedef struct S;', // a typedef naming nothing
      'int;',
      'typedef int T = 1;',
      'int (*fp)(REG(a0, APTR));', // a pointer to a function with a macro for a parameter
      'int (fp)(void);', // a name in parentheses
      'int x = FOO BAR;', // two operands side by side
      'int x = 5 "s";',
      'char *s = STR(X) "s";', // a call and a string: not joined
      'unsigned const long x;', // a qualifier inside a run of basic words
      'int long int x;', // two primitive types
      'static int\n#ifdef X\nf(void)\n#else\ng(void)\n#endif\n{ }', // a directive in a unit
      'long f(void) = 3;', // a function declarator with a value other than strings
      'long f(__reg("a6") void *)="jsr" X;', // a stub's strings with a name among them
      'MY_SET(Init, 0)', // a macro call without its semicolon (not one of dialectWords.ts's)
      'MY_LIBS("unixio.hidd", 0, static struct Library *, unixioBase);', // type words among a call's arguments
      'NVKM_FIRMWARE(ad102, 535.113.01);', // not a number
      'AROS_PRINTER_TAG(PED, 44, 0, .ped_Init = sk_Init);', // designated initializers
      'int x = a / / b;',
      'int x = (a)(b);', // a cast or a call
      'int x = a ->;',
      'int x = { 1 } + 2;',
      'extern "C" { int f(void); }',
      'int x[sizeof(int)];', // a parenthesis in an array size
      'MY_BEGIN_DECLS',
    ];
    expect(declarations.map((d) => plainNames(`int before;\n${d}\nint after;\n`))).toEqual(declarations.map(() => undefined));
  });

  it('gives the symbols the extractor reads from a tree', () => {
    const text = [
      'static ULONG foo(struct Library *base,',
      '                 int x)',
      '{',
      '    return x;',
      '}',
      'struct Node*Bar(void);',
      'ULONG const *get(void);',
      'static const unsigned  long\tint * const volatile mask [N + 1] [2] =',
      '    { 1, 2 };',
      'extern struct ExecBase *SysBase;',
      'IPTR v = (IPTR)sizeof(struct Node) * -2 + (a ? b : c) + x.y->z[3];',
      'char *s = L"wide" PREFIX "tail";',
      'int c = \'x\';',
      'inline static int g() { }',
      'size_t n = 0x10UL;',
      'const char *e = "\\"quoted\\"";',
      '  double   spaced  ( void ) ;',
    ].join('\n');
    expect(plainNames(text)).toEqual(['foo', 'Bar', 'get', 'mask', 'SysBase', 'v', 's', 'c', 'g', 'n', 'e', 'spaced']);
    expect(analyzeForIndex(text)).toEqual(analyzeC(text).analysis);
  });

  it('reads VBCC inline stubs as tree-sitter does: functions with `__reg` in their parameters, variables without', () => {
    const text = [
      'long __InitAmiSSLA(__reg("a6") struct Library *, __reg("a0") struct TagItem * tagList)="\\tjsr\\t-36(a6)";',
      'long __Two(__reg("a6") void *)="\\tmove.l\\ta0,-(a7)"\n  "\\tjsr\\t-42(a6)";',
      'long notAStub(void) = "x";',
    ].join('\n');
    expect(plainNames(text)).toEqual(['__InitAmiSSLA', '__Two', 'notAStub']);
    const analysis = analyzeForIndex(text);
    expect(analysis.symbols.map((s) => `${s.kind} ${s.name}`)).toEqual(['function __InitAmiSSLA', 'function __Two', 'variable notAStub']);
    expect(analysis).toEqual(analyzeC(text).analysis);
  });

  it('reads a file with an unbalanced conditional as tree-sitter does, error and all', () => {
    const text = '#ifdef X\nint a;\nint b(void);\n';
    expect(plainNames(text)).toEqual(['a', 'b']);
    const analysis = analyzeForIndex(text);
    expect(analysis.hasErrors).toBe(true);
    expect(analysis).toEqual(analyzeC(text).analysis);
  });

  it('reads every fixture file as the tree does', () => {
    const root = path.join(__dirname, '../fixtures/aros-mini');
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.[ch]$/.test(name)) files.push(full);
      }
    };
    walk(root);
    expect(files.length).toBeGreaterThan(5);
    let plain = 0;
    for (const file of files) {
      const text = readFileSync(file, 'latin1');
      if (plainNames(text) !== undefined) plain++;
      expect(analyzeForIndex(text), file).toEqual(analyzeC(text).analysis);
    }
    // Some fixtures are read from the text, so the comparison above compares two readings.
    expect(plain).toBeGreaterThan(0);
  });
});
