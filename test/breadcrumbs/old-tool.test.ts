// The five cases BREADCRUMBS.md lists under "What the old tool got wrong".
import { describe, it, expect } from 'vitest';
import { parseBreadcrumbs } from '../../server/src/breadcrumbs/parse';
import { selectTasks } from '../../server/src/breadcrumbs/tasks';
import { validateBreadcrumb } from '../../server/src/breadcrumbs/validate';
import { lines, one } from './helpers';

describe('what the old tool got wrong', () => {
  it('1. doc-comment (/**) and one-line block breadcrumbs are read', () => {
    const bs = parseBreadcrumbs(
      lines('/**', ' * AI_PHASE: DOC', ' * AI_STATUS: PARTIAL', ' */', 'int f(void);', '', '/* AI_STATUS: FIXED */', 'int g(void);'),
    );
    expect(bs.map((b) => [b.form, b.line, b.tags])).toEqual([
      ['block', 0, { AI_PHASE: ['DOC'], AI_STATUS: ['PARTIAL'] }],
      ['block', 6, { AI_STATUS: ['FIXED'] }],
    ]);
  });

  it('2. two // runs separated by a blank line stay two breadcrumbs', () => {
    const bs = parseBreadcrumbs(lines('// AI_PHASE: ONE', '// AI_STATUS: FIXED', '', '// AI_PHASE: TWO', '// AI_STATUS: PARTIAL', 'int f(void);'));
    expect(bs.map((b) => b.tags)).toEqual([
      { AI_PHASE: ['ONE'], AI_STATUS: ['FIXED'] },
      { AI_PHASE: ['TWO'], AI_STATUS: ['PARTIAL'] },
    ]);
  });

  it('3. one malformed AI_CONTEXT loses no later breadcrumb of the file', () => {
    const bs = parseBreadcrumbs(
      lines(
        '// AI_PHASE: BAD',
        '// AI_STATUS: PARTIAL',
        '// AI_CONTEXT: { "a": 1,',
        'int f(void);',
        '/*',
        ' * AI_PHASE: AFTER',
        ' * AI_STATUS: FIXED',
        ' * AI_CONTEXT: {"ok": true}',
        ' */',
        'int g(void);',
        '// AI_PHASE: LAST',
        '// AI_STATUS: NOT_STARTED',
        'int h(void);',
      ),
    );
    expect(bs.map((b) => [b.tags.AI_PHASE, b.contextError?.line, b.context])).toEqual([
      [['BAD'], 2, undefined],
      [['AFTER'], undefined, { ok: true }],
      [['LAST'], undefined, undefined],
    ]);
    expect(validateBreadcrumb(bs[0]).map((f) => f.code)).toEqual(['invalid-json']);
    expect(validateBreadcrumb(bs[1])).toEqual([]);
  });

  it('4. JSON arrays in AI_CONTEXT are kept', () => {
    expect(one('// AI_CONTEXT: ["chip", "fast", {"n": [1, 2]}]').context).toEqual(['chip', 'fast', { n: [1, 2] }]);
    expect(one(lines('/*', ' * AI_CONTEXT: [', ' *   1,', ' *   [2, 3]', ' * ]', ' */')).context).toEqual([1, [2, 3]]);
  });

  it('5. IMPLEMENTING is not a valid status: warned, suggested PARTIAL, and not taken as a task', () => {
    const b = one(lines('// AI_PHASE: P', '// AI_STATUS: IMPLEMENTING', 'int f(void);'));
    expect(validateBreadcrumb(b)).toEqual([
      {
        severity: 'warning',
        code: 'invalid-value',
        message: 'AI_STATUS "IMPLEMENTING" is not one of NOT_STARTED, PARTIAL, IMPLEMENTED, FIXED, NEEDS_REFACTOR; did you mean PARTIAL?',
        range: { start: { line: 1, character: 14 }, end: { line: 1, character: 26 } },
        data: { tag: 'AI_STATUS', value: 'IMPLEMENTING', suggestion: 'PARTIAL' },
      },
    ]);
    expect(selectTasks([{ file: 'a.c', breadcrumb: b }])).toEqual([]);
  });
});
