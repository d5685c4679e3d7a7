import { describe, it, expect } from 'vitest';
import { parseBreadcrumbs } from '../../server/src/breadcrumbs/parse';
import type { BreadcrumbTarget } from '../../server/src/breadcrumbs/types';

// Speed is for benchmarks, not unit tests; this is the large-input correctness case.
describe('a large file', () => {
  it('parses a 3 MB file with thousands of comments and breadcrumbs, each attached to its function', () => {
    const chunk = [
      '/*****************************************************************************',
      '    NAME',
      '        AllocMem -- allocate memory. Note: not cleared.',
      '*****************************************************************************/',
      '// plain comment',
      '// AI_PHASE: MEMORY_MANAGER',
      '// AI_STATUS: PARTIAL',
      '// AI_CONTEXT: { "alignment": 4096, "pools": ["chip", "fast"] }',
      'static int f(struct ExecBase *SysBase) /* trailing AI_STATUS: X */',
      '{',
      '    int x = 1; // a counter',
      '    return x;',
      '}',
      '',
    ];
    const parts: string[] = [];
    const targets: BreadcrumbTarget[] = [];
    let line = 0;
    let size = 0;
    for (let i = 0; size < 3_000_000; i++) {
      const text = chunk.join('\n') + '\n';
      parts.push(text);
      targets.push({ name: `f${i}`, kind: 'function', startLine: line + 8, endLine: line + 12, hasBody: true });
      line += chunk.length;
      size += text.length;
    }
    const text = parts.join('');
    const bs = parseBreadcrumbs(text, targets);
    expect(bs).toHaveLength(parts.length);
    expect(bs[1].target).toEqual({ name: 'f1', kind: 'function', line: chunk.length + 8 });
    expect(bs.every((b) => b.insideFunction === false && b.contextError === undefined)).toBe(true);
  });
});
