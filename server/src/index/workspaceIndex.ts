// The in-memory index of one workspace: files in their packed form, symbols
// by name, and which files mention which identifiers. Queries read whatever
// has been added so far, so they can be answered while indexing still runs.

import type { FileEntry } from './fileIndex';
import { initialsMask, letterMask } from './nameMatch';
import { packNames, type PackedNames } from './packedNames';
import {
  FLAG_CONF,
  FLAG_DEFINITION,
  FLAG_LIBRARY,
  flagsAt,
  kindAt,
  lineAt,
  packFile,
  parentAt,
  selectionAt,
  unpackSymbols,
  type PackedFile,
} from './packedFile';
import type { Range, SymbolInfo, SymbolKind } from './types';

/** Files whose symbol details are kept decoded; the rest stay serialized. */
const DECODED_FILES = 256;

export interface NameTable {
  /** Distinct names, ordered by their lower-case form. */
  names: string[];
  lower: string[];
  /** One bit per letter/digit class a name contains: a query needing a bit the name lacks cannot match. */
  masks: Int32Array;
  /** The same bits for the letters that begin the name's word segments. */
  initials: Int32Array;
  /** `lower` packed into bytes, for the full scan of a search. */
  packed: PackedNames;
}


/** More pending changes than this, and more than the table holds, rebuild the table instead (a merge is linear in the table). */
const MERGE_LIMIT = 5000;

function byLower(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Sorted by lower case, so the names starting with a query are one range. */
export function buildNameTable(all: readonly string[]): NameTable {
  const pairs = all.map((n) => [n.toLowerCase(), n] as const);
  pairs.sort(byLower);
  return tableOf(
    pairs.map((p) => p[1]),
    pairs.map((p) => p[0]),
  );
}

function tableOf(names: string[], lower: string[]): NameTable {
  const masks = new Int32Array(names.length);
  const initials = new Int32Array(names.length);
  for (let i = 0; i < names.length; i++) {
    masks[i] = letterMask(lower[i]);
    initials[i] = initialsMask(names[i]);
  }
  return { names, lower, masks, initials, packed: packNames(names, lower, masks) };
}

/**
 * The table with `gone` left out and `added` put in order, in one linear pass
 * over the old table after sorting `added`; masks of kept names are kept.
 * (Inserting each name with a block move was O(added × names): while a tree
 * was being indexed, one workspace/symbol merged thousands of new names into
 * 100,000 and held the event loop for hundreds of milliseconds.)
 */
export function mergeNameTable(old: NameTable, added: readonly string[], gone: ReadonlySet<string>): NameTable {
  const add = added.map((n) => [n.toLowerCase(), n] as const).sort(byLower);
  const size = old.names.length + add.length;
  const names: string[] = new Array<string>(size);
  const lower: string[] = new Array<string>(size);
  const masks = new Int32Array(size);
  const initials = new Int32Array(size);
  let o = 0;
  let j = 0;
  for (let i = 0; i < old.names.length; i++) {
    const key = old.lower[i];
    // A new name goes after any old names equal to it in lower case, as a stable sort of the whole table would put it.
    for (; j < add.length && add[j][0] < key; j++, o++) {
      names[o] = add[j][1];
      lower[o] = add[j][0];
      masks[o] = letterMask(add[j][0]);
      initials[o] = initialsMask(add[j][1]);
    }
    if (gone.size > 0 && gone.has(old.names[i])) continue;
    names[o] = old.names[i];
    lower[o] = key;
    masks[o] = old.masks[i];
    initials[o] = old.initials[i];
    o++;
  }
  for (; j < add.length; j++, o++) {
    names[o] = add[j][1];
    lower[o] = add[j][0];
    masks[o] = letterMask(add[j][0]);
    initials[o] = initialsMask(add[j][1]);
  }
  names.length = o;
  lower.length = o;
  return {
    names,
    lower,
    masks: o === size ? masks : masks.slice(0, o),
    initials: o === size ? initials : initials.slice(0, o),
    packed: packNames(names, lower, masks),
  };
}

export interface StoredFile extends PackedFile {
  id: number;
}

/** One symbol of one file. The cheap facts come from the packed table; `symbol` decodes the details. */
export class SymbolRef {
  constructor(
    readonly file: StoredFile,
    readonly index: number,
    private readonly owner: WorkspaceIndex,
  ) {}

  get name(): string {
    return this.file.names[this.index];
  }

  get kind(): SymbolKind {
    return kindAt(this.file.table, this.index);
  }

  get definition(): boolean {
    return (flagsAt(this.file.table, this.index) & FLAG_DEFINITION) !== 0;
  }

  /** Listed in a `.conf` function list rather than written in C. */
  get fromConf(): boolean {
    return (flagsAt(this.file.table, this.index) & FLAG_CONF) !== 0;
  }

  /** Defined with `AROS_LHn` (or listed in a `.conf` function list). */
  get libraryFunction(): boolean {
    return (flagsAt(this.file.table, this.index) & FLAG_LIBRARY) !== 0;
  }

  get selectionRange(): Range {
    return selectionAt(this.file.table, this.index);
  }

  get line(): number {
    return lineAt(this.file.table, this.index);
  }

  get containerName(): string | undefined {
    const p = parentAt(this.file.table, this.index);
    return p === undefined ? undefined : this.file.names[p];
  }

  get symbol(): SymbolInfo {
    return this.owner.symbolsOf(this.file)[this.index];
  }
}

export class WorkspaceIndex {
  private readonly files = new Map<string, StoredFile>();
  private readonly byName = new Map<string, Array<StoredFile | number>>();
  private readonly decoded = new Map<StoredFile, SymbolInfo[]>();
  private nextFileId = 1;
  private namesCache: NameTable | undefined;
  /** Names added or gone since `namesCache` was built: merged into it on the next `names()`. */
  private readonly namesAdded = new Set<string>();
  private readonly namesGone = new Set<string>();

  get fileCount(): number {
    return this.files.size;
  }

  /** Adds or replaces a file's entry. */
  set(entry: PackedFile | FileEntry): StoredFile {
    const packed = 'table' in entry ? entry : packFile(entry);
    this.remove(packed.path);
    const stored: StoredFile = Object.assign(packed, { id: this.nextFileId++ });
    this.files.set(stored.path, stored);
    const names = stored.names;
    for (let i = 0; i < names.length; i++) {
      // Pairs of (file, index) in one flat array: two slots instead of an object per symbol.
      let list = this.byName.get(names[i]);
      if (!list) {
        list = [];
        this.byName.set(names[i], list);
        this.nameAdded(names[i]);
      }
      list.push(stored, i);
    }
    return stored;
  }

  remove(path: string): boolean {
    const old = this.files.get(path);
    if (!old) return false;
    this.files.delete(path);
    this.decoded.delete(old);
    for (const name of new Set(old.names)) {
      const list = this.byName.get(name);
      if (!list) continue;
      const kept: Array<StoredFile | number> = [];
      for (let i = 0; i < list.length; i += 2) if (list[i] !== old) kept.push(list[i], list[i + 1]);
      if (kept.length) this.byName.set(name, kept);
      else {
        this.byName.delete(name);
        this.nameGone(name);
      }
    }
    return true;
  }

  get(path: string): StoredFile | undefined {
    return this.files.get(path);
  }

  allFiles(): IterableIterator<StoredFile> {
    return this.files.values();
  }

  /** Every symbol with this exact name, across the workspace. */
  lookup(name: string): SymbolRef[] {
    const list = this.byName.get(name);
    if (!list) return [];
    const out: SymbolRef[] = [];
    for (let i = 0; i < list.length; i += 2) out.push(new SymbolRef(list[i] as StoredFile, list[i + 1] as number, this));
    return out;
  }

  /** The symbols of one file with their details, decoded once and kept for recently used files. */
  symbolsOf(file: StoredFile): SymbolInfo[] {
    let symbols = this.decoded.get(file);
    if (symbols) {
      // Refresh its place in the LRU order.
      this.decoded.delete(file);
    } else {
      symbols = unpackSymbols(file);
      if (this.decoded.size >= DECODED_FILES) {
        const oldest = this.decoded.keys().next().value;
        if (oldest) this.decoded.delete(oldest);
      }
    }
    this.decoded.set(file, symbols);
    return symbols;
  }

  refsOf(file: StoredFile): SymbolRef[] {
    return file.names.map((_, i) => new SymbolRef(file, i, this));
  }

  /**
   * Distinct symbol names, with lower-case copies and letter masks for
   * matching. Built once; later changes (an edited document declaring a new
   * name, files indexed meanwhile) are merged into a new table in one linear
   * pass, because rebuilding 300,000 names took up to a second.
   */
  names(): NameTable {
    const pending = this.namesAdded.size + this.namesGone.size;
    if (!this.namesCache || (pending > MERGE_LIMIT && pending > this.namesCache.names.length)) {
      this.namesCache = buildNameTable([...this.byName.keys()]);
    } else if (this.namesAdded.size || this.namesGone.size) {
      this.namesCache = mergeNameTable(this.namesCache, [...this.namesAdded], this.namesGone);
    }
    this.namesAdded.clear();
    this.namesGone.clear();
    return this.namesCache;
  }

  private nameAdded(name: string): void {
    if (!this.namesCache) return;
    if (!this.namesGone.delete(name)) this.namesAdded.add(name);
  }

  private nameGone(name: string): void {
    if (!this.namesCache) return;
    if (!this.namesAdded.delete(name)) this.namesGone.add(name);
  }

  /** Paths of the files whose code mentions `name`. */
  filesMentioning(name: string): string[] {
    // Identifiers are ASCII, so Latin-1 bytes are exact.
    const needle = Buffer.from(`\n${name}\n`, 'latin1');
    const out: string[] = [];
    for (const f of this.files.values()) {
      const bytes = Buffer.from(f.idents.buffer, f.idents.byteOffset, f.idents.byteLength);
      if (bytes.indexOf(needle) >= 0) out.push(f.path);
    }
    return out;
  }
}
