// Reads LSP frames (`Content-Length: N\r\n\r\n` + N bytes of JSON) from the
// client. vscode-jsonrpc's own reader stops for good at a negative or
// oversized Content-Length, and leaves the bytes after a bad header unread
// until more arrive (a request written together with the bad bytes waits);
// this one reads by the rules below and recovers from everything but a frame
// that is longer than what follows (which no reader can tell from a slow one).
//
// - Blank lines between frames are skipped.
// - A header block ends at the first CRLF CRLF. Each line is `Name: value`;
//   exactly one Content-Length (repeats must agree), decimal digits, at most
//   MAX_BODY_BYTES; other headers are ignored (the body is UTF-8 whatever a
//   Content-Type says: the only encoding LSP defines). A bad block is dropped
//   and logged; when garbage ran into a real header (a Content-Length line
//   after bytes that are not header lines), reading resumes at that header.
// - A header block longer than MAX_HEADER_BYTES is garbage: all but its last
//   MAX_HEADER_BYTES are dropped (logged), so memory stays bounded and a real
//   header at its end is still found.
// - A body that is not JSON is dropped, logged, and reported through
//   `onError` as a ParseFailure (the gate answers it with ParseError, id null).
// - A frame that has not arrived whole after STALL_LOG_MS is logged once; the
//   reader keeps waiting (a big frame on a slow pipe is legitimate). If the
//   input ends inside a frame, that is logged and the reader closes.

import { AbstractMessageReader, Disposable, type DataCallback, type Message } from 'vscode-languageserver/node';

export const MAX_HEADER_BYTES = 64 * 1024;
export const MAX_BODY_BYTES = 256 * 1024 * 1024;
const STALL_LOG_MS = 10_000;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const UTF8 = new TextDecoder('utf-8');
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n]*?)[ \t]*$/;

/** A frame whose body is not JSON: the gate answers it with ParseError (id null). */
export class ParseFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParseFailure';
  }
}

export class FrameReader extends AbstractMessageReader {
  private head: Buffer = Buffer.alloc(0);
  private body: Buffer[] = [];
  private bodyBytes = 0;
  /** Length of the body being read; -1 while reading headers. */
  private want = -1;
  /** Garbage bytes dropped from an over-long header block, reported when the block ends. */
  private droppedGarbage = 0;
  private callback: DataCallback | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly log: (message: string) => void,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer | string): void => this.onData(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    const onError = (err: Error): void => this.fireError(err);
    const onClose = (): void => this.inputEnded();
    this.input.on('data', onData);
    this.input.on('error', onError);
    this.input.on('close', onClose);
    this.input.on('end', onClose);
    return Disposable.create(() => {
      this.input.off('data', onData);
      this.input.off('error', onError);
      this.input.off('close', onClose);
      this.input.off('end', onClose);
      this.clearStall();
    });
  }

  private onData(chunk: Buffer): void {
    if (this.want >= 0) {
      this.body.push(chunk);
      this.bodyBytes += chunk.length;
    } else {
      this.head = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
    }
    this.drain();
  }

  private drain(): void {
    for (;;) {
      if (this.want < 0) {
        let start = 0;
        while (start < this.head.length && (this.head[start] === 0x0d || this.head[start] === 0x0a)) start++;
        if (start) this.head = this.head.subarray(start);
        const end = this.head.indexOf(CRLFCRLF);
        if (end < 0) {
          if (this.head.length > MAX_HEADER_BYTES) {
            // Keep the tail: a real header may be arriving at the end of the garbage.
            this.droppedGarbage += this.head.length - MAX_HEADER_BYTES;
            this.head = Buffer.from(this.head.subarray(this.head.length - MAX_HEADER_BYTES));
          }
          return;
        }
        let from = 0;
        if (end > MAX_HEADER_BYTES) {
          from = end - MAX_HEADER_BYTES;
          this.droppedGarbage += from;
        }
        const block = this.head.subarray(from, end).toString('latin1');
        this.head = this.head.subarray(end + 4);
        if (this.droppedGarbage) {
          this.log(`bad frame: dropped ${this.droppedGarbage} bytes without a header end (a header block is at most ${MAX_HEADER_BYTES} bytes)`);
          this.droppedGarbage = 0;
        }
        const parsed = parseHeaderBlock(block);
        if ('error' in parsed) {
          this.log(`bad frame: ${parsed.error}; header block dropped: ${JSON.stringify(block.slice(0, 120))}`);
          continue;
        }
        if (parsed.skipped) this.log(`bad frame: dropped ${parsed.skipped} bytes that are not a header before ${JSON.stringify(block.slice(parsed.skipped, parsed.skipped + 40))}`);
        this.want = parsed.length;
        this.body = this.head.length ? [this.head] : [];
        this.bodyBytes = this.head.length;
        this.head = Buffer.alloc(0);
      }
      if (this.bodyBytes < this.want) {
        this.armStall();
        return;
      }
      this.clearStall();
      const all = this.body.length === 1 ? this.body[0] : Buffer.concat(this.body, this.bodyBytes);
      const body = all.subarray(0, this.want);
      this.head = all.subarray(this.want);
      this.want = -1;
      this.body = [];
      this.bodyBytes = 0;
      this.deliver(body);
    }
  }

  private deliver(bytes: Buffer): void {
    let message: Message;
    try {
      message = JSON.parse(UTF8.decode(bytes)) as Message;
    } catch (err) {
      const problem = `a frame's body is not JSON (${(err as Error).message}): ${JSON.stringify(bytes.subarray(0, 80).toString('utf8'))}${bytes.length > 80 ? '...' : ''}`;
      this.log(`bad frame: ${problem}`);
      this.fireError(new ParseFailure(problem));
      return;
    }
    try {
      this.callback?.(message);
    } catch (err) {
      this.log(`internal error handling a message: ${(err as Error)?.stack ?? String(err)}`);
    }
  }

  private armStall(): void {
    if (this.stallTimer) return;
    this.stallTimer = setTimeout(() => {
      this.log(`waiting for the rest of a frame: ${this.bodyBytes} of ${this.want} bytes after ${STALL_LOG_MS / 1000} s`);
    }, STALL_LOG_MS);
    this.stallTimer.unref();
  }

  private clearStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private inputEnded(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearStall();
    if (this.want >= 0) this.log(`the input ended inside a frame: ${this.bodyBytes} of ${this.want} bytes`);
    else if (this.head.length || this.droppedGarbage) this.log(`the input ended with ${this.head.length + this.droppedGarbage} bytes that are not a frame`);
    this.fireClose();
  }
}

type Parsed = { length: number; skipped?: number } | { error: string };

export function parseHeaderBlock(block: string): Parsed {
  const whole = checkBlock(block);
  if (!('error' in whole)) return whole;
  // Garbage that ran into a real header: read on from the last Content-Length, unless what
  // precedes it is itself header lines (then the block really has two Content-Lengths).
  const at = block.toLowerCase().lastIndexOf('content-length:');
  if (at > 0) {
    const prefix = block.slice(0, at);
    const headerLines = prefix.endsWith('\r\n') && prefix.slice(0, -2).split('\r\n').every((l) => HEADER_LINE.test(l));
    if (!headerLines) {
      const tail = checkBlock(block.slice(at));
      if (!('error' in tail)) return { length: tail.length, skipped: at };
    }
  }
  return whole;
}

function checkBlock(block: string): Parsed {
  let length: number | undefined;
  for (const line of block.split('\r\n')) {
    const m = HEADER_LINE.exec(line);
    if (!m) return { error: `not a header line: ${JSON.stringify(line.slice(0, 60))}` };
    if (m[1].toLowerCase() !== 'content-length') continue;
    if (!/^\d{1,16}$/.test(m[2])) return { error: `Content-Length must be a decimal number of bytes, got ${JSON.stringify(m[2].slice(0, 40))}` };
    const n = Number(m[2]);
    if (n > MAX_BODY_BYTES) return { error: `Content-Length ${n} is over the limit of ${MAX_BODY_BYTES} bytes` };
    if (length !== undefined && length !== n) return { error: `two different Content-Lengths (${length} and ${n})` };
    length = n;
  }
  if (length === undefined) return { error: 'no Content-Length header' };
  return { length };
}
