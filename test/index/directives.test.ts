import { describe, it, expect } from 'vitest';
import { endOfDirective, scanDirectives, type Directives } from '../../server/src/index/directives';
import { lexC, lineStarts } from '../../server/src/index/lexer';
import { randomTexts } from '../helpers/randomText';

function scan(text: string): Directives {
  return scanDirectives(lexC(text).code, text, lineStarts(text));
}

function r(sl: number, sc: number, el: number, ec: number) {
  return { start: { line: sl, character: sc }, end: { line: el, character: ec } };
}

describe('scanDirectives: macros', () => {
  it('reads an object-like macro with exact ranges', () => {
    const d = scan('int a;\n#define LIMIT 10\n');
    expect(d.macros).toEqual([
      {
        name: 'LIMIT',
        kind: 'macro',
        definition: true,
        range: r(1, 0, 1, 16),
        selectionRange: r(1, 8, 1, 13),
        signature: '#define LIMIT 10',
        params: undefined,
      },
    ]);
    expect(d.blank).toEqual([[7, 23]]);
  });

  it('reads a function-like macro and its parameters', () => {
    const d = scan('#define MAX(a, b) ((a) > (b) ? (a) : (b))');
    expect(d.macros).toHaveLength(1);
    const m = d.macros[0];
    expect(m.name).toBe('MAX');
    expect(m.params).toEqual([
      { type: '', name: 'a' },
      { type: '', name: 'b' },
    ]);
    expect(m.selectionRange).toEqual(r(0, 8, 0, 11));
    expect(m.range).toEqual(r(0, 0, 0, 41));
    expect(m.signature).toBe('#define MAX(a, b) ((a) > (b) ? (a) : (b))');
  });

  it('tells `F()` (function-like, no parameters) from `F (x)` (object-like)', () => {
    const d = scan('#define EMPTY() 0\n#define OBJ (x)\n#define VA(fmt, ...) printf(fmt, __VA_ARGS__)\n');
    expect(d.macros.map((m) => [m.name, m.params])).toEqual([
      ['EMPTY', []],
      ['OBJ', undefined],
      [
        'VA',
        [
          { type: '', name: 'fmt' },
          { type: '', name: '...' },
        ],
      ],
    ]);
  });

  it('reads a macro continued over several lines with backslashes', () => {
    const text = '#define LONG(x) \\\n    do { x; } \\\n    while (0)\nint after;\n';
    const d = scan(text);
    expect(d.macros).toHaveLength(1);
    const m = d.macros[0];
    expect(m.name).toBe('LONG');
    expect(m.params).toEqual([{ type: '', name: 'x' }]);
    expect(m.range).toEqual(r(0, 0, 2, 13));
    expect(m.signature).toBe('#define LONG(x) do { x; } while (0)');
    expect(d.blank).toEqual([[0, text.indexOf('\nint after')]]);
  });

  it('reads parameters split over continuation lines', () => {
    const d = scan('#define PAIR(first, \\\n             second) first + second\n');
    expect(d.macros[0].params).toEqual([
      { type: '', name: 'first' },
      { type: '', name: 'second' },
    ]);
    expect(d.macros[0].range).toEqual(r(0, 0, 1, 35));
  });

  it('accepts spaces after `#` and indentation before it', () => {
    const d = scan('#  define SPACED 1\n   #\tdefine INDENTED 2\n');
    expect(d.macros.map((m) => [m.name, m.range, m.selectionRange])).toEqual([
      ['SPACED', r(0, 0, 0, 18), r(0, 10, 0, 16)],
      ['INDENTED', r(1, 0, 1, 22), r(1, 12, 1, 20)],
    ]);
  });

  it('ignores directives inside comments and strings', () => {
    const text = '/*\n#define HIDDEN 1\n#include <no.h>\n*/\n// #define ALSO_HIDDEN\nchar *s = "\\\n#define IN_STRING";\n#define SEEN 1\n';
    const d = scan(text);
    expect(d.macros.map((m) => m.name)).toEqual(['SEEN']);
    expect(d.includes).toEqual([]);
  });

  it('a `#` after code on the same line is not a directive', () => {
    expect(scan('int a; #define NOT 1\n').macros).toEqual([]);
  });

  it('a #define without a name yields no macro but is still blanked', () => {
    const d = scan('#define\n#define 3 x\n');
    expect(d.macros).toEqual([]);
    expect(d.blank).toEqual([
      [0, 7],
      [8, 19],
    ]);
  });

  it('#undef, #pragma, #error are blanked but are not macros', () => {
    const d = scan('#undef X\n#pragma pack(2)\n#error no\n');
    expect(d.macros).toEqual([]);
    expect(d.blank).toEqual([
      [0, 8],
      [9, 24],
      [25, 34],
    ]);
  });
});

describe('scanDirectives: includes', () => {
  it('reads system and local includes with their lines', () => {
    const d = scan('#include <exec/types.h>\n#include "widget_intern.h"\n#  include   <proto/exec.h>\n');
    expect(d.includes).toEqual([
      { path: 'exec/types.h', system: true, line: 0 },
      { path: 'widget_intern.h', system: false, line: 1 },
      { path: 'proto/exec.h', system: true, line: 2 },
    ]);
  });

  it('reads #include_next and #import, skips computed and empty includes', () => {
    const d = scan('#include_next <limits.h>\n#import "objc.h"\n#include HEADER\n#include <>\n#include " "\n');
    expect(d.includes).toEqual([
      { path: 'limits.h', system: true, line: 0 },
      { path: 'objc.h', system: false, line: 1 },
    ]);
    expect(d.blank).toHaveLength(5);
  });

  it('reads the include path from the original text (the lexer blanks string literals)', () => {
    const text = '#include "a b/c.h"\n';
    expect(lexC(text).code).toBe('#include "       "\n');
    expect(scan(text).includes).toEqual([{ path: 'a b/c.h', system: false, line: 0 }]);
  });
});

describe('scanDirectives: conditionals', () => {
  it('does not blank conditionals', () => {
    const text = '#if defined(X)\n#ifdef Y\n#ifndef Z\n#elif W\n#else\n#endif\n#endif\n#define IN 1\n#endif\n';
    const d = scan(text);
    const start = text.indexOf('#define');
    expect(d.blank).toEqual([[start, start + '#define IN 1'.length]]);
    expect(d.macros.map((m) => m.name)).toEqual(['IN']);
  });

  it('a conditional continued with a backslash is skipped as a whole', () => {
    const text = '#if A && \\\n    B\n#define X 1\n#endif';
    const d = scan(text);
    expect(d.macros.map((m) => [m.name, m.range.start.line])).toEqual([['X', 2]]);
  });
});

describe('endOfDirective', () => {
  it('ends at the newline, following backslash continuations (LF and CRLF)', () => {
    expect(endOfDirective('#define A 1\nx', 0)).toBe(11);
    expect(endOfDirective('#define A \\\n 1\nx', 0)).toBe(14);
    expect(endOfDirective('#define A \\\r\n 1\r\nx', 0)).toBe(16);
    expect(endOfDirective('#define A 1', 0)).toBe(11);
    expect(endOfDirective('#define A \\', 0)).toBe(11);
  });
});

describe('scanDirectives: where directives are found', () => {
  /** The lines the scan used to find with `/^[ \t]*#[ \t]*([a-z_]+)/gm`: start, word and where the next search began. */
  function byRegex(code: string): Array<[number, string]> {
    const re = /^[ \t]*#[ \t]*([a-z_]+)/gm;
    const out: Array<[number, string]> = [];
    let m: RegExpExecArray | null;
    while ((m = re.exec(code)) !== null) {
      out.push([m.index, m[1]]);
      re.lastIndex = endOfDirective(code, m.index);
    }
    return out;
  }

  it('finds the same directives as the regular expression it replaced, on random text', () => {
    const pieces = ['#', ' ', '\t', '\n', '\r\n', '\r', 'define', 'if', 'X', '1', '\\', '##', 'include', ' <a.h>', '(', ')', 'é', '\u2028'];
    for (const code of randomTexts(5, pieces, 4000, 16)) {
      const found = byRegex(code).filter(([, word]) => !['if', 'ifdef', 'ifndef', 'elif', 'elifdef', 'elifndef', 'else', 'endif'].includes(word));
      const d = scanDirectives(code, code, lineStarts(code));
      expect(
        d.blank.map(([start]) => start),
        JSON.stringify(code),
      ).toEqual(found.map(([start]) => start));
    }
  });
});
