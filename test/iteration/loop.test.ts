// The loop with the real compiler and error memory, and scripted models (the
// collaborators) so the path "error, fixed on retry, fix remembered, fix
// offered for a similar error later" is proven step by step. Real models run
// the loop in test/protocol/iteration.test.ts and test/iteration/iterateCommand.test.ts.

import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BreadcrumbItem } from '../../server/src/breadcrumbs/types';
import { analyzeC } from '../../server/src/index/analyze';
import { ErrorMemory } from '../../server/src/iteration/errorMemory';
import { originalLines, runIteration, type LoopDeps } from '../../server/src/iteration/loop';
import type { IterationEvent } from '../../server/src/iteration/types';
import type { RuntimeRequest } from '../../server/src/models/modelRuntime';
import { ModelError, type GenerateResult, type Role } from '../../server/src/models/types';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'loop-mini');
const DEMO = 'workbench/hidds/demo/demo.c';

function workspace(): { root: string; cache: string } {
  const base = mkdtempSync(path.join(os.tmpdir(), 'loop-'));
  const root = path.join(base, 'ws');
  cpSync(FIXTURE, root, { recursive: true });
  return { root, cache: path.join(base, 'cache') };
}

function result(text: string): GenerateResult {
  return { text, stopReason: 'eos', format: 'fim', tokens: text.length, totalMs: 1 };
}

interface Script {
  /** Bodies the code model returns, one per call, for each function. */
  bodies: Record<string, string[]>;
}

async function deps(root: string, cache: string, script: Script, events: IterationEvent[], memory?: ErrorMemory): Promise<LoopDeps & { memory: ErrorMemory; prompts: string[] }> {
  const text = readFileSync(path.join(root, DEMO), 'utf8');
  const items: BreadcrumbItem[] = analyzeC(text).analysis.breadcrumbs.map((breadcrumb) => ({ file: DEMO, breadcrumb }));
  const mem = memory ?? (await ErrorMemory.open(cache));
  const prompts: string[] = [];
  return {
    workspace: root,
    cacheDir: cache,
    breadcrumbs: () => items,
    readText: async (file) => readFileSync(path.join(root, file), 'utf8'),
    explore: async (task) => ({ text: `/* ${task.file} */\nstruct DemoState { int calls; int scale; };`, summary: '1 file' }),
    generate: async (role: Role, request: RuntimeRequest) => {
      if (role === 'llm') {
        if (request.kind === 'chat') prompts.push(request.messages.map((m) => m.content).join('\n'));
        return result(prompts.length % 2 ? '1. count the call\n2. return the sum' : 'OK');
      }
      const fn = request.kind === 'infill' ? /int (\w+)\([^)]*\)\s*\{\s*(\/\*[\s\S]*?\*\/\s*)?$/.exec(request.prefix)?.[1] ?? '' : '';
      const next = script.bodies[fn]?.shift() ?? '    return 0;';
      return result(next);
    },
    compile: { argv: ['gcc', '-fsyntax-only', '-Wall', '${file}'], timeoutMs: 30_000 },
    memory: mem,
    log: { id: 'test', append: async () => undefined },
    onEvent: (e) => events.push(e),
    tokens: { reason: 32, generate: 64, review: 16 },
    prompts,
  };
}

describe('the iteration loop with gcc', () => {
  it('retries after a real compiler error, succeeds, remembers the fix and offers it for a similar error later', async () => {
    const { root, cache } = workspace();
    const events: IterationEvent[] = [];
    const d = await deps(
      root,
      cache,
      {
        bodies: {
          demo_add: ['    state->calls++;\n    return a + c;', '    state->calls++;\n    return a + b;'],
          demo_scale: ['    state->calls++;\n    return value * scal;', '    state->calls++;\n    return value * state->scale;'],
        },
      },
      events,
    );
    const r = await runIteration({ project: 'demo', maxIterations: 2, maxRetries: 2, apply: false }, d, new AbortController().signal);

    expect(r.results.map((t) => [t.task.symbol, t.status, t.attempts.length])).toEqual([
      ['demo_add', 'success', 2],
      ['demo_scale', 'success', 2],
    ]);
    // Attempt 1 of demo_add: gcc's own error, on the right line of the proposed text.
    const first = r.results[0].attempts[0];
    const err = first.diagnostics.find((x) => x.severity === 'error');
    expect(err?.message).toMatch(/[‘']c[’'] undeclared/);
    expect(err?.file).toBe(path.join(root, DEMO));
    expect(err?.line).toBe(12);
    // The second attempt's plan was made knowing that error.
    expect(r.results[0].attempts[1].reasonPrompt).toMatch(/Attempt 1 compiler errors:\n.*[‘']c[’'] undeclared/);
    // The fix was stored.
    const fixes = d.memory.fixes();
    expect(fixes.map((f) => f.message.replace(/[‘’]/g, "'"))).toContain("'c' undeclared (first use in this function)");
    // demo_scale's first error ('scal' undeclared) is similar: the remembered fix is in its second plan's prompt.
    expect(r.results[1].attempts[1].reasonPrompt).toMatch(/Fixes that worked for similar errors before:\n- error: [‘']c[’'] undeclared/);
    // The edit: the new body and the breadcrumb updated, with the fixed error and its reason.
    const edit = r.results[0].edit;
    expect(edit?.newText).toContain('return a + b;');
    expect(edit?.newText).toContain(' * AI_STATUS: IMPLEMENTED');
    expect(edit?.newText).toMatch(/ \* COMPILER_ERR: demo\.c:12:\d+: error: [‘']c[’'] undeclared/);
    expect(edit?.newText).toMatch(/ \* FIX_REASON: 1\. count the call/);
    // User files untouched.
    expect(readFileSync(path.join(root, DEMO), 'utf8')).toBe(readFileSync(path.join(FIXTURE, DEMO), 'utf8'));
    // Every phase ran, in order, for every attempt.
    const phases = events.filter((e) => e.type === 'phase-start').map((e) => (e.type === 'phase-start' ? e.phase : ''));
    expect(phases.slice(0, 6)).toEqual(['explore', 'reason', 'generate', 'review', 'compile', 'learn']);
    expect(phases.slice(6, 11)).toEqual(['reason', 'generate', 'review', 'compile', 'learn']);
  });

  it('stops when stuck: the same code with the same errors twice', async () => {
    const { root, cache } = workspace();
    const d = await deps(root, cache, { bodies: { demo_add: ['    return a + c;', '    return a + c;', '    return a + c;'] } }, []);
    const r = await runIteration({ task: { description: 'implement demo_add', file: DEMO, symbol: 'demo_add' }, maxIterations: 1, maxRetries: 5, apply: false }, d, new AbortController().signal);
    expect(r.results[0].status).toBe('failed');
    expect(r.results[0].reason).toMatch(/stuck/);
    expect(r.results[0].attempts).toHaveLength(2);
  });

  it('fails every task clearly when the compiler is missing', async () => {
    const { root, cache } = workspace();
    const d = await deps(root, cache, { bodies: { demo_add: ['    return a + b;'] } }, []);
    d.compile = { argv: ['no-such-compiler-xyz', '${file}'], timeoutMs: 5_000 };
    const r = await runIteration({ task: { description: 'x', file: DEMO, symbol: 'demo_add' }, maxIterations: 1, maxRetries: 2, apply: false }, d, new AbortController().signal);
    expect(r.results[0]).toMatchObject({ status: 'failed' });
    expect(r.results[0].reason).toMatch(/no-such-compiler-xyz/);
  });

  it('cancels during compilation and leaves no compiler running', async () => {
    const { root, cache } = workspace();
    const d = await deps(root, cache, { bodies: { demo_add: ['    return a + b;'] } }, []);
    // Extra arguments (the scratch include flags) become the shell's positional parameters.
    d.compile = { argv: ['sh', '-c', 'sleep 30', '${file}'], timeoutMs: 60_000 };
    const controller = new AbortController();
    d.onEvent = (e) => {
      if (e.type === 'phase-start' && e.phase === 'compile') setTimeout(() => controller.abort(), 100);
    };
    const t0 = Date.now();
    const r = await runIteration({ task: { description: 'x', file: DEMO, symbol: 'demo_add' }, maxIterations: 1, maxRetries: 2, apply: false }, d, controller.signal);
    expect(r.results[0].status).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.summary.cancelled).toBe(1);
  });

  it('cancels during generation: the model call is aborted and the task reports cancelled', async () => {
    const { root, cache } = workspace();
    const d = await deps(root, cache, { bodies: {} }, []);
    let sawAbort = false;
    const controller = new AbortController();
    d.generate = async (role: Role, _request: RuntimeRequest, options) => {
      if (role === 'llm') return result('1. plan');
      // A generation that streams until it is cancelled.
      setTimeout(() => controller.abort(), 50);
      await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
      sawAbort = true;
      throw new ModelError('aborted', 'the request was cancelled');
    };
    const r = await runIteration({ task: { description: 'x', file: DEMO, symbol: 'demo_add' }, maxIterations: 1, maxRetries: 2, apply: false }, d, controller.signal);
    expect(sawAbort).toBe(true);
    expect(r.results[0].status).toBe('cancelled');
    expect(r.results[0].attempts).toEqual([]);
  });

  it('a hanging compiler times out and costs the attempt, not the run', async () => {
    const { root, cache } = workspace();
    const d = await deps(root, cache, { bodies: { demo_add: ['    return a + b;', '    return b + a;'] } }, []);
    d.compile = { argv: ['sh', '-c', 'sleep 30', '${file}'], timeoutMs: 300 };
    const r = await runIteration({ task: { description: 'x', file: DEMO, symbol: 'demo_add' }, maxIterations: 1, maxRetries: 1, apply: false }, d, new AbortController().signal);
    expect(r.results[0].status).toBe('failed');
    const compile = r.results[0].attempts[0].phases.find((p) => p.phase === 'compile');
    expect(compile?.summary).toMatch(/did not finish in 300 ms/);
  });
});

describe('originalLines', () => {
  it('maps lines of the proposed text to the original: same before, clamped inside, shifted after', () => {
    const original = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
    const start = original.indexOf('line 5');
    const end = original.indexOf('line 9') + 'line 9'.length;
    const map = originalLines(original, start, end, 'a\nb\nc\nd\ne\nf\ng\nh');
    expect([3, 5, 6, 9, 12, 13, 20, 23].map(map)).toEqual([3, 5, 6, 9, 9, 10, 17, 20]);
  });
});
