// Open documents: their live text, a full tree-sitter tree kept current with
// incremental edits, and their analysis pushed into the workspace index in
// place of what is on disk.

import { analyzeC, runToEnd, type AnalyzeResult, type Reusable } from './analyze';
import type { FileEntry } from './fileIndex';
import { lineStarts } from './lexer';
import { hashText } from './readSource';
import { SlicedAnalyzer, type SliceOptions } from './slicedAnalysis';
import type { Position, Range } from './types';
import type { WorkspaceIndex } from './workspaceIndex';

export interface TextChange {
  /** Absent: the whole document is replaced. */
  range?: Range;
  text: string;
}

export interface OpenDocument {
  path: string;
  version: number;
  text: string;
  /** The last analysis' skeleton, tree and extracted symbols, for incremental re-parsing; absent while the first analysis runs. */
  reusable?: Reusable;
}

/** Changes closer together than this are a burst: their analysis is coalesced. */
const BURST_MS = 50;

/** A document's first analysis, run in slices. */
interface Opening {
  text: string;
  steps: Generator<void, AnalyzeResult, void>;
  done: Promise<void>;
  finish: () => void;
}

export class OpenDocuments {
  private readonly docs = new Map<string, OpenDocument>();
  /** Changed since their last analysis. */
  private readonly pending = new Set<string>();
  private readonly opening = new Map<string, Opening>();
  private readonly analyzer: SlicedAnalyzer;
  private timer?: NodeJS.Timeout;
  private lastChange = 0;

  constructor(
    private readonly index: WorkspaceIndex,
    slices: SliceOptions = {},
  ) {
    this.analyzer = new SlicedAnalyzer(slices);
  }

  get(path: string): OpenDocument | undefined {
    return this.docs.get(path);
  }

  all(): IterableIterator<OpenDocument> {
    return this.docs.values();
  }

  has(path: string): boolean {
    return this.docs.has(path);
  }

  /**
   * Takes the document in; its first analysis runs in slices of a few ms (on
   * a 5,000-line file it is 50-80 ms while V8 still compiles the code, which
   * stalled every other request). Until it is done the index keeps the file's
   * entry from disk; `settle` waits for it, `flush` finishes it at once.
   */
  open(path: string, version: number, text: string): OpenDocument {
    this.abandonOpening(path);
    this.pending.delete(path);
    const doc: OpenDocument = { path, version, text };
    this.docs.set(path, doc);
    let finish = (): void => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const task: Opening = { text, steps: this.analyzer.steps(text, { forEditing: true }), done, finish };
    this.opening.set(path, task);
    // Finished by `flush`, closed, or opened again meanwhile: not wanted any more.
    const wanted = (): boolean => this.opening.get(path) === task;
    this.analyzer.run(task.steps, wanted).then(
      (result) => {
        if (result && wanted()) this.finishOpening(path, task, result);
      },
      // The analysis threw: the disk entry stays, and the next flush analyses again (and reports it to that request).
      () => {
        if (!wanted()) return;
        this.abandonOpening(path);
        this.pending.add(path);
      },
    );
    return doc;
  }

  /** Resolves once the document's analysis (first and after changes) is in the index, without blocking the event loop on the first. */
  async settle(path?: string): Promise<void> {
    for (;;) {
      const waiting = path === undefined ? [...this.opening.values()] : [this.opening.get(path)].filter((t): t is Opening => t !== undefined);
      if (waiting.length === 0) break;
      await Promise.all(waiting.map((t) => t.done));
    }
    this.flush(path);
  }

  private finishOpening(path: string, task: Opening, result: AnalyzeResult): void {
    this.opening.delete(path);
    const doc = this.docs.get(path);
    if (doc) {
      const { analysis, ...reusable } = result;
      this.docs.set(path, { ...doc, reusable });
      this.publish({ ...doc, text: task.text }, analysis);
      // Changes typed meanwhile waited for this analysis.
      if (this.pending.has(path)) this.timer ??= setTimeout(() => this.analysePending(), 0);
    }
    task.finish();
  }

  /** Ends first analyses at once, on this turn of the event loop. */
  private finishOpeningNow(path?: string): void {
    for (const p of path === undefined ? [...this.opening.keys()] : [path]) {
      const task = this.opening.get(p);
      if (!task) continue;
      let result: AnalyzeResult;
      try {
        result = runToEnd(task.steps);
      } catch (err) {
        this.abandonOpening(p);
        this.pending.add(p);
        throw err;
      }
      this.finishOpening(p, task, result);
    }
  }

  /**
   * Applies the changes in order, then re-parses incrementally from the
   * previous tree: at once, or with `defer` on the next turn of the event loop
   * (or at `flush`), so requests already queued behind a keystroke, such as a
   * completion, do not wait for it; several changes then share one parse.
   * While changes come less than BURST_MS apart (typing), the deferred parse
   * waits up to BURST_MS: on a 5,000-line file the analysis is several ms per
   * keystroke, and parsing each one kept completion requests queued behind
   * them (`npm run bench:load`: completion p95 0.6 s before, 30-60 ms after).
   * Requests on a document flush it first, so none sees stale symbols.
   */
  change(path: string, version: number, changes: readonly TextChange[], options: { defer?: boolean } = {}): OpenDocument | undefined {
    const doc = this.docs.get(path);
    if (!doc) return undefined;
    let text = doc.text;
    for (const change of changes) {
      if (!change.range) {
        text = change.text;
        continue;
      }
      const starts = lineStarts(text);
      const startIndex = clampOffset(starts, text, change.range.start);
      const oldEndIndex = Math.max(startIndex, clampOffset(starts, text, change.range.end));
      text = text.slice(0, startIndex) + change.text + text.slice(oldEndIndex);
    }
    const updated: OpenDocument = { path, version, text, reusable: doc.reusable };
    this.docs.set(path, updated);
    this.pending.add(path);
    if (!options.defer) this.flush(path);
    // While the first analysis runs, it picks the change up when it ends.
    else if (!this.opening.has(path)) {
      const now = performance.now();
      const burst = now - this.lastChange < BURST_MS;
      this.lastChange = now;
      this.timer ??= setTimeout(() => this.analysePending(), burst ? BURST_MS : 0);
    }
    return updated;
  }

  /** Analyses documents changed since their last analysis (one, or all), publishing them to the index, on this turn of the event loop. */
  flush(path?: string): void {
    this.finishOpeningNow(path);
    this.analysePending(path);
  }

  /** Re-analyses changed documents, leaving those whose first analysis still runs (it takes their changes up when it ends). */
  private analysePending(path?: string): void {
    if (path === undefined) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (const p of path === undefined ? [...this.pending] : this.pending.has(path) ? [path] : []) {
      if (this.opening.has(p)) continue;
      this.pending.delete(p);
      const doc = this.docs.get(p);
      if (!doc) continue;
      let result: AnalyzeResult;
      try {
        result = analyzeC(doc.text, { previous: doc.reusable, forEditing: true });
      } catch (err) {
        // The previous analysis may be half consumed (an edited tree, updated counts): start afresh next time.
        this.docs.set(p, { ...doc, reusable: undefined });
        throw err;
      }
      const { analysis, ...reusable } = result;
      const analysed: OpenDocument = { ...doc, reusable };
      this.docs.set(p, analysed);
      this.publish(analysed, analysis);
    }
  }

  /**
   * A document closed while its first analysis runs is analysed first: a
   * request that arrived before the close waits in `settle` and must find it.
   */
  close(path: string): boolean {
    this.finishOpeningNow(path);
    this.pending.delete(path);
    return this.docs.delete(path);
  }

  private abandonOpening(path: string): void {
    const task = this.opening.get(path);
    if (!task) return;
    this.opening.delete(path);
    task.finish();
  }

  private publish(doc: OpenDocument, analysis: ReturnType<typeof analyzeC>['analysis']): void {
    const entry: FileEntry = {
      ...analysis,
      path: doc.path,
      hash: hashText(doc.text),
      size: Buffer.byteLength(doc.text, 'utf8'),
      // An impossible mtime makes the next disk scan re-read the file once the document closes.
      mtimeMs: -1,
      encoding: 'utf8',
    };
    this.index.set(entry);
  }
}

/** An LSP position as an offset into text, clamped to the text (a position past a line's end is its end). */
export function clampOffset(starts: readonly number[], text: string, p: Position): number {
  if (p.line < 0) return 0;
  if (p.line >= starts.length) return text.length;
  const lineEnd = p.line + 1 < starts.length ? starts[p.line + 1] - 1 : text.length;
  return Math.min(starts[p.line] + Math.max(0, p.character), lineEnd);
}
