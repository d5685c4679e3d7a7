import { describe, it, expect } from 'vitest';
import { analyzeC, analyzeForIndex } from '../../server/src/index/analyze';
import { neutralizeDialect } from '../../server/src/index/dialectWords';
import { lexC, uniqueIdentifiers } from '../../server/src/index/lexer';

/** `kind name` of every symbol, in order. */
function symbols(text: string): string[] {
  return analyzeC(text).analysis.symbols.map((s) => `${s.kind} ${s.name}`);
}

describe('neutralizeDialect', () => {
  it('keeps the length and every line of the text', () => {
    const code = lexC(
      [
        'static ULONG SAVEDS f(void);',
        '#ifdef __cplusplus',
        'extern "C" {',
        '#endif',
        'CONST UBYTE x[] = { 1 };',
        '#ifdef __cplusplus',
        '}',
        '#endif',
        '',
      ].join('\n'),
    ).code;
    const out = neutralizeDialect(code);
    expect(out.length).toBe(code.length);
    expect(out.split('\n').length).toBe(code.split('\n').length);
    expect(out).toContain('static ULONG        f(void);');
    expect(out).toContain('const UBYTE x[]');
    expect(out).not.toContain('extern');
    expect(out).not.toMatch(/^}$/m);
  });

  it('blanks head words only before a name, a pointer or a pointer to a function', () => {
    expect(neutralizeDialect('ULONG SAVEDS f(void);')).toBe('ULONG        f(void);');
    expect(neutralizeDialect('ULONG ASM *f(void);')).toBe('ULONG     *f(void);');
    expect(neutralizeDialect('ULONG APICALL (*Obtain)(void);')).toBe('ULONG         (*Obtain)(void);');
    // A macro of the same name that wraps a parameter list (amigaguide's REGARGS((...))).
    expect(neutralizeDialect('LONG LibOpen REGARGS((REG(a6, void *cb)));')).toBe('LONG LibOpen REGARGS((REG(a6, void *cb)));');
    // An enumerator spelled like a keyword macro (dhcp's STATIC, genmodule's REGISTER).
    expect(neutralizeDialect('enum t { STATIC = 414, REGISTER, EXTERN };')).toBe('enum t { STATIC = 414, REGISTER, EXTERN };');
  });

  it('blanks trailing attributes and C++ linkage macros wherever they stand', () => {
    expect(neutralizeDialect('struct S { int x; } __packed;')).toBe('struct S { int x; }         ;');
    expect(neutralizeDialect('__BEGIN_DECLS\nint f(void);\n__END_DECLS\n')).toBe('             \nint f(void);\n           \n');
  });

  it('blanks whole invocations of symbol-set macros, with or without their semicolon', () => {
    const calls = 'ADD2INITLIB(Init, 0)\nADD2EXPUNGELIB(Expunge, 0);\n';
    expect(neutralizeDialect(calls)).toBe(`${' '.repeat(20)}\n${' '.repeat(26)};\n`);
    const libs = 'ADD2LIBS("x.hidd", 0, static struct Library *,\n  XBase);\n';
    expect(neutralizeDialect(lexC(libs).code)).toBe(`${' '.repeat(46)}\n${' '.repeat(8)};\n`);
    // Not an invocation, or one that does not close: left alone.
    expect(neutralizeDialect('int ADD2INIT;\n')).toBe('int ADD2INIT;\n');
    expect(neutralizeDialect('ADD2INIT(f, 0\n')).toBe('ADD2INIT(f, 0\n');
  });

  it('blanks attributes where tree-sitter does not read them, and leaves those between a type and the declarator', () => {
    const initialized = 'const struct Resident r __attribute__((section(".text"))) = { 0 };';
    expect(neutralizeDialect(initialized)).toBe(`const struct Resident r ${' '.repeat(33)} = { 0 };`);
    expect(neutralizeDialect('T *__attribute__((x)) f(void);')).toBe(`T *${' '.repeat(18)} f(void);`);
    expect(neutralizeDialect('__declspec(dllexport) int f(void);')).toBe(`${' '.repeat(21)} int f(void);`);
    const between = 'static inline int __attribute__((always_inline)) f(void);';
    expect(neutralizeDialect(between)).toBe(between);
  });

  it('leaves words that only contain a dialect word alone', () => {
    const code = 'int ASMx; int my_SAVEDS; int CONSTANT; int __packed_size;';
    expect(neutralizeDialect(code)).toBe(code);
  });

  it('blanks the C++ branch of a conditional, not its #else, and counts nested conditionals', () => {
    const code = ['#ifdef __cplusplus', '#if X', 'class A;', '#endif', 'int cxx;', '#else', 'int c;', '#endif', ''].join('\n');
    const out = neutralizeDialect(code);
    expect(out.split('\n')).toEqual(['#ifdef __cplusplus', '     ', '        ', '      ', '        ', '#else', 'int c;', '#endif', '']);
    expect(neutralizeDialect('#if defined(__cplusplus)\nint cxx;\n#endif\n')).toBe('#if defined(__cplusplus)\n        \n#endif\n');
    // Conditions that C compiles too are not C++ only.
    const either = '#if defined(__STDC__) || defined(__cplusplus)\nint both;\n#endif\n';
    expect(neutralizeDialect(either)).toBe(either);
    const notCxx = '#ifndef __cplusplus\nint c;\n#endif\n';
    expect(neutralizeDialect(notCxx)).toBe(notCxx);
  });

  it('returns the same string when there is nothing to do', () => {
    const code = 'int f(void);\n';
    expect(neutralizeDialect(code)).toBe(code);
  });

  it('looks at the code only when its identifiers mention a word of the dialect', () => {
    const code = 'ULONG SAVEDS f(void);\n#ifdef __cplusplus\nint cxx;\n#endif\n';
    expect(neutralizeDialect(code, uniqueIdentifiers(code))).toBe(neutralizeDialect(code));
    expect(neutralizeDialect(code, uniqueIdentifiers(code))).not.toBe(code);
    expect(neutralizeDialect('#ifdef __cplusplus\nint cxx;\n#endif\n', ['__cplusplus', 'int', 'cxx'])).toBe('#ifdef __cplusplus\n        \n#endif\n');
    // Identifiers that name none of the words: the code is taken as it is.
    expect(neutralizeDialect(code, ['ULONG', 'f', 'void'])).toBe(code);
  });
});

describe('declarations written in the dialect', () => {
  it('reads functions whose heads carry calling-convention macros', () => {
    const text = [
      'static ULONG SAVEDS STDARGS Init(struct Library *base) { return 0; }',
      'LONG __saveds __startup Main(void) { return 0; }',
      'ASM ULONG GetRawReply(REG(a0) struct ToccataBase *tb);',
      'LONG STDARGS CONSTRUCTOR _STI_200_openMiami(void) { return 0; }',
      '',
    ].join('\n');
    expect(symbols(text)).toEqual(['function Init', 'function Main', 'function GetRawReply', 'function _STI_200_openMiami']);
  });

  it('reads fields after STACKED and pointers to functions after APICALL', () => {
    const text = [
      'struct opSet { STACKED ULONG MethodID; STACKED struct TagItem *ops_AttrList; };',
      'struct XIFace { ULONG APICALL (*Obtain)(struct XIFace *Self); };',
      '',
    ].join('\n');
    expect(symbols(text)).toEqual(['struct opSet', 'field MethodID', 'field ops_AttrList', 'struct XIFace', 'field Obtain']);
  });

  it('reads variables declared with keyword macros and packed structs', () => {
    const text = ['STATIC CONST UBYTE lokeymaptypes[] = { 1, 2 };', 'struct hdr { UBYTE type; } __packed;', 'struct hdr h;', ''].join('\n');
    expect(symbols(text)).toEqual(['variable lokeymaptypes', 'struct hdr', 'field type', 'variable h']);
  });

  it('reads the declarations after symbol-set macros written without a semicolon', () => {
    const text = ['static int Init(struct Library *base) { return 1; }', 'ADD2INITLIB(Init, 0)', 'struct Data { int x; };', 'int after;', ''].join('\n');
    const analysis = analyzeC(text).analysis;
    expect(analysis.hasErrors).toBe(false);
    expect(analysis.symbols.map((s) => `${s.kind} ${s.name}`)).toEqual(['function Init', 'struct Data', 'field x', 'variable after']);
    expect(analysis.identifiers).toContain('ADD2INITLIB');
  });

  it('reads a header guarded for C++ without errors, and its C branch only', () => {
    const text = [
      '#ifndef FOO_H',
      '#define FOO_H',
      '#ifdef __cplusplus',
      'extern "C" {',
      '#endif',
      'int foo(void);',
      '#ifdef __cplusplus',
      '}',
      '#endif',
      '#endif',
      '',
    ].join('\n');
    const analysis = analyzeC(text).analysis;
    expect(analysis.hasErrors).toBe(false);
    expect(analysis.symbols.map((s) => `${s.kind} ${s.name}`)).toEqual(['macro FOO_H', 'function foo']);
  });

  it('gives signatures that read as C, split into their parts', () => {
    const fn = analyzeC('static ULONG SAVEDS Init(struct Library *base) { return 0; }\n').analysis.symbols[0];
    expect(fn).toMatchObject({ signature: 'static ULONG Init(struct Library *base)', storage: 'static', returnType: 'ULONG' });
    expect(fn.params).toEqual([{ type: 'struct Library *', name: 'base' }]);
  });

  it('names functions and tables declared through name macros after the name written', () => {
    const text = [
      'static int GM_UNIQUENAME(Init)(LIBBASETYPEPTR LIBBASE) { return 0; }',
      'extern void AROS_SLIB_ENTRY(SecurityAddTask, Exec, 47)(void);',
      'static const APTR GM_UNIQUENAME(FuncTable)[] = { 0 };',
      'VOID MNAME_ROOT(Get)(OOP_Class *cl, OOP_Object *o, struct pRoot_Get *msg) { }',
      'int BZ_API(BZ2_bzCompressInit) (bz_stream *strm, int blockSize100k);',
      'int GM_UNIQUENAME(1)(void);', // not a name: left to tree-sitter
      '',
    ].join('\n');
    const analysis = analyzeC(text).analysis;
    expect(analysis.symbols.slice(0, 5).map((s) => [s.kind, s.name, s.signature, s.params?.map((p) => p.name)])).toEqual([
      ['function', 'Init', 'static int Init (LIBBASETYPEPTR LIBBASE)', ['LIBBASE']],
      ['function', 'SecurityAddTask', 'extern void SecurityAddTask (void)', []],
      ['variable', 'FuncTable', 'static const APTR FuncTable []', undefined],
      ['function', 'Get', 'VOID Get (OOP_Class *cl, OOP_Object *o, struct pRoot_Get *msg)', ['cl', 'o', 'msg']],
      ['function', 'BZ2_bzCompressInit', 'int BZ2_bzCompressInit (bz_stream *strm, int blockSize100k)', ['strm', 'blockSize100k']],
    ]);
    expect(analysis.symbols[0].selectionRange.start).toEqual({ line: 0, character: 25 });
    expect(analyzeForIndex(text)).toEqual(analysis);
  });

  it('is read the same by the index and by open documents', () => {
    const text = [
      '__BEGIN_DECLS',
      'static ULONG SAVEDS Init(struct Library *base) { return 0; }',
      'struct opSet { STACKED ULONG MethodID; };',
      'CONST UBYTE x[] = { 1 };',
      '__END_DECLS',
      '',
    ].join('\n');
    expect(analyzeForIndex(text)).toEqual(analyzeC(text).analysis);
  });
});
