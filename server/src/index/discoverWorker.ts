// Worker thread entry: lists the workspace while the main thread loads the cache.

import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from './backgroundThread';
import { discoverFiles, packListing, readWalkRecord, writeWalkRecord, type DiscoveredFile, type DiscoverOptions } from './discover';

lowerThreadPriority();

// recordFile: where the walk's record is kept between runs (the cache directory), read and written here, off the main thread.
// stream: files are posted as they are found, for the indexer to parse while the walk goes on.
const { root, options, stream } = workerData as { root: string; options: Omit<DiscoverOptions, 'signal' | 'previous' | 'onFiles'> & { recordFile?: string }; stream?: boolean };
const { recordFile, ...walk } = options;
const onFiles = stream
  ? (files: DiscoveredFile[]): void => {
      const chunk = packListing({ files, skipped: [] });
      parentPort?.postMessage({ chunk }, [chunk.numbers.buffer]);
    }
  : undefined;
discoverFiles(root, { ...walk, onFiles, previous: recordFile ? readWalkRecord(recordFile) : undefined }).then(
  (result) => {
    if (recordFile && result.record && result.changed) writeWalkRecord(recordFile, result.record);
    const listing = packListing({ files: result.files, skipped: result.skipped });
    parentPort?.postMessage({ listing }, [listing.numbers.buffer]);
  },
  (err: unknown) => parentPort?.postMessage({ error: String(err) }),
);
