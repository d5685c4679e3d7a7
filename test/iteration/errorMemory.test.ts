// The error memory: records survive a reopen, similar fixes come back in the
// right order, torn and corrupt lines are skipped, the file is compacted, and
// a process killed with SIGKILL in the middle of writing leaves every earlier
// record readable.

import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { asMemoryRecord, ERROR_MEMORY_FILE, ErrorMemory, parseJsonLines, unifiedDiff, type MemoryRecord } from '../../server/src/iteration/errorMemory';
import { ensureBuilt } from '../helpers/ensureBuilt';

const REPO = path.resolve(__dirname, '..', '..');
const BUILT = path.join(REPO, 'out', 'iteration', 'errorMemory.js');

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'error-memory-'));
}

function undeclared(name: string): string {
  return `‘${name}’ undeclared (first use in this function)`;
}

/** Lines of the file: complete ones, and the torn rest (empty when the file ends with a newline). */
function fileLines(dir: string): { complete: string[]; rest: string } {
  const text = readFileSync(path.join(dir, ERROR_MEMORY_FILE), 'utf8');
  const parts = text.split('\n');
  const rest = parts.pop() ?? '';
  return { complete: parts, rest };
}

describe('recording and reopening', () => {
  it('round-trips occurrences and fixes', async () => {
    const dir = tempDir();
    const memory = await ErrorMemory.open(dir);
    const occ = await memory.recordOccurrence({ message: `b.c:5:3: error: ${undeclared('foo')}`, file: 'rom/exec/b.c', line: 5, task: 'task-1' });
    await memory.recordOccurrence({ message: undeclared('bar'), file: 'rom/exec/c.c', line: 9, task: 'task-1' });
    const fix = await memory.recordFix({
      message: undeclared('foo'),
      before: 'int f(void) {\n  return foo;\n}\n',
      after: 'int f(void) {\n  int foo = 0;\n  return foo;\n}\n',
      reason: 'declared foo',
      task: 'task-1',
    });
    expect(occ.signature).toBe("'<id>' undeclared (first use in this function)");
    expect(occ.kind).toBe('undeclared');
    expect(fix.diff).toBe('@@ -1,3 +1,4 @@\n int f(void) {\n+  int foo = 0;\n   return foo;\n }\n');

    const again = await ErrorMemory.open(dir);
    expect(again.occurrences(occ.signature)).toEqual(memory.occurrences(occ.signature));
    expect(again.occurrences(occ.signature).map((o) => o.file)).toEqual(['rom/exec/b.c', 'rom/exec/c.c']);
    expect(again.fixes()).toEqual([fix]);
    expect(again.stats()).toMatchObject({ occurrences: 2, fixes: 1, signatures: 1, fixSignatures: 1, corruptLines: 0, tornTail: false });
  });

  it('stores absolute files relative to the workspace root', async () => {
    const dir = tempDir();
    const memory = await ErrorMemory.open(dir, { root: '/ws/AROS' });
    const occ = await memory.recordOccurrence({ message: undeclared('x'), file: '/ws/AROS/rom/exec/a.c', line: 1, task: 't' });
    expect(occ.file).toBe('rom/exec/a.c');
  });

  it('keeps working in memory when the directory cannot be used, and says so', async () => {
    const parent = tempDir();
    const notADir = path.join(parent, 'file');
    writeFileSync(notADir, 'x');
    const logs: string[] = [];
    const memory = await ErrorMemory.open(path.join(notADir, 'cache'), { log: (m) => logs.push(m) });
    await memory.recordFix({ message: undeclared('a'), before: 'a', after: 'b', reason: 'r', task: 't' });
    expect(memory.similarFixes(undeclared('b'))).toHaveLength(1);
    expect(logs).toHaveLength(1);
  });
});

describe('similarFixes', () => {
  let clock = 0;
  const at = (): Date => new Date(Date.UTC(2025, 0, 1, 0, 0, clock++));

  async function fill(memory: ErrorMemory): Promise<void> {
    const fix = (message: string, after: string, reason: string): Promise<unknown> =>
      memory.recordFix({ message, before: 'x\n', after, reason, task: 't', at: at() });
    await fix(undeclared('alpha'), 'declare alpha\n', 'old, used once');
    await fix(undeclared('beta'), 'include proto/exec.h\n', 'include, first');
    await fix(undeclared('gamma'), 'include proto/exec.h\n', 'include, again');
    await fix('‘SysBase’ undeclared here (not in a function)', 'extern SysBase\n', 'near');
    await fix('expected ‘;’ before ‘}’ token', 'add semicolon\n', 'syntax');
    await fix('too many arguments to function ‘f’', 'drop argument\n', 'type');
    await fix(undeclared('delta'), 'declare delta\n', 'recent, used once');
  }

  it('puts the same signature first, most reused then most recent, then the nearest', async () => {
    const memory = await ErrorMemory.open(tempDir());
    await fill(memory);
    const found = memory.similarFixes('x.c:3:1: error: ‘omega’ undeclared (first use in this function)', 5);
    expect(found.map((f) => f.reason)).toEqual(['include, again', 'recent, used once', 'old, used once', 'near']);
    expect(found[0]).toMatchObject({ uses: 2, similarity: 1 });
    expect(found[3].similarity).toBeLessThan(1);
  });

  it('honours the limit and offers nothing for unrelated errors', async () => {
    const memory = await ErrorMemory.open(tempDir());
    await fill(memory);
    expect(memory.similarFixes(undeclared('omega'))).toHaveLength(3);
    expect(memory.similarFixes(undeclared('omega'), 0)).toEqual([]);
    expect(memory.similarFixes("undefined reference to `Foo'")).toEqual([]);
    expect(memory.similarFixes('expected ‘;’ before ‘}’ token').map((f) => f.reason)).toEqual(['syntax']);
  });

  it('ranks the same after a reopen', async () => {
    const dir = tempDir();
    const memory = await ErrorMemory.open(dir);
    await fill(memory);
    const reopened = await ErrorMemory.open(dir);
    expect(reopened.similarFixes(undeclared('omega'), 5)).toEqual(memory.similarFixes(undeclared('omega'), 5));
  });
});

describe('damaged files', () => {
  async function threeRecords(dir: string): Promise<void> {
    const memory = await ErrorMemory.open(dir);
    for (let i = 0; i < 3; i++) await memory.recordOccurrence({ message: undeclared(`v${i}`), file: 'a.c', line: i, task: 't' });
  }

  it('skips a torn last line with one message and keeps everything before it', async () => {
    const dir = tempDir();
    await threeRecords(dir);
    appendFileSync(path.join(dir, ERROR_MEMORY_FILE), '{"type":"occurrence","signature":"x","ki');
    const logs: string[] = [];
    const memory = await ErrorMemory.open(dir, { log: (m) => logs.push(m) });
    expect(memory.stats()).toMatchObject({ occurrences: 3, corruptLines: 1, tornTail: true });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/incomplete last line/);

    // The next record starts on a line of its own, so it is not lost to the torn one.
    await memory.recordOccurrence({ message: undeclared('v3'), file: 'a.c', line: 3, task: 't' });
    const reopened = await ErrorMemory.open(dir);
    expect(reopened.occurrences(memory.occurrences("'<id>' undeclared (first use in this function)")[0].signature).map((o) => o.line)).toEqual([0, 1, 2, 3]);
    expect(reopened.stats()).toMatchObject({ corruptLines: 1, tornTail: false });
  });

  it('skips a complete but invalid last line', async () => {
    const dir = tempDir();
    await threeRecords(dir);
    appendFileSync(path.join(dir, ERROR_MEMORY_FILE), '{"type":"fix"}\n');
    const logs: string[] = [];
    const memory = await ErrorMemory.open(dir, { log: (m) => logs.push(m) });
    expect(memory.stats()).toMatchObject({ occurrences: 3, fixes: 0, corruptLines: 1, tornTail: true });
    expect(logs).toHaveLength(1);
  });

  it('skips and counts garbage in the middle', async () => {
    const dir = tempDir();
    const file = path.join(dir, ERROR_MEMORY_FILE);
    await threeRecords(dir);
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, [lines[0], 'garbage', '{"type":"fix","signature":"s"}', '[1,2]', lines[1], '\u0000\u0000\u0000', lines[2], ''].join('\n'));
    const logs: string[] = [];
    const memory = await ErrorMemory.open(dir, { log: (m) => logs.push(m) });
    expect(memory.stats()).toMatchObject({ occurrences: 3, corruptLines: 4, tornTail: false });
    expect(logs).toEqual([`${file}: skipped 4 unreadable lines`]);
  });

  it('validates record shapes', () => {
    expect(asMemoryRecord({ type: 'occurrence', signature: 's', kind: 'syntax', message: 'm', file: 'f', line: 1, task: 't', at: 'a' })).toBeDefined();
    expect(asMemoryRecord({ type: 'occurrence', signature: 's', kind: 'nonsense', message: 'm', file: 'f', line: 1, task: 't', at: 'a' })).toBeUndefined();
    expect(asMemoryRecord({ type: 'occurrence', signature: 's', kind: 'syntax', message: 'm', file: 'f', line: '1', task: 't', at: 'a' })).toBeUndefined();
    expect(asMemoryRecord({ type: 'fix', signature: 's', kind: 'type', message: 'm', task: 't', at: 'a', before: '', after: '', diff: '' })).toBeUndefined();
  });
});

describe('compaction', () => {
  it('keeps every fix and the newest occurrences within the size bound', async () => {
    const dir = tempDir();
    const file = path.join(dir, ERROR_MEMORY_FILE);
    const maxBytes = 8000;
    const logs: string[] = [];
    const memory = await ErrorMemory.open(dir, { maxBytes, log: (m) => logs.push(m) });
    for (let i = 0; i < 5; i++) {
      await memory.recordFix({ message: `expected ‘;’ before ‘x${i}’`, before: `a${i}`, after: `b${i}`, reason: `fix ${i}`, task: 't' });
    }
    for (let i = 0; i < 200; i++) await memory.recordOccurrence({ message: undeclared(`v${i}`), file: 'a.c', line: i, task: 't' });

    expect(memory.stats().compactions).toBeGreaterThan(0);
    expect(statSync(file).size).toBeLessThanOrEqual(maxBytes);
    expect(logs.every((l) => /compacted/.test(l))).toBe(true);
    const reopened = await ErrorMemory.open(dir);
    expect(reopened.fixes().map((f) => f.reason)).toEqual(['fix 0', 'fix 1', 'fix 2', 'fix 3', 'fix 4']);
    const lines = reopened.occurrences("'<id>' undeclared (first use in this function)").map((o) => o.line);
    // The newest survive, in order, ending with the last one written.
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(200);
    expect(lines).toEqual(Array.from({ length: lines.length }, (_v, k) => 200 - lines.length + k));
    expect(reopened.stats().occurrences).toBe(memory.stats().occurrences);
    expect(readdirSync(dir)).toEqual([ERROR_MEMORY_FILE]);
  });

  it('compacts on request, keeping what another process appended', async () => {
    const dir = tempDir();
    const a = await ErrorMemory.open(dir);
    const b = await ErrorMemory.open(dir);
    await a.recordOccurrence({ message: undeclared('a'), file: 'a.c', line: 1, task: 't' });
    await b.recordFix({ message: undeclared('b'), before: 'x', after: 'y', reason: 'from b', task: 't' });
    await a.compact();
    expect(a.fixes().map((f) => f.reason)).toEqual(['from b']);
    expect((await ErrorMemory.open(dir)).stats()).toMatchObject({ occurrences: 1, fixes: 1, corruptLines: 0 });
  });
});

describe('concurrent appends', () => {
  it('land every record, each as a whole line', async () => {
    const dir = tempDir();
    const memory = await ErrorMemory.open(dir);
    const long = 'y'.repeat(20_000);
    await Promise.all(
      Array.from({ length: 200 }, (_v, i) =>
        i % 4 === 0
          ? memory.recordFix({ message: undeclared(`v${i}`), before: long, after: `${long}${i}`, reason: `r${i}`, task: 't' })
          : memory.recordOccurrence({ message: undeclared(`v${i}`), file: 'a.c', line: i, task: 't' }),
      ),
    );
    const { complete, rest } = fileLines(dir);
    expect(rest).toBe('');
    expect(complete).toHaveLength(200);
    for (const line of complete) expect(asMemoryRecord(JSON.parse(line))).toBeDefined();
  });

  it('from two memories on one directory', async () => {
    const dir = tempDir();
    const [a, b] = await Promise.all([ErrorMemory.open(dir), ErrorMemory.open(dir)]);
    await Promise.all(
      Array.from({ length: 100 }, (_v, i) => [
        a.recordOccurrence({ message: undeclared(`a${i}`), file: 'a.c', line: i, task: 'a' }),
        b.recordOccurrence({ message: undeclared(`b${i}`), file: 'b.c', line: i, task: 'b' }),
      ]).flat(),
    );
    const read = parseJsonLines(readFileSync(path.join(dir, ERROR_MEMORY_FILE), 'utf8'), asMemoryRecord);
    expect(read.corrupt).toBe(0);
    const byTask = (task: string): number[] => read.records.filter((r) => r.task === task).map((r) => (r.type === 'occurrence' ? r.line : -1));
    expect(byTask('a')).toEqual(Array.from({ length: 100 }, (_v, i) => i));
    expect(byTask('b')).toEqual(Array.from({ length: 100 }, (_v, i) => i));
  });
});

describe('kill -9 while writing', () => {
  beforeAll(ensureBuilt, 120_000);

  it('leaves every record before the last readable', async () => {
    const dir = tempDir();
    // Batches of writes in flight at once, a fix every fifth record, so the kill can land anywhere.
    const script = `
      const { ErrorMemory } = require(process.env.MODULE);
      (async () => {
        const memory = await ErrorMemory.open(process.env.DIR);
        let i = 0;
        for (;;) {
          const batch = [];
          for (let k = 0; k < 20; k++, i++) {
            const message = '‘v' + i + '’ undeclared (first use in this function)';
            batch.push(i % 5 === 4
              ? memory.recordFix({ message, before: 'b'.repeat(3000), after: 'a' + i, reason: String(i), task: 't' })
              : memory.recordOccurrence({ message, file: 'a.c', line: i, task: 't' }));
          }
          await Promise.all(batch);
          if (i === 100) process.stdout.write('ready\\n');
        }
      })();`;
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, MODULE: BUILT, DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve();
      });
      child.on('exit', () => reject(new Error('the writer exited before it was ready')));
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const { complete, rest } = fileLines(dir);
    const parsed = complete.map((l) => asMemoryRecord(JSON.parse(l)));
    expect(parsed.every((r) => r !== undefined)).toBe(true);
    // Written in order: record i is occurrence line i or the fix with reason i.
    const sequence = (parsed as MemoryRecord[]).map((r) => (r.type === 'occurrence' ? r.line : Number(r.reason)));
    expect(sequence).toEqual(Array.from({ length: sequence.length }, (_v, i) => i));
    expect(sequence.length).toBeGreaterThanOrEqual(100);

    const logs: string[] = [];
    const memory = await ErrorMemory.open(dir, { log: (m) => logs.push(m) });
    expect(memory.stats().occurrences + memory.stats().fixes).toBe(complete.length);
    expect(memory.stats().tornTail).toBe(rest !== '');
    expect(logs).toHaveLength(rest !== '' ? 1 : 0);

    // And it goes on: a record after the crash is readable too.
    await memory.recordOccurrence({ message: undeclared('after'), file: 'a.c', line: -1, task: 'after' });
    const reopened = await ErrorMemory.open(dir);
    expect(reopened.stats().occurrences + reopened.stats().fixes).toBe(complete.length + 1);
  });
});

describe('unifiedDiff', () => {
  it('matches diff -U2 hunks', () => {
    const a = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n';
    const b = 'a\nB\nc\nd\ne\nf\ng\nh\nJ\nk\n';
    expect(unifiedDiff(a, b)).toBe('@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n d\n@@ -7,4 +7,4 @@\n g\n h\n-i\n-j\n+J\n+k\n');
    expect(unifiedDiff('a\nb\nc\nd\ne\nf\n', 'a\nb\nc\nX\nd\ne\nf\n')).toBe('@@ -2,4 +2,5 @@\n b\n c\n+X\n d\n e\n');
    expect(unifiedDiff('a\nb\nc\nd\ne\nf\n', 'a\nb\nc\nX\nd\ne\nf\n', 0)).toBe('@@ -3,0 +4 @@\n+X\n');
  });

  it('handles empty sides and equal texts', () => {
    expect(unifiedDiff('', 'x\ny\n')).toBe('@@ -0,0 +1,2 @@\n+x\n+y\n');
    expect(unifiedDiff('x\ny\n', '')).toBe('@@ -1,2 +0,0 @@\n-x\n-y\n');
    expect(unifiedDiff('same\n', 'same\n')).toBe('');
  });

  it('joins changes whose contexts touch', () => {
    const diff = unifiedDiff('1\n2\n3\n4\n5\n6\n', '1\nX\n3\n4\nY\n6\n');
    expect(diff).toBe('@@ -1,6 +1,6 @@\n 1\n-2\n+X\n 3\n 4\n-5\n+Y\n 6\n');
  });
});
