// One workspace as the adapters see it: its index, its open documents, the
// indexing job, and reading text from whichever is current (editor or disk).

import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { BreadcrumbItem } from '../breadcrumbs/types';
import type { WorkspaceSettings } from '../config/workspaceSettings';
import { outsideProblem } from '../config/workspacePaths';
import { isExcluded, isIndexedPath } from './discover';
import { defaultCacheDir, saveIndexCache } from './indexCache';
import { buildIndex, type IndexProgress, type IndexSummary } from './indexer';
import { OpenDocuments } from './openDocuments';
import { parseOne } from './parseFiles';
import { decodeSource } from './readSource';
import { SlicedAnalyzer } from './slicedAnalysis';
import { WorkspaceIndex } from './workspaceIndex';

export type IndexState = 'idle' | 'indexing' | 'ready' | 'error';

export interface SessionEvents {
  /** false keeps the index in memory only (no cache read or written). */
  persist?: boolean;
  /** false: `root` is no workspace folder (the server opened without one), so no file on disk is the workspace's. */
  workspace?: boolean;
  log?: (message: string) => void;
  /** Keep the symbol name tables current from the start (a server); otherwise built on first use. */
  eagerNames?: boolean;
  onState?: (state: Exclude<IndexState, 'idle'>, message: string) => void;
}

const SAVE_DELAY_MS = 5_000;
/** Damaged cache entries repaired one by one; more, and the workspace is indexed again. */
const REBUILD_AFTER_DAMAGED = 32;

export class WorkspaceSession {
  readonly index: WorkspaceIndex;
  readonly documents: OpenDocuments;
  /** Undefined when the index is not persisted. */
  readonly cacheDir: string | undefined;
  state: IndexState = 'idle';
  lastSummary?: IndexSummary;
  private saveTimer?: NodeJS.Timeout;
  /** Files changed on disk are analysed on this thread, in slices. */
  private readonly analyzer = new SlicedAnalyzer();
  private indexing?: Promise<IndexSummary>;
  private readonly repairing = new Set<string>();
  /** Damaged files reported since the last rebuild, and whether one runs. */
  private damage = 0;
  private rebuilding = false;

  constructor(
    readonly root: string,
    readonly settings: WorkspaceSettings,
    private readonly events: SessionEvents = {},
  ) {
    this.cacheDir = events.persist === false ? undefined : settings.cacheDir ?? defaultCacheDir(root);
    this.index = new WorkspaceIndex({ eager: events.eagerNames, onDamaged: (key, reason) => this.damaged(key, reason) });
    this.documents = new OpenDocuments(this.index);
  }

  /** Workspace-relative key for files inside the root, the absolute path otherwise. */
  keyOf(absPath: string): string {
    const rel = path.relative(this.root, absPath);
    return rel && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : absPath;
  }

  absOf(key: string): string {
    return path.isAbsolute(key) ? key : path.join(this.root, key);
  }

  async indexWorkspace(options: { signal?: AbortSignal; onProgress?: (p: IndexProgress) => void; reparse?: boolean } = {}): Promise<IndexSummary> {
    if (this.indexing) return this.indexing;
    this.setState('indexing', 'indexing the workspace');
    this.indexing = buildIndex(this.index, {
      root: this.root,
      cacheDir: this.cacheDir,
      exclude: this.settings.exclude,
      maxFileBytes: this.settings.maxFileBytes,
      workers: this.settings.workers,
      signal: options.signal,
      onProgress: options.onProgress,
      log: this.events.log,
      isOwned: (p) => this.documents.has(p),
      preloadIdentifiers: this.events.eagerNames,
      reparse: options.reparse,
    })
      .then((summary) => {
        this.lastSummary = summary;
        // A server will be asked for names soon: the tables a cache brought are made ready now, between requests.
        if (this.events.eagerNames) this.index.prepareNames();
        // A read-only or full cache directory is worth a word in the status, not only in the log.
        const unsaved = /cache not saved \(([^)]*)\)/.exec(summary.cache)?.[1];
        this.setState('ready', `indexed ${summary.files} files (${summary.parsed} parsed, ${summary.reused} reused) in ${summary.elapsedMs} ms${unsaved ? `; cache not saved (${unsaved}): the index stays in memory` : ''}`);
        return summary;
      })
      .catch((err: unknown) => {
        const cancelled = options.signal?.aborted;
        this.setState(cancelled ? 'ready' : 'error', cancelled ? 'indexing cancelled; answering from a partial index' : `indexing failed: ${(err as Error).message}`);
        throw err;
      })
      .finally(() => {
        this.indexing = undefined;
      });
    return this.indexing;
  }

  /**
   * Why the server may not read `key` from disk or edit it (outside the
   * workspace, or reached through a symlink leading out); undefined for a file
   * of the workspace. Open documents are read from memory whatever this says.
   */
  diskProblem(key: string): string | undefined {
    if (this.events.workspace === false) return 'is not in a workspace folder (none is open)';
    return outsideProblem(this.root, this.absOf(key));
  }

  /** Text of a file as the user sees it: the open document, else the disk (workspace files only), decoded leniently. */
  async readText(key: string): Promise<string | undefined> {
    const doc = this.documents.get(key);
    if (doc) return doc.text;
    if (this.diskProblem(key)) return undefined;
    try {
      const bytes = await readFile(this.absOf(key));
      const decoded = decodeSource(bytes);
      return 'binary' in decoded ? undefined : decoded.text;
    } catch {
      return undefined;
    }
  }

  /** A file changed or appeared on disk (file watcher); open documents are the editor's business. */
  async fileChanged(key: string): Promise<void> {
    if (!isIndexedPath(key) || this.documents.has(key)) return;
    // Not read from disk: a file outside the workspace (a closed document, a stray watcher event) or behind a symlink leading out.
    if (this.diskProblem(key)) {
      this.fileDeleted(key);
      return;
    }
    if (!path.isAbsolute(key) && isExcluded(this.root, key, this.settings.exclude)) return;
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(this.absOf(key))).mtimeMs;
    } catch {
      this.fileDeleted(key);
      return;
    }
    const result = await parseOne(this.root, { path: key, size: 0, mtimeMs }, this.settings.maxFileBytes, this.analyzer);
    if ('entry' in result) this.index.set(result.entry);
    else if ('skipped' in result) {
      this.index.remove(key);
      this.events.log?.(`skipped ${key}: ${result.skipped.reason}`);
    }
    this.scheduleSave();
  }

  /**
   * A file's cached details or identifiers failed their checksum: it is parsed
   * again from disk (once; a failure there is logged as any). Past a few
   * dozen files the cache is damaged as a whole (the identifiers of every
   * file are one region): the workspace is indexed again in the parse
   * workers, instead of file by file on this thread, and logged once.
   */
  private damaged(key: string, reason: string): void {
    if (this.rebuilding || this.repairing.has(key)) return;
    if (++this.damage > REBUILD_AFTER_DAMAGED) {
      this.rebuilding = true;
      this.events.log?.(`the index cache is damaged in more than ${REBUILD_AFTER_DAMAGED} files (${reason}); indexing the workspace again`);
      const rebuild = (): Promise<unknown> => this.indexWorkspace({ reparse: true });
      void (this.indexing ? this.indexing.catch(() => undefined).then(rebuild) : rebuild())
        .catch((err: unknown) => this.events.log?.(`indexing again failed: ${(err as Error).message}`))
        .finally(() => {
          this.rebuilding = false;
          this.damage = 0;
        });
      return;
    }
    this.repairing.add(key);
    this.events.log?.(`${key}: ${reason}; parsing it again`);
    void this.fileChanged(key).finally(() => this.repairing.delete(key));
  }

  fileDeleted(key: string): void {
    if (this.documents.has(key)) return;
    if (this.index.remove(key)) this.scheduleSave();
  }

  /** The editor closed a document: the disk version is the truth again. */
  async documentClosed(key: string): Promise<void> {
    this.documents.close(key);
    // Replace rather than remove first: no moment without either version.
    await this.fileChanged(key);
  }

  breadcrumbItems(): BreadcrumbItem[] {
    const items: BreadcrumbItem[] = [];
    for (const f of this.index.allFiles()) for (const b of f.breadcrumbs) items.push({ file: f.path, breadcrumb: b });
    return items;
  }

  /**
   * Waits for an indexing run to end (its signal should be aborted first: the
   * parse workers then finish the batches they are in): a process that exits
   * with a worker inside tree-sitter aborts instead of exiting.
   */
  async dispose(): Promise<void> {
    await this.indexing?.catch(() => undefined);
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      await this.save();
    }
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  private async save(): Promise<void> {
    if (!this.cacheDir) return;
    try {
      await saveIndexCache(
        this.cacheDir,
        [...this.index.allFiles()].filter((f) => f.mtimeMs >= 0),
        await this.index.liveNameTables(),
      );
    } catch (err) {
      this.events.log?.(`cache not saved (${(err as Error).message}); the index stays in memory`);
    }
  }

  private setState(state: Exclude<IndexState, 'idle'>, message: string): void {
    this.state = state;
    this.events.onState?.(state, message);
  }
}
