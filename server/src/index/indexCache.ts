// The persisted index: every file's packed entry (with its content hash), in
// one file of V8-serialized chunks under a checksum. Chunks keep each
// (de)serialization step short so the server's event loop keeps answering.
// Written to a temporary file and renamed, so a crash mid-write leaves the
// previous cache intact; a file that fails its checksum is reported and
// ignored (the index is rebuilt).

import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import * as os from 'node:os';
import * as path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { PackedFile } from './packedFile';

/** Bump when FileEntry or the analysis changes meaning: old caches are then ignored. */
export const CACHE_VERSION = 6;
/** Files per (de)serialized chunk: one chunk is one step of the event loop (400 took 20-30 ms to serialize at the end of an index). */
const CHUNK_FILES = 100;
const MAGIC = 'AROSLSP-INDEX';
const FILE_NAME = 'index.bin';

export interface LoadedCache {
  entries: PackedFile[];
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
    bytes = await readWhole(path.join(cacheDir, FILE_NAME));
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
  if (checksum(payload) !== digest) {
    return { ok: false, missing: false, reason: 'cache file is corrupt (checksum mismatch); rebuilding' };
  }
  try {
    const entries: PackedFile[] = [];
    let at = 0;
    while (at < payload.length) {
      const length = payload.readUInt32LE(at);
      const chunk = deserialize(payload.subarray(at + 4, at + 4 + length)) as StoredRecord[];
      if (!Array.isArray(chunk)) throw new Error('chunk is not a list');
      for (const record of chunk) entries.push(fromRecord(record));
      at += 4 + length;
      await yieldToEventLoop();
    }
    return { ok: true, cache: { entries } };
  } catch (err) {
    return { ok: false, missing: false, reason: `cache file is corrupt (${(err as Error).message}); rebuilding` };
  }
}

/** Streams chunks to a temporary file (never the whole payload in memory), then renames it into place. */
export async function saveIndexCache(cacheDir: string, entries: readonly PackedFile[]): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  await removeOrphanedTemps(cacheDir);
  const target = path.join(cacheDir, FILE_NAME);
  // One temporary file per save: two saves that overlap (a scheduled save during a re-index) must not write into the same file.
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let crc = 0;
  const handle = await open(temp, 'w');
  try {
    // The header's checksum is known only at the end: reserve its fixed width now.
    const headerLength = Buffer.byteLength(header('0'.repeat(8)), 'latin1');
    let position = headerLength;
    for (let i = 0; i < entries.length; i += CHUNK_FILES) {
      const bytes = serialize(entries.slice(i, i + CHUNK_FILES).map(toRecord));
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      crc = crc32(bytes, crc32(length, crc));
      await writeAll(handle, length, position);
      await writeAll(handle, bytes, position + 4);
      position += 4 + bytes.length;
      await yieldToEventLoop();
    }
    await writeAll(handle, Buffer.from(header(hex8(crc)), 'latin1'), 0);
    await handle.close();
    await rename(temp, target);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * A positioned write of every byte. A full disk first answers with a short
 * write, not an error: ignoring the count would save a torn cache and say
 * "saved". The retry of the rest then fails with ENOSPC.
 */
async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}

/** CRC-32 (zlib's, native): it catches truncation and torn writes at memory speed; this is not a security boundary. */
function checksum(payload: Buffer): string {
  return hex8(crc32(payload));
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

function header(digest: string): string {
  return `${MAGIC} ${CACHE_VERSION} ${digest}\n`;
}

/**
 * A packed entry as stored: names as one NUL-joined string and includes as JSON
 * bytes. V8 deserializes 380,000 little strings and 77,000 little objects far
 * more slowly than a split and a JSON.parse per file (0.5 s against 0.2 s on
 * the full tree), and the warm start is mostly this.
 */
interface StoredRecord extends Omit<PackedFile, 'names' | 'includes'> {
  names: string;
  includes: Uint8Array;
}

function toRecord(p: PackedFile): StoredRecord {
  const { names, includes, ...rest } = p;
  return { ...rest, names: names.join('\0'), includes: Buffer.from(JSON.stringify(includes), 'utf8') };
}

function fromRecord(r: StoredRecord): PackedFile {
  if (typeof r.names !== 'string' || !(r.includes instanceof Uint8Array)) throw new Error('entry is not a cache record');
  const { names, includes, ...rest } = r;
  return {
    ...rest,
    names: names === '' ? [] : names.split('\0'),
    includes: JSON.parse(Buffer.from(includes.buffer, includes.byteOffset, includes.byteLength).toString('utf8')) as PackedFile['includes'],
  };
}

/** Temporary files left by a process killed mid-save (its pid is in the name) would pile up. */
async function removeOrphanedTemps(cacheDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(cacheDir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = new RegExp(`^${FILE_NAME.replace('.', '\\.')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`).exec(name);
    if (m && !processAlive(Number(m[1]))) await unlink(path.join(cacheDir, name)).catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One read of the whole file: readFile's 512 KB steps cost a thread-pool round trip each (160 for the AROS cache). */
async function readWhole(file: string): Promise<Buffer> {
  // O_NOFOLLOW: an index.bin planted as a symlink (a cache inside the workspace) is unreadable, then replaced by the save.
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(buffer, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === size ? buffer : buffer.subarray(0, at);
  } finally {
    await handle.close();
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
