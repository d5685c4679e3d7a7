// Session logs: one JSON-lines file per run, listed and read back tolerantly;
// ids are never paths; a run killed with SIGKILL leaves its earlier records
// readable and is listed as unfinished.

import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSessionId, listSessions, readSession, SESSIONS_DIR, SessionLog, type SessionRecord } from '../../server/src/iteration/sessionLog';
import { ensureBuilt } from '../helpers/ensureBuilt';

const REPO = path.resolve(__dirname, '..', '..');
const BUILT = path.join(REPO, 'out', 'iteration', 'sessionLog.js');

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'session-log-'));
}

/** A clock that moves one second a call, so records and sessions order deterministically. */
function clock(start = Date.UTC(2025, 2, 10, 12, 0, 0)): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}

describe('a run', () => {
  it('round-trips its records, stamped and in order', async () => {
    const dir = tempDir();
    const log = await SessionLog.create(dir, { project: 'radeonsi', tasks: 2, workspace: '/ws' }, { now: clock() });
    expect(log.file).toBe(path.join(dir, SESSIONS_DIR, `${log.id}.jsonl`));
    expect(await log.append({ type: 'phase', phase: 'explore', task: 't1', ms: 12, output: { files: 3 } })).toBe(true);
    await log.append({ type: 'attempt', task: 't1', attempt: 1, errors: ['x'] });
    await log.append({ type: 'result', task: 't1', ok: true });
    expect(await log.close({ outcome: 'succeeded', tasks: 2 })).toBe(true);
    expect(await log.append({ type: 'phase', phase: 'late' })).toBe(false);

    const records = (await readSession(dir, log.id)) ?? [];
    expect(records.map((r) => r.type)).toEqual(['start', 'phase', 'attempt', 'result', 'end']);
    expect(records[0]).toMatchObject({ type: 'start', id: log.id, project: 'radeonsi', tasks: 2, workspace: '/ws', t: '2025-03-10T12:00:01.000Z' });
    expect(records[1]).toMatchObject({ phase: 'explore', output: { files: 3 }, t: '2025-03-10T12:00:02.000Z' });
    expect(records[4]).toMatchObject({ outcome: 'succeeded', tasks: 2 });
  });

  it('makes ids that sort by time and name no directory', async () => {
    const dir = tempDir();
    const now = clock();
    const a = await SessionLog.create(dir, {}, { now });
    const b = await SessionLog.create(dir, {}, { now });
    expect(a.id < b.id).toBe(true);
    expect(a.id).toMatch(/^2025-03-10T12-00-01-000Z-[0-9a-f]{8}$/);
    expect(() => checkSessionId(a.id)).not.toThrow();
  });

  it('lands parallel appends, each as a whole line', async () => {
    const dir = tempDir();
    const log = await SessionLog.create(dir, { tasks: 1 });
    const big = 'z'.repeat(10_000);
    await Promise.all(Array.from({ length: 200 }, (_v, i) => log.append({ type: 'phase', n: i, big: i % 10 === 0 ? big : '' })));
    await log.close({ outcome: 'failed' });
    const text = readFileSync(log.file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(202);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const records = (await readSession(dir, log.id)) ?? [];
    expect(records.filter((r) => r.type === 'phase').map((r) => r.n)).toEqual(Array.from({ length: 200 }, (_v, i) => i));
  });

  it('rejects when the directory cannot be written', async () => {
    const parent = tempDir();
    writeFileSync(path.join(parent, 'file'), 'x');
    await expect(SessionLog.create(path.join(parent, 'file'), {})).rejects.toThrow();
  });
});

describe('listing and reading', () => {
  it('lists sessions newest first with start, tasks and outcome', async () => {
    const dir = tempDir();
    const now = clock();
    const done = await SessionLog.create(dir, { project: 'radeonsi', tasks: 3 }, { now });
    await done.close({ outcome: 'succeeded', tasks: 2 });
    const crashed = await SessionLog.create(dir, { project: 'exec', tasks: 4 }, { now });
    await crashed.append({ type: 'phase', phase: 'explore' });
    const untold = await SessionLog.create(dir, {}, { now });
    await untold.append({ type: 'attempt', task: 'a' });
    await untold.append({ type: 'attempt', task: 'b' });
    await untold.append({ type: 'attempt', task: 'a' });

    const list = await listSessions(dir);
    expect(list).toEqual([
      { id: untold.id, started: '2025-03-10T12:00:05.000Z', tasks: 2, outcome: 'unfinished' },
      { id: crashed.id, started: '2025-03-10T12:00:03.000Z', project: 'exec', tasks: 4, outcome: 'unfinished' },
      { id: done.id, started: '2025-03-10T12:00:01.000Z', ended: '2025-03-10T12:00:02.000Z', project: 'radeonsi', tasks: 2, outcome: 'succeeded' },
    ]);
  });

  it('is empty without a sessions directory, and undefined for an unknown id', async () => {
    const dir = tempDir();
    expect(await listSessions(dir)).toEqual([]);
    expect(await readSession(dir, '2025-01-01T00-00-00-000Z-00000000')).toBeUndefined();
  });

  it('skips a torn last line and garbage in the middle', async () => {
    const dir = tempDir();
    const log = await SessionLog.create(dir, { tasks: 1 });
    await log.append({ type: 'phase', phase: 'explore' });
    appendFileSync(log.file, 'not json\n{"t":"x","type":"nonsense"}\n');
    await log.append({ type: 'phase', phase: 'reason' });
    appendFileSync(log.file, '{"t":"2025-03-10T12:00:09.000Z","type":"end","outc');
    const records = (await readSession(dir, log.id)) ?? [];
    expect(records.map((r) => r.phase ?? r.type)).toEqual(['start', 'explore', 'reason']);
    expect((await listSessions(dir))[0]).toMatchObject({ id: log.id, tasks: 1, outcome: 'unfinished' });
  });

  it('reads only both ends of a long log', async () => {
    const dir = tempDir();
    const log = await SessionLog.create(dir, { project: 'big' }, { now: clock() });
    const chunk = 'p'.repeat(50_000);
    for (let i = 0; i < 40; i++) await log.append({ type: 'phase', n: i, chunk });
    await log.close({ outcome: 'failed', tasks: 7 });
    expect(statSync(log.file).size).toBeGreaterThan(1024 * 1024);
    expect(await listSessions(dir)).toEqual([
      { id: log.id, started: '2025-03-10T12:00:01.000Z', ended: '2025-03-10T12:00:42.000Z', project: 'big', tasks: 7, outcome: 'failed' },
    ]);
  });

  it('lists a file with nothing readable as unreadable', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, SESSIONS_DIR));
    writeFileSync(path.join(dir, SESSIONS_DIR, '2025-01-01T00-00-00-000Z-deadbeef.jsonl'), '{"t":');
    expect(await listSessions(dir)).toEqual([{ id: '2025-01-01T00-00-00-000Z-deadbeef', outcome: 'unreadable' }]);
  });

  it('refuses ids that are paths', async () => {
    const dir = tempDir();
    for (const id of ['../x', '..', '.', 'a/b', 'a\\b', '/etc/passwd', '', 'x/../../y', '.hidden', 'a..b']) {
      await expect(readSession(dir, id)).rejects.toThrow(/not a session id/);
    }
  });
});

describe('kill -9 while writing', () => {
  beforeAll(ensureBuilt, 120_000);

  it('leaves every record before the last readable and the run unfinished', async () => {
    const dir = tempDir();
    const script = `
      const { SessionLog } = require(process.env.MODULE);
      (async () => {
        const log = await SessionLog.create(process.env.DIR, { project: 'crash', tasks: 1 });
        process.stdout.write(log.id + '\\n');
        let i = 0;
        for (;;) {
          const batch = [];
          for (let k = 0; k < 20; k++, i++) batch.push(log.append({ type: i % 3 ? 'phase' : 'attempt', n: i, text: 'x'.repeat(i % 7 === 0 ? 5000 : 50) }));
          await Promise.all(batch);
          if (i === 100) process.stdout.write('ready\\n');
        }
      })();`;
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, MODULE: BUILT, DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) resolve();
      });
      child.on('exit', () => reject(new Error('the writer exited before it was ready')));
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const id = out.split('\n')[0];

    const text = readFileSync(path.join(dir, SESSIONS_DIR, `${id}.jsonl`), 'utf8');
    const complete = text.split('\n').slice(0, -1);
    for (const line of complete) expect(() => JSON.parse(line)).not.toThrow();
    const records = (await readSession(dir, id)) ?? [];
    expect(records).toHaveLength(complete.length);
    expect(records[0]).toMatchObject({ type: 'start', project: 'crash' });
    const numbers = records.slice(1).map((r: SessionRecord) => r.n);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_v, i) => i));
    expect(numbers.length).toBeGreaterThanOrEqual(100);
    expect(await listSessions(dir)).toEqual([{ id, started: records[0].t, project: 'crash', tasks: 1, outcome: 'unfinished' }]);
  });
});
