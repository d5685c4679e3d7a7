// Files waiting to be parsed: filled while the tree is still being listed,
// drained batch by batch by the indexer's lanes.

import type { DiscoveredFile } from './discover';

export class FileQueue {
  private files: DiscoveredFile[] = [];
  private head = 0;
  private closed = false;
  private readonly waiting: Array<() => void> = [];
  /** Files pushed so far. */
  pushed = 0;

  push(files: readonly DiscoveredFile[]): void {
    if (this.closed) throw new Error('file queue closed');
    for (const f of files) this.files.push(f);
    this.pushed += files.length;
    if (files.length > 0) this.wakeAll();
  }

  /** No more files will come: takers get what is left, then undefined. */
  close(): void {
    this.closed = true;
    this.wakeAll();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Up to `max` files, as soon as there are any; undefined once the queue is closed and empty. */
  async take(max: number): Promise<DiscoveredFile[] | undefined> {
    for (;;) {
      if (this.head < this.files.length) {
        const batch = this.files.slice(this.head, this.head + max);
        this.head += batch.length;
        // Drop what was taken once it is most of the array, so a long listing does not keep it all.
        if (this.head > 4096 && this.head * 2 > this.files.length) {
          this.files = this.files.slice(this.head);
          this.head = 0;
        }
        return batch;
      }
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private wakeAll(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }
}
