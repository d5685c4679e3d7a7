// The language server runs with a young generation of a few MB. V8's default
// lets it grow to 32 MB, and while a tree is indexed nearly everything in it
// survives (the index itself), so each scavenge copied up to 16 MB at once:
// pauses of 25-50 ms that stalled requests (`npm run bench:load`). With 4 MB
// semi-spaces the longest pause is about 20 ms for the same indexing time.
// Heap sizes are fixed when the process starts, so `serve` starts itself
// again with the flag, passing stdio straight through.

import { spawn } from 'node:child_process';
import { parseArgs } from './args';

export const SERVER_NODE_FLAGS = ['--max-semi-space-size=4'];

/** Whether `serve` should start again with SERVER_NODE_FLAGS: not when they are set, by us or by whoever started us, nor under a debugger. */
export function needsRelaunch(argv: readonly string[], execArgv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch {
    // Bad arguments: the command itself says what is wrong.
    return false;
  }
  if ((args.positionals[0] ?? 'serve') !== 'serve' || ['help', 'h', 'version', 'v'].some((f) => args.flags.has(f))) return false;
  if (env.AROS_LSP_RELAUNCH === '0') return false;
  return !execArgv.some((a) => a.startsWith('--max-semi-space-size') || a.startsWith('--inspect') || a.startsWith('--debug'));
}

/**
 * Starts this script again with the server's flags, stdio inherited, and
 * mirrors its end: the exit code, or the signal that ended it. Signals that
 * reach this process are passed on.
 */
export function relaunch(script: string, argv: readonly string[], execArgv: readonly string[]): void {
  // stdout is the server's protocol channel, shared with the child: this process (a preloaded module, a warning) writes nothing there.
  process.stdout.write = ((...args: Parameters<typeof process.stderr.write>) => process.stderr.write(...args)) as typeof process.stdout.write;
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...execArgv, script, ...argv], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward);
  child.on('error', (err) => {
    process.stderr.write(`aros-lsp: could not start the server process (${err.message})\n`);
    process.exit(2);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, forward);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}
