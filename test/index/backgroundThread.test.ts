import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { builtScript } from '../../server/src/index/workerScript';

describe('lowerThreadPriority', () => {
  it.runIf(process.platform === 'linux')('lowers a worker thread to nice 10 and leaves the main thread alone', async () => {
    const before = os.getPriority(0);
    const script = builtScript('backgroundThread.js');
    expect(script).toBeDefined();
    // The built module, run in a worker: the worker reports its own nice value.
    const code = `const { lowerThreadPriority } = require(${JSON.stringify(script)}); lowerThreadPriority(); require('node:worker_threads').parentPort.postMessage(require('node:os').getPriority(0));`;
    const nice = await new Promise<number>((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', (n: number) => {
        resolve(n);
        void w.terminate();
      });
      w.once('error', reject);
    });
    expect(nice).toBe(Math.max(before, 10));
    expect(os.getPriority(0)).toBe(before);
  });
});
