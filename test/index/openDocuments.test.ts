import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { analyzeC, analyzeSteps, slicedParser } from '../../server/src/index/analyze';
import { OpenDocuments, type TextChange } from '../../server/src/index/openDocuments';
import type { Position } from '../../server/src/index/types';
import { includesOf } from '../../server/src/index/packedFile';
import { WorkspaceIndex } from '../../server/src/index/workspaceIndex';

const PATH = 'rom/widget/widget.c';

const START = [
  '#include <exec/types.h>', // 0
  '',
  '/* A widget. */',
  'struct Widget {',
  '    int w_Flags;',
  '};', // 5
  '',
  'static int count(struct Widget *w)',
  '{',
  '    return w->w_Flags;',
  '}', // 10
  '',
  'int last;',
].join('\n');

function pos(line: number, character: number): Position {
  return { line, character };
}

function change(sl: number, sc: number, el: number, ec: number, text: string): TextChange {
  return { range: { start: pos(sl, sc), end: pos(el, ec) }, text };
}

function setup(text = START): { index: WorkspaceIndex; docs: OpenDocuments } {
  const index = new WorkspaceIndex();
  const docs = new OpenDocuments(index);
  docs.open(PATH, 1, text);
  // The first analysis runs in slices; these tests take it at once (the sliced run has its own tests below).
  docs.flush(PATH);
  return { index, docs };
}

/** What the index holds for the document must be what a fresh analysis of its text gives. */
function expectFresh(index: WorkspaceIndex, docs: OpenDocuments, text: string): void {
  expect(docs.get(PATH)?.text).toBe(text);
  const stored = index.get(PATH)!;
  const fresh = analyzeC(text).analysis;
  expect(index.symbolsOf(stored)).toEqual(fresh.symbols);
  expect(includesOf(stored)).toEqual(fresh.includes);
  expect(stored.breadcrumbs).toEqual(fresh.breadcrumbs);
  expect(stored.hasErrors).toBe(fresh.hasErrors);
  expect(stored.lines).toBe(fresh.lines);
  // Names typed into a body are appended rather than placed at their first use: compare as sets.
  const idents = Buffer.from(stored.idents).toString('latin1');
  expect(idents.startsWith('\n') && idents.endsWith('\n')).toBe(true);
  expect(idents.split('\n').filter(Boolean).sort()).toEqual([...fresh.identifiers].sort());
  // And a document opened fresh with the final text agrees.
  const other = new WorkspaceIndex();
  const otherDocs = new OpenDocuments(other);
  otherDocs.open(PATH, 1, text);
  otherDocs.flush();
  expect(other.symbolsOf(other.get(PATH)!)).toEqual(index.symbolsOf(stored));
}

function names(index: WorkspaceIndex): string[] {
  return index.symbolsOf(index.get(PATH)!).map((s) => s.name);
}

describe('OpenDocuments: open', () => {
  it('publishes the analysis with the editor marker mtime, hash and UTF-8 size', () => {
    const text = 'int größe;\n';
    const { index, docs } = setup(text);
    const f = index.get(PATH)!;
    expect([f.mtimeMs, f.encoding, f.size, f.hash]).toEqual([-1, 'utf8', 13, createHash('sha1').update(Buffer.from(text, 'utf8')).digest('hex')]);
    expect(names(index)).toEqual(['größe']);
    expect(docs.has(PATH)).toBe(true);
    expect(docs.get(PATH)?.version).toBe(1);
  });

  it('opens with the same symbols as the workspace indexer computes', () => {
    const { index, docs } = setup();
    expectFresh(index, docs, START);
    expect(names(index)).toEqual(['Widget', 'w_Flags', 'count', 'last']);
  });
});

describe('OpenDocuments: incremental changes', () => {
  it('a name typed into a body, and typed away again, is found and then not found by references', () => {
    const { index, docs } = setup();
    // Line 9 is `    return w->w_Flags;`, strictly inside count's body.
    let text = START;
    let version = 2;
    for (const ch of ' + wid') {
      const col = text.split('\n')[9].length - 1;
      docs.change(PATH, version++, [change(9, col, 9, col, ch)]);
      text = docs.get(PATH)!.text;
    }
    expect(text.split('\n')[9]).toBe('    return w->w_Flags + wid;');
    expect(index.filesMentioning('wid')).toEqual([PATH]);
    expect(index.filesMentioning('wi')).toEqual([]);
    expectFresh(index, docs, text);
    docs.change(PATH, version++, [change(9, 21, 9, 27, '')]);
    expect(index.filesMentioning('wid')).toEqual([]);
    expect(index.filesMentioning('w_Flags')).toEqual([PATH]);
    expectFresh(index, docs, docs.get(PATH)!.text);
  });

  it('a parameter typed into a head (a list the skeleton cuts) changes the signature at once', () => {
    const { index, docs } = setup();
    let version = 2;
    for (const ch of ', int n') {
      const col = docs.get(PATH)!.text.split('\n')[7].length - 1;
      docs.change(PATH, version++, [change(7, col, 7, col, ch)]);
      expectFresh(index, docs, docs.get(PATH)!.text);
    }
    // A rename that keeps every column: the skeleton stays the same, the signature does not.
    const at = docs.get(PATH)!.text.split('\n')[7].indexOf('*w') + 1;
    docs.change(PATH, version++, [change(7, at, 7, at + 1, 'x')]);
    expectFresh(index, docs, docs.get(PATH)!.text);
    const count = index.symbolsOf(index.get(PATH)!).find((s) => s.name === 'count');
    expect(count?.signature).toBe('static int count(struct Widget *x, int n)');
    expect(count?.params?.map((p) => p.name)).toEqual(['x', 'n']);
  });

  it('insert, delete, multi-line replace and append, one at a time', () => {
    const { index, docs } = setup();
    let text = START;
    const steps: Array<[TextChange, string]> = [
      // Insert a prototype before `last`.
      [change(12, 0, 12, 0, 'void added(int x);\n'), START.replace('int last;', 'void added(int x);\nint last;')],
    ];
    for (const [c, want] of steps) {
      docs.change(PATH, 2, [c]);
      text = want;
      expectFresh(index, docs, text);
    }
    expect(names(index)).toEqual(['Widget', 'w_Flags', 'count', 'added', 'last']);

    // Delete the blank line and the doc comment (lines 1-2).
    docs.change(PATH, 3, [change(1, 0, 3, 0, '')]);
    text = text.replace('\n/* A widget. */\n', '');
    expectFresh(index, docs, text);
    expect(text.split('\n')[1]).toBe('struct Widget {');

    // Replace the struct body across lines with two fields.
    docs.change(PATH, 4, [change(1, 15, 3, 0, '\n    ULONG w_A;\n    APTR  w_B;\n')]);
    text = text.replace('struct Widget {\n    int w_Flags;\n}', 'struct Widget {\n    ULONG w_A;\n    APTR  w_B;\n}');
    expectFresh(index, docs, text);
    expect(names(index)).toEqual(['Widget', 'w_A', 'w_B', 'count', 'added', 'last']);

    // Append at the very end (no trailing newline before).
    const lines = text.split('\n');
    const lastLine = lines.length - 1;
    docs.change(PATH, 5, [change(lastLine, lines[lastLine].length, lastLine, lines[lastLine].length, '\nint appended;\n')]);
    text += '\nint appended;\n';
    expectFresh(index, docs, text);
    expect(names(index).slice(-2)).toEqual(['last', 'appended']);
    expect(docs.get(PATH)?.version).toBe(5);
  });

  it('several changes in one notification apply in order', () => {
    const { index, docs } = setup('int a;\nint b;\n');
    docs.change(PATH, 2, [
      change(0, 4, 0, 5, 'alpha'), // int alpha;
      change(1, 4, 1, 5, 'beta'), // int beta;
      change(2, 0, 2, 0, 'int gamma;\n'),
      change(0, 0, 0, 0, '/* first */\n'),
    ]);
    expectFresh(index, docs, '/* first */\nint alpha;\nint beta;\nint gamma;\n');
    expect(index.symbolsOf(index.get(PATH)!).map((s) => [s.name, s.doc, s.range.start.line])).toEqual([
      ['alpha', 'first', 1],
      ['beta', undefined, 2],
      ['gamma', undefined, 3],
    ]);
  });

  it('typing inside a function body keeps the symbols and their positions', () => {
    const { index, docs } = setup();
    const before = index.symbolsOf(index.get(PATH)!);
    docs.change(PATH, 2, [change(9, 4, 9, 4, 'if (!w) return 0;\n    ')]);
    const text = START.replace('    return w->w_Flags;', '    if (!w) return 0;\n    return w->w_Flags;');
    expectFresh(index, docs, text);
    const after = index.symbolsOf(index.get(PATH)!);
    expect(after.map((s) => s.name)).toEqual(before.map((s) => s.name));
    expect(after.find((s) => s.name === 'count')?.range.end.line).toBe(11);
    expect(after.find((s) => s.name === 'last')?.range.start.line).toBe(13);
  });

  it('editing a comment of the same length updates the doc (the skeleton does not change)', () => {
    const { index, docs } = setup();
    docs.change(PATH, 2, [change(2, 5, 2, 11, 'gadget')]);
    expectFresh(index, docs, START.replace('/* A widget. */', '/* A gadget. */'));
    expect(index.symbolsOf(index.get(PATH)!)[0].doc).toBe('A gadget.');
  });

  it('adding and removing a breadcrumb updates the breadcrumbs', () => {
    const { index, docs } = setup();
    docs.change(PATH, 2, [change(7, 0, 7, 0, '// AI_PHASE: IMPLEMENT\n// AI_STATUS: PARTIAL\n')]);
    const withCrumb = START.replace('\n\nstatic int count', '\n\n// AI_PHASE: IMPLEMENT\n// AI_STATUS: PARTIAL\nstatic int count');
    expectFresh(index, docs, withCrumb);
    expect(index.get(PATH)!.breadcrumbs.map((b) => b.target?.name)).toEqual(['count']);
    docs.change(PATH, 3, [change(7, 0, 9, 0, '')]);
    expectFresh(index, docs, START);
    expect(index.get(PATH)!.breadcrumbs).toEqual([]);
  });

  it('clamps positions out of range', () => {
    const { index, docs } = setup('int a;\nint b;');
    // A character past the end of line 0 means its end; a line past the end means the end of the text.
    docs.change(PATH, 2, [change(0, 99, 0, 120, ' /* one */')]);
    expectFresh(index, docs, 'int a; /* one */\nint b;');
    docs.change(PATH, 3, [change(50, 0, 60, 3, '\nint c;')]);
    expectFresh(index, docs, 'int a; /* one */\nint b;\nint c;');
    // A negative position means the start; an end before the start deletes nothing.
    docs.change(PATH, 4, [change(-3, -1, -1, 0, 'int z;\n')]);
    expectFresh(index, docs, 'int z;\nint a; /* one */\nint b;\nint c;');
    docs.change(PATH, 5, [change(1, 4, 0, 0, 'X')]);
    expectFresh(index, docs, 'int z;\nint Xa; /* one */\nint b;\nint c;');
    expect(names(index)).toEqual(['z', 'Xa', 'b', 'c']);
  });

  it('a change without a range replaces the whole text', () => {
    const { index, docs } = setup();
    docs.change(PATH, 2, [{ text: 'int only;\n' }]);
    expectFresh(index, docs, 'int only;\n');
    // Then ranges apply to the new text.
    docs.change(PATH, 3, [{ text: 'int one;\n' }, change(1, 0, 1, 0, 'int two;\n')]);
    expectFresh(index, docs, 'int one;\nint two;\n');
    expect(names(index)).toEqual(['one', 'two']);
  });

  it('a random series of edits always matches a fresh analysis', () => {
    let seed = 99;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65536) % n;
    };
    const snippets = ['int v;\n', 'struct T { int t; };\n', '}', '{', '/* c */', 'void f(void) { x(); }\n', '#define D 1\n', '\n', 'x', '(', ')', ';', '"s"', '// AI_PHASE: X\n'];
    const { index, docs } = setup();
    let text = START;
    for (let step = 0; step < 60; step++) {
      const lines = text.split('\n');
      const sl = rand(lines.length);
      const sc = rand(lines[sl].length + 1);
      const el = Math.min(lines.length - 1, sl + rand(3));
      const ec = el === sl ? sc + rand(lines[el].length - sc + 1) : rand(lines[el].length + 1);
      const insert = rand(3) === 0 ? '' : snippets[rand(snippets.length)];
      const offset = (l: number, c: number): number => lines.slice(0, l).reduce((n, x) => n + x.length + 1, 0) + c;
      text = text.slice(0, offset(sl, sc)) + insert + text.slice(offset(el, ec));
      docs.change(PATH, step + 2, [change(sl, sc, el, ec, insert)]);
      expectFresh(index, docs, text);
    }
  });
});

describe('OpenDocuments: unknown and closed documents', () => {
  it('a change to a document that is not open returns undefined and changes nothing', () => {
    const { index, docs } = setup();
    const before = index.get(PATH);
    expect(docs.change('other.c', 2, [{ text: 'int x;' }])).toBeUndefined();
    expect(index.get('other.c')).toBeUndefined();
    expect(index.get(PATH)).toBe(before);
  });

  it('close forgets the document', () => {
    const { docs } = setup();
    expect(docs.close(PATH)).toBe(true);
    expect(docs.close(PATH)).toBe(false);
    expect(docs.has(PATH)).toBe(false);
    expect(docs.change(PATH, 3, [{ text: '' }])).toBeUndefined();
  });
});

/** A C file of about `functions` × 7 lines: enough for tree-sitter to need many slices of a few hundred microseconds. */
function bigText(functions: number): string {
  const out = ['#include <exec/types.h>', '', 'struct Big { int a; int b; };', ''];
  for (let i = 0; i < functions; i++) {
    out.push(`/* Function ${i}. */`, `static int f${i}(struct Big *p, int x)`, '{', `    int y = x * ${i} + p->a;`, '    if (y > p->b) return y - p->b;', '    return y;', '}', '');
  }
  return out.join('\n');
}

describe('OpenDocuments: the first analysis runs in slices', () => {
  it('analyzeSteps with a sliced parser yields inside the parse and gives what analyzeC gives', () => {
    const text = bigText(400);
    const sliced = slicedParser(100);
    const steps = analyzeSteps(text, { sliced });
    let yields = 0;
    let r = steps.next();
    while (!r.done) {
      yields++;
      r = steps.next();
    }
    // Six yields between phases; the rest are tree-sitter timeouts resumed.
    expect(yields).toBeGreaterThan(6);
    expect(r.value.analysis).toEqual(analyzeC(text).analysis);
    expect(r.value.tree.rootNode.toString()).toBe(analyzeC(text).tree.rootNode.toString());
  });

  it('a parse of another document in between restarts the sliced parse instead of resuming it with the wrong text', () => {
    const a = bigText(300);
    const b = bigText(200).replace(/f(\d+)\(/g, 'g$1(');
    const sliced = slicedParser(100);
    const first = analyzeSteps(a, { sliced });
    // Into the parse of `a`, then all of `b` on the same parser.
    for (let i = 0; i < 4; i++) first.next();
    const second = analyzeSteps(b, { sliced });
    let r2 = second.next();
    while (!r2.done) r2 = second.next();
    let r1 = first.next();
    while (!r1.done) r1 = first.next();
    expect(r1.value.analysis).toEqual(analyzeC(a).analysis);
    expect(r2.value.analysis).toEqual(analyzeC(b).analysis);
  });

  it('open returns at once; settle lets the event loop run and then the index holds the analysis', async () => {
    const text = bigText(400);
    const index = new WorkspaceIndex();
    const docs = new OpenDocuments(index, { sliceMs: 0, parseSliceMicros: 100 });
    docs.open(PATH, 1, text);
    expect(index.get(PATH)).toBeUndefined();
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    await docs.settle(PATH);
    clearInterval(ticker);
    expect(turns).toBeGreaterThan(0);
    expect(index.symbolsOf(index.get(PATH)!)).toEqual(analyzeC(text).analysis.symbols);
    expect(docs.get(PATH)?.reusable?.source).toBeDefined();
  });

  it('changes typed while the first analysis runs are analysed after it', async () => {
    const text = bigText(200);
    const index = new WorkspaceIndex();
    const docs = new OpenDocuments(index, { sliceMs: 0, parseSliceMicros: 100 });
    docs.open(PATH, 1, text);
    docs.change(PATH, 2, [{ range: { start: pos(0, 0), end: pos(0, 0) }, text: 'int added;\n' }], { defer: true });
    docs.change(PATH, 3, [{ range: { start: pos(1, 0), end: pos(1, 0) }, text: 'int more;\n' }], { defer: true });
    await docs.settle(PATH);
    const final = `int added;\nint more;\n${text}`;
    expect(docs.get(PATH)?.text).toBe(final);
    expect(index.symbolsOf(index.get(PATH)!)).toEqual(analyzeC(final).analysis.symbols);
  });

  it('flush finishes a first analysis on the spot', () => {
    const text = bigText(200);
    const index = new WorkspaceIndex();
    const docs = new OpenDocuments(index, { sliceMs: 0, parseSliceMicros: 100 });
    docs.open(PATH, 1, text);
    docs.flush();
    expect(index.symbolsOf(index.get(PATH)!)).toEqual(analyzeC(text).analysis.symbols);
  });

  it('a document closed during its first analysis is analysed first: a request waiting in settle finds it', async () => {
    const index = new WorkspaceIndex();
    const docs = new OpenDocuments(index, { sliceMs: 0, parseSliceMicros: 100 });
    const text = bigText(200);
    docs.open('a.c', 1, text);
    const request = docs.settle('a.c').then(() => index.get('a.c'));
    docs.close('a.c');
    const seen = await request;
    expect(seen && index.symbolsOf(seen).map((s) => s.name)).toEqual(analyzeC(text).analysis.symbols.map((s) => s.name));
    expect(docs.has('a.c')).toBe(false);
  });

  it('a document opened again during its first analysis: only the latest text is published', async () => {
    const index = new WorkspaceIndex();
    const docs = new OpenDocuments(index, { sliceMs: 0, parseSliceMicros: 100 });
    docs.open(PATH, 1, bigText(300));
    const second = bigText(100);
    docs.open(PATH, 2, second);
    await docs.settle();
    expect(docs.get(PATH)?.version).toBe(2);
    expect(index.symbolsOf(index.get(PATH)!)).toEqual(analyzeC(second).analysis.symbols);
  });
});
