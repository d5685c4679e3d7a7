// Drains a FileQueue through a ParsePool: as many batches in flight as the
// pool holds, each batch's outcomes handed to the caller as they come.

import type { FileQueue } from './fileQueue';
import type { ParseOutcome } from './parseFiles';
import type { ParsePool } from './parsePool';

export interface LaneOptions {
  root: string;
  maxFileBytes: number;
  batchSize: number;
  signal?: AbortSignal;
  /** Checked before each batch: true stops taking files (the run failed elsewhere). */
  stopped: () => boolean;
}

/**
 * Resolves once the queue is closed and drained (or `stopped`); rejects when
 * the signal is aborted, after the batches in flight.
 */
export function drainQueue(pool: ParsePool, queue: FileQueue, options: LaneOptions, onBatch: (outcomes: ParseOutcome[], files: number) => void): Promise<void> {
  const lane = async (): Promise<void> => {
    for (;;) {
      options.signal?.throwIfAborted();
      if (options.stopped()) return;
      const batch = await queue.take(options.batchSize);
      if (!batch) return;
      let outcomes: ParseOutcome[];
      try {
        outcomes = await pool.parse({ root: options.root, files: batch, maxFileBytes: options.maxFileBytes });
      } catch (err) {
        // A worker that died (native crash, out of memory) loses its batch, not the index.
        outcomes = batch.map((f) => ({ skipped: { path: f.path, reason: `parse worker failed: ${(err as Error).message}` } }));
      }
      onBatch(outcomes, batch.length);
    }
  };
  // As many batches in flight as the workers hold: each has its next one queued while results are merged.
  return Promise.all(Array.from({ length: pool.capacity }, lane)).then(() => undefined);
}
