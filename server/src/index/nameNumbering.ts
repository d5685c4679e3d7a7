// The numbers a cache gives symbol names, made while a cold index's files
// come in rather than all at the end. The cache stores the distinct names as
// sorted tables and every file's names as numbers into them (indexCache.ts).
// Made at the save, that was collecting the names of every file, sorting
// them table by table and looking every name up again: 250-350 ms on AROS,
// on one thread with the other core idle, after the last file was parsed.
// Here each name gets a number on arrival (one Map lookup), a table is
// sorted as soon as it is full (its names hashed into the directory's slots
// and joined as the cache stores them), and a file's numbers are read
// through the table's order at the save.
//
// The tables hold every name added, also those of files replaced or removed
// since: a name no saved file uses is harmless (a loaded cache keeps only the
// names some file has). A saved file that was never added gets its numbers
// the ordinary way (saveIndexCache looks its names up).

import type { KnownNumbers } from './indexCache';
import { putName, slotCount } from './nameDirectory';
import { sortedByLower, TABLE_CHUNK, type StoredNameTable } from './nameTables';

export interface NumberedNames extends KnownNumbers {
  /** Every name added, in tables of `chunk` names, each ordered as a name table is, with its bytes. */
  tables: StoredNameTable[];
}

export class NameNumbering {
  private readonly arrival = new Map<string, number>();
  /** Names of the table being filled, in arrival order. */
  private filling: string[] = [];
  private readonly tables: StoredNameTable[] = [];
  /** Each name's final number, by arrival; set when its table is sorted. */
  private final = new Int32Array(1024);
  /** Each added entry's names, by arrival number. */
  private readonly byEntry = new WeakMap<object, Int32Array>();
  /** The directory's hash of the sorted names (see NameDirectory), grown as they come. */
  private slots = new Int32Array(slotCount(0));
  private sorted = 0;

  constructor(private readonly chunk = TABLE_CHUNK) {}

  add(entry: { readonly names: readonly string[] }): void {
    const names = entry.names;
    const ids = new Int32Array(names.length);
    for (let i = 0; i < names.length; i++) {
      let id = this.arrival.get(names[i]);
      if (id === undefined) {
        id = this.arrival.size;
        this.arrival.set(names[i], id);
        this.filling.push(names[i]);
        if (this.filling.length === this.chunk) this.seal();
      }
      ids[i] = id;
    }
    this.byEntry.set(entry, ids);
  }

  /** The tables and numbers of everything added so far. */
  finish(): NumberedNames {
    if (this.filling.length > 0) this.seal();
    const final = this.final;
    return {
      tables: this.tables.slice(),
      slots: this.slots,
      idsOf: (entry) => {
        const arrived = this.byEntry.get(entry);
        if (!arrived) return undefined;
        const out = new Int32Array(arrived.length);
        for (let i = 0; i < arrived.length; i++) out[i] = final[arrived[i]];
        return out;
      },
    };
  }

  /** Sorts the table being filled and numbers its names: its first name's number is the count of names before it. */
  private seal(): void {
    const first = this.arrival.size - this.filling.length;
    const order = sortedByLower(this.filling);
    if (this.final.length < this.arrival.size) {
      const grown = new Int32Array(Math.max(this.arrival.size, 2 * this.final.length));
      grown.set(this.final);
      this.final = grown;
    }
    const names: string[] = [];
    for (let rank = 0; rank < order.length; rank++) {
      names.push(this.filling[order[rank]]);
      this.final[first + order[rank]] = first + rank;
    }
    this.tables.push({ names, bytes: Buffer.from(names.join('\0'), 'utf8') });
    this.filling = [];
    this.hash(names);
  }

  /** Names numbered from `sorted` on, into the slots; slots grown (and every name put again, in order) as a table of that size would have them. */
  private hash(names: readonly string[]): void {
    const size = slotCount(this.sorted + names.length);
    if (size !== this.slots.length) {
      this.slots = new Int32Array(size);
      let id = 0;
      for (const t of this.tables) {
        if (t.names === names) break;
        for (const name of t.names) putName(this.slots, name, id++);
      }
    }
    for (let i = 0; i < names.length; i++) putName(this.slots, names[i], this.sorted + i);
    this.sorted += names.length;
  }
}
