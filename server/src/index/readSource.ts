// Reading a source file for the index: binary files are refused, invalid UTF-8
// is read as Latin-1 (old Amiga sources are full of it) instead of failing.

import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export type ReadOutcome =
  | { ok: true; text: string; hash: string; encoding: 'utf8' | 'latin1'; size: number }
  | { ok: false; reason: string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/**
 * `hashBytes` of the text's UTF-8 bytes, encoded a piece at a time: a whole
 * copy of a large open document is fresh memory, and first-touch page faults
 * made it cost more than the hash itself on every keystroke.
 */
export function hashText(text: string): string {
  const hash = createHash('sha1');
  const PIECE = 16384;
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + PIECE);
    // Never part a surrogate pair: each half alone would encode as U+FFFD.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    hash.update(text.slice(at, end), 'utf8');
    at = end;
  }
  return hash.digest('hex');
}

export function decodeSource(bytes: Uint8Array): { text: string; encoding: 'utf8' | 'latin1' } | { binary: true } {
  const probe = bytes.subarray(0, 8192);
  if (probe.indexOf(0) >= 0) return { binary: true };
  try {
    return { text: strictUtf8.decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), encoding: 'latin1' };
  }
}

/**
 * Synchronous on purpose: it runs in parse workers, where blocking costs nothing,
 * while the promise API spends more time queueing on libuv's small thread pool
 * than reading the (page-cached) file. Into one buffer reused for every file
 * of the thread: a fresh buffer per file was a quarter second per worker on
 * the AROS tree, most of it first-touch page faults. Nothing returned keeps it.
 */
export function readSource(absPath: string, maxBytes: number, listedSize?: number): ReadOutcome {
  let bytes: Buffer;
  try {
    bytes = readInto(absPath, maxBytes, listedSize);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { tooLarge?: number };
    if (e.tooLarge !== undefined) return { ok: false, reason: `too large: ${e.tooLarge} bytes (limit ${maxBytes})` };
    return { ok: false, reason: `unreadable: ${e.code ?? String(err)}` };
  }
  const decoded = decodeSource(bytes);
  if ('binary' in decoded) return { ok: false, reason: 'binary: contains NUL bytes' };
  return { ok: true, text: decoded.text, encoding: decoded.encoding, hash: hashBytes(bytes), size: bytes.length };
}

let scratch = Buffer.allocUnsafeSlow(1 << 20);

/**
 * The file's bytes, in `scratch` (valid until the next call). `listedSize`:
 * the size a listing that saw a regular file found. Then neither a stat nor
 * a last read that returns nothing is needed: a read shorter than asked for
 * is the end of a regular file: three system calls per file instead of five
 * (reading and hashing every AROS file on one thread, 479-596 → 394-416 ms).
 */
function readInto(absPath: string, maxBytes: number, listedSize?: number): Buffer {
  // Non-blocking: opening a FIFO (a watcher event can name anything) must not hang the thread.
  const fd = openSync(absPath, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    let size = listedSize;
    if (size === undefined) {
      const st = fstatSync(fd);
      if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: st.isDirectory() ? 'EISDIR' : 'not a regular file' });
      size = st.size;
    }
    if (size > maxBytes) throw Object.assign(new Error('too large'), { tooLarge: size });
    // One byte more than the size: a file that grew since the stat is read whole, up to the limit.
    if (scratch.length < size + 1) scratch = Buffer.allocUnsafeSlow(Math.max(size + 1, 2 * scratch.length));
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        if (length > maxBytes) throw Object.assign(new Error('too large'), { tooLarge: length });
        const bigger = Buffer.allocUnsafeSlow(2 * scratch.length);
        scratch.copy(bigger, 0, 0, length);
        scratch = bigger;
      }
      const asked = scratch.length - length;
      const n = readSync(fd, scratch, length, asked, null);
      length += n;
      if (n === 0 || (listedSize !== undefined && n < asked)) break;
    }
    if (length > maxBytes) throw Object.assign(new Error('too large'), { tooLarge: length });
    return scratch.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
