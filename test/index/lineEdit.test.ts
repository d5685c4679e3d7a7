import { describe, it, expect } from 'vitest';
import { analyzeC, type AnalyzeResult } from '../../server/src/index/analyze';
import { lexC } from '../../server/src/index/lexer';
import { analyzeLineEdit, countIdentifiers } from '../../server/src/index/lineEdit';

const FILE = [
  '#include <exec/types.h>', // 0
  '',
  '/* A widget.',
  '   AI_PURPOSE: count widgets */',
  'struct Widget { int w_Flags; };',
  '', // 5
  'static int count(struct Widget *w)',
  '{',
  '    int n = 0x1F + w->w_Flags;',
  '    const char *s = "{ not a brace";',
  '#if 0', // 10
  '    n += 2;',
  '#endif',
  '    /* inside */ n++;',
  '#define TWICE(x) \\',
  '    ((x) * 2)', // 15
  '    AROS_UFH2(void, Nested,',
  '        AROS_UFHA(APTR, data, A1),',
  '        struct Library *, lib, A6)',
  '    {',
  '        n--;', // 20
  '    }',
  "    n += 'a';",
  '    return TWICE(n);',
  '}',
  '', // 25
  'int table[] = {',
  '    1, 2, count_me,',
  '};',
  'int last(void) { return 0; }',
  'void notes(void)', // 30
  '{',
  '    /* a note',
  '       about nothing',
  '       AI_NOTE: x */',
  '    int hook_here;', // 35
  '    {',
  '        notes();',
  '    }',
  '}',
].join('\n');

function analyse(text: string, previous?: AnalyzeResult): AnalyzeResult {
  return analyzeC(text, { previous, forEditing: true });
}

function setLine(text: string, line: number, content: string): string {
  const lines = text.split('\n');
  lines[line] = content;
  return lines.join('\n');
}

function lineOf(text: string, line: number): string {
  return text.split('\n')[line];
}

/** The quick path answers from the previous state, so it keeps its identifier counts. */
function wasQuick(next: AnalyzeResult, previous: AnalyzeResult): boolean {
  return next.editing !== undefined && next.editing.counts === previous.editing?.counts;
}

function expectSameAsFresh(result: AnalyzeResult, text: string): void {
  const fresh = analyzeC(text).analysis;
  const { identifiers, ...rest } = result.analysis;
  const { identifiers: freshIdentifiers, ...freshRest } = fresh;
  expect(rest).toEqual(freshRest);
  // Names new to the file come last on the quick path; the order means nothing.
  expect([...identifiers].sort()).toEqual([...freshIdentifiers].sort());
  const counts = [...(result.editing?.counts ?? new Map<string, number>())].sort();
  expect(counts).toEqual([...countIdentifiers(lexC(text).code)].sort());
}

describe('analyzeLineEdit', () => {
  it('answers typing inside a body from the previous analysis: a new name is added, a vanished one removed', () => {
    let prev = analyse(FILE);
    let text = FILE;
    for (const word of ['n', 'nn', 'nnq', 'nn', '']) {
      text = setLine(FILE, 11, `    n += 2; ${word}`);
      const next = analyse(text, prev);
      expect(wasQuick(next, prev)).toBe(true);
      expectSameAsFresh(next, text);
      prev = next;
    }
    expect(prev.analysis.identifiers).not.toContain('nnq');
    // Typed at the end, then gone again: the one quick step that added it.
    text = setLine(text, 8, '    int n = 0x1F + w->w_Flags + fresh_name;');
    const next = analyse(text, prev);
    expect(wasQuick(next, prev)).toBe(true);
    expect(next.analysis.identifiers[next.analysis.identifiers.length - 1]).toBe('fresh_name');
  });

  it('leaves to the full analysis what could change more than identifiers', () => {
    const cases: Array<[string, number, string]> = [
      ['a comment line', 3, '   AI_PURPOSE: count widgets too */'],
      ['a comment within a body line', 13, '    /* inside! */ n++;'],
      ['opening a comment', 8, '    int n = 0x1F + w->w_Flags; /* x'],
      ['a directive in a body', 11, '#if 1'],
      ['a continued line', 15, '    ((x) * 3)'],
      ['a line that starts continuing', 8, '    int n = 0x1F + w->w_Flags; \\'],
      ['a nested hook head', 18, '        struct Library *, lib2, A6)'],
      ['an AROS macro typed', 20, '        AROS_LH0(n--;'],
      ['a brace', 20, '        n--; {'],
      ['a declaration outside bodies', 4, 'struct Widget { int w_Flags; int more; };'],
      ['the line of a body brace', 7, '{ int z;'],
      ['the closing line', 24, '} int z;'],
      ['a one-line function', 29, 'int last(void) { return 1; }'],
      ['inside a block comment in a body', 33, '       about something'],
      ['a nested AROS hook begun', 35, '    AROS_UFH0(void, Inner)'],
    ];
    for (const [what, line, content] of cases) {
      // A full analysis edits the previous tree: each case starts from its own.
      const prev = analyse(FILE);
      const text = setLine(FILE, line, content);
      const next = analyse(text, prev);
      expect(wasQuick(next, prev), what).toBe(false);
      expectSameAsFresh(next, text);
    }
    // A newline splits the line: no longer one line.
    const prev = analyse(FILE);
    const split = setLine(FILE, 20, '        n--;\n        n--;');
    expect(wasQuick(analyse(split, prev), prev)).toBe(false);
  });

  it('an unchanged text is answered at once, and a second edit builds on the first', () => {
    const prev = analyse(FILE);
    const same = analyse(FILE, prev);
    expect(same.analysis).toBe(prev.analysis);
    // Edits inside initializers and quotes are quick too.
    const t1 = setLine(FILE, 27, '    1, 2, count_me, extra,');
    const r1 = analyse(t1, prev);
    expect(wasQuick(r1, prev)).toBe(true);
    const t2 = setLine(t1, 9, '    const char *s = "{ not a brace" + other;');
    const r2 = analyse(t2, r1);
    expect(wasQuick(r2, r1)).toBe(true);
    expectSameAsFresh(r2, t2);
    expect(analyzeLineEdit(r2.editing!, setLine(t2, 0, '#include <exec/lists.h>'))).toBeUndefined();
  });

  it('a random series of one-line edits always matches a fresh analysis, on both paths', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65536) % n;
    };
    const pieces = ['x', 'n', 'tmp', ' ', ';', '1', '0x', '(', ')', '{', '}', '"', "'", '/', '*', '#', '\\', 'AROS_', 'AI_NOTE: y', '\n', '->', 'w_Flags'];
    let text = FILE;
    let prev = analyse(text);
    let quick = 0;
    let full = 0;
    for (let step = 0; step < 400; step++) {
      const lines = text.split('\n');
      const line = rand(lines.length);
      const content = lines[line];
      const at = rand(content.length + 1);
      const cut = rand(4) === 0 ? rand(Math.min(4, content.length - at) + 1) : 0;
      const piece = rand(5) === 0 ? '' : pieces[rand(pieces.length)];
      text = setLine(text, line, content.slice(0, at) + piece + content.slice(at + cut));
      const next = analyse(text, prev);
      if (wasQuick(next, prev)) quick++;
      else full++;
      expectSameAsFresh(next, text);
      prev = next;
      // Keep the file from drifting into noise: start over now and then.
      if (step % 50 === 49) {
        text = FILE;
        prev = analyse(text, prev);
      }
    }
    expect(quick).toBeGreaterThan(50);
    expect(full).toBeGreaterThan(50);
  });

  it('keeps the line starts of later lines in step with a change of length', () => {
    const prev = analyse(FILE);
    const text = setLine(FILE, 8, `${lineOf(FILE, 8)} + longer_name_here`);
    const next = analyse(text, prev);
    expect(wasQuick(next, prev)).toBe(true);
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
    expect(next.editing!.starts).toEqual(starts);
  });
});
