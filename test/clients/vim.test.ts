// Vim: clients/vim/aros-lsp.vim loaded in a real Vim with ALE (Debian's
// vim-ale), against the real server; the script asserts each answer.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeEditorWorkspace, REPO, type EditorWorkspace } from './editorWorkspace';

const ALE_DIR = '/usr/share/vim-ale';
const SCRIPT = path.join(REPO, 'test', 'clients', 'vim', 'run.vim');
const CONFIG = path.join(REPO, 'clients', 'vim', 'aros-lsp.vim');

let ws: EditorWorkspace | undefined;
afterEach(() => ws?.cleanup());

describe('Vim with ALE', () => {
  it('hover, definition, workspace symbols and the loop through clients/vim/aros-lsp.vim', () => {
    const vim = spawnSync('vim', ['--version'], { encoding: 'utf8' });
    if (vim.error) throw new Error('vim is not installed: apt-get install -y vim vim-ale (.ci/run installs it)');
    if (!fs.existsSync(path.join(ALE_DIR, 'autoload', 'ale.vim'))) throw new Error(`ALE is not in ${ALE_DIR}: apt-get install -y vim-ale (.ci/run installs it)`);
    ws = makeEditorWorkspace();
    const log = path.join(ws.base, 'vim.log');
    const r = spawnSync('vim', ['-Nu', 'NONE', '-i', 'NONE', '-n', '-es', '-S', SCRIPT], {
      env: { ...ws.env, AROS_LSP_TEST_LOG: log, AROS_LSP_VIM: CONFIG, ALE_DIR },
      cwd: ws.root,
      encoding: 'utf8',
      timeout: 150_000,
    });
    const out = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    const report = `exit ${r.status} ${r.signal ?? ''}\n${out}\n${r.stdout}\n${r.stderr}`;
    for (const check of ['config-loaded', 'root', 'workspace-symbol', 'fixture-line', 'hover', 'definition', 'run-iteration']) {
      expect(out, report).toContain(`OK ${check}\n`);
    }
    expect(out, report).toContain('ALL OK');
    expect(r.status, report).toBe(0);
  }, 180_000);
});
