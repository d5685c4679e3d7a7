// The inline pipeline with a scripted code model (the collaborator); the real
// model is exercised over LSP in test/protocol/completion.test.ts.

import { describe, expect, it } from 'vitest';
import { InlineCompletionEngine, type Generate } from '../../server/src/completion/inlineEngine';
import { WorkspaceIndex } from '../../server/src/index/workspaceIndex';
import type { RuntimeRequest } from '../../server/src/models/modelRuntime';
import { ModelError, type GenerateOptions, type GenerateResult } from '../../server/src/models/types';

const FILE = 'rom/exec/test.c';
const index = new WorkspaceIndex();

interface Script {
  text: string;
  /** ms between streamed characters. */
  charMs?: number;
}

function scripted(script: (req: RuntimeRequest) => Script): { generate: Generate; calls: RuntimeRequest[] } {
  const calls: RuntimeRequest[] = [];
  const generate: Generate = async (req: RuntimeRequest, opts: GenerateOptions): Promise<GenerateResult> => {
    calls.push(req);
    const s = script(req);
    let out = '';
    for (const ch of s.text) {
      if (opts.signal?.aborted) break;
      if (s.charMs) await new Promise((r) => setTimeout(r, s.charMs));
      if (opts.signal?.aborted) break;
      out += ch;
      opts.onText?.(ch);
    }
    const aborted = opts.signal?.aborted ?? false;
    if (aborted && out === '') throw new ModelError('aborted', 'cancelled');
    return { text: out, stopReason: aborted ? 'abort' : 'eos', format: 'fim', tokens: out.length, totalMs: 1 };
  };
  return { generate, calls };
}

function engine(generate: Generate, extra: Partial<ConstructorParameters<typeof InlineCompletionEngine>[0]> = {}): InlineCompletionEngine {
  return new InlineCompletionEngine({ index: () => index, generate, debounceMinMs: 0, debounceMaxMs: 0, ...extra });
}

const SRC = 'int add(int a, int b)\n{\n    return a\n}\n';
const AT = SRC.indexOf('return a') + 'return a'.length;

describe('inline completion engine', () => {
  it('asks the model with the FIM context and cleans its answer', async () => {
    const m = scripted(() => ({ text: ' + b;\n}\nint other(void)' }));
    const r = await engine(m.generate).complete({ file: FILE, text: SRC, offset: AT, automatic: true });
    expect(r.source).toBe('model');
    expect(r.mode).toBe('line');
    expect(r.text).toBe(' + b;');
    const req = m.calls[0] as Extract<RuntimeRequest, { kind: 'infill' }>;
    expect(req.kind).toBe('infill');
    expect(req.prefix.endsWith('return a')).toBe(true);
    expect(req.suffix.startsWith('\n}')).toBe(true);
    expect(req.sampling?.stop).toEqual(['\n']);
  });

  it('does not call the model inside an ordinary comment', async () => {
    const m = scripted(() => ({ text: 'x' }));
    const text = '/* a comment */\n';
    const r = await engine(m.generate).complete({ file: FILE, text, offset: 8, automatic: true });
    expect(r.source).toBe('none');
    expect(r.reason).toMatch(/comment/);
    expect(m.calls).toHaveLength(0);
  });

  it('serves typing through a shown suggestion from the cache', async () => {
    const m = scripted(() => ({ text: ' + b;' }));
    const e = engine(m.generate);
    await e.complete({ file: FILE, text: SRC, offset: AT, automatic: true });
    const typed = `${SRC.slice(0, AT)} +${SRC.slice(AT)}`;
    const r = await e.complete({ file: FILE, text: typed, offset: AT + 2, automatic: true });
    expect(r.source).toBe('cache');
    expect(r.text).toBe(' b;');
    expect(m.calls).toHaveLength(1);
    // Typing something else misses.
    const other = `${SRC.slice(0, AT)} -${SRC.slice(AT)}`;
    await e.complete({ file: FILE, text: other, offset: AT + 2, automatic: true });
    expect(m.calls).toHaveLength(2);
  });

  it('lets the latest request for a document win', async () => {
    const m = scripted(() => ({ text: ' + b;', charMs: 20 }));
    const e = engine(m.generate);
    const first = e.complete({ file: FILE, text: SRC, offset: AT, automatic: false });
    await new Promise((r) => setTimeout(r, 5));
    const other = SRC.replace('return a', 'return b');
    const second = e.complete({ file: FILE, text: other, offset: AT, automatic: false });
    const [a, b] = await Promise.all([first, second]);
    expect(a.source).toBe('none');
    expect(a.reason).toMatch(/superseded/);
    expect(b.source).toBe('model');
    expect(b.text).toBe(' + b;');
  });

  it('reuses a running generation when the new prefix extends the old one', async () => {
    const m = scripted(() => ({ text: ' + b;', charMs: 15 }));
    const e = engine(m.generate);
    const first = e.complete({ file: FILE, text: SRC, offset: AT, automatic: false });
    await new Promise((r) => setTimeout(r, 40));
    const typed = `${SRC.slice(0, AT)} ${SRC.slice(AT)}`;
    const second = await e.complete({ file: FILE, text: typed, offset: AT + 1, automatic: false });
    expect(second.source).toBe('in-flight');
    expect(second.text).toBe('+ b;');
    expect(m.calls).toHaveLength(1);
    await first;
  });

  it('returns what is ready when the generation budget runs out', async () => {
    // Generous margins: the budget must hold on a loaded machine, with some text streamed before it runs out.
    const m = scripted(() => ({ text: ' + b + c + d + e;', charMs: 40 }));
    const r = await engine(m.generate, { generateBudgetMs: 200 }).complete({ file: FILE, text: SRC, offset: AT, automatic: false });
    expect(r.source).toBe('model');
    expect(r.text.length).toBeGreaterThan(0);
    expect(' + b + c + d + e;'.startsWith(r.text)).toBe(true);
    expect(r.text).not.toBe(' + b + c + d + e;');
    expect(r.reason).toMatch(/budget/);
  });

  it('says why when the model fails, without throwing', async () => {
    const generate: Generate = () => Promise.reject(new ModelError('missing-file', '/models/x.gguf does not exist'));
    const r = await engine(generate).complete({ file: FILE, text: SRC, offset: AT, automatic: false });
    expect(r).toMatchObject({ text: '', source: 'none', reason: '/models/x.gguf does not exist' });
  });

  it('debounces automatic triggers and drops a request superseded while waiting', async () => {
    const m = scripted(() => ({ text: ' + b;' }));
    const e = engine(m.generate, { debounceMinMs: 60, debounceMaxMs: 60 });
    const first = e.complete({ file: FILE, text: SRC, offset: AT, automatic: true });
    const second = e.complete({ file: FILE, text: SRC.replace('return a', 'return c'), offset: AT, automatic: true });
    const [a, b] = await Promise.all([first, second]);
    expect(a.source).toBe('none');
    expect(b.source).toBe('model');
    expect(b.timings.debounceMs).toBeGreaterThanOrEqual(50);
    expect(m.calls).toHaveLength(1);
  });
});
