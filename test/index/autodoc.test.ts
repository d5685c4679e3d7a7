import { describe, it, expect } from 'vitest';
import { isAutoDocBanner, parseAutoDoc } from '../../server/src/index/autodoc';

// Comment texts written for these tests in the AROS AutoDoc layouts.

describe('isAutoDocBanner', () => {
  it('accepts banner rows, with or without a title', () => {
    expect(isAutoDocBanner('/*****************************************************************************\n\n    NAME */')).toBe(true);
    expect(isAutoDocBanner('/****** widget.library/SpinWidget *****\n*   NAME\n*/')).toBe(true);
    expect(isAutoDocBanner('/****i* widget.device/Internal ****\n*/')).toBe(true);
  });

  it('rejects ordinary and doxygen comments', () => {
    expect(isAutoDocBanner('/* NAME */')).toBe(false);
    expect(isAutoDocBanner('/** Brief. */')).toBe(false);
    expect(isAutoDocBanner('/**\n * Doxygen ******\n */')).toBe(false);
    expect(isAutoDocBanner('// *********')).toBe(false);
  });
});

describe('parseAutoDoc', () => {
  it('reads sections spread over the comments of an AROS_LHn head', () => {
    const doc = parseAutoDoc([
      '/*****************************************************************************\n\n    NAME */',
      '/*  SYNOPSIS */',
      '/*  LOCATION */',
      [
        '/*  FUNCTION',
        '        Frobs the widget.',
        '',
        '        Twice if needed.',
        '',
        '    INPUTS',
        '        widget - the widget',
        '            (never NULL)',
        '',
        '    RESULT',
        '',
        '    SEE ALSO',
        '        UnfrobWidget(), FrobAll()',
        '',
        '    INTERNALS',
        '',
        '******************************************************************************/',
      ].join('\n'),
    ]);
    expect(doc).toEqual({
      FUNCTION: 'Frobs the widget.\n\nTwice if needed.',
      INPUTS: 'widget - the widget\n    (never NULL)',
      'SEE ALSO': 'UnfrobWidget(), FrobAll()',
    });
  });

  it('reads a single comment with a * margin and a titled banner', () => {
    const doc = parseAutoDoc([
      [
        '/****** widget.library/SpinWidget *****************************************',
        '*',
        '*   NAME',
        '*       SpinWidget -- spin a widget (V40)',
        '*',
        '*   SYNOPSIS',
        '*       SpinWidget(widget, turns)',
        '*                  A0      D0',
        '*',
        '*   RESULTS',
        '*       Nothing.',
        '*',
        '*   EXAMPLES',
        '*       SpinWidget(w, 3);',
        '*',
        '****************************************************************************',
        '*/',
      ].join('\n'),
    ]);
    expect(doc).toEqual({
      NAME: 'SpinWidget -- spin a widget (V40)',
      SYNOPSIS: 'SpinWidget(widget, turns)\n           A0      D0',
      RESULT: 'Nothing.',
      EXAMPLE: 'SpinWidget(w, 3);',
    });
  });

  it('de-indents tab-indented bodies and keeps relative indentation', () => {
    const doc = parseAutoDoc(['/*************\n\tFUNCTION\n\t\tLine one\n\t\t    nested\n\tNOTES\n\t\tA note.\n*************/']);
    expect(doc).toEqual({ FUNCTION: 'Line one\n    nested', NOTES: 'A note.' });
  });

  it('reads an AutoDoc in front of a plain C function', () => {
    const doc = parseAutoDoc([
      '/*****************************************************************************\n\n    NAME */',
      '/*  SYNOPSIS */',
      '/*  FUNCTION\n        Counts widgets.\n\n    RESULT\n        The count.\n\n    HISTORY\n        2024-01-01 written\n\n*****************************************************************************/',
    ]);
    expect(doc).toEqual({ FUNCTION: 'Counts widgets.', RESULT: 'The count.', HISTORY: '2024-01-01 written' });
  });

  it('accepts headings with a colon and SEE ALSO spelled with extra blanks', () => {
    const doc = parseAutoDoc(['/******\n    FUNCTION:\n        Does it.\n    SEE  ALSO\n        Other()\n*/']);
    expect(doc).toEqual({ FUNCTION: 'Does it.', 'SEE ALSO': 'Other()' });
  });

  it('returns undefined without headings or when every section is empty', () => {
    expect(parseAutoDoc(['/* Just a comment. */'])).toBeUndefined();
    expect(parseAutoDoc(['/***********************************/'])).toBeUndefined();
    expect(parseAutoDoc(['/*****\n    NAME */', '/* FUNCTION\n\n    INPUTS\n\n*****/'])).toBeUndefined();
    expect(parseAutoDoc([])).toBeUndefined();
  });

  it('does not take words in running text for headings', () => {
    const doc = parseAutoDoc(['/*****\n    FUNCTION\n        The NAME of the widget is kept.\n        NULL\n*****/']);
    expect(doc).toEqual({ FUNCTION: 'The NAME of the widget is kept.\nNULL' });
  });
});
