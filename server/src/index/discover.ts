// Lists the files the index covers: C sources, headers and AROS `.conf`
// function lists, honouring every `.gitignore` on the way down and the
// configured excludes. Symlinks are not followed: they can loop, and they can
// lead out of the workspace.

import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
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
}

export interface DiscoverResult {
  files: DiscoveredFile[];
  skipped: SkippedFile[];
}

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
  const stack: Array<{ rel: string; rules: Rules[] }> = [{ rel: '', rules: rootRules }];
  let sliceStart = Date.now();
  while (stack.length > 0) {
    if (Date.now() - sliceStart > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = Date.now();
    }
    options.signal?.throwIfAborted();
    const { rel, rules } = stack.pop() as { rel: string; rules: Rules[] };
    const abs = path.join(root, rel);
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: rel || '.', reason: `unreadable directory: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    // Only where the listing shows one: a failed open per directory (2,300 on AROS) costs an exception each.
    const here = entries.some((e) => e.name === '.gitignore') ? readIgnoreFile(abs, rel) : undefined;
    const active = here ? [...rules, here] : rules;
    const subdirs: string[] = [];
    for (const entry of entries) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!ALWAYS_SKIPPED.has(entry.name) && !ignored(active, childRel, true)) subdirs.push(childRel);
        continue;
      }
      if (!entry.isFile() || !INDEXED.test(entry.name) || ignored(active, childRel, false)) continue;
      try {
        const st = statSync(path.join(root, childRel));
        if (st.size > options.maxFileBytes) skipped.push({ path: childRel, reason: `too large: ${st.size} bytes (limit ${options.maxFileBytes})` });
        else files.push({ path: childRel, size: st.size, mtimeMs: st.mtimeMs });
      } catch (err) {
        skipped.push({ path: childRel, reason: `unreadable: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push({ rel: subdirs[i], rules: active });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
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
export function discoverFilesInWorker(root: string, options: DiscoverOptions): Promise<DiscoverResult> {
  const script = builtScript('discoverWorker.js');
  if (!script) return discoverFiles(root, options);
  const { signal, ...plain } = options;
  // An 'abort' listener added after the fact never fires.
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<DiscoverResult>((resolve, reject) => {
    const worker = new Worker(script, { workerData: { root, options: plain } });
    const onAbort = (): void => {
      void worker.terminate();
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (msg: { listing?: PackedListing; error?: string }) => {
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (msg.listing) unpackListing(msg.listing).then(resolve, reject);
      else reject(new Error(msg.error ?? 'file discovery failed'));
    });
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

/** In steps of STEP_FILES, for the same reason the listing is packed. */
export async function unpackListing(listing: PackedListing): Promise<DiscoverResult> {
  const files: DiscoveredFile[] = [];
  let from = 0;
  for (let i = 0; from < listing.paths.length; i++) {
    if (i % STEP_FILES === STEP_FILES - 1) await new Promise((resolve) => setImmediate(resolve));
    const end = listing.paths.indexOf('\0', from);
    files.push({ path: listing.paths.slice(from, end), size: listing.numbers[2 * i], mtimeMs: listing.numbers[2 * i + 1] });
    from = end + 1;
  }
  return { files, skipped: listing.skipped };
}
