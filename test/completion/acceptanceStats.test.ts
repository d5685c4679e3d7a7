import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AcceptanceStats, dayKey, parseStatsData, readStatsFile, STATS_FILE, type ShownInfo } from '../../server/src/completion/acceptanceStats';
import { defaultSettings } from '../../server/src/config/workspaceSettings';
import { ACCEPT_COMMAND, acceptanceCommand, handleAccepted, handleShown, reopenStats, trackShown } from '../../server/src/lsp/acceptance';

const DAY1 = new Date(2025, 2, 10, 12, 0, 0);
const DAY2 = new Date(2025, 2, 11, 9, 30, 0);
const FILE = '/home/someone/AROS/rom/exec/secret_name.c';

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'acceptance-stats-'));
}

function line(chars: number, source: ShownInfo['source'] = 'model'): ShownInfo {
  return { mode: 'line', source, chars, file: FILE };
}

/** In memory, on a clock the test moves. */
function memoryStats(extra: { maxRecent?: number } = {}): { stats: AcceptanceStats; clock: { now: Date } } {
  const clock = { now: DAY1 };
  return { stats: new AcceptanceStats({ enabled: true, now: () => clock.now, ...extra }), clock };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('counting', () => {
  it('counts shown, accepted and accepted characters, overall and by mode and source', () => {
    const { stats } = memoryStats();
    expect(stats.recordShown('a', line(10))).toBe(true);
    expect(stats.recordShown('b', { mode: 'block', source: 'cache', chars: 40, file: FILE })).toBe(true);
    expect(stats.recordShown('c', line(7, 'in-flight'))).toBe(true);
    expect(stats.recordAccepted('b')).toBe(true);
    expect(stats.recordAccepted('c')).toBe(true);

    const s = stats.summary();
    expect(s.total).toMatchObject({ shown: 3, accepted: 2, acceptedChars: 47 });
    expect(s.total.rate).toBeCloseTo(2 / 3);
    expect(s.total.byMode.line).toEqual({ shown: 2, accepted: 1, acceptedChars: 7, rate: 0.5 });
    expect(s.total.byMode.block).toEqual({ shown: 1, accepted: 1, acceptedChars: 40, rate: 1 });
    expect(s.total.bySource.model).toEqual({ shown: 1, accepted: 0, acceptedChars: 0, rate: 0 });
    expect(s.total.bySource.cache).toEqual({ shown: 1, accepted: 1, acceptedChars: 40, rate: 1 });
    expect(s.total.bySource['in-flight']).toEqual({ shown: 1, accepted: 1, acceptedChars: 7, rate: 1 });
  });

  it('nothing shown is a rate of null, not a division by zero', () => {
    const { stats } = memoryStats();
    expect(stats.summary().total).toMatchObject({ shown: 0, accepted: 0, rate: null });
    expect(stats.summary().recent).toMatchObject({ days: 7, shown: 0, rate: null });
    expect(stats.summary().daily).toEqual([]);
  });

  it('counts per day; an acceptance counts on the day its suggestion was shown', () => {
    const { stats, clock } = memoryStats();
    stats.recordShown('a', line(5));
    clock.now = DAY2;
    stats.recordShown('b', line(3));
    stats.recordAccepted('a');
    const s = stats.summary();
    expect(s.daily.map((d) => [d.day, d.shown, d.accepted, d.acceptedChars])).toEqual([
      ['2025-03-11', 1, 0, 0],
      ['2025-03-10', 1, 1, 5],
    ]);
    expect(s.recent).toMatchObject({ days: 7, shown: 2, accepted: 1 });
    // A window of one day is today only.
    expect(stats.summary(1).recent).toMatchObject({ days: 1, shown: 1, accepted: 0 });
  });

  it('ignores unknown ids, repeated acceptances, repeated shown ids and bad ids', () => {
    const { stats } = memoryStats();
    stats.recordShown('a', line(4));
    expect(stats.recordAccepted('nope')).toBe(false);
    expect(stats.recordAccepted('a')).toBe(true);
    expect(stats.recordAccepted('a')).toBe(false);
    stats.recordShown('b', line(4));
    expect(stats.recordShown('b', line(400))).toBe(false);
    expect(stats.recordShown('', line(1))).toBe(false);
    expect(stats.recordShown('x'.repeat(1000), line(1))).toBe(false);
    expect(stats.summary().total).toMatchObject({ shown: 2, accepted: 1, acceptedChars: 4 });
  });

  it('remembers a bounded number of shown ids: the oldest are forgotten', () => {
    const { stats } = memoryStats({ maxRecent: 500 });
    for (let i = 0; i < 600; i++) stats.recordShown(`id${i}`, line(1));
    expect(stats.recentCount).toBe(500);
    expect(stats.recordAccepted('id0')).toBe(false);
    expect(stats.recordAccepted('id99')).toBe(false);
    expect(stats.recordAccepted('id100')).toBe(true);
    expect(stats.recordAccepted('id599')).toBe(true);
    expect(stats.recentCount).toBe(498);
    expect(stats.summary().total).toMatchObject({ shown: 600, accepted: 2 });
  });

  it('once the client reports displays, returned items count as shown only when displayed', () => {
    const { stats } = memoryStats();
    stats.recordShown('a', line(2));
    // The first report: 'a' was already counted when returned.
    expect(stats.recordDisplayed('a')).toBe(false);
    stats.recordShown('b', line(2));
    stats.recordShown('c', line(2));
    stats.recordShown('d', line(2));
    expect(stats.summary().total.shown).toBe(1);
    expect(stats.recordDisplayed('b')).toBe(true);
    expect(stats.recordDisplayed('b')).toBe(false);
    // Accepted without a display report: shown all the same.
    expect(stats.recordAccepted('c')).toBe(true);
    expect(stats.recordDisplayed('unknown')).toBe(false);
    expect(stats.summary().total).toMatchObject({ shown: 3, accepted: 1 });
  });

  it('disabled: nothing is counted', () => {
    const stats = new AcceptanceStats({ enabled: false });
    expect(stats.recordShown('a', line(3))).toBe(false);
    expect(stats.recordAccepted('a')).toBe(false);
    expect(stats.summary().total.shown).toBe(0);
  });
});

describe('persistence', () => {
  it('round trip: flushed counts are loaded by the next instance and keep adding up', async () => {
    const dir = tempDir();
    const first = await AcceptanceStats.open({ enabled: true, dir, now: () => DAY1 });
    first.recordShown('a', line(12));
    first.recordShown('b', { mode: 'block', source: 'cache', chars: 30, file: FILE });
    first.recordAccepted('a');
    await first.flush();
    expect(readdirSync(dir)).toEqual([STATS_FILE]);

    const second = await AcceptanceStats.open({ enabled: true, dir, now: () => DAY2 });
    expect(second.summary().total).toMatchObject({ shown: 2, accepted: 1, acceptedChars: 12 });
    // Ids are not persisted: an acceptance for the previous process's suggestion is unknown.
    expect(second.recordAccepted('b')).toBe(false);
    second.recordShown('c', line(1));
    second.recordAccepted('c');
    await second.flush();

    const read = await readStatsFile(path.join(dir, STATS_FILE));
    expect(read.state).toBe('ok');
    if (read.state !== 'ok') return;
    expect(read.data.total).toMatchObject({ shown: 3, accepted: 2, acceptedChars: 13 });
    expect(Object.keys(read.data.days).sort()).toEqual(['2025-03-10', '2025-03-11']);
    expect(read.data.total.byMode.block).toEqual({ shown: 1, accepted: 0, acceptedChars: 0 });
  });

  it('the file holds counts only: no file names, no ids', async () => {
    const dir = tempDir();
    const stats = await AcceptanceStats.open({ enabled: true, dir });
    stats.recordShown('id-secret', line(9));
    stats.recordAccepted('id-secret');
    await stats.flush();
    const text = readFileSync(path.join(dir, STATS_FILE), 'utf8');
    expect(text).not.toContain('secret');
    expect(text).not.toContain('rom/exec');
    expect(text).not.toContain('.c"');
    expect(parseStatsData(JSON.parse(text))).not.toBeTypeOf('string');
  });

  it('two processes on one workspace add up instead of overwriting each other', async () => {
    const dir = tempDir();
    const a = await AcceptanceStats.open({ enabled: true, dir });
    const b = await AcceptanceStats.open({ enabled: true, dir });
    a.recordShown('1', line(1));
    b.recordShown('2', line(1));
    b.recordShown('3', line(1));
    await a.flush();
    await b.flush();
    expect((await AcceptanceStats.open({ enabled: true, dir })).summary().total.shown).toBe(3);
  });

  it('saves a while after a change, not on every change', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const dir = tempDir();
    const stats = await AcceptanceStats.open({ enabled: true, dir, saveDelayMs: 5000 });
    stats.recordShown('a', line(1));
    stats.recordShown('b', line(1));
    expect(existsSync(path.join(dir, STATS_FILE))).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    // The timer's save is queued; flush() waits for it (and has nothing left to write).
    await stats.flush();
    const read = await readStatsFile(path.join(dir, STATS_FILE));
    expect(read.state === 'ok' && read.data.total.shown).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('writes atomically: no temporary file is left behind', async () => {
    const dir = path.join(tempDir(), 'not', 'yet', 'there');
    const stats = await AcceptanceStats.open({ enabled: true, dir });
    stats.recordShown('a', line(1));
    await stats.flush();
    expect(readdirSync(dir)).toEqual([STATS_FILE]);
  });

  it('a corrupt file is reported once and started afresh, without throwing', async () => {
    for (const content of ['{ not json', '[]', '{"version":1,"total":{"shown":-1},"days":{}}', '{"version":99,"total":{},"days":{}}']) {
      const dir = tempDir();
      writeFileSync(path.join(dir, STATS_FILE), content);
      const log = vi.fn<(m: string) => void>();
      const stats = await AcceptanceStats.open({ enabled: true, dir, log });
      expect(log).toHaveBeenCalledTimes(1);
      expect(log.mock.calls[0][0]).toMatch(/completion-stats\.json is unreadable .*starting fresh/);
      expect(stats.summary().total.shown).toBe(0);
      stats.recordShown('a', line(1));
      await stats.flush();
      expect(log).toHaveBeenCalledTimes(1);
      const read = await readStatsFile(path.join(dir, STATS_FILE));
      expect(read.state === 'ok' && read.data.total.shown).toBe(1);
    }
  });

  it('a failed save is reported once and the counts are kept for the next one', async () => {
    const dir = tempDir();
    // A file where the directory should be: mkdir fails.
    const blocked = path.join(dir, 'blocked');
    writeFileSync(blocked, '');
    const log = vi.fn<(m: string) => void>();
    const stats = await AcceptanceStats.open({ enabled: true, dir: blocked, log });
    stats.recordShown('a', line(1));
    await stats.flush();
    stats.recordShown('b', line(1));
    await stats.flush();
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toMatch(/could not save/);
    expect(stats.summary().total.shown).toBe(2);
  });

  it('a file that cannot be read is reported once and never written over', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, STATS_FILE));
    const log = vi.fn<(m: string) => void>();
    const stats = await AcceptanceStats.open({ enabled: true, dir, log });
    stats.recordShown('a', line(1));
    await stats.flush();
    expect(log.mock.calls.map((c) => c[0])).toEqual([expect.stringMatching(/unreadable \(cannot read it: EISDIR\)/), expect.stringMatching(/could not save/)]);
    expect(statSync(path.join(dir, STATS_FILE)).isDirectory()).toBe(true);
  });

  it('disabled: never reads or writes the file', async () => {
    const dir = tempDir();
    const stats = await AcceptanceStats.open({ enabled: false, dir });
    stats.recordShown('a', line(1));
    stats.recordAccepted('a');
    await stats.flush();
    expect(readdirSync(dir)).toEqual([]);

    writeFileSync(path.join(dir, STATS_FILE), '{ corrupt');
    const log = vi.fn<(m: string) => void>();
    await (await AcceptanceStats.open({ enabled: false, dir, log })).flush();
    expect(log).not.toHaveBeenCalled();
    expect(readFileSync(path.join(dir, STATS_FILE), 'utf8')).toBe('{ corrupt');
  });

  it('day keys are local dates', () => {
    expect(dayKey(new Date(2025, 0, 5, 23, 59))).toBe('2025-01-05');
  });
});

describe('LSP helpers', () => {
  it('acceptanceCommand is the command the client runs on accept', () => {
    expect(acceptanceCommand('x1')).toEqual({ title: expect.any(String), command: ACCEPT_COMMAND, arguments: ['x1'] });
    expect(ACCEPT_COMMAND).toBe('aros.completion.accepted');
  });

  it('trackShown records a returned suggestion under a fresh id; handleAccepted counts it once', () => {
    const { stats } = memoryStats();
    const result = { text: 'x = 0;', mode: 'line', source: 'model' };
    const first = trackShown(stats, result, FILE);
    const second = trackShown(stats, result, FILE);
    expect(first?.arguments[0]).not.toBe(second?.arguments[0]);
    expect(handleAccepted(stats, first?.arguments)).toEqual({ accepted: true });
    expect(handleAccepted(stats, first?.arguments)).toEqual({ accepted: false });
    expect(handleAccepted(stats, ['unknown'])).toEqual({ accepted: false });
    expect(stats.summary().total).toMatchObject({ shown: 2, accepted: 1, acceptedChars: 6 });
  });

  it('no stats, no text or no source: no command', () => {
    const { stats } = memoryStats();
    expect(trackShown(undefined, { text: 'x', mode: 'line', source: 'model' }, FILE)).toBeUndefined();
    expect(trackShown(new AcceptanceStats({ enabled: false }), { text: 'x', mode: 'line', source: 'model' }, FILE)).toBeUndefined();
    expect(trackShown(stats, { text: '', mode: 'line', source: 'model' }, FILE)).toBeUndefined();
    expect(trackShown(stats, { text: 'x', mode: 'none', source: 'none' }, FILE)).toBeUndefined();
    expect(stats.summary().total.shown).toBe(0);
    expect(handleAccepted(undefined, ['id'])).toEqual({ accepted: false });
  });

  it('handleAccepted refuses malformed arguments with InvalidParams', () => {
    const { stats } = memoryStats();
    for (const args of [undefined, [], [1], ['a', 'b'], [{ id: 'a' }]]) {
      expect(() => handleAccepted(stats, args)).toThrow(/takes one argument/);
    }
  });

  it('handleShown reports a display and ignores malformed params', () => {
    const { stats } = memoryStats();
    stats.recordShown('a', line(1));
    for (const params of [undefined, null, 'a', { id: 3 }, {}]) handleShown(stats, params);
    handleShown(undefined, { id: 'a' });
    handleShown(stats, { id: 'a' });
    stats.recordShown('b', line(1));
    expect(stats.summary().total.shown).toBe(1);
    handleShown(stats, { id: 'b' });
    expect(stats.summary().total.shown).toBe(2);
  });

  it('reopenStats: off is undefined, the same file keeps the instance, a new file flushes the old one', async () => {
    const root = tempDir();
    const log = (): void => undefined;
    const off = defaultSettings();
    expect(await reopenStats(undefined, root, off, log)).toBeUndefined();

    const on = { ...off, completionStats: true, cacheDir: path.join(root, '.cache') };
    const first = await reopenStats(undefined, root, on, log);
    expect(first?.file).toBe(path.join(root, '.cache', STATS_FILE));
    expect(await reopenStats(first, root, { ...on, workers: 1 }, log)).toBe(first);

    first?.recordShown('a', line(1));
    const moved = await reopenStats(first, root, { ...on, cacheDir: path.join(root, 'other') }, log);
    expect(moved).not.toBe(first);
    expect(existsSync(path.join(root, '.cache', STATS_FILE))).toBe(true);

    moved?.recordShown('b', line(1));
    expect(await reopenStats(moved, root, { ...on, cacheDir: path.join(root, 'other'), completionStats: false }, log)).toBeUndefined();
    expect(existsSync(path.join(root, 'other', STATS_FILE))).toBe(true);
  });
});
