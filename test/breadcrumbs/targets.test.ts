import { describe, it, expect } from 'vitest';
import { parseBreadcrumbs } from '../../server/src/breadcrumbs/parse';
import type { BreadcrumbTarget } from '../../server/src/breadcrumbs/types';
import { lines, one } from './helpers';

const fn = (name: string, startLine: number, endLine: number): BreadcrumbTarget => ({
  name,
  kind: 'function',
  startLine,
  endLine,
  hasBody: true,
});

describe('targets', () => {
  it('the target is the first declaration or definition after the comment', () => {
    const text = lines('int a;', '// AI_PHASE: A', '// AI_STATUS: FIXED', '', 'static int init(void)', '{', '}', 'int b;');
    const targets: BreadcrumbTarget[] = [
      { name: 'a', kind: 'variable', startLine: 0, endLine: 0, hasBody: false },
      fn('init', 4, 6),
      { name: 'b', kind: 'variable', startLine: 7, endLine: 7, hasBody: false },
    ];
    const b = one(text, targets);
    expect(b.target).toEqual({ name: 'init', kind: 'function', line: 4 });
    expect(b.insideFunction).toBe(false);
  });

  it('a breadcrumb with no following definition is file-level', () => {
    const b = one(lines('int a;', '// AI_PHASE: A'), [{ name: 'a', kind: 'variable', startLine: 0, endLine: 0, hasBody: false }]);
    expect(b.target).toBeUndefined();
    expect(b.insideFunction).toBe(false);
  });

  it('without targets no target is set', () => {
    const b = one(lines('// AI_PHASE: A', 'int f(void);'));
    expect(b.target).toBeUndefined();
    expect(b.insideFunction).toBe(false);
  });

  it('a one-line block comment before code on the same line targets that code', () => {
    const b = one('/* AI_STATUS: FIXED */ int f(void);\n', [
      { name: 'f', kind: 'function', startLine: 0, endLine: 0, hasBody: false },
    ]);
    expect(b.target).toEqual({ name: 'f', kind: 'function', line: 0 });
  });

  it('inside a function body, a next target outside the body does not count', () => {
    const text = lines('int f(void)', '{', '    // AI_PHASE: A', '    return 0;', '}', 'int g(void);');
    const b = one(text, [fn('f', 0, 4), { name: 'g', kind: 'function', startLine: 5, endLine: 5, hasBody: false }]);
    expect(b.insideFunction).toBe(true);
    expect(b.target).toBeUndefined();
  });

  it('inside a function body, a target inside the body counts', () => {
    const text = lines('int f(void)', '{', '    // AI_PHASE: A', '    static int n;', '}');
    const b = one(text, [fn('f', 0, 4), { name: 'n', kind: 'variable', startLine: 3, endLine: 3, hasBody: false }]);
    expect(b.insideFunction).toBe(true);
    expect(b.target).toEqual({ name: 'n', kind: 'variable', line: 3 });
  });

  it('inside a struct body is not inside a function', () => {
    const text = lines('struct S {', '    // AI_PHASE: A', '    int x;', '};');
    const b = one(text, [
      { name: 'S', kind: 'struct', startLine: 0, endLine: 3, hasBody: true },
      { name: 'x', kind: 'field', startLine: 2, endLine: 2, hasBody: false },
    ]);
    expect(b.insideFunction).toBe(false);
    expect(b.target).toEqual({ name: 'x', kind: 'field', line: 2 });
  });

  it('a breadcrumb right after a function is not inside it', () => {
    const text = lines('int f(void)', '{', '}', '// AI_PHASE: A', 'int g(void);');
    const b = one(text, [fn('f', 0, 2), { name: 'g', kind: 'function', startLine: 4, endLine: 4, hasBody: false }]);
    expect(b.insideFunction).toBe(false);
    expect(b.target?.name).toBe('g');
  });

  it('accepts targets that are not sorted', () => {
    const text = lines('// AI_PHASE: A', 'int f(void);', 'int g(void);');
    const b = one(text, [
      { name: 'g', kind: 'function', startLine: 2, endLine: 2, hasBody: false },
      { name: 'f', kind: 'function', startLine: 1, endLine: 1, hasBody: false },
    ]);
    expect(b.target?.name).toBe('f');
  });

  it('each of several breadcrumbs gets its own target', () => {
    const text = lines('// AI_PHASE: A', 'int f(void);', '// AI_PHASE: B', 'int g(void);');
    const bs = parseBreadcrumbs(text, [
      { name: 'f', kind: 'function', startLine: 1, endLine: 1, hasBody: false },
      { name: 'g', kind: 'function', startLine: 3, endLine: 3, hasBody: false },
    ]);
    expect(bs.map((b) => b.target?.name)).toEqual(['f', 'g']);
  });
});
