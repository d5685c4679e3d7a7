// A control for event-loop measurements: an idle Node process beside the
// server, measuring its own event loop the way `aros/health` does. On a
// small virtual machine, memory-heavy work on the other cores (the parse
// workers) can delay even a process that does nothing by tens of
// milliseconds; a server stall that the idle process saw too, at the same
// moment, came from the machine, not from the server's work.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ControlWindow {
  /** Date.now() at the end of the one-second window. */
  at: number;
  /** Delay beyond the 10 ms sampling interval, as `aros/health` reports it. */
  maxMs: number;
}

const PROBE = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
setInterval(() => {
  const max = h.count > 0 ? Math.max(0, Math.round((h.max / 1e6 - 10) * 100) / 100) : 0;
  process.stdout.write(JSON.stringify({ at: Date.now(), maxMs: max }) + '\\n');
  h.reset();
}, 1000);
// Gone with the bench, however it ends.
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
`;

export class ControlProbe {
  readonly windows: ControlWindow[] = [];
  private readonly child: ChildProcess;

  constructor() {
    this.child = spawn(process.execPath, ['-e', PROBE], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.windows.push(JSON.parse(line) as ControlWindow);
      } catch {
        // Not ours (a warning): ignored.
      }
    });
  }

  /** The largest delay the idle process saw in windows ending within a second of `at`. */
  maxAround(at: number): number {
    return Math.max(0, ...this.windows.filter((w) => Math.abs(w.at - at) <= 1000).map((w) => w.maxMs));
  }

  /** Resolves when the probe has exited. */
  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill();
    return exited;
  }
}
