// `aros-lsp check FILE [--workspace DIR] [--json]`: the configured compiler
// on a file (as the loop and "check this file" run it), diagnostics printed
// the way gcc prints them. Exit 0 without errors, 1 with.

import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { compileCheck } from '../iteration/compileCheck';
import { formatDiagnostic } from '../iteration/prompts';
import { defaultCacheDir } from '../index/indexCache';
import type { ParsedArgs } from './args';
import { resolveCliSettings, workspaceDirectory } from './openIndex';

export async function checkCommand(args: ParsedArgs): Promise<number> {
  const fileArg = args.positionals[1];
  if (!fileArg) throw new Error('usage: aros-lsp check FILE [--workspace DIR] [--compile-command JSON] [--json]');
  const file = path.resolve(fileArg);
  const root = workspaceDirectory(args.options.get('workspace') ?? path.dirname(file));
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`${file} is not inside the workspace ${root}`);
  const settings = resolveCliSettings(root, args);
  const compile = args.options.get('compile-command');
  const argv = compile ? (JSON.parse(compile) as string[]) : settings.compileCommand;
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const r = await compileCheck(
    { workspace: root, cacheDir: settings.cacheDir ?? defaultCacheDir(root), file: rel.split(path.sep).join('/'), text: readFileSync(file, 'utf8'), compile: { argv, timeoutMs: settings.compileTimeoutMs } },
    controller.signal,
  );
  if (args.flags.has('json')) process.stdout.write(`${JSON.stringify({ ok: r.ok, summary: r.summary, diagnostics: r.diagnostics }, null, 2)}\n`);
  else {
    for (const d of r.diagnostics) process.stdout.write(`${path.relative(process.cwd(), d.file)}:${formatDiagnostic(d).replace(/^[^:]*:/, '')}\n`);
    process.stderr.write(`aros-lsp: ${r.summary}\n`);
  }
  if (r.fatal) throw new Error(r.summary);
  return r.ok ? 0 : 1;
}
