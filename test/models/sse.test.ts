import { describe, expect, it } from 'vitest';
import { parseSse, SseParser, type SseEvent } from '../../server/src/models/sse';

describe('SseParser', () => {
  it('splits events on blank lines and strips one space after the colon', () => {
    expect(parseSse('data: {"a":1}\n\ndata:  two\n\n')).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'message', data: ' two' },
    ]);
  });

  it('joins multi-line data with newlines', () => {
    expect(parseSse('data: one\ndata:two\ndata\n\n')).toEqual([{ event: 'message', data: 'one\ntwo\n' }]);
  });

  it('ignores comment lines and events without data (keep-alive pings)', () => {
    expect(parseSse(':\n\n: ping\n\ndata: x\n: inside\n\n')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('keeps event and id fields and ignores unknown ones', () => {
    expect(parseSse('event: delta\nid: 7\nretry: 10\nfoo: bar\ndata: x\n\ndata: y\n\n')).toEqual([
      { event: 'delta', data: 'x', id: '7' },
      { event: 'message', data: 'y', id: '7' },
    ]);
  });

  it('accepts CRLF and lone CR line endings', () => {
    expect(parseSse('data: a\r\n\r\ndata: b\r\rdata: c\r\ndata: d\r\n\r\n')).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
      { event: 'message', data: 'c\nd' },
    ]);
  });

  it('gives the same events however the text is split, even inside a CRLF', () => {
    const text = ':\r\n\r\ndata: {"content":"héllo"}\r\n\r\ndata: [DONE]\r\n\r\n';
    const whole = parseSse(text);
    for (let size = 1; size <= 7; size++) {
      const parser = new SseParser();
      const events: SseEvent[] = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
      events.push(...parser.end());
      expect(events).toEqual(whole);
    }
    expect(whole.map((e) => e.data)).toEqual(['{"content":"héllo"}', '[DONE]']);
  });

  it('returns events only once they are complete', () => {
    const parser = new SseParser();
    expect(parser.push('data: par')).toEqual([]);
    expect(parser.push('tial\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: 'partial' }]);
  });

  it('flushes an unterminated last event at the end', () => {
    const parser = new SseParser();
    expect(parser.push('data: last\r')).toEqual([]);
    expect(parser.end()).toEqual([{ event: 'message', data: 'last' }]);
    expect(parser.end()).toEqual([]);
  });

  it('drops a leading byte order mark', () => {
    expect(parseSse('\ufeffdata: x\n\n')).toEqual([{ event: 'message', data: 'x' }]);
  });
});
