// `aros-lsp stats`, run from out/ against a temporary workspace whose stats
// file was written by AcceptanceStats.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AcceptanceStats, STATS_FILE } from '../../server/src/completion/acceptanceStats';

const REPO = path.resolve(__dirname, '..', '..');
const MAIN = path.join(REPO, 'out', 'cli', 'main.js');

function workspace(settings: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stats-cli-'));
  writeFileSync(path.join(dir, 'aros-lsp.json'), JSON.stringify(settings));
  return dir;
}

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // HOME and XDG_CACHE_HOME inside a temp dir, so a default cache directory can never be the user's.
  const home = mkdtempSync(path.join(os.tmpdir(), 'stats-cli-home-'));
  const r = spawnSync(process.execPath, [MAIN, 'stats', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, HOME: home, XDG_CACHE_HOME: path.join(home, 'cache') },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Noon n days ago; 1 or 2 stays inside the last 7 days (and 30 outside) even across midnight. */
function daysAgo(n: number): Date {
  const d = new Date();
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - n, 12);
}

async function writeStats(dir: string, at: Date, shown: Array<{ mode: 'line' | 'block'; chars: number; accept: boolean }>): Promise<void> {
  const stats = await AcceptanceStats.open({ enabled: true, dir: path.join(dir, '.cache'), now: () => at });
  shown.forEach((s, i) => {
    stats.recordShown(`id${i}`, { mode: s.mode, source: 'model', chars: s.chars, file: path.join(dir, 'a.c') });
    if (s.accept) stats.recordAccepted(`id${i}`);
  });
  await stats.flush();
}

describe('aros-lsp stats', () => {
  it('--json: overall and last 7 days from the workspace cache directory', async () => {
    const dir = workspace({ cacheDir: '.cache', completionStats: true });
    await writeStats(dir, daysAgo(30), [{ mode: 'block', chars: 100, accept: true }]);
    await writeStats(dir, daysAgo(2), [
      { mode: 'line', chars: 10, accept: true },
      { mode: 'line', chars: 20, accept: false },
      { mode: 'block', chars: 50, accept: true },
      { mode: 'line', chars: 5, accept: false },
    ]);
    const r = run(dir, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      file: string;
      enabled: boolean;
      state: string;
      summary: { total: Record<string, unknown>; recent: Record<string, unknown> & { byMode: Record<string, unknown> } };
    };
    expect(out.file).toBe(path.join(dir, '.cache', STATS_FILE));
    expect(out.enabled).toBe(true);
    expect(out.state).toBe('ok');
    expect(out.summary.total).toMatchObject({ shown: 5, accepted: 3, acceptedChars: 160, rate: 0.6 });
    expect(out.summary.recent).toMatchObject({ days: 7, shown: 4, accepted: 2, acceptedChars: 60, rate: 0.5 });
    expect(out.summary.recent.byMode.line).toEqual({ shown: 3, accepted: 1, acceptedChars: 10, rate: 1 / 3 });
    expect(out.summary.recent.byMode.block).toEqual({ shown: 1, accepted: 1, acceptedChars: 50, rate: 1 });
  });

  it('prints a table; the directory defaults to the current one', async () => {
    const dir = workspace({ cacheDir: '.cache', completionStats: true });
    await writeStats(dir, daysAgo(2), [
      { mode: 'line', chars: 10, accept: true },
      { mode: 'block', chars: 30, accept: false },
    ]);
    const r = spawnSync(process.execPath, [MAIN, 'stats'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s{2,}/));
    expect(rows).toContainEqual(['shown', 'accepted', 'rate', 'accepted chars']);
    expect(rows).toContainEqual(['overall', '2', '1', '50.0%', '10']);
    expect(rows).toContainEqual(['line', '1', '1', '100.0%', '10']);
    expect(rows).toContainEqual(['block', '1', '0', '0.0%', '0']);
    expect(rows).toContainEqual(['last 7 days', '2', '1', '50.0%', '10']);
  });

  it('says when statistics are off and there is no file', () => {
    const dir = workspace({ cacheDir: '.cache' });
    const r = run(dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Completion statistics are off/);
    expect(r.stdout).toContain('"completionStats": true');
    const json = JSON.parse(run(dir, '--json').stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ enabled: false, state: 'missing' });
    expect(json.summary).toBeUndefined();
  });

  it('says when statistics are on but nothing was saved yet', () => {
    const r = run(workspace({ cacheDir: '.cache', completionStats: true }));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^No completion statistics yet in .*completion-stats\.json/);
  });

  it('shows old counts when statistics were turned off since, with a note', async () => {
    const dir = workspace({ cacheDir: '.cache' });
    await writeStats(dir, daysAgo(1), [{ mode: 'line', chars: 4, accept: true }]);
    const r = run(dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('completionStats is off');
    expect(r.stdout).toMatch(/overall\s+1\s+1\s+100\.0%\s+4/);
  });

  it('a corrupt file is an error naming it; --cache-dir is honoured', () => {
    const dir = workspace({});
    const cache = path.join(dir, 'elsewhere');
    mkdirSync(cache);
    writeFileSync(path.join(cache, STATS_FILE), '{ broken');
    const r = run(dir, '--cache-dir', cache);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${path.join(cache, STATS_FILE)} is unreadable (not JSON`);
    expect(JSON.parse(run(dir, '--cache-dir', cache, '--json').stdout)).toMatchObject({ state: 'corrupt' });
  });

  it('a missing directory is an error', () => {
    const r = run(path.join(os.tmpdir(), 'no-such-aros-dir-for-stats'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a directory/);
  });
});
