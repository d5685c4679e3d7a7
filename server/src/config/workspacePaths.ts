// Trust boundaries for paths (ARCHITECTURE.md, "Trust boundaries"). Paths
// from requests and from files in the workspace may make the server read,
// write or run something only inside the workspace (or its own cache): `..`,
// absolute paths and symbolic links that lead out are refused. Checks compare
// real paths: the nearest existing ancestor is resolved with realpath, so a
// symlinked directory pointing at `/` is caught even for a file that does not
// exist yet. Each refusal is a phrase that reads after the path ("… is
// outside the workspace"); callers turn it into a JSON-RPC error, a message or
// a settings problem.

import { lstat, mkdir } from 'node:fs/promises';
import { existsSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

/** Lexical containment: `..` alone or followed by a separator leaves the root; `..cache` is a name inside it. */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(candidate));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * The real path of `p` (made absolute): its nearest existing ancestor with
 * every symlink resolved, the rest appended. Undefined when it cannot be
 * resolved for another reason than a missing component (a symlink loop, no
 * permission): such a path is treated as leading nowhere safe.
 */
export function realPathOf(p: string): string | undefined {
  let current = path.resolve(p);
  const missing: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync.native(current), ...missing);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined;
      const parent = path.dirname(current);
      if (parent === current) return path.join(current, ...missing);
      missing.unshift(path.basename(current));
      current = parent;
    }
  }
}

/** Real paths of roots, resolved once: a root is the user's choice, and references check thousands of files against one. */
const realRoots = new Map<string, string>();

function realRootOf(root: string): string {
  const key = path.resolve(root);
  const cached = realRoots.get(key);
  if (cached !== undefined) return cached;
  const real = realPathOf(key) ?? key;
  // Only a root that exists is final (one created later resolves again).
  if (existsSync(key)) {
    if (realRoots.size >= 64) realRoots.clear();
    realRoots.set(key, real);
  }
  return real;
}

/** Whether `candidate` really lies under `root` once symlinks on both sides are resolved. */
export function realInside(root: string, candidate: string): boolean {
  const realRoot = realRootOf(root);
  const real = realPathOf(candidate);
  return real !== undefined && isInside(realRoot, real);
}

/**
 * Why an absolute path may not be read, written or compiled as part of the
 * workspace `root`; undefined when it may.
 */
export function outsideProblem(root: string, absPath: string): string | undefined {
  if (!isInside(root, absPath)) return 'is outside the workspace';
  if (!realInside(root, absPath)) return 'leads out of the workspace through a symbolic link';
  return undefined;
}

/**
 * Why a workspace-relative path from a request or a setting may not be used;
 * undefined when it may. Absolute paths (POSIX, drive letters, UNC) and `..`
 * segments are refused before the file system is asked.
 */
export function relativePathProblem(root: string, rel: string): string | undefined {
  if (rel === '' || rel.includes('\0')) return 'is not a path';
  if (path.isAbsolute(rel) || /^[A-Za-z]:/.test(rel) || rel.startsWith('\\')) return 'is absolute, not relative to the workspace';
  if (rel.split(/[\\/]/).includes('..')) return "contains '..'";
  return outsideProblem(root, path.resolve(root, rel));
}

/**
 * `base/name` as a plain directory of the server's own (created when
 * missing): refused when it is a symbolic link or resolves outside `base`, so a
 * link planted in a cache directory inside the workspace cannot send our
 * writes elsewhere.
 */
export async function ownSubdirectory(base: string, name: string): Promise<string> {
  const dir = path.join(path.resolve(base), name);
  await mkdir(dir, { recursive: true });
  const info = await lstat(dir);
  if (!info.isDirectory() || !realInside(base, dir)) throw new Error(`${dir} is not a plain directory inside ${base}; refusing to write there`);
  return dir;
}
