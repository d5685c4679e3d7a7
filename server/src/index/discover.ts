// Lists the files the index covers: C sources, headers and AROS `.conf`
// function lists, honouring every `.gitignore` on the way down and the
// configured excludes. Symlinks are not followed: they can loop, and they can
// lead out of the workspace.

import { closeSync, constants, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { builtScript } from './workerScript';
import ignore, { type Ignore } from 'ignore';
import type { SkippedFile } from './fileIndex';

export interface DiscoveredFile {
  /** Workspace-relative, forward slashes. */
  path: string;
  size: number;
  mtimeMs: number;
  /** Content hash from the cache: a file whose bytes still match is not parsed again. */
  knownHash?: string;
}

export interface DiscoverOptions {
  /** gitignore-style patterns relative to the root. */
  exclude?: readonly string[];
  maxFileBytes: number;
  signal?: AbortSignal;
  /** What an earlier walk saw: directories unchanged since are not read again (see WalkRecord). */
  previous?: WalkRecord;
  /**
   * Told of files as the walk finds them, FILE_CHUNK or more at a time (the
   * last ones, fewer than that, only in the result, which has them all).
   */
  onFiles?: (files: DiscoveredFile[]) => void;
}

/** Files found before `onFiles` hears of them: a few directories' worth, a few dozen messages for AROS. */
export const FILE_CHUNK = 256;

export interface DiscoverResult {
  files: DiscoveredFile[];
  skipped: SkippedFile[];
  /** What this walk saw, for the next; `changed` is false when it is the previous one's. */
  record?: WalkRecord;
  changed?: boolean;
}

/**
 * The directories of a walk, each with its mtime and what it listed (after
 * the ignore rules), and the ignore files with theirs. A directory's mtime
 * changes when an entry is added, removed or renamed in it, so an unchanged
 * one lists the same names: the next walk stats it and its files instead of
 * reading it and matching every name against the ignore rules again (on the
 * AROS tree, 0.6 s of a warm start against 0.15 s). Any ignore file changed
 * or new, or other excludes, and nothing below is trusted.
 */
export interface WalkRecord {
  version: typeof WALK_RECORD_VERSION;
  /** The excludes the walk applied. */
  key: string;
  /** When the walk began (Date.now()): a directory changed within RACY_MS before may have changed again in the same tick. */
  takenAt: number;
  ignores: Array<[path: string, mtimeMs: number, size: number]>;
  dirs: Array<[rel: string, mtimeMs: number, hasIgnore: boolean, subdirs: string[], files: string[]]>;
}

const WALK_RECORD_VERSION = 1;
/** Coarser file-system clocks (1 s, 2 s on FAT) make a change in the walk's own second invisible. */
const RACY_MS = 2_000;

const INDEXED = /\.(c|h|conf)$/i;
const SLICE_MS = 10;
const ALWAYS_SKIPPED = new Set(['.git', '.hg', '.svn', 'node_modules']);

/**
 * One `.gitignore` (or the configured excludes), with its rules grouped by the
 * literal directory they are anchored to. AROS's root `.gitignore` has over
 * 3,000 rules, nearly all naming one generated file; testing every path
 * against all of them cost seconds. A directory only needs the rules anchored
 * at it or above it, in their original order (so negations still work).
 */
interface Rules {
  base: string;
  lines: string[];
  /** Rule indices by the literal directory they are anchored to ('' = anywhere), each list ascending. */
  byAnchor: Map<string, number[]>;
  perDir: Map<string, Ignore>;
  /**
   * Matchers by the set of rules they hold. Most directories need the same few
   * rules (those anchored nowhere); compiling them again for each of AROS's
   * 2,600 directories was a third of the listing's time.
   */
  bySet: Map<string, Ignore>;
}

function makeRules(base: string, text: string | readonly string[]): Rules {
  const lines = (typeof text === 'string' ? text.split(/\r?\n/) : [...text]).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const byAnchor = new Map<string, number[]>();
  lines.forEach((line, i) => {
    const a = anchorOf(line);
    const list = byAnchor.get(a);
    if (list) list.push(i);
    else byAnchor.set(a, [i]);
  });
  return { base, lines, byAnchor, perDir: new Map(), bySet: new Map() };
}

function anchorOf(line: string): string {
  let p = line.trim().replace(/^!/, '').replace(/\\/g, '');
  const trailing = p.endsWith('/');
  if (trailing) p = p.slice(0, -1);
  // No slash except a trailing one: the pattern matches at any depth.
  if (!p.includes('/')) return '';
  p = p.replace(/^\//, '');
  const segments = p.split('/');
  segments.pop();
  const literal: string[] = [];
  for (const seg of segments) {
    if (/[*?[]/.test(seg)) break;
    literal.push(seg);
  }
  return literal.join('/');
}

/** An `ignore` matcher for entries directly inside `dir` (relative to the rules' base). */
function matcherFor(rules: Rules, dir: string): Ignore {
  let ig = rules.perDir.get(dir);
  if (ig) return ig;
  // The rules anchored nowhere, at `dir` or at one of its ancestors, in their original order (negations depend on it).
  const relevant: number[] = [...(rules.byAnchor.get('') ?? [])];
  for (let at = 0; dir !== '' && at <= dir.length; ) {
    const slash = dir.indexOf('/', at);
    const end = slash < 0 ? dir.length : slash;
    relevant.push(...(rules.byAnchor.get(dir.slice(0, end)) ?? []));
    at = end + 1;
  }
  relevant.sort((a, b) => a - b);
  const key = relevant.join(',');
  ig = rules.bySet.get(key);
  if (!ig) {
    ig = ignore().add(relevant.map((i) => rules.lines[i]));
    rules.bySet.set(key, ig);
  }
  rules.perDir.set(dir, ig);
  return ig;
}

export function isIndexedPath(p: string): boolean {
  return INDEXED.test(p);
}

/**
 * Synchronous file-system calls in short slices: thousands of directories make
 * tens of thousands of tiny calls, and round trips through libuv's thread pool
 * cost more than the calls. Yielding every few milliseconds keeps the event
 * loop answering requests meanwhile.
 */
export async function discoverFiles(root: string, options: DiscoverOptions): Promise<DiscoverResult> {
  const files: DiscoveredFile[] = [];
  const skipped: SkippedFile[] = [];
  const rootRules: Rules[] = [];
  if (options.exclude && options.exclude.length > 0) rootRules.push(makeRules('', options.exclude));
  const key = JSON.stringify(options.exclude ?? []);
  const usable = usableRecord(root, key, options.previous);
  const previous = usable?.dirs;
  const record: WalkRecord = { version: WALK_RECORD_VERSION, key, takenAt: Date.now(), ignores: [], dirs: [] };
  let changed = !previous;
  // Rules are read only where a directory is read: a walk that reuses every directory never parses AROS's 3,000-line .gitignore.
  const stack: Array<{ rel: string; rules: () => Rules[]; trusted: boolean }> = [{ rel: '', rules: () => rootRules, trusted: true }];
  let sliceStart = Date.now();
  let told = 0;
  while (stack.length > 0) {
    if (Date.now() - sliceStart > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = Date.now();
    }
    options.signal?.throwIfAborted();
    const { rel, rules, trusted } = stack.pop() as { rel: string; rules: () => Rules[]; trusted: boolean };
    const abs = path.join(root, rel);
    const before = trusted ? previous?.get(rel) : undefined;
    let mtimeMs = -1;
    try {
      mtimeMs = statSync(abs).mtimeMs;
    } catch {
      // Reported by the listing below.
    }
    let hasIgnore: boolean;
    let subdirNames: string[];
    let fileNames: string[];
    let active: () => Rules[];
    let childrenTrusted = trusted;
    if (before && mtimeMs === before.mtimeMs && mtimeMs < before.takenAt - RACY_MS) {
      ({ hasIgnore, subdirs: subdirNames, files: fileNames } = before);
      active = hasIgnore ? once(() => withRules(rules(), readIgnoreFile(abs, rel))) : rules;
    } else {
      changed = true;
      let entries: Dirent[];
      try {
        entries = readdirSync(abs, { withFileTypes: true });
      } catch (err) {
        skipped.push({ path: rel || '.', reason: `unreadable directory: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
        continue;
      }
      // Only where the listing shows one: a failed open per directory (2,300 on AROS) costs an exception each.
      hasIgnore = entries.some((e) => e.name === '.gitignore');
      const here = withRules(rules(), hasIgnore ? readIgnoreFile(abs, rel) : undefined);
      active = () => here;
      // A new or removed ignore file changes what is listed below: nothing there is trusted.
      if (before && before.hasIgnore !== hasIgnore) childrenTrusted = false;
      subdirNames = [];
      fileNames = [];
      for (const entry of entries) {
        const childRel = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (!ALWAYS_SKIPPED.has(entry.name) && !ignored(here, childRel, true)) subdirNames.push(entry.name);
        } else if (entry.isFile() && INDEXED.test(entry.name) && !ignored(here, childRel, false)) fileNames.push(entry.name);
      }
    }
    if (hasIgnore) {
      const ignoreRel = rel ? `${rel}/.gitignore` : '.gitignore';
      // Stat'ed once a walk: the check of the previous record did, for those it held.
      const known = usable?.ignores.get(ignoreRel);
      try {
        const st = known ?? statSync(path.join(abs, '.gitignore'));
        record.ignores.push([ignoreRel, st.mtimeMs, st.size]);
      } catch {
        // Gone since: the next walk reads this directory again (its mtime moved).
      }
    }
    record.dirs.push([rel, mtimeMs, hasIgnore, subdirNames, fileNames]);
    for (const name of fileNames) {
      const childRel = rel ? `${rel}/${name}` : name;
      try {
        const st = statSync(path.join(root, childRel));
        if (st.size > options.maxFileBytes) skipped.push({ path: childRel, reason: `too large: ${st.size} bytes (limit ${options.maxFileBytes})` });
        else files.push({ path: childRel, size: st.size, mtimeMs: st.mtimeMs });
      } catch (err) {
        // A listed file gone since (or unreadable): listed again next time.
        changed = true;
        skipped.push({ path: childRel, reason: `unreadable: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      }
    }
    for (let i = subdirNames.length - 1; i >= 0; i--) stack.push({ rel: rel ? `${rel}/${subdirNames[i]}` : subdirNames[i], rules: active, trusted: childrenTrusted });
    if (options.onFiles && files.length - told >= FILE_CHUNK) {
      options.onFiles(files.slice(told));
      told = files.length;
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped, record, changed };
}

function withRules(rules: Rules[], here: Rules | undefined): Rules[] {
  return here ? [...rules, here] : rules;
}

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

interface DirBefore {
  mtimeMs: number;
  takenAt: number;
  hasIgnore: boolean;
  subdirs: string[];
  files: string[];
}

/**
 * The earlier walk's directories, when it applied the same excludes and no
 * ignore file it read has changed since; with those files as just stat'ed.
 */
function usableRecord(
  root: string,
  key: string,
  previous: WalkRecord | undefined,
): { dirs: Map<string, DirBefore>; ignores: Map<string, { mtimeMs: number; size: number }> } | undefined {
  if (!previous || previous.version !== WALK_RECORD_VERSION || previous.key !== key) return undefined;
  const ignores = new Map<string, { mtimeMs: number; size: number }>();
  for (const [rel, mtimeMs, size] of previous.ignores) {
    try {
      const st = statSync(path.join(root, rel));
      if (st.mtimeMs !== mtimeMs || st.size !== size) return undefined;
      ignores.set(rel, { mtimeMs, size });
    } catch {
      return undefined;
    }
  }
  const dirs = new Map<string, DirBefore>();
  for (const [rel, mtimeMs, hasIgnore, subdirs, files] of previous.dirs) dirs.set(rel, { mtimeMs, takenAt: previous.takenAt, hasIgnore, subdirs, files });
  return { dirs, ignores };
}

/** The record a walk left in `file`, or undefined when there is none or it does not read as one. */
export function readWalkRecord(file: string): WalkRecord | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const value = JSON.parse(readFileSync(fd, 'utf8')) as WalkRecord;
    const ok = value && value.version === WALK_RECORD_VERSION && typeof value.key === 'string' && typeof value.takenAt === 'number' && Array.isArray(value.ignores) && Array.isArray(value.dirs);
    if (!ok || !value.dirs.every((d) => Array.isArray(d) && d.length === 5 && typeof d[0] === 'string' && typeof d[1] === 'number' && Array.isArray(d[3]) && Array.isArray(d[4]))) return undefined;
    return value;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Written to a temporary file and renamed: a reader never sees half of it. Failures only cost the next walk its shortcut. */
export function writeWalkRecord(file: string, record: WalkRecord): void {
  const temp = `${file}.${process.pid}.${Math.random().toString(16).slice(2, 10)}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temp, JSON.stringify(record));
    renameSync(temp, file);
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // Never written.
    }
  }
}

/**
 * Whether discovery would leave this workspace-relative file out: the
 * configured excludes and every `.gitignore` from the root down to its
 * directory, applied to each directory on the way and to the file itself.
 * File-watcher events go through this, so a file created under `build/`
 * does not enter the index behind discovery's back.
 */
export function isExcluded(root: string, rel: string, exclude: readonly string[] = []): boolean {
  const parts = rel.split('/');
  if (parts.some((p) => ALWAYS_SKIPPED.has(p))) return true;
  const rules: Rules[] = exclude.length ? [makeRules('', exclude)] : [];
  let dir = '';
  for (let i = 0; i < parts.length; i++) {
    const here = readIgnoreFile(path.join(root, dir), dir);
    if (here) rules.push(here);
    const child = dir ? `${dir}/${parts[i]}` : parts[i];
    if (ignored(rules, child, i < parts.length - 1)) return true;
    dir = child;
  }
  return false;
}

function readIgnoreFile(absDir: string, rel: string): Rules | undefined {
  try {
    return makeRules(rel, readFileSync(path.join(absDir, '.gitignore'), 'utf8'));
  } catch {
    return undefined;
  }
}

function ignored(rules: readonly Rules[], rel: string, isDir: boolean): boolean {
  for (const r of rules) {
    const local = r.base ? rel.slice(r.base.length + 1) : rel;
    if (!local) continue;
    const slash = local.lastIndexOf('/');
    const ig = matcherFor(r, slash < 0 ? '' : local.slice(0, slash));
    if (ig.ignores(isDir ? `${local}/` : local)) return true;
  }
  return false;
}

/**
 * The same listing on a worker thread, so that it overlaps with loading the
 * cache on the calling thread. Falls back to the calling thread when the
 * worker script is not there (running from TypeScript sources).
 */
export function discoverFilesInWorker(root: string, options: DiscoverOptions & { recordFile?: string }): Promise<DiscoverResult> {
  const script = builtScript('discoverWorker.js');
  if (!script) return discoverFiles(root, options);
  const { signal, onFiles, ...plain } = options;
  // An 'abort' listener added after the fact never fires.
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<DiscoverResult>((resolve, reject) => {
    const worker = new Worker(script, { workerData: { root, options: plain, stream: onFiles !== undefined } });
    const onAbort = (): void => {
      void worker.terminate();
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const onMessage = (msg: { chunk?: PackedListing; listing?: PackedListing; error?: string }): void => {
      // A chunk is FILE_CHUNK files: unpacked in one go.
      if (msg.chunk) {
        if (!signal?.aborted) onFiles?.(unpackFiles(msg.chunk));
        return;
      }
      worker.off('message', onMessage);
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (msg.listing) unpackListing(msg.listing).then(resolve, reject);
      else reject(new Error(msg.error ?? 'file discovery failed'));
    };
    worker.on('message', onMessage);
    worker.once('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

/** Files handled between two turns of the event loop, where a listing is walked on the server's thread. */
export const STEP_FILES = 1000;

/**
 * A listing as it crosses from the discovery worker: the paths in one string
 * and the numbers in one transferable buffer. Posted as 14,500 objects, the
 * AROS listing took the receiving thread 20-30 ms to deserialize in one go,
 * a stall for every request waiting behind it; one string is a copy.
 */
export interface PackedListing {
  /** The paths, each followed by NUL (no path contains one). */
  paths: string;
  /** size and mtimeMs of each file, in turn. */
  numbers: Float64Array<ArrayBuffer>;
  skipped: SkippedFile[];
}

export function packListing(result: DiscoverResult): PackedListing {
  const numbers = new Float64Array(result.files.length * 2);
  let paths = '';
  result.files.forEach((f, i) => {
    paths += `${f.path}\0`;
    numbers[2 * i] = f.size;
    numbers[2 * i + 1] = f.mtimeMs;
  });
  return { paths, numbers, skipped: result.skipped };
}

/** Files [from, to) of a packed listing, `at` being the offset of file `from`'s path; returns the offset after. */
function unpackRange(listing: PackedListing, files: DiscoveredFile[], from: number, to: number, at: number): number {
  for (let i = from; i < to; i++) {
    const end = listing.paths.indexOf('\0', at);
    files.push({ path: listing.paths.slice(at, end), size: listing.numbers[2 * i], mtimeMs: listing.numbers[2 * i + 1] });
    at = end + 1;
  }
  return at;
}

function unpackFiles(listing: PackedListing): DiscoveredFile[] {
  const files: DiscoveredFile[] = [];
  unpackRange(listing, files, 0, listing.numbers.length / 2, 0);
  return files;
}

/** In steps of STEP_FILES, for the same reason the listing is packed. */
export async function unpackListing(listing: PackedListing): Promise<DiscoverResult> {
  const files: DiscoveredFile[] = [];
  const count = listing.numbers.length / 2;
  let at = 0;
  for (let from = 0; from < count; from += STEP_FILES) {
    if (from > 0) await new Promise((resolve) => setImmediate(resolve));
    at = unpackRange(listing, files, from, Math.min(count, from + STEP_FILES), at);
  }
  return { files, skipped: listing.skipped };
}
