import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Protocol tests spawn the built server; two cores, so keep the pool small.
    maxWorkers: 2,
    // The second names the files a crashed worker took with it (see the file).
    reporters: ['default', './test/unfinishedFiles.reporter.ts'],
  },
});
