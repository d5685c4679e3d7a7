import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '..', '..');
const MAIN = path.join(REPO, 'out', 'cli', 'main.js');
const STORIES = path.resolve(__dirname, '..', '..', '..', 'shared', 'models', 'stories260K.gguf');
const STORIES_SHA256 = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';

const body = readFileSync(STORIES);
// The model at any path ending in stories260K.gguf, 404 elsewhere (the downloader's edge cases are in modelFiles.test.ts).
const server = http.createServer((req, res) => {
  if (req.url?.endsWith('/stories260K.gguf')) res.writeHead(200, { 'content-length': body.length }).end(body);
  else res.writeHead(404, 'Not Found').end();
});
let base = '';
let host = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  host = `127.0.0.1_${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Runs the built CLI without blocking this process (the server answers in it). */
function run(args: string[], modelDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, AROS_LSP_MODEL_DIR: modelDir, HF_ENDPOINT: base } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('aros-lsp models pull', () => {
  it('downloads a URL into the model directory and names the file on stdout; a second run skips it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'models-pull-'));
    const url = `${base}/files/stories260K.gguf`;
    const file = path.join(dir, host, 'files', 'stories260K.gguf');
    const r = await run(['models', 'pull', url], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${url}: ${file} (downloaded, 1.1 MiB, sha256 ${STORIES_SHA256})\n`);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(STORIES_SHA256);
    const again = await run(['models', 'pull', url], dir);
    expect([again.code, again.stdout]).toEqual([0, `${url}: ${file} (already downloaded, 1.1 MiB)\n`]);
  });

  it('without an argument pulls the roles whose model is a reference; models list then describes the download', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'models-pull-'));
    const config = path.join(dir, 'models.json');
    writeFileSync(config, JSON.stringify({ codegen: { model_path: 'hf:user/repo/stories260K.gguf' }, llm: { model_path: STORIES } }));
    const file = path.join(dir, 'hf', 'user', 'repo', 'stories260K.gguf');

    const before = await run(['models', 'list', '--json', '--config', config], dir);
    expect((JSON.parse(before.stdout) as Array<Record<string, unknown>>)[0]).toEqual({
      role: 'codegen',
      model: 'hf:user/repo/stories260K.gguf',
      status: 'remote',
      message: `not downloaded yet (\`aros-lsp models pull codegen\` fetches it to ${file})`,
    });

    const r = await run(['models', 'pull', '--config', config], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`codegen: ${file} (downloaded, 1.1 MiB, sha256 ${STORIES_SHA256})\n`);
    expect(existsSync(file)).toBe(true);

    const after = await run(['models', 'list', '--json', '--config', config], dir);
    expect(after.code).toBe(0);
    expect((JSON.parse(after.stdout) as Array<Record<string, unknown>>)[0]).toMatchObject({
      role: 'codegen',
      model: 'hf:user/repo/stories260K.gguf',
      file,
      status: 'ok',
      architecture: 'llama',
      bytes: body.length,
    });
  });

  it('a local role needs nothing; an HTTP error and a bad argument exit 1 with one line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'models-pull-'));
    const config = path.join(dir, 'models.json');
    writeFileSync(config, JSON.stringify({ codegen: { model_path: STORIES }, llm: { model_path: STORIES } }));
    const local = await run(['models', 'pull', 'llm', '--config', config], dir);
    expect([local.code, local.stdout]).toEqual([0, `llm: ${STORIES} (a local file, nothing to download)\n`]);

    const missing = `${base}/missing/model.gguf`;
    const r = await run(['models', 'pull', missing], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`aros-lsp: downloading ${missing} failed with HTTP 404 Not Found\n`);
    expect(r.stdout).toBe('');

    const bad = await run(['models', 'pull', 'nonsense'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("aros-lsp: 'nonsense' is neither a role (codegen, llm) nor a reference to download (hf:user/repo/file.gguf or an http(s) URL)\n");

    const unknown = await run(['models', 'fetch'], dir);
    expect(unknown.stderr).toContain("unknown models command 'fetch' (known: list, pull, check, run)");
  });
});
