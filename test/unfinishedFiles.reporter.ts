// A worker that dies (a native crash, the OOM killer) loses its file's results,
// and vitest's summary then only says "Worker exited unexpectedly". This names
// the files that did not pass and the tests in them that never finished, at the
// end of the output, where a truncated CI log still shows it.

import type { Reporter, TestModule } from 'vitest/node' with { 'resolution-mode': 'import' };

export default class UnfinishedFilesReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    for (const m of modules) {
      const state = m.state();
      if (state === 'passed' || state === 'skipped') continue;
      const unfinished = [...m.children.allTests()].filter((t) => t.result().state === 'pending').map((t) => t.fullName);
      lines.push(`${m.relativeModuleId}: ${state}${unfinished.length ? `; never finished: ${unfinished.join(' | ')}` : ''}`);
    }
    if (lines.length) process.stderr.write(`\nFiles that did not pass:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  }
}
