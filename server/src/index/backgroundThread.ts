// Background threads (parsing, file discovery) yield the CPU to the main
// thread, which answers the editor: with as many parse workers as cores, the
// main thread otherwise waited for a core and requests stalled for tens of
// milliseconds while a tree was indexed. clangd does the same with its
// background index.

import * as os from 'node:os';

/** Nice value of background threads (0 normal, 19 lowest). */
const BACKGROUND_NICE = 10;

/**
 * Lowers the calling thread's scheduling priority. On Linux, setpriority on
 * "process" 0 applies to the calling thread only, which is what a worker
 * thread wants; elsewhere it may apply to the whole process, so it is left
 * alone there.
 */
export function lowerThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    if (os.getPriority(0) < BACKGROUND_NICE) os.setPriority(0, BACKGROUND_NICE);
  } catch {
    // Not permitted (a sandbox): run at normal priority.
  }
}
