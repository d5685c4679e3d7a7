import { randomTexts } from '../helpers/randomText';
import { describe, it, expect } from 'vitest';
import {
  blankLines,
  findIdentifier,
  isIdentChar,
  lexC,
  lineStarts,
  offsetToPosition,
  spaces,
  uniqueIdentifiers,
  countIdentifiers,
} from '../../server/src/index/lexer';

describe('lexC: comments', () => {
  it('blanks a block comment, keeping its newlines and every offset', () => {
    const text = 'int a; /* one\n   two */ int b;';
    const { code, comments } = lexC(text);
    expect(code).toBe('int a;       \n          int b;');
    expect(code.length).toBe(text.length);
    expect(comments).toEqual([{ start: 7, end: 23, block: true }]);
    expect(text.slice(7, 23)).toBe('/* one\n   two */');
  });

  it('blanks a line comment up to (not including) the newline', () => {
    const text = 'x = 1; // note\ny = 2;';
    const { code, comments } = lexC(text);
    expect(code).toBe('x = 1;        \ny = 2;');
    expect(comments).toEqual([{ start: 7, end: 14, block: false }]);
  });

  it('continues a line comment across a backslash-newline', () => {
    const text = 'a; // first \\\nstill comment\nb;';
    const { code, comments } = lexC(text);
    expect(comments).toEqual([{ start: 3, end: 27, block: false }]);
    expect(code).toBe('a;           \n             \nb;');
  });

  it('treats a CRLF after the backslash as a continuation too', () => {
    const text = '// a \\\r\nb\r\nc';
    const { code, comments } = lexC(text);
    expect(comments).toEqual([{ start: 0, end: 10, block: false }]);
    expect(code).toBe('       \n  \nc');
  });

  it('an unterminated block comment runs to the end of the text', () => {
    const text = 'int a;\n/* never closed\nint b;';
    const { code, comments } = lexC(text);
    expect(comments).toEqual([{ start: 7, end: text.length, block: true }]);
    expect(code).toBe('int a;\n               \n      ');
  });

  it('a line comment at the very end of the text ends at the text end', () => {
    const text = 'f(); // tail';
    expect(lexC(text).comments).toEqual([{ start: 5, end: 12, block: false }]);
  });

  it('does not open comments inside string literals', () => {
    const text = 's = "/* no */"; t = "// no"; // yes';
    const { code, comments } = lexC(text);
    expect(comments).toEqual([{ start: 29, end: 35, block: false }]);
    expect(code).toBe('s = "        "; t = "     ";       ');
  });

  it('a lone slash at the end and division are code', () => {
    expect(lexC('a / b /').code).toBe('a / b /');
    expect(lexC('a / b /').comments).toEqual([]);
  });
});

describe('lexC: string and char literals', () => {
  it('blanks the body of a string, keeping the quotes', () => {
    expect(lexC('puts("hello");').code).toBe('puts("     ");');
  });

  it('honours escaped quotes and escaped backslashes', () => {
    // "a\"b" then "c\\" then x
    const text = 'p("a\\"b", "c\\\\", x);';
    expect(lexC(text).code).toBe('p("    ", "   ", x);');
  });

  it('blanks char literals, including an escaped quote and a backslash', () => {
    const text = "c = '\\''; d = '\\\\'; e = 'x';";
    expect(lexC(text).code).toBe("c = '  '; d = '  '; e = ' ';");
  });

  it('an unterminated string ends at the end of its line, and the next line is code', () => {
    const text = 'char *s = "open\nint next;';
    const { code, comments } = lexC(text);
    expect(code).toBe('char *s = "    \nint next;');
    expect(comments).toEqual([]);
  });

  it('an unterminated char literal at the end of the text', () => {
    expect(lexC("x = 'ab").code).toBe("x = '  ");
  });

  it('an empty string stays as is', () => {
    expect(lexC('f("", \'\')').code).toBe('f("", \'\')');
  });

  it('a comment opener inside a char literal is not a comment', () => {
    const { code, comments } = lexC("c = '/'; d = '*'; /*x*/");
    expect(comments).toEqual([{ start: 18, end: 23, block: true }]);
    expect(code).toBe("c = ' '; d = ' ';      ");
  });

  it('keeps length and line count for a mixed text', () => {
    const text = '/* a\n b */ "s\\\nt" // c\n\'\\n\'\n';
    const { code } = lexC(text);
    expect(code.length).toBe(text.length);
    expect(code.split('\n').length).toBe(text.split('\n').length);
  });
});

/** The lexer's rules read one character at a time: the reference the fast lexer (indexOf jumps, line-wise blanking) must match. */
function referenceLex(text: string): { code: string; comments: Array<{ start: number; end: number; block: boolean }> } {
  const out = text.split('');
  const comments: Array<{ start: number; end: number; block: boolean }> = [];
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? text.length : close + 2;
      comments.push({ start: i, end, block: true });
      blank(i, end);
      i = end;
    } else if (c === '/' && text[i + 1] === '/') {
      let end = i + 2;
      while (end < text.length && !(text[end] === '\n' && !/\\\r?$/.test(text.slice(i + 2, end)))) end++;
      comments.push({ start: i, end, block: false });
      blank(i, end);
      i = end;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      const end = Math.min(j, text.length);
      blank(i + 1, end);
      i = end < text.length && text[end] === c ? end + 1 : end;
    } else i++;
  }
  return { code: out.join(''), comments };
}

describe('lexC against a character-by-character reference', () => {
  it('agrees on 3,000 random texts of C punctuation, quotes, escapes and newlines', () => {
    let seed = 11;
    const random = (): number => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const alphabet = ['/', '*', '"', "'", '\\', '\n', '\r', 'a', ' ', 'x', '/*', '*/', '//'];
    for (let t = 0; t < 3000; t++) {
      const length = Math.floor(random() * 60);
      let text = '';
      for (let k = 0; k < length; k++) text += alphabet[Math.floor(random() * alphabet.length)];
      expect(lexC(text), JSON.stringify(text)).toEqual(referenceLex(text));
    }
  });

  it('blankLines keeps exactly the newlines', () => {
    for (const s of ['', 'a', '\n', 'ab\n\ncd\r\n', '\n\nx', 'x'.repeat(5000) + '\n']) expect(blankLines(s)).toBe(s.replace(/[^\n]/g, ' '));
  });
});

describe('lineStarts / offsetToPosition', () => {
  it('lists the start of every line', () => {
    expect(lineStarts('')).toEqual([0]);
    expect(lineStarts('ab')).toEqual([0]);
    expect(lineStarts('ab\ncd\n')).toEqual([0, 3, 6]);
    expect(lineStarts('\n\n')).toEqual([0, 1, 2]);
  });

  it('converts offsets to 0-based line and character', () => {
    const starts = lineStarts('ab\ncd\n\nxyz');
    expect(offsetToPosition(starts, 0)).toEqual({ line: 0, character: 0 });
    expect(offsetToPosition(starts, 2)).toEqual({ line: 0, character: 2 });
    expect(offsetToPosition(starts, 3)).toEqual({ line: 1, character: 0 });
    expect(offsetToPosition(starts, 5)).toEqual({ line: 1, character: 2 });
    expect(offsetToPosition(starts, 6)).toEqual({ line: 2, character: 0 });
    expect(offsetToPosition(starts, 7)).toEqual({ line: 3, character: 0 });
    expect(offsetToPosition(starts, 10)).toEqual({ line: 3, character: 3 });
  });

  it('agrees with a naive count on every offset', () => {
    const text = 'int a;\n\n  /* x */\r\nstatic int b;\n}';
    const starts = lineStarts(text);
    for (let off = 0; off <= text.length; off++) {
      const before = text.slice(0, off);
      const line = before.split('\n').length - 1;
      const character = off - (before.lastIndexOf('\n') + 1);
      expect(offsetToPosition(starts, off)).toEqual({ line, character });
    }
  });
});

describe('uniqueIdentifiers', () => {
  it('lists each identifier once, in first-seen order', () => {
    expect(uniqueIdentifiers('a = b + a; c(b);')).toEqual(['a', 'b', 'c']);
  });

  it('skips number suffixes and hex digits', () => {
    expect(uniqueIdentifiers('x = 0x1F + 10UL + 1.5e3f + y2;')).toEqual(['x', 'y2']);
  });

  it('sees only code once the lexer has masked comments and strings', () => {
    const text = 'int real; /* hidden1 */ char *s = "hidden2"; // hidden3\nchar c = \'h\';';
    expect(uniqueIdentifiers(lexC(text).code)).toEqual(['int', 'real', 'char', 's', 'c']);
  });

  it('handles underscores and identifiers at both ends', () => {
    expect(uniqueIdentifiers('_start __AROS__ end_')).toEqual(['_start', '__AROS__', 'end_']);
  });
});

describe('uniqueIdentifiers against countIdentifiers (the occurrence-by-occurrence rule)', () => {
  it('lists the same identifiers in the same order on random text', () => {
    const pieces = ['a', 'Zq', '_', '9', '0x1F', '10UL', '1.5e3f', ' ', '\n', '(', '.', '->', 'é', 'x2', 'UL', '__AROS__'];
    for (const code of randomTexts(11, pieces, 2000, 30)) expect(uniqueIdentifiers(code), JSON.stringify(code)).toEqual([...countIdentifiers(code).keys()]);
  });
});

describe('countIdentifiers', () => {
  it('counts what uniqueIdentifiers lists, in the same order, skipping the tails of numbers', () => {
    const code = 'x = 0x1F + y; x++; z(10UL, x, y);';
    const counts = countIdentifiers(code);
    expect([...counts]).toEqual([
      ['x', 3],
      ['y', 2],
      ['z', 1],
    ]);
    expect([...counts.keys()]).toEqual(uniqueIdentifiers(code));
    // Counting out a line's names into the same map.
    countIdentifiers('x + y', counts, -1);
    expect(counts.get('x')).toBe(2);
    expect(counts.get('y')).toBe(1);
  });
});

describe('findIdentifier', () => {
  it('finds whole words only', () => {
    const code = 'Alloc(AllocMem, MyAllocMem, AllocMem_, AllocMem);AllocMem';
    expect(findIdentifier(code, 'AllocMem')).toEqual([6, 39, 49]);
  });

  it('finds at the start and the end of the text', () => {
    expect(findIdentifier('foo+foo', 'foo')).toEqual([0, 4]);
    expect(findIdentifier('foo', 'foo')).toEqual([0]);
  });

  it('returns nothing when absent or only part of longer words', () => {
    expect(findIdentifier('food foo1 _foo', 'foo')).toEqual([]);
    expect(findIdentifier('', 'foo')).toEqual([]);
  });

  it('does not count adjacent repeats as one overlapping match', () => {
    expect(findIdentifier('aa aa', 'aa')).toEqual([0, 3]);
    expect(findIdentifier('aaa', 'aa')).toEqual([]);
  });
});

describe('helpers', () => {
  it('spaces and blankLines keep lengths and newlines', () => {
    expect(spaces(3)).toBe('   ');
    expect(spaces(5000).length).toBe(5000);
    expect(blankLines('ab\ncd\n\ne')).toBe('  \n  \n\n ');
  });

  it('isIdentChar', () => {
    expect(['a', 'Z', '0', '9', '_'].map((c) => isIdentChar(c.charCodeAt(0)))).toEqual([true, true, true, true, true]);
    expect([' ', '$', '(', '-', '@', '[', '`', '{'].map((c) => isIdentChar(c.charCodeAt(0)))).toEqual([false, false, false, false, false, false, false, false]);
  });
});
