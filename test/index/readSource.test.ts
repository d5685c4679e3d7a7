import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashBytes, hashText, readSource } from '../../server/src/index/readSource';

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

describe('readSource', () => {
  it('reads each file whole through one reused buffer, larger then smaller, and hashes its own bytes', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aros-read-'));
    try {
      const texts = ['int a;\n', 'x'.repeat(3 << 20) + '\n', 'int b; /* ü */\n', '', Buffer.from([0x69, 0x6e, 0x74, 0x20, 0xe9, 0x3b]).toString('latin1')];
      texts.forEach((t, i) => writeFileSync(path.join(dir, `${i}.c`), Buffer.from(t, i === 4 ? 'latin1' : 'utf8')));
      texts.forEach((t, i) => {
        const bytes = readFileSync(path.join(dir, `${i}.c`));
        const r = readSource(path.join(dir, `${i}.c`), 8 << 20);
        if (!r.ok) throw new Error(r.reason);
        expect([r.text, r.size, r.hash, r.encoding]).toEqual([t, bytes.length, hashBytes(bytes), i === 4 ? 'latin1' : 'utf8']);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with the size a listing saw: reads the file whole whether it grew or shrank since', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aros-read-'));
    try {
      const text = 'int grown(void);\n'.repeat(5000);
      writeFileSync(path.join(dir, 'a.c'), text);
      for (const listed of [0, 10, text.length - 1, text.length, text.length + 1, 3 * text.length]) {
        const r = readSource(path.join(dir, 'a.c'), 8 << 20, listed);
        expect(r.ok && [r.text.length, r.size]).toEqual([text.length, text.length]);
      }
      // Grown past the limit since the listing: still refused.
      expect(readSource(path.join(dir, 'a.c'), 1000, 10)).toEqual({ ok: false, reason: `too large: ${text.length} bytes (limit 1000)` });
      writeFileSync(path.join(dir, 'empty.c'), '');
      expect(readSource(path.join(dir, 'empty.c'), 100, 5)).toMatchObject({ ok: true, text: '', size: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with a listed size, a directory or FIFO found in its place is still no hang and no crash', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aros-read-'));
    try {
      mkdirSync(path.join(dir, 'dir.c'));
      execFileSync('mkfifo', [path.join(dir, 'pipe.c')]);
      expect(readSource(path.join(dir, 'dir.c'), 100, 10)).toEqual({ ok: false, reason: 'unreadable: EISDIR' });
      // No writer: a non-blocking read finds nothing, an empty file.
      expect(readSource(path.join(dir, 'pipe.c'), 100, 10)).toMatchObject({ ok: true, text: '' });
      expect(readSource(path.join(dir, 'none.c'), 100, 10)).toEqual({ ok: false, reason: 'unreadable: ENOENT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what is too large, binary, a directory, a FIFO or missing, without hanging', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aros-read-'));
    try {
      writeFileSync(path.join(dir, 'big.c'), 'y'.repeat(101));
      writeFileSync(path.join(dir, 'bin.c'), Buffer.from([1, 0, 2]));
      mkdirSync(path.join(dir, 'dir.c'));
      execFileSync('mkfifo', [path.join(dir, 'pipe.c')]);
      expect(readSource(path.join(dir, 'big.c'), 100)).toEqual({ ok: false, reason: 'too large: 101 bytes (limit 100)' });
      expect(readSource(path.join(dir, 'bin.c'), 100)).toEqual({ ok: false, reason: 'binary: contains NUL bytes' });
      expect(readSource(path.join(dir, 'dir.c'), 100)).toEqual({ ok: false, reason: 'unreadable: EISDIR' });
      expect(readSource(path.join(dir, 'pipe.c'), 100)).toEqual({ ok: false, reason: 'unreadable: not a regular file' });
      expect(readSource(path.join(dir, 'none.c'), 100)).toEqual({ ok: false, reason: 'unreadable: ENOENT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
