// An incremental parser for server-sent events (the WHATWG EventSource
// format): text goes in as it arrives, whole events come out. Pure: no I/O,
// so the remote backend can feed it from any byte stream.

export interface SseEvent {
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen, when any. */
  id?: string;
}

const LF = 10;
const CR = 13;

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private atStart = true;

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): SseEvent[] {
    if (this.atStart && text !== '') {
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.buffer += text;
    const out: SseEvent[] = [];
    const buf = this.buffer;
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      // A CR at the end may be the first half of a CRLF split across pushes.
      if (c === CR && i + 1 === buf.length) break;
      this.line(buf.slice(start, i), out);
      if (c === CR && buf.charCodeAt(i + 1) === LF) i++;
      start = i + 1;
    }
    this.buffer = buf.slice(start);
    return out;
  }

  /** The stream ended: an unterminated last line or event still counts (servers that omit the final blank line). */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    const rest = this.buffer.endsWith('\r') ? this.buffer.slice(0, -1) : this.buffer;
    this.buffer = '';
    if (rest !== '') this.line(rest, out);
    this.dispatch(out);
    this.atStart = true;
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') return this.dispatch(out);
    if (line.charCodeAt(0) === 0x3a) return; // ':' comment, e.g. keep-alive pings
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }

  private dispatch(out: SseEvent[]): void {
    if (this.data.length > 0) {
      const event: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
      if (this.id !== undefined) event.id = this.id;
      out.push(event);
    }
    this.data = [];
    this.event = '';
  }
}

/** All events of a complete text. */
export function parseSse(text: string): SseEvent[] {
  const parser = new SseParser();
  return [...parser.push(text), ...parser.end()];
}
