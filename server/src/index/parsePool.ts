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
  /** Batches posted and not answered, by message id (the worker answers them in order). */
  pending: Map<number, Pending>;
  /** Batches given to this worker and not yet answered, counted from the moment it is chosen. */
  load: number;
  /** Called when the last pending batch is answered (or failed): what `dispose` waits for. */
  onIdle?: () => void;
}

/**
 * Batches a worker holds at once. With one, a worker that finished its batch
 * waited for the main thread (busy, or not even scheduled while both cores
 * parse) to take the results and post the next: 4-5 % of each worker's time
 * on a cold AROS index. With two, the next batch is already in its queue.
 */
const PER_WORKER = 2;

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

  /** Batches the pool works on at once: callers keep this many in flight to keep every worker busy. */
  get capacity(): number {
    return Math.max(1, this.slots.length * PER_WORKER);
  }

  async parse(batch: ParseBatch): Promise<ParseOutcome[]> {
    if (this.slots.length === 0) return parseBatch(batch, (this.local ??= new SlicedAnalyzer()));
    const slot = await this.acquire();
    try {
      return await new Promise<ParseOutcome[]>((resolve, reject) => {
        const id = this.nextId++;
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, batch });
      });
    } finally {
      slot.load--;
      this.waiting.shift()?.();
    }
  }

  /**
   * Stops the workers. One is never terminated inside tree-sitter's parse:
   * node-tree-sitter's input callback then throws a C++ exception through
   * C code, and the whole process aborts ("terminate called after throwing
   * an instance of 'Napi::Error'", seen when indexing was cancelled). A
   * worker with batches is told to skip those it has not begun (they fail
   * with "stopped"), and is terminated once it has answered them all.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all(
      this.slots.map(async (s) => {
        if (s.pending.size > 0) {
          const idle = new Promise<void>((resolve) => (s.onIdle = resolve));
          s.worker.postMessage({ stop: true });
          await idle;
        }
        await s.worker.terminate();
      }),
    );
    this.slots.length = 0;
  }

  /** The worker with the fewest batches, once one has room; counted as its own before anything else runs. */
  private async acquire(): Promise<Slot> {
    for (;;) {
      let best: Slot | undefined;
      for (const s of this.slots) if (s.load < PER_WORKER && (!best || s.load < best.load)) best = s;
      if (best) {
        best.load++;
        return best;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private spawn(script: string): Slot {
    // Bounded heaps: two workers plus the index must stay well under the memory goal. A file's
    // analysis lives through several scavenges of a 16 MB young generation; with 48 MB the workers
    // scavenged 113-140 times instead of 210-229 on a cold AROS index, 335-372 ms instead of
    // 432-510 ms each (--trace-gc), for 16-39 MB more peak RSS (326-341 MB).
    const worker = new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 48 } });
    worker.unref();
    const slot: Slot = { worker, pending: new Map(), load: 0 };
    worker.on('message', (msg: { id: number; results?: ParseOutcome[]; error?: string }) => {
      const p = slot.pending.get(msg.id);
      if (!p) return;
      slot.pending.delete(msg.id);
      if (msg.results) p.resolve(msg.results);
      else p.reject(new Error(msg.error ?? 'parse worker failed'));
      if (slot.pending.size === 0) slot.onIdle?.();
    });
    // A dead worker (native crash, OOM) fails its batches and is replaced.
    const failAll = (err: Error): void => {
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      slot.onIdle?.();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      const index = this.slots.indexOf(slot);
      if (index < 0) return;
      failAll(new Error(`parse worker exited with code ${code}`));
      if (this.disposed) return;
      this.slots[index] = this.spawn(script);
      this.waiting.shift()?.();
    });
    return slot;
  }
}
