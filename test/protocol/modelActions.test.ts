// Code actions that run a model, over stdio with real llama.cpp (the shared
// tiny model, whose prose is not asserted): explain and review shown as a
// document, the compile gate that withholds a fix that does not compile,
// cancellation, and a model failure that leaves the file alone.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { LspClient, printServerStderrOnFailure } from './client';

printServerStderrOnFailure();

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'loop-mini');
const STORIES = path.resolve(__dirname, '..', '..', '..', 'shared', 'models', 'stories260K.gguf');
const DEMO = 'workbench/hidds/demo/demo.c';
const tiny = { model_path: STORIES, threads: 1, context_size: 1024, max_length: 24, temperature: 0 };

const clients: LspClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) if (c.alive) await c.shutdown();
});

async function start(models: Record<string, unknown>): Promise<{ c: LspClient; root: string; cache: string }> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'model-actions-'));
  const root = path.join(base, 'ws');
  fs.cpSync(FIXTURE, root, { recursive: true });
  const home = path.join(base, 'home');
  fs.mkdirSync(home);
  const c = LspClient.start({ home });
  clients.push(c);
  const cache = path.join(base, 'cache');
  await c.initialize(root, { cacheDir: cache, models });
  await c.waitForIndexReady();
  return { c, root, cache };
}

const at = (line: number): unknown => ({ start: { line, character: 4 }, end: { line, character: 4 } });

describe('code actions with a model', () => {
  it('explains and reviews a function in a document outside the workspace, with llama.cpp', async () => {
    const { c, root, cache } = await start({ codegen: tiny, llm: tiny });
    const uri = await c.open(DEMO);
    const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: at(8), context: { diagnostics: [] } });
    const explain = actions.find((a: { title: string }) => a.title === 'Explain demo_add (AI)');
    const review = actions.find((a: { title: string }) => a.title === 'Review demo_add (AI)');
    const r = await c.request('workspace/executeCommand', explain.command);
    expect(r.text.length).toBeGreaterThan(0);
    // A read-only virtual document (LSP 3.18 workspace/textDocumentContent), not a file.
    const shown = c.serverRequests.filter((q) => q.method === 'window/showDocument').map((q) => q.params.uri);
    expect(shown).toEqual([r.document]);
    expect(r.document).toBe('aros-lsp:/explanations/workbench_hidds_demo_demo.c-demo_add-explain.md');
    const content = await c.request('workspace/textDocumentContent', { uri: r.document });
    expect(content.text).toMatch(/^# Explanation of demo_add \(workbench\/hidds\/demo\/demo\.c\)\n/);
    await expect(c.request('workspace/textDocumentContent', { uri: 'aros-lsp:/nothing' })).rejects.toThrow(/no such document/);
    void cache;
    expect(c.received('$/progress').some((p: { value: { kind: string; title?: string } }) => p.value.kind === 'begin' && p.value.title === 'Explaining the function')).toBe(true);
    const rv = await c.request('workspace/executeCommand', review.command);
    expect(typeof rv.findings).toBe('number');
    // Nothing in the workspace changed.
    expect(fs.readFileSync(path.join(root, DEMO), 'utf8')).toBe(fs.readFileSync(path.join(FIXTURE, DEMO), 'utf8'));
  });

  it('drafts the strategy of a new breadcrumb with the model, as a versioned edit', async () => {
    const { c, root } = await start({ codegen: tiny, llm: tiny });
    const uri = await c.open(DEMO);
    const line = fs.readFileSync(path.join(root, DEMO), 'utf8').split('\n').indexOf('int demo_twice(int value)');
    const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: at(line), context: { diagnostics: [] } });
    const draft = actions.find((a: { title: string }) => a.title === 'Add an AI breadcrumb, strategy drafted by AI');
    const applied: Array<{ edit: { documentChanges: Array<{ textDocument: { version: number }; edits: Array<{ newText: string }> }> } }> = [];
    c.requestHandlers.set('workspace/applyEdit', (params: (typeof applied)[number]) => {
      applied.push(params);
      return { applied: true };
    });
    const r = await c.request('workspace/executeCommand', draft.command);
    expect(r.applied).toBe(true);
    const change = applied[0].edit.documentChanges[0];
    expect(change.textDocument.version).toBe(1);
    expect(change.edits[0].newText).toMatch(/^\/\*\n \* AI_PHASE: DEMO\n \* AI_STATUS: IMPLEMENTED\n \* AI_STRATEGY: (?!TODO).+\n \*\/\n$/);
  });

  it('withholds a fix that does not compile, and says so', async () => {
    const { c, root } = await start({ codegen: tiny, llm: tiny });
    const broken = fs.readFileSync(path.join(root, DEMO), 'utf8').replace('    (void)state;\n    (void)a;\n    (void)b;\n    return 0;', '    return a + c;');
    const uri = await c.open(DEMO, broken);
    await c.request('workspace/executeCommand', { command: 'aros.checkFile', arguments: [{ uri }] });
    const fix = { command: 'aros.fixCompilerError', arguments: [{ file: DEMO, symbol: 'demo_add', description: 'fix it', errors: [{ line: 11, message: "'c' undeclared (first use in this function)" }] }] };
    const r = await c.request('workspace/executeCommand', fix);
    expect(r.results[0].status).not.toBe('success');
    expect(r.edits).toEqual([]);
    expect(c.serverRequests.some((q) => q.method === 'workspace/applyEdit')).toBe(false);
    await c.waitFor(() => c.serverRequests.find((q) => q.method === 'window/showMessageRequest' && /the error is not fixed/.test(q.params.message)));
  });

  it('a cancelled implementation applies nothing', async () => {
    const { c } = await start({ codegen: tiny, llm: tiny });
    await c.open(DEMO);
    const source = new CancellationTokenSource();
    c.connection.onNotification('aros/iterationEvent', (e: { type: string; phase?: string }) => {
      if (e.type === 'phase-start' && e.phase === 'generate') source.cancel();
    });
    const r = await c.connection
      .sendRequest('workspace/executeCommand', { command: 'aros.implementFromBreadcrumb', arguments: [{ file: DEMO, symbol: 'demo_add' }] }, source.token)
      .catch((err: Error) => err);
    if (!(r instanceof Error)) expect((r as { summary: { cancelled: number } }).summary.cancelled).toBe(1);
    expect(c.serverRequests.some((q) => q.method === 'workspace/applyEdit')).toBe(false);
    expect(c.alive).toBe(true);
  });

  it('a model failure mid-action gives a clear message and no partial edit', async () => {
    const missing = { ...tiny, model_path: path.join(os.tmpdir(), 'no-such-model.gguf') };
    const { c } = await start({ codegen: missing, llm: missing });
    await c.open(DEMO);
    const r = await c.request('workspace/executeCommand', { command: 'aros.writeAutodoc', arguments: [{ file: DEMO, symbol: 'demo_add' }] });
    expect(r.applied).toBe(false);
    expect(r.problems[0]).toMatch(/AutoDoc for demo_add not written: .*no-such-model\.gguf does not exist/);
    expect(c.serverRequests.some((q) => q.method === 'workspace/applyEdit')).toBe(false);
    await c.waitFor(() => c.serverRequests.find((q) => q.method === 'window/showMessageRequest' && /no-such-model\.gguf/.test(q.params.message)));
  });
});
