// Worker thread entry: parses batches of files posted by the pool.

import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from './backgroundThread';
import { parseBatch, type ParseBatch } from './parseFiles';

lowerThreadPriority();

interface Request {
  id: number;
  batch: ParseBatch;
}

parentPort?.on('message', (req: Request) => {
  parseBatch(req.batch).then(
    (results) => parentPort?.postMessage({ id: req.id, results }),
    (err: unknown) => parentPort?.postMessage({ id: req.id, error: String(err) }),
  );
});
