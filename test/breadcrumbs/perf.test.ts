import { describe, it, expect } from 'vitest';
import { parseBreadcrumbs } from '../../server/src/breadcrumbs/parse';
import type { BreadcrumbTarget } from '../../server/src/breadcrumbs/types';

describe('performance', () => {
  it('parses a 3 MB file with thousands of comments and breadcrumbs quickly', () => {
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
    const t0 = performance.now();
    const bs = parseBreadcrumbs(text, targets);
    const ms = performance.now() - t0;
    expect(bs).toHaveLength(parts.length);
    expect(bs[1].target).toEqual({ name: 'f1', kind: 'function', line: chunk.length + 8 });
    expect(bs.every((b) => b.insideFunction === false && b.contextError === undefined)).toBe(true);
    // Generous bound for slow CI machines; locally this is well under a second.
    expect(ms).toBeLessThan(3000);
  });
});
