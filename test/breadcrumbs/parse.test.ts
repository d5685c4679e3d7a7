import { describe, it, expect } from 'vitest';
import { mayHaveBreadcrumbs, parseBreadcrumbs } from '../../server/src/breadcrumbs/parse';
import { lines, one } from './helpers';
import { randomTexts } from '../helpers/randomText';

describe('line form', () => {
  it('reads one TAG: value per // line, in order, with exact lines and ranges', () => {
    const b = one(lines('// AI_PHASE: GRAPHICS_PIPELINE', '// AI_STATUS: PARTIAL', 'static int f(void);'));
    expect(b.form).toBe('line');
    expect(b.line).toBe(0);
    expect(b.range).toEqual({ start: { line: 0, character: 0 }, end: { line: 1, character: 21 } });
    expect(b.entries.map((e) => [e.tag, e.value, e.line])).toEqual([
      ['AI_PHASE', 'GRAPHICS_PIPELINE', 0],
      ['AI_STATUS', 'PARTIAL', 1],
    ]);
    expect(b.tags).toEqual({ AI_PHASE: ['GRAPHICS_PIPELINE'], AI_STATUS: ['PARTIAL'] });
    expect(b.notes).toEqual([]);
  });

  it('records the range of the tag line and of the value', () => {
    const b = one('  //  AI_STATUS :  FIXED  \nint x;');
    expect(b.entries[0].range).toEqual({ start: { line: 0, character: 6 }, end: { line: 0, character: 24 } });
    expect(b.entries[0].valueRange).toEqual({ start: { line: 0, character: 19 }, end: { line: 0, character: 24 } });
  });

  it('accepts free indentation and no space after //', () => {
    const b = one(lines('    //AI_PHASE:KERNEL_INIT', '\t\t//   AI_STATUS:   FIXED   ', 'int x;'));
    expect(b.tags).toEqual({ AI_PHASE: ['KERNEL_INIT'], AI_STATUS: ['FIXED'] });
    expect(b.range.start).toEqual({ line: 0, character: 4 });
  });

  it('stores case-insensitive tag names upper-case and keeps the value as written', () => {
    const b = one(lines('// ai_phase: Kernel', '// Ai_Status: PARTIAL', 'int x;'));
    expect(b.entries.map((e) => e.tag)).toEqual(['AI_PHASE', 'AI_STATUS']);
    expect(b.tags.AI_PHASE).toEqual(['Kernel']);
  });

  it('keeps a colon inside the value as part of the value', () => {
    const b = one(
      lines(
        '// AI_PHASE: X',
        "// COMPILER_ERR: radeonsi_init.c:42:5: error: implicit declaration of function 'InitCP'",
        'int x;',
      ),
    );
    expect(b.tags.COMPILER_ERR).toEqual(["radeonsi_init.c:42:5: error: implicit declaration of function 'InitCP'"]);
  });

  it('keeps plain comment lines and unknown WORD: lines of the run as notes, not entries', () => {
    const b = one(lines('// Sets up the pipeline.', '// AI_PHASE: X', '// TODO: x', '//', '// NOTE: y', 'int x;'));
    expect(b.entries.map((e) => e.tag)).toEqual(['AI_PHASE']);
    expect(b.notes).toEqual(['Sets up the pipeline.', 'TODO: x', 'NOTE: y']);
    expect(b.tags).toEqual({ AI_PHASE: ['X'] });
    expect(b.range.start.line).toBe(0);
  });

  it('ends a run at a blank line: two runs are two breadcrumbs', () => {
    const bs = parseBreadcrumbs(lines('// AI_PHASE: A', '// AI_STATUS: FIXED', '', '// AI_PHASE: B', '// AI_STATUS: PARTIAL', 'int x;'));
    expect(bs.map((b) => [b.line, b.tags.AI_PHASE])).toEqual([
      [0, ['A']],
      [3, ['B']],
    ]);
  });

  it('ends a run at a whitespace-only line', () => {
    const bs = parseBreadcrumbs(lines('// AI_PHASE: A', '   \t', '// AI_PHASE: B'));
    expect(bs).toHaveLength(2);
  });

  it('ends a run at a code line', () => {
    const bs = parseBreadcrumbs(lines('// AI_PHASE: A', 'int x;', '// AI_PHASE: B', 'int y;'));
    expect(bs.map((b) => [b.line, b.range.end.line])).toEqual([
      [0, 0],
      [2, 2],
    ]);
  });

  it('ignores tags in a trailing comment after code, and the code line ends the run', () => {
    expect(parseBreadcrumbs('int x; // AI_STATUS: FIXED\n')).toEqual([]);
    expect(parseBreadcrumbs('#endif /* AI_PHASE: A */\n')).toEqual([]);
    const bs = parseBreadcrumbs(lines('// AI_PHASE: A', 'int x; // AI_STATUS: FIXED', '// AI_PHASE: B'));
    expect(bs.map((b) => b.tags)).toEqual([{ AI_PHASE: ['A'] }, { AI_PHASE: ['B'] }]);
  });

  it('does not take tags inside string literals', () => {
    expect(parseBreadcrumbs('const char *s = "// AI_STATUS: FIXED";\n')).toEqual([]);
  });

  it('keeps every value of a repeated tag in order; the last is effective', () => {
    const b = one(lines('// AI_PHASE: A', '// AI_STATUS: NOT_STARTED', '// AI_STATUS: PARTIAL', 'int x;'));
    expect(b.tags.AI_STATUS).toEqual(['NOT_STARTED', 'PARTIAL']);
    expect(b.entries.filter((e) => e.tag === 'AI_STATUS').map((e) => e.line)).toEqual([1, 2]);
  });

  it('keeps an empty value as an empty string', () => {
    const b = one('// AI_PHASE:\n');
    expect(b.tags).toEqual({ AI_PHASE: [''] });
  });

  it('handles CRLF line endings', () => {
    const b = one('// AI_PHASE: A\r\n// AI_STATUS: FIXED\r\nint x;\r\n');
    expect(b.tags).toEqual({ AI_PHASE: ['A'], AI_STATUS: ['FIXED'] });
    expect(b.range.end).toEqual({ line: 1, character: 19 });
  });

  it('accepts /// doc line comments', () => {
    expect(one('/// AI_PHASE: A\n').tags).toEqual({ AI_PHASE: ['A'] });
  });
});

describe('which comments are breadcrumbs', () => {
  it('a plain TODO comment is not a breadcrumb', () => {
    expect(parseBreadcrumbs(lines('// TODO: x', '// NOTE: y', '/* FIXME: z */', 'int x;'))).toEqual([]);
  });

  it('a known tag anywhere in the run makes the whole run a breadcrumb', () => {
    const b = one(lines('// TODO: x', '// LINUX_REF: drivers/gpu/drm/radeon/radeon_cs.c', 'int x;'));
    expect(b.notes).toEqual(['TODO: x']);
    expect(b.tags).toEqual({ LINUX_REF: ['drivers/gpu/drm/radeon/radeon_cs.c'] });
  });

  it('a misspelt AI_ tag alone is still a breadcrumb, so the user gets the hint', () => {
    const b = one('// AI_STAUS: PARTIAL\nint x;');
    expect(b.entries).toEqual([
      {
        tag: 'AI_STAUS',
        value: 'PARTIAL',
        line: 0,
        range: { start: { line: 0, character: 3 }, end: { line: 0, character: 20 } },
        valueRange: { start: { line: 0, character: 13 }, end: { line: 0, character: 20 } },
      },
    ]);
  });

  it('an unrelated AI_ word alone (getaddrinfo flags) is not a breadcrumb', () => {
    expect(parseBreadcrumbs('// AI_PASSIVE: bind to any address\nint x;')).toEqual([]);
  });

  it('an unknown AI_ tag inside a breadcrumb is an entry, not a note', () => {
    const b = one(lines('// AI_PHASE: A', '// AI_WHATEVER: 1', 'int x;'));
    expect(b.entries.map((e) => e.tag)).toEqual(['AI_PHASE', 'AI_WHATEVER']);
    expect(b.notes).toEqual([]);
  });

  it('a tag word in the middle of a sentence is not a tag', () => {
    expect(parseBreadcrumbs('// see AI_STATUS: FIXED\n')).toEqual([]);
  });
});

describe('block form', () => {
  it('reads tags from a /* */ comment with *-led lines', () => {
    const b = one(
      lines('/*', ' * AI_PHASE: MEMORY_MANAGER', ' * AI_STATUS: NOT_STARTED', ' * Allocates VRAM.', ' */', 'APTR f(void);'),
    );
    expect(b.form).toBe('block');
    expect(b.line).toBe(0);
    expect(b.range).toEqual({ start: { line: 0, character: 0 }, end: { line: 4, character: 3 } });
    expect(b.entries.map((e) => [e.tag, e.value, e.line])).toEqual([
      ['AI_PHASE', 'MEMORY_MANAGER', 1],
      ['AI_STATUS', 'NOT_STARTED', 2],
    ]);
    expect(b.entries[0].range).toEqual({ start: { line: 1, character: 3 }, end: { line: 1, character: 27 } });
    expect(b.notes).toEqual(['Allocates VRAM.']);
  });

  it('reads lines that are not led by *', () => {
    const b = one(lines('/*', '   AI_PHASE: A', '   AI_STATUS: FIXED', '*/'));
    expect(b.tags).toEqual({ AI_PHASE: ['A'], AI_STATUS: ['FIXED'] });
  });

  it('reads a /** doc-comment opener', () => {
    const b = one(lines('/**', ' * AI_PHASE: A', ' * AI_STATUS: FIXED', ' */', 'int f(void);'));
    expect(b.tags).toEqual({ AI_PHASE: ['A'], AI_STATUS: ['FIXED'] });
  });

  it('reads a one-line block comment', () => {
    const b = one('/* AI_STATUS: FIXED */\nint f(void);');
    expect(b.form).toBe('block');
    expect(b.entries.map((e) => [e.tag, e.value])).toEqual([['AI_STATUS', 'FIXED']]);
    expect(b.range).toEqual({ start: { line: 0, character: 0 }, end: { line: 0, character: 22 } });
  });

  it('reads a tag on the opener line and decorated borders', () => {
    const b = one(lines('/*********** AI_PHASE: A', ' ****** AI_STATUS: FIXED', ' ***************/'));
    expect(b.tags).toEqual({ AI_PHASE: ['A'], AI_STATUS: ['FIXED'] });
    expect(b.notes).toEqual([]);
  });

  it('a block comment is one breadcrumb even with blank lines inside', () => {
    const b = one(lines('/*', ' * AI_PHASE: A', '', ' * AI_STATUS: FIXED', ' */'));
    expect(b.tags).toEqual({ AI_PHASE: ['A'], AI_STATUS: ['FIXED'] });
  });

  it('a block comment next to a // run is a separate breadcrumb', () => {
    const bs = parseBreadcrumbs(lines('// AI_PHASE: A', '/* AI_STATUS: FIXED */', 'int x;'));
    expect(bs.map((b) => [b.form, b.tags])).toEqual([
      ['line', { AI_PHASE: ['A'] }],
      ['block', { AI_STATUS: ['FIXED'] }],
    ]);
  });

  it('an AutoDoc comment without tags is not a breadcrumb', () => {
    const autodoc = lines(
      '/*****************************************************************************',
      '    NAME',
      '        AllocMem -- allocate memory',
      '    NOTES',
      '        Note: the memory is not cleared.',
      '*****************************************************************************/',
    );
    expect(parseBreadcrumbs(autodoc)).toEqual([]);
  });
});

describe('mayHaveBreadcrumbs', () => {
  // The test it replaced: any stem, word characters, blanks, a colon, anywhere in the text.
  const REGEX = /(?:AI_|COMPILER_ERR|RUNTIME_ERR|FIX_REASON|LINUX_REF|AMIGAOS_REF|AROS_IMPL|REF_|HUMAN_OVERRIDE|PREVIOUS_IMPLEMENTATION_REF|CORRECTION_REF)[A-Za-z0-9_]*[ \t]*:/i;

  it('says yes to every tag form and no to colons without a stem', () => {
    for (const yes of ['/* AI_STATUS: DONE */', '// ai_status :x', 'xAI_FOO\t:', 'LINUX_REF:', 'REF_X  :', 'a ? b : AI_Z:', ':AROS_IMPL:']) expect(mayHaveBreadcrumbs(yes), yes).toBe(true);
    for (const no of ['', ':', 'case X: break;', 'a ? b : c', 'AI_STATUS = 1;', 'AI_ STATUS:', 'AI_X\n:', 'int A_I: 3']) expect(mayHaveBreadcrumbs(no), no).toBe(false);
  });

  it('answers as the regular expression does on random text', () => {
    const pieces = ['AI_', 'ai_', 'REF_', 'LINUX_REF', 'Corr', 'ECTION_REF', 'X', '_', '1', ' ', '\t', '\n', ':', '::', 'case ', '/*', '*/', 'é'];
    for (const text of randomTexts(7, pieces, 5000, 12)) expect(mayHaveBreadcrumbs(text), JSON.stringify(text)).toBe(REGEX.test(text));
  });
});
