import { describe, it, expect } from 'vitest';
import { relatedBreadcrumbs, refNames } from '../../server/src/breadcrumbs/relations';
import type { BreadcrumbItem } from '../../server/src/breadcrumbs/types';
import { one } from './helpers';

function at(file: string, target: string, ...tagLines: string[]): BreadcrumbItem {
  const text = tagLines.map((l) => `// ${l}`).join('\n') + `\nint ${target}(void);\n`;
  const breadcrumb = one(text, [{ name: target, kind: 'function', startLine: tagLines.length, endLine: tagLines.length, hasBody: false }]);
  return { file, breadcrumb };
}

const summary = (rs: ReturnType<typeof relatedBreadcrumbs>): Array<[string, string[]]> =>
  rs.map((r) => [r.item.file, r.reasons.map((x) => `${x.kind}:${x.tag}:${x.value}`)]);

describe('relatedBreadcrumbs', () => {
  it('shared AI_BREADCRUMB links a feature across files', () => {
    const a = at('gfx/a.c', 'fa', 'AI_PHASE: A', 'AI_BREADCRUMB: radeon-cp');
    const b = at('gfx/b.c', 'fb', 'AI_PHASE: B', 'AI_BREADCRUMB: radeon-cp');
    const c = at('gfx/c.c', 'fc', 'AI_PHASE: C', 'AI_BREADCRUMB: other');
    expect(summary(relatedBreadcrumbs(a, [a, b, c]))).toEqual([['gfx/b.c', ['feature:AI_BREADCRUMB:radeon-cp']]]);
  });

  it('a phase named in the other\'s AI_DEPENDENCIES relates both ways', () => {
    const a = at('a.c', 'fa', 'AI_PHASE: KERNEL_INIT');
    const b = at('b.c', 'fb', 'AI_PHASE: MMU', 'AI_DEPENDENCIES: KERNEL_INIT');
    expect(summary(relatedBreadcrumbs(a, [a, b]))).toEqual([['b.c', ['dependency-of:AI_DEPENDENCIES:KERNEL_INIT']]]);
    expect(summary(relatedBreadcrumbs(b, [a, b]))).toEqual([['a.c', ['depends-on:AI_DEPENDENCIES:KERNEL_INIT']]]);
  });

  it('a phase named in the other\'s AI_BLOCKS relates both ways', () => {
    const a = at('a.c', 'fa', 'AI_PHASE: A', 'AI_BLOCKS: B');
    const b = at('b.c', 'fb', 'AI_PHASE: B');
    expect(summary(relatedBreadcrumbs(a, [a, b]))).toEqual([['b.c', ['blocks:AI_BLOCKS:B']]]);
    expect(summary(relatedBreadcrumbs(b, [a, b]))).toEqual([['a.c', ['blocked-by:AI_BLOCKS:B']]]);
  });

  it('a shared LINUX_REF or AMIGAOS_REF relates them', () => {
    const a = at('a.c', 'fa', 'LINUX_REF: drivers/gpu/drm/radeon/radeon_cs.c', 'AMIGAOS_REF: graphics.library/BltBitMap');
    const b = at('b.c', 'fb', 'LINUX_REF: drivers/gpu/drm/radeon/radeon_cs.c');
    const c = at('c.c', 'fc', 'AMIGAOS_REF: graphics.library/BltBitMap');
    const d = at('d.c', 'fd', 'LINUX_REF: drivers/gpu/drm/radeon/radeon_ring.c');
    expect(summary(relatedBreadcrumbs(a, [a, b, c, d]))).toEqual([
      ['b.c', ['same-ref:LINUX_REF:drivers/gpu/drm/radeon/radeon_cs.c']],
      ['c.c', ['same-ref:AMIGAOS_REF:graphics.library/BltBitMap']],
    ]);
  });

  it('PREVIOUS_IMPLEMENTATION_REF naming the other\'s file by basename or path suffix relates them', () => {
    const old = at('arch/radeon/radeon_old.c', 'init_old', 'AI_PHASE: A');
    const neu = at('arch/radeon/radeon_new.c', 'init_new', 'AI_PHASE: A', 'PREVIOUS_IMPLEMENTATION_REF: radeon/radeon_old.c:42');
    const unrelated = at('arch/other/old.c', 'x', 'AI_PHASE: Z');
    expect(summary(relatedBreadcrumbs(neu, [old, neu, unrelated]))).toEqual([
      ['arch/radeon/radeon_old.c', ['refers-to:PREVIOUS_IMPLEMENTATION_REF:radeon/radeon_old.c:42']],
    ]);
    expect(summary(relatedBreadcrumbs(old, [old, neu, unrelated]))).toEqual([
      ['arch/radeon/radeon_new.c', ['referred-by:PREVIOUS_IMPLEMENTATION_REF:radeon/radeon_old.c:42']],
    ]);
  });

  it('CORRECTION_REF naming the other\'s target symbol relates them', () => {
    const a = at('a.c', 'init_cp', 'AI_PHASE: A');
    const b = at('b.c', 'fix_cp', 'AI_PHASE: B', 'CORRECTION_REF: init_cp()');
    expect(summary(relatedBreadcrumbs(b, [a, b]))).toEqual([['a.c', ['refers-to:CORRECTION_REF:init_cp()']]]);
  });

  it('unrelated breadcrumbs and the item itself are not returned', () => {
    const a = at('a.c', 'fa', 'AI_PHASE: A', 'AI_BREADCRUMB: f');
    const b = at('b.c', 'fb', 'AI_PHASE: B', 'AI_BREADCRUMB: g');
    expect(relatedBreadcrumbs(a, [a, b])).toEqual([]);
  });

  it('collects several reasons for one pair', () => {
    const a = at('a.c', 'fa', 'AI_PHASE: A', 'AI_BREADCRUMB: f', 'LINUX_REF: x.c');
    const b = at('b.c', 'fb', 'AI_PHASE: B', 'AI_BREADCRUMB: f', 'LINUX_REF: x.c', 'AI_DEPENDENCIES: A');
    expect(summary(relatedBreadcrumbs(a, [b]))).toEqual([
      ['b.c', ['feature:AI_BREADCRUMB:f', 'same-ref:LINUX_REF:x.c', 'dependency-of:AI_DEPENDENCIES:A']],
    ]);
  });
});

describe('refNames', () => {
  const it_ = at('drivers/radeon/radeon_cs.c', 'radeon_cs_init', 'AI_PHASE: A');
  it('matches basename, path suffix, file:symbol and symbol; not partial names', () => {
    expect(refNames('radeon_cs.c', it_)).toBe(true);
    expect(refNames('radeon/radeon_cs.c', it_)).toBe(true);
    expect(refNames('see radeon_cs.c#L10', it_)).toBe(true);
    expect(refNames('radeon_cs_init', it_)).toBe(true);
    expect(refNames('cs.c', it_)).toBe(false);
    expect(refNames('radeon_cs', it_)).toBe(false);
    expect(refNames('other/radeon_cs.c', it_)).toBe(false);
  });
});
