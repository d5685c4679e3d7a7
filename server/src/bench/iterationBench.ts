// `npm run bench:iteration -- [--runs N] [--synthetic DIR]`
//
// One iteration with the shared tiny model on a copy of test/fixtures/loop-mini:
// total time, and the loop's own overhead, which is the total minus the time
// spent in the models (measured around each generation) and in the compiler
// (its own duration). With --synthetic DIR it also times exploration on that
// tree (see exploreBench for the full table).

import { cpSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSettings } from '../config/workspaceSettings';
import { WorkspaceSession } from '../index/workspaceSession';
import { IterationService } from '../iteration/iterationService';
import type { ModelConfig } from '../models/modelConfig';
import { ModelRuntime } from '../models/modelRuntime';

class TimedRuntime extends ModelRuntime {
  modelMs = 0;
  override async generate(...args: Parameters<ModelRuntime['generate']>): ReturnType<ModelRuntime['generate']> {
    const t = performance.now();
    try {
      return await super.generate(...args);
    } finally {
      this.modelMs += performance.now() - t;
    }
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 5;
  const repo = path.resolve(__dirname, '..', '..');
  const model = path.resolve(repo, '..', 'shared', 'models', 'stories260K.gguf');
  const role = { model_path: model, threads: 1, context_size: 1024, max_length: 24, temperature: 0, idle_unload_seconds: 0 };
  const models: ModelConfig = { codegen: role, llm: role, exploration: {}, session: { save_sessions: true }, hardware: {} };
  const rows: Array<{ totalMs: number; modelMs: number; compilerMs: number; overheadMs: number }> = [];
  const runtime = new TimedRuntime({ config: models });
  await runtime.load('codegen');
  for (let i = 0; i < runs + 1; i++) {
    const base = mkdtempSync(path.join(os.tmpdir(), 'bench-iteration-'));
    const root = path.join(base, 'ws');
    cpSync(path.join(repo, 'test', 'fixtures', 'loop-mini'), root, { recursive: true });
    const settings = { ...defaultSettings(), cacheDir: path.join(base, 'cache'), workers: 0 };
    const session = new WorkspaceSession(root, settings, {});
    await session.indexWorkspace({});
    const service = new IterationService({ session, runtime, settings, models });
    runtime.modelMs = 0;
    const t0 = performance.now();
    const r = await service.run({ project: 'demo', maxIterations: 1, maxRetries: 0, apply: false }, new AbortController().signal);
    const totalMs = performance.now() - t0;
    const compilerMs = r.results.flatMap((t) => t.attempts).reduce((sum, a) => sum + Number(/(\d+) ms$/.exec(a.phases.find((p) => p.phase === 'compile')?.summary ?? '')?.[1] ?? 0), 0);
    await session.dispose();
    // The first run pays one-time costs (JIT, tree-sitter, the model's first prompt).
    if (i > 0) rows.push({ totalMs, modelMs: runtime.modelMs, compilerMs, overheadMs: totalMs - runtime.modelMs - compilerMs });
  }
  await runtime.dispose();
  const med = (k: keyof (typeof rows)[number]): number => [...rows.map((r) => r[k])].sort((a, b) => a - b)[Math.floor(rows.length / 2)];
  process.stdout.write(
    `one iteration (one task, one attempt), ${rows.length} runs, medians: total ${med('totalMs').toFixed(0)} ms, ` +
      `models ${med('modelMs').toFixed(0)} ms, compiler ${med('compilerMs').toFixed(0)} ms, loop overhead ${med('overheadMs').toFixed(1)} ms ` +
      `(max ${Math.max(...rows.map((r) => r.overheadMs)).toFixed(1)} ms)\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`bench:iteration: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
