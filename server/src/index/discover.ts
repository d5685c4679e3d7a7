// Lists the files the index covers: C sources, headers and AROS `.conf`
// function lists, honouring every `.gitignore` on the way down and the
// configured excludes. Symlinks are not followed: they can loop, and they can
// lead out of the workspace.

import { opendir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
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
const ALWAYS_SKIPPED = new Set(['.git', '.hg', '.svn', 'node_modules']);

interface Rules {
  base: string;
  ig: Ignore;
}

export function isIndexedPath(p: string): boolean {
  return INDEXED.test(p);
}

export async function discoverFiles(root: string, options: DiscoverOptions): Promise<DiscoverResult> {
  const files: DiscoveredFile[] = [];
  const skipped: SkippedFile[] = [];
  const rootRules: Rules[] = [];
  if (options.exclude && options.exclude.length > 0) rootRules.push({ base: '', ig: ignore().add([...options.exclude]) });

  const walk = async (rel: string, rules: Rules[]): Promise<void> => {
    options.signal?.throwIfAborted();
    const abs = path.join(root, rel);
    const here = await readIgnoreFile(abs, rel);
    const active = here ? [...rules, here] : rules;
    let dir;
    try {
      dir = await opendir(abs);
    } catch (err) {
      skipped.push({ path: rel || '.', reason: `unreadable directory: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      return;
    }
    const subdirs: string[] = [];
    const candidates: string[] = [];
    try {
      for await (const entry of dir) {
        const childRel = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (ALWAYS_SKIPPED.has(entry.name) || ignored(active, childRel, true)) continue;
          subdirs.push(childRel);
        } else if (entry.isFile() && INDEXED.test(entry.name)) {
          if (!ignored(active, childRel, false)) candidates.push(childRel);
        }
      }
    } catch (err) {
      skipped.push({ path: rel || '.', reason: `unreadable directory: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    }
    await Promise.all(
      candidates.map(async (childRel) => {
        try {
          const st = await stat(path.join(root, childRel));
          if (st.size > options.maxFileBytes) {
            skipped.push({ path: childRel, reason: `too large: ${st.size} bytes (limit ${options.maxFileBytes})` });
            return;
          }
          files.push({ path: childRel, size: st.size, mtimeMs: st.mtimeMs });
        } catch (err) {
          skipped.push({ path: childRel, reason: `unreadable: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
        }
      }),
    );
    for (const sub of subdirs) await walk(sub, active);
  };

  await walk('', rootRules);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

async function readIgnoreFile(absDir: string, rel: string): Promise<Rules | undefined> {
  try {
    const text = await readFile(path.join(absDir, '.gitignore'), 'utf8');
    return { base: rel, ig: ignore().add(text) };
  } catch {
    return undefined;
  }
}

function ignored(rules: readonly Rules[], rel: string, isDir: boolean): boolean {
  for (const r of rules) {
    const local = r.base ? rel.slice(r.base.length + 1) : rel;
    if (!local) continue;
    if (r.ig.ignores(isDir ? `${local}/` : local)) return true;
  }
  return false;
}
