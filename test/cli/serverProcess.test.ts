import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { needsRelaunch, SERVER_NODE_FLAGS } from '../../server/src/cli/serverProcess';
import { frame, MAIN } from '../protocol/client';
import { ensureBuilt } from '../helpers/ensureBuilt';

describe('needsRelaunch', () => {
  it('relaunches serve (also as the default command) without the flags, and nothing else', () => {
    expect(needsRelaunch([], [], {})).toBe(true);
    expect(needsRelaunch(['serve', '--stdio'], ['--expose-gc'], {})).toBe(true);
    expect(needsRelaunch(['--stdio'], [], {})).toBe(true);
    expect(needsRelaunch(['index', '/tmp/x'], [], {})).toBe(false);
    expect(needsRelaunch(['--cache-dir', '/tmp/c', 'serve'], [], {})).toBe(true);
    expect(needsRelaunch(['--cache-dir', '/tmp/c', 'index', '/tmp/x'], [], {})).toBe(false);
    expect(needsRelaunch(['--cache-dir'], [], {})).toBe(false);
    expect(needsRelaunch(['serve'], [...SERVER_NODE_FLAGS], {})).toBe(false);
    expect(needsRelaunch(['serve'], ['--max-semi-space-size=16'], {})).toBe(false);
    expect(needsRelaunch(['serve'], ['--inspect=9230'], {})).toBe(false);
    expect(needsRelaunch(['--version'], [], {})).toBe(false);
    expect(needsRelaunch(['serve'], [], { AROS_LSP_RELAUNCH: '0' })).toBe(false);
  });
});

/** Pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(process.platform !== 'linux')('aros-lsp serve started without the flags', () => {
  it('runs the server in a child with them, stdio passed through; a SIGTERM ends both and the launcher mirrors it', async () => {
    ensureBuilt();
    const launcher = spawn(process.execPath, [MAIN, 'serve', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    launcher.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => launcher.on('exit', (code, signal) => resolve({ code, signal })));
    launcher.stdin.write(frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {} } }));
    const deadline = Date.now() + 20_000;
    while (!out.includes('"id":1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('"serverInfo"');
    const children = childrenOf(launcher.pid!);
    expect(children).toHaveLength(1);
    const server = children[0];
    const cmdline = fs.readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS, MAIN, 'serve', '--stdio']));
    launcher.kill('SIGTERM');
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    const gone = Date.now() + 5000;
    while (alive(server) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
    expect(alive(server)).toBe(false);
  }, 30_000);
});
