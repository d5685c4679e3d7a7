import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '..', '..');
const MAIN = path.join(REPO, 'out', 'cli', 'main.js');
const SHARED = path.resolve(REPO, '..', 'shared', 'models');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  // An empty model directory, so files a user pulled on this machine do not change the answers.
  const env = { ...process.env, AROS_LSP_MODEL_DIR: mkdtempSync(path.join(os.tmpdir(), 'models-dir-')) };
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('aros-lsp models list', () => {
  it('describes local GGUF files from their metadata and names a bad one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'models-cli-'));
    writeFileSync(path.join(dir, 'not-a-model.gguf'), 'hello');
    const config = path.join(dir, 'models.json');
    writeFileSync(config, JSON.stringify({ codegen: { model_path: path.join(SHARED, 'stories260K.gguf') }, llm: { model_path: 'not-a-model.gguf' } }));
    const r = run(['models', 'list', '--json', '--config', config]);
    expect(r.code).toBe(1);
    const reports = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(reports[0]).toEqual({
      role: 'codegen',
      model: path.join(SHARED, 'stories260K.gguf'),
      status: 'ok',
      bytes: 1185376,
      architecture: 'llama',
      contextLength: 2048,
      vocabularySize: 512,
      fim: false,
      chatTemplate: false,
    });
    expect(reports[1]).toEqual({
      role: 'llm',
      model: path.join(dir, 'not-a-model.gguf'),
      status: 'invalid',
      message: `${path.join(dir, 'not-a-model.gguf')}: not a GGUF file (bad magic)`,
    });
  });

  it('the shipped configuration names references to download, and is valid', () => {
    const r = run(['models', 'list', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Array<{ role: string; status: string }>).map((x) => `${x.role}:${x.status}`)).toEqual(['codegen:remote', 'llm:remote']);
  });

  it('a configuration error is reported on stderr naming the key, with exit code 1', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'models-cli-'));
    const config = path.join(dir, 'models.json');
    writeFileSync(config, JSON.stringify({ codegen: { threads: 'many' } }));
    const r = run(['models', 'list', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`aros-lsp: ${config}: 'codegen.threads' must be an integer, got "many"`);
  });
});
