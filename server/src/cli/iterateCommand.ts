// `aros-lsp iterate --workspace DIR --project NAME --max-iterations N [--apply] [--json]`:
// the loop from a shell, with a live display of phases and streamed tokens
// on stderr. Exit 0 when a task succeeded, 1 when none did, 2 on a fatal error.
// `--apply` writes the edits to the files: the user's own explicit request.

import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import { relativePathProblem } from '../config/workspacePaths';
import { IterationService } from '../iteration/iterationService';
import type { IterationEvent, TextEdit } from '../iteration/types';
import { ModelRuntime } from '../models/modelRuntime';
import { intOption, type ParsedArgs } from './args';
import { cliModelConfig } from './modelsCommand';
import { openIndex } from './openIndex';

export async function iterateCommand(args: ParsedArgs): Promise<number> {
  const dir = args.options.get('workspace') ?? args.positionals[1];
  const project = args.options.get('project');
  const file = args.options.get('file');
  const symbol = args.options.get('symbol');
  if (!dir || (!project && !(file && symbol))) {
    throw new Error('usage: aros-lsp iterate --workspace DIR (--project NAME | --file FILE --symbol NAME) [--max-iterations N] [--max-retries N] [--apply] [--json]');
  }
  const { session } = await openIndex(dir, args);
  const { config } = cliModelConfig(args);
  const threads = intOption(args, 'threads');
  if (threads !== undefined) for (const role of ['codegen', 'llm'] as const) config[role] = { ...config[role], threads };
  const runtime = new ModelRuntime({ config, log: args.flags.has('verbose') ? (m) => process.stderr.write(`aros-lsp: ${m}\n`) : undefined });
  const compile = args.options.get('compile-command');
  const settings = { ...session.settings, ...(compile ? { compileCommand: JSON.parse(compile) as string[] } : {}) };
  const service = new IterationService({ session, runtime, settings, models: config, log: (m) => process.stderr.write(`aros-lsp: ${m}\n`) });
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await service.run(
      {
        project,
        task: file && symbol ? { description: args.options.get('description') ?? `Implement ${symbol}`, file, symbol } : undefined,
        maxIterations: intOption(args, 'max-iterations') ?? 10,
        maxRetries: intOption(args, 'max-retries') ?? 2,
        apply: args.flags.has('apply'),
      },
      controller.signal,
      args.flags.has('json') ? undefined : display(args.flags.has('quiet')),
    );
    if (args.flags.has('apply') && result.edits.length) {
      for (const edit of result.edits) applyEdit(session.root, edit);
      result.applied = true;
      result.applyMessage = `applied ${result.edits.length} edit(s)`;
    }
    if (args.flags.has('json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      for (const r of result.results) process.stdout.write(`${r.status.padEnd(9)} ${r.task.file} ${r.task.symbol ?? ''}: ${r.reason}\n`);
      const s = result.summary;
      process.stdout.write(`session ${result.sessionId}: ${s.total} task(s), ${s.successful} succeeded, ${s.failed} failed, ${s.cancelled} cancelled${result.applyMessage ? `; ${result.applyMessage}` : result.edits.length ? '; run again with --apply to write the edits' : ''}\n`);
    }
    return result.summary.successful > 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    await runtime.dispose();
    await session.dispose();
  }
}

/** Phases on their own lines, tokens streamed after them, compiler output as it comes. */
function display(quiet: boolean): (e: IterationEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'task':
        process.stderr.write(`\n== Iteration ${e.iteration}/${e.total}: ${e.task.description} (${e.task.file})\n`);
        break;
      case 'phase-start':
        process.stderr.write(`-- ${e.phase}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}\n`);
        break;
      case 'phase-end':
        process.stderr.write(`${quiet ? '' : '\n'}   ${e.ok ? 'ok' : 'FAILED'}: ${e.summary} (${e.ms.toFixed(0)} ms)\n`);
        break;
      case 'token':
        if (!quiet) process.stderr.write(e.text);
        break;
      case 'compiler-output':
        if (!quiet) process.stderr.write(e.text);
        break;
      case 'task-end':
        process.stderr.write(`== ${e.result.status}: ${e.result.reason}\n`);
        break;
    }
  };
}

/** Replaces the edit's lines, atomically, keeping the file inside the workspace. */
function applyEdit(root: string, edit: TextEdit): void {
  const file = path.resolve(root, edit.file);
  const outside = relativePathProblem(root, edit.file);
  if (outside) throw new Error(`refusing to write ${edit.file}: it ${outside}`);
  const lines = readFileSync(file, 'utf8').split('\n');
  const replacement = edit.newText === '' ? [] : edit.newText.replace(/\n$/, '').split('\n');
  lines.splice(edit.startLine, edit.endLine - edit.startLine, ...replacement);
  const tmp = `${file}.aros-lsp-${process.pid}.tmp`;
  writeFileSync(tmp, lines.join('\n'));
  renameSync(tmp, file);
}
