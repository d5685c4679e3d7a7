// A changed file is compiled as a copy under the cache directory, so the
// user's tree is never written; include flags make `#include "x.h"` next to
// the original still resolve to the real tree.

import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export interface ScratchCopy {
  /** Absolute path of the copy: `<cacheDir>/scratch/<unique>/<basename>`. */
  path: string;
  /** Absolute path of the file it stands for: `<workspace>/<relFile>`. */
  originalPath: string;
  /**
   * `-iquote <dir> -I <dir>` for the original's directory. Append them after the
   * command's own flags: quote includes then find the original's neighbours
   * first (as they would from the original's place), and the `-I` only
   * answers angle includes nothing else answers.
   */
  includeArgs: string[];
  /** Removes the copy's directory; safe to call twice. */
  cleanup(): Promise<void>;
}

const SCRATCH_DIR = 'scratch';

/** Writes `text` as a scratch copy of `workspace/relFile`. Rejects paths that could leave the workspace. */
export async function writeScratchCopy(cacheDir: string, workspace: string, relFile: string, text: string): Promise<ScratchCopy> {
  const rel = checkRelFile(relFile);
  const originalPath = path.resolve(workspace, rel);
  const root = await scratchRoot(cacheDir);
  const dir = await mkdtemp(path.join(root, 'c-'));
  const target = path.join(dir, path.basename(rel));
  assertInside(root, target);
  try {
    await writeAtomic(target, text);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const origDir = path.dirname(originalPath);
  return {
    path: target,
    originalPath,
    includeArgs: ['-iquote', origDir, '-I', origDir],
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Removes scratch directories older than `olderThanMs` (left by a crash).
 * Returns how many were removed; a missing scratch directory counts as none.
 */
export async function removeStaleScratch(cacheDir: string, olderThanMs: number, now: number = Date.now()): Promise<number> {
  const root = path.join(path.resolve(cacheDir), SCRATCH_DIR);
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const dir = path.join(root, name);
    const info = await stat(dir).catch(() => undefined);
    if (!info || now - info.mtimeMs < olderThanMs) continue;
    await rm(dir, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

function checkRelFile(relFile: string): string {
  if (relFile.length === 0 || relFile.includes('\0')) throw new Error(`the file path '${relFile}' is not a valid relative path`);
  if (path.isAbsolute(relFile)) throw new Error(`the file path '${relFile}' must be relative to the workspace`);
  const segments = relFile.split(/[\\/]/);
  if (segments.includes('..')) throw new Error(`the file path '${relFile}' must not contain '..'`);
  const base = path.basename(relFile);
  if (base === '' || base === '.' || /[\\/]$/.test(relFile)) throw new Error(`the file path '${relFile}' does not name a file`);
  return path.normalize(relFile);
}

/** `<cacheDir>/scratch`, created; refused when it is a symbolic link (it could point anywhere). */
async function scratchRoot(cacheDir: string): Promise<string> {
  const root = path.join(path.resolve(cacheDir), SCRATCH_DIR);
  await mkdir(root, { recursive: true });
  const info = await lstat(root);
  if (!info.isDirectory()) throw new Error(`the scratch directory '${root}' is not a plain directory`);
  return root;
}

function assertInside(root: string, target: string): void {
  const rel = path.relative(root, target);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`the scratch file '${target}' would be outside '${root}'`);
}

/** Temp file in the same directory, then rename: a reader sees no file or the whole file. */
async function writeAtomic(target: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { encoding: 'utf8', flag: 'wx' });
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
