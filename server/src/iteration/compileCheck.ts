// One file's text checked by the configured compiler: written as a scratch
// copy in the cache directory (the user's file is not touched), compiled with
// includes still resolving to the real tree, diagnostics mapped back to the
// real path. Used by the loop, "check this file" and "fix this error".

import * as path from 'node:path';
import { expandArgv, runCompiler } from './compileRunner';
import { mapDiagnostics, type CompilerDiagnostic } from './gccDiagnostics';
import { writeScratchCopy } from './scratchCopy';

export interface CompileCheckInput {
  workspace: string;
  cacheDir: string;
  /** Workspace-relative. */
  file: string;
  text: string;
  compile: { argv: readonly string[]; timeoutMs: number };
  /** Lines of `text` as lines of the file on disk (identity by default). */
  lineMap?: (line: number) => number;
}

export interface Compiled {
  ok: boolean;
  /** The compiler could not run at all. */
  fatal: boolean;
  /** It crashed or hung. */
  crashed: boolean;
  summary: string;
  output: string;
  diagnostics: CompilerDiagnostic[];
}

export async function compileCheck(input: CompileCheckInput, signal: AbortSignal, onOutput?: (text: string) => void): Promise<Compiled> {
  const { workspace, cacheDir, file, text, compile } = input;
  const scratch = await writeScratchCopy(cacheDir, workspace, file, text);
  try {
    // The scratch copy's include flags are gcc's: a command that names no ${file} (make) gets none.
    const extra = compile.argv.some((a) => a.includes('${file}')) ? scratch.includeArgs : [];
    const argv = [...expandArgv(compile.argv, { file: scratch.path, workspace }), ...extra];
    const r = await runCompiler({ argv, cwd: workspace, timeoutMs: compile.timeoutMs }, { signal, onOutput: (chunk) => onOutput?.(chunk) });
    const diagnostics = mapDiagnostics(r.diagnostics, scratch.path, path.join(workspace, file), input.lineMap);
    const output = `${r.stderr}${r.stdout}`.slice(0, 20_000);
    if (r.spawnError) return { ok: false, fatal: true, crashed: false, summary: r.spawnError, output, diagnostics };
    if (r.timedOut) return { ok: false, fatal: false, crashed: true, summary: `the compiler did not finish in ${compile.timeoutMs} ms and was stopped`, output, diagnostics };
    const errors = diagnostics.filter(isError).length;
    const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
    const ok = r.exitCode === 0 && errors === 0;
    const crashed = r.signal !== null && !r.cancelled;
    return { ok, fatal: false, crashed, summary: `exit ${r.exitCode ?? r.signal}, ${errors} error(s), ${warnings} warning(s), ${r.durationMs.toFixed(0)} ms`, output, diagnostics };
  } finally {
    await scratch.cleanup();
  }
}

export function isError(d: CompilerDiagnostic): boolean {
  return d.severity === 'error' || d.severity === 'fatal';
}
