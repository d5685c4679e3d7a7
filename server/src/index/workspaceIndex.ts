// The in-memory index of one workspace: files, symbols by name, and which
// files mention which identifiers. Queries read whatever has been added so far,
// so they can be answered while indexing is still running.

import type { FileEntry } from './fileIndex';
import type { SymbolInfo } from './types';

export interface StoredFile extends Omit<FileEntry, 'identifiers'> {
  id: number;
  /** Interned identifier ids, sorted, so the file's identifiers cost 4 bytes each. */
  identIds: Uint32Array;
}

export interface SymbolRef {
  file: StoredFile;
  symbol: SymbolInfo;
  index: number;
}

export class WorkspaceIndex {
  private readonly files = new Map<string, StoredFile>();
  private readonly byName = new Map<string, Array<{ fileId: number; index: number }>>();
  private readonly fileById = new Map<number, StoredFile>();
  private readonly identId = new Map<string, number>();
  private readonly identNames: string[] = [];
  /** For each identifier id, the ids of the files that mention it. */
  private readonly postings: number[][] = [];
  private nextFileId = 1;
  private namesCache: { names: string[]; lower: string[] } | undefined;

  get fileCount(): number {
    return this.files.size;
  }

  /** Adds or replaces a file's entry. */
  set(entry: FileEntry): StoredFile {
    this.remove(entry.path);
    const id = this.nextFileId++;
    const ids = new Uint32Array(entry.identifiers.length);
    for (let i = 0; i < entry.identifiers.length; i++) {
      const identId = this.intern(entry.identifiers[i]);
      ids[i] = identId;
      this.postings[identId].push(id);
    }
    ids.sort();
    const { identifiers, ...rest } = entry;
    void identifiers;
    const stored: StoredFile = { ...rest, id, identIds: ids };
    this.files.set(entry.path, stored);
    this.fileById.set(id, stored);
    stored.symbols.forEach((s, index) => {
      let list = this.byName.get(s.name);
      if (!list) {
        list = [];
        this.byName.set(s.name, list);
        this.namesCache = undefined;
      }
      list.push({ fileId: id, index });
    });
    return stored;
  }

  remove(path: string): boolean {
    const old = this.files.get(path);
    if (!old) return false;
    this.files.delete(path);
    this.fileById.delete(old.id);
    for (const identId of old.identIds) {
      const list = this.postings[identId];
      const at = list.indexOf(old.id);
      if (at >= 0) list.splice(at, 1);
    }
    for (const s of old.symbols) {
      const list = this.byName.get(s.name);
      if (!list) continue;
      const kept = list.filter((r) => r.fileId !== old.id);
      if (kept.length) this.byName.set(s.name, kept);
      else {
        this.byName.delete(s.name);
        this.namesCache = undefined;
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
    const refs = this.byName.get(name);
    if (!refs) return [];
    const out: SymbolRef[] = [];
    for (const r of refs) {
      const file = this.fileById.get(r.fileId);
      if (file) out.push({ file, symbol: file.symbols[r.index], index: r.index });
    }
    return out;
  }

  /** Distinct symbol names, with lower-case copies for matching; rebuilt only after names change. */
  names(): { names: string[]; lower: string[] } {
    if (!this.namesCache) {
      const names = [...this.byName.keys()];
      this.namesCache = { names, lower: names.map((n) => n.toLowerCase()) };
    }
    return this.namesCache;
  }

  /** Paths of the files whose code mentions `name`. */
  filesMentioning(name: string): string[] {
    const id = this.identId.get(name);
    if (id === undefined) return [];
    const out: string[] = [];
    for (const fileId of this.postings[id]) {
      const f = this.fileById.get(fileId);
      if (f) out.push(f.path);
    }
    return out;
  }

  /** The entry as the parser produced it, identifiers included (for the cache). */
  toEntry(file: StoredFile): FileEntry {
    const { id, identIds, ...rest } = file;
    void id;
    return { ...rest, identifiers: Array.from(identIds, (i) => this.identNames[i]) };
  }

  private intern(name: string): number {
    let id = this.identId.get(name);
    if (id === undefined) {
      id = this.identNames.length;
      this.identNames.push(name);
      this.identId.set(name, id);
      this.postings.push([]);
    }
    return id;
  }
}
