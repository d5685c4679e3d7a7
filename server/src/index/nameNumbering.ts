// The numbers a cache gives symbol names, made while a cold index's files
// come in rather than all at the end. The cache stores the distinct names as
// sorted tables and every file's names as numbers into them (indexCache.ts).
// Made at the save, that was collecting the names of every file, sorting
// them table by table and looking every name up again: 250-350 ms on AROS,
// on one thread with the other core idle, after the last file was parsed.
// Here each name gets a number on arrival (one Map lookup), a table is
// sorted as soon as it is full, and a file's numbers are read through the
// table's order at the save.
//
// The tables hold every name added, also those of files replaced or removed
// since: a name no saved file uses is harmless (a loaded cache keeps only the
// names some file has). A saved file that was never added gets its numbers
// the ordinary way (saveIndexCache looks its names up).

import { sortedByLower, TABLE_CHUNK, type StoredNameTable } from './nameTables';

export interface NumberedNames {
  /** Every name added, in tables of `chunk` names, each ordered as a name table is. */
  tables: StoredNameTable[];
  /** The numbers of an added entry's names in `tables` (numbered table by table), or undefined for one never added. */
  idsOf(entry: object): Int32Array | undefined;
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
    this.tables.push({ names });
    this.filling = [];
  }
}
