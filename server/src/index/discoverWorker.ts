// Worker thread entry: lists the workspace while the main thread loads the cache.

import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from './backgroundThread';
import { discoverFiles, packListing, type DiscoverOptions } from './discover';

lowerThreadPriority();

const { root, options } = workerData as { root: string; options: Omit<DiscoverOptions, 'signal'> };
discoverFiles(root, options).then(
  (result) => {
    const listing = packListing(result);
    parentPort?.postMessage({ listing }, [listing.numbers.buffer]);
  },
  (err: unknown) => parentPort?.postMessage({ error: String(err) }),
);
