import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileQueue } from '../../server/src/index/fileQueue';
import type { ParseOutcome } from '../../server/src/index/parseFiles';
import { drainQueue } from '../../server/src/index/parseLanes';
import { ParsePool } from '../../server/src/index/parsePool';

let root: string;
let pool: ParsePool | undefined;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'aros-lanes-'));
  for (let i = 0; i < 40; i++) writeFileSync(path.join(root, `f${i}.c`), `int fn_${i}(void);\n`);
});

afterEach(async () => {
  await pool?.dispose();
  pool = undefined;
  rmSync(root, { recursive: true, force: true });
});

const file = (i: number) => ({ path: `f${i}.c`, size: 20, mtimeMs: 1 });
const options = (extra: { signal?: AbortSignal; stopped?: () => boolean } = {}) => ({ root, maxFileBytes: 1000, batchSize: 3, stopped: () => false, ...extra });

function entryNames(outcomes: ParseOutcome[]): string[] {
  return outcomes.map((o) => ('entry' in o ? o.entry.names.join(',') : JSON.stringify(o)));
}

describe('drainQueue', () => {
  it.each([0, 2])('parses every file queued, also those pushed while it runs, in batches (%i workers)', async (workers) => {
    pool = new ParsePool(workers);
    const queue = new FileQueue();
    queue.push([0, 1, 2, 3, 4].map(file));
    const seen: string[] = [];
    const sizes: number[] = [];
    const run = drainQueue(pool, queue, options(), (outcomes, files) => {
      seen.push(...entryNames(outcomes));
      sizes.push(files);
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    queue.push(Array.from({ length: 35 }, (_, k) => file(5 + k)));
    queue.close();
    await run;
    expect(seen.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `fn_${i}`).sort());
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
  });

  it('stops taking files once told to, and rejects when aborted', async () => {
    pool = new ParsePool(0);
    const queue = new FileQueue();
    queue.push(Array.from({ length: 40 }, (_, i) => file(i)));
    let batches = 0;
    await drainQueue(pool, queue, options({ stopped: () => batches >= 2 }), () => batches++);
    expect(batches).toBe(2);
    const controller = new AbortController();
    const aborted = drainQueue(pool, queue, options({ signal: controller.signal }), () => controller.abort(new Error('cancelled')));
    await expect(aborted).rejects.toThrow('cancelled');
  });

  it('a batch whose worker failed comes back as skipped files, with the reason', async () => {
    const failing = { capacity: 1, parse: () => Promise.reject(new Error('worker died')) } as unknown as ParsePool;
    const queue = new FileQueue();
    queue.push([file(0), file(1)]);
    queue.close();
    const out: ParseOutcome[] = [];
    await drainQueue(failing, queue, options(), (outcomes) => out.push(...outcomes));
    expect(out).toEqual([
      { skipped: { path: 'f0.c', reason: 'parse worker failed: worker died' } },
      { skipped: { path: 'f1.c', reason: 'parse worker failed: worker died' } },
    ]);
  });
});
