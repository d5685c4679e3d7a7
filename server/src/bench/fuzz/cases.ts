// The fuzz cases. Each case comes from its own seed and is a list of steps
// (bytes to write, pauses, end of input) with what must come back. Categories:
//
//   valid      well-formed requests and notifications of every registered method
//   params     the same with mutated params (wrong types, missing fields, odd values)
//   documents  open/change/close with wrong versions, ranges past the end, bad shapes
//   ids        request ids of every JSON type, duplicates, stray responses, cancellation
//   methods    unknown and odd method names, requests named like notifications and back
//   json       bodies that are not JSON, not messages, batches, deep nesting, huge strings, odd numbers
//   framing    bad headers and Content-Length, garbage, split writes, a stalled frame
//   lifecycle  before initialize, after shutdown, exit, end of input (a fresh server each)

import type { Expectation } from './oracle';
import { ParseError, idKey } from './oracle';
import { mutate, short } from './mutate';
import { Rng } from './random';
import { EDITABLE, anyUri, cText, contentChanges, position, uriOf, validNotification, validRequest, type Call, type World } from './messages';
import { frameBytes } from './frames';

export const CATEGORIES = ['valid', 'params', 'documents', 'ids', 'methods', 'json', 'framing', 'lifecycle'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Step {
  /** Bodies (JSON text or raw bytes) framed correctly, written together; the oracle decides their answers. */
  bodies?: Array<string | Buffer>;
  /** Raw bytes, written as they are; what they must produce is `expect`. */
  raw?: Buffer;
  expect?: Expectation[];
  /** The raw bytes are written in this many pieces, `pieceDelayMs` apart. */
  pieces?: number;
  pieceDelayMs?: number;
  /** A pause before the step. */
  delayMs?: number;
  /** Close the server's input. */
  endInput?: boolean;
  /** Wait for every answer owed so far before the next step. */
  settle?: boolean;
  /** Answers owed by this step may be missing (the step ends the process); those that come must be right. */
  optional?: boolean;
  /** For the report. */
  note?: string;
}

export interface FuzzCase {
  index: number;
  seed: number;
  category: Category;
  kind: string;
  /** What the case does, for the report. */
  notes: string[];
  steps: Step[];
  /** Run on a fresh server, before or after `initialize` (no workspace), or initialized on the workspace. */
  fresh?: 'uninitialized' | 'initialized' | 'workspace';
  /** Exit code a fresh server must end with; undefined: it must still serve, then shut down cleanly. */
  exitCode?: number;
  /** Exact number of error responses with id null; 'any' when the damage makes it unknowable. */
  nullErrors?: number | 'any';
  /** Ids (keys) of requests inside destroyed frames: they must never be answered. */
  forbidden?: string[];
  /** stderr must report a framing problem. */
  logsFrameError?: boolean;
  /** Bound for each answer, when longer than the default (huge payloads). */
  boundMs?: number;
  /** Raw bytes this case writes in total (for budgets). */
  bytes?: number;
}

export interface GenerateOptions {
  world: World;
  /** Allow 10-50 MB payloads (json/huge, framing/stall). */
  huge: boolean;
  /** Allow cases that need a fresh server. */
  fresh: boolean;
  /** Stall time for the stalled-frame case. */
  stallMs: number;
  /** Force the kind within the category (focused tests). */
  kind?: string;
}

const CATEGORY_WEIGHTS: ReadonlyArray<readonly [Category, number]> = [
  ['valid', 14],
  ['params', 24],
  ['documents', 14],
  ['ids', 10],
  ['methods', 7],
  ['json', 12],
  ['framing', 17],
  ['lifecycle', 2],
];

/** Builds case `index` from its seed; `category` forces one. */
export function generateCase(index: number, seed: number, options: GenerateOptions, category?: Category, kind?: string): FuzzCase {
  const rng = new Rng(seed);
  if (kind !== undefined) options = { ...options, kind };
  let cat = category ?? rng.weighted(CATEGORY_WEIGHTS);
  if (cat === 'lifecycle' && !options.fresh) cat = 'valid';
  const ids = new IdMaker(index);
  const c: FuzzCase = { index, seed, category: cat, kind: '', notes: [], steps: [] };
  const gen = GENERATORS[cat];
  gen(rng, c, ids, options);
  c.bytes = c.steps.reduce((s, st) => s + (st.raw?.length ?? 0) + (st.bodies ?? []).reduce((t, b) => t + Buffer.byteLength(b), 0), 0);
  return c;
}

/** Ids unique across the whole run: case index and a counter. */
class IdMaker {
  private n = 0;
  constructor(private readonly index: number) {}
  number(): number {
    return this.index * 1000 + this.n++ + 1_000_000;
  }
  string(): string {
    return `c${this.index}.${this.n++}`;
  }
  any(rng: Rng): number | string {
    return rng.chance(0.6) ? this.number() : this.string();
  }
}

function body(id: number | string | undefined, call: Call): string {
  const m: Record<string, unknown> = { jsonrpc: '2.0' };
  if (id !== undefined) m.id = id;
  m.method = call.method;
  if (call.params !== undefined) m.params = call.params;
  return JSON.stringify(m);
}

function request(ids: IdMaker, rng: Rng, call: Call): string {
  return body(call.notification ? undefined : ids.any(rng), call);
}

type Generator = (rng: Rng, c: FuzzCase, ids: IdMaker, o: GenerateOptions) => void;

const GENERATORS: Record<Category, Generator> = {
  valid(rng, c, ids, o) {
    c.kind = 'valid';
    const bodies: string[] = [];
    const n = rng.int(1, 4);
    for (let i = 0; i < n; i++) {
      const call = rng.chance(0.7) ? validRequest(rng, o.world) : validNotification(rng, o.world);
      c.notes.push(`${call.method} ${short(call.params)}`);
      const id = call.notification ? undefined : ids.any(rng);
      bodies.push(body(id, call));
      if (id !== undefined && rng.chance(0.1)) {
        bodies.push(body(undefined, { method: '$/cancelRequest', params: { id }, notification: true }));
        c.notes.push(`$/cancelRequest ${JSON.stringify(id)}`);
      }
    }
    splitIntoSteps(rng, c, bodies);
  },

  params(rng, c, ids, o) {
    c.kind = 'mutated-params';
    const bodies: string[] = [];
    const n = rng.int(1, 3);
    for (let i = 0; i < n; i++) {
      const call = rng.chance(0.65) ? validRequest(rng, o.world) : validNotification(rng, o.world);
      let params: unknown;
      if (rng.chance(0.15)) {
        params = rng.pick<unknown>([undefined, null, 'params', 42, true, [], [call.params], [1, 2, 3], {}]);
        c.notes.push(`${call.method} params = ${short(params)}`);
      } else {
        const m = mutate(rng, call.params ?? {});
        params = m.value;
        c.notes.push(`${call.method}: ${m.what.join('; ')}`);
      }
      bodies.push(request(ids, rng, { ...call, params }));
    }
    splitIntoSteps(rng, c, bodies);
  },

  documents(rng, c, ids, o) {
    c.kind = 'document-sync';
    const rel = rng.pick(EDITABLE);
    const uri = rng.chance(0.9) ? uriOf(o.world, rel) : anyUri(rng, o.world, true);
    const bodies: string[] = [];
    const note = (s: string): void => {
      c.notes.push(s);
    };
    let version = rng.int(0, 5);
    if (rng.chance(0.85)) {
      const doc: Record<string, unknown> = { uri, languageId: 'c', version, text: cText(rng) };
      if (rng.chance(0.1)) delete doc[rng.pick(['languageId', 'version', 'text'])];
      if (rng.chance(0.05)) doc.text = rng.pick<unknown>([42, null, ['x'], { text: 'x' }]);
      bodies.push(body(undefined, { method: 'textDocument/didOpen', params: { textDocument: doc }, notification: true }));
      note(`didOpen ${rel} v${version} ${short(doc.text)}`);
      if (rng.chance(0.1)) {
        bodies.push(body(undefined, { method: 'textDocument/didOpen', params: { textDocument: { ...doc, version: version + 1 } }, notification: true }));
        note('didOpen again');
      }
    }
    const changes = rng.int(0, 5);
    for (let i = 0; i < changes; i++) {
      version = rng.weighted<number>([
        [version + 1, 6],
        [version, 1],
        [version - 1, 1],
        [version + 1000, 1],
        [-1, 1],
        [2 ** 31, 1],
      ]);
      const cc = rng.chance(0.9) ? contentChanges(rng) : rng.pick<unknown>([null, 'text', {}, [null], [{ range: null, text: 'x' }], [{ text: 42 }]]);
      const textDocument: Record<string, unknown> = rng.chance(0.95) ? { uri, version } : { uri, version: rng.pick<unknown>(['7', null, 1.5]) };
      bodies.push(body(undefined, { method: 'textDocument/didChange', params: { textDocument, contentChanges: cc }, notification: true }));
      note(`didChange v${JSON.stringify(textDocument.version)} ${short(cc)}`);
    }
    const requests = rng.int(1, 3);
    for (let i = 0; i < requests; i++) {
      const method = rng.pick(['textDocument/documentSymbol', 'textDocument/hover', 'textDocument/completion', 'textDocument/inlineCompletion', 'textDocument/definition', 'textDocument/references', 'textDocument/codeAction']);
      const params: Record<string, unknown> = { textDocument: { uri } };
      if (method === 'textDocument/codeAction') params.range = { start: position(rng), end: position(rng) };
      else if (method !== 'textDocument/documentSymbol') params.position = position(rng);
      if (method === 'textDocument/codeAction') params.context = { diagnostics: [] };
      bodies.push(body(ids.any(rng), { method, params }));
      note(`${method} ${short(params.position ?? params.range ?? '')}`);
    }
    if (rng.chance(0.2)) {
      bodies.push(body(ids.any(rng), { method: 'workspace/executeCommand', params: { command: 'aros.checkFile', arguments: [{ uri }] } }));
      note('aros.checkFile');
    }
    const closes = rng.weighted<number>([
      [1, 6],
      [0, 3],
      [2, 1],
    ]);
    for (let i = 0; i < closes; i++) bodies.push(body(undefined, { method: 'textDocument/didClose', params: { textDocument: { uri } }, notification: true }));
    if (closes) note(`didClose x${closes}`);
    if (closes && rng.chance(0.5)) {
      bodies.push(body(ids.any(rng), { method: 'textDocument/documentSymbol', params: { textDocument: { uri } } }));
      note('documentSymbol after close');
    }
    splitIntoSteps(rng, c, bodies);
  },

  ids(rng, c, ids, o) {
    const call = validRequest(rng, o.world);
    const params = JSON.stringify(call.params ?? {});
    const kind = (o.kind as IdKind | undefined) ?? rng.pick(ID_KINDS);
    c.kind = `id-${kind}`;
    const raw = (idText: string, method = call.method, p = params): string => `{"jsonrpc":"2.0","id":${idText},"method":${JSON.stringify(method)},"params":${p}}`;
    const n = ids.number();
    const bodies: string[] = [];
    switch (kind) {
      case 'int':
        bodies.push(raw(String(n)));
        break;
      case 'negative':
        bodies.push(raw(String(-n)));
        break;
      case 'zero':
        bodies.push(raw(rng.pick(['0', '-0', '0.0', '0e5'])));
        break;
      case 'fraction':
        bodies.push(raw(`${n}.5`));
        break;
      case 'huge-int':
        bodies.push(raw(rng.pick(['9007199254740993', '123456789012345678901234567890', '-9007199254740993', '1e300'])));
        break;
      case 'string':
        bodies.push(raw(JSON.stringify(ids.string())));
        break;
      case 'empty-string':
        bodies.push(raw('""'));
        break;
      case 'long-string':
        bodies.push(raw(JSON.stringify(`${ids.string()}-${'x'.repeat(rng.int(1000, 200_000))}`)));
        break;
      case 'unicode-string':
        bodies.push(raw(JSON.stringify(`${ids.string()}-${rng.pick(['é', '😀', '\u0000', '\\', '"', '\uD800', '\u2028'])}`)));
        break;
      case 'null':
        bodies.push(raw('null'));
        break;
      case 'object':
        bodies.push(raw(rng.pick(['{}', '{"id":1}', `{"__proto__":${n}}`])));
        break;
      case 'array':
        bodies.push(raw(rng.pick(['[]', `[${n}]`, '[null]'])));
        break;
      case 'boolean':
        bodies.push(raw(rng.pick(['true', 'false'])));
        break;
      case 'overflow-number':
        bodies.push(raw(rng.pick(['1e400', '-1e400'])));
        break;
      case 'duplicate-key':
        bodies.push(`{"jsonrpc":"2.0","id":${n},"id":${JSON.stringify(ids.string())},"method":${JSON.stringify(call.method)},"params":${params}}`);
        break;
      case 'same-id-twice': {
        // JSON-RPC wants ids unique among pending requests: each gets an answer (InvalidRequest for the one in use).
        const id = ids.any(rng);
        bodies.push(raw(JSON.stringify(id)), raw(JSON.stringify(id)));
        c.nullErrors = 0;
        break;
      }
      case 'numeric-and-string':
        // Distinct ids to JSON-RPC (1 and "1"): each gets an answer (vscode-jsonrpc keys its queue by the printed id).
        bodies.push(raw(String(n)), raw(JSON.stringify(String(n))));
        break;
      case 'stray-response':
        bodies.push(
          rng.pick([
            `{"jsonrpc":"2.0","id":${n},"result":null}`,
            `{"jsonrpc":"2.0","id":"nobody","result":{"applied":true}}`,
            '{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"x"}}',
            `{"jsonrpc":"2.0","id":${n},"error":{"code":"x"}}`,
            `{"jsonrpc":"2.0","id":${n},"result":1,"error":{"code":1,"message":"both"}}`,
          ]),
        );
        break;
      case 'response-without-result':
        bodies.push(rng.pick([`{"jsonrpc":"2.0","id":${n}}`, `{"jsonrpc":"2.0","id":${n},"error":null}`, `{"jsonrpc":"2.0","id":${n},"error":0}`, '{"jsonrpc":"2.0"}']));
        break;
      case 'cancel': {
        const id = ids.any(rng);
        bodies.push(raw(JSON.stringify(id)), JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } }));
        if (rng.chance(0.5)) bodies.push(JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } }));
        break;
      }
      case 'cancel-bad':
        bodies.push(
          JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: rng.pick<unknown>([null, {}, { id: null }, { id: {} }, { id: [1] }, 'x', [1], { id: true }]) }),
          raw(String(n)),
        );
        break;
      case 'invalid-id-shutdown':
        bodies.push(raw(rng.pick(['null', '{}', '[]', 'true', '1e400']), 'shutdown', 'null'));
        break;
      case 'invalid-id-exit':
        bodies.push(raw(rng.pick(['null', '{}', '[]', 'false', '-1e400']), 'exit', '{}'));
        break;
    }
    c.notes.push(...bodies.map((b) => b.slice(0, 200)));
    c.steps.push({ bodies });
  },

  methods(rng, c, ids, o) {
    const name = rng.pick([
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '',
      ' ',
      'textDocument/HOVER',
      'textdocument/hover',
      'workspace/symbol ',
      ' workspace/symbol',
      '$/fuzz',
      '$/cancelRequest',
      'rpc.discover',
      'aros/runIteration/x',
      'aros/noSuchMethod',
      'textDocument/didOpen',
      'textDocument/publishDiagnostics',
      'window/logMessage',
      'exit',
      'initialized',
      'textDocument/hover\u0000',
      '😀',
      'a'.repeat(rng.int(1000, 100_000)),
    ]);
    const asNotification = rng.chance(0.4);
    c.kind = asNotification ? 'odd-method-notification' : 'odd-method-request';
    // `exit` as a notification ends the server: it belongs to the lifecycle cases.
    const notify = asNotification && name !== 'exit';
    const params = rng.pick<unknown>([undefined, {}, { query: 'x' }, null, [1]]);
    const bodies = [body(notify ? undefined : ids.any(rng), { method: name, params })];
    if (rng.chance(0.3)) {
      // Request methods sent as notifications: ignored, and the server goes on.
      const call = validRequest(rng, o.world);
      bodies.push(body(undefined, { ...call, notification: true }));
      c.notes.push(`${call.method} as a notification`);
    }
    if (rng.chance(0.2)) {
      // `shutdown` as a notification must not shut anything down.
      bodies.push(body(undefined, { method: 'shutdown', notification: true }));
      c.notes.push('shutdown as a notification');
    }
    c.notes.unshift(`${notify ? 'notification' : 'request'} ${JSON.stringify(name.slice(0, 60))}${name.length > 60 ? `... (${name.length} chars)` : ''}`);
    c.steps.push({ bodies });
  },

  json(rng, c, ids, o) {
    const kind = o.kind ?? rng.weighted<string>([
      ['invalid', 10],
      ['not-a-message', 6],
      ['batch', 4],
      ['deep-nesting', 2],
      ['numbers', 4],
      ['duplicate-keys', 2],
      ['proto-keys', 2],
      ['encoding', 4],
      ['big-string', 3],
      ['huge-string', o.huge ? 1 : 0],
    ]);
    c.kind = `json-${kind}`;
    const valid = (): string => request(ids, rng, validRequest(rng, o.world));
    const bodies: Array<string | Buffer> = [];
    switch (kind) {
      case 'invalid': {
        const v = valid();
        bodies.push(
          rng.pick([
            v.slice(0, rng.int(0, v.length - 1)),
            `${v},`,
            `${v}}`,
            `${v} x`,
            v.replace(/"/g, "'"),
            v.replace('"jsonrpc"', 'jsonrpc'),
            `${v.slice(0, -1)},}`,
            '',
            '   ',
            'NaN',
            'undefined',
            '{"jsonrpc":"2.0","id":1,"method":"x",}',
            '/* comment */ {}',
            '{"a":"\\x41"}',
            '{"a":"\\u12"}',
            '{"a":"line\nbreak"}',
            '{"a":01}',
            '{"a":.5}',
            '{"a":1.}',
            '{"a":+1}',
            '{"a":Infinity}',
            '\u0000',
            '[',
            '{',
            '"',
          ]),
        );
        if (rng.chance(0.5)) bodies.push(valid());
        break;
      }
      case 'not-a-message':
        bodies.push(rng.pick(['null', '42', '-1', '"shutdown"', 'true', 'false', '{}', '{"jsonrpc":"2.0"}', '{"hello":"world"}', '{"jsonrpc":"2.0","method":42}', '{"jsonrpc":"2.0","method":null,"id":1}', '{"jsonrpc":"2.0","method":["x"]}', '{"method":{}}']));
        break;
      case 'batch': {
        const n = rng.int(0, 5);
        const items = Array.from({ length: n }, () => (rng.chance(0.7) ? valid() : rng.pick(['1', 'null', '{}', '[]'])));
        bodies.push(`[${items.join(',')}]`);
        if (rng.chance(0.3)) bodies.push(`[[${items.join(',')}]]`);
        break;
      }
      case 'deep-nesting': {
        const levels = rng.pick([1000, 10_000, 100_000]);
        const open = rng.chance(0.5) ? '[' : '{"a":';
        const close = open === '[' ? ']' : '}';
        const deep = `${open.repeat(levels)}1${close.repeat(levels)}`;
        const call = validRequest(rng, o.world);
        const where = rng.pick(['params', 'extra', 'id', 'message']);
        const id = ids.any(rng);
        if (where === 'params') bodies.push(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":${JSON.stringify(call.method)},"params":${deep}}`);
        else if (where === 'extra') bodies.push(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":${JSON.stringify(call.method)},"params":${JSON.stringify(call.params).replace(/^\{/, `{"deep":${deep},`)}}`);
        else if (where === 'id') bodies.push(`{"jsonrpc":"2.0","id":${deep},"method":"workspace/symbol","params":{"query":"x"}}`);
        else bodies.push(deep);
        c.notes.push(`${levels} levels of ${open} in ${where} of ${call.method}`);
        // An unbalanced one too: it must fail to parse, not hang.
        if (rng.chance(0.3)) bodies.push(open.repeat(levels));
        // With verbose tracing the transport prints params: deep ones must not cost the answer.
        if (rng.chance(0.3)) {
          bodies.unshift('{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"verbose"}}');
          bodies.push('{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"off"}}');
          c.notes.push('with $/setTrace verbose');
        }
        break;
      }
      case 'numbers': {
        const call = validRequest(rng, o.world);
        const num = rng.pick(['1e400', '-1e400', '1e-400', '123456789012345678901234567890', '-0', '0.1e1', '1E2', '4.9e-324', '2e308', '9007199254740993']);
        let text = JSON.stringify(call.params ?? {});
        // Every number in the params becomes the odd one.
        text = text.replace(/(?<=[:\[,])-?\d+(\.\d+)?(e[+-]?\d+)?(?=[,\]}])/gi, num);
        bodies.push(`{"jsonrpc":"2.0","id":${JSON.stringify(ids.any(rng))},"method":${JSON.stringify(call.method)},"params":${text}}`);
        c.notes.push(`numbers = ${num}`);
        break;
      }
      case 'duplicate-keys': {
        const call = validRequest(rng, o.world);
        const id = ids.any(rng);
        bodies.push(
          rng.pick([
            `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"aros/noSuchMethod","method":${JSON.stringify(call.method)},"params":${JSON.stringify(call.params ?? {})}}`,
            `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":${JSON.stringify(call.method)},"params":{"textDocument":1},"params":${JSON.stringify(call.params ?? {})}}`,
            `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"workspace/symbol","params":{"query":"AllocMem","query":42}}`,
          ]),
        );
        break;
      }
      case 'proto-keys': {
        const id = ids.any(rng);
        bodies.push(
          rng.pick([
            `{"jsonrpc":"2.0","__proto__":{"method":"exit"}}`,
            `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"workspace/symbol","params":{"__proto__":{"query":"AllocMem"}}}`,
            `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"workspace/executeCommand","params":{"command":"aros.reindex","constructor":{"prototype":{"polluted":1}},"__proto__":{"polluted":1}}}`,
            `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"textDocument/hover","params":{"textDocument":{"__proto__":{"uri":"file:///etc/passwd"}},"position":{"line":0,"character":0}}}`,
            `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"constructor","params":{}}`,
          ]),
        );
        break;
      }
      case 'encoding': {
        const v = Buffer.from(valid(), 'utf8');
        const pick = rng.int(0, 4);
        if (pick === 0) bodies.push(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), v]));
        else if (pick === 1) bodies.push(Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(ids.any(rng))},"method":"workspace/symbol","params":{"query":"\xff\xfe\xc0\xaf"}}`, 'latin1'));
        else if (pick === 2) bodies.push(`{"jsonrpc":"2.0","id":${JSON.stringify(ids.any(rng))},"method":"workspace/symbol","params":{"query":"\\ud800\\udc00\\ud800"}}`);
        else if (pick === 3) bodies.push(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: ids.any(rng), method: 'workspace/symbol', params: { query: 'AllocMem' } }), 'utf16le'));
        else bodies.push(Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(ids.any(rng))},"method":"workspace/symbol","params":{"query":"a\u0000b"}}`, 'utf8'));
        c.notes.push(`encoding variant ${pick}`);
        break;
      }
      case 'big-string':
      case 'huge-string': {
        const size = kind === 'huge-string' ? rng.int(10, 50) * 1024 * 1024 : rng.int(64, 2048) * 1024;
        const big = rng.pick(['x', 'é', '\\n', '😀']);
        const str = big.repeat(Math.ceil(size / Buffer.byteLength(big)));
        const where = rng.pick(['query', 'didOpen', 'uri', 'extra', 'id', 'method', 'command']);
        const id = JSON.stringify(ids.any(rng));
        const uri = uriOf(o.world, rng.pick(EDITABLE));
        switch (where) {
          case 'query':
            bodies.push(`{"jsonrpc":"2.0","id":${id},"method":"workspace/symbol","params":{"query":"${str}"}}`);
            break;
          case 'didOpen': {
            bodies.push(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":${JSON.stringify(uri)},"languageId":"c","version":1,"text":"int f(void) { return \\"${str}\\"; }\\n"}}}`);
            bodies.push(`{"jsonrpc":"2.0","id":${id},"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":${JSON.stringify(uri)}}}}`);
            bodies.push(`{"jsonrpc":"2.0","method":"textDocument/didClose","params":{"textDocument":{"uri":${JSON.stringify(uri)}}}}`);
            break;
          }
          case 'uri':
            bodies.push(`{"jsonrpc":"2.0","id":${id},"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///${str}"},"position":{"line":0,"character":0}}}`);
            break;
          case 'extra':
            bodies.push(`{"jsonrpc":"2.0","id":${id},"method":"workspace/symbol","params":{"query":"AllocMem","extra":"${str}"}}`);
            break;
          case 'id':
            bodies.push(`{"jsonrpc":"2.0","id":"${str}","method":"workspace/symbol","params":{"query":"AllocMem"}}`);
            break;
          case 'method':
            bodies.push(`{"jsonrpc":"2.0","id":${id},"method":"${str}","params":{}}`);
            break;
          default:
            bodies.push(`{"jsonrpc":"2.0","id":${id},"method":"workspace/executeCommand","params":{"command":"${str}"}}`);
        }
        c.notes.push(`${(size / 1024 / 1024).toFixed(1)} MB of ${JSON.stringify(big)} in ${where}`);
        c.boundMs = 120_000;
        break;
      }
    }
    if (!c.notes.length) c.notes.push(...bodies.map((b) => (typeof b === 'string' ? b : b.toString('latin1')).slice(0, 200)));
    c.steps.push({ bodies });
  },

  framing(rng, c, ids, o) {
    framingCase(rng, c, ids, o);
  },

  lifecycle(rng, c, ids, o) {
    lifecycleCase(rng, c, ids, o);
  },
};

const ID_KINDS = [
  'int',
  'negative',
  'zero',
  'fraction',
  'huge-int',
  'string',
  'empty-string',
  'long-string',
  'unicode-string',
  'null',
  'object',
  'array',
  'boolean',
  'overflow-number',
  'duplicate-key',
  'same-id-twice',
  'numeric-and-string',
  'stray-response',
  'response-without-result',
  'cancel',
  'cancel-bad',
  'invalid-id-shutdown',
  'invalid-id-exit',
] as const;
type IdKind = (typeof ID_KINDS)[number];

/** Bodies in one write, or spread over a few (the server sees them as they come). */
function splitIntoSteps(rng: Rng, c: FuzzCase, bodies: string[]): void {
  if (bodies.length > 1 && rng.chance(0.3)) for (const b of bodies) c.steps.push({ bodies: [b] });
  else c.steps.push({ bodies });
}

// ---------------------------------------------------------------------------
// Framing. The server's documented rules (server/src/lsp/frameReader.ts):
// a header block ends at CRLF CRLF; it must hold exactly one Content-Length,
// decimal digits only, at most 256 MiB; other headers are ignored (the body
// is UTF-8 whatever a Content-Type says). A bad header block is dropped and
// logged; when a Content-Length line appears later in a bad block (garbage
// ran into a real header), reading resumes there. A body that is not JSON
// gets one ParseError answer with id null. So every attack but one is
// recovered from by the next well-formed frame: a Content-Length larger than
// what follows swallows the bytes that follow until it is satisfied (the
// stream cannot know better); the fuzzer then sends the missing bytes.

function framingCase(rng: Rng, c: FuzzCase, ids: IdMaker, o: GenerateOptions): void {
  const kind = o.kind ?? rng.weighted<string>([
    ['body-not-json', 3],
    ['garbage-header-line', 3],
    ['no-content-length', 3],
    ['bad-content-length', 5],
    ['content-length-zero', 2],
    ['too-short', 4],
    ['too-long', 4],
    ['conflicting-content-length', 2],
    ['extra-headers', 4],
    ['charset', 3],
    ['split-writes', 5],
    ['garbage-between', 5],
    ['binary-garbage', 3],
    ['lf-only', 2],
    ['long-header-block', 1],
    ['too-large', 2],
    ['stall', o.huge ? 1 : 0],
    ['eof-inside-frame', o.fresh ? 0.5 : 0],
  ]);
  c.kind = kind;
  const victimId = ids.string();
  const victim = JSON.stringify({ jsonrpc: '2.0', id: victimId, method: 'workspace/symbol', params: { query: 'victim' } });
  const survivorId = ids.string();
  const survivor = frameBytes(JSON.stringify({ jsonrpc: '2.0', id: survivorId, method: 'workspace/symbol', params: { query: 'AllocMem' } }));
  const answered = (key: string): Expectation => ({ kind: 'response', key, method: 'workspace/symbol', noInternalError: true });
  const survivorAnswered = answered(idKey(survivorId));
  const lost = (extra: Expectation[] = []): void => {
    c.forbidden = [idKey(victimId)];
    c.logsFrameError = true;
    c.steps[c.steps.length - 1].expect = [...extra, survivorAnswered];
  };
  c.nullErrors = 0;
  const write = (raw: Buffer, note: string): void => {
    c.steps.push({ raw, note });
    c.notes.push(note);
  };
  switch (kind) {
    case 'body-not-json': {
      const bad = victim.slice(0, rng.int(1, victim.length - 1));
      write(Buffer.concat([frameBytes(bad), survivor]), `a frame whose body is ${JSON.stringify(bad.slice(0, 40))}..., then a request`);
      c.nullErrors = 1;
      lost([{ kind: 'null-error', code: ParseError }]);
      break;
    }
    case 'garbage-header-line': {
      const line = rng.pick(['Hello, this is not a header', 'Content-Length 12', 'GET / HTTP/1.1', '{"jsonrpc":"2.0"}', '\t', 'Content-Length']);
      write(Buffer.concat([Buffer.from(`${line}\r\n\r\n`, 'latin1'), survivor]), `header line ${JSON.stringify(line)}, then a request in the same write`);
      c.steps[0].expect = [survivorAnswered];
      c.logsFrameError = true;
      break;
    }
    case 'no-content-length':
      write(Buffer.concat([Buffer.from('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n'), Buffer.from(victim), survivor]), 'a header block without Content-Length, its body, then a request');
      lost();
      break;
    case 'bad-content-length': {
      const value = rng.pick(['twelve', '-5', '-1', '1e3', '0x10', '+12', '12abc', '', ' ', '99999999999999999999', '1.5', '١٢', `${Buffer.byteLength(victim)} ${Buffer.byteLength(victim)}`]);
      write(Buffer.concat([Buffer.from(`Content-Length: ${value}\r\n\r\n`, 'utf8'), Buffer.from(victim), survivor]), `Content-Length: ${JSON.stringify(value)}, a body, then a request`);
      lost();
      break;
    }
    case 'content-length-zero':
      write(Buffer.concat([Buffer.from('Content-Length: 0\r\n\r\n'), Buffer.from(victim), survivor]), 'Content-Length: 0, a body, then a request');
      c.nullErrors = 1;
      lost([{ kind: 'null-error', code: ParseError }]);
      break;
    case 'too-short': {
      const len = rng.int(1, Buffer.byteLength(victim) - 1);
      write(Buffer.concat([frameBytes(victim, `Content-Length: ${len}\r\n\r\n`), survivor]), `Content-Length ${len} for a ${Buffer.byteLength(victim)}-byte body, then a request`);
      c.nullErrors = 1;
      lost([{ kind: 'null-error', code: ParseError }]);
      break;
    }
    case 'too-long': {
      const extra = rng.int(1, 300);
      // The declared length runs into the next frame (and possibly past it): send what is missing.
      const first = frameBytes(victim, `Content-Length: ${Buffer.byteLength(victim) + extra}\r\n\r\n`);
      const after = Buffer.concat([first, survivor]);
      const missing = Math.max(0, first.length + extra - after.length);
      write(Buffer.concat([after, Buffer.alloc(missing, 0x78)]), `Content-Length ${extra} bytes too long, then a request (${missing} filler bytes)`);
      c.nullErrors = 1;
      c.forbidden = [idKey(victimId), idKey(survivorId)];
      c.logsFrameError = true;
      c.steps[0].expect = [{ kind: 'null-error', code: ParseError }];
      break;
    }
    case 'conflicting-content-length': {
      const len = Buffer.byteLength(victim);
      write(Buffer.concat([Buffer.from(`Content-Length: ${len}\r\nContent-Length: ${len + rng.int(1, 9)}\r\n\r\n`), Buffer.from(victim), survivor]), 'two different Content-Lengths, a body, then a request');
      lost();
      break;
    }
    case 'extra-headers': {
      const b = Buffer.from(victim);
      const headers = rng.pick([
        `Content-Length: ${b.length}\r\nX-Fuzz: 1\r\n\r\n`,
        `X-Fuzz: a: b: c\r\nContent-Length: ${b.length}\r\n\r\n`,
        `content-length: ${b.length}\r\n\r\n`,
        `CONTENT-LENGTH: ${b.length}\r\n\r\n`,
        `Content-Length:${b.length}\r\n\r\n`,
        `Content-Length:    ${b.length}   \r\n\r\n`,
        `Content-Length: ${b.length}\r\nContent-Length: ${b.length}\r\n\r\n`,
        `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: ${b.length}\r\n\r\n`,
        `Content-Length: ${b.length}\r\n${'X-Many: y\r\n'.repeat(200)}\r\n`,
        `Content-Length: ${b.length}\r\nX-Empty:\r\n\r\n`,
      ]);
      write(Buffer.concat([Buffer.from(headers, 'latin1'), b, survivor]), `headers ${JSON.stringify(headers.slice(0, 80))}`);
      c.steps[0].expect = [answered(idKey(victimId)), survivorAnswered];
      break;
    }
    case 'charset': {
      const b = Buffer.from(victim);
      const ct = rng.pick(['charset=latin1', 'charset=utf-16', 'charset=ascii', 'charset=utf8', 'charset="UTF-8"', 'charset=', 'charset=klingon']);
      write(Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\nContent-Type: application/vscode-jsonrpc; ${ct}\r\n\r\n`), b, survivor]), `Content-Type ${ct}: decoded as UTF-8 all the same`);
      c.steps[0].expect = [answered(idKey(victimId)), survivorAnswered];
      break;
    }
    case 'split-writes': {
      const n = rng.int(1, 4);
      const bodies = Array.from({ length: n }, () => validRequest(rng, o.world));
      const keys: Expectation[] = [];
      const frames = bodies.map((call) => {
        const id = ids.any(rng);
        keys.push({ kind: 'response', key: idKey(id), method: call.method, noInternalError: true });
        c.notes.push(call.method);
        return frameBytes(body(id, call));
      });
      const all = Buffer.concat([...frames, survivor]);
      const pieces = rng.pick([2, 3, 7, 20, Math.min(all.length, 200), all.length]);
      c.steps.push({ raw: all, pieces, pieceDelayMs: rng.pick([0, 0, 1, 3]), expect: [...keys, survivorAnswered] });
      c.notes.push(`${all.length} bytes in ${pieces} writes`);
      break;
    }
    case 'garbage-between': {
      const garbage = rng.pick([
        '\r\n',
        '\r\n\r\n',
        '\n',
        'x',
        'garbage',
        'Content-Length: 5\r\n',
        '\u0000\u0000\u0000',
        '\uFEFF',
        'HTTP/1.1 200 OK\r\nServer: x\r\n\r\n',
        '{"jsonrpc":"2.0","id":"never","method":"shutdown"}',
        'Content-Type: text/plain\r\n\r\n',
      ]);
      const first = frameBytes(victim);
      write(Buffer.concat([first, Buffer.from(garbage, 'utf8'), survivor]), `a request, ${JSON.stringify(garbage)}, a request`);
      c.forbidden = [idKey('never')];
      c.logsFrameError = !/^[\r\n]+$/.test(garbage);
      if (garbage === 'Content-Length: 5\r\n') {
        // Indistinguishable from a real header line: the block then has two Content-Lengths and is
        // dropped with the request it framed; reading resumes at the next frame.
        c.steps[0].expect = [answered(idKey(victimId))];
        c.forbidden.push(idKey(survivorId));
      } else {
        c.steps[0].expect = [answered(idKey(victimId)), survivorAnswered];
      }
      break;
    }
    case 'binary-garbage': {
      let g = rng.bytes(rng.int(1, 4096));
      // Random bytes almost never hold CRLF CRLF; sometimes put some in.
      if (rng.chance(0.3)) g = Buffer.concat([g, Buffer.from('\r\n\r\n'), rng.bytes(rng.int(0, 100))]);
      write(Buffer.concat([g, survivor]), `${g.length} random bytes, then a request`);
      c.steps[0].expect = [survivorAnswered];
      c.nullErrors = 'any';
      c.logsFrameError = true;
      break;
    }
    case 'lf-only':
      write(Buffer.concat([Buffer.from(`Content-Length: ${Buffer.byteLength(victim)}\n\n${victim}`), survivor]), 'a frame with LF line ends, then a request');
      lost();
      break;
    case 'long-header-block': {
      const pad = 'X-Pad: '.concat('p'.repeat(90), '\r\n').repeat(rng.int(800, 20_000));
      const b = Buffer.from(victim);
      write(Buffer.concat([Buffer.from(pad), Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), b, survivor]), `${pad.length} bytes of header lines before Content-Length`);
      // The start of an over-long header block is dropped; its own Content-Length still frames the body.
      c.steps[0].expect = [answered(idKey(victimId)), survivorAnswered];
      c.logsFrameError = pad.length > 64 * 1024;
      break;
    }
    case 'too-large': {
      const value = rng.pick(['268435457', '1099511627776', '9007199254740993']);
      write(Buffer.concat([Buffer.from(`Content-Length: ${value}\r\n\r\n`), Buffer.from(victim), survivor]), `Content-Length ${value}, over the limit: refused at once`);
      lost();
      break;
    }
    case 'stall': {
      // A 10 MB frame whose head arrives, then nothing for a while, then the rest: it is a request like any other.
      const b = Buffer.from(victim);
      const total = 10 * 1024 * 1024;
      c.steps.push({ raw: Buffer.concat([Buffer.from(`Content-Length: ${total}\r\n\r\n`), b]), note: `declared ${total} bytes, sent ${b.length}` });
      c.steps.push({ raw: Buffer.alloc(total - b.length - 1024, 0x20), delayMs: o.stallMs, note: `after ${o.stallMs} ms, most of the rest (spaces)` });
      c.steps.push({ raw: Buffer.concat([Buffer.alloc(1024, 0x20), survivor]), delayMs: Math.min(500, o.stallMs), expect: [answered(idKey(victimId)), survivorAnswered], note: 'the last 1024 bytes, then a request' });
      c.notes.push(`10 MB frame stalled ${o.stallMs} ms, then completed`);
      c.boundMs = 120_000;
      break;
    }
    case 'eof-inside-frame': {
      c.fresh = 'initialized';
      c.exitCode = 1;
      c.steps.push({ raw: Buffer.concat([Buffer.from(`Content-Length: ${rng.pick([10 * 1024 * 1024, 500])}\r\n\r\n`), Buffer.from(victim)]), expect: [] });
      c.steps.push({ endInput: true, delayMs: rng.int(0, 200) });
      c.notes.push('the input ends inside a frame: the server exits with code 1 (no shutdown)');
      c.forbidden = [idKey(victimId)];
      break;
    }
  }
}

// ---------------------------------------------------------------------------
// Lifecycle: a fresh server per case.

function lifecycleCase(rng: Rng, c: FuzzCase, ids: IdMaker, o: GenerateOptions): void {
  // The last two take seconds (the parent-process watchdog polls every 3 s): focused tests only.
  const kind = (o.kind as LifecycleKind | undefined) ?? rng.pick(LIFECYCLE_KINDS.slice(0, -2));
  c.kind = kind;
  const anyRequest = (): string => {
    const call = rng.chance(0.8) ? validRequest(rng, o.world) : { method: rng.pick(['aros/noSuch', 'shutdown', '$/x']), params: {} };
    return body(ids.any(rng), call);
  };
  const init = (params: unknown = { processId: null, rootUri: null, capabilities: {} }): string => body(ids.any(rng), { method: 'initialize', params });
  const initialized = JSON.stringify({ jsonrpc: '2.0', method: 'initialized', params: {} });
  const shutdown = (): string => body(ids.any(rng), { method: 'shutdown' });
  const exit = JSON.stringify({ jsonrpc: '2.0', method: 'exit' });
  const some = (f: () => string, lo = 1, hi = 4): string[] => Array.from({ length: rng.int(lo, hi) }, f);
  switch (kind) {
    case 'before-initialize':
      c.fresh = 'uninitialized';
      c.steps.push({ bodies: [...some(anyRequest), JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: uriOf(o.world, 'fuzz/early.c'), languageId: 'c', version: 1, text: 'int early;' } } })], settle: true });
      c.steps.push({ bodies: [init(), initialized], settle: true });
      c.steps.push({ bodies: some(anyRequest, 1, 2), settle: true });
      c.steps.push({ bodies: [shutdown()], settle: true });
      c.steps.push({ bodies: [...some(anyRequest, 1, 3), exit] });
      c.exitCode = 0;
      c.notes.push('requests and a notification before initialize (-32002, dropped), initialize, requests, shutdown, requests (-32600), exit: code 0');
      break;
    case 'exit-before-initialize':
      c.fresh = 'uninitialized';
      c.steps.push({ bodies: rng.chance(0.5) ? [exit] : [anyRequest(), exit] });
      c.exitCode = 1;
      c.notes.push('exit before initialize: code 1');
      break;
    case 'exit-without-shutdown':
      c.fresh = 'initialized';
      // Requests in flight when `exit` arrives may go unanswered: the client asked the process to end.
      c.steps.push({ bodies: [...some(anyRequest, 0, 2), exit], optional: true });
      c.exitCode = 1;
      c.notes.push('exit without shutdown: code 1');
      break;
    case 'after-shutdown':
      c.fresh = rng.chance(0.3) ? 'workspace' : 'initialized';
      c.steps.push({ bodies: [shutdown()], settle: true });
      c.steps.push({ bodies: [...some(anyRequest), shutdown(), init(), validNotificationBody(rng, o)], settle: true });
      c.steps.push({ bodies: [exit] });
      c.exitCode = 0;
      c.notes.push('shutdown; requests, a second shutdown, initialize: -32600 each; notifications dropped; exit: code 0');
      break;
    case 'initialize-twice':
      c.fresh = 'initialized';
      c.steps.push({ bodies: [init(), anyRequest()], settle: true });
      c.steps.push({ bodies: [init({ processId: null, rootUri: uriOf(o.world, ''), capabilities: {}, initializationOptions: { cacheDir: o.world.freshCacheDir } })], settle: true });
      c.notes.push('initialize again (twice): -32600, and the server goes on');
      break;
    case 'end-of-input': {
      const when = rng.pick(['before-initialize', 'running', 'after-shutdown'] as const);
      c.fresh = when === 'before-initialize' ? 'uninitialized' : 'initialized';
      if (when === 'after-shutdown') c.steps.push({ bodies: [shutdown()], settle: true });
      c.steps.push({ endInput: true });
      c.exitCode = when === 'after-shutdown' ? 0 : 1;
      c.notes.push(`the input ends ${when}: code ${c.exitCode}`);
      break;
    }
    case 'mutated-initialize': {
      c.fresh = 'uninitialized';
      const base = {
        processId: rng.pick<unknown>([null, process.pid, -1, 'x', 2 ** 31]),
        rootUri: rng.pick<unknown>([null, uriOf(o.world, ''), 42, 'untitled:x', 'file:///nonexistent-fuzz-root', {}]),
        rootPath: rng.pick<unknown>([undefined, null, 42, '/nonexistent-fuzz-root']),
        workspaceFolders: rng.pick<unknown>([undefined, null, [], 'x', [{ uri: 42, name: 1 }], [null]]),
        capabilities: rng.pick<unknown>([{}, null, 'x', { textDocument: null, workspace: 'x', window: { showDocument: 1 } }, []]),
        initializationOptions: { cacheDir: o.world.freshCacheDir },
        trace: rng.pick<unknown>([undefined, 'off', 'verbose', 42]),
      };
      const m = mutate(rng, base);
      const params = m.value as Record<string, unknown> | null;
      // Never index anything but the workspace, never cache anywhere but the temp dir.
      if (params && typeof params === 'object' && !Array.isArray(params)) {
        const safe = ['untitled:x', 'file:///nonexistent-fuzz-root', '/nonexistent-fuzz-root', uriOf(o.world, '')];
        for (const k of ['rootUri', 'rootPath']) if (typeof params[k] === 'string' && !safe.includes(params[k] as string)) params[k] = null;
        if (base.workspaceFolders === undefined) delete params.workspaceFolders;
        else params.workspaceFolders = base.workspaceFolders;
        // A process id that could be real but is not ours would make the server exit by itself (the dead-parent case).
        const pid = params.processId;
        if (typeof pid === 'number' && Number.isInteger(pid) && pid > 0 && pid <= 0x7fffffff) params.processId = process.pid;
        params.initializationOptions = { cacheDir: o.world.freshCacheDir };
      }
      c.steps.push({ bodies: [body(ids.any(rng), { method: 'initialize', params: params ?? undefined }), initialized], settle: true });
      c.steps.push({ bodies: some(anyRequest, 1, 3), settle: true });
      c.notes.push(`initialize: ${m.what.join('; ')}`);
      break;
    }
    case 'invalid-process-id': {
      // Not a process id: ignored (vscode-languageserver's watchdog would take it for a dead parent and exit).
      c.fresh = 'uninitialized';
      const pid = rng.pick<unknown>([1.5, -1, 0, 'x', 2 ** 31, 2 ** 53, true]);
      c.steps.push({ bodies: [init({ processId: pid, rootUri: null, capabilities: {} }), initialized], settle: true });
      c.steps.push({ bodies: [anyRequest()], delayMs: 3500, settle: true });
      c.notes.push(`processId ${JSON.stringify(pid)}: ignored, the server still serves after 3.5 s`);
      break;
    }
    case 'dead-parent':
      // A process id that cannot exist (above Linux's largest pid_max): the parent is gone, so the server ends (code 1).
      c.fresh = 'uninitialized';
      c.steps.push({ bodies: [init({ processId: 4_194_305, rootUri: null, capabilities: {} }), initialized], settle: true });
      c.exitCode = 1;
      c.notes.push('processId of a process that does not exist: the server exits by itself, code 1');
      break;
    case 'requests-with-initialize':
      c.fresh = 'uninitialized';
      c.steps.push({ bodies: [init(), ...some(anyRequest), initialized], settle: true });
      c.notes.push('requests right behind initialize, before its answer: each answered');
      break;
  }
}

export const LIFECYCLE_KINDS = [
  'before-initialize',
  'exit-before-initialize',
  'exit-without-shutdown',
  'after-shutdown',
  'initialize-twice',
  'end-of-input',
  'mutated-initialize',
  'requests-with-initialize',
  'invalid-process-id',
  'dead-parent',
] as const;
type LifecycleKind = (typeof LIFECYCLE_KINDS)[number];

function validNotificationBody(rng: Rng, o: GenerateOptions): string {
  return body(undefined, validNotification(rng, o.world));
}
