// Bad input of every kind: files that cannot or should not be indexed, a tree
// that changes under the indexer, requests that break the rules, and bytes that
// are not LSP frames at all. After each, the server must still answer a valid
// request correctly.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without type declarations (see its header for the API)
import { makeBinaryFixtures } from '../fixtures/make-binary-fixtures.mjs';
import {
  canRunAsNobody,
  frame,
  giveToNobody,
  isRoot,
  killLeftovers,
  LspClient,
  makeWorkspace,
  NOBODY,
  printServerStderrOnFailure,
  RawClient,
  writeGeneratedFiles,
  type Workspace,
} from './client';

printServerStderrOnFailure();

afterEach(() => killLeftovers());

interface Loc {
  uri: string;
  range: { start: { line: number; character: number } };
}

/** The check run after every bad input: a search that must find AllocMem's three symbols. */
async function stillServes(c: LspClient): Promise<void> {
  const found: Array<{ name: string; location: Loc }> = await c.request('workspace/symbol', { query: 'AllocMem' });
  expect(found.filter((s) => s.name === 'AllocMem').map((s) => c.rel(s.location.uri)).sort()).toEqual([
    'compiler/include/proto/exec.h',
    'rom/exec/allocmem.c',
    'rom/exec/exec.conf',
  ]);
  expect(c.alive).toBe(true);
}

async function names(c: LspClient, query: string): Promise<string[]> {
  return ((await c.request('workspace/symbol', { query })) as Array<{ name: string; location: Loc }>).map(
    (s) => `${s.name} ${c.rel(s.location.uri)}:${s.location.range.start.line}:${s.location.range.start.character}`,
  );
}

/** The JSON-RPC error a request fails with (or a failure when it succeeds). */
async function errorOf(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    const result = await p;
    throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  } catch (err) {
    const e = err as { code?: number; message: string };
    if (e.code === undefined) throw err;
    return { code: e.code, message: e.message };
  }
}

async function startIndexed(ws: Workspace, options: Parameters<typeof LspClient.forWorkspace>[1] = {}): Promise<LspClient> {
  const c = await LspClient.forWorkspace(ws, options);
  await c.waitForIndexReady();
  await c.waitForLog(/^indexed /);
  return c;
}

describe('files the indexer must skip or survive', () => {
  it('skips a binary .h (NUL bytes) with the reason logged', async () => {
    const ws = makeWorkspace();
    await makeBinaryFixtures(ws.root, { huge: false, latin1: false, buildOutput: false });
    const c = await startIndexed(ws);
    expect(c.logMessages()).toContain('skipped malformed/binary.h: binary: contains NUL bytes');
    expect(await names(c, 'binary_AfterNul')).toEqual([]);
    expect(await c.request('textDocument/documentSymbol', { textDocument: { uri: ws.uri('malformed/binary.h') } })).toEqual([]);
    expect(await c.request('textDocument/hover', { textDocument: { uri: ws.uri('malformed/binary.h') }, position: { line: 0, character: 3 } })).toBeNull();
    const summary = await c.request('workspace/executeCommand', { command: 'aros.reindex' });
    expect(summary.skipped).toEqual([{ path: 'malformed/binary.h', reason: 'binary: contains NUL bytes' }]);
    expect(summary.files).toBe(28);
    await stillServes(c);
    await c.shutdown();
    ws.cleanup();
  });

  it('skips a 20 MB .c file as too large, with the reason logged', async () => {
    const ws = makeWorkspace();
    await makeBinaryFixtures(ws.root, { huge: true, hugeBytes: 20 << 20, binary: false, latin1: false, buildOutput: false });
    const size = fs.statSync(ws.abs('malformed/huge.c')).size;
    expect(size).toBeGreaterThanOrEqual(20 << 20);
    const c = await startIndexed(ws);
    expect(c.logMessages()).toContain(`skipped malformed/huge.c: too large: ${size} bytes (limit ${5 * 1024 * 1024})`);
    expect(await names(c, 'huge_LastFunction')).toEqual([]);
    expect(await names(c, 'huge_Table')).toEqual([]);
    await stillServes(c);
    await c.shutdown();
    ws.cleanup();
  });

  it('indexes a file with invalid UTF-8 (ISO-8859-1 bytes) and finds its symbols at byte columns', async () => {
    const ws = makeWorkspace();
    const bytes = fs.readFileSync(ws.abs('malformed/latin1.c'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const c = await startIndexed(ws);
    // README: latin1_Greeting line 9 col 18; latin1_AfterAccent decl line 11 col 18, definition line 13 col 5.
    expect(await names(c, 'latin1_Greeting')).toEqual(['latin1_Greeting malformed/latin1.c:8:18']);
    expect(await names(c, 'latin1_AfterAccent')).toEqual(['latin1_AfterAccent malformed/latin1.c:12:5', 'latin1_AfterAccent malformed/latin1.c:10:18']);
    const def: Loc[] = await c.request('textDocument/definition', { textDocument: { uri: ws.uri('malformed/latin1.c') }, position: { line: 10, character: 20 } });
    expect(def.map((l) => `${c.rel(l.uri)}:${l.range.start.line}:${l.range.start.character}`)).toEqual(['malformed/latin1.c:12:5']);
    await stillServes(c);
    await c.shutdown();
    ws.cleanup();
  });

  it('survives files deleted while it indexes them', async () => {
    const ws = makeWorkspace();
    const generated = writeGeneratedFiles(ws, 'gen', 300, 40);
    const doomed = generated.filter((_, i) => i % 6 === 0); // 50 files
    const c = LspClient.start({ home: ws.home });
    await c.initialize(ws.root, { cacheDir: ws.cacheDir });
    // Indexing starts on `initialized`; delete as soon as the server says it is indexing.
    await c.waitFor(() => c.received('aros/status').some((s: { state: string }) => s.state === 'indexing'), undefined, 'indexing to start');
    for (const rel of doomed) fs.rmSync(ws.abs(rel));
    await c.waitForIndexReady();
    const line = await c.waitForLog(/^indexed /);
    // Whatever the race gave, every skip is one of the deleted files, for the reason that it is gone.
    for (const m of c.logMessages().filter((l) => l.startsWith('skipped '))) {
      expect(m).toMatch(/^skipped gen\/gen_\d{4}\.c: unreadable: ENOENT$/);
      expect(doomed).toContain(m.slice('skipped '.length, m.indexOf(':')));
    }
    expect(line).toMatch(/^indexed \d+ files in \d+ ms: \d+ parsed, 0 reused, \d+ skipped;/);
    // The editor's file watcher reports the deletions; then the index is exact.
    await c.notify('workspace/didChangeWatchedFiles', { changes: doomed.map((rel) => ({ uri: ws.uri(rel), type: 3 })) });
    const summary = await c.request('workspace/executeCommand', { command: 'aros.reindex' });
    expect(summary).toMatchObject({ files: 28 + 250, parsed: 0, removed: 0, skipped: [] });
    expect(await names(c, 'gen_Func0000')).toEqual([]);
    expect(await names(c, 'gen_Func0001')).toEqual(['gen_Func0001 gen/gen_0001.c:7:6']);
    expect(await names(c, 'gen_Func0299')).toEqual(['gen_Func0299 gen/gen_0299.c:7:6']);
    await stillServes(c);
    await c.shutdown();
    ws.cleanup();
  });

  it('skips an unreadable directory with the reason logged (as uid 65534 when run as root)', async (ctx) => {
    const ws = makeWorkspace();
    fs.mkdirSync(ws.abs('secret'));
    fs.writeFileSync(ws.abs('secret/hidden.c'), 'ULONG secret_Hidden(void) { return 42; }\n');
    let user: { uid: number; gid: number } | undefined;
    if (isRoot()) {
      // root reads through chmod 000: run the server as nobody instead.
      const probe = canRunAsNobody();
      if (!probe.ok) ctx.skip(probe.why);
      giveToNobody(ws);
      user = NOBODY;
    }
    fs.chmodSync(ws.abs('secret'), 0o000);
    const c = await startIndexed(ws, { user, processId: user ? null : undefined });
    expect(c.logMessages()).toContain('skipped secret: unreadable directory: EACCES');
    expect(await names(c, 'secret_Hidden')).toEqual([]);
    const summary = await c.request('workspace/executeCommand', { command: 'aros.reindex' });
    expect(summary.skipped).toEqual([{ path: 'secret', reason: 'unreadable directory: EACCES' }]);
    expect(summary.files).toBe(28);
    await stillServes(c);
    await c.shutdown();
    // The cache went where we said, written by the server's own user.
    expect(fs.existsSync(path.join(ws.cacheDir, 'index.bin'))).toBe(true);
    if (user) expect(fs.statSync(path.join(ws.cacheDir, 'index.bin')).uid).toBe(NOBODY.uid);
    ws.cleanup();
  });
});

describe('requests and notifications that break the rules', () => {
  it('ignores (and logs) didChange for a document that is not open', async () => {
    const ws = makeWorkspace();
    const c = await startIndexed(ws);
    const uri = ws.uri('rom/exec/allocmem.c');
    const since = c.notifications.length;
    await c.notify('textDocument/didChange', {
      textDocument: { uri, version: 7 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'int notOpen_Injected(void);\n' }],
    });
    expect(await c.waitForLog(/^didChange ignored/, since)).toBe(`didChange ignored for ${uri}: the document is not open`);
    expect(await names(c, 'notOpen_Injected')).toEqual([]);
    // Broken shapes of the same notification are logged too, never thrown.
    await c.notify('textDocument/didChange', { textDocument: { uri } });
    expect(await c.waitForLog(/contentChanges are required/, since)).toBe('didChange ignored: textDocument.uri and contentChanges are required');
    await c.notify('textDocument/didOpen', { textDocument: { uri: 'untitled:Untitled-1', languageId: 'c', version: 1, text: 'int x;' } });
    expect(await c.waitForLog(/^ignored notification for untitled:/, since)).toMatch(/only file: URIs are served/);
    await stillServes(c);
    await c.shutdown();
    ws.cleanup();
  });

  it('answers malformed params with InvalidParams (-32602) naming the field', async () => {
    const ws = makeWorkspace();
    const c = await startIndexed(ws);
    const uri = ws.uri('rom/exec/allocmem.c');
    expect(await errorOf(c.request('textDocument/definition', { textDocument: { uri } }))).toEqual({
      code: -32602,
      message: 'params.position must be { line: integer, character: integer }',
    });
    await stillServes(c);
    expect(await errorOf(c.request('textDocument/hover', { textDocument: { uri }, position: { line: 1.5, character: 0 } }))).toEqual({
      code: -32602,
      message: 'params.position must be { line: integer, character: integer }',
    });
    // A string where an object is expected: the text document ...
    expect(await errorOf(c.request('textDocument/definition', { textDocument: uri, position: { line: 0, character: 0 } }))).toEqual({
      code: -32602,
      message: 'params.textDocument.uri must be a string',
    });
    await stillServes(c);
    // ... and the params themselves (vscode-jsonrpc refuses by-position params for a by-name request).
    expect((await errorOf(c.request('textDocument/definition', 'rom/exec/allocmem.c'))).code).toBe(-32602);
    await stillServes(c);
    expect(await errorOf(c.request('workspace/symbol', { query: 42 }))).toEqual({ code: -32602, message: 'params.query must be a string' });
    expect(
      await errorOf(c.request('textDocument/references', { textDocument: { uri }, position: { line: 22, character: 25 }, context: { includeDeclaration: 'yes' } })),
    ).toEqual({ code: -32602, message: 'params.context.includeDeclaration must be a boolean' });
    expect((await errorOf(c.request('textDocument/definition', { textDocument: { uri: 'untitled:Untitled-1' }, position: { line: 0, character: 0 } }))).code).toBe(-32602);
    expect((await errorOf(c.request('workspace/executeCommand', { command: 'aros.noSuchCommand' }))).code).toBe(-32602);
    await stillServes(c);
    // Positions outside the document are not errors: there is simply nothing there.
    expect(await c.request('textDocument/definition', { textDocument: { uri }, position: { line: 100_000, character: 0 } })).toEqual([]);
    expect(await c.request('textDocument/definition', { textDocument: { uri }, position: { line: -1, character: -1 } })).toEqual([]);
    // A file the server has never heard of.
    expect(await c.request('textDocument/documentSymbol', { textDocument: { uri: ws.uri('no/such/file.c') } })).toEqual([]);
    await stillServes(c);
    await c.shutdown();
    ws.cleanup();
  });

  it('answers an unknown method with MethodNotFound (-32601) and ignores an unknown notification', async () => {
    const ws = makeWorkspace();
    const c = await startIndexed(ws);
    expect((await errorOf(c.request('aros/noSuchMethod', {}))).code).toBe(-32601);
    expect((await errorOf(c.request('textDocument/noSuchFeature', { textDocument: { uri: ws.uri('rom/exec/allocmem.c') } }))).code).toBe(-32601);
    await c.notify('aros/noSuchNotification', { x: 1 });
    await stillServes(c);
    await c.shutdown();
    ws.cleanup();
  });

  it('answers a request before initialize with ServerNotInitialized (-32002), then initializes normally', async () => {
    const ws = makeWorkspace();
    const c = LspClient.start({ home: ws.home });
    expect(await errorOf(c.request('workspace/symbol', { query: 'AllocMem' }))).toEqual({
      code: -32002,
      message: "the server is not initialized: send 'initialize' before 'workspace/symbol'",
    });
    expect((await errorOf(c.request('textDocument/definition', { textDocument: { uri: ws.uri('rom/exec/allocmem.c') }, position: { line: 22, character: 25 } }))).code).toBe(-32002);
    // A notification before initialize is dropped: this document is never opened.
    await c.notify('textDocument/didOpen', { textDocument: { uri: ws.uri('early.c'), languageId: 'c', version: 1, text: 'int early_Open(void);\n' } });
    // Before initialize the server sends nothing at all.
    expect(c.notifications).toEqual([]);
    const init = await c.initialize(ws.root, { cacheDir: ws.cacheDir });
    expect(init.serverInfo).toEqual({ name: 'aros-lsp', version: '0.1.0' });
    await c.waitForIndexReady();
    await stillServes(c);
    expect(await names(c, 'early_Open')).toEqual([]);
    await c.shutdown();
    ws.cleanup();
  });
});

describe('the end of the input', () => {
  it('ends the server when the client goes away without shutdown (exit code 1), even with a live parent processId', async () => {
    const ws = makeWorkspace();
    const c = await startIndexed(ws); // processId: this process, which stays alive
    c.proc.stdin?.end();
    expect(await c.exit).toEqual({ code: 1, signal: null });
    ws.cleanup();
  });

  it('ends the server with code 0 when the input closes after shutdown (no exit notification)', async () => {
    const ws = makeWorkspace();
    const c = await startIndexed(ws);
    expect(await c.request('shutdown')).toBeNull();
    c.proc.stdin?.end();
    expect(await c.exit).toEqual({ code: 0, signal: null });
    ws.cleanup();
  });
});

describe('malformed frames', () => {
  // How the server's own frame reader (lsp/frameReader.ts) handles bad bytes, and so what these tests expect:
  // - A body that is not JSON (with a correct Content-Length): the frame is dropped and answered with
  //   ParseError (id null); the next frame parses.
  // - A header line without ':' or a header block without Content-Length: the block is dropped (logged)
  //   and reading resumes at the next header, without waiting for more bytes. The tests still send a
  //   harmless `$/setTrace` until answered, which holds for either behaviour.
  // - A wrong Content-Length: the frame boundary is lost. Too short: the rest of the body is read as
  //   the next header block and dropped, after which the stream is in sync again. Too long: the reader
  //   waits for bytes that belong to later frames (no reader can tell it from a slow pipe). Neither ends
  //   the process; the tests resynchronize with a bare CRLF CRLF (too short) or start a new server,
  //   which is what an editor does (too long).
  // In every case the server writes nothing but well-formed frames.

  const INIT = { processId: null, rootUri: null, capabilities: {} };

  /** Sends a request and keeps poking with `$/setTrace` until its response arrives. */
  async function callWithPokes(c: RawClient, method: string, params: unknown): Promise<any> {
    const id = c.sendRequest(method, params);
    const poke = setInterval(() => c.notify('$/setTrace', { value: 'off' }), 25);
    try {
      return await c.response(id);
    } finally {
      clearInterval(poke);
    }
  }

  async function endCleanly(c: RawClient): Promise<void> {
    const id = c.sendRequest('shutdown');
    const poke = setInterval(() => c.notify('$/setTrace', { value: 'off' }), 25);
    try {
      expect(await c.response(id)).toMatchObject({ id, result: null });
    } finally {
      clearInterval(poke);
    }
    c.notify('exit');
    expect(await c.exit).toEqual({ code: 0, signal: null });
    expect(c.parser.violations).toEqual([]);
    expect(c.parser.pending).toBe(0);
  }

  const sameConnection: Array<[string, Buffer]> = [
    ['a body that is not JSON', Buffer.from('Content-Length: 10\r\n\r\n{"jsonrpc"', 'ascii')],
    ['a body that is JSON but not JSON-RPC', frame({ hello: 'world' })],
    ['a garbage header line', Buffer.from('Hello, this is not a header\r\n\r\n', 'ascii')],
    ['a header block without Content-Length', Buffer.from('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n', 'ascii')],
    ['a Content-Length that is not a number', Buffer.from('Content-Length: twelve\r\n\r\n', 'ascii')],
  ];

  for (const [what, bytes] of sameConnection) {
    it(`survives ${what} and answers the next request on the same connection`, async () => {
      const c = RawClient.start();
      c.write(bytes);
      const init = await callWithPokes(c, 'initialize', INIT);
      expect(init.result.serverInfo.name).toBe('aros-lsp');
      c.notify('initialized', {});
      // And once more after initialize, then a real request.
      c.write(bytes);
      const sym = await callWithPokes(c, 'workspace/symbol', { query: 'AllocMem' });
      expect(sym).toMatchObject({ result: [] }); // no workspace folder: nothing indexed, but an answer
      expect(c.alive).toBe(true);
      await endCleanly(c);
    });
  }

  it('survives a Content-Length that is too short; the stream resynchronizes at the next empty line', async () => {
    const c = RawClient.start();
    // Only `{"jso` is the body; the rest, a shutdown request, becomes header garbage and must never run.
    c.write('Content-Length: 5\r\n\r\n{"jsonrpc":"2.0","id":99,"method":"shutdown"}');
    c.write('\r\n\r\n');
    const init = await callWithPokes(c, 'initialize', INIT);
    expect(init.result.serverInfo.name).toBe('aros-lsp');
    expect(c.messages().some((m) => m.id === 99)).toBe(false);
    expect(c.alive).toBe(true);
    await endCleanly(c);
  });

  it('survives a Content-Length that is too long; a new server answers, the old one ends on EOF', async () => {
    const c = RawClient.start();
    c.write('Content-Length: 500\r\n\r\n{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}');
    // The next request is swallowed into the 500 bytes: the old connection is out of step for good.
    c.sendRequest('initialize', INIT);
    const fresh = RawClient.start();
    const init = await callWithPokes(fresh, 'initialize', INIT);
    expect(init.result.serverInfo.name).toBe('aros-lsp');
    await endCleanly(fresh);
    // The old server never crashed: it is still waiting for the rest of its frame. EOF ends it
    // (code 1: it never got `shutdown`, as after an `exit` without `shutdown`).
    expect(c.alive).toBe(true);
    c.proc.stdin?.end();
    expect(await c.exit).toEqual({ code: 1, signal: null });
    expect(c.parser.violations).toEqual([]);
    expect(c.stderr).not.toMatch(/internal error|Error:/);
  });
});
