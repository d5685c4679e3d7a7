// Completion over the protocol with real llama.cpp: ghost text from the code
// model (textDocument/inlineCompletion), index items that never depend on a
// model (textDocument/completion), AutoDoc on resolve, and a broken model that
// costs the AI suggestion and nothing else.

import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspClient, makeWorkspace, printServerStderrOnFailure, type StatusParams, type Workspace } from './client';

printServerStderrOnFailure();

const STORIES = path.resolve(__dirname, '..', '..', '..', 'shared', 'models', 'stories260K.gguf');
const MAKELIST = 'workbench/libs/mylib/makelist.c';

function models(codegenPath: string): Record<string, unknown> {
  const role = { model_path: codegenPath, threads: 1, context_size: 512, max_length: 24, temperature: 0 };
  return { codegen: role, llm: role };
}

interface Item {
  label: string;
  kind?: number;
  detail?: string;
  insertTextFormat?: number;
  textEdit?: { newText: string };
  data?: unknown;
  documentation?: { value: string };
}

async function openAt(c: LspClient, ws: Workspace, marker: string, insert: string): Promise<{ uri: string; line: number; character: number }> {
  const uri = await c.open(MAKELIST);
  const text = (await import('node:fs')).readFileSync(ws.abs(MAKELIST), 'utf8');
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(marker));
  // A new line above the marker, holding `insert`, the cursor at its end.
  await c.change(uri, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: `${insert}\n` }]);
  return { uri, line, character: insert.length };
}

describe('completion with a working code model', () => {
  let ws: Workspace;
  let c: LspClient;
  beforeAll(async () => {
    ws = makeWorkspace();
    c = await LspClient.forWorkspace(ws, { settings: { models: models(STORIES) } });
    await c.waitForIndexReady();
  });
  afterAll(async () => {
    if (c?.alive) await c.shutdown();
    ws?.cleanup();
  });

  it('offers ghost text from the model, and says the model loaded', async () => {
    const at = await openAt(c, ws, '    return list;', '    mc = ');
    const r = await c.request<{ items: Array<{ insertText: string; range: unknown }> }>('textDocument/inlineCompletion', {
      textDocument: { uri: at.uri },
      position: { line: at.line, character: at.character },
      context: { triggerKind: 1 },
    });
    expect(r.items).toHaveLength(1);
    expect(r.items[0].insertText.trim().length).toBeGreaterThan(0);
    expect(r.items[0].insertText).not.toContain('\n');
    expect(r.items[0].range).toEqual({ start: { line: at.line, character: at.character }, end: { line: at.line, character: at.character } });
    const statuses = c.received('aros/status').filter((s: StatusParams) => s.component === 'model');
    expect(statuses.map((s: StatusParams) => `${s.role}:${s.state}`)).toEqual(['codegen:loading', 'codegen:ready']);
    // Asking again at the same place is answered from the cache: the same text.
    const again = await c.request<{ items: Array<{ insertText: string }> }>('textDocument/inlineCompletion', {
      textDocument: { uri: at.uri },
      position: { line: at.line, character: at.character },
      context: { triggerKind: 2 },
    });
    expect(again.items[0].insertText).toBe(r.items[0].insertText);
  });

  it('lists library functions as snippets; the model’s suggestion comes first only when invoked where no word is being typed', async () => {
    const blank = await openAt(c, ws, '    return list;', '    mc = ');
    const invoked = await c.request<{ items: Item[] }>('textDocument/completion', {
      textDocument: { uri: blank.uri },
      position: { line: blank.line, character: blank.character },
      context: { triggerKind: 1 },
    });
    expect(invoked.items[0].detail).toBe('aros-lsp: code model');
    // Mid-word, as editors ask while the user types: index items at once, no model.
    const at = await openAt(c, ws, '    return list;', '    AllocP');
    const r = await c.request<{ isIncomplete: boolean; items: Item[] }>('textDocument/completion', {
      textDocument: { uri: at.uri },
      position: { line: at.line, character: at.character },
      context: { triggerKind: 1 },
    });
    const alloc = r.items.find((i) => i.label === 'AllocPooled');
    expect(alloc?.insertTextFormat).toBe(2);
    expect(alloc?.textEdit?.newText).toBe('AllocPooled(${1:poolHeader}, ${2:memSize})');
    expect(alloc?.detail).toMatch(/APTR AllocPooled\(APTR poolHeader, IPTR memSize\)/);
    expect(r.items.some((i) => i.detail === 'aros-lsp: code model')).toBe(false);
    const resolved = await c.request<Item>('completionItem/resolve', alloc);
    expect(resolved.documentation?.value).toMatch(/AllocPooled/);
    expect(resolved.documentation?.value).toMatch(/LVO 118/);
  });

  it('lets a newer request for a document cancel the older one', async () => {
    const at = await openAt(c, ws, '    return list;', '    ');
    const params = (character: number, triggerKind: number): unknown => ({ textDocument: { uri: at.uri }, position: { line: at.line, character }, context: { triggerKind } });
    const older = c.request<{ items: unknown[] }>('textDocument/inlineCompletion', params(4, 1));
    const newer = c.request<{ items: Array<{ insertText: string }> }>('textDocument/inlineCompletion', params(2, 1));
    const [a, b] = await Promise.all([older, newer]);
    expect(a.items).toEqual([]);
    expect(b.items.length).toBe(1);
  });

  it('answers bad positions and unknown documents with an empty result, not an error', async () => {
    const uri = await c.open(MAKELIST);
    for (const position of [{ line: 100000, character: 0 }, { line: -3, character: -7 }, { line: 2, character: 100000 }]) {
      const r = await c.request<{ items: unknown[] }>('textDocument/completion', { textDocument: { uri }, position });
      expect(Array.isArray(r.items)).toBe(true);
    }
    const unknown = ws.uri('rom/exec/not-open.c');
    expect(await c.request('textDocument/inlineCompletion', { textDocument: { uri: unknown }, position: { line: 0, character: 0 }, context: { triggerKind: 1 } })).toEqual({ items: [] });
    expect(await c.request('textDocument/completion', { textDocument: { uri: unknown }, position: { line: 0, character: 0 } })).toEqual({ isIncomplete: false, items: [] });
    await expect(c.request('textDocument/completion', { textDocument: { uri }, position: { line: 'x' } })).rejects.toThrow(/params\.position must be/);
    expect(c.alive).toBe(true);
  });

  it('completes struct fields after ->', async () => {
    const at = await openAt(c, ws, '        mc->mc_Value = 0;', '        mc->');
    const r = await c.request<{ items: Item[] }>('textDocument/completion', {
      textDocument: { uri: at.uri },
      position: { line: at.line, character: at.character },
      context: { triggerKind: 2, triggerCharacter: '>' },
    });
    const labels = r.items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['mc_Value', 'mc_Flags', 'mc_Node']));
    expect(labels).not.toContain('AllocMem');
  });
});

describe('completion when the code model is broken', () => {
  let ws: Workspace;
  let c: LspClient;
  beforeAll(async () => {
    ws = makeWorkspace();
    c = await LspClient.forWorkspace(ws, { settings: { models: models(path.join(path.sep, 'nowhere', 'missing.gguf')) } });
    await c.waitForIndexReady();
  });
  afterAll(async () => {
    if (c?.alive) await c.shutdown();
    ws?.cleanup();
  });

  it('still lists index items, gives no ghost text, and says why in aros/status', async () => {
    const at = await openAt(c, ws, '    return list;', '    AllocM');
    const inline = await c.request<{ items: unknown[] }>('textDocument/inlineCompletion', {
      textDocument: { uri: at.uri },
      position: { line: at.line, character: at.character },
      context: { triggerKind: 1 },
    });
    expect(inline.items).toEqual([]);
    const status = await c.waitFor(() => c.received('aros/status').find((s: StatusParams) => s.component === 'model' && s.state === 'error') as StatusParams | undefined);
    expect(status.message).toBe(`codegen: ${path.join(path.sep, 'nowhere', 'missing.gguf')} does not exist (ENOENT)`);
    const r = await c.request<{ items: Item[] }>('textDocument/completion', {
      textDocument: { uri: at.uri },
      position: { line: at.line, character: at.character },
      context: { triggerKind: 1 },
    });
    expect(r.items.map((i) => i.label)).toContain('AllocMem');
    expect(r.items.some((i) => i.detail === 'aros-lsp: code model')).toBe(false);
    // Navigation is untouched.
    const text = (await import('node:fs')).readFileSync(ws.abs(MAKELIST), 'utf8').split('\n');
    const call = text.findIndex((l) => l.includes('list = AllocMem('));
    const defs = await c.request<Array<{ uri: string }>>('textDocument/definition', { textDocument: { uri: at.uri }, position: { line: call, character: 12 } });
    expect(defs.map((d) => c.rel(d.uri))).toContain('rom/exec/allocmem.c');
  });
});
