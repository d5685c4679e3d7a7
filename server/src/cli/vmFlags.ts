// V8 flags every aros-lsp process sets for itself before it compiles any of
// the index's code (V8's flags are per process: parse workers get them too).

import { setFlagsFromString } from 'node:v8';

/**
 * A smaller inlining budget. While a cold index runs, the parse workers meet
 * new object shapes and untaken branches file after file, and each time V8
 * throws away the optimized code of a large function (the analysis, the
 * skeleton scan) and compiles it again with every callee inlined: about 3 s
 * of TurboFan time on the background threads of a cold AROS index (perf),
 * on a machine with no core to spare. With a fifth of the default budget
 * (920) the same index took 0.3-0.7 s less wall time and 0.5-0.9 s less CPU
 * in three alternated pairs; the code runs as fast with less inlined.
 */
export const INLINE_BUDGET_FLAG = '--max-inlined-bytecode-size-cumulative=115';

/** Sets the flags unless whoever started node chose them. */
export function applyVmFlags(execArgv: readonly string[], set: (flags: string) => void = setFlagsFromString): void {
  const name = INLINE_BUDGET_FLAG.split('=')[0];
  if (!execArgv.some((a) => a.startsWith(name))) set(INLINE_BUDGET_FLAG);
}
