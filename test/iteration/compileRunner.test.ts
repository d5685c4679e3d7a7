// The compile runner with real processes: gcc on the fixture, process groups
// killed on timeout and cancellation, bounded output, no shell.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandArgv, runCompiler, type CompileResult } from '../../server/src/iteration/compileRunner';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'aros-mini');
const GCC = ['gcc', '-fsyntax-only', '-Wall', '-Wextra', '-I', 'compiler/include', '-I', 'rom/exec'];
/** Generous: proves a kill happened, says nothing about speed. */
const KILLED_WITHIN_MS = 10_000;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'aros-compile-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Pids of the group that are running (zombies excluded: this machine's init may never reap them). */
function runningInGroup(pgid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,pgid=,stat='], { encoding: 'utf8' }).trim().split('\n');
  return rows
    .map((row) => row.trim().split(/\s+/))
    .filter(([, g, stat]) => Number(g) === pgid && !stat!.startsWith('Z'))
    .map(([pid]) => Number(pid));
}

function isRunning(pid: number): boolean {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat !== '' && !stat.startsWith('Z');
  } catch {
    return false; // ps exits 1 when the pid does not exist.
  }
}

function expectGroupGone(result: CompileResult, grandchild: number): void {
  expect(result.pid).toBeGreaterThan(0);
  expect(runningInGroup(result.pid!)).toEqual([]);
  expect(isRunning(grandchild)).toBe(false);
}

function firstPid(text: string): number {
  const pid = Number(text.trim().split('\n')[0]);
  expect(pid).toBeGreaterThan(0);
  return pid;
}

describe('runCompiler with gcc', () => {
  it('compiles fixture files cleanly', async () => {
    for (const file of ['rom/exec/allocmem.c', 'rom/exec/allocpooled.c', 'workbench/hidds/radeonsi/radeonsi_init.c']) {
      const r = await runCompiler({ argv: [...GCC, file], cwd: FIXTURE, timeoutMs: 60_000 });
      expect({ file, exitCode: r.exitCode, stderr: r.stderr, diagnostics: r.diagnostics }).toEqual({ file, exitCode: 0, stderr: '', diagnostics: [] });
      expect(r.timedOut || r.cancelled).toBe(false);
    }
  });

  it('reports a broken copy’s errors on the right lines, with flags, notes and include chains', async () => {
    const lines = readFileSync(path.join(FIXTURE, 'rom/exec/allocmem.c'), 'utf8').split('\n');
    // Inserted bottom-up so the numbers below are the broken file's lines.
    lines.splice(98, 0, '    Permit(undeclared_lock);'); // line 101 after the two insertions above it
    lines.splice(75, 0, '        result = ExecInt_AllocFromHeader(mh, byteSize);'); // line 77
    lines.splice(63, 0, '    int unused_counter;'); // line 64
    const broken = path.join(tmp, 'broken.c');
    writeFileSync(broken, lines.join('\n'));

    const r = await runCompiler({ argv: [...GCC, broken], cwd: FIXTURE, timeoutMs: 60_000, env: { LC_ALL: 'C' } });
    expect(r.exitCode).toBe(1);
    const summary = r.diagnostics.map((d) => ({ file: d.file, line: d.line, column: d.column, severity: d.severity, flag: d.flag }));
    expect(summary).toEqual([
      { file: broken, line: 77, column: 18, severity: 'error', flag: undefined },
      { file: broken, line: 101, column: 27, severity: 'error', flag: undefined },
      { file: broken, line: 101, column: 5, severity: 'error', flag: undefined },
      { file: broken, line: 64, column: 9, severity: 'warning', flag: '-Wunused-variable' },
    ]);
    const [tooFew, macro, undeclared, unused] = r.diagnostics as [typeof r.diagnostics[0], typeof r.diagnostics[0], typeof r.diagnostics[0], typeof r.diagnostics[0]];
    expect(tooFew.message).toBe("too few arguments to function 'ExecInt_AllocFromHeader'");
    expect(tooFew.notes).toEqual([
      {
        file: path.join(FIXTURE, 'rom/exec/exec_intern.h'),
        line: 53,
        column: 6,
        severity: 'note',
        message: 'declared here',
        notes: [],
        includeChain: [{ file: broken, line: 8 }],
      },
    ]);
    // gcc prints no column for a macro definition.
    expect(macro.notes[0]).toMatchObject({ file: path.join(FIXTURE, 'compiler/include/proto/exec.h'), line: 26, severity: 'note' });
    expect(macro.notes[0]!.column).toBeUndefined();
    expect(macro.notes[0]!.includeChain).toEqual([{ file: broken, line: 21 }]);
    expect(undeclared.message).toMatch(/'Permit' undeclared/);
    expect(undeclared.notes).toHaveLength(1);
    expect(unused.message).toBe("unused variable 'unused_counter'");
  });
});

describe('runCompiler: processes', () => {
  it('times out a hanging command and kills its whole group, grandchildren included', async () => {
    const t0 = Date.now();
    const r = await runCompiler({ argv: ['sh', '-c', 'sleep 100 & echo $!; sleep 100'], cwd: tmp, timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(KILLED_WITHIN_MS);
    expect(r).toMatchObject({ timedOut: true, cancelled: false, exitCode: null, signal: 'SIGTERM' });
    expectGroupGone(r, firstPid(r.stdout));
  });

  it('escalates to SIGKILL when the group ignores SIGTERM', async () => {
    const t0 = Date.now();
    // An ignored signal stays ignored across exec, so the sleep ignores SIGTERM too.
    const r = await runCompiler({ argv: ['sh', '-c', "trap '' TERM; sleep 100 & echo $!; wait"], cwd: tmp, timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(KILLED_WITHIN_MS);
    expect(r).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expectGroupGone(r, firstPid(r.stdout));
  });

  it('kills the group when cancelled through the AbortSignal', async () => {
    const ac = new AbortController();
    let runningBeforeAbort = false;
    const onOutput = (chunk: string, stream: string): void => {
      if (stream !== 'stdout') return;
      runningBeforeAbort = isRunning(firstPid(chunk)); // the check below is not vacuous
      ac.abort();
    };
    const t0 = Date.now();
    const r = await runCompiler({ argv: ['sh', '-c', 'sleep 100 & echo $!; sleep 100'], cwd: tmp, timeoutMs: 60_000 }, { signal: ac.signal, onOutput });
    expect(Date.now() - t0).toBeLessThan(KILLED_WITHIN_MS);
    expect(runningBeforeAbort).toBe(true);
    expect(r).toMatchObject({ cancelled: true, timedOut: false, exitCode: null });
    expectGroupGone(r, firstPid(r.stdout));
  });

  it('starts nothing when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await runCompiler({ argv: ['sh', '-c', 'echo ran'], cwd: tmp, timeoutMs: 60_000 }, { signal: ac.signal });
    expect(r).toMatchObject({ cancelled: true, exitCode: null, stdout: '' });
    expect(r.pid).toBeUndefined();
  });

  it('kills what a command left running in the background when it exits', async () => {
    const r = await runCompiler({ argv: ['sh', '-c', 'sleep 100 & echo $!'], cwd: tmp, timeoutMs: 60_000 });
    expect(r).toMatchObject({ exitCode: 0, timedOut: false, cancelled: false });
    expectGroupGone(r, firstPid(r.stdout));
  });

  it('keeps memory bounded when a command floods its output', async () => {
    const max = 1 << 20;
    const total = 100_000_000;
    const r = await runCompiler({
      argv: ['sh', '-c', `yes aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | head -c ${total}`],
      cwd: tmp,
      timeoutMs: 120_000,
      maxOutputBytes: max,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBeLessThanOrEqual(max);
    expect(r.truncatedBytes).toBeGreaterThan(total - max);
    expect(r.truncatedBytes).toBeLessThan(total);
    expect(r.stdout.startsWith('aaaa')).toBe(true);
    expect(r.stdout).toContain(`[aros-lsp: ${r.truncatedBytes} bytes dropped]`);
    expect(r.stdout.endsWith('a')).toBe(true); // the last bytes of the stream are kept
  });

  it('decodes invalid UTF-8 leniently and streams both outputs', async () => {
    const chunks: Record<string, string> = { stdout: '', stderr: '' };
    const r = await runCompiler(
      { argv: [process.execPath, '-e', 'process.stdout.write(Buffer.from([0x66, 0xff, 0x67])); process.stderr.write("é")'], cwd: tmp, timeoutMs: 60_000 },
      { onOutput: (chunk, stream) => (chunks[stream] += chunk) },
    );
    expect(r.stdout).toBe('f\uFFFDg');
    expect(r.stderr).toBe('é');
    expect(chunks).toEqual({ stdout: 'f\uFFFDg', stderr: 'é' });
    expect(r.truncatedBytes).toBe(0);
  });

  it('passes the environment, merged over this process’s', async () => {
    const r = await runCompiler({ argv: ['sh', '-c', 'echo "$AROS_TEST_VAR:${PATH:+has-path}"'], cwd: tmp, timeoutMs: 60_000, env: { AROS_TEST_VAR: 'v1' } });
    expect(r.stdout).toBe('v1:has-path\n');
  });

  it('reports a missing program as a sentence, never a throw', async () => {
    const r = await runCompiler({ argv: ['aros-lsp-no-such-compiler', '-c', 'x.c'], cwd: tmp, timeoutMs: 60_000 });
    expect(r.spawnError).toBe("the compile command 'aros-lsp-no-such-compiler' was not found");
    expect(r).toMatchObject({ exitCode: null, timedOut: false, cancelled: false, diagnostics: [] });
  });

  it('reports an empty command and a missing directory', async () => {
    expect((await runCompiler({ argv: [], cwd: tmp, timeoutMs: 1000 })).spawnError).toBe('the compile command is empty');
    const missing = path.join(tmp, 'no-such-dir');
    expect((await runCompiler({ argv: ['gcc'], cwd: missing, timeoutMs: 1000 })).spawnError).toBe(`the compile directory '${missing}' does not exist`);
  });

  it('reports the exit code of a failing command', async () => {
    const r = await runCompiler({ argv: ['sh', '-c', 'echo oops >&2; exit 3'], cwd: tmp, timeoutMs: 60_000 });
    expect(r).toMatchObject({ exitCode: 3, signal: null, stderr: 'oops\n' });
  });
});

describe('expandArgv and no shell', () => {
  const vars = { file: '/ws/rom/exec/allocmem.c', workspace: '/ws' };

  it('substitutes whole arguments and text within arguments', () => {
    expect(expandArgv(['gcc', '-I${workspace}/compiler/include', '${file}', '-DF="${file}:${workspace}"'], vars)).toEqual([
      'gcc',
      '-I/ws/compiler/include',
      '/ws/rom/exec/allocmem.c',
      '-DF="/ws/rom/exec/allocmem.c:/ws"',
    ]);
  });

  it('never splits or joins arguments', () => {
    const out = expandArgv(['cc', '${file}', ''], { file: 'a b\tc; d' });
    expect(out).toEqual(['cc', 'a b\tc; d', '']);
  });

  it('rejects unknown and unterminated placeholders', () => {
    expect(() => expandArgv(['gcc', '${fiel}'], vars)).toThrow(/unknown placeholder '\$\{fiel\}'/);
    expect(() => expandArgv(['gcc', '${file'], vars)).toThrow(/unterminated placeholder/);
    expect(() => expandArgv(['gcc', '${toString}'], vars)).toThrow(/unknown placeholder/);
  });

  it('keeps other dollars literally; $${ is a literal ${', () => {
    expect(expandArgv(['$HOME', 'a$', '$${file}', '$$x'], vars)).toEqual(['$HOME', 'a$', '${file}', '$$x']);
  });

  it('hands shell syntax to the program as one literal argument', async () => {
    const sentinel = path.join(tmp, 'must-not-exist');
    const argv = expandArgv(
      [process.execPath, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '${file}', '--ws=${workspace}'],
      { file: `x.c; rm -rf ${tmp}/x; touch ${sentinel}`, workspace: `$(touch ${sentinel}) \`touch ${sentinel}\` | cat` },
    );
    const r = await runCompiler({ argv, cwd: tmp, timeoutMs: 60_000 });
    expect(JSON.parse(r.stdout)).toEqual([`x.c; rm -rf ${tmp}/x; touch ${sentinel}`, `--ws=$(touch ${sentinel}) \`touch ${sentinel}\` | cat`]);
    expect(existsSync(sentinel)).toBe(false);

    const p = await runCompiler({ argv: ['printf', '%s\\n', 'a; touch ' + sentinel, '*'], cwd: tmp, timeoutMs: 60_000 });
    expect(p.stdout).toBe(`a; touch ${sentinel}\n*\n`);
    expect(existsSync(sentinel)).toBe(false);
  });
});
