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
