// `aros-lsp iterate` and `aros-lsp sessions` as a user runs them: the built
// CLI, real gcc, llama.cpp (the shared tiny model) or a local
// OpenAI-compatible server scripted to write code that compiles.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorMemory } from '../../server/src/iteration/errorMemory';
import { readSession } from '../../server/src/iteration/sessionLog';
import { startFakeOpenAiServer, type FakeServer } from '../models/fakeOpenAiServer';

const REPO = path.resolve(__dirname, '..', '..');
const MAIN = path.join(REPO, 'out', 'cli', 'main.js');
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'loop-mini');
const STORIES = path.resolve(REPO, '..', 'shared', 'models', 'stories260K.gguf');
const DEMO = 'workbench/hidds/demo/demo.c';

const servers: FakeServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

function setup(models: Record<string, unknown>): { root: string; cache: string; config: string; env: NodeJS.ProcessEnv } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'iterate-cli-'));
  const root = path.join(base, 'ws');
  fs.cpSync(FIXTURE, root, { recursive: true });
  const config = path.join(base, 'models.json');
  fs.writeFileSync(config, JSON.stringify(models));
  return { root, cache: path.join(base, 'cache'), config, env: { ...process.env, HOME: base, XDG_CACHE_HOME: path.join(base, 'xdg') } };
}

function run(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tiny = { model_path: STORIES, threads: 1, context_size: 1024, max_length: 24, temperature: 0 };

describe('aros-lsp iterate', () => {
  it('runs the loop with llama.cpp and gcc, exits 1 when no task succeeds, and keeps a session log', () => {
    const w = setup({ codegen: tiny, llm: tiny });
    const r = run(['iterate', '--workspace', w.root, '--project', 'demo', '--max-iterations', '1', '--max-retries', '0', '--config', w.config, '--cache-dir', w.cache, '--no-progress', '--json'], w.env);
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout) as { sessionId: string; results: Array<{ status: string; attempts: Array<{ phases: Array<{ phase: string }> }> }> };
    expect(result.results[0].status).toBe('failed');
    expect(result.results[0].attempts[0].phases.map((p) => p.phase)).toEqual(['explore', 'reason', 'generate', 'review', 'compile', 'learn']);
    const list = run(['sessions', 'list', w.root, '--cache-dir', w.cache, '--json'], w.env);
    expect(list.status).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ id: string; outcome: string }>)[0]).toMatchObject({ id: result.sessionId, outcome: 'failed' });
    const show = run(['sessions', 'show', result.sessionId, w.root, '--cache-dir', w.cache], w.env);
    expect(show.stdout).toMatch(/ start /);
    expect(show.stdout).toMatch(/ attempt /);
    expect(show.stdout).toMatch(/ end /);
    expect(fs.readFileSync(path.join(w.root, DEMO), 'utf8')).toBe(fs.readFileSync(path.join(FIXTURE, DEMO), 'utf8'));
  });

  it('writes the edit only with --apply, and exits 0 on success', async () => {
    const fake = await startFakeOpenAiServer({ tokens: ['    state->calls++;\n', '    return a + b;\n'] });
    servers.push(fake);
    const remote = { endpoint: fake.url, remote_model: 'coder', max_length: 64 };
    const w = setup({ codegen: remote, llm: remote });
    const args = ['iterate', '--workspace', w.root, '--file', DEMO, '--symbol', 'demo_add', '--config', w.config, '--cache-dir', w.cache, '--no-progress', '--quiet'];
    const dry = await runAsync([...args], w.env);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/run again with --apply/);
    expect(fs.readFileSync(path.join(w.root, DEMO), 'utf8')).toBe(fs.readFileSync(path.join(FIXTURE, DEMO), 'utf8'));
    const wet = await runAsync([...args, '--apply'], w.env);
    expect(wet.status).toBe(0);
    const text = fs.readFileSync(path.join(w.root, DEMO), 'utf8');
    expect(text).toContain('    return a + b;');
    expect(text).toContain(' * AI_STATUS: IMPLEMENTED');
    // The result compiles as written.
    expect(spawnSync('gcc', ['-fsyntax-only', '-Wall', path.join(w.root, DEMO)]).status).toBe(0);
  });

  it('kill -9 during a run leaves the error memory and the session log readable', async () => {
    const w = setup({ codegen: tiny, llm: tiny });
    const child = spawn(process.execPath, [MAIN, 'iterate', '--workspace', w.root, '--project', 'demo', '--max-iterations', '2', '--max-retries', '3', '--config', w.config, '--cache-dir', w.cache, '--no-progress', '--quiet'], { env: w.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // After the second attempt's learn phase started, records are being written.
        if ((stderr.match(/-- learn/g) ?? []).length >= 2) resolve();
      });
      child.on('exit', () => resolve());
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const memory = await ErrorMemory.open(w.cache);
    expect(memory.stats().occurrences).toBeGreaterThan(0);
    const sessions = fs.readdirSync(path.join(w.cache, 'sessions'));
    expect(sessions).toHaveLength(1);
    const records = await readSession(w.cache, sessions[0].replace(/\.jsonl$/, ''));
    expect(records?.[0].type).toBe('start');
    expect(records?.filter((r) => r.type === 'attempt').length).toBeGreaterThanOrEqual(1);
  });
});

function runAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Asynchronous: the scripted model server lives in this process and must keep answering.
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
