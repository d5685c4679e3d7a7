// The gcc/clang output parser: literal outputs (written by us in the shape
// gcc 12 and clang print), then real gcc runs on files written into a temp dir.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapDiagnostics, parseGccOutput, type CompilerDiagnostic } from '../../server/src/iteration/gccDiagnostics';

const CWD = '/src/proj';

describe('parseGccOutput: gcc text', () => {
  const gcc = [
    'In file included from mid.h:1,',
    '                 from a.c:1:',
    'bad.h: In function ‘f’:',
    'bad.h:5:12: error: ‘undefined_thing’ undeclared (first use in this function)',
    '    5 |     return undefined_thing;',
    '      |            ^~~~~~~~~~~~~~~',
    'bad.h:5:12: note: each undeclared identifier is reported only once for each function it appears in',
    'bad.h:6:3: error: second error in the same header',
    'a.c: In function ‘h’:',
    'a.c:6:15: warning: initialization of ‘char *’ from ‘int’ makes pointer from integer without a cast [-Wint-conversion]',
    '    6 |     char *p = 5;',
    '      |               ^',
    'a.c:7:5: error: too many arguments to function ‘g’',
    '    7 |     g(1, 2);',
    '      |     ^',
    'a.c:2:12: note: declared here',
    '    2 | static int g(int x);',
    '      |            ^',
    'a.c:8:13: error: expected ‘;’ before ‘}’ token',
    '    8 |     return 0',
    '      |             ^',
    '      |             ;',
    '    9 | }',
    '      | ~            ',
    'a.c:5:9: warning: unused variable ‘unused’ [-Wunused-variable]',
    'a.c: At top level:',
    'a.c:2:12: warning: ‘g’ used but never defined',
    'a.c:9: warning: no column here',
  ].join('\n');
  const diags = parseGccOutput(gcc, CWD);

  it('finds every error and warning, with notes attached rather than listed', () => {
    expect(diags.map((d) => [path.basename(d.file), d.line, d.severity])).toEqual([
      ['bad.h', 5, 'error'],
      ['bad.h', 6, 'error'],
      ['a.c', 6, 'warning'],
      ['a.c', 7, 'error'],
      ['a.c', 8, 'error'],
      ['a.c', 5, 'warning'],
      ['a.c', 2, 'warning'],
      ['a.c', 9, 'warning'],
    ]);
  });

  it('resolves paths against cwd and keeps columns (absent when not printed)', () => {
    expect(diags[0]!.file).toBe('/src/proj/bad.h');
    expect(diags[0]!.column).toBe(12);
    expect(diags[7]!.column).toBeUndefined();
  });

  it('splits the flag from the message', () => {
    expect(diags[2]!.flag).toBe('-Wint-conversion');
    expect(diags[2]!.message).toBe('initialization of ‘char *’ from ‘int’ makes pointer from integer without a cast');
    expect(diags[5]!.flag).toBe('-Wunused-variable');
    expect(diags[3]!.flag).toBeUndefined();
  });

  it('attaches notes to the diagnostic before them', () => {
    expect(diags[0]!.notes).toHaveLength(1);
    expect(diags[0]!.notes[0]!.message).toMatch(/reported only once/);
    expect(diags[3]!.notes).toEqual([
      { file: '/src/proj/a.c', line: 2, column: 12, severity: 'note', message: 'declared here', notes: [], includeChain: [] },
    ]);
  });

  it('reads the include chain innermost first, and keeps it for the next diagnostic in the same header', () => {
    const chain = [
      { file: '/src/proj/mid.h', line: 1 },
      { file: '/src/proj/a.c', line: 1 },
    ];
    expect(diags[0]!.includeChain).toEqual(chain);
    expect(diags[1]!.includeChain).toEqual(chain);
    expect(diags[2]!.includeChain).toEqual([]);
  });

  it('keeps a header’s chain across diagnostics in other files, as gcc prints it only once', () => {
    const text = [
      "/ws/a.c:65:26: warning: passing argument 1 of 'F' makes pointer from integer without a cast [-Wint-conversion]",
      'In file included from /ws/a.c:8:',
      "/ws/x.h:54:45: note: expected 'struct MemHeader *' but argument is of type 'IPTR'",
      "/ws/a.c:65:5: error: too few arguments to function 'F'",
      '/ws/x.h:54:6: note: declared here',
    ].join('\n');
    const [warning, error] = parseGccOutput(text, CWD);
    expect(warning!.notes[0]!.includeChain).toEqual([{ file: '/ws/a.c', line: 8 }]);
    expect(error!.includeChain).toEqual([]);
    expect(error!.notes[0]!.includeChain).toEqual([{ file: '/ws/a.c', line: 8 }]);
  });

  it('reads fatal errors', () => {
    const out = parseGccOutput(
      ['b.c:1:10: fatal error: nonexistent.h: No such file or directory', '    1 | #include <nonexistent.h>', '      |          ^~~~~~~~~~~~~~~', 'compilation terminated.'].join('\n'),
      CWD,
    );
    expect(out).toEqual([
      { file: '/src/proj/b.c', line: 1, column: 10, severity: 'fatal', message: 'nonexistent.h: No such file or directory', notes: [], includeChain: [] },
    ]);
  });

  it('normalises -Werror flags of gcc and clang', () => {
    const out = parseGccOutput(
      ['e.c:2:22: error: unused variable ‘u’ [-Werror=unused-variable]', "e.c:3:7: error: unused variable 'v' [-Werror,-Wunused-variable]", 'cc1: all warnings being treated as errors'].join('\n'),
      CWD,
    );
    expect(out.map((d) => [d.severity, d.flag])).toEqual([
      ['error', '-Wunused-variable'],
      ['error', '-Wunused-variable'],
    ]);
  });

  it('ignores "In function" context, inlining context, driver lines and <command-line> locations', () => {
    const out = parseGccOutput(
      [
        "In function 'copy',",
        "    inlined from 'caller' at x.c:10:3:",
        "x.c:4:5: warning: 'memcpy' writing 8 bytes [-Wstringop-overflow=]",
        'gcc: error: unrecognized command-line option ‘-Wbogus’',
        '<command-line>: warning: "FOO" redefined',
        'cc1: note: some note without a place',
      ].join('\n'),
      CWD,
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ file: '/src/proj/x.c', line: 4, column: 5, flag: '-Wstringop-overflow=', notes: [] });
  });

  it('strips colours and hyperlinks', () => {
    const text =
      '\x1b[01m\x1b[Ka.c:5:9:\x1b[m\x1b[K \x1b[01;35m\x1b[Kwarning: \x1b[m\x1b[Kunused variable ‘x’ [\x1b[01;35m\x1b[K\x1b]8;;https://gcc.gnu.org/onlinedocs/gcc/Warning-Options.html#index-Wunused-variable\x07-Wunused-variable\x1b]8;;\x07\x1b[m\x1b[K]';
    expect(parseGccOutput(text, CWD)).toEqual([
      { file: '/src/proj/a.c', line: 5, column: 9, severity: 'warning', message: 'unused variable ‘x’', flag: '-Wunused-variable', notes: [], includeChain: [] },
    ]);
  });

  it('follows make’s directory changes', () => {
    const text = [
      "make[1]: Entering directory '/build/rom/exec'",
      'allocmem.c:3:1: error: in exec',
      "make[2]: Entering directory '/build/rom/dos'",
      'open.c:4:2: warning: in dos [-Wshadow]',
      "make[2]: Leaving directory '/build/rom/dos'",
      'forbid.c:5:1: error: back in exec',
      "make[1]: Leaving directory '/build/rom/exec'",
      'top.c:1:1: error: at the top',
      'Makefile:12: *** missing separator.  Stop.',
    ].join('\n');
    expect(parseGccOutput(text, '/build').map((d) => [d.file, d.severity])).toEqual([
      ['/build/rom/exec/allocmem.c', 'error'],
      ['/build/rom/dos/open.c', 'warning'],
      ['/build/rom/exec/forbid.c', 'error'],
      ['/build/top.c', 'error'],
      ['/build/Makefile', 'fatal'],
    ]);
  });

  it('reads linker errors that carry a line', () => {
    const text = [
      "/usr/bin/ld: /tmp/ccAbc.o: in function `main':",
      "/src/proj/a.c:3: undefined reference to `missing_fn'",
      'collect2: error: ld returned 1 exit status',
    ].join('\n');
    expect(parseGccOutput(text, CWD)).toEqual([
      { file: '/src/proj/a.c', line: 3, severity: 'error', message: "undefined reference to `missing_fn'", notes: [], includeChain: [] },
    ]);
  });

  it('gives a note with no diagnostic before it as a diagnostic of its own', () => {
    const out = parseGccOutput('a.c:1:1: note: lonely', CWD);
    expect(out.map((d) => d.severity)).toEqual(['note']);
  });

  it('accepts CRLF and an empty text', () => {
    expect(parseGccOutput('', CWD)).toEqual([]);
    expect(parseGccOutput('a.c:1:2: error: x\r\n', CWD)[0]!.message).toBe('x');
  });
});

describe('parseGccOutput: clang text', () => {
  const clang = [
    'In file included from a.c:1:',
    'In file included from ./mid.h:1:',
    "./bad.h:5:12: error: use of undeclared identifier 'undefined_thing'",
    '    return undefined_thing;',
    '           ^',
    "a.c:6:15: warning: incompatible integer to pointer conversion initializing 'char *' with an expression of type 'int' [-Wint-conversion]",
    '    char *p = 5;',
    '              ^',
    "a.c:7:10: error: too many arguments to function call, expected single argument 'x', have 2 arguments",
    '    g(1, 2);',
    '    ~    ^',
    "a.c:2:1: note: 'g' declared here",
    'static int g(int x);',
    '^',
    'a.c:9:3:{9:3-9:8}: error: with a source range',
    '1 warning and 3 errors generated.',
  ].join('\n');
  const diags = parseGccOutput(clang, CWD);

  it('finds the diagnostics, notes attached', () => {
    expect(diags.map((d) => [d.file, d.line, d.column, d.severity, d.notes.length])).toEqual([
      ['/src/proj/bad.h', 5, 12, 'error', 0],
      ['/src/proj/a.c', 6, 15, 'warning', 0],
      ['/src/proj/a.c', 7, 10, 'error', 1],
      ['/src/proj/a.c', 9, 3, 'error', 0],
    ]);
    expect(diags[1]!.flag).toBe('-Wint-conversion');
    expect(diags[2]!.notes[0]!.message).toBe("'g' declared here");
  });

  it('turns clang’s outermost-first include lines into the innermost-first chain', () => {
    expect(diags[0]!.includeChain).toEqual([
      { file: '/src/proj/mid.h', line: 1 },
      { file: '/src/proj/a.c', line: 1 },
    ]);
  });
});

describe('mapDiagnostics', () => {
  const scratch = '/cache/scratch/c-1/allocmem.c';
  const original = '/ws/rom/exec/allocmem.c';
  const diag: CompilerDiagnostic = {
    file: scratch,
    line: 66,
    column: 5,
    severity: 'error',
    message: `something about ${scratch}`,
    flag: '-Wfoo',
    notes: [{ file: '/ws/rom/exec/exec_intern.h', line: 53, severity: 'note', message: 'declared here', notes: [], includeChain: [{ file: scratch, line: 8 }] }],
    includeChain: [],
  };

  it('replaces the path and maps lines of the scratch file only', () => {
    const [m] = mapDiagnostics([diag], scratch, original, (l) => (l > 65 ? l - 1 : l));
    expect(m).toEqual({
      file: original,
      line: 65,
      column: 5,
      severity: 'error',
      message: `something about ${original}`,
      flag: '-Wfoo',
      notes: [{ file: '/ws/rom/exec/exec_intern.h', line: 53, severity: 'note', message: 'declared here', notes: [], includeChain: [{ file: original, line: 8 }] }],
      includeChain: [],
    });
    // The input is not changed.
    expect(diag.file).toBe(scratch);
  });

  it('keeps lines without a map and never maps below line 1', () => {
    expect(mapDiagnostics([diag], scratch, original)[0]!.line).toBe(66);
    expect(mapDiagnostics([diag], scratch, original, () => -3)[0]!.line).toBe(1);
  });
});

describe('parseGccOutput on real gcc output', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aros-gccdiag-'));
    writeFileSync(path.join(dir, 'bad.h'), 'int hdr_a(void) { return q1; }\nint hdr_b(void) { return q2; }\n');
    writeFileSync(path.join(dir, 'mid.h'), '#include "bad.h"\n');
    writeFileSync(path.join(dir, 'main.c'), '#include "mid.h"\nint main(void)\n{\n    int unused_v;\n    return 0;\n}\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function gcc(...args: string[]): string {
    try {
      execFileSync('gcc', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return '';
    } catch (err) {
      return String((err as { stderr?: string }).stderr ?? '');
    }
  }

  it('reads a header error with its include chain from a .c file', () => {
    const diags = parseGccOutput(gcc('-fsyntax-only', '-Wall', 'main.c'), dir);
    expect(diags.map((d) => [path.basename(d.file), d.line, d.severity, d.flag])).toEqual([
      ['bad.h', 1, 'error', undefined],
      ['bad.h', 2, 'error', undefined],
      ['main.c', 4, 'warning', '-Wunused-variable'],
    ]);
    const chain = [
      { file: path.join(dir, 'mid.h'), line: 1 },
      { file: path.join(dir, 'main.c'), line: 1 },
    ];
    expect(diags[0]!.includeChain).toEqual(chain);
    expect(diags[1]!.includeChain).toEqual(chain);
    expect(diags[0]!.notes).toHaveLength(1);
    expect(diags[2]!.column).toBe(9);
  });
});
