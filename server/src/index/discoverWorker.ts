// Worker thread entry: lists the workspace while the main thread loads the cache.

import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from './backgroundThread';
import { discoverFiles, type DiscoverOptions } from './discover';

lowerThreadPriority();

const { root, options } = workerData as { root: string; options: Omit<DiscoverOptions, 'signal'> };
discoverFiles(root, options).then(
  (result) => parentPort?.postMessage({ result }),
  (err: unknown) => parentPort?.postMessage({ error: String(err) }),
);
