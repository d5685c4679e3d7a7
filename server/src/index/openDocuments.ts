// Open documents: their live text, a full tree-sitter tree kept current with
// incremental edits, and their analysis pushed into the workspace index in
// place of what is on disk.

import { analyzeC, type Reusable } from './analyze';
import type { FileEntry } from './fileIndex';
import { lineStarts } from './lexer';
import { hashBytes } from './readSource';
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
  /** The last analysis' skeleton, tree and extracted symbols, for incremental re-parsing. */
  reusable: Reusable;
}

/** Changes closer together than this are a burst: their analysis is coalesced. */
const BURST_MS = 50;

export class OpenDocuments {
  private readonly docs = new Map<string, OpenDocument>();
  /** Changed since their last analysis. */
  private readonly pending = new Set<string>();
  private timer?: NodeJS.Timeout;
  private lastChange = 0;

  constructor(private readonly index: WorkspaceIndex) {}

  get(path: string): OpenDocument | undefined {
    return this.docs.get(path);
  }

  all(): IterableIterator<OpenDocument> {
    return this.docs.values();
  }

  has(path: string): boolean {
    return this.docs.has(path);
  }

  open(path: string, version: number, text: string): OpenDocument {
    const { analysis, ...reusable } = analyzeC(text);
    const doc: OpenDocument = { path, version, text, reusable };
    this.docs.set(path, doc);
    this.publish(doc, analysis);
    return doc;
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
    else {
      const now = performance.now();
      const burst = now - this.lastChange < BURST_MS;
      this.lastChange = now;
      this.timer ??= setTimeout(() => this.flush(), burst ? BURST_MS : 0);
    }
    return updated;
  }

  /** Analyses documents changed since their last analysis (one, or all), publishing them to the index. */
  flush(path?: string): void {
    if (path === undefined) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (const p of path === undefined ? [...this.pending] : this.pending.has(path) ? [path] : []) {
      this.pending.delete(p);
      const doc = this.docs.get(p);
      if (!doc) continue;
      const { analysis, ...reusable } = analyzeC(doc.text, { previous: doc.reusable });
      const analysed: OpenDocument = { ...doc, reusable };
      this.docs.set(p, analysed);
      this.publish(analysed, analysis);
    }
  }

  close(path: string): boolean {
    this.pending.delete(path);
    return this.docs.delete(path);
  }

  private publish(doc: OpenDocument, analysis: ReturnType<typeof analyzeC>['analysis']): void {
    const entry: FileEntry = {
      ...analysis,
      path: doc.path,
      hash: hashBytes(Buffer.from(doc.text, 'utf8')),
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
