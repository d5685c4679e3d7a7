// A string-keyed map split over many Maps. V8 grows a Map by rehashing every
// entry at once: at about 260,000 names that one `set` took 90 ms and stalled
// the server while a tree was being indexed. Split 64 ways, each rehash is
// 1/64 of that.

const SHARDS = 64;

export class ShardedMap<V> {
  private readonly shards: Array<Map<string, V>> = Array.from({ length: SHARDS }, () => new Map<string, V>());

  get(key: string): V | undefined {
    return this.shardOf(key).get(key);
  }

  has(key: string): boolean {
    return this.shardOf(key).has(key);
  }

  set(key: string, value: V): void {
    this.shardOf(key).set(key, value);
  }

  delete(key: string): boolean {
    return this.shardOf(key).delete(key);
  }

  get size(): number {
    let n = 0;
    for (const s of this.shards) n += s.size;
    return n;
  }

  *keys(): IterableIterator<string> {
    for (const s of this.shards) yield* s.keys();
  }

  /** From the length and three characters: hashing every character cost more than the maps themselves on a warm start. */
  private shardOf(key: string): Map<string, V> {
    const n = key.length;
    if (n === 0) return this.shards[0];
    const h = n * 31 + key.charCodeAt(0) * 7 + key.charCodeAt(n >> 1) * 3 + key.charCodeAt(n - 1);
    return this.shards[h & (SHARDS - 1)];
  }
}
