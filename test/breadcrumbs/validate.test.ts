import { describe, it, expect } from 'vitest';
import { parseBreadcrumbs } from '../../server/src/breadcrumbs/parse';
import { editDistance, nearest, validateBreadcrumb } from '../../server/src/breadcrumbs/validate';
import type { Finding } from '../../server/src/breadcrumbs/types';
import { item, lines, one } from './helpers';

/** Findings of a breadcrumb made of `// ` lines (AI_PHASE/AI_STATUS added unless given). */
function check(...tagLines: string[]): Finding[] {
  const has = (t: string): boolean => tagLines.some((l) => l.toUpperCase().startsWith(t));
  const all = [...(has('AI_PHASE') ? [] : ['AI_PHASE: A']), ...(has('AI_STATUS') ? [] : ['AI_STATUS: PARTIAL']), ...tagLines];
  return validateBreadcrumb(item('a.c', ...all).breadcrumb);
}

const codes = (fs: Finding[]): string[] => fs.map((f) => f.code);

describe('validateBreadcrumb', () => {
  it('a complete breadcrumb has no findings', () => {
    expect(
      check(
        'AI_PRIORITY: 10',
        'AI_VERSION: 0.5',
        'AI_RETRY_COUNT: 0',
        'AI_MAX_RETRIES: 3',
        'AI_CLAIMED_AT: 2024-01-15T10:30:00Z',
        'AI_TIMESTAMP: 2024-01-15T10:30:00.123456+01:00',
        'AI_ESTIMATED_TIME: 2.5h',
        'AI_TRAIN_HASH: ' + 'a'.repeat(64),
        'AI_COMPLEXITY: HIGH',
        'AI_CONTEXT: {"a": [1]}',
      ),
    ).toEqual([]);
  });

  it('missing AI_PHASE is an error on the breadcrumb range, with data.tag', () => {
    const b = one(lines('// AI_STATUS: PARTIAL', '// LINUX_REF: x.c', 'int f(void);'));
    expect(validateBreadcrumb(b)).toEqual([
      { severity: 'error', code: 'missing-tag', message: 'Breadcrumb has no AI_PHASE', range: b.range, data: { tag: 'AI_PHASE' } },
    ]);
  });

  it('missing AI_STATUS is an error, with data.tag', () => {
    const b = one('// AI_PHASE: A\nint f(void);');
    expect(validateBreadcrumb(b)).toEqual([
      { severity: 'error', code: 'missing-tag', message: 'Breadcrumb has no AI_STATUS', range: b.range, data: { tag: 'AI_STATUS' } },
    ]);
  });

  it('an empty AI_PHASE counts as missing, on its line', () => {
    const b = one(lines('// AI_PHASE:', '// AI_STATUS: FIXED'));
    const fs = validateBreadcrumb(b);
    expect(codes(fs)).toEqual(['missing-tag']);
    expect(fs[0].message).toBe('AI_PHASE is empty');
    expect(fs[0].range.start.line).toBe(0);
  });

  it('invalid AI_CONTEXT JSON is an error on the AI_CONTEXT line', () => {
    const fs = check('AI_CONTEXT: { gpu: GCN }');
    expect(codes(fs)).toEqual(['invalid-json']);
    expect(fs[0].severity).toBe('error');
    expect(fs[0].range.start).toEqual({ line: 2, character: 3 });
    expect(fs[0].data).toEqual({ tag: 'AI_CONTEXT' });
  });

  it('an AI_STATUS outside the list is a warning with the nearest valid value', () => {
    const fs = check('AI_STATUS: PARTAIL');
    expect(fs).toEqual([
      {
        severity: 'warning',
        code: 'invalid-value',
        message: 'AI_STATUS "PARTAIL" is not one of NOT_STARTED, PARTIAL, IMPLEMENTED, FIXED, NEEDS_REFACTOR; did you mean PARTIAL?',
        range: { start: { line: 1, character: 14 }, end: { line: 1, character: 21 } },
        data: { tag: 'AI_STATUS', value: 'PARTAIL', suggestion: 'PARTIAL' },
      },
    ]);
  });

  it('a lower-case status is flagged with its upper-case spelling as the suggestion', () => {
    expect(check('AI_STATUS: fixed').map((f) => f.data?.suggestion)).toEqual(['FIXED']);
  });

  it('an AI_COMPLEXITY outside the list is a warning with the nearest valid value', () => {
    const fs = check('AI_COMPLEXITY: MEDUIM');
    expect(codes(fs)).toEqual(['invalid-value']);
    expect(fs[0].data).toEqual({ tag: 'AI_COMPLEXITY', value: 'MEDUIM', suggestion: 'MEDIUM' });
  });

  it('every occurrence of a repeated tag is checked', () => {
    expect(codes(check('AI_COMPLEXITY: HUGE', 'AI_COMPLEXITY: LOW'))).toEqual(['invalid-value']);
  });

  const formats: Array<[string, string[], string[]]> = [
    ['AI_PRIORITY', ['1', '10', '5'], ['0', '11', 'high', '5.5', '-1', '']],
    ['AI_VERSION', ['0.1', '1.0', '1', '0.75'], ['0.05', '1.1', 'v0.5', '2', '']],
    ['AI_RETRY_COUNT', ['0', '7'], ['-1', 'two', '1.5']],
    ['AI_MAX_RETRIES', ['0', '3'], ['x', '3 times']],
    ['AI_CLAIMED_AT', ['2024-01-15', '2024-01-15T10:30', '2024-01-15T10:30:00Z', '2024-02-29T23:59:59-05:00'], ['yesterday', '2024-13-01', '2023-02-29', '15/01/2024', '2024-01-15T25:00']],
    ['AI_TIMESTAMP', ['2024-01-15T10:30:00.5+0100'], ['2024-01-15 10:30', '1705312200']],
    ['AI_ESTIMATED_TIME', ['2.5h', '45m', '1h30m', '3H'], ['2 hours', '45', 'h', '2.5d', '']],
    ['AI_TRAIN_HASH', ['0123456789abcdef'.repeat(4), 'ABCDEF0123456789'.repeat(4)], ['abc', 'g'.repeat(64), 'a'.repeat(63)]],
  ];
  for (const [tag, good, bad] of formats) {
    it(`${tag}: well-formed values pass, others are invalid-format warnings`, () => {
      for (const v of good) expect(check(`${tag}: ${v}`), `${tag}: ${v}`).toEqual([]);
      for (const v of bad) {
        const fs = check(`${tag}: ${v}`);
        expect(codes(fs), `${tag}: ${v}`).toEqual(['invalid-format']);
        expect(fs[0].severity).toBe('warning');
        expect(fs[0].data).toEqual({ tag, value: v });
        expect(fs[0].range.start.line).toBe(2);
      }
    });
  }

  it('AI_TIMEOUT and AI_BOUNTY are free-form', () => {
    expect(check('AI_TIMEOUT: 30 minutes', 'AI_BOUNTY: a coffee')).toEqual([]);
  });

  it('COMPILER_ERR without FIX_REASON while IMPLEMENTED is a warning on the error line', () => {
    const fs = check('AI_STATUS: IMPLEMENTED', 'COMPILER_ERR: x.c:1:1: error: boom');
    expect(fs).toEqual([
      {
        severity: 'warning',
        code: 'missing-fix-reason',
        message: 'COMPILER_ERR without FIX_REASON although AI_STATUS is IMPLEMENTED',
        range: { start: { line: 2, character: 3 }, end: { line: 2, character: 37 } },
        data: { tag: 'FIX_REASON' },
      },
    ]);
  });

  it('RUNTIME_ERR without FIX_REASON while FIXED is a warning', () => {
    expect(codes(check('AI_STATUS: FIXED', 'RUNTIME_ERR: crash in init'))).toEqual(['missing-fix-reason']);
  });

  it('an error with FIX_REASON, or while the status says work remains, is fine', () => {
    expect(check('AI_STATUS: FIXED', 'COMPILER_ERR: e', 'FIX_REASON: added the include')).toEqual([]);
    expect(check('AI_STATUS: PARTIAL', 'COMPILER_ERR: e')).toEqual([]);
  });

  it('an unknown AI_ tag is a hint naming the nearest known tag', () => {
    const fs = check('AI_STAUS: PARTIAL');
    expect(fs).toContainEqual({
      severity: 'hint',
      code: 'unknown-tag',
      message: 'AI_STAUS: did you mean AI_STATUS?',
      range: { start: { line: 2, character: 3 }, end: { line: 2, character: 11 } },
      data: { tag: 'AI_STAUS', value: 'PARTIAL', suggestion: 'AI_STATUS' },
    });
  });

  it('a lone misspelt tag gets both the missing-tag errors and the hint', () => {
    const b = one('// AI_STAUS: PARTIAL\nint f(void);');
    expect(codes(validateBreadcrumb(b))).toEqual(['missing-tag', 'missing-tag', 'unknown-tag']);
  });

  it('unknown non-AI words are never findings', () => {
    expect(check('TODO: x', 'NOTE: y')).toEqual([]);
  });

  it('a breadcrumb inside a function body without a target gets a no-target hint', () => {
    const text = lines('int f(void)', '{', '  // AI_PHASE: A', '  // AI_STATUS: FIXED', '  return 0;', '}');
    const [b] = parseBreadcrumbs(text, [{ name: 'f', kind: 'function', startLine: 0, endLine: 5, hasBody: true }]);
    expect(validateBreadcrumb(b)).toEqual([
      {
        severity: 'hint',
        code: 'no-target',
        message: 'Breadcrumb inside a function body has no target definition; move it above the definition it describes',
        range: b.range,
      },
    ]);
  });

  it('a file-level breadcrumb outside any function gets no hint', () => {
    const [b] = parseBreadcrumbs(lines('// AI_PHASE: A', '// AI_STATUS: FIXED'), []);
    expect(validateBreadcrumb(b)).toEqual([]);
  });
});

describe('nearest', () => {
  it('returns the candidate with the smallest edit distance, first on ties', () => {
    expect(nearest('IMPLEMENTD', ['FIXED', 'IMPLEMENTED'])).toBe('IMPLEMENTED');
    expect(nearest('AB', ['AC', 'AD'])).toBe('AC');
    expect(nearest('x', [])).toBeUndefined();
    expect(nearest('ZZZZZZ', ['LOW'], 2)).toBeUndefined();
  });

  it('edit distance is case-insensitive Levenshtein', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('fixed', 'FIXED')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
