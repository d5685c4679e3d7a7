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

/**
 * Diagnostics kept from one compile, and compiler output streamed to a listener:
 * a compiler gone mad (100 MB of errors) must not reach the editor, the prompts,
 * the session log and the error memory by the hundred thousand.
 */
export const MAX_DIAGNOSTICS = 500;
export const MAX_STREAMED_CHARS = 256 * 1024;
/** Kept per stream (its first and last halves) and parsed: 512 KiB holds well over MAX_DIAGNOSTICS gcc diagnostics with their excerpts. */
export const MAX_OUTPUT_BYTES = 512 * 1024;

export async function compileCheck(input: CompileCheckInput, signal: AbortSignal, onOutput?: (text: string) => void): Promise<Compiled> {
  const { workspace, cacheDir, file, text, compile } = input;
  const scratch = await writeScratchCopy(cacheDir, workspace, file, text);
  let streamed = 0;
  const stream = (chunk: string): void => {
    if (!onOutput || streamed > MAX_STREAMED_CHARS) return;
    streamed += chunk.length;
    onOutput(streamed > MAX_STREAMED_CHARS ? `${chunk.slice(0, chunk.length - (streamed - MAX_STREAMED_CHARS))}\n[aros-lsp: compiler output beyond ${MAX_STREAMED_CHARS} characters is not shown]\n` : chunk);
  };
  try {
    // The scratch copy's include flags are gcc's: a command that names no ${file} (make) gets none.
    const extra = compile.argv.some((a) => a.includes('${file}')) ? scratch.includeArgs : [];
    const argv = [...expandArgv(compile.argv, { file: scratch.path, workspace }), ...extra];
    const r = await runCompiler({ argv, cwd: workspace, timeoutMs: compile.timeoutMs, maxDiagnostics: MAX_DIAGNOSTICS + 1, maxOutputBytes: MAX_OUTPUT_BYTES }, { signal, onOutput: onOutput ? stream : undefined });
    const all = mapDiagnostics(r.diagnostics, scratch.path, path.join(workspace, file), input.lineMap);
    const diagnostics = all.length > MAX_DIAGNOSTICS ? all.slice(0, MAX_DIAGNOSTICS) : all;
    const output = r.stderr.length >= 20_000 ? r.stderr.slice(0, 20_000) : r.stderr + r.stdout.slice(0, 20_000 - r.stderr.length);
    const notes = [
      ...(r.truncatedBytes > 0 ? [`output cut: ${r.truncatedBytes} bytes dropped`] : []),
      ...(all.length > diagnostics.length ? [`more than ${MAX_DIAGNOSTICS} diagnostics, only the first ${MAX_DIAGNOSTICS} kept`] : []),
    ].map((n) => `; ${n}`).join('');
    if (r.spawnError) return { ok: false, fatal: true, crashed: false, summary: r.spawnError, output, diagnostics };
    if (r.timedOut) return { ok: false, fatal: false, crashed: true, summary: `the compiler did not finish in ${compile.timeoutMs} ms and was stopped${notes}`, output, diagnostics };
    const errors = diagnostics.filter(isError).length;
    const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
    const ok = r.exitCode === 0 && errors === 0;
    const crashed = r.signal !== null && !r.cancelled;
    return { ok, fatal: false, crashed, summary: `exit ${r.exitCode ?? r.signal}, ${errors} error(s), ${warnings} warning(s), ${r.durationMs.toFixed(0)} ms${notes}`, output, diagnostics };
  } finally {
    await scratch.cleanup();
  }
}

export function isError(d: CompilerDiagnostic): boolean {
  return d.severity === 'error' || d.severity === 'fatal';
}
