// The in-memory index of one workspace: files in their packed form, symbols
// by name, and which files mention which identifiers. Queries read whatever
// has been added so far, so they can be answered while indexing still runs.

import type { FileEntry } from './fileIndex';
import type { NameDirectory } from './nameDirectory';
import { ShardedMap } from './shardedMap';
import { NameTables, type NameTablesOptions, type NameView, type StoredNameTable } from './nameTables';
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
  tableSymbols,
  unpackSymbols,
  type PackedFile,
} from './packedFile';
import type { Range, SymbolInfo, SymbolKind } from './types';

/** Files whose symbol details are kept decoded; the rest stay serialized. */
const DECODED_FILES = 256;

export interface StoredFile extends PackedFile {
  id: number;
  /** Its place among the files of the base (loadBase), whose postings hold it. */
  baseOrdinal?: number;
}

/**
 * The files of a warm start, put in at once: symbols by name number in flat
 * postings, and the names' tables as they were saved. Files that change later
 * are taken out of the base (`fileLive`) and go through the name map.
 */
interface Base {
  directory: NameDirectory;
  files: StoredFile[];
  nameIds: readonly Int32Array[];
  fileLive: Uint8Array;
  /** Postings of name number k: pairs (file ordinal, symbol index) in posts[2 * postStart[k], 2 * postStart[k + 1]). */
  postStart: Int32Array;
  posts: Int32Array;
  /** Postings of each name number whose file is still live. */
  live: Int32Array;
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

export interface WorkspaceIndexOptions extends NameTablesOptions {
  /**
   * A file's details or identifiers could not be read from the cache (they
   * failed their checksum): it is answered from its symbol table meanwhile,
   * and should be indexed again.
   */
  onDamaged?: (path: string, reason: string) => void;
}

export class WorkspaceIndex {
  private readonly files = new Map<string, StoredFile>();
  /** Paths by file name (the last path segment): `#include` targets without reading every path. */
  private readonly byBaseName = new Map<string, Set<string>>();
  /**
   * Symbols by name of the files not in the base. Built on first need unless
   * following names from the start (`eager`): a command that only indexes
   * never needs it, and on a cold index of AROS it was 80 MB of the peak.
   * Invariant: while it is not built, the name tables follow nothing either.
   */
  private readonly byName = new ShardedMap<Array<StoredFile | number>>();
  private mapped: boolean;
  private base: Base | undefined;
  private readonly decoded = new Map<StoredFile, SymbolInfo[]>();
  private nextFileId = 1;
  private readonly nameTables: NameTables;

  private readonly onDamaged: ((path: string, reason: string) => void) | undefined;

  constructor(options: WorkspaceIndexOptions = {}) {
    const { onDamaged, ...nameOptions } = options;
    this.onDamaged = onDamaged;
    this.mapped = options.eager ?? false;
    this.nameTables = new NameTables(
      (name) => this.isLiveName(name),
      () => this.liveNames(),
      nameOptions,
    );
  }

  /**
   * Puts in the files of a loaded cache at once (see Base), each but those
   * already here or `skip`ped; false when a base is already in, and nothing
   * was done (put them in with `set`).
   */
  loadBase(directory: NameDirectory, entries: readonly PackedFile[], nameIds: readonly Int32Array[], skip?: (path: string) => boolean): boolean {
    if (this.base) return false;
    this.ensureMapped();
    const n = directory.size;
    const fileLive = new Uint8Array(entries.length);
    const files: StoredFile[] = new Array<StoredFile>(entries.length);
    const postStart = new Int32Array(n + 1);
    const live = new Int32Array(n);
    const seen = new Set<string>();
    entries.forEach((entry, k) => {
      const stored = entry as StoredFile;
      stored.id = this.nextFileId++;
      stored.baseOrdinal = k;
      files[k] = stored;
      const ids = nameIds[k];
      for (let i = 0; i < ids.length; i++) postStart[ids[i] + 1]++;
      if (this.files.has(entry.path) || seen.has(entry.path) || skip?.(entry.path)) return;
      seen.add(entry.path);
      fileLive[k] = 1;
      for (let i = 0; i < ids.length; i++) live[ids[i]]++;
    });
    for (let k = 0; k < n; k++) postStart[k + 1] += postStart[k];
    const posts = new Int32Array(2 * postStart[n]);
    const fill = postStart.slice(0, n);
    nameIds.forEach((ids, k) => {
      for (let i = 0; i < ids.length; i++) {
        const at = 2 * fill[ids[i]]++;
        posts[at] = k;
        posts[at + 1] = i;
      }
    });
    // The tables take each name live here by the base alone: names already
    // live (open documents came first) are in a table, and names of no live
    // file are in none.
    let keepAll = true;
    for (let id = 0; id < n && keepAll; id++) if (live[id] === 0) keepAll = false;
    if (keepAll && this.byName.size > 0) keepAll = false;
    this.nameTables.seed(
      directory.tables,
      keepAll ? undefined : (t, i) => {
        const id = directory.start(t) + i;
        return live[id] > 0 && !this.byName.has(directory.nameAt(id));
      },
    );
    this.base = { directory, files, nameIds, fileLive, postStart, posts, live };
    for (const stored of files) {
      if (!fileLive[stored.baseOrdinal as number]) continue;
      this.files.set(stored.path, stored);
      this.addBaseName(stored.path);
    }
    return true;
  }

  private ensureMapped(): void {
    if (this.mapped) return;
    this.mapped = true;
    // Base files are in the postings; files that replaced them are not base files.
    for (const f of this.files.values()) if (f.baseOrdinal === undefined) this.mapNames(f);
  }

  private mapNames(stored: StoredFile): void {
    const names = stored.names;
    for (let i = 0; i < names.length; i++) {
      // Pairs of (file, index) in one flat array: two slots instead of an object per symbol.
      let list = this.byName.get(names[i]);
      if (!list) {
        list = [];
        this.byName.set(names[i], list);
        if (this.baseCount(names[i]) === 0) this.nameTables.added(names[i]);
      }
      list.push(stored, i);
    }
  }

  /** Whether some live file has a symbol of this name. */
  private isLiveName(name: string): boolean {
    this.ensureMapped();
    return this.byName.has(name) || this.baseCount(name) > 0;
  }

  private baseCount(name: string): number {
    if (!this.base) return 0;
    const id = this.base.directory.idOf(name);
    return id < 0 ? 0 : this.base.live[id];
  }

  /** Every live name once. Built in one go: a generator's step per name was most of a cold save's first 200 ms. */
  private liveNames(): Iterable<string> {
    if (!this.mapped) {
      // No base without the map (loadBase builds it): the files are all there is.
      const seen = new Set<string>();
      for (const f of this.files.values()) {
        const names = f.names;
        for (let i = 0; i < names.length; i++) seen.add(names[i]);
      }
      return seen;
    }
    const out = [...this.byName.keys()];
    const base = this.base;
    if (!base) return out;
    base.directory.tables.forEach((t, k) => {
      const first = base.directory.start(k);
      const names = t.names;
      for (let i = 0; i < names.length; i++) if (base.live[first + i] > 0 && !this.byName.has(names[i])) out.push(names[i]);
    });
    return out;
  }

  get fileCount(): number {
    return this.files.size;
  }

  /** Adds or replaces a file's entry. */
  set(entry: PackedFile | FileEntry): StoredFile {
    const packed = 'table' in entry ? entry : packFile(entry);
    this.remove(packed.path);
    // Never a base file, even an entry a base once held (a cached entry put in again): its names go in the map.
    const stored: StoredFile = Object.assign(packed, { id: this.nextFileId++, baseOrdinal: undefined });
    this.files.set(stored.path, stored);
    this.addBaseName(stored.path);
    if (this.mapped) this.mapNames(stored);
    // An analysed entry (an open document) brings its symbols decoded: the
    // next request on it would otherwise decode them again from the packed form.
    if (!('table' in entry)) this.keepDecoded(stored, entry.symbols);
    return stored;
  }

  private addBaseName(path: string): void {
    const base = baseName(path);
    let paths = this.byBaseName.get(base);
    if (!paths) this.byBaseName.set(base, (paths = new Set()));
    paths.add(path);
  }

  remove(path: string): boolean {
    const old = this.files.get(path);
    if (!old) return false;
    this.files.delete(path);
    this.decoded.delete(old);
    const base = baseName(path);
    const paths = this.byBaseName.get(base);
    paths?.delete(path);
    if (paths?.size === 0) this.byBaseName.delete(base);
    if (old.baseOrdinal !== undefined && this.base) {
      const b = this.base;
      b.fileLive[old.baseOrdinal] = 0;
      const ids = b.nameIds[old.baseOrdinal];
      for (let i = 0; i < ids.length; i++) {
        if (--b.live[ids[i]] === 0) {
          const name = b.directory.nameAt(ids[i]);
          if (!this.byName.has(name)) this.nameTables.removed(name);
        }
      }
      return true;
    }
    if (!this.mapped) return true;
    for (const name of new Set(old.names)) {
      const list = this.byName.get(name);
      if (!list) continue;
      const kept: Array<StoredFile | number> = [];
      for (let i = 0; i < list.length; i += 2) if (list[i] !== old) kept.push(list[i], list[i + 1]);
      if (kept.length) this.byName.set(name, kept);
      else {
        this.byName.delete(name);
        if (this.baseCount(name) === 0) this.nameTables.removed(name);
      }
    }
    return true;
  }

  get(path: string): StoredFile | undefined {
    return this.files.get(path);
  }

  /** Paths of the files whose last path segment is `name`. */
  filesNamed(name: string): string[] {
    return [...(this.byBaseName.get(name) ?? [])];
  }

  allFiles(): IterableIterator<StoredFile> {
    return this.files.values();
  }

  /** Every symbol with this exact name, across the workspace. */
  lookup(name: string): SymbolRef[] {
    this.ensureMapped();
    const out: SymbolRef[] = [];
    const b = this.base;
    const id = b ? b.directory.idOf(name) : -1;
    if (b && id >= 0 && b.live[id] > 0) {
      for (let at = 2 * b.postStart[id]; at < 2 * b.postStart[id + 1]; at += 2) {
        if (b.fileLive[b.posts[at]]) out.push(new SymbolRef(b.files[b.posts[at]], b.posts[at + 1], this));
      }
    }
    const list = this.byName.get(name);
    if (list) for (let i = 0; i < list.length; i += 2) out.push(new SymbolRef(list[i] as StoredFile, list[i + 1] as number, this));
    return out;
  }

  /** The symbols of one file with their details, decoded once and kept for recently used files. */
  symbolsOf(file: StoredFile): SymbolInfo[] {
    let symbols = this.decoded.get(file);
    if (!symbols) {
      try {
        symbols = unpackSymbols(file);
      } catch (err) {
        symbols = tableSymbols(file);
        this.onDamaged?.(file.path, (err as Error).message);
      }
    }
    this.keepDecoded(file, symbols);
    return symbols;
  }

  /** Puts a file's decoded symbols at the fresh end of the LRU order. */
  private keepDecoded(file: StoredFile, symbols: SymbolInfo[]): void {
    if (!this.decoded.delete(file) && this.decoded.size >= DECODED_FILES) {
      const oldest = this.decoded.keys().next().value;
      if (oldest) this.decoded.delete(oldest);
    }
    this.decoded.set(file, symbols);
  }

  refsOf(file: StoredFile): SymbolRef[] {
    return file.names.map((_, i) => new SymbolRef(file, i, this));
  }

  /**
   * Distinct symbol names in sorted tables, with lower-case copies, letter
   * masks and packed bytes for matching (see nameTables.ts). Cheap: the
   * tables are kept current as files come and go.
   */
  names(): NameView {
    // The tables follow names from here on: the map must be there to tell them.
    this.ensureMapped();
    return this.nameTables.view();
  }

  /** The live names in sorted tables: what a saved cache numbers names by. */
  liveNameTables(): Promise<StoredNameTable[]> {
    return this.nameTables.forSave(() => new Promise((resolve) => setImmediate(resolve)));
  }

  /** Gets the name tables of a loaded cache ready for reading, a step at a time in the background. */
  prepareNames(): void {
    this.nameTables.prepareInBackground();
  }

  /** Finishes the name tables' background merges now (command-line use). */
  settleNames(): void {
    this.ensureMapped();
    this.nameTables.settle();
  }

  /** Paths of the files whose code mentions `name`. */
  filesMentioning(name: string): string[] {
    // Identifiers are ASCII, so Latin-1 bytes are exact.
    const needle = Buffer.from(`\n${name}\n`, 'latin1');
    const out: string[] = [];
    for (const f of this.files.values()) {
      let idents: Uint8Array;
      try {
        idents = f.idents;
      } catch (err) {
        // Unknown: it may mention the name (the caller reads the file to see).
        out.push(f.path);
        this.onDamaged?.(f.path, (err as Error).message);
        continue;
      }
      const bytes = Buffer.from(idents.buffer, idents.byteOffset, idents.byteLength);
      if (bytes.indexOf(needle) >= 0) out.push(f.path);
    }
    return out;
  }
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
