// The Neovim client (clients/neovim) in a real headless Neovim against the real
// server: test/clients/neovim/run.lua goes through `require('aros_lsp').setup`
// and prints one "<CHECK> OK" line per check, "ALL OK" at the end, and exits
// non-zero on any failure. Both the exit code and every marker are asserted,
// so a script that silently skips a check fails here.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, makeEditorWorkspace } from './editorWorkspace';

const PLUGIN = path.join(REPO, 'clients', 'neovim');
const SCRIPTS = path.join(REPO, 'test', 'clients', 'neovim');
const CHECKS = ['START', 'STATUS', 'HOVER', 'DEFINITION', 'WORKSPACE_SYMBOL', 'COMPLETION', 'CODE_ACTION', 'QUICK_FIX', 'INLINE', 'ITERATION', 'CODE_ACTION_RUN', 'CANCEL'];
const BRANCH_CHECKS = ['CONFIG_BRANCH', 'START_BRANCH'];

function requireNvim(): void {
  const probe = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    // Not a skip: CI installs it, and a missing editor must not pass as green.
    throw new Error(`nvim is not on PATH (${probe.error?.message ?? `exit ${probe.status}`}): install Neovim 0.7 or newer, e.g. \`apt-get install -y neovim\``);
  }
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  ms: number;
}

/** nvim --headless on a Lua script, killed (its whole process group: the server too) after timeoutMs. */
function runNvim(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('nvim', ['--headless', '--clean', '--cmd', `set rtp^=${PLUGIN}`, '-c', `luafile ${script}`], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n[test] nvim killed after ${timeoutMs} ms\n`;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, ms: Date.now() - started });
    });
  });
}

function lspLog(home: string): string {
  const file = path.join(home, '.cache', 'nvim', 'lsp.log');
  if (!fs.existsSync(file)) return '(no lsp.log)';
  return fs.readFileSync(file, 'utf8').split('\n').slice(-40).join('\n');
}

describe('Neovim client', () => {
  it('navigates, completes, offers code actions and runs the loop through require("aros_lsp")', async () => {
    requireNvim();
    const ws = makeEditorWorkspace();
    try {
      const r = await runNvim(path.join(SCRIPTS, 'run.lua'), ws.env, 140_000);
      const report = `nvim exit ${r.code} (${r.signal ?? 'no signal'}) after ${r.ms} ms\n${r.output}\n--- lsp.log (tail) ---\n${lspLog(ws.home)}`;
      for (const check of CHECKS) expect(r.output, report).toContain(`${check} OK`);
      expect(r.output, report).toContain('ALL OK');
      expect(r.code, report).toBe(0);
    } finally {
      ws.cleanup();
    }
  }, 150_000);

  it('hands vim.lsp.config/enable (0.11+) or vim.lsp.start (0.8–0.10) the same client, when those exist', async () => {
    requireNvim();
    const ws = makeEditorWorkspace();
    try {
      const r = await runNvim(path.join(SCRIPTS, 'branches.lua'), ws.env, 30_000);
      const report = `nvim exit ${r.code} (${r.signal ?? 'no signal'}) after ${r.ms} ms\n${r.output}`;
      for (const check of BRANCH_CHECKS) expect(r.output, report).toContain(`${check} OK`);
      expect(r.output, report).toContain('ALL OK');
      expect(r.code, report).toBe(0);
    } finally {
      ws.cleanup();
    }
  }, 40_000);
});
