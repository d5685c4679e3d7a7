import { describe, it, expect } from 'vitest';
import { analyzeC } from '../../server/src/index/analyze';
import type { SymbolInfo } from '../../server/src/index/types';

function symbol(text: string, name: string): SymbolInfo {
  const s = analyzeC(text).analysis.symbols.find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s;
}

const BANNER = '/******************************************************************************';
const END = '******************************************************************************/';

describe('attachDocs', () => {
  it('gathers an AutoDoc from the banner and the comments in the head, not from the body', () => {
    const text = [
      BANNER,
      '',
      '    NAME */',
      '        int Count(',
      '',
      '/*  SYNOPSIS */',
      '        struct List *list)',
      '',
      '/*  FUNCTION',
      '        Counts the nodes of a list.',
      '',
      '    INTERNALS',
      '        Walks the list once.',
      '',
      END,
      '{',
      '    /* A note on the loop, not documentation. */',
      '    return 0;',
      '}',
    ].join('\n');
    const doc = symbol(text, 'Count').autodoc;
    expect(doc?.FUNCTION).toBe('Counts the nodes of a list.');
    expect(doc?.INTERNALS).toBe('Walks the list once.');
    expect(JSON.stringify(doc)).not.toContain('note on the loop');
  });

  it('gives an AutoDoc whose sections are all empty no documentation at all', () => {
    const text = [BANNER, '', '    NAME */', '        int Empty(', '', '/*  SYNOPSIS */', '        void)', '', '/*  FUNCTION', '', '    RESULT', '', END, '{', '    /* body */', '    return 0;', '}'].join('\n');
    const s = symbol(text, 'Empty');
    expect(s.autodoc).toBeUndefined();
    expect(s.doc).toBeUndefined();
  });

  it('reads a kernel-doc comment above a struct as its documentation, whatever its fields say', () => {
    const text = ['/**', ' * struct widget_funcs - what a widget can do', ' */', 'struct widget_funcs {', '    /** @draw: draws it */', '    void (*draw)(void);', '};'].join('\n');
    const s = symbol(text, 'widget_funcs');
    expect(s.autodoc).toBeUndefined();
    expect(s.doc).toBe('struct widget_funcs - what a widget can do');
  });

  it('takes a comment as a symbol’s only when nothing but comments comes before it on its line', () => {
    expect(symbol('/* a */ /* The count. */\nint count;\n', 'count').doc).toBe('The count.');
    expect(symbol('int before; /* about before */\nint after;\n', 'after').doc).toBeUndefined();
    expect(symbol('/* x\n   y */ /* The total. */\nint total;\n', 'total').doc).toBe('The total.');
    // A run of own-line `//` comments is one doc comment.
    expect(symbol('// First line.\n// Second line.\nint lines;\n', 'lines').doc).toBe('First line.\nSecond line.');
  });
});
