import { describe, it, expect } from 'vitest';
import { splitParams, splitSignature, storageOf } from '../../server/src/index/signatureText';

describe('storageOf', () => {
  it('reads leading storage classes and qualifiers, whitespace collapsed', () => {
    expect(storageOf('static int f(void)')).toBe('static');
    expect(storageOf('extern inline int f(void)')).toBe('extern inline');
    expect(storageOf('static   __inline__ int f(void)')).toBe('static __inline__');
    expect(storageOf('__saveds  STATIC   int f(void)')).toBe('__saveds STATIC');
    expect(storageOf('register int r')).toBe('register');
    expect(storageOf('_Thread_local int t')).toBe('_Thread_local');
  });

  it('is undefined without one, and needs a whole word', () => {
    expect(storageOf('int f(void)')).toBeUndefined();
    expect(storageOf('staticint x')).toBeUndefined();
    expect(storageOf('statics x')).toBeUndefined();
    expect(storageOf('int static_x')).toBeUndefined();
  });
});

describe('splitSignature', () => {
  it('gives up on an empty name (a zero-width node of error recovery) instead of searching forever', () => {
    expect(splitSignature('int f(void)', '')).toBeUndefined();
  });

  it('splits storage, return type and parameters', () => {
    expect(splitSignature('static struct Node *foo(struct List *l, int n)', 'foo')).toEqual({
      storage: 'static',
      returnType: 'struct Node *',
      params: [
        { type: 'struct List *', name: 'l' },
        { type: 'int', name: 'n' },
      ],
    });
  });

  it('has no storage key value when there is none', () => {
    expect(splitSignature('APTR AllocPooled(APTR poolHeader, IPTR memSize)', 'AllocPooled')).toEqual({
      storage: undefined,
      returnType: 'APTR',
      params: [
        { type: 'APTR', name: 'poolHeader' },
        { type: 'IPTR', name: 'memSize' },
      ],
    });
  });

  it('finds the name where it is called, not inside a longer word', () => {
    expect(splitSignature('foo_t foo(void)', 'foo')).toEqual({ storage: undefined, returnType: 'foo_t', params: [] });
    expect(splitSignature('struct foo *foo (int x)', 'foo')).toEqual({
      storage: undefined,
      returnType: 'struct foo *',
      params: [{ type: 'int', name: 'x' }],
    });
  });

  it('is undefined when the name is not followed by a parameter list', () => {
    expect(splitSignature('int foo', 'foo')).toBeUndefined();
    expect(splitSignature('int bar(void)', 'foo')).toBeUndefined();
    expect(splitSignature('int foobar(void)', 'foo')).toBeUndefined();
  });

  it('reads to the end of an unclosed parameter list', () => {
    expect(splitSignature('int f(int a, char *b', 'f')?.params).toEqual([
      { type: 'int', name: 'a' },
      { type: 'char *', name: 'b' },
    ]);
  });

  it('keeps nested parentheses inside parameters and stops at the matching one', () => {
    expect(splitSignature('void each(void (*fn)(int, void *), void *data) __attribute__((x))', 'each')).toEqual({
      storage: undefined,
      returnType: 'void',
      params: [
        { type: 'void (*)(int, void *)', name: 'fn' },
        { type: 'void *', name: 'data' },
      ],
    });
  });

  it('K&R heads: names from the list, types from the declarations after it', () => {
    const parts = splitSignature('int knr(a, b) int a; char *b;', 'knr');
    expect(parts?.returnType).toBe('int');
    expect(parts?.params).toEqual([
      { type: 'int', name: 'a' },
      { type: 'char *', name: 'b' },
    ]);
  });

  it('K&R: one declaration for several parameters, and an undeclared one is int', () => {
    expect(splitSignature('long k(x, y, z) char x, *y;', 'k')?.params).toEqual([
      { type: 'char', name: 'x' },
      { type: 'char *', name: 'y' },
      { type: 'int', name: 'z' },
    ]);
  });
});

describe('splitParams', () => {
  it('an empty list, `void` and `VOID` have no parameters', () => {
    expect(splitParams('')).toEqual([]);
    expect(splitParams('   ')).toEqual([]);
    expect(splitParams('void')).toEqual([]);
    expect(splitParams(' void ')).toEqual([]);
    expect(splitParams('VOID')).toEqual([]);
  });

  it('names after builtin and typedef types', () => {
    expect(splitParams('int a, char c, long n, double d, unsigned u, ULONG flags')).toEqual([
      { type: 'int', name: 'a' },
      { type: 'char', name: 'c' },
      { type: 'long', name: 'n' },
      { type: 'double', name: 'd' },
      { type: 'unsigned', name: 'u' },
      { type: 'ULONG', name: 'flags' },
    ]);
  });

  it('multi-word and qualified types', () => {
    expect(splitParams('unsigned long x, signed char c, const char *const name, register int r, volatile ULONG *reg')).toEqual([
      { type: 'unsigned long', name: 'x' },
      { type: 'signed char', name: 'c' },
      { type: 'const char *const', name: 'name' },
      { type: 'register int', name: 'r' },
      { type: 'volatile ULONG *', name: 'reg' },
    ]);
  });

  it('pointers with and without spaces', () => {
    expect(splitParams('struct List *l, int*p, char **argv, struct Node * n')).toEqual([
      { type: 'struct List *', name: 'l' },
      { type: 'int*', name: 'p' },
      { type: 'char **', name: 'argv' },
      { type: 'struct Node *', name: 'n' },
    ]);
  });

  it('nameless parameters keep their whole type', () => {
    expect(splitParams('int, unsigned long, long long int, const char, struct X, struct X *, ULONG, const STRPTR, volatile LONG, enum E')).toEqual([
      { type: 'int', name: '' },
      { type: 'unsigned long', name: '' },
      { type: 'long long int', name: '' },
      { type: 'const char', name: '' },
      { type: 'struct X', name: '' },
      { type: 'struct X *', name: '' },
      { type: 'ULONG', name: '' },
      { type: 'const STRPTR', name: '' },
      { type: 'volatile LONG', name: '' },
      { type: 'enum E', name: '' },
    ]);
  });

  it('arrays move to the type', () => {
    expect(splitParams('char buf[], int m[2][3], UBYTE name [ 32 ]')).toEqual([
      { type: 'char []', name: 'buf' },
      { type: 'int [2][3]', name: 'm' },
      { type: 'UBYTE [32]', name: 'name' },
    ]);
  });

  it('function-pointer parameters name the pointer and keep every star', () => {
    expect(splitParams('void (*cb)(int, char *), int (**pp)(void), LONG ( * hook ) ( APTR )')).toEqual([
      { type: 'void (*)(int, char *)', name: 'cb' },
      { type: 'int (**)(void)', name: 'pp' },
      { type: 'LONG (*) ( APTR )', name: 'hook' },
    ]);
  });

  it('variadic', () => {
    expect(splitParams('const char *fmt, ...')).toEqual([
      { type: 'const char *', name: 'fmt' },
      { type: '...', name: '...' },
    ]);
  });

  it('commas inside parentheses, brackets and braces do not split', () => {
    expect(splitParams('int a, void (*f)(int, int), char c[N, M], struct { int x, y; } s')).toEqual([
      { type: 'int', name: 'a' },
      { type: 'void (*)(int, int)', name: 'f' },
      { type: 'char [N,M]', name: 'c' },
      { type: 'struct { int x, y; }', name: 's' },
    ]);
  });

  it('drops empty pieces from stray commas', () => {
    expect(splitParams('int a, , int b,')).toEqual([
      { type: 'int', name: 'a' },
      { type: 'int', name: 'b' },
    ]);
  });
});
