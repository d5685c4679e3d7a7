import { describe, it, expect } from 'vitest';
import { hashBytes, hashText } from '../../server/src/index/readSource';

describe('hashText', () => {
  it('hashes the UTF-8 bytes of the text, whatever falls on the boundaries of its pieces', () => {
    const emoji = '\u{1F600}'; // a surrogate pair in UTF-16
    const texts = [
      '',
      'int x;\n',
      'größe '.repeat(5000),
      // Pairs straddling every possible piece boundary near 16 KB.
      ...[16382, 16383, 16384, 16385].map((n) => 'a'.repeat(n) + emoji.repeat(3) + 'tail'),
      (emoji + 'é').repeat(20000),
    ];
    for (const text of texts) expect(hashText(text)).toBe(hashBytes(Buffer.from(text, 'utf8')));
  });
});
