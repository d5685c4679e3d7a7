// Model files. A role's model_path is a local GGUF file, an `hf:` reference or
// an http(s) URL; references are downloaded once into a cache directory and
// used from there. A download goes to `<file>.part`, resumes with HTTP Range,
// is hashed while it streams, and only an intact GGUF file gets its real name,
// so a half-written file is never mistaken for a model.

import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { isLocalPath } from './modelConfig';
import { ModelError } from './types';

export type ModelRef = { kind: 'local'; path: string } | { kind: 'remote'; url: string; fileName: string; sha256?: string };

/**
 * SHA-256 of files we know, keyed by the reference without a branch (the
 * digest holds for `main`). Only digests read from the publisher's page.
 */
export const KNOWN_CHECKSUMS: Readonly<Record<string, string>> = {
  // docs/models-research.md §3, from the file's page on Hugging Face.
  'hf:ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF/qwen2.5-coder-0.5b-q8_0.gguf': 'd0f8cd6c49bab52a0abdbe47948518b1f4d9b1a8a2a6825099cea31cea10ac56',
};

export interface PullOptions {
  /** Default: modelCacheDir(). */
  cacheDir?: string;
  /** Aborting leaves the `.part` file for a later resume. */
  signal?: AbortSignal;
  /** Bytes of the file on disk so far (a resumed part included), and the file's size when the server says. */
  onProgress?: (done: number, total: number | undefined) => void;
  fetchImpl?: typeof fetch;
  hfEndpoint?: string;
  /** Expected digest (hex); overrides KNOWN_CHECKSUMS. */
  sha256?: string;
}

export interface PullResult {
  path: string;
  bytes: number;
  /** True when an earlier `.part` was continued. */
  resumed: boolean;
  /** The digest of the downloaded file; for a skipped (already present) file the expected digest if known, else ''. */
  sha256: string;
  /** The file was already there; nothing was fetched. */
  skipped: boolean;
}

/** A parsed remote reference: where to get it and where it lives in the cache. */
interface RemoteParts {
  url: string;
  fileName: string;
  /** Path segments under the cache directory, already safe as file names. */
  cacheSegments: string[];
  checksumKey?: string;
}

const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';

/** `$AROS_LSP_MODEL_DIR`, else `$XDG_CACHE_HOME/aros-lsp/models`, else `~/.cache/aros-lsp/models`. */
export function modelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AROS_LSP_MODEL_DIR) return path.resolve(env.AROS_LSP_MODEL_DIR);
  // Same rule as the index cache: a relative XDG_CACHE_HOME is invalid per the spec.
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'aros-lsp', 'models');
}

export function resolveModelRef(ref: string, opts: { hfEndpoint?: string } = {}): ModelRef {
  if (isLocalPath(ref)) return { kind: 'local', path: ref };
  const parts = parseRemote(ref, opts.hfEndpoint);
  const sha256 = parts.checksumKey ? KNOWN_CHECKSUMS[parts.checksumKey] : undefined;
  return { kind: 'remote', url: parts.url, fileName: parts.fileName, ...(sha256 ? { sha256 } : {}) };
}

/** Where a downloaded reference lives: `<cacheDir>/hf/user/repo/file.gguf` or `<cacheDir>/<host>/<path>`. */
export function cachedModelPath(ref: string, cacheDir: string = modelCacheDir()): string {
  if (isLocalPath(ref)) throw new ModelError('config', `${ref} is a local path, not a reference to download`);
  const root = path.resolve(cacheDir);
  const file = path.join(root, ...parseRemote(ref).cacheSegments);
  // Belt and braces: the segments are sanitised, but the cache must never be left.
  const rel = path.relative(root, file);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) throw new ModelError('config', `${ref} would be stored outside the model cache ${root}`);
  return file;
}

/** The file to load: a local path as it is, a reference's downloaded copy, or a 'missing-file' error. */
export function localModelPath(ref: string, cacheDir?: string): string {
  if (isLocalPath(ref)) return ref;
  const cached = cachedModelPath(ref, cacheDir);
  if (existsSync(cached)) return cached;
  throw new ModelError('missing-file', `${ref} is not downloaded yet: run \`aros-lsp models pull ${ref}\` (or \`aros-lsp models pull ROLE\` for a configured role)`);
}

/** Downloads a reference into the cache (resuming a `.part`), verifies it, and names it; skips a file already there. */
export async function pullModel(ref: string, opts: PullOptions = {}): Promise<PullResult> {
  const resolved = resolveModelRef(ref, opts);
  if (resolved.kind === 'local') throw new ModelError('config', `${ref} is a local path, not a reference to download`);
  if (opts.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(opts.sha256)) {
    throw new ModelError('config', `the expected SHA-256 for ${ref} must be 64 hex digits, got '${opts.sha256}'`);
  }
  const expected = (opts.sha256 ?? resolved.sha256)?.toLowerCase();
  const target = cachedModelPath(ref, opts.cacheDir);
  if (existsSync(target)) return { path: target, bytes: (await stat(target)).size, resumed: false, sha256: expected ?? '', skipped: true };
  await mkdir(path.dirname(target), { recursive: true });
  const part = `${target}.part`;
  const got = await downloadPart(resolved.url, part, opts);
  await verifyPart(ref, part, got.sha256, expected);
  // Same directory, so the rename is atomic: readers see no file or the whole file.
  await rename(part, target);
  return { path: target, bytes: got.bytes, resumed: got.resumed, sha256: got.sha256, skipped: false };
}

// ---- references ----

function parseRemote(ref: string, hfEndpoint?: string): RemoteParts {
  return /^hf:/i.test(ref) ? parseHf(ref, hfEndpoint) : parseUrl(ref);
}

/** `hf:user/repo/path/file.gguf[#branch]`; the `:quant` tag form needs an API lookup and is not taken. */
function parseHf(ref: string, hfEndpoint?: string): RemoteParts {
  const body = ref.slice(3);
  const hash = body.indexOf('#');
  const branch = hash >= 0 ? body.slice(hash + 1) : 'main';
  const segments = (hash >= 0 ? body.slice(0, hash) : body).split('/');
  if (segments.length < 3 || segments.some((s) => s === '') || branch === '') {
    throw new ModelError('config', `${ref} is not a Hugging Face file reference: write hf:user/repo/path/file.gguf (optionally #branch)`);
  }
  checkSegments(ref, [...segments, ...branch.split('/')]);
  const [user, repo, ...file] = segments;
  const endpoint = (hfEndpoint ?? process.env.HF_ENDPOINT ?? DEFAULT_HF_ENDPOINT).replace(/\/+$/, '');
  const url = `${endpoint}/${[user, repo].map(encodeURIComponent).join('/')}/resolve/${encodeURIComponent(branch)}/${file.map(encodeURIComponent).join('/')}`;
  // Another branch may hold another file under the same name, so it gets its own directory.
  const repoDir = branch === 'main' ? repo : `${repo}@${branch}`;
  return {
    url,
    fileName: file[file.length - 1],
    cacheSegments: ['hf', user, repoDir, ...file].map(safeName),
    checksumKey: branch === 'main' ? `hf:${segments.join('/')}` : undefined,
  };
}

function parseUrl(ref: string): RemoteParts {
  // The URL parser resolves `..` silently, so look at the text as written first.
  const rawPath = ref.replace(/^[a-z]+:\/\/[^/]*/i, '').split(/[?#]/)[0];
  checkSegments(ref, rawPath.split('/').filter((s) => s !== '').map((s) => decodeSegment(ref, s)));
  let url: URL;
  try {
    url = new URL(ref);
  } catch {
    throw new ModelError('config', `${ref} is not a valid URL`);
  }
  const segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeSegment(ref, s));
  if (segments.length === 0) throw new ModelError('config', `${ref} names no file (the URL path is empty)`);
  checkSegments(ref, segments);
  return { url: url.href, fileName: segments[segments.length - 1], cacheSegments: [url.host, ...segments].map(safeName) };
}

function decodeSegment(ref: string, segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ModelError('config', `${ref} has a badly escaped path segment '${segment}'`);
  }
}

function checkSegments(ref: string, segments: readonly string[]): void {
  if (segments.some((s) => s === '..' || s === '.')) throw new ModelError('config', `${ref} has a '.' or '..' path segment, which is not allowed`);
}

/** One path segment as a portable file name (no separators, no `:` for Windows). */
function safeName(segment: string): string {
  return segment.replace(/[^A-Za-z0-9._@+-]/g, '_');
}

// ---- download ----

interface Downloaded {
  bytes: number;
  sha256: string;
  resumed: boolean;
}

async function downloadPart(url: string, part: string, opts: PullOptions): Promise<Downloaded> {
  const doFetch = opts.fetchImpl ?? fetch;
  // Hash what is already there before asking, so the connection does not sit idle while a large part is read.
  let prior = existsSync(part) ? await hashFile(part) : undefined;
  for (;;) {
    const offset = prior?.bytes ?? 0;
    const res = await request(doFetch, url, offset, part, opts.signal);
    if (res.status === 416 && prior) {
      const total = rangeTotal(res.headers.get('content-range'));
      await discard(res);
      if (total === undefined || total === offset) return { bytes: offset, sha256: prior.hash.digest('hex'), resumed: true };
      // The part is not the file's length (a changed file, or junk): start over.
      await unlink(part);
      prior = undefined;
      continue;
    }
    if (!res.ok) {
      await discard(res);
      throw new ModelError('remote-http', `downloading ${url} failed with HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    if (res.status === 206) {
      const start = rangeStart(res.headers.get('content-range'));
      if (!prior || start !== offset) {
        await discard(res);
        throw new ModelError('remote-http', `downloading ${url} failed: the server answered with another byte range than asked for (${res.headers.get('content-range') ?? 'none'})`);
      }
      return streamBody(res, url, part, prior, rangeTotal(res.headers.get('content-range')), opts);
    }
    // 200: the whole file, even if we asked for a range (the server ignored it).
    return streamBody(res, url, part, undefined, contentLength(res), opts);
  }
}

async function request(doFetch: typeof fetch, url: string, offset: number, part: string, signal?: AbortSignal): Promise<Response> {
  // identity: byte offsets must be the file's, not a compressed stream's.
  const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'aros-lsp' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  try {
    return await doFetch(url, { headers, signal, redirect: 'follow' });
  } catch (err) {
    throw downloadError(err, url, part, signal);
  }
}

async function streamBody(
  res: Response,
  url: string,
  part: string,
  prior: { hash: Hash; bytes: number } | undefined,
  total: number | undefined,
  opts: PullOptions,
): Promise<Downloaded> {
  if (!res.body) throw new ModelError('remote-http', `downloading ${url} failed: HTTP ${res.status} came without a body`);
  const hash = prior?.hash ?? createHash('sha256');
  let done = prior?.bytes ?? 0;
  opts.onProgress?.(done, total);
  const count = async function* (source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      hash.update(chunk);
      done += chunk.length;
      opts.onProgress?.(done, total);
      yield chunk;
    }
  };
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), count, createWriteStream(part, { flags: prior ? 'a' : 'w' }), {
      signal: opts.signal,
    });
  } catch (err) {
    throw downloadError(err, url, part, opts.signal);
  }
  if (total !== undefined && done !== total) {
    throw new ModelError('remote-connection', `downloading ${url} stopped at ${done} of ${total} bytes; run again to resume from ${part}`);
  }
  return { bytes: done, sha256: hash.digest('hex'), resumed: prior !== undefined };
}

/** Deletes a finished part that is not the model asked for; a good one is left in place. */
async function verifyPart(ref: string, part: string, sha256: string, expected: string | undefined): Promise<void> {
  // The magic first: an HTML error page is better named "not a GGUF file" than "wrong checksum".
  const magic = await readMagic(part);
  if (magic !== 'GGUF') {
    await unlink(part);
    const start = magic === '' ? 'it is empty' : `it starts with ${JSON.stringify(magic)}`;
    throw new ModelError('not-gguf', `the download of ${ref} is not a GGUF file (${start}), so it was deleted`);
  }
  if (expected && sha256 !== expected) {
    await unlink(part);
    throw new ModelError('corrupt', `the download of ${ref} has SHA-256 ${sha256} where ${expected} was expected, so it was deleted`);
  }
}

function downloadError(err: unknown, url: string, part: string, signal?: AbortSignal): ModelError {
  if (err instanceof ModelError) return err;
  if (signal?.aborted || (err instanceof Error && err.name === 'AbortError')) {
    return new ModelError('aborted', `downloading ${url} was cancelled; ${path.basename(part)} is kept to resume later`);
  }
  return new ModelError('remote-connection', `downloading ${url} failed (${describeCause(err)}); run again to resume`);
}

/** undici says "fetch failed" / "terminated" and puts the reason in `cause`. */
function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? (err.cause as NodeJS.ErrnoException) : undefined;
  if (!cause) return err.message;
  // An errno code (ECONNREFUSED) says most; undici's own codes (UND_ERR_SOCKET) say less than their message.
  return `${err.message}: ${cause.code && /^E[A-Z]+$/.test(cause.code) ? cause.code : cause.message}`;
}

// ---- helpers ----

async function hashFile(file: string): Promise<{ hash: Hash; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { hash, bytes };
}

async function readMagic(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 0);
    return buf.subarray(0, bytesRead).toString('latin1');
  } finally {
    await handle.close();
  }
}

/** Reads nothing more of a response we will not use, so the connection is freed. */
async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

function contentLength(res: Response): number | undefined {
  const v = res.headers.get('content-length');
  return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** `bytes 100-199/1000` → 100. */
function rangeStart(header: string | null): number | undefined {
  const m = /^bytes\s+(\d+)-\d+\/(?:\d+|\*)$/i.exec(header?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}

// `bytes 100-199/1000` or `bytes */1000` → 1000; an unknown total (`*`) or no header → undefined.
function rangeTotal(header: string | null): number | undefined {
  const m = /\/(\d+)$/.exec(header?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}
