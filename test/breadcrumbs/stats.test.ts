import { describe, it, expect } from 'vitest';
import { formatSummary, summarize } from '../../server/src/breadcrumbs/stats';
import { item } from './helpers';

describe('summarize', () => {
  it('counts by status, by phase, files and findings by severity', () => {
    const s = summarize([
      item('a.c', 'AI_PHASE: A', 'AI_STATUS: PARTIAL'),
      item('a.c', 'AI_PHASE: A', 'AI_STATUS: FIXED', 'AI_DEPENDENCIES: NOWHERE'),
      item('b.c', 'AI_PHASE: B', 'AI_STATUS: IMPLEMENTING', 'AI_STAUS: x'),
      item('c.c', 'AI_STATUS: PARTIAL'),
    ]);
    expect(s).toEqual({
      total: 4,
      files: 3,
      byStatus: { PARTIAL: 2, FIXED: 1, IMPLEMENTING: 1 },
      byPhase: { A: 2, B: 1, '(missing)': 1 },
      // missing AI_PHASE; IMPLEMENTING + NOWHERE; AI_STAUS
      findings: { error: 1, warning: 2, information: 0, hint: 1 },
    });
    expect(formatSummary(s).split('\n')[0]).toBe('4 breadcrumbs in 3 files');
    expect(formatSummary(s)).toContain('Findings: 1 errors, 2 warnings, 0 information, 1 hints');
  });
});
