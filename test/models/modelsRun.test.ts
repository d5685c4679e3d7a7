import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTinyModel } from './tinyModel';

const REPO = path.resolve(__dirname, '..', '..');
const MAIN = path.join(REPO, 'out', 'cli', 'main.js');
const STORIES = path.resolve(REPO, '..', 'shared', 'models', 'stories260K.gguf');
const dir = mkdtempSync(path.join(os.tmpdir(), 'models-run-'));
const FIM = writeTinyModel(path.join(dir, 'fim.gguf'));

function configFile(name: string, codegen: string, llm: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify({ codegen: { model_path: codegen, threads: 1, context_size: 512 }, llm: { model_path: llm, threads: 1, context_size: 512 } }));
  return file;
}

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('aros-lsp models check / run', () => {
  it('checks both roles with real llama.cpp and reports speed', () => {
    const r = run(['models', 'check', '--json', '--config', configFile('good.json', STORIES, FIM)]);
    expect(r.code).toBe(0);
    const reports = JSON.parse(r.stdout) as Array<{ role: string; ok: boolean; fim: boolean; tokensPerSecond: number; firstTokenMs: number }>;
    expect(reports.map((x) => [x.role, x.ok, x.fim])).toEqual([
      ['codegen', true, false],
      ['llm', true, true],
    ]);
    for (const x of reports) {
      expect(x.tokensPerSecond).toBeGreaterThan(0);
      expect(x.firstTokenMs).toBeGreaterThan(0);
    }
  });

  it('names the broken role in one line and exits 1, still checking the other', () => {
    const notModel = path.join(dir, 'notes.gguf');
    writeFileSync(notModel, 'not a model');
    const r = run(['models', 'check', '--config', configFile('bad.json', notModel, FIM)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^codegen +FAILED +.*notes\.gguf.*not a GGUF file/m);
    expect(r.stdout).toMatch(/^llm +ok +.*fim\.gguf/m);
  });

  it('streams one generation to stdout', () => {
    const r = run(['models', 'run', '--config', configFile('good2.json', STORIES, FIM), '--max-tokens', '24', 'Once upon a time']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().length).toBeGreaterThan(20);
    expect(r.stderr).toMatch(/\d+ tokens \(prefix, stop: (maxTokens|eos)\)/);
  });
});
