// Analyses on the main thread in slices of a few ms, so that a large file
// (the first analysis of an opened document, a file changed on disk, the few
// files of a tiny tree) never holds the event loop for the 50-80 ms its
// analysis takes while V8 still compiles the code. One analysis at a time per
// analyzer: they share one tree-sitter parser, whose timed-out parse resumes
// only for its owner, and two taking turns would each restart the other.

import { analyzeSteps, slicedParser, type AnalyzeOptions, type AnalyzeResult, type SlicedParser } from './analyze';

export interface SliceOptions {
  /** How long a run of steps may hold the event loop (default 10 ms). */
  sliceMs?: number;
  /** How long one slice of tree-sitter's parse may run (default 8 ms). */
  parseSliceMicros?: number;
}

export class SlicedAnalyzer {
  private parser?: SlicedParser;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SliceOptions = {}) {}

  /** The steps of an analysis of `text` on this analyzer's parser (to drive with `run`, or to the end at once with `runToEnd`). */
  steps(text: string, options: Pick<AnalyzeOptions, 'forEditing'> = {}): Generator<void, AnalyzeResult, void> {
    this.parser ??= slicedParser(this.options.parseSliceMicros);
    return analyzeSteps(text, { ...options, sliced: this.parser });
  }

  /** Drives `steps` after the runs queued before it; undefined once `stillWanted` says no. */
  run<T>(steps: Generator<void, T, void>, stillWanted: () => boolean = () => true): Promise<T | undefined> {
    const result = this.chain.then(() => drive(steps, this.options.sliceMs ?? 10, stillWanted));
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Analyses `text` in slices. */
  async analyze(text: string): Promise<AnalyzeResult> {
    return (await this.run(this.steps(text))) as AnalyzeResult;
  }
}

async function drive<T>(steps: Generator<void, T, void>, sliceMs: number, stillWanted: () => boolean): Promise<T | undefined> {
  let sliceStart = performance.now();
  for (;;) {
    if (!stillWanted()) return undefined;
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - sliceStart > sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}
