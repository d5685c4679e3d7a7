// LSP base-protocol bytes: frames as a well-behaved client writes them, and a
// strict parser for what the server writes back. Every byte the server sends
// must belong to a frame `Content-Length: N\r\n[Content-Type: ...\r\n]\r\n`
// followed by exactly N bytes of JSON-RPC 2.0; anything else is a violation.

/** A frame around `body` (a string is UTF-8); `headers` replace the default header block. */
export function frameBytes(body: string | Buffer, headers?: string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(headers ?? `Content-Length: ${b.length}\r\n\r\n`, 'latin1'), b]);
}

export function frameOf(message: unknown): Buffer {
  return frameBytes(JSON.stringify(message));
}

export interface ParsedFrame {
  headers: Record<string, string>;
  /** The body's byte length. */
  length: number;
  message: any;
}

/**
 * Parses the server's output. Chunks are kept in a list while a body is
 * incomplete, so a 50 MB answer costs one copy, not one per chunk.
 */
export class OutputParser {
  readonly violations: string[] = [];
  private head: Buffer = Buffer.alloc(0);
  private body: Buffer[] = [];
  private bodyBytes = 0;
  private want = -1;
  private headers: Record<string, string> = {};

  constructor(private readonly onFrame: (frame: ParsedFrame) => void) {}

  push(chunk: Buffer): void {
    if (this.want >= 0) {
      this.body.push(chunk);
      this.bodyBytes += chunk.length;
    } else {
      this.head = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
    }
    for (;;) {
      if (this.want < 0) {
        const end = this.head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (this.head.length > 4096) {
            this.violations.push(`no header end within 4096 bytes: ${JSON.stringify(this.head.subarray(0, 200).toString('latin1'))}`);
            this.head = Buffer.alloc(0);
          }
          return;
        }
        const text = this.head.subarray(0, end).toString('latin1');
        const headers: Record<string, string> = {};
        let bad = false;
        for (const line of text.split('\r\n')) {
          const m = /^(Content-Length|Content-Type): (.+)$/.exec(line);
          if (!m) bad = true;
          else headers[m[1].toLowerCase()] = m[2];
        }
        const length = Number(headers['content-length']);
        const rest = this.head.subarray(end + 4);
        this.head = Buffer.alloc(0);
        if (bad || !/^\d+$/.test(headers['content-length'] ?? '') || !Number.isSafeInteger(length)) {
          this.violations.push(`bad header block: ${JSON.stringify(text.slice(0, 200))}`);
          this.head = rest;
          continue;
        }
        this.want = length;
        this.headers = headers;
        this.body = rest.length ? [rest] : [];
        this.bodyBytes = rest.length;
      }
      if (this.bodyBytes < this.want) return;
      const all = this.body.length === 1 ? this.body[0] : Buffer.concat(this.body, this.bodyBytes);
      const body = all.subarray(0, this.want);
      this.head = all.subarray(this.want);
      const length = this.want;
      this.want = -1;
      this.body = [];
      this.bodyBytes = 0;
      let message: any;
      try {
        message = JSON.parse(body.toString('utf8'));
      } catch {
        this.violations.push(`frame body is not JSON: ${JSON.stringify(body.subarray(0, 200).toString('utf8'))}`);
        continue;
      }
      if (message?.jsonrpc !== '2.0') this.violations.push(`not JSON-RPC 2.0: ${body.subarray(0, 200).toString('utf8')}`);
      this.onFrame({ headers: this.headers, length, message });
    }
  }

  /** Bytes received that are not yet part of a complete frame. */
  get pending(): number {
    return this.want >= 0 ? this.bodyBytes + 1 : this.head.length;
  }
}
