// Worker thread entry: lists the workspace while the main thread loads the cache.

import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from './backgroundThread';
import { discoverFiles, packListing, readWalkRecord, writeWalkRecord, type DiscoverOptions } from './discover';

lowerThreadPriority();

// recordFile: where the walk's record is kept between runs (the cache directory), read and written here, off the main thread.
const { root, options } = workerData as { root: string; options: Omit<DiscoverOptions, 'signal' | 'previous'> & { recordFile?: string } };
const { recordFile, ...walk } = options;
discoverFiles(root, { ...walk, previous: recordFile ? readWalkRecord(recordFile) : undefined }).then(
  (result) => {
    if (recordFile && result.record && result.changed) writeWalkRecord(recordFile, result.record);
    const listing = packListing({ files: result.files, skipped: result.skipped });
    parentPort?.postMessage({ listing }, [listing.numbers.buffer]);
  },
  (err: unknown) => parentPort?.postMessage({ error: String(err) }),
);
