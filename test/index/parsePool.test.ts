import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { DiscoveredFile } from '../../server/src/index/discover';
import { ParsePool } from '../../server/src/index/parsePool';
import type { ParseOutcome } from '../../server/src/index/parseFiles';

let root: string;
let pool: ParsePool | undefined;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'aros-pool-'));
  for (let i = 0; i < 12; i++) writeFileSync(path.join(root, `f${i}.c`), `int fn_${i}(int a) { return a; }\n`);
});

afterEach(async () => {
  await pool?.dispose();
  pool = undefined;
  rmSync(root, { recursive: true, force: true });
});

function batch(from: number, to: number): { root: string; files: DiscoveredFile[]; maxFileBytes: number } {
  const files = Array.from({ length: to - from }, (_, k) => ({ path: `f${from + k}.c`, size: 1, mtimeMs: 1 }));
  return { root, files, maxFileBytes: 100_000 };
}

function names(results: ParseOutcome[]): string[] {
  return results.map((r) => ('entry' in r ? r.entry.names.join(',') : JSON.stringify(r)));
}

/** The pool's workers (private): the test stops one as a crash would. */
function workers(p: ParsePool): Worker[] {
  return (p as unknown as { slots: Array<{ worker: Worker }> }).slots.map((s) => s.worker);
}

/** How many batches each worker holds (private). */
function held(p: ParsePool): number[] {
  return (p as unknown as { slots: Array<{ pending: Map<number, unknown> }> }).slots.map((s) => s.pending.size);
}

describe('ParsePool', () => {
  it('holds two batches per worker, answers each with its own results, in any number', async () => {
    pool = new ParsePool(2);
    expect([pool.size, pool.capacity]).toEqual([2, 4]);
    const all = await Promise.all(Array.from({ length: 6 }, (_, k) => pool!.parse(batch(2 * k, 2 * k + 2))));
    expect(all.map(names)).toEqual(Array.from({ length: 6 }, (_, k) => [`fn_${2 * k}`, `fn_${2 * k + 1}`]));
  });

  it('spreads batches started together over the workers, two each', async () => {
    pool = new ParsePool(2);
    const all = Promise.all(Array.from({ length: 4 }, (_, k) => pool!.parse(batch(2 * k, 2 * k + 2))));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(held(pool)).toEqual([2, 2]);
    await all;
  });

  it('a worker that dies fails the batches it held, and a new one takes later batches', async () => {
    pool = new ParsePool(1);
    const held = [pool.parse(batch(0, 4)), pool.parse(batch(4, 8))];
    const outcomes = Promise.allSettled(held);
    await workers(pool)[0].terminate();
    const settled = await outcomes;
    // The first may have finished before the worker stopped; whatever it held then fails.
    expect(settled.some((s) => s.status === 'rejected')).toBe(true);
    for (const s of settled) if (s.status === 'rejected') expect(String(s.reason)).toMatch(/parse worker exited/);
    expect(names(await pool.parse(batch(8, 10)))).toEqual(['fn_8', 'fn_9']);
    expect(pool.size).toBe(1);
  });
});

describe('ParsePool.dispose', () => {
  it('lets a worker finish the batch it is parsing, fails the one it had not begun, and the process lives', async () => {
    // Big enough that tree-sitter reads it through many input callbacks: a worker terminated inside
    // one of those took the whole process down.
    const big = Array.from({ length: 30_000 }, (_, i) => `int big_${i}(int a, char *b);\n`).join('');
    for (let i = 0; i < 4; i++) writeFileSync(path.join(root, `big${i}.c`), big);
    const bigBatch = (from: number) => ({ root, files: [0, 1].map((k) => ({ path: `big${from + k}.c`, size: big.length, mtimeMs: 1 })), maxFileBytes: 10_000_000 });
    pool = new ParsePool(1);
    const first = pool.parse(bigBatch(0));
    const second = pool.parse(bigBatch(2));
    second.catch(() => undefined);
    // Under way: the worker has started (and compiled) and is inside the first batch.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await pool.dispose();
    const done = await first;
    expect(done.map((r) => ('entry' in r ? r.entry.names.length : -1))).toEqual([30_000, 30_000]);
    await expect(second).rejects.toThrow('stopped');
    pool = undefined;
  });

  it('with nothing in flight, stops at once', async () => {
    pool = new ParsePool(2);
    expect(names(await pool.parse(batch(0, 2)))).toEqual(['fn_0', 'fn_1']);
    await pool.dispose();
    expect(workers(pool)).toEqual([]);
    pool = undefined;
  });
});
