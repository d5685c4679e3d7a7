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

parentPort?.on('message', (req: Request) => {
  queue = queue.then(() =>
    parseBatch(req.batch).then(
      (results) => parentPort?.postMessage({ id: req.id, results }),
      (err: unknown) => parentPort?.postMessage({ id: req.id, error: String(err) }),
    ),
  );
});
