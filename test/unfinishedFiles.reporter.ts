// A worker that dies (a native crash, the OOM killer) loses its file's results,
// and vitest's summary then only says "Worker exited unexpectedly". This names
// the files that did not pass and the tests in them that never finished, at the
// end of the output, where a truncated CI log still shows it.
//
// When the run's only trouble was such deaths (no test failed, no other
// unhandled error) and CRASHED_FILES_OUT names a file, the dead workers' test
// files are written there, one per line, for .ci/run to run once more.

import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node' with { 'resolution-mode': 'import' };

const WORKER_DIED = /Worker exited unexpectedly|Worker forks emitted error|\[vitest-pool\]/;

export default class UnfinishedFilesReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<{ message: string; cause?: { message: string } }>): void {
    const lines: string[] = [];
    const unfinishedFiles: string[] = [];
    let failed = false;
    for (const m of modules) {
      const state = m.state();
      if (state === 'passed' || state === 'skipped') continue;
      if (state === 'failed') failed = true;
      else unfinishedFiles.push(m.relativeModuleId);
      const unfinished = [...m.children.allTests()].filter((t) => t.result().state === 'pending').map((t) => t.fullName);
      lines.push(`${m.relativeModuleId}: ${state}${unfinished.length ? `; never finished: ${unfinished.join(' | ')}` : ''}`);
    }
    if (lines.length) process.stderr.write(`\nFiles that did not pass:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
    const out = process.env.CRASHED_FILES_OUT;
    const onlyDeaths = unhandledErrors.every((e) => WORKER_DIED.test(`${e.message} ${e.cause?.message ?? ''}`));
    if (out && !failed && onlyDeaths && unfinishedFiles.length) writeFileSync(out, `${unfinishedFiles.join('\n')}\n`);
  }
}
