// Code actions over the protocol, on a copy of test/fixtures/aros-mini: each
// breadcrumb finding of bad_breadcrumbs.c is fixed by its first quick fix, the
// edit applied here and sent back as didChange, and the next publish must lack
// that diagnostic without adding an error or warning. Then "Add an AI
// breadcrumb", and requests the server must refuse without dying.

import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspClient, makeWorkspace, printServerStderrOnFailure, type Workspace } from './client';

printServerStderrOnFailure();

const BAD = 'workbench/hidds/radeonsi/bad_breadcrumbs.c';
const MEMORY = 'workbench/hidds/radeonsi/radeonsi_memory.c';
const INVALID_PARAMS = -32602;

let ws: Workspace;
let c: LspClient;

beforeAll(async () => {
  ws = makeWorkspace();
  c = await LspClient.forWorkspace(ws);
  // Dependencies are checked against every phase of the workspace.
  await c.waitForIndexReady();
});

afterAll(async () => {
  if (c?.alive) await c.shutdown();
  ws?.cleanup();
});

interface Pos {
  line: number;
  character: number;
}
interface Range {
  start: Pos;
  end: Pos;
}
interface Edit {
  range: Range;
  newText: string;
}
interface Diag {
  range: Range;
  severity: number;
  code: string;
  source: string;
  message: string;
  data?: unknown;
}
interface Action {
  title: string;
  kind: string;
  diagnostics?: Diag[];
  isPreferred?: boolean;
  edit: { documentChanges?: Array<{ textDocument: { uri: string; version: number }; edits: Edit[] }>; changes?: Record<string, Edit[]> };
}

function apply(text: string, edits: readonly Edit[]): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const at = (p: Pos): number => Math.min(starts[p.line] + p.character, text.length);
  let out = text;
  for (const e of descending(edits)) out = out.slice(0, at(e.range.start)) + e.newText + out.slice(at(e.range.end));
  return out;
}

/** Last edit first: each then applies to text the earlier ones have not moved (as didChange applies them). */
function descending(edits: readonly Edit[]): Edit[] {
  return [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
}

/** didChange content changes for a WorkspaceEdit's edits, in an order that keeps their ranges valid. */
function asChanges(edits: readonly Edit[]): Array<{ range: Range; text: string }> {
  return descending(edits).map((e) => ({ range: e.range, text: e.newText }));
}

const key = (d: Diag): string => `${d.code}|${d.message}`;
const ERROR = 1;
const WARNING = 2;

function counts(ds: readonly Diag[], onlyProblems = false): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of ds) if (!onlyProblems || d.severity === ERROR || d.severity === WARNING) m.set(key(d), (m.get(key(d)) ?? 0) + 1);
  return m;
}

function actionsAt(uri: string, range: Range, diagnostics: Diag[] = [], only?: string[]): Promise<Action[]> {
  return c.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, ...(only ? { only } : {}) } });
}

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

describe('quick fixes for breadcrumb diagnostics', () => {
  it('each finding code of bad_breadcrumbs.c is fixed by its first action, as the next publish shows', async () => {
    let since = c.notifications.length;
    const uri = await c.open(BAD);
    let text = fs.readFileSync(ws.abs(BAD), 'utf8');
    let version = 1;
    let diags: Diag[] = await c.waitForDiagnostics(uri, since);

    const codes = ['missing-tag', 'invalid-value', 'invalid-json', 'unknown-tag', 'invalid-format', 'unknown-phase', 'dependency-cycle', 'missing-fix-reason', 'no-target'];
    expect(new Set(diags.map((d) => d.code))).toEqual(new Set(codes));
    for (const code of codes) {
      const d = diags.find((x) => x.code === code)!;
      // Quick fixes only: a task breadcrumb also offers the loop's actions (test/protocol/iteration.test.ts).
      const actions = await actionsAt(uri, d.range, [d], ['quickfix']);
      expect(actions.length, `${code}: ${d.message}`).toBeGreaterThan(0);
      for (const a of actions) {
        expect(a.kind).toBe('quickfix');
        expect(a.diagnostics).toEqual([d]);
        expect(a.edit.documentChanges?.map((dc) => dc.textDocument)).toEqual([{ uri, version }]);
      }
      // At most one preferred, and then it is listed first.
      expect(actions.filter((a) => a.isPreferred).length).toBeLessThanOrEqual(1);
      if (actions.some((a) => a.isPreferred)) expect(actions[0].isPreferred).toBe(true);

      const edits = actions[0].edit.documentChanges![0].edits;
      text = apply(text, edits);
      since = c.notifications.length;
      await c.change(uri, asChanges(edits));
      version++;
      const after: Diag[] = await c.waitForDiagnostics(uri, since);
      expect(counts(after).get(key(d)) ?? 0, `${code} still published after "${actions[0].title}"`).toBeLessThan(counts(diags).get(key(d)) ?? 0);
      const was = counts(diags, true);
      for (const [k, n] of counts(after, true)) expect({ k, n }, `"${actions[0].title}" added a problem`).toEqual({ k, n: Math.min(n, was.get(k) ?? 0) });
      diags = after;
    }

    // The server's text is the one we edited: a fix computed now applies to it.
    const left = diags.find((x) => x.code === 'invalid-format' && /AI_RETRY_COUNT/.test(x.message))!;
    const retry = await actionsAt(uri, left.range, [left]);
    expect(apply(text, retry[0].edit.documentChanges![0].edits).split('\n')[left.range.start.line]).toBe('// AI_RETRY_COUNT: 2');
    await c.close(uri);
  });

  it('ignores diagnostics of other sources and offers nothing for them', async () => {
    const uri = c.uri(BAD);
    const foreign: Diag = { range: { start: { line: 14, character: 0 }, end: { line: 14, character: 5 } }, severity: 1, code: 'missing-tag', source: 'gcc', message: 'x' };
    expect(await actionsAt(uri, foreign.range, [foreign], ['quickfix'])).toEqual([]);
  });
});

describe('Add an AI breadcrumb', () => {
  it('on a function without one: a breadcrumb in the file\'s block style, versioned, that validates clean', async () => {
    let since = c.notifications.length;
    const uri = await c.open(MEMORY);
    await c.waitForDiagnostics(uri, since);
    const text = fs.readFileSync(ws.abs(MEMORY), 'utf8');
    const line = text.split('\n').indexOf('void radeon_free_vram(struct RadeonBase *rb, APTR memory, ULONG size)');
    const cursor = { start: { line, character: 8 }, end: { line, character: 8 } };

    const all = await actionsAt(uri, cursor);
    // The other action on a function head writes its AutoDoc (test/protocol/iteration.test.ts).
    expect(all.map((a) => a.title)).toEqual([
      'Add an AI breadcrumb',
      'Add an AI breadcrumb, strategy drafted by AI',
      'Write the AutoDoc for radeon_free_vram (AI)',
      'Explain radeon_free_vram (AI)',
      'Review radeon_free_vram (AI)',
    ]);
    const actions = all.slice(0, 1);
    expect(actions).toEqual([
      {
        title: 'Add an AI breadcrumb',
        kind: 'refactor',
        edit: {
          documentChanges: [
            {
              textDocument: { uri, version: 1 },
              edits: [
                {
                  range: { start: { line, character: 0 }, end: { line, character: 0 } },
                  newText: '/*\n * AI_PHASE: RADEONSI\n * AI_STATUS: IMPLEMENTED\n * AI_STRATEGY: TODO: describe the approach\n */\n',
                },
              ],
            },
          ],
        },
      },
    ]);
    // Not offered when only quick fixes are asked for.
    expect(await actionsAt(uri, cursor, [], ['quickfix'])).toEqual([]);

    since = c.notifications.length;
    await c.change(uri, asChanges(actions[0].edit.documentChanges![0].edits));
    expect(await c.waitForDiagnostics(uri, since)).toEqual([]);
    // Now it has one: nothing to add.
    const moved = { start: { line: line + 5, character: 8 }, end: { line: line + 5, character: 8 } };
    expect((await actionsAt(uri, moved)).filter((a) => a.title === 'Add an AI breadcrumb')).toEqual([]);
    await c.close(uri);
  });

  it('not on a function that has a breadcrumb, nor off a definition line', async () => {
    const text = fs.readFileSync(ws.abs(MEMORY), 'utf8').split('\n');
    const uri = c.uri(MEMORY);
    const withCrumb = text.indexOf('APTR radeon_alloc_vram(struct RadeonBase *rb, ULONG size)');
    const titles = async (line: number, character: number): Promise<string[]> => (await actionsAt(uri, { start: { line, character }, end: { line, character } })).map((a) => a.title);
    // Its breadcrumb is a task, so the loop's actions are there; adding a breadcrumb is not.
    expect(await titles(withCrumb, 0)).not.toContain('Add an AI breadcrumb');
    expect(await titles(withCrumb + 2, 4)).toEqual([]);
  });

  it('in a document that is not open: a plain `changes` edit (no version to check)', async () => {
    const rel = 'workbench/libs/mylib/makelist.c';
    const line = fs.readFileSync(ws.abs(rel), 'utf8').split('\n').indexOf('static void DropCounters(struct MyLibBase *base, struct MinList *list)');
    const uri = c.uri(rel);
    const actions = await actionsAt(uri, { start: { line, character: 14 }, end: { line, character: 14 } });
    expect(actions.map((a) => [a.title, a.kind])).toEqual([
      ['Add an AI breadcrumb', 'refactor'],
      ['Add an AI breadcrumb, strategy drafted by AI', 'refactor'],
      [expect.stringMatching(/^Write the AutoDoc for /), 'refactor.rewrite'],
      [expect.stringMatching(/^Explain /), undefined],
      [expect.stringMatching(/^Review /), undefined],
    ]);
    expect(actions[0].edit.documentChanges).toBeUndefined();
    expect(actions[0].edit.changes?.[uri]?.[0].newText).toMatch(/^\/\*\n \* AI_PHASE: MYLIB\n \* AI_STATUS: IMPLEMENTED\n/);
  });
});

describe('bad params', () => {
  it('answer InvalidParams and the server keeps serving', async () => {
    const uri = c.uri(BAD);
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const cases: unknown[] = [
      { range, context: { diagnostics: [] } },
      { textDocument: {}, range, context: { diagnostics: [] } },
      { textDocument: { uri }, context: { diagnostics: [] } },
      { textDocument: { uri }, range: { start: { line: -1, character: 0 }, end: range.end }, context: { diagnostics: [] } },
      { textDocument: { uri }, range: { start: 'x', end: range.end } },
      { textDocument: { uri }, range, context: { diagnostics: 'none' } },
      { textDocument: { uri }, range, context: { diagnostics: [], only: 'quickfix' } },
    ];
    for (const params of cases) expect((await errorOf(c.request('textDocument/codeAction', params))).code, JSON.stringify(params)).toBe(INVALID_PARAMS);
    // Malformed diagnostics inside a valid request are skipped, not fatal.
    expect(await c.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [null, 3, { source: 'aros-lsp', code: 'missing-tag' }] } })).toEqual([]);
    expect(c.alive).toBe(true);
    const symbols: unknown[] = await c.request('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.length).toBeGreaterThan(0);
  });
});
