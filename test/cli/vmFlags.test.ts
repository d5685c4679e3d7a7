import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { applyVmFlags, INLINE_BUDGET_FLAG } from '../../server/src/cli/vmFlags';

describe('applyVmFlags', () => {
  it('sets the inlining budget', () => {
    const set: string[] = [];
    applyVmFlags(['--max-semi-space-size=4'], (f) => set.push(f));
    expect(set).toEqual([INLINE_BUDGET_FLAG]);
    expect(INLINE_BUDGET_FLAG).toMatch(/^--max-inlined-bytecode-size-cumulative=\d+$/);
  });

  it('leaves a budget chosen on the command line alone', () => {
    const set: string[] = [];
    applyVmFlags(['--max-inlined-bytecode-size-cumulative=920'], (f) => set.push(f));
    expect(set).toEqual([]);
  });

  it('is a flag this node knows', () => {
    // setFlagsFromString ignores an unknown flag; node's command line refuses one ("bad option").
    const run = spawnSync(process.execPath, [INLINE_BUDGET_FLAG, '-e', '0'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
