import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '..', '..');
const MAIN = path.join(REPO, 'out', 'cli', 'main.js');
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'aros-mini');
const STORIES = path.resolve(REPO, '..', 'shared', 'models', 'stories260K.gguf');

describe('aros-lsp complete', () => {
  it('prints the suggestion and, with --explain, every prompt part and the windows', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'complete-cli-'));
    const config = path.join(dir, 'models.json');
    const role = { model_path: STORIES, threads: 1, context_size: 512, max_length: 16, temperature: 0 };
    writeFileSync(config, JSON.stringify({ codegen: role, llm: role }));
    // makelist.c line 85 (1-based) is `        mc->mc_Value = 0;`: complete after `mc->mc_Value = `.
    const file = path.join(FIXTURE, 'workbench', 'libs', 'mylib', 'makelist.c');
    const r = spawnSync(process.execPath, [MAIN, 'complete', `${file}:85:24`, '--explain', '--no-cache', '--no-progress', '--root', FIXTURE, '--config', config], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, HOME: dir, XDG_CACHE_HOME: path.join(dir, 'cache') },
    });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^completion context: \d+ of \d+ parts/m);
    expect(r.stdout).toMatch(/\[struct\] MyCounter/);
    expect(r.stdout).toMatch(/<\|cursor\|>/);
    expect(r.stdout).toMatch(/^mode: line; source: model/m);
    expect(r.stdout).toMatch(/^model: \d+ tokens, prefix, stop: /m);
    const suggestion = r.stdout.split('=== suggestion (after post-processing) ===\n')[1];
    expect(suggestion.trim().length).toBeGreaterThan(0);
  });
});
