import { describe, it, expect } from 'vitest';
import { analyzeC, cParser } from '../../server/src/index/analyze';
import { extractSymbols, extractSymbolsAround, unitKeys } from '../../server/src/index/extract';
import { lexC, lineStarts } from '../../server/src/index/lexer';
import type { SymbolInfo } from '../../server/src/index/types';
import type Parser from 'tree-sitter';

/** Symbols in skeleton mode (workspace files and open documents), checked against a full parse of the same text. */
function symbols(text: string): SymbolInfo[] {
  const skeleton = analyzeC(text).analysis.symbols;
  const full = analyzeC(text, { fullParse: true }).analysis.symbols;
  expect(full).toEqual(skeleton);
  return skeleton;
}

function named(list: SymbolInfo[], name: string): SymbolInfo {
  const found = list.filter((s) => s.name === name);
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0];
}

function r(sl: number, sc: number, el: number, ec: number) {
  return { start: { line: sl, character: sc }, end: { line: el, character: ec } };
}

/** name:kind, with the parent's name, in file order. */
function outline(list: SymbolInfo[]): string[] {
  return list.map((s) => `${s.name}:${s.kind}${s.parent !== undefined ? `<${list[s.parent].name}` : ''}`);
}

describe('functions', () => {
  const text = [
    'static int add(int a, int b)', // 0
    '{',
    '    return a + b;',
    '}',
    'extern char *dup(const char *s);', // 4
    'void each(void (*fn)(int, void *), void *data);', // 5
    'int say(const char *fmt, ...);', // 6
    'int none(void);', // 7
    'int grid(int v[10], char m[2][3]);', // 8
    'inline static struct Node *next(struct Node *n) { return n->next; }', // 9
    'struct Node **pp(unsigned long x, const char);', // 10
    'ULONG untyped(ULONG, const STRPTR);', // 11
  ].join('\n');

  it('reads a definition with storage, return type, parameters and exact ranges', () => {
    expect(named(symbols(text), 'add')).toEqual({
      name: 'add',
      kind: 'function',
      definition: true,
      range: r(0, 0, 3, 1),
      selectionRange: r(0, 11, 0, 14),
      signature: 'static int add(int a, int b)',
      storage: 'static',
      returnType: 'int',
      params: [
        { type: 'int', name: 'a' },
        { type: 'int', name: 'b' },
      ],
    });
  });

  it('reads a prototype as a non-definition with its storage', () => {
    expect(named(symbols(text), 'dup')).toEqual({
      name: 'dup',
      kind: 'function',
      definition: false,
      range: r(4, 0, 4, 32),
      selectionRange: r(4, 13, 4, 16),
      signature: 'extern char *dup(const char *s)',
      storage: 'extern',
      returnType: 'char *',
      params: [{ type: 'const char *', name: 's' }],
    });
  });

  it('reads function-pointer, variadic, void, array and nameless parameters', () => {
    const list = symbols(text);
    expect(named(list, 'each').params).toEqual([
      { type: 'void (*)(int, void *)', name: 'fn' },
      { type: 'void *', name: 'data' },
    ]);
    expect(named(list, 'say').params).toEqual([
      { type: 'const char *', name: 'fmt' },
      { type: '...', name: '...' },
    ]);
    expect(named(list, 'none').params).toEqual([]);
    expect(named(list, 'grid').params).toEqual([
      { type: 'int [10]', name: 'v' },
      { type: 'char [2][3]', name: 'm' },
    ]);
    expect(named(list, 'pp').params).toEqual([
      { type: 'unsigned long', name: 'x' },
      { type: 'const char', name: '' },
    ]);
    expect(named(list, 'untyped').params).toEqual([
      { type: 'ULONG', name: '' },
      { type: 'const STRPTR', name: '' },
    ]);
  });

  it('reads pointer return types and combined storage classes', () => {
    const list = symbols(text);
    const next = named(list, 'next');
    expect([next.definition, next.storage, next.returnType, next.signature]).toEqual([
      true,
      'inline static',
      'struct Node *',
      'inline static struct Node *next(struct Node *n)',
    ]);
    expect(named(list, 'pp').returnType).toBe('struct Node **');
    expect(named(list, 'pp').storage).toBeUndefined();
  });

  it('lists every function in file order', () => {
    expect(outline(symbols(text))).toEqual([
      'add:function',
      'dup:function',
      'each:function',
      'say:function',
      'none:function',
      'grid:function',
      'next:function',
      'pp:function',
      'untyped:function',
    ]);
  });

  it('reads a K&R definition: name, range, return type, the declarations in the signature', () => {
    const knr = 'int knr(a, b)\n    int a;\n    char *b;\n{\n    return a;\n}\nint after;\n';
    const list = symbols(knr);
    expect(outline(list)).toEqual(['knr:function', 'after:variable']);
    const f = list[0];
    expect([f.definition, f.returnType, f.signature, f.range, f.selectionRange]).toEqual([
      true,
      'int',
      'int knr(a, b) int a; char *b;',
      r(0, 0, 5, 1),
      r(0, 4, 0, 7),
    ]);
    expect(f.params).toEqual([
      { type: 'int', name: 'a' },
      { type: 'char *', name: 'b' },
    ]);
  });

  it('signatures leave out comments', () => {
    const list = symbols('int f(int a /* first */, /* x */ int b);');
    expect(list[0].signature).toBe('int f(int a , int b)');
    expect(list[0].params).toEqual([
      { type: 'int', name: 'a' },
      { type: 'int', name: 'b' },
    ]);
  });
});

describe('aggregates', () => {
  const text = [
    'struct Node {', // 0
    '    struct Node *next;',
    '    int value, other;',
    '    struct Inner {',
    '        int deep;',
    '    } inner;', // 5
    '    union {',
    '        long l;',
    '        char c;',
    '    };',
    '    struct {', // 10
    '        short s;',
    '    } anon;',
    '};',
    'union U { int i; float f; };',
    'enum Color { RED, GREEN = 2, BLUE };', // 15
    'enum { ANON_A, ANON_B };',
    'struct Forward;',
  ].join('\n');

  it('reads structs with fields, nested named and anonymous aggregates, and parent links', () => {
    expect(outline(symbols(text))).toEqual([
      'Node:struct',
      'next:field<Node',
      'value:field<Node',
      'other:field<Node',
      'Inner:struct<Node',
      'inner:field<Node',
      'deep:field<Inner',
      'l:field<Node',
      'c:field<Node',
      'anon:field<Node',
      // The members of an anonymous aggregate belong to the field it declares.
      's:field<anon',
      'U:union',
      'i:field<U',
      'f:field<U',
      'Color:enum',
      'RED:enumerator<Color',
      'GREEN:enumerator<Color',
      'BLUE:enumerator<Color',
      'ANON_A:enumerator',
      'ANON_B:enumerator',
    ]);
  });

  it('gives exact ranges and signatures to the aggregate and its members', () => {
    const list = symbols(text);
    expect(named(list, 'Node')).toEqual({
      name: 'Node',
      kind: 'struct',
      definition: true,
      range: r(0, 0, 13, 1),
      selectionRange: r(0, 7, 0, 11),
      signature: 'struct Node',
      parent: undefined,
    });
    expect(named(list, 'next')).toEqual({
      name: 'next',
      kind: 'field',
      definition: true,
      range: r(1, 4, 1, 22),
      selectionRange: r(1, 17, 1, 21),
      signature: 'struct Node *next',
      parent: 0,
    });
    expect(named(list, 'other').signature).toBe('int other');
    expect(named(list, 'other').range).toEqual(r(2, 4, 2, 21));
    expect(named(list, 'inner').signature).toBe('struct Inner inner');
    expect(named(list, 'inner').selectionRange).toEqual(r(5, 6, 5, 11));
    expect(named(list, 'anon').signature).toBe('struct {...} anon');
    expect(named(list, 'GREEN')).toEqual({
      name: 'GREEN',
      kind: 'enumerator',
      definition: true,
      range: r(15, 18, 15, 27),
      selectionRange: r(15, 18, 15, 23),
      signature: 'GREEN = 2',
      parent: 14,
    });
  });

  it('parents point at the right index', () => {
    const list = symbols(text);
    for (const s of list) {
      if (s.kind === 'field' || s.kind === 'enumerator') {
        if (s.name.startsWith('ANON_')) expect(s.parent).toBeUndefined();
        // A field of `struct { ... } name;` hangs under the field `name`.
        else expect(['struct', 'union', 'enum', 'field']).toContain(list[s.parent as number].kind);
      }
    }
    expect(list[named(list, 'deep').parent as number].name).toBe('Inner');
    expect(list[named(list, 'Inner').parent as number].name).toBe('Node');
    expect(list[named(list, 's').parent as number].name).toBe('anon');
  });

  it('a forward declaration yields no symbol', () => {
    expect(symbols('struct Forward;\nunion Later;\n')).toEqual([]);
  });

  it('fields under #ifdef inside a struct are still fields', () => {
    const list = symbols('struct P {\n    int a;\n#ifdef DEBUG\n    int dbg;\n#endif\n    int b;\n};\n');
    expect(outline(list)).toEqual(['P:struct', 'a:field<P', 'dbg:field<P', 'b:field<P']);
  });
});

describe('typedefs', () => {
  const text = [
    'typedef struct {', // 0
    '    int x;',
    '    int y;',
    '} Point;',
    'typedef struct Tagged { int t; } TaggedT, *TaggedP;', // 4
    'typedef int (*Callback)(int, void *);', // 5
    'typedef unsigned long ULONG;',
    'typedef enum { OFF, ON } Switch;',
  ].join('\n');

  it('hangs the fields of `typedef struct {...} Name` under the typedef', () => {
    const list = symbols(text);
    expect(outline(list)).toEqual([
      'Point:typedef',
      'x:field<Point',
      'y:field<Point',
      'TaggedT:typedef',
      'TaggedP:typedef',
      'Tagged:struct',
      't:field<Tagged',
      'Callback:typedef',
      'ULONG:typedef',
      'Switch:typedef',
      'OFF:enumerator<Switch',
      'ON:enumerator<Switch',
    ]);
    expect(named(list, 'Point')).toEqual({
      name: 'Point',
      kind: 'typedef',
      definition: true,
      range: r(0, 0, 3, 8),
      selectionRange: r(3, 2, 3, 7),
      signature: 'typedef struct {...} Point',
    });
  });

  it('reads typedef names through pointers and function-pointer declarators', () => {
    const list = symbols(text);
    expect(named(list, 'TaggedT').signature).toBe('typedef struct Tagged TaggedT');
    expect(named(list, 'TaggedP').signature).toBe('typedef struct Tagged *TaggedP');
    expect(named(list, 'TaggedP').selectionRange).toEqual(r(4, 43, 4, 50));
    expect(named(list, 'Callback')).toEqual({
      name: 'Callback',
      kind: 'typedef',
      definition: true,
      range: r(5, 0, 5, 37),
      selectionRange: r(5, 14, 5, 22),
      signature: 'typedef int (*Callback)(int, void *)',
    });
    expect(named(list, 'ULONG').signature).toBe('typedef unsigned long ULONG');
  });
});

describe('variables', () => {
  const text = [
    'extern int counter;', // 0
    'int defined_var = 3;',
    'static int a1, *a2, a3[4];',
    'int (*fp)(int);',
    'struct S { int a; } s1, *s2;',
    'extern struct Library *UtilityBase, *DOSBase;', // 5
    'const char *names[] = { "a", "b" };',
  ].join('\n');

  it('tells extern declarations from definitions', () => {
    const list = symbols(text);
    expect(named(list, 'counter')).toEqual({
      name: 'counter',
      kind: 'variable',
      definition: false,
      range: r(0, 0, 0, 19),
      selectionRange: r(0, 11, 0, 18),
      signature: 'extern int counter',
      storage: 'extern',
    });
    expect(named(list, 'defined_var')).toEqual({
      name: 'defined_var',
      kind: 'variable',
      definition: true,
      range: r(1, 0, 1, 20),
      selectionRange: r(1, 4, 1, 15),
      signature: 'int defined_var',
      storage: undefined,
    });
    expect(named(list, 'DOSBase').definition).toBe(false);
    expect(named(list, 'DOSBase').signature).toBe('extern struct Library *DOSBase');
  });

  it('splits multiple declarators, each with its own signature and selection', () => {
    const list = symbols(text);
    expect(['a1', 'a2', 'a3'].map((n) => [named(list, n).signature, named(list, n).selectionRange, named(list, n).storage])).toEqual([
      ['static int a1', r(2, 11, 2, 13), 'static'],
      ['static int *a2', r(2, 16, 2, 18), 'static'],
      ['static int a3[4]', r(2, 20, 2, 22), 'static'],
    ]);
    expect(['s1', 's2'].map((n) => named(list, n).signature)).toEqual(['struct S s1', 'struct S *s2']);
    expect(named(list, 'names').signature).toBe('const char *names[]');
  });

  it('`int (*fp)(int)` is a variable, not a function', () => {
    const fp = named(symbols(text), 'fp');
    expect([fp.kind, fp.definition, fp.signature, fp.params]).toEqual(['variable', true, 'int (*fp)(int)', undefined]);
  });

  it('lists the struct of a declaration with its variables', () => {
    expect(outline(symbols(text))).toEqual([
      'counter:variable',
      'defined_var:variable',
      'a1:variable',
      'a2:variable',
      'a3:variable',
      'fp:variable',
      'S:struct',
      's1:variable',
      's2:variable',
      'a:field<S',
      'UtilityBase:variable',
      'DOSBase:variable',
      'names:variable',
    ]);
  });
});

describe('VBCC inline stubs', () => {
  it('a library stub whose body is assembly is a function definition; a macro-named variable with a string stays a variable', () => {
    const text = [
      'long __InitAmiSSLA(__reg("a6") struct Library *, __reg("a0") struct TagItem * tagList)="\\tjsr\\t-36(a6)";',
      '#define InitAmiSSLA(tagList) __InitAmiSSLA(AmiSSLBase, (tagList))',
      'APTR __Open(__reg("a6") void *)="\\tjsr\\t-42(a6)";',
      'const STRPTR GM_UNIQUENAME(libname) = "hid.class";',
      '',
    ].join('\n');
    const list = analyzeC(text).analysis.symbols;
    const stub = named(list, '__InitAmiSSLA');
    expect([stub.kind, stub.definition, stub.returnType, stub.range.start.line]).toEqual(['function', true, 'long', 0]);
    expect([named(list, '__Open').kind, named(list, '__Open').definition]).toEqual(['function', true]);
    expect(named(list, 'libname').kind).toBe('variable');
  });
});

describe('conditional compilation', () => {
  it('reads declarations in every branch of #ifdef / #else and nested #if', () => {
    const text = [
      '#ifdef __AROS__',
      'int only_aros(void);',
      '#else',
      'int only_other(void);',
      '#endif',
      '#if defined(A)',
      '# if B',
      'struct Both { int x; };',
      '# endif',
      '#elif C',
      'static int c_var;',
      '#endif',
      'int after;',
    ].join('\n');
    expect(outline(symbols(text))).toEqual([
      'only_aros:function',
      'only_other:function',
      'Both:struct',
      'x:field<Both',
      'c_var:variable',
      'after:variable',
    ]);
  });

  it('a function head written twice under #ifdef / #else keeps one body and the code after it', () => {
    const text = '#ifdef X\nint f(int a) {\n#else\nint f(int a, int b) {\n#endif\n    return a;\n}\nint after;\n';
    // Skeleton mode only: the skeleton keeps the first head, a full parse recovers with the second.
    const list = analyzeC(text).analysis.symbols;
    expect(list.map((s) => [s.name, s.kind, s.definition, s.signature, s.range])).toEqual([
      ['f', 'function', true, 'int f(int a)', r(1, 0, 6, 1)],
      ['after', 'variable', true, 'int after', r(7, 0, 7, 10)],
    ]);
  });

  it('code under #if 0 is indexed too (the skeleton only ignores its braces)', () => {
    const list = symbols('#if 0\nint disabled(void);\n#endif\nint enabled(void);\n');
    expect(outline(list)).toEqual(['disabled:function', 'enabled:function']);
  });
});

describe('macros and includes come from the directive scanner', () => {
  it('merges macros into the symbols in file order, and lists includes', () => {
    const text = '#include <exec/types.h>\n#define ONE 1\nint x;\n#define TWO(a) (a)\n';
    const { analysis } = analyzeC(text);
    expect(outline(analysis.symbols)).toEqual(['ONE:macro', 'x:variable', 'TWO:macro']);
    expect(analysis.includes).toEqual([{ path: 'exec/types.h', system: true, line: 0 }]);
    expect(analysis.lines).toBe(5);
    expect(analysis.identifiers).toEqual(['include', 'exec', 'types', 'h', 'define', 'ONE', 'int', 'x', 'TWO', 'a']);
  });
});

// An AROS library function in the AROS layout, written for these tests.
const AROS_FILE = `#include <exec/types.h>

/*****************************************************************************

    NAME */
#include <proto/widget.h>

    AROS_LH2I(struct Gadget *, FindGadget,

/*  SYNOPSIS */
          AROS_LHA(struct Gadget **, list, A0),
          AROS_LHA(GADGETCOMP, cmp, A1),
/*  LOCATION */
          struct WidgetBase *, WidgetBase, 12, Widget)
/*  FUNCTION
        Finds a gadget.

    RESULT
        The gadget, or NULL.

******************************************************************************/
{
    AROS_LIBFUNC_INIT;
    struct Gadget *scan;
    LONG dir;

    scan = *list;
    return scan;

    AROS_LIBFUNC_EXIT
} /* FindGadget */

int after;
`;

describe('AROS library functions', () => {
  it('tree-sitter invents symbols inside the macro (the noise this test is about)', () => {
    const tree = cParser().parse(AROS_FILE);
    const raw = extractSymbols(tree.rootNode, lexC(AROS_FILE).code, lineStarts(AROS_FILE)).symbols;
    expect(raw.map((s) => s.name)).toEqual(['AROS_LIBFUNC_INIT', 'scan', 'dir', 'after']);
  });

  it('reports the library function with its real name and drops the noise, in both modes', () => {
    const list = symbols(AROS_FILE);
    expect(outline(list)).toEqual(['FindGadget:function', 'after:variable']);
    const f = list[0];
    expect(f).toEqual({
      name: 'FindGadget',
      kind: 'function',
      definition: true,
      range: r(7, 4, 30, 1),
      selectionRange: r(7, 31, 7, 41),
      signature: 'struct Gadget *FindGadget(struct Gadget **list /* A0 */, GADGETCOMP cmp /* A1 */) /* struct WidgetBase *WidgetBase, LVO 12, Widget */',
      returnType: 'struct Gadget *',
      params: [
        { type: 'struct Gadget **', name: 'list', register: 'A0' },
        { type: 'GADGETCOMP', name: 'cmp', register: 'A1' },
      ],
      aros: { form: 'library', macro: 'AROS_LH2I', baseType: 'struct WidgetBase *', baseName: 'WidgetBase', lvo: 12, library: 'Widget' },
      autodoc: { FUNCTION: 'Finds a gadget.', RESULT: 'The gadget, or NULL.' },
    });
  });

  it('keeps the declarations after a library function and a hook (skeleton mode)', () => {
    // A full parse loses `after_all` here: tree-sitter's error recovery swallows it.
    const text = [
      'AROS_LH1(struct Node *, RemWidget,',
      '    AROS_LHA(struct List *, list, A0),',
      '    struct WidgetBase *, WidgetBase, 8, Widget)',
      '{',
      '    AROS_LIBFUNC_INIT',
      '    struct Node *n = list->lh_Head;',
      '    return n;',
      '    AROS_LIBFUNC_EXIT',
      '}',
      '',
      'AROS_UFH3(IPTR, WidgetHook,',
      '    AROS_UFHA(struct Hook *, hook, A0),',
      '    AROS_UFHA(APTR, object, A2),',
      '    AROS_UFHA(APTR, message, A1))',
      '{',
      '    AROS_USERFUNC_INIT',
      '    return 0;',
      '    AROS_USERFUNC_EXIT',
      '}',
      '',
      'int after_all;',
    ].join('\n');
    const list = analyzeC(text).analysis.symbols;
    expect(list.map((s) => [s.name, s.kind, s.aros?.form, s.range.start.line])).toEqual([
      ['RemWidget', 'function', 'library', 0],
      ['WidgetHook', 'function', 'hook', 10],
      ['after_all', 'variable', undefined, 20],
    ]);
    expect(list[1].params).toEqual([
      { type: 'struct Hook *', name: 'hook', register: 'A0' },
      { type: 'APTR', name: 'object', register: 'A2' },
      { type: 'APTR', name: 'message', register: 'A1' },
    ]);
  });

  it('a trailing `} /* Name */` is not the documentation of what follows', () => {
    expect(named(symbols(AROS_FILE), 'after').doc).toBeUndefined();
  });

  it('the skeleton parse has no errors; the full parse of the macro has', () => {
    expect(analyzeC(AROS_FILE).analysis.hasErrors).toBe(false);
    expect(analyzeC(AROS_FILE, { fullParse: true }).analysis.hasErrors).toBe(true);
  });
});

describe('documentation', () => {
  it('attaches an AutoDoc to a plain C function in the AROS layout', () => {
    const text = `/*****************************************************************************

    NAME */
        ULONG Twice(

/*  SYNOPSIS */
        ULONG x)

/*  FUNCTION
        Doubles x.

    RESULT
        Twice x.

******************************************************************************/
{
    return x * 2;
}
`;
    const list = symbols(text);
    expect(list).toHaveLength(1);
    expect(list[0]).toEqual({
      name: 'Twice',
      kind: 'function',
      definition: true,
      range: r(3, 8, 17, 1),
      selectionRange: r(3, 14, 3, 19),
      signature: 'ULONG Twice( ULONG x)',
      storage: undefined,
      returnType: 'ULONG',
      params: [{ type: 'ULONG', name: 'x' }],
      autodoc: { FUNCTION: 'Doubles x.', RESULT: 'Twice x.' },
    });
  });

  it('a plain leading comment becomes `doc`, cleaned of its markers', () => {
    const text = [
      '/* Counts the widgets in a list.', // 0
      ' * Returns 0 for an empty list. */',
      'static int count(struct List *l)',
      '{',
      '    return 0;',
      '}',
      '', // 6
      '/* One blank line apart. */',
      '',
      'int near;',
      '/* Too far. */', // 10
      '',
      '',
      '',
      'int far;',
      '// line doc', // 15
      '// second line',
      'int line_doc(void);',
      'int x; // about x',
      'int y;',
      'int a; /* trailing */ int b;', // 20
      '/*********/',
      'int decorated;',
      '// ------',
      'int dashed;',
    ].join('\n');
    const list = symbols(text);
    expect(list.map((s) => [s.name, s.doc])).toEqual([
      ['count', 'Counts the widgets in a list.\nReturns 0 for an empty list.'],
      ['near', 'One blank line apart.'],
      ['far', undefined],
      ['line_doc', 'line doc\nsecond line'],
      ['x', undefined],
      ['y', undefined],
      ['a', undefined],
      ['b', undefined],
      ['decorated', undefined],
      ['dashed', undefined],
    ]);
  });

  it('does not document fields with the struct comment, nor any symbol with a breadcrumb', () => {
    const text = [
      '/* The config. */',
      'struct Config {',
      '    /* field doc is not read */',
      '    int a;',
      '};',
      '// AI_PHASE: IMPLEMENT',
      '// AI_STATUS: PARTIAL',
      'void work(void);',
      '/* AI_PHASE: DESIGN',
      '   AI_STATUS: NOT_STARTED */',
      'AROS_LH0(void, ResetWidgets,',
      '    struct WidgetBase *, WidgetBase, 5, Widget)',
      '{',
      '}',
    ].join('\n');
    const list = symbols(text);
    expect(list.map((s) => [s.name, s.doc])).toEqual([
      ['Config', 'The config.'],
      ['a', undefined],
      ['work', undefined],
      ['ResetWidgets', undefined],
    ]);
  });
});

describe('breadcrumb targets', () => {
  it('links breadcrumbs to the following top-level symbol, or marks them inside a function', () => {
    const text = [
      '// AI_PHASE: IMPLEMENT', // 0
      '// AI_STATUS: PARTIAL',
      'struct Config {',
      '    int pad;',
      '    int a;',
      '};', // 5
      '',
      'void work(void)',
      '{',
      '    // AI_PHASE: FIX',
      '    // AI_STATUS: NOT_STARTED', // 10
      '    do_it();',
      '}',
      '',
      '/* AI_PHASE: DESIGN',
      '   AI_STATUS: NOT_STARTED */', // 15
      '    AROS_LH0(void, ResetWidgets,',
      '        struct WidgetBase *, WidgetBase, 5, Widget)',
      '{',
      '    AROS_LIBFUNC_INIT',
      '    AROS_LIBFUNC_EXIT', // 20
      '}',
    ].join('\n');
    const { analysis } = analyzeC(text);
    expect(analysis.breadcrumbs.map((b) => [b.line, b.target, b.insideFunction])).toEqual([
      [0, { name: 'Config', kind: 'struct', line: 2 }, false],
      [9, undefined, true],
      [14, { name: 'ResetWidgets', kind: 'function', line: 16 }, false],
    ]);
  });
});

describe('full parse and skeleton agree', () => {
  const snippets: Record<string, string> = {
    header: [
      '#ifndef WIDGET_H',
      '#define WIDGET_H',
      '#include <exec/types.h>',
      '/* A widget. */',
      'struct Widget {',
      '    struct MinNode w_Node;',
      '    ULONG          w_Flags;',
      '    union { LONG l; APTR p; } w_Data;',
      '};',
      'typedef struct Widget *WidgetPtr;',
      'typedef LONG (*WidgetFunc)(struct Widget *, APTR);',
      'enum WidgetKind { WK_NONE, WK_BUTTON = 4 };',
      'extern struct WidgetBase *WidgetBase;',
      'struct Widget *MakeWidget(CONST_STRPTR name, ULONG flags, ...);',
      '#endif',
    ].join('\n'),
    source: [
      '#include "widget_intern.h"',
      'static const UBYTE table[] = {',
      '    1, 2, 3,',
      '    4, 5, 6',
      '};',
      'static LONG counter = 0;',
      '',
      '/* Adds one. */',
      'static LONG bump(LONG by)',
      '{',
      '    struct { int x; } local;',
      '    if (by) { counter += by; }',
      '    return counter;',
      '}',
      '',
      'int old(a)',
      '    int a;',
      '{',
      '    return a;',
      '}',
      'void tail(void) { }',
    ].join('\n'),
    conditional: [
      '#if 0',
      'void broken(void) {',
      '#endif',
      '#ifdef __AROS__',
      'void f(void)',
      '#else',
      'void f(int x)',
      '#endif',
      '{',
      '}',
      'int after;',
    ].join('\n'),
    aros: AROS_FILE,
  };

  for (const [name, text] of Object.entries(snippets)) {
    it(`yields the same symbols: ${name}`, () => {
      const skeleton = analyzeC(text).analysis;
      const full = analyzeC(text, { fullParse: true }).analysis;
      expect(full.symbols).toEqual(skeleton.symbols);
      expect(full.includes).toEqual(skeleton.includes);
      expect(full.identifiers).toEqual(skeleton.identifiers);
      expect(skeleton.symbols.length).toBeGreaterThan(1);
    });
  }

  it('the header snippet in detail', () => {
    const list = analyzeC(snippets.header).analysis.symbols;
    expect(outline(list)).toEqual([
      'WIDGET_H:macro',
      'Widget:struct',
      'w_Node:field<Widget',
      'w_Flags:field<Widget',
      'w_Data:field<Widget',
      'l:field<w_Data',
      'p:field<w_Data',
      'WidgetPtr:typedef',
      'WidgetFunc:typedef',
      'WidgetKind:enum',
      'WK_NONE:enumerator<WidgetKind',
      'WK_BUTTON:enumerator<WidgetKind',
      'WidgetBase:variable',
      'MakeWidget:function',
    ]);
    expect(named(list, 'Widget').doc).toBe('A widget.');
    expect(named(list, 'w_Data').signature).toBe('union {...} w_Data');
    expect(named(list, 'MakeWidget').params).toEqual([
      { type: 'CONST_STRPTR', name: 'name' },
      { type: 'ULONG', name: 'flags' },
      { type: '...', name: '...' },
    ]);
  });

  it('the source snippet in detail', () => {
    const list = analyzeC(snippets.source).analysis.symbols;
    expect(outline(list)).toEqual(['table:variable', 'counter:variable', 'bump:function', 'old:function', 'tail:function']);
    expect(named(list, 'bump').doc).toBe('Adds one.');
    expect(named(list, 'table').signature).toBe('static const UBYTE table[]');
  });
});

describe('extractSymbolsAround', () => {
  /** Parses `a`, reads it, edits the tree into `b` (one span) and parses `b` incrementally. */
  function edited(a: string, b: string): { previous: { symbols: SymbolInfo[]; units: string[] }; tree: Parser.Tree } {
    const parser = cParser();
    const old = parser.parse(a);
    const previous = { symbols: extractSymbols(old.rootNode, a, lineStarts(a)).symbols, units: unitKeys(old.rootNode) };
    let s = 0;
    while (s < a.length && a[s] === b[s]) s++;
    let t = 0;
    while (t < a.length - s && t < b.length - s && a[a.length - 1 - t] === b[b.length - 1 - t]) t++;
    const point = (x: string, o: number): Parser.Point => {
      const rows = x.slice(0, o).split('\n');
      return { row: rows.length - 1, column: rows[rows.length - 1].length };
    };
    old.edit({ startIndex: s, oldEndIndex: a.length - t, newEndIndex: b.length - t, startPosition: point(a, s), oldEndPosition: point(a, a.length - t), newEndPosition: point(b, b.length - t) });
    return { previous, tree: parser.parse(b, old) };
  }

  function around(a: string, b: string, row: number): ReturnType<typeof extractSymbolsAround> {
    const { previous, tree } = edited(a, b);
    const result = extractSymbolsAround(tree.rootNode, b, lineStarts(b), previous, row, row);
    if (result) {
      expect(result.symbols).toEqual(extractSymbols(tree.rootNode, b, lineStarts(b)).symbols);
      expect(result.units).toEqual(unitKeys(tree.rootNode));
    }
    // A full extraction asked for its declarations gives the same keys.
    expect(extractSymbols(tree.rootNode, b, lineStarts(b), true).units).toEqual(unitKeys(tree.rootNode));
    return result;
  }

  it('reads again only what shares a row with the edit, renumbering parents on either side', () => {
    const a = 'int a;\nint b;\nstruct Late {\n    int l_a;\n    int l_b;\n};\nstruct After { int q; } after;\n';
    const b = a.replace('int l_a;', 'int l_a, l_c;');
    expect(around(a, b, 3)?.symbols.map((x) => x.name)).toEqual(['a', 'b', 'Late', 'l_a', 'l_c', 'l_b', 'After', 'q', 'after']);
  });

  it('takes in a declaration that shares a row with one read again, wherever it comes in the list', () => {
    const a = 'int a; struct T {\n int t;\n};\nint z;\n';
    const b = a.replace(' int t;', ' int t, u;');
    expect(around(a, b, 1)?.symbols.map((x) => x.name)).toEqual(['a', 'T', 't', 'u', 'z']);
  });

  it('gives up when a declaration outside the edited rows is not what it was', () => {
    // A declaration that spanned the edited row and the next one now ends on the edited row.
    expect(around('int a;\nint b\n= 1;\nint c;\n', 'int a;\nint b;\n= 1;\nint c;\n', 1)).toBeUndefined();
    // Declarations outside that differ from those recorded.
    const a = 'int a;\nint b;\nint c;\n';
    const b = 'int a;\nint bb;\nint c;\n';
    const { previous, tree } = edited(a, b);
    const recorded = { ...previous, units: previous.units.map((k, i) => (i === 2 ? k.replace(':declaration', ':type_definition') : k)) };
    expect(extractSymbolsAround(tree.rootNode, b, lineStarts(b), recorded, 1, 1)).toBeUndefined();
    expect(extractSymbolsAround(tree.rootNode, b, lineStarts(b), previous, 1, 1)?.symbols.map((x) => x.name)).toEqual(['a', 'bb', 'c']);
  });

  it('matches a full extraction of the same tree over random one-line edits, answering most of them', () => {
    let seed = 3;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65536) % n;
    };
    const base = [
      '#include <x.h>',
      'struct S {',
      '    int s_a;',
      '    struct { int in; } s_b;',
      '};',
      'typedef struct S S_t;',
      'enum E { E_A, E_B = 2 };',
      'int f(int x)',
      '{',
      '}',
      '#if X',
      'int g(void);',
      '#else',
      'long g(void);',
      '#endif',
      'int t1, t2; char *name;',
      'static const int table[] = { 1, 2 };',
    ].join('\n');
    const pieces = ['x', ' y', ';', ',', '(', ')', '{', '}', '*', 'int ', 'struct ', '='];
    let answered = 0;
    for (let step = 0; step < 300; step++) {
      const lines = base.split('\n');
      const row = rand(lines.length);
      const at = rand(lines[row].length + 1);
      const cut = rand(3);
      lines[row] = lines[row].slice(0, at) + pieces[rand(pieces.length)] + lines[row].slice(at + cut);
      if (around(base, lines.join('\n'), row)) answered++;
    }
    expect(answered).toBeGreaterThan(150);
  });
});
