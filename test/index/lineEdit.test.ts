import { describe, it, expect } from 'vitest';
import { analyzeC, type AnalyzeResult } from '../../server/src/index/analyze';
import { countIdentifiers, lexC } from '../../server/src/index/lexer';
import { analyzeLineEdit } from '../../server/src/index/lineEdit';

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
  '// a note that goes on \\', // 40
  '   onto this line',
  'int after_note;',
  'const char *long_string = "abc\\',
  'def";',
  '/* Limit of widgets. */', // 45
  '#define LIMIT 10',
  'int limited;',
].join('\n');

/** No breadcrumbs, no AROS functions: a text whose comment edits are answered quickly. */
const DOCS = [
  '#include <exec/types.h>', // 0
  '',
  '/*****************************************************************************',
  '',
  '    NAME',
  '        CountWidgets', // 5
  '',
  '    SYNOPSIS',
  '        int CountWidgets(struct Widget *w);',
  '',
  '    FUNCTION', // 10
  '        Counts the widgets.',
  '',
  '*****************************************************************************/',
  'int CountWidgets(struct Widget *w)',
  '{', // 15
  '    int n = w->n;',
  '    return n; /* inline */',
  '}',
  '',
  '/* The limit', // 20
  '   of widgets',
  '   in all. */',
  '#define LIMIT 10',
  '',
  '/* Not a doc:', // 25
  '   far away',
  '   from all */',
  '',
  '',
  '', // 30
  'int far;',
  '#define X 1 /* a comment on',
  '   a directive',
  '   line */',
  'int y;', // 35
].join('\n');

function autodocOf(result: AnalyzeResult, name: string): Record<string, string> | undefined {
  return result.analysis.symbols.find((s) => s.name === name)?.autodoc;
}

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

/** The quick path answers from the previous state without lexing: it keeps no lexer result. */
function wasQuick(next: AnalyzeResult, previous: AnalyzeResult): boolean {
  return next.editing !== undefined && next.editing.lex === undefined && previous.editing !== undefined;
}

/** A spliced lex updates the previous identifier counts; a full analysis counts afresh. */
function wasSpliced(next: AnalyzeResult, previous: AnalyzeResult): boolean {
  return !wasQuick(next, previous) && next.editing !== undefined && next.editing.counts === previous.editing?.counts;
}

/**
 * What a fresh analysis of `text` gives. Where the text has syntax errors, tree-sitter's
 * incremental re-parse may recover from them differently than a fresh parse (that is
 * tree-sitter's, with or without the paths here): symbols and breadcrumbs are then compared
 * only where the parse is clean, and the result says which it was.
 */
function expectSameAsFresh(result: AnalyzeResult, text: string): boolean {
  if (result.editing?.lex) expect(result.editing.lex).toEqual(lexC(text));
  if (result.editing) expect(result.editing.comments).toEqual(lexC(text).comments);
  const fresh = analyzeC(text).analysis;
  const { identifiers, symbols, breadcrumbs, ...rest } = result.analysis;
  const { identifiers: freshIdentifiers, symbols: freshSymbols, breadcrumbs: freshBreadcrumbs, ...freshRest } = fresh;
  expect(rest).toEqual(freshRest);
  // Names new to the file come last on the quick path; the order means nothing.
  expect([...identifiers].sort()).toEqual([...freshIdentifiers].sort());
  const counts = [...(result.editing?.counts ?? new Map<string, number>())].sort();
  expect(counts).toEqual([...countIdentifiers(lexC(text).code)].sort());
  if (fresh.hasErrors) return false;
  expect(symbols).toEqual(freshSymbols);
  expect(breadcrumbs).toEqual(freshBreadcrumbs);
  return true;
}

/**
 * `steps` seeded one-line edits of `file` (a piece inserted, up to four characters cut), each
 * analysed from the previous analysis and compared with a fresh one; the file starts over
 * every `restartEvery` steps, so that it does not drift into noise. How many took each path.
 */
function randomSeries(file: string, seed: number, pieces: readonly string[], steps: number, restartEvery: number): { quick: number; spliced: number; full: number; clean: number } {
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
  const counts = { quick: 0, spliced: 0, full: 0, clean: 0 };
  let text = file;
  let prev = analyse(text);
  for (let step = 0; step < steps; step++) {
    const lines = text.split('\n');
    const line = rand(lines.length);
    const content = lines[line];
    const at = rand(content.length + 1);
    const cut = rand(4) === 0 ? rand(Math.min(4, content.length - at) + 1) : 0;
    const piece = rand(5) === 0 ? '' : pieces[rand(pieces.length)];
    text = setLine(text, line, content.slice(0, at) + piece + content.slice(at + cut));
    const next = analyse(text, prev);
    if (wasQuick(next, prev)) counts.quick++;
    else if (wasSpliced(next, prev)) counts.spliced++;
    else counts.full++;
    if (expectSameAsFresh(next, text)) counts.clean++;
    prev = next;
    if (step % restartEvery === restartEvery - 1) {
      text = file;
      prev = analyse(text, prev);
    }
  }
  return counts;
}

type Case = [what: string, line: number, content: string];

/** Each case edits one line of FILE, from its own previous analysis (a full analysis edits the previous tree). */
function expectPath(cases: Case[], path: (next: AnalyzeResult, previous: AnalyzeResult) => boolean, taken: boolean, file = FILE): void {
  for (const [what, line, content] of cases) {
    const prev = analyse(file);
    const text = setLine(file, line, content);
    const next = analyse(text, prev);
    expect(path(next, prev), what).toBe(taken);
    expectSameAsFresh(next, text);
  }
}

describe('analyzeLineEdit', () => {
  it('answers typing inside a body from the previous analysis: a new name is added, a vanished one removed', () => {
    let prev = analyse(FILE);
    let text = FILE;
    for (const word of ['n', 'nn', 'nnq', 'nn', '']) {
      text = setLine(FILE, 37, `        notes(); ${word}`);
      const next = analyse(text, prev);
      expect(wasQuick(next, prev)).toBe(true);
      expectSameAsFresh(next, text);
      prev = next;
    }
    expect(prev.analysis.identifiers).not.toContain('nnq');
    // Typed at the end, then gone again: the one quick step that added it.
    text = setLine(text, 35, '    int hook_here = 0x1F + fresh_name;');
    const next = analyse(text, prev);
    expect(wasQuick(next, prev)).toBe(true);
    expect(next.analysis.identifiers[next.analysis.identifiers.length - 1]).toBe('fresh_name');
  });

  it('leaves to the full analysis what could change more than identifiers', () => {
    const cases: Case[] = [
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
    expectPath(cases, wasQuick, false);
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
    const t2 = setLine(t1, 37, '        notes("{ not a brace", other);');
    const r2 = analyse(t2, r1);
    expect(wasQuick(r2, r1)).toBe(true);
    expectSameAsFresh(r2, t2);
    expect(analyzeLineEdit(r2.editing!, setLine(t2, 0, '#include <exec/lists.h>'))).toBeUndefined();
  });

  it('a random series of one-line edits always matches a fresh analysis, on both paths', () => {
    const pieces = ['x', 'n', 'tmp', ' ', ';', '1', '0x', '(', ')', '{', '}', '"', "'", '/', '*', '/*', '*/', '//', '#', '\\', 'AROS_', 'AI_NOTE: y', '\n', '->', 'w_Flags'];
    const { quick, spliced, full, clean } = randomSeries(FILE, 7, pieces, 400, 8);
    expect(quick).toBeGreaterThan(15);
    expect(spliced).toBeGreaterThan(100);
    expect(full).toBeGreaterThan(20);
    expect(clean).toBeGreaterThan(100);
  });

  it('splices the lexer result for an edit of a comment or declaration line, entering and leaving it as before', () => {
    const cases: Case[] = [
      ['the middle of a block comment', 33, '       about something else'],
      ['the first line of a block comment', 2, '/* A widget, with more words.'],
      ['the closing line of a block comment', 3, '   AI_PURPOSE: count all widgets */'],
      ['a declaration', 4, 'struct Widget { int w_Flags; int more; };'],
      ['a comment closed and one opened on a line inside a comment', 33, '       about */ int x; /* nothing'],
      ['a line comment added to a declaration', 29, 'int last(void) { return 0; } // trailing'],
    ];
    expectPath(cases, wasSpliced, true);
    expectPath(
      [
        // Lines the lexer enters or leaves continued by a backslash are lexed in full,
        ['a continued line comment', 41, '   onto */ int x; this line'],
        ['a continued string', 44, 'd"ef";'],
        ['a line made to continue', 29, 'int last(void) { return 0; } // trailing \\'],
        // and so is a line whose end state changes (a comment opened and left open).
        ['a comment left open', 29, 'int last(void) { return 0; } /* open'],
      ],
      wasSpliced,
      false,
    );
  });

  it('reuses the directives and the absence of tags where the edited line can change neither', () => {
    const names = (r: AnalyzeResult): string[] => r.analysis.symbols.map((s) => s.name);
    // A longer line before a top-level #define: its blanked range moves with the text.
    let prev = analyse(FILE);
    let text = setLine(FILE, 42, 'int after_note; int another_one_here;');
    let next = analyse(text, prev);
    expect(wasSpliced(next, prev)).toBe(true);
    expectSameAsFresh(next, text);
    // A directive typed on a top-level line is found.
    prev = analyse(FILE);
    text = setLine(FILE, 5, '#define FIVE 5');
    next = analyse(text, prev);
    expect(wasSpliced(next, prev)).toBe(true);
    expect(names(next)).toContain('FIVE');
    expectSameAsFresh(next, text);
    // A directive edited into a declaration is gone.
    prev = analyse(FILE);
    text = setLine(FILE, 46, 'int LIMIT_gone;');
    next = analyse(text, prev);
    expect(wasSpliced(next, prev)).toBe(true);
    expect(names(next)).not.toContain('LIMIT');
    expectSameAsFresh(next, text);
    // The comment documenting a macro removed: the reused macro loses its documentation.
    prev = analyse(FILE);
    expect(prev.analysis.symbols.find((s) => s.name === 'LIMIT')?.doc).toBe('Limit of widgets.');
    text = setLine(FILE, 45, '');
    next = analyse(text, prev);
    expect(wasSpliced(next, prev)).toBe(true);
    expect(next.analysis.symbols.find((s) => s.name === 'LIMIT')?.doc).toBeUndefined();
    expectSameAsFresh(next, text);
    // A file without anything tag-shaped gets its first breadcrumb by an edited comment line.
    const untagged = setLine(setLine(FILE, 3, '   about widgets */'), 34, '       nothing more */');
    prev = analyse(untagged);
    expect(prev.editing?.maybeTags).toBe(false);
    text = setLine(untagged, 33, '       AI_STATUS: IMPLEMENTED');
    next = analyse(text, prev);
    expect(wasSpliced(next, prev)).toBe(true);
    expect(next.analysis.breadcrumbs.length).toBeGreaterThan(0);
    expectSameAsFresh(next, text);
  });

  it('after quick edits the next edit splices from the lexer result before them, with their lines', () => {
    const r0 = analyse(FILE);
    const t1 = setLine(FILE, 35, '    int hook_here = q;');
    const r1 = analyse(t1, r0);
    expect(wasQuick(r1, r0)).toBe(true);
    const t2 = setLine(t1, 37, '        notes(q, r);');
    const r2 = analyse(t2, r1);
    expect(wasQuick(r2, r1)).toBe(true);
    const t3 = setLine(t2, 33, '       about more');
    const r3 = analyse(t3, r2);
    expect(wasSpliced(r3, r2)).toBe(true);
    expectSameAsFresh(r3, t3);
    const t4 = setLine(t3, 33, '       about more and more');
    const r4 = analyse(t4, r3);
    expect(wasSpliced(r4, r3)).toBe(true);
    expectSameAsFresh(r4, t4);
    // The same after edits inside comments, whose lines the lexer blanks.
    const d0 = analyse(DOCS);
    const u1 = setLine(DOCS, 11, '        Counts the widgets twice.');
    const d1 = analyse(u1, d0);
    const u2 = setLine(u1, 16, '    int n = w->n * 2;');
    const d2 = analyse(u2, d1);
    expect(wasQuick(d1, d0) && wasQuick(d2, d1)).toBe(true);
    const u3 = setLine(u2, 23, '#define LIMIT 20');
    const d3 = analyse(u3, d2);
    expect(wasSpliced(d3, d2)).toBe(true);
    expect(expectSameAsFresh(d3, u3)).toBe(true);
  });

  it('matches a fresh analysis where neighbouring lines decide (cases a review found)', () => {
    const cases: Array<[what: string, before: string, line: number, content: string]> = [
      ['a line continuing a string from the body brace line', 'void f(void) { s = "a\\\nb"; x = 1;\n}\n', 1, 'b"; x = 1; y = 2;'],
      ['a line continuing a char literal', 'void f(void) { c = \'\\\nb\'; x = 1;\n}\n', 1, "b'; x = 1; y = 2;"],
      ['a lone carriage return before a directive in a body', 'void f(void) {\n  x = 1;\n}\n', 1, '  x = 1;\r#define Y 2'],
      ['a lone carriage return before an include in a body, removed', 'void f(void) {\n  x = 1;\r#include <q.h>\n}\n', 1, '  x = 1; z;'],
      ['a lone carriage return before an include at top level', 'int a;\nint b;\n', 0, 'int a;\r#include <y.h>'],
      ['U+2028 before a directive', 'int a;\nint b;\n', 0, 'int a;\u2028#define Z 3'],
      ['a nested hook head made a prototype', 'void f(void) {\n  AROS_UFH2(void, foo, AROS_UFHA(int, a, D0), AROS_UFHA(int, b, D1))\n  x;\n}\n', 2, '  ;'],
      [
        'a line above a nested hook made static',
        'void f(void) {\n  x;\n  AROS_UFH1(void, foo, AROS_UFHA(int, a, D0))\n  {\n  }\n}\n',
        1,
        '  static',
      ],
      ['the gap between a comment and a #define in a body closed', 'void f(void) {\n  /* Doc. */\n\n#define Q 1\n}\n', 2, '  x;'],
      ['the gap between a comment and a #define in a body opened', 'void f(void) {\n  /* Doc. */\n  x;\n#define Q 1\n}\n', 2, '  '],
      ['a comment left open to the end of the text', '/*\n', 1, 'int x;'],
      ['a comment left open to the end of a CRLF text', 'int a; /* c\r\n', 1, 'int x;'],
    ];
    for (const [what, before, line, content] of cases) {
      const prev = analyse(before);
      const text = setLine(before, line, content);
      const next = analyse(text, prev);
      const { analysis: fresh, source } = analyzeC(text);
      // The skeleton tree-sitter reads: it shows a directive missed even where the parse has errors.
      expect(next.source, what).toBe(source);
      if (!fresh.hasErrors) expect(next.analysis.symbols, what).toEqual(fresh.symbols);
      expect(next.analysis.includes, what).toEqual(fresh.includes);
      expect([...next.analysis.identifiers].sort(), what).toEqual([...fresh.identifiers].sort());
      if (next.editing?.lex) expect(next.editing.lex, what).toEqual(lexC(text));
    }
  });

  it('answers typing inside a block comment by attaching the documentation again', () => {
    const prev = analyse(DOCS);
    expect(autodocOf(prev, 'CountWidgets')?.FUNCTION).toContain('Counts the widgets.');
    const cases: Case[] = [
      ['an AutoDoc section', 11, '        Counts the widgets, and more.'],
      ['a blank line in an AutoDoc', 12, '        Returns their number.'],
      ['a section name', 10, '    RESULT'],
      ['a line of a plain doc comment', 21, '   of all widgets'],
      ['a comment far from any symbol', 26, '   further away'],
    ];
    expectPath(cases, wasQuick, true, DOCS);
    // Each edit consumes the state it starts from (see analyzeLineEdit).
    const t1 = setLine(DOCS, 11, '        Counts the widgets, and more.');
    const r1 = analyse(t1, prev);
    expect(autodocOf(r1, 'CountWidgets')?.FUNCTION).toContain('Counts the widgets, and more.');
    // The previous analysis, published to the index, keeps its own documentation.
    expect(autodocOf(prev, 'CountWidgets')?.FUNCTION).not.toContain('and more');
    // A second comment edit, and a body edit after it, build on the first.
    const t2 = setLine(t1, 5, '        CountAllWidgets');
    const r2 = analyse(t2, r1);
    expect(wasQuick(r2, r1)).toBe(true);
    expect(expectSameAsFresh(r2, t2)).toBe(true);
    const t3 = setLine(t2, 16, '    int n = w->n + 1;');
    const r3 = analyse(t3, r2);
    expect(wasQuick(r3, r2)).toBe(true);
    expect(expectSameAsFresh(r3, t3)).toBe(true);
    const t4 = setLine(t3, 4, '    NAME (of the function)');
    const r4 = analyse(t4, r3);
    expect(wasQuick(r4, r3)).toBe(true);
    expect(expectSameAsFresh(r4, t4)).toBe(true);
  });

  it('leaves to the full analysis a comment edit that could change more than documentation', () => {
    const cases: Case[] = [
      ['ending the comment', 11, '        Counts */ int x; /*'],
      ['the line that opens the comment', 20, '/* The new limit'],
      ['the line that closes the comment', 22, '   in all, really. */'],
      ['a comment begun on a directive line', 33, '   directive, still'],
      ['a tag typed', 11, '        AI_NOTE: count'],
      ['a comment inside a body', 17, '    return n; /* inline, still */'],
    ];
    expectPath(cases, wasQuick, false, DOCS);
    // A text with breadcrumbs, or with AROS functions (their AutoDocs are aros.ts's), is analysed whole.
    expectPath([['a comment in a text with tags', 33, '       about everything']], wasQuick, false);
    const aros = `${DOCS}
AROS_LH1(int, Count,
    AROS_LHA(APTR, w, A0),
    struct Library *, Base, 5, Widget)
{
    AROS_LIBFUNC_INIT
    return 0;
    AROS_LIBFUNC_EXIT
}
`;
    expectPath([['a comment in a text with AROS functions', 11, '        Counts.']], wasQuick, false, aros);
  });

  it('a random series of edits in a text of comments always matches a fresh analysis', () => {
    const pieces = ['x', ' ', 'NAME', 'FUNCTION', '*', '/', '*/', '/*', '#', '\\', ';', '{', 'int z;', '\n', '\t', 'AROS_', '==='];
    expect(randomSeries(DOCS, 11, pieces, 300, 10).quick).toBeGreaterThan(60);
  });

  it('keeps the line starts of later lines in step with a change of length', () => {
    const prev = analyse(FILE);
    const text = setLine(FILE, 35, `${lineOf(FILE, 35)} int longer_name_here;`);
    const next = analyse(text, prev);
    expect(wasQuick(next, prev)).toBe(true);
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
    expect(next.editing!.starts).toEqual(starts);
  });
});
