import { describe, it, expect } from 'vitest';
import { validateWorkspace } from '../../server/src/breadcrumbs/validate';
import { item } from './helpers';

describe('validateWorkspace', () => {
  it('has an entry for every file, empty when clean', () => {
    const out = validateWorkspace([
      item('a.c', 'AI_PHASE: KERNEL_INIT', 'AI_STATUS: FIXED'),
      item('b.c', 'AI_PHASE: MMU_SETUP', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: KERNEL_INIT'),
    ]);
    expect([...out.entries()]).toEqual([
      ['a.c', []],
      ['b.c', []],
    ]);
  });

  it('AI_DEPENDENCIES naming an undeclared phase is an unknown-phase warning on that name', () => {
    const out = validateWorkspace([
      item('a.c', 'AI_PHASE: KERNEL_INIT', 'AI_STATUS: FIXED'),
      item('b.c', 'AI_PHASE: MMU', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: KERNEL_INIT, KERNEL_INTI, GFX'),
    ]);
    expect(out.get('a.c')).toEqual([]);
    expect(out.get('b.c')).toEqual([
      {
        severity: 'warning',
        code: 'unknown-phase',
        message: 'AI_DEPENDENCIES names phase KERNEL_INTI, which no breadcrumb declares; did you mean KERNEL_INIT?',
        range: { start: { line: 2, character: 33 }, end: { line: 2, character: 44 } },
        data: { tag: 'AI_DEPENDENCIES', value: 'KERNEL_INTI', suggestion: 'KERNEL_INIT' },
      },
      {
        severity: 'warning',
        code: 'unknown-phase',
        message: 'AI_DEPENDENCIES names phase GFX, which no breadcrumb declares',
        range: { start: { line: 2, character: 46 }, end: { line: 2, character: 49 } },
        data: { tag: 'AI_DEPENDENCIES', value: 'GFX' },
      },
    ]);
  });

  it('AI_BLOCKS naming an undeclared phase is an unknown-phase warning', () => {
    const out = validateWorkspace([item('a.c', 'AI_PHASE: A', 'AI_STATUS: FIXED', 'AI_BLOCKS: NOWHERE')]);
    expect(out.get('a.c')!.map((f) => [f.code, f.data?.tag, f.data?.value])).toEqual([['unknown-phase', 'AI_BLOCKS', 'NOWHERE']]);
  });

  it('phase names compare case-insensitively and NONE means no dependencies', () => {
    const out = validateWorkspace([
      item('a.c', 'AI_PHASE: KERNEL_INIT', 'AI_STATUS: FIXED', 'AI_DEPENDENCIES: None'),
      item('b.c', 'AI_PHASE: B', 'AI_STATUS: FIXED', 'AI_DEPENDENCIES: kernel_init'),
    ]);
    expect([...out.values()].flat()).toEqual([]);
  });

  it('a dependency cycle is a warning naming the cycle on each edge of it', () => {
    const out = validateWorkspace([
      item('a.c', 'AI_PHASE: A', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: B'),
      item('b.c', 'AI_PHASE: B', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: C'),
      item('c.c', 'AI_PHASE: C', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: A'),
      item('d.c', 'AI_PHASE: D', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: A'),
    ]);
    const message = 'Dependency cycle among phases: A → B → C → A (each depends on the next)';
    for (const file of ['a.c', 'b.c', 'c.c']) {
      expect(out.get(file)!.map((f) => [f.severity, f.code, f.message, f.data?.value])).toEqual([
        ['warning', 'dependency-cycle', message, 'A → B → C → A'],
      ]);
    }
    // D depends on the cycle but is not part of it.
    expect(out.get('d.c')).toEqual([]);
  });

  it('AI_BLOCKS edges take part in cycles', () => {
    // A depends on B, and A blocks B (so B depends on A).
    const out = validateWorkspace([
      item('a.c', 'AI_PHASE: A', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: B', 'AI_BLOCKS: B'),
      item('b.c', 'AI_PHASE: B', 'AI_STATUS: PARTIAL'),
    ]);
    expect(out.get('a.c')!.map((f) => [f.code, f.data?.tag, f.data?.value])).toEqual([
      ['dependency-cycle', 'AI_DEPENDENCIES', 'A → B → A'],
      ['dependency-cycle', 'AI_BLOCKS', 'A → B → A'],
    ]);
  });

  it('a phase that depends on itself is a cycle', () => {
    const out = validateWorkspace([item('a.c', 'AI_PHASE: A', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: A')]);
    expect(out.get('a.c')!.map((f) => f.data?.value)).toEqual(['A → A']);
  });

  it('a diamond is not a cycle', () => {
    const out = validateWorkspace([
      item('a.c', 'AI_PHASE: A', 'AI_STATUS: PARTIAL'),
      item('b.c', 'AI_PHASE: B', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: A'),
      item('c.c', 'AI_PHASE: C', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: A'),
      item('d.c', 'AI_PHASE: D', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: B, C'),
    ]);
    expect([...out.values()].flat()).toEqual([]);
  });
});
