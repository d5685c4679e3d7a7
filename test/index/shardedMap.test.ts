import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../server/src/bench/seededRandom';
import { ShardedMap } from '../../server/src/index/shardedMap';

describe('ShardedMap', () => {
  it('behaves as one Map through random sets and deletes', () => {
    const random = mulberry32(3);
    const sharded = new ShardedMap<number>();
    const plain = new Map<string, number>();
    for (let k = 0; k < 20000; k++) {
      const key = `k${Math.floor(random() * 5000)}${k % 7 === 0 ? 'é' : ''}`;
      if (random() < 0.3) expect(sharded.delete(key)).toBe(plain.delete(key));
      else {
        sharded.set(key, k);
        plain.set(key, k);
      }
      expect(sharded.get(key)).toBe(plain.get(key));
      expect(sharded.has(key)).toBe(plain.has(key));
    }
    expect(sharded.size).toBe(plain.size);
    expect([...sharded.keys()].sort()).toEqual([...plain.keys()].sort());
    expect(sharded.get('')).toBeUndefined();
    sharded.set('', 1);
    expect(sharded.get('')).toBe(1);
  });
});
