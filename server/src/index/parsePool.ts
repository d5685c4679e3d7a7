// A fixed pool of parse workers fed batch by batch, so the main thread stays
// free to answer requests while the workspace is indexed.

import { Worker } from 'node:worker_threads';
import { builtScript } from './workerScript';
import { parseBatch, type ParseBatch, type ParseOutcome } from './parseFiles';
import { SlicedAnalyzer } from './slicedAnalysis';

interface Pending {
  resolve: (results: ParseOutcome[]) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  pending?: Pending & { id: number };
}

export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Array<() => void> = [];
  private nextId = 1;
  private disposed = false;
  /** Without workers: files are analysed on this thread, in slices. */
  private local?: SlicedAnalyzer;

  /** `size` 0 parses on the calling thread (tests, tiny trees, or when workers cannot start). */
  constructor(size: number) {
    const script = builtScript('parseWorker.js');
    if (!script) return;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn(script));
  }

  get size(): number {
    return this.slots.length;
  }

  async parse(batch: ParseBatch): Promise<ParseOutcome[]> {
    if (this.slots.length === 0) return parseBatch(batch, (this.local ??= new SlicedAnalyzer()));
    const slot = await this.acquire();
    try {
      return await new Promise<ParseOutcome[]>((resolve, reject) => {
        const id = this.nextId++;
        slot.pending = { id, resolve, reject };
        slot.worker.postMessage({ id, batch });
      });
    } finally {
      slot.busy = false;
      slot.pending = undefined;
      this.waiting.shift()?.();
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private async acquire(): Promise<Slot> {
    for (;;) {
      const free = this.slots.find((s) => !s.busy);
      if (free) {
        free.busy = true;
        return free;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private spawn(script: string): Slot {
    // Bounded heaps: two workers plus the index must stay well under the memory goal.
    const worker = new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 } });
    worker.unref();
    const slot: Slot = { worker, busy: false };
    worker.on('message', (msg: { id: number; results?: ParseOutcome[]; error?: string }) => {
      const p = slot.pending;
      if (!p || p.id !== msg.id) return;
      if (msg.results) p.resolve(msg.results);
      else p.reject(new Error(msg.error ?? 'parse worker failed'));
    });
    // A dead worker (native crash, OOM) fails its batch and is replaced.
    worker.on('error', (err) => slot.pending?.reject(err));
    worker.on('exit', (code) => {
      const index = this.slots.indexOf(slot);
      if (index < 0) return;
      slot.pending?.reject(new Error(`parse worker exited with code ${code}`));
      if (this.disposed) return;
      this.slots[index] = this.spawn(script);
    });
    return slot;
  }
}
