import { describe, it, expect } from 'vitest';
import { selectTasks } from '../../server/src/breadcrumbs/tasks';
import { item } from './helpers';

const order = (ts: ReturnType<typeof selectTasks>): string[] => ts.map((t) => `${t.file}:${t.phase}`);

describe('selectTasks', () => {
  it('takes PARTIAL, then NOT_STARTED, then NEEDS_REFACTOR; never IMPLEMENTED or FIXED', () => {
    const ts = selectTasks([
      item('a.c', 'AI_PHASE: R', 'AI_STATUS: NEEDS_REFACTOR'),
      item('b.c', 'AI_PHASE: I', 'AI_STATUS: IMPLEMENTED'),
      item('c.c', 'AI_PHASE: N', 'AI_STATUS: NOT_STARTED'),
      item('d.c', 'AI_PHASE: F', 'AI_STATUS: FIXED'),
      item('e.c', 'AI_PHASE: P', 'AI_STATUS: PARTIAL'),
      item('f.c', 'AI_PHASE: X', 'AI_STATUS: IMPLEMENTING'),
      item('g.c', 'AI_PHASE: Y'),
    ]);
    expect(ts.map((t) => [t.file, t.status, t.phase])).toEqual([
      ['e.c', 'PARTIAL', 'P'],
      ['c.c', 'NOT_STARTED', 'N'],
      ['a.c', 'NEEDS_REFACTOR', 'R'],
    ]);
  });

  it('orders by AI_PRIORITY, high first; missing or invalid priority goes last', () => {
    const ts = selectTasks([
      item('a.c', 'AI_PHASE: A', 'AI_STATUS: PARTIAL'),
      item('b.c', 'AI_PHASE: B', 'AI_STATUS: PARTIAL', 'AI_PRIORITY: 2'),
      item('c.c', 'AI_PHASE: C', 'AI_STATUS: PARTIAL', 'AI_PRIORITY: 9'),
      item('d.c', 'AI_PHASE: D', 'AI_STATUS: PARTIAL', 'AI_PRIORITY: high'),
      item('e.c', 'AI_PHASE: E', 'AI_STATUS: NOT_STARTED', 'AI_PRIORITY: 10'),
    ]);
    expect(ts.map((t) => [t.file, t.priority])).toEqual([
      ['c.c', 9],
      ['b.c', 2],
      ['a.c', undefined],
      ['d.c', undefined],
      ['e.c', 10],
    ]);
  });

  it('puts a phase before the phases that depend on it, ahead of path order', () => {
    const ts = selectTasks([
      item('a.c', 'AI_PHASE: GFX', 'AI_STATUS: NOT_STARTED', 'AI_DEPENDENCIES: MMU'),
      item('b.c', 'AI_PHASE: MMU', 'AI_STATUS: NOT_STARTED', 'AI_DEPENDENCIES: KERNEL'),
      item('c.c', 'AI_PHASE: KERNEL', 'AI_STATUS: NOT_STARTED'),
      item('d.c', 'AI_PHASE: AUDIO', 'AI_STATUS: NOT_STARTED'),
    ]);
    expect(order(ts)).toEqual(['c.c:KERNEL', 'd.c:AUDIO', 'b.c:MMU', 'a.c:GFX']);
  });

  it('reads dependency order from AI_BLOCKS and from finished breadcrumbs too', () => {
    const ts = selectTasks([
      item('a.c', 'AI_PHASE: LATE', 'AI_STATUS: NOT_STARTED'),
      item('b.c', 'AI_PHASE: MID', 'AI_STATUS: FIXED', 'AI_BLOCKS: LATE'),
      item('z.c', 'AI_PHASE: EARLY', 'AI_STATUS: NOT_STARTED', 'AI_BLOCKS: MID'),
    ]);
    expect(order(ts)).toEqual(['z.c:EARLY', 'a.c:LATE']);
  });

  it('priority outranks dependency order', () => {
    const ts = selectTasks([
      item('a.c', 'AI_PHASE: B', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: A', 'AI_PRIORITY: 9'),
      item('b.c', 'AI_PHASE: A', 'AI_STATUS: PARTIAL', 'AI_PRIORITY: 1'),
    ]);
    expect(order(ts)).toEqual(['a.c:B', 'b.c:A']);
  });

  it('a dependency cycle does not hang and falls back to path order', () => {
    const ts = selectTasks([
      item('b.c', 'AI_PHASE: B', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: A'),
      item('a.c', 'AI_PHASE: A', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: B'),
      item('c.c', 'AI_PHASE: C', 'AI_STATUS: PARTIAL', 'AI_DEPENDENCIES: A'),
    ]);
    expect(order(ts)).toEqual(['a.c:A', 'b.c:B', 'c.c:C']);
  });

  it('ties break by path, then by line', () => {
    const x = item('x.c', 'AI_PHASE: A', 'AI_STATUS: PARTIAL');
    const later = { file: 'a.c', breadcrumb: { ...x.breadcrumb, line: 40 } };
    const earlier = { file: 'a.c', breadcrumb: { ...x.breadcrumb, line: 3 } };
    const ts = selectTasks([x, later, earlier]);
    expect(ts.map((t) => [t.file, t.breadcrumb.line])).toEqual([
      ['a.c', 3],
      ['a.c', 40],
      ['x.c', 0],
    ]);
  });
});
