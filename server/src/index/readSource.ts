// Reading a source file for the index: binary files are refused, invalid UTF-8
// is read as Latin-1 (old Amiga sources are full of it) instead of failing.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

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
 * than reading the (page-cached) file.
 */
export function readSource(absPath: string, maxBytes: number): ReadOutcome {
  let bytes: Buffer;
  try {
    bytes = readFileSync(absPath);
  } catch (err) {
    return { ok: false, reason: `unreadable: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  if (bytes.length > maxBytes) return { ok: false, reason: `too large: ${bytes.length} bytes (limit ${maxBytes})` };
  const decoded = decodeSource(bytes);
  if ('binary' in decoded) return { ok: false, reason: 'binary: contains NUL bytes' };
  return { ok: true, text: decoded.text, encoding: decoded.encoding, hash: hashBytes(bytes), size: bytes.length };
}
