import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { cachedModelPath, localModelPath, modelCacheDir, pullModel, resolveModelRef } from '../../server/src/models/modelFiles';
import { ModelError } from '../../server/src/models/types';

const STORIES = path.resolve(__dirname, '..', '..', '..', 'shared', 'models', 'stories260K.gguf');
const STORIES_SHA256 = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';
const QWEN_05B = 'hf:ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF/qwen2.5-coder-0.5b-q8_0.gguf';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'model-files-'));
let cacheCount = 0;
/** A fresh cache directory per test, inside the mkdtemp directory. */
function freshCache(): string {
  return path.join(tmp, `cache-${++cacheCount}`);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

// ---- a loopback server that serves the model, and misbehaves on some paths ----

const body = readFileSync(STORIES);
const requests: Array<{ url: string; range?: string }> = [];
let base = '';

/**
 * - `/cut/…` without Range: ~300 KB, then the socket is destroyed
 * - `/slow/…` without Range: 100 KB, then nothing until the client goes away
 * - `/norange/…`: always 200 with the whole file
 * - `/html/…`: an HTML page; `/redirect/…`: 302 to `/x/stories.gguf`
 * - any other path ending in `/stories.gguf`: the file with Range (206, 416); anything else: 404
 */
const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  const range = req.headers.range;
  requests.push({ url, ...(range ? { range } : {}) });
  if (url.startsWith('/redirect/')) res.writeHead(302, { location: '/x/stories.gguf' }).end();
  else if (url.startsWith('/html/')) res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in to download</body></html>');
  else if (url.startsWith('/cut/') && !range) {
    res.writeHead(200, { 'content-length': body.length });
    // Wait before cutting so the client has read (and written) what it received.
    res.write(body.subarray(0, 300_000), () => setTimeout(() => res.socket?.destroy(), 200));
  } else if (url.startsWith('/slow/') && !range) {
    res.writeHead(200, { 'content-length': body.length });
    res.write(body.subarray(0, 100_000));
  } else if (url.startsWith('/norange/')) res.writeHead(200, { 'content-length': body.length }).end(body);
  else if (url.endsWith('/stories.gguf')) serveRange(range, res);
  else res.writeHead(404, 'Not Found').end('no such file');
});

function serveRange(range: string | undefined, res: http.ServerResponse): void {
  const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
  if (!m) {
    res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' }).end(body);
    return;
  }
  const start = Number(m[1]);
  if (start >= body.length) {
    res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
    return;
  }
  res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }).end(body.subarray(start));
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests.length = 0;
});

// ---- references and paths ----

describe('modelCacheDir', () => {
  it('prefers AROS_LSP_MODEL_DIR, then an absolute XDG_CACHE_HOME, then ~/.cache', () => {
    expect(modelCacheDir({ AROS_LSP_MODEL_DIR: '/m', XDG_CACHE_HOME: '/x' })).toBe(path.resolve('/m'));
    expect(modelCacheDir({ XDG_CACHE_HOME: '/x' })).toBe(path.join('/x', 'aros-lsp', 'models'));
    expect(modelCacheDir({ XDG_CACHE_HOME: 'relative' })).toBe(path.join(os.homedir(), '.cache', 'aros-lsp', 'models'));
    expect(modelCacheDir({})).toBe(path.join(os.homedir(), '.cache', 'aros-lsp', 'models'));
  });
});

describe('resolveModelRef', () => {
  it('leaves local paths alone', () => {
    expect(resolveModelRef('/models/a.gguf')).toEqual({ kind: 'local', path: '/models/a.gguf' });
    expect(resolveModelRef('models/a.gguf')).toEqual({ kind: 'local', path: 'models/a.gguf' });
  });

  it('turns hf: references into resolve URLs (branch main unless given; sub-folders kept)', () => {
    vi.stubEnv('HF_ENDPOINT', undefined);
    try {
      expect(resolveModelRef('hf:user/repo/file.gguf')).toEqual({ kind: 'remote', url: 'https://huggingface.co/user/repo/resolve/main/file.gguf', fileName: 'file.gguf' });
      expect(resolveModelRef('hf:user/repo/sub/dir/file.gguf#dev')).toEqual({
        kind: 'remote',
        url: 'https://huggingface.co/user/repo/resolve/dev/sub/dir/file.gguf',
        fileName: 'file.gguf',
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('takes the endpoint from the option, else HF_ENDPOINT', () => {
    expect(resolveModelRef('hf:u/r/f.gguf', { hfEndpoint: 'http://127.0.0.1:9/' })).toMatchObject({ url: 'http://127.0.0.1:9/u/r/resolve/main/f.gguf' });
    vi.stubEnv('HF_ENDPOINT', 'https://mirror.example');
    try {
      expect(resolveModelRef('hf:u/r/f.gguf')).toMatchObject({ url: 'https://mirror.example/u/r/resolve/main/f.gguf' });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('knows the checksum of the small Qwen coder on main, and of nothing it was not told', () => {
    expect(resolveModelRef(QWEN_05B)).toMatchObject({ sha256: 'd0f8cd6c49bab52a0abdbe47948518b1f4d9b1a8a2a6825099cea31cea10ac56' });
    expect(resolveModelRef(`${QWEN_05B}#main`)).toMatchObject({ sha256: 'd0f8cd6c49bab52a0abdbe47948518b1f4d9b1a8a2a6825099cea31cea10ac56' });
    expect(resolveModelRef(`${QWEN_05B}#other`)).not.toHaveProperty('sha256');
    expect(resolveModelRef('hf:ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/qwen2.5-coder-1.5b-q8_0.gguf')).not.toHaveProperty('sha256');
  });

  it('keeps URLs as they are and decodes the file name', () => {
    expect(resolveModelRef('https://example.com/models/my%20model.gguf?x=1')).toEqual({
      kind: 'remote',
      url: 'https://example.com/models/my%20model.gguf?x=1',
      fileName: 'my model.gguf',
    });
  });

  it('rejects the hf: tag form and references without a file', () => {
    for (const ref of ['hf:bartowski/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M', 'hf:user/repo', 'hf:user//file.gguf', 'https://example.com/']) {
      const err = thrown(() => resolveModelRef(ref));
      expect(err, ref).toBeInstanceOf(ModelError);
      expect((err as ModelError).code).toBe('config');
      expect((err as ModelError).message).toContain(ref);
    }
  });
});

describe('cachedModelPath', () => {
  it('puts hf: files under hf/user/repo and URLs under their host', () => {
    expect(cachedModelPath('hf:user/repo/file.gguf', '/c')).toBe(path.join('/c', 'hf', 'user', 'repo', 'file.gguf'));
    expect(cachedModelPath('hf:user/repo/sub/file.gguf#dev', '/c')).toBe(path.join('/c', 'hf', 'user', 'repo@dev', 'sub', 'file.gguf'));
    expect(cachedModelPath('http://127.0.0.1:8080/a/my%20model.gguf?download=1', '/c')).toBe(path.join('/c', '127.0.0.1_8080', 'a', 'my_model.gguf'));
  });

  it('rejects references that would leave the cache directory', () => {
    const refs = [
      'hf:user/repo/../../../etc/passwd.gguf',
      'hf:user/../file.gguf',
      'hf:user/repo/file.gguf#../../x',
      'http://example.com/a/../../../x.gguf',
      'http://example.com/%2e%2e/%2E%2E/x.gguf',
      'https://example.com/a/./x.gguf',
    ];
    for (const ref of refs) {
      const err = thrown(() => cachedModelPath(ref, '/c'));
      expect(err, ref).toBeInstanceOf(ModelError);
      expect((err as ModelError).code, ref).toBe('config');
    }
  });

  it('an encoded slash stays inside one file name', () => {
    expect(cachedModelPath('http://example.com/a%2F..%2F..%2Fx.gguf', '/c')).toBe(path.join('/c', 'example.com', 'a_.._.._x.gguf'));
  });
});

describe('localModelPath', () => {
  it('is the path for local refs, the cached file once downloaded, and a missing-file error before', () => {
    const cache = freshCache();
    expect(localModelPath('/m/a.gguf', cache)).toBe('/m/a.gguf');
    const err = thrown(() => localModelPath('hf:u/r/f.gguf', cache));
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('missing-file');
    expect((err as ModelError).message).toMatch(/^hf:u\/r\/f\.gguf is not downloaded yet: run `aros-lsp models pull hf:u\/r\/f\.gguf`/);
  });
});

// ---- downloads ----

describe('pullModel', () => {
  it('downloads a file, checks its checksum, and reports progress', async () => {
    const cacheDir = freshCache();
    const progress: Array<[number, number | undefined]> = [];
    const r = await pullModel(`${base}/x/stories.gguf`, { cacheDir, sha256: STORIES_SHA256, onProgress: (d, t) => progress.push([d, t]) });
    expect(r).toEqual({ path: cachedModelPath(`${base}/x/stories.gguf`, cacheDir), bytes: body.length, resumed: false, sha256: STORIES_SHA256, skipped: false });
    expect(sha256(readFileSync(r.path))).toBe(STORIES_SHA256);
    expect(existsSync(`${r.path}.part`)).toBe(false);
    expect(progress[0]).toEqual([0, body.length]);
    expect(progress[progress.length - 1]).toEqual([body.length, body.length]);
  });

  it('downloads an hf: reference from the given endpoint, following a redirect', async () => {
    const cacheDir = freshCache();
    const r = await pullModel('hf:user/repo/stories.gguf', { cacheDir, hfEndpoint: base });
    expect(r.path).toBe(path.join(cacheDir, 'hf', 'user', 'repo', 'stories.gguf'));
    expect(r.sha256).toBe(STORIES_SHA256);
    expect(requests.map((q) => q.url)).toEqual(['/user/repo/resolve/main/stories.gguf']);
    const moved = await pullModel(`${base}/redirect/stories.gguf`, { cacheDir });
    expect([moved.sha256, path.basename(moved.path)]).toEqual([STORIES_SHA256, 'stories.gguf']);
  });

  it('skips a file already downloaded without touching the network', async () => {
    const cacheDir = freshCache();
    const ref = `${base}/x/stories.gguf`;
    await pullModel(ref, { cacheDir });
    const noNetwork = (): Promise<Response> => Promise.reject(new Error('no network expected'));
    const r = await pullModel(ref, { cacheDir, fetchImpl: noNetwork, sha256: STORIES_SHA256 });
    expect(r).toMatchObject({ skipped: true, bytes: body.length, resumed: false, sha256: STORIES_SHA256 });
  });

  it('resumes an interrupted download with a Range request', async () => {
    const cacheDir = freshCache();
    const ref = `${base}/cut/stories.gguf`;
    const first = await pullModel(ref, { cacheDir }).catch((err: unknown) => err);
    expect(first).toBeInstanceOf(ModelError);
    expect((first as ModelError).code).toBe('remote-connection');
    expect((first as ModelError).message).toContain(ref);
    const target = cachedModelPath(ref, cacheDir);
    expect(existsSync(target)).toBe(false);
    const kept = statSync(`${target}.part`).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(300_000);

    requests.length = 0;
    const r = await pullModel(ref, { cacheDir, sha256: STORIES_SHA256 });
    expect(requests).toEqual([{ url: '/cut/stories.gguf', range: `bytes=${kept}-` }]);
    expect(r).toMatchObject({ resumed: true, bytes: body.length, sha256: STORIES_SHA256, skipped: false });
    expect(sha256(readFileSync(target))).toBe(STORIES_SHA256);
    expect(existsSync(`${target}.part`)).toBe(false);
  });

  it('a 416 answer to the Range request means the part is complete', async () => {
    const cacheDir = freshCache();
    const ref = `${base}/x/stories.gguf`;
    const target = cachedModelPath(ref, cacheDir);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(`${target}.part`, body);
    requests.length = 0;
    const r = await pullModel(ref, { cacheDir, sha256: STORIES_SHA256 });
    expect(requests).toEqual([{ url: '/x/stories.gguf', range: `bytes=${body.length}-` }]);
    expect(r).toMatchObject({ resumed: true, bytes: body.length, sha256: STORIES_SHA256 });
    expect(existsSync(target)).toBe(true);
  });

  it('a part longer than the file (416 with another size) starts over', async () => {
    const cacheDir = freshCache();
    const ref = `${base}/x/stories.gguf`;
    const target = cachedModelPath(ref, cacheDir);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(`${target}.part`, Buffer.concat([body, Buffer.from('junk at the end')]));
    requests.length = 0;
    const r = await pullModel(ref, { cacheDir, sha256: STORIES_SHA256 });
    expect(requests).toEqual([{ url: '/x/stories.gguf', range: `bytes=${body.length + 15}-` }, { url: '/x/stories.gguf' }]);
    expect(r).toMatchObject({ resumed: false, bytes: body.length, sha256: STORIES_SHA256 });
  });

  it('restarts from the beginning when the server ignores the range (200 instead of 206)', async () => {
    const cacheDir = freshCache();
    const ref = `${base}/norange/stories.gguf`;
    const target = cachedModelPath(ref, cacheDir);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(`${target}.part`, Buffer.alloc(1000, 'X'));
    requests.length = 0;
    const r = await pullModel(ref, { cacheDir, sha256: STORIES_SHA256 });
    expect(requests).toEqual([{ url: '/norange/stories.gguf', range: 'bytes=1000-' }]);
    expect(r).toMatchObject({ resumed: false, bytes: body.length, sha256: STORIES_SHA256 });
    expect(sha256(readFileSync(target))).toBe(STORIES_SHA256);
  });

  it('a checksum mismatch is an error and leaves neither the file nor the part', async () => {
    const cacheDir = freshCache();
    const ref = `${base}/x/stories.gguf`;
    const err = await pullModel(ref, { cacheDir, sha256: '0'.repeat(64) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('corrupt');
    expect((err as ModelError).message).toBe(`the download of ${ref} has SHA-256 ${STORIES_SHA256} where ${'0'.repeat(64)} was expected, so it was deleted`);
    const target = cachedModelPath(ref, cacheDir);
    expect([existsSync(target), existsSync(`${target}.part`)]).toEqual([false, false]);
  });

  it('a body that is not GGUF (an HTML page) is an error and is deleted', async () => {
    const cacheDir = freshCache();
    const ref = `${base}/html/model.gguf`;
    const err = await pullModel(ref, { cacheDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('not-gguf');
    expect((err as ModelError).message).toBe(`the download of ${ref} is not a GGUF file (it starts with "<htm"), so it was deleted`);
    const target = cachedModelPath(ref, cacheDir);
    expect([existsSync(target), existsSync(`${target}.part`)]).toEqual([false, false]);
  });

  it('an HTTP error is one sentence with the status and the URL', async () => {
    const cacheDir = freshCache();
    const ref = `${base}/missing/model.gguf`;
    const err = await pullModel(ref, { cacheDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('remote-http');
    expect((err as ModelError).message).toBe(`downloading ${ref} failed with HTTP 404 Not Found`);
    expect(existsSync(`${cachedModelPath(ref, cacheDir)}.part`)).toBe(false);
  });

  it('a refused connection is a remote-connection error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await pullModel(`http://127.0.0.1:${port}/m.gguf`, { cacheDir: freshCache() }).catch((e: unknown) => e);
    expect((err as ModelError).code).toBe('remote-connection');
    expect((err as ModelError).message).toMatch(/ECONNREFUSED/);
  });

  it('cancelling leaves the part, and the next pull finishes it', async () => {
    const cacheDir = freshCache();
    const ref = `${base}/slow/stories.gguf`;
    const controller = new AbortController();
    const err = await pullModel(ref, {
      cacheDir,
      signal: controller.signal,
      onProgress: (done) => {
        if (done >= 100_000) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('aborted');
    const target = cachedModelPath(ref, cacheDir);
    expect([existsSync(target), existsSync(`${target}.part`)]).toEqual([false, true]);
    const r = await pullModel(ref, { cacheDir, sha256: STORIES_SHA256 });
    expect(r.sha256).toBe(STORIES_SHA256);
  });

  it('refuses traversal references and local paths before any request', async () => {
    const cacheDir = freshCache();
    for (const ref of ['hf:user/repo/../../x.gguf', `${base}/a/../../../x.gguf`, '/local/file.gguf']) {
      const err = await pullModel(ref, { cacheDir, hfEndpoint: base }).catch((e: unknown) => e);
      expect((err as ModelError).code, ref).toBe('config');
    }
    expect(requests).toEqual([]);
    expect(existsSync(cacheDir)).toBe(false);
  });
});
