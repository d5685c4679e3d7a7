// Scratch copies under the cache directory, compiled against the real fixture
// tree, with diagnostics mapped back to the original file.

import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandArgv, runCompiler } from '../../server/src/iteration/compileRunner';
import { mapDiagnostics } from '../../server/src/iteration/gccDiagnostics';
import { removeStaleScratch, writeScratchCopy } from '../../server/src/iteration/scratchCopy';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'aros-mini');
const REL = 'rom/exec/allocmem.c';

let cache: string;
beforeEach(() => {
  cache = mkdtempSync(path.join(os.tmpdir(), 'aros-scratch-'));
});
afterEach(() => rmSync(cache, { recursive: true, force: true }));

describe('writeScratchCopy', () => {
  it('writes the text under <cache>/scratch/<unique>/<basename> and cleans up', async () => {
    const a = await writeScratchCopy(cache, FIXTURE, REL, 'int a;\n');
    const b = await writeScratchCopy(cache, FIXTURE, REL, 'int b;\n');
    expect(path.dirname(path.dirname(a.path))).toBe(path.join(cache, 'scratch'));
    expect(path.basename(a.path)).toBe('allocmem.c');
    expect(a.path).not.toBe(b.path);
    expect(readFileSync(a.path, 'utf8')).toBe('int a;\n');
    expect(a.originalPath).toBe(path.join(FIXTURE, REL));
    const dir = path.join(FIXTURE, 'rom/exec');
    expect(a.includeArgs).toEqual(['-iquote', dir, '-I', dir]);
    // Only the file: no temporary file is left beside it.
    expect(readdirSync(path.dirname(a.path))).toEqual(['allocmem.c']);

    await a.cleanup();
    await a.cleanup(); // twice is fine
    expect(readdirSync(path.join(cache, 'scratch'))).toEqual([path.basename(path.dirname(b.path))]);
    await b.cleanup();
  });

  it('rejects paths that are absolute, climb out or name no file', async () => {
    for (const bad of ['/etc/passwd', '../outside.c', 'rom/../../x.c', 'rom/exec/..', '', 'rom/exec/', 'a\0b.c']) {
      await expect(writeScratchCopy(cache, FIXTURE, bad, 'x'), bad).rejects.toThrow();
    }
    // Nothing was written anywhere.
    expect(readdirSync(cache).flatMap((d) => readdirSync(path.join(cache, d)))).toEqual([]);
  });

  it('refuses a scratch directory that is a symbolic link', async () => {
    const elsewhere = path.join(cache, 'elsewhere');
    mkdirSync(elsewhere);
    const inner = path.join(cache, 'inner');
    mkdirSync(inner);
    symlinkSync(elsewhere, path.join(inner, 'scratch'));
    await expect(writeScratchCopy(inner, FIXTURE, REL, 'x')).rejects.toThrow(/not a plain directory/);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(lstatSync(path.join(inner, 'scratch')).isSymbolicLink()).toBe(true);
  });

  it('removes stale scratch directories only', async () => {
    const old = await writeScratchCopy(cache, FIXTURE, REL, 'old');
    const fresh = await writeScratchCopy(cache, FIXTURE, REL, 'fresh');
    const past = new Date(Date.now() - 3 * 3600_000);
    utimesSync(path.dirname(old.path), past, past);
    expect(await removeStaleScratch(cache, 3600_000)).toBe(1);
    expect(readFileSync(fresh.path, 'utf8')).toBe('fresh');
    expect(await removeStaleScratch(path.join(cache, 'none'), 0)).toBe(0);
  });
});

describe('compiling a scratch copy against the real tree', () => {
  // No "-I rom/exec": "exec_intern.h" must be found through includeArgs.
  const argv = ['gcc', '-fsyntax-only', '-Wall', '-Wextra', '-I', '${workspace}/compiler/include'];

  it('compiles an unchanged copy cleanly', async () => {
    const text = readFileSync(path.join(FIXTURE, REL), 'utf8');
    const copy = await writeScratchCopy(cache, FIXTURE, REL, text);
    try {
      const r = await runCompiler({ argv: expandArgv([...argv, ...copy.includeArgs, '${file}'], { workspace: FIXTURE, file: copy.path }), cwd: FIXTURE, timeoutMs: 60_000 });
      expect(r.stderr).toBe('');
      expect(r).toMatchObject({ exitCode: 0, diagnostics: [] });
    } finally {
      await copy.cleanup();
    }
  });

  it('maps an injected error back to the original path and line', async () => {
    const lines = readFileSync(path.join(FIXTURE, REL), 'utf8').split('\n');
    // The edit: line 65 of the original ("    if (byteSize == 0)") becomes a
    // broken call plus the original line, one line longer.
    const inserted = 65;
    lines.splice(inserted - 1, 0, '    ExecInt_FreeToHeader(byteSize);');
    // And an unused variable after it, on original line 99 ("    Permit();") -> copy line 100.
    lines.splice(99, 0, '    int spare;');
    const copy = await writeScratchCopy(cache, FIXTURE, REL, lines.join('\n'));
    try {
      const r = await runCompiler({
        argv: expandArgv([...argv, ...copy.includeArgs, '${file}'], { workspace: FIXTURE, file: copy.path }),
        cwd: FIXTURE,
        timeoutMs: 60_000,
        env: { LC_ALL: 'C' },
      });
      expect(r.exitCode).toBe(1);
      // Copy lines after the inserted line are one more than the original's.
      const toOriginal = (line: number): number => (line > inserted ? line - 1 : line);
      const mapped = mapDiagnostics(r.diagnostics, copy.path, copy.originalPath, toOriginal);
      const original = path.join(FIXTURE, REL);
      const errors = mapped.filter((d) => d.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((d) => d.file === original && d.line === 65)).toBe(true);
      expect(errors[0]!.message).toMatch(/ExecInt_FreeToHeader/);
      // The prototype in the real exec_intern.h, included from the original file's line 8.
      const note = errors.flatMap((d) => d.notes).find((n) => n.message === 'declared here');
      expect(note).toMatchObject({ file: path.join(FIXTURE, 'rom/exec/exec_intern.h'), line: 54, includeChain: [{ file: original, line: 8 }] });
      const unused = mapped.find((d) => d.flag === '-Wunused-variable');
      expect(unused).toMatchObject({ file: original, line: 99, severity: 'warning', message: "unused variable 'spare'" });
      // Nothing points at the scratch copy any more.
      expect(JSON.stringify(mapped)).not.toContain(copy.path);
    } finally {
      await copy.cleanup();
    }
  });
});
