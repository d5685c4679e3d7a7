// The in-memory index of one workspace: files in their packed form, symbols
// by name, and which files mention which identifiers. Queries read whatever
// has been added so far, so they can be answered while indexing still runs.

import type { FileEntry } from './fileIndex';
import { ShardedMap } from './shardedMap';
import { NameTables, type NameTablesOptions, type NameView } from './nameTables';
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
  /** Paths by file name (the last path segment): `#include` targets without reading every path. */
  private readonly byBaseName = new Map<string, Set<string>>();
  private readonly byName = new ShardedMap<Array<StoredFile | number>>();
  private readonly decoded = new Map<StoredFile, SymbolInfo[]>();
  private nextFileId = 1;
  private readonly nameTables: NameTables;

  constructor(nameOptions?: NameTablesOptions) {
    this.nameTables = new NameTables(
      (name) => this.byName.has(name),
      () => this.byName.keys(),
      nameOptions,
    );
  }

  get fileCount(): number {
    return this.files.size;
  }

  /** Adds or replaces a file's entry. */
  set(entry: PackedFile | FileEntry): StoredFile {
    const packed = 'table' in entry ? entry : packFile(entry);
    this.remove(packed.path);
    const stored: StoredFile = Object.assign(packed, { id: this.nextFileId++ });
    this.files.set(stored.path, stored);
    const base = baseName(stored.path);
    let paths = this.byBaseName.get(base);
    if (!paths) this.byBaseName.set(base, (paths = new Set()));
    paths.add(stored.path);
    const names = stored.names;
    for (let i = 0; i < names.length; i++) {
      // Pairs of (file, index) in one flat array: two slots instead of an object per symbol.
      let list = this.byName.get(names[i]);
      if (!list) {
        list = [];
        this.byName.set(names[i], list);
        this.nameTables.added(names[i]);
      }
      list.push(stored, i);
    }
    // An analysed entry (an open document) brings its symbols decoded: the
    // next request on it would otherwise decode them again from the packed form.
    if (!('table' in entry)) this.keepDecoded(stored, entry.symbols);
    return stored;
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
    for (const name of new Set(old.names)) {
      const list = this.byName.get(name);
      if (!list) continue;
      const kept: Array<StoredFile | number> = [];
      for (let i = 0; i < list.length; i += 2) if (list[i] !== old) kept.push(list[i], list[i + 1]);
      if (kept.length) this.byName.set(name, kept);
      else {
        this.byName.delete(name);
        this.nameTables.removed(name);
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
    const list = this.byName.get(name);
    if (!list) return [];
    const out: SymbolRef[] = [];
    for (let i = 0; i < list.length; i += 2) out.push(new SymbolRef(list[i] as StoredFile, list[i + 1] as number, this));
    return out;
  }

  /** The symbols of one file with their details, decoded once and kept for recently used files. */
  symbolsOf(file: StoredFile): SymbolInfo[] {
    const symbols = this.decoded.get(file) ?? unpackSymbols(file);
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
    return this.nameTables.view();
  }

  /** Finishes the name tables' background merges now (command-line use). */
  settleNames(): void {
    this.nameTables.settle();
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

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
