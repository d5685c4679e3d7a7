// Worker thread entry: parses batches of files posted by the pool, one after
// another in the order they came (the pool keeps the next one queued here).

import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from './backgroundThread';
import { parseBatch, type ParseBatch } from './parseFiles';

lowerThreadPriority();

interface Request {
  id: number;
  batch: ParseBatch;
}

let queue: Promise<void> = Promise.resolve();
/** The pool is stopping this worker: batches not begun are answered at once, unparsed. */
let stopping = false;

parentPort?.on('message', (req: Request | { stop: true }) => {
  if ('stop' in req) {
    stopping = true;
    return;
  }
  queue = queue.then(async () => {
    if (stopping) {
      parentPort?.postMessage({ id: req.id, error: 'stopped' });
      return;
    }
    try {
      parentPort?.postMessage({ id: req.id, results: await parseBatch(req.batch) });
    } catch (err) {
      parentPort?.postMessage({ id: req.id, error: String(err) });
    }
    // A turn of the event loop before the next batch: tree-sitter's trees are freed by finalizers
    // that run there, never between promise callbacks. Going from batch to batch without one held
    // every tree of the run, a cold AROS index peaking at 400-570 MB instead of 300 MB.
    await new Promise((resolve) => setImmediate(resolve));
  });
});
