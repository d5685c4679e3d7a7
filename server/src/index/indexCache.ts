// The persisted index: every file's analysis keyed by path and content hash,
// in one V8-serialized file with a checksum. Written to a temporary file and
// renamed, so a crash mid-write leaves the previous cache intact; a file that
// fails its checksum is reported and ignored (the index is rebuilt).

import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { FileEntry } from './fileIndex';

/** Bump when FileEntry or the analysis changes meaning: old caches are then ignored. */
export const CACHE_VERSION = 1;
const MAGIC = 'AROSLSP-INDEX';
const FILE_NAME = 'index.bin';

export interface LoadedCache {
  entries: FileEntry[];
}

export type CacheLoad = { ok: true; cache: LoadedCache } | { ok: false; reason: string; missing: boolean };

export function defaultCacheDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  const id = createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 12);
  return path.join(base, 'aros-lsp', `${path.basename(path.resolve(root)) || 'root'}-${id}`);
}

export async function loadIndexCache(cacheDir: string): Promise<CacheLoad> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(cacheDir, FILE_NAME));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT', reason: code === 'ENOENT' ? 'no cache yet' : `cache unreadable: ${code}` };
  }
  const header = bytes.subarray(0, 64).toString('latin1');
  const nl = header.indexOf('\n');
  const [magic, version, digest] = (nl > 0 ? header.slice(0, nl) : '').split(' ');
  if (magic !== MAGIC) return { ok: false, missing: false, reason: 'cache file is corrupt (bad header); rebuilding' };
  if (Number(version) !== CACHE_VERSION) return { ok: false, missing: false, reason: `cache version ${version} is outdated; rebuilding` };
  const payload = bytes.subarray(nl + 1);
  if (createHash('sha1').update(payload).digest('hex') !== digest) {
    return { ok: false, missing: false, reason: 'cache file is corrupt (checksum mismatch); rebuilding' };
  }
  try {
    const data = deserialize(payload) as { entries: FileEntry[] };
    if (!Array.isArray(data.entries)) throw new Error('no entries');
    return { ok: true, cache: { entries: data.entries } };
  } catch (err) {
    return { ok: false, missing: false, reason: `cache file is corrupt (${(err as Error).message}); rebuilding` };
  }
}

export async function saveIndexCache(cacheDir: string, entries: FileEntry[]): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const payload = serialize({ entries });
  const digest = createHash('sha1').update(payload).digest('hex');
  const target = path.join(cacheDir, FILE_NAME);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temp, Buffer.concat([Buffer.from(`${MAGIC} ${CACHE_VERSION} ${digest}\n`, 'latin1'), payload]));
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
