// The AutoDoc action's model-free parts: the layout laid out from a signature
// (checked against the fixture's hand-written AutoDoc), the model's JSON merged
// into it, the prompt, and where the edit goes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AUTODOC_PLACEHOLDER,
  autodocEdit,
  autodocLayout,
  autodocPrompt,
  autodocSchema,
  fillAutodoc,
  type AutodocEdit,
} from '../../server/src/actions/autodoc';
import { analyzeC } from '../../server/src/index/analyze';
import type { SymbolInfo } from '../../server/src/index/types';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'aros-mini', 'rom', 'exec', 'allocmem.c');
const ALLOCMEM = fs.readFileSync(FIXTURE, 'utf8');

function symbolOf(text: string, name: string): SymbolInfo {
  const s = analyzeC(text).analysis.symbols.find((x) => x.name === name && x.kind === 'function');
  if (!s) throw new Error(`no function ${name}`);
  return s;
}

/** Headings in order, each with the column its text starts at (`/*  X` counts as column 4). */
function headings(text: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const l of text.split('\n')) {
    const m = /^(\/\*| {4})(?:  )?([A-Z][A-Z ]*[A-Z])(?: \*\/)?$/.exec(l.replace(/^\/\*  /, '    '));
    if (m) out.push([m[2], l.replace(/^\/\*/, '  ').search(/\S/)]);
  }
  return out;
}

/** Indentation of the non-blank lines under `heading`, up to the next heading. */
function bodyIndents(text: string, heading: string): number[] {
  const lines = text.split('\n');
  const h = lines.findIndex((l) => l.replace(/^\/\*/, '  ').replace(/ \*\/$/, '').trim() === heading);
  const out: number[] = [];
  for (let i = h + 1; i < lines.length; i++) {
    const l = lines[i];
    if (headings(l).length || /^\*+\/$/.test(l)) break;
    if (l.trim() !== '' && !l.startsWith('#')) out.push(l.search(/\S/));
  }
  return out;
}

/** The fixture's AutoDoc: from its banner to the closing banner. */
function fixtureAutodoc(): string {
  const lines = ALLOCMEM.split('\n');
  const open = lines.findIndex((l) => /^\/\*{70,}$/.test(l));
  const close = lines.findIndex((l, i) => i > open && /^\*{70,}\/$/.test(l));
  return lines.slice(open, close + 1).join('\n');
}

function apply(text: string, e: AutodocEdit): string {
  const lines = text.split('\n');
  const inserted = e.newText.replace(/\n$/, '').split('\n');
  lines.splice(e.line, e.replaceLines, ...inserted);
  return lines.join('\n');
}

const PLAIN = [
  '#include <string.h>',
  '',
  'static int CountChars(const char *text, char wanted, unsigned long limit)',
  '{',
  '    int n = 0;',
  '    while (*text && limit--) n += *text++ == wanted;',
  '    return n;',
  '}',
  '',
  'void Reset(void)',
  '{',
  '}',
  '',
].join('\n');

const FULL = {
  function: 'Counts how often a character occurs.',
  inputs: { text: 'the string to scan', wanted: 'the character to count', limit: 'at most this many characters', stray: 'ignored' },
  result: 'The number of matches.',
  notes: '',
  see_also: ['strchr()', 'strlen()'],
};

describe('autodocLayout', () => {
  it('lays out AllocMem with the fixture AutoDoc sections, order and indentation', () => {
    const layout = autodocLayout(symbolOf(ALLOCMEM, 'AllocMem'), 'rom/exec/allocmem.c');
    const fixture = fixtureAutodoc();
    expect(headings(layout)).toEqual(headings(fixture));
    expect(layout.split('\n')[0]).toBe(fixture.split('\n')[0]);
    expect(layout.split('\n').at(-1)).toBe(fixture.split('\n').at(-1));
    // The code part (NAME include, head, SYNOPSIS arguments, LOCATION) is the fixture's, character for character.
    const code = (t: string): string[] => t.split('\n').filter((l) => /^(#include|\s+AROS_|\s+struct )/.test(l));
    expect(code(layout)).toEqual(code(fixture));
    for (const h of ['FUNCTION', 'RESULT', 'NOTES', 'SEE ALSO']) {
      expect(bodyIndents(layout, h)).toEqual([8]);
      expect(new Set(bodyIndents(fixture, h))).toEqual(new Set([8]));
    }
    expect(layout).toContain('        byteSize (D0)   - <write>\n        attributes (D1) - <write>\n');
  });

  it('lays out a plain C function: its prototype (one parameter a line when long) and one input per parameter', () => {
    const layout = autodocLayout(symbolOf(PLAIN, 'CountChars'), 'compiler/clib/count.c');
    expect(layout).toBe(
      [
        '/*****************************************************************************',
        '',
        '    NAME',
        '        CountChars',
        '',
        '    SYNOPSIS',
        '        static int CountChars(',
        '            const char *text,',
        '            char wanted,',
        '            unsigned long limit)',
        '',
        '    FUNCTION',
        '        <write>',
        '',
        '    INPUTS',
        '        text   - <write>',
        '        wanted - <write>',
        '        limit  - <write>',
        '',
        '    RESULT',
        '        <write>',
        '',
        '    NOTES',
        '        <write>',
        '',
        '    EXAMPLE',
        '',
        '    BUGS',
        '',
        '    SEE ALSO',
        '        <write>',
        '',
        '    INTERNALS',
        '',
        '******************************************************************************/',
      ].join('\n'),
    );
  });

  it('says None. under INPUTS for a function without parameters', () => {
    const layout = autodocLayout(symbolOf(PLAIN, 'Reset'), 'x/reset.c');
    expect(layout).toContain('    SYNOPSIS\n        void Reset(void)\n');
    expect(layout).toContain('    INPUTS\n        None.\n');
  });
});

describe('fillAutodoc', () => {
  const layout = (): string => autodocLayout(symbolOf(PLAIN, 'CountChars'), 'compiler/clib/count.c');

  it('fills every prose section from a complete reply', () => {
    const { text, problems } = fillAutodoc(layout(), FULL);
    expect(problems).toEqual([]);
    expect(text).not.toContain(AUTODOC_PLACEHOLDER);
    expect(text).toContain('    FUNCTION\n        Counts how often a character occurs.\n');
    expect(text).toContain('        text   - the string to scan\n        wanted - the character to count\n        limit  - at most this many characters\n');
    expect(text).toContain('    NOTES\n\n    EXAMPLE');
    expect(text).toContain('    SEE ALSO\n        strchr(), strlen()\n');
    expect(text).not.toContain('stray');
  });

  it('keeps placeholders for what a partial reply lacks and names them', () => {
    const { text, problems } = fillAutodoc(layout(), JSON.stringify({ function: 'Counts.', inputs: { text: 'the string' }, see_also: 'strlen()' }));
    expect(problems).toEqual(['"result" is missing', '"notes" is missing', '"inputs.wanted" is missing', '"inputs.limit" is missing']);
    expect(text).toContain('    RESULT\n        <write>\n');
    expect(text).toContain('        wanted - <write>\n');
    expect(text).toContain('        text   - the string\n');
  });

  it('reports a reply that is not an object and changes nothing', () => {
    const { text, problems } = fillAutodoc(layout(), 'I cannot help with that.');
    expect(problems).toEqual(['the reply is not a JSON object']);
    expect(text).toBe(layout());
  });

  it('never lets the prose close or open a comment', () => {
    const { text } = fillAutodoc(layout(), { ...FULL, function: 'Stops at */ and at /* too.', notes: 'a*/b' });
    const inner = text.slice(2, -2);
    expect(inner).not.toContain('*/');
    expect(inner).not.toContain('/*');
    expect(text).toContain('Stops at * / and at / * too.');
  });

  it('wraps long prose at 76 columns with the section indentation', () => {
    const long = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const { text } = fillAutodoc(layout(), { ...FULL, function: long, inputs: { ...FULL.inputs, wanted: long } });
    const lines = text.split('\n');
    for (const l of lines.slice(1, -1)) expect(l.length).toBeLessThanOrEqual(76);
    const f = lines.indexOf('    FUNCTION');
    expect(lines[f + 1].startsWith('        word0 ')).toBe(true);
    expect(lines[f + 2].startsWith('        word')).toBe(true);
    const w = lines.findIndex((l) => l.startsWith('        wanted - word0'));
    expect(lines[w + 1]).toMatch(/^ {17}word\d+/);
  });

  it('keeps a heading-like word from starting a section of its own', () => {
    const words = `${'x'.repeat(60)} and NOTES`;
    const { text } = fillAutodoc(layout(), { ...FULL, result: words });
    expect(text.split('\n').filter((l) => l.trim() === 'NOTES')).toEqual(['    NOTES']);
    expect(text).toContain('and NOTES\n');
  });

  it('reads back as the same sections through the indexer', () => {
    const sym = symbolOf(ALLOCMEM, 'AllocMem');
    const { text } = fillAutodoc(autodocLayout(sym, 'rom/exec/allocmem.c'), {
      function: 'Allocates memory.',
      inputs: { byteSize: 'how many bytes', attributes: 'MEMF_ flags' },
      result: 'The memory, or NULL.',
      notes: '',
      see_also: ['FreeMem()'],
    });
    const edited = apply(ALLOCMEM, autodocEdit(ALLOCMEM, sym, text));
    const again = symbolOf(edited, 'AllocMem');
    expect(again.autodoc?.FUNCTION).toBe('Allocates memory.');
    expect(again.autodoc?.INPUTS).toBe('byteSize (D0)   - how many bytes\nattributes (D1) - MEMF_ flags');
    expect(again.autodoc?.['SEE ALSO']).toBe('FreeMem()');
    expect(again.aros?.lvo).toBe(33);
    expect(again.params).toEqual(sym.params);
  });
});

describe('autodocPrompt and autodocSchema', () => {
  it('gives the model the function text, the callers and the JSON shape', () => {
    const sym = symbolOf(PLAIN, 'CountChars');
    const body = PLAIN.split('\n').slice(2, 8).join('\n');
    const messages = autodocPrompt(sym, body, [{ file: 'workbench/c/wc.c', line: 41, text: '  n = CountChars(buf, c, len);' }]);
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    const user = messages[1].content;
    expect(user).toContain('while (*text && limit--) n += *text++ == wanted;');
    expect(user).toContain('workbench/c/wc.c:42: n = CountChars(buf, c, len);');
    expect(user).toContain('"see_also"');
    expect(user).toContain('text, wanted, limit');
  });

  it('requires each parameter in the schema', () => {
    const schema = autodocSchema(symbolOf(PLAIN, 'CountChars'));
    expect(schema.required).toEqual(['function', 'inputs', 'result', 'notes', 'see_also']);
    const props = schema.properties as Record<string, { required?: string[] }>;
    expect(props.inputs.required).toEqual(['text', 'wanted', 'limit']);
  });
});

describe('autodocEdit', () => {
  const doc = '/****\n\n    NAME\n        X\n\n*****/';

  it('inserts above a function without a comment', () => {
    const sym = symbolOf(PLAIN, 'Reset');
    expect(autodocEdit(PLAIN, sym, doc)).toEqual({ line: 9, newText: `${doc}\n`, replaceLines: 0 });
  });

  it('replaces a plain doc comment', () => {
    const text = PLAIN.replace('void Reset', '/* Resets\n   everything. */\nvoid Reset');
    const e = autodocEdit(text, symbolOf(text, 'Reset'), doc);
    expect(e).toEqual({ line: 9, newText: `${doc}\n`, replaceLines: 2 });
  });

  it('goes above a breadcrumb, which stays on the function', () => {
    const text = PLAIN.replace('void Reset', '// AI_PHASE: CLIB\n// AI_STATUS: IMPLEMENTED\nvoid Reset');
    const e = autodocEdit(text, symbolOf(text, 'Reset'), doc);
    expect(e).toEqual({ line: 9, newText: `${doc}\n`, replaceLines: 0 });
    expect(apply(text, e).split('\n').slice(15, 18)).toEqual(['// AI_PHASE: CLIB', '// AI_STATUS: IMPLEMENTED', 'void Reset(void)']);
  });

  it('replaces a doc comment above the breadcrumb', () => {
    const text = PLAIN.replace('void Reset', '/* Resets. */\n// AI_PHASE: CLIB\n// AI_STATUS: IMPLEMENTED\nvoid Reset');
    expect(autodocEdit(text, symbolOf(text, 'Reset'), doc)).toEqual({ line: 9, newText: `${doc}\n`, replaceLines: 1 });
  });

  it('replaces an AROS AutoDoc together with the head it wraps', () => {
    const sym = symbolOf(ALLOCMEM, 'AllocMem');
    const layout = autodocLayout(sym, 'rom/exec/allocmem.c');
    const e = autodocEdit(ALLOCMEM, sym, layout);
    const lines = ALLOCMEM.split('\n');
    expect(lines[e.line]).toMatch(/^\/\*{70,}$/);
    expect(lines[e.line + e.replaceLines - 1]).toMatch(/^\*{70,}\/$/);
    expect(lines[e.line + e.replaceLines]).toBe('{');
  });

  it('wraps a bare AROS_LH head, keeping the breadcrumb above it', () => {
    const text = [
      '#include <proto/exec.h>',
      '',
      '// AI_PHASE: EXEC',
      '// AI_STATUS: IMPLEMENTED',
      'AROS_LH1(void, FreeThing,',
      '    AROS_LHA(APTR, thing, A1),',
      '    struct ExecBase *, SysBase, 99, Exec)',
      '{',
      '    AROS_LIBFUNC_INIT',
      '    AROS_LIBFUNC_EXIT',
      '}',
      '',
    ].join('\n');
    const sym = symbolOf(text, 'FreeThing');
    const e = autodocEdit(text, sym, autodocLayout(sym, 'rom/exec/freething.c'));
    expect({ line: e.line, replaceLines: e.replaceLines }).toEqual({ line: 4, replaceLines: 3 });
    const edited = apply(text, e);
    const again = symbolOf(edited, 'FreeThing');
    expect(again.aros?.lvo).toBe(99);
    expect(again.params).toEqual([{ type: 'APTR', name: 'thing', register: 'A1' }]);
    expect(again.autodoc?.INPUTS).toBe('thing (A1) - <write>');
    expect(edited).toContain('// AI_STATUS: IMPLEMENTED\n/*****');
  });

  it('keeps the file\'s CRLF line endings', () => {
    const text = PLAIN.replace(/\n/g, '\r\n');
    const e = autodocEdit(text, symbolOf(text, 'Reset'), doc);
    expect(e.newText).toBe(`${doc.replace(/\n/g, '\r\n')}\r\n`);
  });
});
