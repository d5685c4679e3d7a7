// Emacs: clients/emacs/aros-lsp.el in a real Emacs (`emacs --batch`) with
// Debian's eglot, and with lsp-mode, against the real server. The Emacs Lisp
// scripts in test/clients/emacs/ assert each answer and print `OK <check>`;
// this side requires every marker, so a script that skips a check fails.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeEditorWorkspace, REPO, type EditorWorkspace } from './editorWorkspace';

/** Debian's elpa-* packages install here; -Q skips the site start-up that would add them. */
const ELPA_DIR = process.env.AROS_LSP_EMACS_ELPA ?? '/usr/share/emacs/site-lisp/elpa';
const PACKAGE_DIR = path.join(REPO, 'clients', 'emacs');
const SCRIPTS = path.join(REPO, 'test', 'clients', 'emacs');

let ws: EditorWorkspace | undefined;
afterEach(() => ws?.cleanup());

function emacsVersion(): string {
  const r = spawnSync('emacs', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error('emacs is not installed: apt-get install -y emacs-nox elpa-eglot (CI installs them)');
  return r.stdout.split('\n')[0];
}

/**
 * Activates the packages in Debian's elpa directory as `package-initialize` does for a
 * user (load path and autoloads of eglot, lsp-mode and their dependencies).
 */
function packageInit(): string[] {
  if (!fs.existsSync(ELPA_DIR)) return [];
  return ['--eval', `(progn (setq package-directory-list (list ${JSON.stringify(ELPA_DIR)})) (package-initialize))`];
}

function hasPackage(prefix: string): boolean {
  return fs.existsSync(ELPA_DIR) && fs.readdirSync(ELPA_DIR).some((d) => d.startsWith(prefix));
}

/** Runs one script in `emacs --batch -Q` with the package loaded; returns what it printed and how it ended. */
function runEmacs(script: string, w: EditorWorkspace): { status: number | null; out: string; report: string } {
  const started = Date.now();
  const r = spawnSync('emacs', ['--batch', '-Q', ...packageInit(), '-L', PACKAGE_DIR, '-l', 'aros-lsp', '-l', path.join(SCRIPTS, script)], {
    env: w.env,
    cwd: w.root,
    encoding: 'utf8',
    timeout: 170_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  // Emacs writes `message' to stderr in batch mode.
  const out = `${r.stdout}\n${r.stderr}`;
  return { status: r.status, out, report: `${script}: exit ${r.status} ${r.signal ?? ''} after ${Date.now() - started} ms\n${out}` };
}

describe('Emacs', () => {
  it('eglot: hover, definition, workspace symbols, completion, code actions, status and the loop through clients/emacs/aros-lsp.el', () => {
    emacsVersion();
    if (!hasPackage('eglot-')) {
      // Emacs 29+ has eglot built in; 28 needs Debian's package.
      const builtIn = spawnSync('emacs', ['--batch', '-Q', '--eval', "(kill-emacs (if (locate-library \"eglot\") 0 1))"]);
      if (builtIn.status !== 0) throw new Error(`eglot is not installed (nothing in ${ELPA_DIR}): apt-get install -y emacs-nox elpa-eglot (CI installs them)`);
    }
    ws = makeEditorWorkspace();
    const { status, out, report } = runEmacs('run.el', ws);
    if (out.includes('MISSING eglot')) throw new Error(`eglot cannot be loaded: apt-get install -y emacs-nox elpa-eglot (CI installs them)\n${report}`);
    for (const check of ['registration', 'status', 'hover', 'definition', 'workspace-symbol', 'completion', 'code-action', 'iteration', 'task-at-point', 'cancel']) {
      expect(out, report).toMatch(new RegExp(`^OK ${check}: `, 'm'));
    }
    expect(out, report).toMatch(/^ALL OK$/m);
    expect(status, report).toBe(0);
  }, 180_000);

  it('lsp-mode: the registration loads, activates for C only, connects and answers hover and the loop', () => {
    emacsVersion();
    if (!hasPackage('lsp-mode-')) throw new Error(`lsp-mode is not installed (nothing in ${ELPA_DIR}): apt-get install -y elpa-lsp-mode (CI installs it)`);
    ws = makeEditorWorkspace();
    const { status, out, report } = runEmacs('run-lsp-mode.el', ws);
    if (out.includes('MISSING lsp-mode')) throw new Error(`lsp-mode cannot be loaded: apt-get install -y elpa-lsp-mode (CI installs it)\n${report}`);
    for (const check of ['client', 'activation', 'connection', 'status', 'hover', 'iteration']) {
      expect(out, report).toMatch(new RegExp(`^OK ${check}: `, 'm'));
    }
    expect(out, report).toMatch(/^ALL OK$/m);
    expect(status, report).toBe(0);
  }, 180_000);
});
