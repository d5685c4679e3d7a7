import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTree } from '../../server/src/bench/generateTree';
import { completionMode, isInBreadcrumbComment } from '../../server/src/completion/triggerKind';
import Parser from 'tree-sitter';
import C from 'tree-sitter-c';

// Snippets are written for these tests in the AROS layout; `|` marks the cursor and
// appears nowhere else in a snippet.

type Mode = 'none' | 'line' | 'block';

const parser = new Parser();
parser.setLanguage(C as unknown as Parser.Language);

interface Case {
  name: string;
  src: string;
  automatic?: boolean;
  mode: Mode;
  /** A word the reason must contain. */
  reason?: string;
}

function split(src: string): { text: string; offset: number } {
  const offset = src.indexOf('|');
  if (offset < 0 || src.indexOf('|', offset + 1) >= 0) throw new Error(`exactly one cursor marker expected in ${src}`);
  return { text: src.slice(0, offset) + src.slice(offset + 1), offset };
}

const AROS_BODY = `AROS_LH2(APTR, MakeWidget,
    AROS_LHA(ULONG, size, D0),
    AROS_LHA(ULONG, flags, D1),
    struct WidgetBase *, WidgetBase, 5, Widget)
{
    AROS_LIBFUNC_INIT

    |

    AROS_LIBFUNC_EXIT
}
`;

const CASES: Case[] = [
  // comments and literals
  { name: 'line comment', src: 'int x; // the widget |\n', mode: 'none', reason: 'comment' },
  { name: 'line comment, explicit', src: '// plain note |\nint x;\n', automatic: false, mode: 'none', reason: 'comment' },
  { name: 'block comment', src: '/*\n * Allocates |\n */\nint x;\n', mode: 'none', reason: 'comment' },
  { name: 'unterminated block comment', src: 'int x;\n/* todo |', mode: 'none', reason: 'comment' },
  { name: 'doc comment', src: '/** Frees a widget. |*/\nvoid f(void);\n', mode: 'none', reason: 'comment' },
  { name: 'string literal', src: 'void f(void)\n{\n    bug("size %ld|\\n", size);\n}\n', automatic: false, mode: 'none', reason: 'string' },
  { name: 'unterminated string', src: 'void f(void)\n{\n    bug("size |\n}\n', mode: 'none', reason: 'string' },
  { name: 'char literal', src: "int c = '|';\n", automatic: false, mode: 'none', reason: 'character' },
  { name: 'after a string', src: 'void f(void)\n{\n    bug("x");|\n}\n', mode: 'line' },
  { name: 'after a block comment on the line', src: 'int x; /* y */ |\n', mode: 'line' },
  { name: 'comment in a string is no comment', src: 'const char *s = "/* x */";\nint y = |', mode: 'line' },

  // breadcrumb comments
  {
    name: 'line-form breadcrumb',
    src: '// AI_PHASE: MEMORY_MANAGER\n// AI_STATUS: |\nAPTR radeon_alloc_vram(ULONG size);\n',
    mode: 'line',
    reason: 'breadcrumb',
  },
  {
    name: 'line-form breadcrumb, note line inside the run',
    src: '// AI_PHASE: GRAPHICS_PIPELINE\n// bring up the |\n// AI_STATUS: PARTIAL\nint init(void);\n',
    mode: 'line',
  },
  {
    name: 'block-form breadcrumb',
    src: '/*\n * AI_PHASE: MEMORY_MANAGER\n * AI_STRATEGY: |\n */\nAPTR radeon_alloc_vram(ULONG size);\n',
    mode: 'line',
    reason: 'breadcrumb',
  },
  { name: 'one-line block breadcrumb', src: '/* AI_STATUS: |*/\nint f(void);\n', mode: 'line' },
  { name: 'lower-case tag', src: '// ai_status: |\nint f(void);\n', mode: 'line' },
  { name: '@ai: tag', src: '/* @ai: |\n */\nint f(void);\n', mode: 'line' },
  {
    name: 'blank line ends the run',
    src: '// AI_PHASE: X\n// AI_STATUS: PARTIAL\n\n// just a note |\nint f(void);\n',
    mode: 'none',
    reason: 'comment',
  },
  { name: 'TODO is not a tag', src: '// TODO: |\nint f(void);\n', mode: 'none' },
  { name: 'trailing comment with a tag', src: 'int f(void); // AI_STATUS: |\n', mode: 'none' },
  {
    name: 'breadcrumb, automatic with text right',
    src: '// AI_PHASE: X\n// AI_STATUS: |PARTIAL\nint f(void);\n',
    mode: 'none',
    reason: 'word',
  },

  // text right of the cursor
  { name: 'mid-word, automatic', src: 'void f(void)\n{\n    Alloc|Mem(16, 0);\n}\n', mode: 'none', reason: 'word' },
  { name: 'mid-word, explicit', src: 'void f(void)\n{\n    Alloc|Mem(16, 0);\n}\n', automatic: false, mode: 'line' },
  { name: 'text right, automatic', src: 'void f(void)\n{\n    x = | + 1;\n}\n', mode: 'none', reason: 'right' },
  { name: 'text right, explicit', src: 'void f(void)\n{\n    x = | + 1;\n}\n', automatic: false, mode: 'line' },
  { name: 'closers right', src: 'void f(void)\n{\n    FreeMem(|);\n}\n', mode: 'line' },
  { name: 'closers and comma right', src: 'int a[] = { 1, |},\n', mode: 'line' },

  // blocks
  { name: 'after { at line end', src: 'int f(void) {|\n', mode: 'block', reason: 'brace' },
  { name: 'after { with closing brace right', src: 'int f(void) {|}\n', mode: 'block', reason: 'empty' },
  { name: 'empty function body', src: 'int f(void)\n{\n    |\n}\n', mode: 'block', reason: 'empty' },
  { name: 'after if (...) {', src: 'int f(int x)\n{\n    if (x > 0) {|\n    return 0;\n}\n', mode: 'block' },
  {
    name: 'blank line between statements',
    src: 'int f(void)\n{\n    int x = 1;\n    |\n    return x;\n}\n',
    mode: 'block',
    reason: 'statement',
  },
  { name: 'unclosed body', src: 'int f(void)\n{\n    int x = 1;\n    |', mode: 'block' },
  { name: 'AROS library function body', src: AROS_BODY, mode: 'block', reason: 'statement' },
  { name: 'case body', src: 'void f(int x)\n{\n    switch (x)\n    {\n    case 1:\n        |\n    }\n}\n', mode: 'block' },
  { name: 'struct body', src: 'struct Widget\n{\n    ULONG w_Size;\n    |\n};\n', mode: 'block', reason: 'struct' },
  { name: 'initializer list', src: 'static const struct TagItem tags[] = {\n    { WA_Width, 100 },\n    |\n};\n', mode: 'block' },
  { name: 'cursor before a closing brace', src: 'int f(void)\n{\n    foo();\n    |}\n', mode: 'block' },

  // mid-statement
  { name: 'mid-expression', src: 'int f(int a)\n{\n    return a + |\n}\n', mode: 'line', reason: 'statement' },
  { name: 'end of an identifier', src: 'int f(void)\n{\n    struct Widget *w = Alloc|\n}\n', mode: 'line' },
  { name: 'blank line in arguments', src: 'int f(void)\n{\n    x = foo(a,\n        |\n}\n', mode: 'line', reason: 'parentheses' },
  {
    name: 'blank line in a multi-line expression',
    src: 'int f(void)\n{\n    int x = a +\n    |\n    b;\n    return x;\n}\n',
    mode: 'line',
  },
  { name: 'blank line after if (...)', src: 'int f(int x)\n{\n    if (x)\n        |\n}\n', mode: 'line' },
  { name: 'blank line in an AROS macro head', src: 'AROS_LH1(void, FreeWidget,\n    |\n', mode: 'line' },

  // preprocessor
  { name: '#include', src: '#include <proto/|\n', mode: 'line', reason: 'preprocessor' },
  { name: '#define body', src: '#define WIDGET_SIZE(w) |\n', mode: 'line', reason: 'preprocessor' },
  { name: 'continued #define', src: '#define DOIT(x) \\\n    do { |\n', mode: 'line', reason: 'preprocessor' },
  { name: 'line after a directive', src: '#include <exec/types.h>\n|\n', mode: 'block', reason: 'top level' },

  // top level
  { name: 'empty file', src: '|', mode: 'block', reason: 'top level' },
  { name: 'top level between functions', src: 'int f(void)\n{\n    return 0;\n}\n\n|\n\nint g(void);\n', mode: 'block', reason: 'top level' },
  { name: 'top level, mid-declaration', src: 'static struct Widget *|\n', mode: 'line' },
];

describe('completionMode', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { text, offset } = split(c.src);
      const got = completionMode(text, offset, { automatic: c.automatic ?? true });
      expect(got.mode, got.reason).toBe(c.mode);
      expect(got.reason.length).toBeGreaterThan(0);
      if (c.reason) expect(got.reason).toContain(c.reason);
    });
  }

  it('gives the same answers with a tree the caller parsed', () => {
    for (const c of CASES) {
      const { text, offset } = split(c.src);
      const tree = parser.parse(text);
      const withTree = completionMode(text, offset, { automatic: c.automatic ?? true, tree });
      expect(withTree.mode, c.name).toBe(c.mode);
    }
  });

  it('clamps offsets outside the text', () => {
    expect(completionMode('int x;\n', 99, { automatic: true }).mode).toBe('block');
    expect(completionMode('int x;\n', -5, { automatic: false }).mode).toBe('line');
  });

  it('handles CRLF line ends', () => {
    const { text, offset } = split('int f(void)\r\n{\r\n    |\r\n}\r\n');
    expect(completionMode(text, offset, { automatic: true }).mode).toBe('block');
    const s = split('int x; // note |\r\nint y;\r\n');
    expect(completionMode(s.text, s.offset, { automatic: true }).mode).toBe('none');
  });

  it('decides on a 5,000-line file with a tree the caller parsed', () => {
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) {
      lines.push(`/* Function ${i}: "quoted" and 'c' */`, `int f${i}(int a)`, '{', `    return a + ${i}; // done`, '}');
    }
    const text = `${lines.join('\n')}\n`;
    const tree = parser.parse(text);
    expect(completionMode(text, text.indexOf('return a + 499') + 'return a + '.length, { automatic: false, tree }).mode).toBe('line');
    expect(completionMode(text, text.indexOf('"quoted" and') + 3, { automatic: true, tree }).mode).toBe('none');
    expect(completionMode(text, text.length, { automatic: true, tree }).mode).toBe('block');
  });
});

describe('isInBreadcrumbComment', () => {
  it('is true inside tag comments only', () => {
    const crumb = split('/*\n * AI_PHASE: X\n * AI_STATUS: |PARTIAL\n */\nint f(void);\n');
    expect(isInBreadcrumbComment(crumb.text, crumb.offset)).toBe(true);
    const plain = split('/* just |text */\nint f(void);\n');
    expect(isInBreadcrumbComment(plain.text, plain.offset)).toBe(false);
    const code = split('// AI_PHASE: X\nint |f(void);\n');
    expect(isInBreadcrumbComment(code.text, code.offset)).toBe(false);
  });
});

describe('blank lines: the parse of the construct around the cursor agrees with a parse of the whole file', () => {
  it('on every blank line of the fixture trees and of a generated tree', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trigger-window-'));
    try {
      await generateTree({ outDir: tmp, files: 60, seed: 9 });
      const files: string[] = [];
      const walk = (dir: string): void => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (/\.[ch]$/.test(e.name)) files.push(p);
        }
      };
      walk(path.join(__dirname, '..', 'fixtures'));
      walk(tmp);
      let compared = 0;
      for (const file of files) {
        const text = fs.readFileSync(file, 'latin1');
        const full = parser.parse(text);
        let lineStart = 0;
        while (lineStart <= text.length) {
          const nl = text.indexOf('\n', lineStart);
          const end = nl < 0 ? text.length : nl;
          const line = text.slice(lineStart, end);
          if (line.trim() === '' && compared < 4000) {
            const at = end;
            for (const automatic of [true, false]) {
              const windowed = completionMode(text, at, { automatic });
              const whole = completionMode(text, at, { automatic, tree: full });
              expect({ file, at, ...windowed }).toEqual({ file, at, ...whole });
            }
            compared++;
          }
          if (nl < 0) break;
          lineStart = nl + 1;
        }
      }
      expect(compared).toBeGreaterThan(500);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
