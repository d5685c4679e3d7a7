import { describe, it, expect } from 'vitest';
import { FileQueue } from '../../server/src/index/fileQueue';

const file = (i: number) => ({ path: `f${i}.c`, size: i, mtimeMs: i });

describe('FileQueue', () => {
  it('hands out files in order, at most `max` at a time', async () => {
    const q = new FileQueue();
    q.push([1, 2, 3, 4, 5].map(file));
    expect((await q.take(2))?.map((f) => f.size)).toEqual([1, 2]);
    expect((await q.take(10))?.map((f) => f.size)).toEqual([3, 4, 5]);
    expect(q.pushed).toBe(5);
  });

  it('a taker waits for the next push, or for the close', async () => {
    const q = new FileQueue();
    const first = q.take(4);
    const second = q.take(4);
    let settled = false;
    void first.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    q.push([file(7)]);
    expect((await first)?.map((f) => f.size)).toEqual([7]);
    q.close();
    expect(await second).toBeUndefined();
  });

  it('after the close, what is left is still handed out, then undefined; pushing is an error', async () => {
    const q = new FileQueue();
    q.push([file(1), file(2)]);
    q.close();
    expect(q.isClosed).toBe(true);
    expect((await q.take(1))?.map((f) => f.size)).toEqual([1]);
    expect((await q.take(1))?.map((f) => f.size)).toEqual([2]);
    expect(await q.take(1)).toBeUndefined();
    expect(() => q.push([file(3)])).toThrow('closed');
  });

  it('keeps every file across its compaction of what was taken', async () => {
    const q = new FileQueue();
    const all = Array.from({ length: 20_000 }, (_, i) => file(i));
    for (let i = 0; i < all.length; i += 1000) q.push(all.slice(i, i + 1000));
    q.close();
    const out: number[] = [];
    for (let b = await q.take(333); b; b = await q.take(333)) for (const f of b) out.push(f.size);
    expect(out).toEqual(all.map((f) => f.size));
  });
});
