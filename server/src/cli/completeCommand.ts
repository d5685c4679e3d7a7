// `aros-lsp complete FILE:LINE:COL [--explain]`: the inline suggestion the
// server would show at a position, and with --explain exactly what went into
// the prompt (every context part, why it was chosen, the windows) and how long
// each step took.

import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { InlineCompletionEngine } from '../completion/inlineEngine';
import { renderPrompt } from '../context/completionContext';
import { lineStarts } from '../index/lexer';
import { clampOffset } from '../index/openDocuments';
import { ModelRuntime } from '../models/modelRuntime';
import { intOption, type ParsedArgs } from './args';
import { cliModelConfig } from './modelsCommand';
import { openIndex } from './openIndex';

export async function completeCommand(args: ParsedArgs): Promise<number> {
  const where = args.positionals[1];
  const m = where ? /^(.*):(\d+):(\d+)$/.exec(where) : null;
  if (!m) throw new Error('usage: aros-lsp complete FILE:LINE:COL [--explain] [--root DIR] [--config FILE] [--threads N]');
  const file = path.resolve(m[1]);
  if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`not a file: ${file}`);
  const text = readFileSync(file, 'utf8');
  const offset = clampOffset(lineStarts(text), text, { line: Number(m[2]) - 1, character: Number(m[3]) - 1 });
  const root = args.options.get('root') ?? findRoot(path.dirname(file));
  const { session } = await openIndex(root, args);
  const { config } = cliModelConfig(args);
  const threads = intOption(args, 'threads');
  if (threads !== undefined) for (const role of ['codegen', 'llm'] as const) config[role] = { ...config[role], threads };
  const runtime = new ModelRuntime({ config });
  try {
    const engine = new InlineCompletionEngine({
      index: () => session.index,
      generate: (request, options) => runtime.generate('codegen', request, options),
      prepare: (signal) => runtime.load('codegen', signal),
      blockTokens: config.codegen.max_length,
      // A one-off command has no typist to keep up with.
      generateBudgetMs: 60_000,
    });
    const r = await engine.complete({ file: session.keyOf(file), text, offset, automatic: false });
    if (args.flags.has('explain')) {
      if (r.context) process.stdout.write(renderPrompt(r.context));
      process.stdout.write(`\nmode: ${r.mode}; source: ${r.source}${r.reason ? `; ${r.reason}` : ''}\n`);
      const t = r.timings;
      process.stdout.write(`timings: context ${t.contextMs.toFixed(1)} ms, generation ${t.generateMs.toFixed(1)} ms, total ${t.totalMs.toFixed(1)} ms\n`);
      if (r.generation) process.stdout.write(`model: ${r.generation.tokens} tokens, ${r.generation.format}, stop: ${r.generation.stopReason}, prompt tokens evaluated: ${r.generation.promptTokensEvaluated ?? '?'}\n`);
      if (r.raw !== undefined) process.stdout.write(`\n=== raw model output ===\n${r.raw}\n=== suggestion (after post-processing) ===\n`);
    }
    process.stdout.write(`${r.text}\n`);
    if (!r.text && r.reason) process.stderr.write(`aros-lsp: no suggestion: ${r.reason}\n`);
    return r.text ? 0 : 1;
  } finally {
    await runtime.dispose();
    await session.dispose();
  }
}

/** The nearest ancestor that looks like a workspace root. */
function findRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (['.git', 'mmakefile.src', 'aros-lsp.json'].some((n) => existsSync(path.join(d, n))) && !existsSync(path.join(d, '..', 'mmakefile.src'))) return d;
    if (path.dirname(d) === d) return dir;
  }
}
