// The distinct names of a persisted index, as the name tables were when it
// was saved: each table's names in order, every name numbered table by
// table, and a hash of the names that finds a name's number.
// Files in the cache name their symbols by these numbers. Restoring this is
// a few tens of milliseconds; putting 380,000 names into a Map one by one was
// half a second of a warm start, with its garbage collection.

import type { StoredNameTable } from './nameTables';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Names are numbered table 0's first, then table 1's, and so on. */
export class NameDirectory {
  /** Where each table's numbers start. */
  private readonly starts: Int32Array;
  /** Open addressing: number + 1 at a name's slot, 0 for empty (kept in the cache with the tables: building it was 45 ms of a warm start). */
  readonly slots: Int32Array;

  /** `slots` as `build` made them for the same tables (stored with them); without, they are made here in one go. */
  constructor(
    readonly tables: readonly StoredNameTable[],
    slots?: Int32Array,
  ) {
    this.starts = new Int32Array(tables.length + 1);
    let n = 0;
    for (let k = 0; k < tables.length; k++) {
      this.starts[k] = n;
      n += sizeOf(tables[k]);
    }
    this.starts[tables.length] = n;
    if (slots && slots.length !== slotCount(n)) throw new Error('name directory slots do not fit its names');
    this.slots = slots ?? new Int32Array(slotCount(n));
    if (!slots) tables.forEach((t, k) => hashTable(this.slots, t, this.starts[k]));
  }

  /** The same, with the hash made a table per turn of `pause` (a server saving its cache keeps answering meanwhile). */
  static async build(tables: readonly StoredNameTable[], pause: () => Promise<void>): Promise<NameDirectory> {
    let n = 0;
    for (const t of tables) n += sizeOf(t);
    const slots = new Int32Array(slotCount(n));
    let first = 0;
    for (const t of tables) {
      // A few thousand names per turn, whatever the tables' sizes.
      for (let from = 0; from < t.names.length; from += HASH_STEP) {
        hashTable(slots, t, first, from, Math.min(t.names.length, from + HASH_STEP));
        await pause();
      }
      first += t.names.length;
    }
    return new NameDirectory(tables, slots);
  }

  get size(): number {
    return this.starts[this.tables.length];
  }

  /** Name number `id`: its table's names are made when first asked for (see StoredNameTable.count). */
  nameAt(id: number): string {
    let lo = 0;
    let hi = this.tables.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= id) lo = mid;
      else hi = mid - 1;
    }
    return this.tables[lo].names[id - this.starts[lo]];
  }

  /** Where table `k`'s numbers start. */
  start(k: number): number {
    return this.starts[k];
  }

  /** The name's number, or -1. */
  idOf(name: string): number {
    const mask = this.slots.length - 1;
    for (let slot = hashName(name) & mask; this.slots[slot] !== 0; slot = (slot + 1) & mask) {
      const id = this.slots[slot] - 1;
      if (this.nameAt(id) === name) return id;
    }
    return -1;
  }
}

function sizeOf(t: StoredNameTable): number {
  return t.count ?? t.names.length;
}

const HASH_STEP = 4096;

/** Puts table t's names [from, to), numbered from `first`, into the open-addressing slots. */
function hashTable(slots: Int32Array, t: StoredNameTable, first: number, from = 0, to = t.names.length): void {
  const names = t.names;
  for (let i = from; i < to; i++) putName(slots, names[i], first + i);
}

/**
 * Puts name number `id` into open-addressing slots of `slotCount` size. Names
 * put in the order of their numbers give the slots `NameDirectory.build`
 * makes for the same tables.
 */
export function putName(slots: Int32Array, name: string, id: number): void {
  const mask = slots.length - 1;
  let slot = hashName(name) & mask;
  while (slots[slot] !== 0) slot = (slot + 1) & mask;
  slots[slot] = id + 1;
}

/** Twice the names, a power of two: short probe runs. */
export function slotCount(names: number): number {
  let size = 16;
  while (size < 2 * names) size <<= 1;
  return size;
}

/** FNV-1a over the name's UTF-16 code units: lookups compare exact names. */
function hashName(name: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), FNV_PRIME);
  return h;
}
