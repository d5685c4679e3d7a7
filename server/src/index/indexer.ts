// Builds or refreshes a WorkspaceIndex: discover files, reuse what the cache
// holds for unchanged content, parse the rest in the worker pool, persist.

import * as path from 'node:path';
import type { SkippedFile } from './fileIndex';
import { discoverFilesInWorker, STEP_FILES, type DiscoveredFile } from './discover';
import { loadIndexCache, saveIndexCache } from './indexCache';
import { FileQueue } from './fileQueue';
import { NameNumbering } from './nameNumbering';
import { drainQueue } from './parseLanes';
import { ParsePool } from './parsePool';
import { FLAG_DEFINITION, FLAG_HOOK, FLAG_LIBRARY, KINDS, SLOTS, withMtime, type PackedFile } from './packedFile';
import type { SymbolKind } from './types';
import type { WorkspaceIndex } from './workspaceIndex';

const PRELOAD_DELAY_MS = 1_000;

/** This many files or fewer are parsed on the calling thread: starting workers would cost more. */
const FEW_FILES = 8;

/** The discovery walk's record, beside the index cache. */
const WALK_RECORD_FILE = 'walk.json';

export interface IndexProgress {
  phase: 'discover' | 'parse' | 'save';
  done: number;
  total: number;
  /** While parsing: the tree is still being listed, so `total` is what was found so far. */
  listing?: boolean;
}

export interface IndexerOptions {
  root: string;
  /** Where the cache lives; undefined keeps the index in memory only. */
  cacheDir?: string;
  exclude?: readonly string[];
  maxFileBytes: number;
  /** Parse workers; 0 parses on this thread. */
  workers: number;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: IndexProgress) => void;
  log?: (message: string) => void;
  /** Read the cache's identifiers in the background once it is loaded (a server, before references need them). */
  preloadIdentifiers?: boolean;
  /** Files owned by someone else (open documents): never overwritten from disk. */
  isOwned?: (path: string) => boolean;
  /**
   * Parse every file again, trusting neither the cache nor what the index
   * holds (a cache found damaged in many files). The index answers from what
   * it holds until each file's new entry replaces it.
   */
  reparse?: boolean;
}

export interface IndexSummary {
  files: number;
  parsed: number;
  reused: number;
  removed: number;
  skipped: SkippedFile[];
  symbols: Record<SymbolKind, number>;
  libraryFunctions: number;
  hooks: number;
  breadcrumbs: number;
  elapsedMs: number;
  cache: string;
}

export async function buildIndex(index: WorkspaceIndex, options: IndexerOptions): Promise<IndexSummary> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const progress = options.onProgress ?? (() => undefined);
  progress({ phase: 'discover', done: 0, total: 0 });
  // With nothing cached and nothing indexed (a cold start), every file found is parsed: the
  // listing passes files on as it finds them and parsing starts at once, on the core the
  // listing leaves idle. Otherwise the listing is compared with the cache first, as a whole.
  const queue = new FileQueue();
  const dispatched = new Set<string>();
  let found: DiscoveredFile[] | undefined = [];
  let streaming = false;
  let streamError: unknown;
  const enqueue = (files: DiscoveredFile[]): void => {
    const mine: DiscoveredFile[] = [];
    for (const f of files) {
      dispatched.add(f.path);
      if (!options.isOwned?.(f.path)) mine.push(f);
    }
    queue.push(mine);
    if (queue.pushed > FEW_FILES) startParsing(options.workers);
  };
  // List the tree on a worker while this thread reads the cache: the two take about as long.
  const listing = discoverFilesInWorker(options.root, {
    recordFile: options.cacheDir ? path.join(options.cacheDir, WALK_RECORD_FILE) : undefined,
    exclude: options.exclude,
    maxFileBytes: options.maxFileBytes,
    signal: options.signal,
    onFiles: (files) => {
      if (!streaming) found?.push(...files);
      else if (streamError === undefined) {
        // Called from the listing's message handler: a failure (workers that cannot start) is thrown below.
        try {
          enqueue(files);
        } catch (err) {
          streamError = err;
        }
      }
    },
  });
  listing.catch(() => undefined);

  let pool: ParsePool | undefined;
  let parsing: Promise<void> | undefined;
  let failed = false;
  let parsed = 0;
  let done = 0;
  const skipped: SkippedFile[] = [];
  const reportParse = (): void => progress({ phase: 'parse', done, total: queue.pushed, listing: !queue.isClosed });
  function startParsing(workers: number): void {
    if (parsing) return;
    pool = new ParsePool(workers);
    reportParse();
    const lanes = { root: options.root, maxFileBytes: options.maxFileBytes, batchSize: options.batchSize ?? 16, signal: options.signal, stopped: () => failed };
    parsing = drainQueue(pool, queue, lanes, (outcomes, files) => {
      for (const r of outcomes) {
        if ('skipped' in r) {
          skipped.push(r.skipped);
          log(`skipped ${r.skipped.path}: ${r.skipped.reason}`);
        } else if ('unchanged' in r) {
          const cached = cachedByPath.get(r.unchanged.path);
          if (cached && !options.isOwned?.(cached.path)) index.set(withMtime(cached, r.unchanged.mtimeMs));
          reused++;
        } else if (!options.isOwned?.(r.entry.path)) {
          index.set(r.entry);
          numbering?.add(r.entry);
          parsed++;
        }
      }
      done += files;
      reportParse();
    });
    // Awaited below; a lane that fails meanwhile must not count as unhandled.
    parsing.catch(() => undefined);
  }

  // A cold index to be saved numbers its names as files come in (nameNumbering.ts).
  let numbering: NameNumbering | undefined;
  let cacheNote = 'disabled';
  // Started after the index is ready: meanwhile it would compete with the rest of the warm start.
  let preload: (() => Promise<void>) | undefined;
  const cachedByPath = new Map<string, PackedFile>();
  let reused = 0;
  let removed = 0;
  try {
    if (options.cacheDir && options.reparse) cacheNote = 'not read (every file parsed again)';
    else if (options.cacheDir) {
      const loaded = await loadIndexCache(options.cacheDir);
      if (loaded.ok) {
        // Serve from the cache at once, while the listing still runs; files that
        // changed or went away are put right below, once the listing is in.
        const { entries, nameIds, directory } = loaded.cache;
        if (options.preloadIdentifiers) preload = loaded.cache.preloadIdentifiers;
        for (const e of entries) cachedByPath.set(e.path, e);
        if (!index.loadBase(directory, entries, nameIds, options.isOwned)) {
          let n = 0;
          for (const e of entries) {
            if (!index.get(e.path) && !options.isOwned?.(e.path)) index.set(e);
            if (++n % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
          }
        }
        cacheNote = `loaded ${loaded.cache.entries.length} entries`;
      } else {
        cacheNote = loaded.reason;
        if (!loaded.missing) log(loaded.reason);
      }
    }
    // Every file is parsed whatever the listing says of it: parse while listing.
    streaming = options.reparse === true || (cachedByPath.size === 0 && index.fileCount === 0);
    if (streaming && !options.reparse && options.cacheDir) numbering = new NameNumbering();
    const early = found;
    found = undefined;
    if (streaming && early.length > 0) enqueue(early);
    const discovered = await listing;
    if (streamError !== undefined) throw streamError;
    for (const s of discovered.skipped) {
      skipped.push(s);
      log(`skipped ${s.path}: ${s.reason}`);
    }

    // Unchanged files (same size and mtime as cached, or already indexed) cost nothing.
    const present = new Set<string>();
    const toParse: DiscoveredFile[] = [];
    let seen = 0;
    for (const f of discovered.files) {
      // In steps: 14,500 files in one go held requests up by about 10 ms.
      if (++seen % STEP_FILES === 0) await new Promise((resolve) => setImmediate(resolve));
      present.add(f.path);
      if (options.isOwned?.(f.path) || dispatched.has(f.path)) continue;
      const current = options.reparse ? undefined : index.get(f.path);
      if (current && current.size === f.size && current.mtimeMs === f.mtimeMs) {
        reused++;
        continue;
      }
      const cached = cachedByPath.get(f.path);
      if (cached && cached.size === f.size && cached.mtimeMs === f.mtimeMs) {
        index.set(cached);
        reused++;
        continue;
      }
      toParse.push(cached ? { ...f, knownHash: cached.hash } : f);
    }
    for (const file of [...index.allFiles()]) {
      if (!present.has(file.path) && !options.isOwned?.(file.path)) {
        index.remove(file.path);
        removed++;
      }
    }
    queue.push(toParse);
    queue.close();
    startParsing(queue.pushed > FEW_FILES ? options.workers : 0);
    await parsing;
  } catch (err) {
    // The listing (or the comparison with the cache) failed while files were being parsed: the
    // batches in flight finish, the files still queued are not parsed for nothing.
    failed = true;
    queue.close();
    await parsing?.catch(() => undefined);
    await pool?.dispose();
    throw err;
  }
  // Stopping the workers (their heaps and what their trees hold freed) took 70-100 ms of a cold
  // AROS index with the cache saved only after it: the two now overlap.
  const stopped = (pool as ParsePool).dispose();
  try {
    await saveIfChanged();
  } finally {
    await stopped;
  }

  async function saveIfChanged(): Promise<void> {
    if (!options.cacheDir || !(parsed > 0 || removed > 0 || reusedChanged(cachedByPath, index))) return;
    progress({ phase: 'save', done: 0, total: 1 });
    try {
      const entries = [...index.allFiles()].filter((f) => f.mtimeMs >= 0);
      const numbered = numbering?.finish();
      await saveIndexCache(options.cacheDir, entries, numbered?.tables ?? (await index.liveNameTables()), numbered);
      cacheNote += '; saved';
    } catch (err) {
      // A read-only or full cache directory leaves the index in memory; it is not an error for the user's work.
      const message = `cache not saved (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the index stays in memory`;
      cacheNote += `; ${message}`;
      log(message);
    }
  }

  if (preload) {
    // A second after: started at once, its steps delayed the ready status by 100-150 ms (what follows indexing runs in steps too).
    const start = preload;
    setTimeout(() => void start().catch(() => undefined), PRELOAD_DELAY_MS).unref();
  }
  return { ...summarize(index), files: index.fileCount, parsed, reused, removed, skipped, elapsedMs: Date.now() - started, cache: cacheNote };
}

/** True when the index holds entries the cache lacks or has differently (for example after a touch). */
function reusedChanged(cached: Map<string, PackedFile>, index: WorkspaceIndex): boolean {
  if (cached.size !== index.fileCount) return true;
  for (const f of index.allFiles()) {
    const c = cached.get(f.path);
    if (!c || c.mtimeMs !== f.mtimeMs || c.hash !== f.hash) return true;
  }
  return false;
}

export function summarize(index: WorkspaceIndex): Omit<IndexSummary, 'files' | 'parsed' | 'reused' | 'removed' | 'skipped' | 'elapsedMs' | 'cache'> {
  const symbols: Record<SymbolKind, number> = {
    function: 0,
    struct: 0,
    union: 0,
    enum: 0,
    field: 0,
    enumerator: 0,
    typedef: 0,
    macro: 0,
    variable: 0,
  };
  let libraryFunctions = 0;
  let hooks = 0;
  let breadcrumbs = 0;
  // Counted by kind number in a typed array, over each table's flag slots: this runs on every warm start.
  const byKind = new Int32Array(256);
  for (const f of index.allFiles()) {
    breadcrumbs += f.breadcrumbs.length;
    const table = f.table;
    for (let o = 0; o < table.length; o += SLOTS) {
      const flags = table[o];
      byKind[flags & 0xff]++;
      // Definitions only: prototypes and `.conf` entries are not counted as functions found.
      if ((flags & FLAG_DEFINITION) === 0) continue;
      if (flags & FLAG_LIBRARY) libraryFunctions++;
      else if (flags & FLAG_HOOK) hooks++;
    }
  }
  KINDS.forEach((kind, k) => (symbols[kind] = byKind[k]));
  return { symbols, libraryFunctions, hooks, breadcrumbs };
}
