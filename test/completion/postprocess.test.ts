import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  balanceBrackets,
  blockIndent,
  capLines,
  cutAtSuffixLine,
  cutExcessClosers,
  dropPrefixDuplicate,
  dropRepetition,
  firstLine,
  limitToBlock,
  postprocess,
  prefixEndsInComment,
  prefixOpeners,
  stripTrailingBlankLines,
  trimSuffixOverlap,
  type PostprocessContext,
} from '../../server/src/completion/postprocess';

// Golden cases: golden/NAME.input.json holds { note, prefix, suffix, mode, raw, indent?, maxLines? };
// golden/NAME.expected.txt holds the exact expected output ('' is an empty file).
// UPDATE_GOLDEN=1 rewrites the expected files from the current output.

const GOLDEN = join(__dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface GoldenInput extends PostprocessContext {
  raw: string;
  note?: string;
}

function readInput(file: string): GoldenInput {
  const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof data !== 'object' || data === null) throw new Error(`${file}: not an object`);
  const o = data as Record<string, unknown>;
  const str = (k: string): string => {
    const v = o[k];
    if (typeof v !== 'string') throw new Error(`${file}: "${k}" must be a string`);
    return v;
  };
  const mode = str('mode');
  if (mode !== 'line' && mode !== 'block') throw new Error(`${file}: bad mode ${mode}`);
  const input: GoldenInput = { prefix: str('prefix'), suffix: str('suffix'), mode, raw: str('raw') };
  if (typeof o.indent === 'string') input.indent = o.indent;
  if (typeof o.maxLines === 'number') input.maxLines = o.maxLines;
  if (typeof o.note === 'string') input.note = o.note;
  return input;
}

const names = readdirSync(GOLDEN)
  .filter((f) => f.endsWith('.input.json'))
  .map((f) => f.slice(0, -'.input.json'.length))
  .sort();

describe('postprocess golden cases', () => {
  it('has at least 20 cases', () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
  });

  for (const name of names) {
    it(name, () => {
      const input = readInput(join(GOLDEN, `${name}.input.json`));
      const got = postprocess(input.raw, input);
      const expectedFile = join(GOLDEN, `${name}.expected.txt`);
      if (UPDATE) writeFileSync(expectedFile, got);
      expect(got, input.note).toBe(readFileSync(expectedFile, 'utf8'));
    });
  }
});

describe('firstLine', () => {
  it('keeps the rest of the cursor line', () => {
    expect(firstLine('a, b);\n    next();')).toBe('a, b);');
    expect(firstLine('x + 1')).toBe('x + 1');
  });
  it('keeps the first line with content after a leading line break', () => {
    expect(firstLine('\n    w->x = 0;\n    w->y = 0;')).toBe('\n    w->x = 0;');
    expect(firstLine('  \n\n    a();\nb();')).toBe('  \n\n    a();');
  });
  it('keeps an unfinished first line as it is', () => {
    expect(firstLine('foo(a,\n    b);')).toBe('foo(a,');
  });
});

describe('prefixOpeners', () => {
  it('counts the brackets left open, ignoring comments, strings and directives', () => {
    const prefix = 'int f(void)\n{\n    /* ( */ bug("{[");\n#define X (\n    if (a) {\n        g(';
    expect(prefixOpeners(prefix).map((o) => prefix[o])).toEqual(['{', '{', '(']);
  });
  it('ignores char literals holding brackets', () => {
    expect(prefixOpeners("c = '(';\nx = ")).toEqual([]);
  });
});

describe('prefixEndsInComment', () => {
  it('sees line and unterminated block comments', () => {
    expect(prefixEndsInComment('int x;\n// AI_STATUS: ')).toBe(true);
    expect(prefixEndsInComment('/*\n * AI_PHASE: ')).toBe(true);
    expect(prefixEndsInComment('/* done */')).toBe(false);
    expect(prefixEndsInComment('/* done */ x = ')).toBe(false);
    expect(prefixEndsInComment('x = "// no";\n')).toBe(false);
  });
});

describe('limitToBlock', () => {
  const body = 'int f(void)\n{\n    ';
  it('stops before a line indented less than the cursor block', () => {
    expect(limitToBlock('a();\n    b();\n}\nint g(void);', body)).toBe('a();\n    b();');
  });
  it('keeps the closing line of a block the cursor opened', () => {
    expect(limitToBlock('\n    a();\n}\n\nint g(void)\n{', 'int f(void) {')).toBe('\n    a();\n}');
  });
  it('cuts "} else {" after the brace', () => {
    expect(limitToBlock('\n        a();\n    } else {\n        b();\n    }', 'void f(void)\n{\n    if (x) {')).toBe(
      '\n        a();\n    }',
    );
  });
  it('keeps "};" and "} while (x);"', () => {
    expect(limitToBlock('\n    1, 2\n};\nint y;', 'int a[] = {')).toBe('\n    1, 2\n};');
    expect(limitToBlock('\n        x--;\n    } while (x);\n    y();', 'void f(void)\n{\n    do {')).toBe('\n        x--;\n    } while (x);');
  });
  it('cuts before a closer the prefix never opened', () => {
    expect(limitToBlock('int x;\n}\nint y;', '#include <x.h>\n')).toBe('int x;');
  });
  it('stops after one definition at file level', () => {
    expect(limitToBlock('int f(void)\n{\n    return 0;\n}\n\nint g(void)\n{\n}\n', '')).toBe('int f(void)\n{\n    return 0;\n}');
  });
  it('ignores brackets in strings and comments of the suggestion', () => {
    expect(limitToBlock('bug("}");\n    /* } */\n    a();', body)).toBe('bug("}");\n    /* } */\n    a();');
  });
  it('lets directives and labels sit in column 0', () => {
    expect(limitToBlock('a();\n#ifdef X\n    b();\n#endif\nout:\n    c();\n}', body)).toBe('a();\n#ifdef X\n    b();\n#endif\nout:\n    c();');
  });
  it('takes an explicit block indentation', () => {
    expect(limitToBlock('a();\n    b();\n  c();', 'x', '    ')).toBe('a();\n    b();');
  });
});

describe('blockIndent', () => {
  it('is the cursor line indentation', () => {
    expect(blockIndent('{\n\t    ')).toBe('\t    ');
    expect(blockIndent('{\n    if (x) {')).toBe('    ');
    expect(blockIndent('anything', '  ')).toBe('  ');
  });
});

describe('cutExcessClosers', () => {
  it('keeps closers the prefix opened and cuts the first extra one', () => {
    expect(cutExcessClosers('a, b)) + 1', 2)).toBe('a, b)) + 1');
    expect(cutExcessClosers('a, b)); }', 2)).toBe('a, b));');
    expect(cutExcessClosers('0; }', 0)).toBe('0;');
  });
});

describe('dropRepetition', () => {
  it('cuts a line repeated three times after its first occurrence', () => {
    expect(dropRepetition('a();\nb();\nb();\nb();\nc();')).toBe('a();\nb();');
  });
  it('keeps a line repeated twice', () => {
    expect(dropRepetition('*d++ = *s++;\n*d++ = *s++;\nn -= 2;')).toBe('*d++ = *s++;\n*d++ = *s++;\nn -= 2;');
  });
  it('cuts two- and three-line cycles', () => {
    expect(dropRepetition('x++;\nput(x);\nx++;\nput(x);\ndone();')).toBe('x++;\nput(x);');
    expect(dropRepetition('a();\nb();\nc();\na();\nb();\nc();')).toBe('a();\nb();\nc();');
  });
  it('compares the first line with the cursor indentation', () => {
    expect(dropRepetition('f();\n    f();\n    f();', '    ')).toBe('f();');
  });
  it('leaves blank runs, stacked #endif and differently indented braces alone', () => {
    const s = 'a();\n\n\n\nb();\n#endif\n#endif\n#endif\n        }\n    }\n}';
    expect(dropRepetition(s)).toBe(s);
  });
});

describe('capLines', () => {
  it('caps the number of lines', () => {
    expect(capLines('1\n2\n3\n4', 2)).toBe('1\n2');
    expect(capLines('1\n2', 30)).toBe('1\n2');
  });
});

describe('dropPrefixDuplicate', () => {
  it('drops a first line equal to the line above the cursor', () => {
    expect(dropPrefixDuplicate('Forbid();\n    Permit();', '{\n    Forbid();\n    ')).toBe('Permit();');
  });
  it('works after a leading line break', () => {
    expect(dropPrefixDuplicate('\n    Forbid();\n    Permit();', '{\n    Forbid();')).toBe('\n    Permit();');
  });
  it('leaves a continuation of a non-blank cursor line alone', () => {
    expect(dropPrefixDuplicate('x();', 'x();\nfoo = ')).toBe('x();');
  });
  it('ignores punctuation-only lines', () => {
    expect(dropPrefixDuplicate('}\n', '    }\n')).toBe('}\n');
  });
});

describe('cutAtSuffixLine', () => {
  it('cuts at a line equal to the first line below the cursor', () => {
    expect(cutAtSuffixLine('a();\n    b();\n    c();', '{\n    ', '\n    b();\n}')).toBe('a();');
  });
  it('returns nothing when the first whole line already is the next line', () => {
    expect(cutAtSuffixLine('b();\n    c();', '{\n    ', '\n    b();\n}')).toBe('');
  });
  it('does not compare the continuation of a non-blank cursor line', () => {
    expect(cutAtSuffixLine('b();', '{\n    a = ', '\n    b();\n}')).toBe('b();');
  });
  it('ignores brace-only lines below', () => {
    expect(cutAtSuffixLine('a();\n}', '{\n    ', '\n}\n')).toBe('a();\n}');
  });
});

describe('trimSuffixOverlap', () => {
  it('drops a tail equal to the suffix start, across whitespace', () => {
    expect(trimSuffixOverlap('rp, 1, 2);', ');\n}')).toBe('rp, 1, 2');
    expect(trimSuffixOverlap('x = 1;\n    return x;\n}', '\n    return x;\n}\n')).toBe('x = 1;');
  });
  it('respects token boundaries', () => {
    expect(trimSuffixOverlap('size = w', 'w_Size;')).toBe('size = w');
    expect(trimSuffixOverlap('n = count', 't;')).toBe('n = count');
  });
  it('keeps a closer the suggestion needs for its own brackets', () => {
    expect(trimSuffixOverlap('if (x) {\n    y();\n}', '}\n')).toBe('if (x) {\n    y();\n}');
  });
  it('keeps the separating space or line break when the suffix starts with a token', () => {
    expect(trimSuffixOverlap('return x', 'x;')).toBe('return ');
    expect(trimSuffixOverlap('\n    y();\n}', '}')).toBe('\n    y();\n');
  });
  it('can leave nothing', () => {
    expect(trimSuffixOverlap('return 0;', '\n    return 0;\n')).toBe('');
  });
});

describe('balanceBrackets', () => {
  it('drops trailing closers the suffix supplies', () => {
    expect(balanceBrackets('a, b);', 'f(', ')')).toBe('a, b');
    expect(balanceBrackets('x();\n};', 'void f(void)\n{\n', '\n}\n')).toBe('x();');
  });
  it('keeps closers the suffix does not supply', () => {
    expect(balanceBrackets('a, b);', 'f(', '\n')).toBe('a, b);');
    expect(balanceBrackets('a));', 'f(g(', ')')).toBe('a)');
  });
  it('counts the suffix closers against the suggestion\'s own open brackets first', () => {
    expect(balanceBrackets('g(a', 'f(', '))')).toBe('g(a');
  });
});

describe('stripTrailingBlankLines', () => {
  it('removes whitespace-only lines at the end only', () => {
    expect(stripTrailingBlankLines('\n    a();\n  \n\t\n')).toBe('\n    a();');
    expect(stripTrailingBlankLines('a();  ')).toBe('a();  ');
  });
});

describe('postprocess', () => {
  it('returns empty for whitespace', () => {
    expect(postprocess('\n\n   ', { prefix: 'int x;\n', suffix: '', mode: 'block' })).toBe('');
  });
  it('keeps a leading line break after an opening brace', () => {
    expect(postprocess('\n    return 0;\n}', { prefix: 'int f(void) {', suffix: '\n', mode: 'block' })).toBe('\n    return 0;\n}');
  });
});
