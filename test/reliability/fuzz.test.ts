// Protocol fuzzing (issue 8, part 1): random and mutated JSON-RPC traffic
// against the built server over stdio, through the same runner as
// `npm run fuzz` (server/src/bench/fuzz/). A short deterministic run covers
// every category; then one focused case per lifecycle rule and per framing
// attack class, each checked by the runner's oracle (the answer each request
// must get, ids that must never be answered, id-null error counts, framing
// damage logged on stderr, exit codes) plus a few explicit assertions.
//
// Run `npm run build` first: the server under test is out/cli/main.js.
// No speed thresholds: the bounds below are hang bounds only.

import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES, type Category, type FuzzCase, type Step } from '../../server/src/bench/fuzz/cases';
import { frameBytes } from '../../server/src/bench/fuzz/frames';
import { uriOf } from '../../server/src/bench/fuzz/messages';
import { FuzzSession, formatReport, runFuzz, type CaseOutcome } from '../../server/src/bench/fuzz/runner';
import { MAIN } from '../../server/src/bench/fuzz/serverProcess';

if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before the fuzz tests`);

const SEED = 20_250;

describe('a short deterministic fuzz run', () => {
  it('runs 500 cases of a fixed seed with no failure, every category included', async () => {
    const report = await runFuzz({
      seed: SEED,
      count: 500,
      seconds: 240,
      probeEvery: 25,
      huge: false,
      stallMs: 300,
      replayFailures: false,
      // The first cases take each category in turn, so even a run cut short by time covers them all.
      categoryOf: (i) => CATEGORIES[i],
    });
    expect(report.failures, formatReport(report)).toEqual([]);
    expect(report.cases).toBe(500);
    for (const c of CATEGORIES) expect(report.byCategory[c], `category ${c}`).toBeGreaterThan(0);
    expect(report.probes).toBeGreaterThanOrEqual(20);
    expect(report.requests).toBeGreaterThan(500);
  }, 300_000);
});

let session: FuzzSession;
let next = 50_000;

beforeAll(async () => {
  session = await FuzzSession.open({ seed: SEED, huge: true, stallMs: 1000 });
}, 120_000);

afterAll(async () => {
  if (session) expect(await session.close()).toEqual([]);
}, 60_000);

function show(c: FuzzCase, o: CaseOutcome): string {
  return `${c.category}/${c.kind}: ${c.notes.join(' | ').slice(0, 600)}\nproblems: ${o.problems.join('\n')}\nstderr: ${o.stderr.slice(-2000)}`;
}

/** A generated case of this category and kind, run and checked: no problem at all. */
async function generated(category: Category, kind: string): Promise<{ c: FuzzCase; o: CaseOutcome }> {
  const c = session.generate(next++, category, kind);
  expect(c.kind.endsWith(kind), c.kind).toBe(true);
  const o = await session.runCase(c);
  expect(o.problems, show(c, o)).toEqual([]);
  return { c, o };
}

/** A hand-written case: its bodies' answers come from the oracle like any other case. */
async function handmade(kind: string, steps: Step[], more: Partial<FuzzCase> = {}): Promise<{ c: FuzzCase; o: CaseOutcome }> {
  const c: FuzzCase = { index: next++, seed: 0, category: more.fresh ? 'lifecycle' : 'json', kind, notes: [kind], steps, ...more };
  const o = await session.runCase(c);
  expect(o.problems, show(c, o)).toEqual([]);
  return { c, o };
}

const req = (id: string | number, method: string, params?: unknown): string => JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
const note = (method: string, params?: unknown): string => JSON.stringify({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) });
const INIT = { processId: null, rootUri: null, capabilities: {} };
const errorOf = (o: CaseOutcome, id: unknown): { code: number; message: string } | undefined => o.received.find((m) => m.id === id && !('method' in m))?.error;

describe('lifecycle rules (a server of its own each)', () => {
  it('answers requests before initialize with ServerNotInitialized and sends nothing else until then', async () => {
    const { o } = await generated('lifecycle', 'before-initialize');
    expect(o.received.some((m) => m.error?.code === -32002)).toBe(true);
    const init = o.received.findIndex((m) => m.result?.serverInfo?.name === 'aros-lsp');
    expect(init).toBeGreaterThan(0);
    // Before the answer to initialize: only responses (the -32002 errors), and none of the server's own
    // requests or notifications but the log messages LSP allows while initialize runs.
    expect(o.received.slice(0, init).filter((m) => 'method' in m && m.method !== 'window/logMessage')).toEqual([]);
    expect(o.exit).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('answers every request after shutdown with InvalidRequest, drops notifications, and exits 0 on exit', async () => {
    const { o } = await handmade(
      'after-shutdown',
      [
        { bodies: [req('s1', 'shutdown')], settle: true },
        { bodies: [req('a1', 'workspace/symbol', { query: 'x' }), req('a2', 'shutdown'), req('a3', 'initialize', INIT), note('textDocument/didOpen', { textDocument: { uri: 'file:///tmp/x.c', languageId: 'c', version: 1, text: 'int x;' } })], settle: true },
        { bodies: [note('exit')] },
      ],
      { fresh: 'initialized', exitCode: 0 },
    );
    for (const id of ['a1', 'a2', 'a3']) expect(errorOf(o, id)?.code, id).toBe(-32600);
    expect(errorOf(o, 'a1')?.message).toMatch(/shutting down/);
    expect(o.exit).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('exits with code 1 on exit without shutdown, and before initialize', async () => {
    expect((await generated('lifecycle', 'exit-without-shutdown')).o.exit?.code).toBe(1);
    expect((await generated('lifecycle', 'exit-before-initialize')).o.exit?.code).toBe(1);
  }, 60_000);

  it('refuses a second initialize with InvalidRequest and goes on serving', async () => {
    const { o } = await handmade('initialize-twice', [{ bodies: [req('i2', 'initialize', INIT), req('w', 'workspace/symbol', { query: 'AllocMem' })], settle: true }], { fresh: 'initialized' });
    expect(errorOf(o, 'i2')).toMatchObject({ code: -32600, message: "'initialize' may be sent only once" });
    expect(o.received.find((m) => m.id === 'w')?.result).toEqual([]);
  }, 60_000);

  it('ends when the input ends: code 0 after shutdown, 1 otherwise', async () => {
    const after = await handmade('eof-after-shutdown', [{ bodies: [req('s', 'shutdown')], settle: true }, { endInput: true }], { fresh: 'initialized', exitCode: 0 });
    expect(after.o.exit).toEqual({ code: 0, signal: null });
    const running = await handmade('eof-running', [{ endInput: true }], { fresh: 'initialized', exitCode: 1 });
    expect(running.o.exit).toEqual({ code: 1, signal: null });
    const early = await handmade('eof-before-initialize', [{ endInput: true }], { fresh: 'uninitialized', exitCode: 1 });
    expect(early.o.exit).toEqual({ code: 1, signal: null });
  }, 60_000);

  it('answers an initialize without capabilities with InvalidParams and stays uninitialized; a proper one then works', async () => {
    const { o } = await handmade(
      'initialize-without-capabilities',
      [
        { bodies: [req('bad1', 'initialize', { processId: null }), req('bad2', 'initialize', null), req('early', 'workspace/symbol', { query: 'x' })], settle: true },
        { bodies: [req('good', 'initialize', INIT), note('initialized', {})], settle: true },
      ],
      { fresh: 'uninitialized' },
    );
    expect(errorOf(o, 'bad1')?.code).toBe(-32602);
    expect(errorOf(o, 'bad2')?.code).toBe(-32602);
    expect(errorOf(o, 'early')?.code).toBe(-32002);
    expect(o.received.find((m) => m.id === 'good')?.result?.serverInfo?.name).toBe('aros-lsp');
  }, 60_000);

  it('ignores a processId that is not a process id (the server still serves after the 3 s watchdog)', async () => {
    await generated('lifecycle', 'invalid-process-id');
  }, 60_000);

  it('exits by itself (code 1) when the parent process named by processId does not exist', async () => {
    const { o } = await generated('lifecycle', 'dead-parent');
    expect(o.exit).toEqual({ code: 1, signal: null });
  }, 60_000);

  it('answers requests sent right behind initialize, before its answer', async () => {
    await generated('lifecycle', 'requests-with-initialize');
  }, 60_000);
});

describe('JSON that is not a request', () => {
  it('answers a body that is not JSON with ParseError (-32700, id null), and the next request normally', async () => {
    const { o } = await handmade('not-json', [{ bodies: ['{"jsonrpc":"2.0","id":"nj","method":', req('ok1', 'workspace/symbol', { query: 'AllocMem' })] }]);
    expect(o.received.find((m) => m.id === null)?.error?.code).toBe(-32700);
    expect(o.received.find((m) => m.id === 'ok1')?.result?.length).toBeGreaterThan(0);
    expect(o.received.some((m) => m.id === 'nj')).toBe(false);
  }, 30_000);

  it.each(['invalid', 'not-a-message', 'batch', 'numbers', 'duplicate-keys', 'proto-keys', 'encoding'])('survives JSON of kind %s', async (kind) => {
    await generated('json', kind);
  }, 30_000);

  it('answers a batch and ids that are not strings or numbers with InvalidRequest, id null, and runs none of them', async () => {
    const { o } = await handmade('invalid-ids', [
      { bodies: [`[${req('b1', 'workspace/symbol', { query: 'x' })}]`, '{"jsonrpc":"2.0","id":null,"method":"shutdown"}', '{"jsonrpc":"2.0","id":{},"method":"exit"}', '{"jsonrpc":"2.0","id":1e400,"method":"shutdown"}'] },
      { bodies: [req('after', 'workspace/symbol', { query: 'AllocMem' })] },
    ]);
    expect(o.received.filter((m) => m.id === null).map((m) => m.error?.code)).toEqual([-32600, -32600, -32600, -32600]);
    // Neither the shutdown nor the exit ran: the next request is served normally.
    expect(o.received.find((m) => m.id === 'after')?.result?.length).toBeGreaterThan(0);
    expect(session.main.alive).toBe(true);
  }, 30_000);

  it.each(['null', 'object', 'array', 'boolean', 'overflow-number', 'fraction', 'huge-int', 'zero', 'empty-string', 'long-string', 'unicode-string', 'stray-response', 'response-without-result', 'cancel', 'cancel-bad', 'invalid-id-shutdown', 'invalid-id-exit'])(
    'handles ids of kind %s',
    async (kind) => {
      await generated('ids', kind);
    },
    30_000,
  );

  it('answers both of two requests whose ids print the same (5 and "5"), and a repeated id', async () => {
    const { o } = await handmade('same-printed-id', [{ bodies: [req(5, 'workspace/symbol', { query: 'AllocMem' }), req('5', 'workspace/symbol', { query: 'AllocMem' }), req('r', 'workspace/symbol', { query: 'a' }), req('r', 'workspace/symbol', { query: 'a' })] }]);
    expect(o.received.filter((m) => m.id === 5 || m.id === '5')).toHaveLength(2);
    expect(o.received.filter((m) => m.id === 'r')).toHaveLength(2);
  }, 30_000);

  it('refuses params nested 100,000 levels deep with InvalidParams, with tracing on too, and goes on', async () => {
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    const uri = uriOf(session.world, 'rom/exec/forbid.c');
    const { o } = await handmade('deep-nesting', [
      {
        bodies: [
          note('$/setTrace', { value: 'verbose' }),
          `{"jsonrpc":"2.0","id":"d1","method":"completionItem/resolve","params":{"label":"x","data":${deep}}}`,
          `{"jsonrpc":"2.0","id":"d2","method":"textDocument/hover","params":{"textDocument":{"uri":${JSON.stringify(uri)}},"position":{"line":0,"character":0},"x":${deep}}}`,
          `{"jsonrpc":"2.0","method":"textDocument/didOpen","params":${deep}}`,
          note('$/setTrace', { value: 'off' }),
          req('d3', 'workspace/symbol', { query: 'AllocMem' }),
        ],
      },
    ]);
    expect(errorOf(o, 'd1')?.code).toBe(-32602);
    expect(errorOf(o, 'd2')?.code).toBe(-32602);
    expect(o.received.find((m) => m.id === 'd3')?.result?.length).toBeGreaterThan(0);
  }, 60_000);

  it('answers requests carrying 10 MB strings (a query, an opened document) and stays correct', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const uri = uriOf(session.world, 'fuzz/big.c');
    const { o } = await handmade(
      'huge-strings',
      [
        {
          bodies: [
            req('h1', 'workspace/symbol', { query: big }),
            note('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: `int big_Func(void) { return "${big}"; }\n` } }),
            req('h2', 'textDocument/documentSymbol', { textDocument: { uri } }),
            note('textDocument/didClose', { textDocument: { uri } }),
          ],
        },
      ],
      { boundMs: 120_000 },
    );
    expect(o.received.find((m) => m.id === 'h1')?.result).toEqual([]);
    expect(o.received.find((m) => m.id === 'h2')?.result?.map((s: { name: string }) => s.name)).toEqual(['big_Func']);
    expect(await session.probe('after 10 MB strings')).toEqual([]);
  }, 180_000);
});

describe('regressions: what the fuzzer found', () => {
  it('answers requests with params null with InvalidParams (vscode-languageserver read params.workDoneToken: InternalError)', async () => {
    const methods = ['textDocument/hover', 'textDocument/references', 'textDocument/inlineCompletion', 'textDocument/definition', 'workspace/executeCommand', 'workspace/symbol'];
    const { o } = await handmade('null-params', [{ bodies: methods.map((m, i) => req(`np${i}`, m, null)) }]);
    methods.forEach((m, i) => expect(errorOf(o, `np${i}`)?.code, m).toBe(-32602));
  }, 30_000);

  it('ignores didChange entries whose range is malformed (a range without start threw in the handler)', async () => {
    const uri = uriOf(session.world, 'fuzz/ranges.c');
    const at = (line: unknown, character: unknown): unknown => ({ line, character });
    const { o } = await handmade('malformed-ranges', [
      {
        bodies: [
          note('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: 'int ranges_One(void);\n' } }),
          note('textDocument/didChange', {
            textDocument: { uri, version: 2 },
            contentChanges: [
              { range: { end: at(0, 0) }, text: 'int bad_NoStart(void);\n' },
              { range: { start: at('0', 0), end: at(0, 0) }, text: 'int bad_StringLine(void);\n' },
              { range: { start: at(0.5, 0), end: at(0, 0) }, text: 'int bad_Fraction(void);\n' },
              { range: { start: at(1, 0), end: at(1, 0) }, text: 'int ranges_Two(void);\n' },
            ],
          }),
          req('syms', 'textDocument/documentSymbol', { textDocument: { uri } }),
          note('textDocument/didClose', { textDocument: { uri } }),
        ],
      },
    ]);
    // The well-formed change applied, the malformed ones dropped; no handler threw (the runner checks).
    expect(o.received.find((m) => m.id === 'syms')?.result?.map((x: { name: string }) => x.name)).toEqual(['ranges_One', 'ranges_Two']);
  }, 30_000);

  it('drops $/progress, $/cancelRequest, $/setTrace and workDoneProgress/cancel without the field they need (their handlers threw)', async () => {
    await handmade('library-notifications', [
      {
        bodies: [
          note('$/progress'),
          note('$/progress', { value: 1 }),
          note('window/workDoneProgress/cancel', null),
          note('window/workDoneProgress/cancel', {}),
          note('$/cancelRequest', null),
          note('$/cancelRequest', { id: null }),
          note('$/setTrace', {}),
          note('$/setTrace', null),
          note('__proto__', {}),
          note('constructor', {}),
          req('lib-after', 'workspace/symbol', { query: 'AllocMem' }),
        ],
      },
    ]);
  }, 30_000);

  it('answers a command or a document uri that cannot become a string with InvalidParams (String() threw)', async () => {
    const unconvertible = { toString: {}, valueOf: 1 };
    const { o } = await handmade('unconvertible', [
      {
        bodies: [
          req('uc1', 'workspace/executeCommand', { command: unconvertible, arguments: [] }),
          req('uc2', 'workspace/executeCommand', { command: 42 }),
          req('uc3', 'workspace/textDocumentContent', { uri: unconvertible }),
        ],
      },
    ]);
    for (const id of ['uc1', 'uc2', 'uc3']) expect(errorOf(o, id)?.code, id).toBe(-32602);
  }, 30_000);

  it('answers explain and review with RequestFailed, not InternalError, when the model is not there', async () => {
    const { o } = await handmade('model-missing', [
      {
        bodies: [
          req('ex', 'workspace/executeCommand', { command: 'aros.explainFunction', arguments: [{ file: 'rom/exec/forbid.c', symbol: 'Forbid' }] }),
          req('rv', 'workspace/executeCommand', { command: 'aros.reviewFunction', arguments: [{ file: 'rom/exec/forbid.c', symbol: 'Forbid' }] }),
        ],
      },
    ]);
    for (const id of ['ex', 'rv']) expect(errorOf(o, id), id).toMatchObject({ code: -32803, message: expect.stringMatching(/ of Forbid failed: .*not downloaded/) });
  }, 60_000);

  it('initializes with rootUri, rootPath or workspaceFolders of the wrong type as without a folder (uri.startsWith threw)', async () => {
    const { o } = await handmade(
      'initialize-wrong-types',
      [
        { bodies: [req('wt', 'initialize', { processId: null, rootUri: 42, rootPath: 42, workspaceFolders: [{ uri: 42, name: 1 }], capabilities: {} }), note('initialized', {})], settle: true },
        { bodies: [req('wt-sym', 'workspace/symbol', { query: 'AllocMem' })], settle: true },
      ],
      { fresh: 'uninitialized' },
    );
    expect(o.received.find((m) => m.id === 'wt')?.result?.serverInfo?.name).toBe('aros-lsp');
    expect(o.received.find((m) => m.id === 'wt-sym')?.result).toEqual([]);
  }, 60_000);
});

describe('framing attacks (one per class)', () => {
  // Recovered on the same connection by the next well-formed frame (the runner checks which
  // requests must and must not be answered, the ParseError count, and the log on stderr).
  it.each([
    ['a body that is not JSON', 'body-not-json'],
    ['a header line without a colon', 'garbage-header-line'],
    ['a header block without Content-Length', 'no-content-length'],
    ['a Content-Length that is not a decimal number (negative, hex, 1e3, ...)', 'bad-content-length'],
    ['Content-Length: 0', 'content-length-zero'],
    ['a Content-Length shorter than the body', 'too-short'],
    ['a Content-Length longer than the body (completed by the next bytes)', 'too-long'],
    ['two different Content-Lengths', 'conflicting-content-length'],
    ['a Content-Length over the 256 MiB limit', 'too-large'],
    ['extra, repeated, lower-case and spaced headers', 'extra-headers'],
    ['a Content-Type with another charset', 'charset'],
    ['frames split over many writes', 'split-writes'],
    ['garbage between frames', 'garbage-between'],
    ['random binary garbage', 'binary-garbage'],
    ['LF instead of CRLF', 'lf-only'],
    ['an over-long header block', 'long-header-block'],
  ])('survives %s', async (_what, kind) => {
    await generated('framing', kind);
  }, 60_000);

  it('reads a 10 MB frame that stalls after its first bytes once the rest arrives', async () => {
    const { o } = await generated('framing', 'stall');
    expect(o.received.filter((m) => !('method' in m) && typeof m.id === 'string' && m.result)).toHaveLength(2);
    expect(session.main.alive).toBe(true);
  }, 120_000);

  it('answers a request written together with bad header bytes at once, without waiting for more input', async () => {
    const body = req('same-write', 'workspace/symbol', { query: 'AllocMem' });
    const { o } = await handmade('bad-header-then-request', [
      { raw: Buffer.concat([Buffer.from('Content-Length: -5\r\n\r\n{}'), frameBytes(body)]), expect: [{ kind: 'response', key: '"same-write"', method: 'workspace/symbol', noInternalError: true }] },
    ]);
    expect(o.received.find((m) => m.id === 'same-write')?.result?.length).toBeGreaterThan(0);
    expect(o.stderr).toMatch(/bad frame: Content-Length must be a decimal number of bytes, got "-5"/);
  }, 30_000);

  it('exits with code 1, saying why, when the input ends inside a frame', async () => {
    const { o } = await generated('framing', 'eof-inside-frame');
    expect(o.exit).toEqual({ code: 1, signal: null });
    expect(o.stderr).toMatch(/the input ended inside a frame: \d+ of \d+ bytes/);
  }, 60_000);

  it('still gives the known-good answers after all of the above', async () => {
    expect(await session.probe('at the end of the focused tests')).toEqual([]);
  }, 60_000);
});
