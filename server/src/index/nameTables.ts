// The workspace's distinct symbol names as a few sorted tables, kept current
// without ever holding the event loop for long. Searches, completion and
// exploration read every table (a name is in exactly one); new names go into
// small tables sorted on arrival, and tables of similar size are merged, big
// merges a slice at a time between requests. One table of 300,000 names took
// 0.6 s to build and 35-55 ms to merge a change into, which stalled the server
// on every workspace/symbol while a tree was being indexed.

import { initialsMask, letterMask } from './nameMatch';
import { packNames, type PackedNames } from './packedNames';
import { firstAtOrAfter } from './pathNearness';

export interface NameTable {
  /** Distinct names, ordered by their lower-case form. */
  names: string[];
  lower: string[];
  /** One bit per letter/digit class a name contains: a query needing a bit the name lacks cannot match. */
  masks: Int32Array;
  /** The same bits for the letters that begin the name's word segments. */
  initials: Int32Array;
  /** `lower` packed into bytes, for the full scan of a search. */
  packed: PackedNames;
}

/** What readers see: every live name is in exactly one table; names in `gone` are in a table but no longer in the index. */
export interface NameView {
  tables: readonly NameTable[];
  gone: ReadonlySet<string>;
}

export interface NameTablesOptions {
  /**
   * Follow names from the start (a server, which will be asked). Otherwise
   * nothing is tracked until the first `view`, which builds the tables at
   * once: a command that only indexes never pays for them.
   */
  eager?: boolean;
  /** Runs background merge slices (tests drive it by hand). */
  schedule?: Scheduler;
  /** Names are sorted into a table once this many arrive (8,192: about 5 ms of work). */
  chunk?: number;
  /** Merges of at most this many names run at once; bigger ones a slice at a time (16,384). */
  syncMerge?: number;
  /** Names merged between checks of the clock in a background merge (1,024: a fraction of a millisecond). */
  slice?: number;
  /** Milliseconds of merging per turn of the event loop (4; at least one slice). */
  budgetMs?: number;
}

function byLower(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Sorted by lower case, so the names starting with a query are one range. */
export function buildNameTable(all: readonly string[]): NameTable {
  const pairs = all.map((n) => [n.toLowerCase(), n] as const);
  pairs.sort(byLower);
  const names = pairs.map((p) => p[1]);
  const lower = pairs.map((p) => p[0]);
  const masks = new Int32Array(names.length);
  const initials = new Int32Array(names.length);
  for (let i = 0; i < names.length; i++) {
    masks[i] = letterMask(lower[i]);
    initials[i] = initialsMask(names[i]);
  }
  return { names, lower, masks, initials, packed: packNames(names, lower, masks) };
}

/** Names that start with `ql` (lower case), table by table, skipping gone ones; stop by returning false. */
export function forEachWithPrefix(view: NameView, ql: string, visit: (name: string) => boolean | void): void {
  for (const t of view.tables) {
    for (let i = firstAtOrAfter(t.lower, ql); i < t.lower.length && t.lower[i].startsWith(ql); i++) {
      if (view.gone.size && view.gone.has(t.names[i])) continue;
      if (visit(t.names[i]) === false) return;
    }
  }
}

/** How many live names the view holds. */
export function nameCount(view: NameView): number {
  let n = -view.gone.size;
  for (const t of view.tables) n += t.names.length;
  return n;
}

/**
 * Merges two tables, dropping names that are no longer live (reported in
 * `dropped`), yielding after every `slice` names. Ties in lower case keep
 * `a`'s name first.
 */
export function* mergeTables(
  a: NameTable,
  b: NameTable,
  isLive: (name: string) => boolean,
  dropped: string[],
  slice = 1024,
): Generator<void, NameTable> {
  const cap = a.names.length + b.names.length;
  const names = new Array<string>(cap);
  const lower = new Array<string>(cap);
  const masks = new Int32Array(cap);
  const initials = new Int32Array(cap);
  const offsets = new Int32Array(cap + 1);
  const chars = new Uint8Array(a.packed.chars.length + b.packed.chars.length);
  let i = 0;
  let j = 0;
  let o = 0;
  let at = 0;
  let sinceYield = 0;
  while (i < a.names.length || j < b.names.length) {
    const fromA = j >= b.names.length || (i < a.names.length && a.lower[i] <= b.lower[j]);
    const t = fromA ? a : b;
    const k = fromA ? i++ : j++;
    const name = t.names[k];
    if (!isLive(name)) {
      dropped.push(name);
      continue;
    }
    names[o] = name;
    lower[o] = t.lower[k];
    masks[o] = t.masks[k];
    initials[o] = t.initials[k];
    offsets[o] = at;
    const from = t.packed.offsets[k];
    const to = t.packed.offsets[k + 1];
    for (let c = from; c < to; c++) chars[at++] = t.packed.chars[c];
    o++;
    if (++sinceYield >= slice) {
      sinceYield = 0;
      yield;
    }
  }
  offsets[o] = at;
  names.length = o;
  lower.length = o;
  return {
    names,
    lower,
    masks: o === cap ? masks : masks.slice(0, o),
    initials: o === cap ? initials : initials.slice(0, o),
    packed: { chars: at === chars.length ? chars : chars.slice(0, at), offsets: o === cap ? offsets : offsets.slice(0, o + 1) },
  };
}

/** Runs a slice of background work later; returns a function that cancels it. */
export type Scheduler = (work: () => void) => () => void;

/** setImmediate, unreferenced: pending merges never keep a command-line process alive. */
export const immediateScheduler: Scheduler = (work) => {
  const handle = setImmediate(work);
  handle.unref();
  return () => clearImmediate(handle);
};

interface Job {
  a: NameTable;
  b: NameTable;
  dropped: string[];
  steps: Generator<void, NameTable>;
  cancel?: () => void;
}

/**
 * The tables of one index. The index reports each name as it appears
 * (`added`) and disappears (`removed`); `view` gives readers the current
 * tables. Invariants: a live name is in exactly one table or in `pending`;
 * a name in a table is live or in `gone`.
 */
export class NameTables {
  private tables: NameTable[] = [];
  private readonly pending = new Set<string>();
  private readonly gone = new Set<string>();
  private job: Job | undefined;
  private readonly schedule: Scheduler;
  private readonly chunk: number;
  private readonly syncMerge: number;
  private readonly slice: number;
  private readonly budgetMs: number;
  private active: boolean;

  /** `liveNames` lists every live name (read once, by the first `view` of lazy tables). */
  constructor(
    private readonly isLive: (name: string) => boolean,
    private readonly liveNames: () => Iterable<string>,
    options: NameTablesOptions = {},
  ) {
    this.active = options.eager ?? false;
    this.schedule = options.schedule ?? immediateScheduler;
    this.chunk = options.chunk ?? 8192;
    this.syncMerge = options.syncMerge ?? 16384;
    this.slice = options.slice ?? 1024;
    this.budgetMs = options.budgetMs ?? 4;
  }

  added(name: string): void {
    if (!this.active) return;
    // Back before its table was merged away: the table still has it.
    if (this.gone.delete(name)) return;
    this.pending.add(name);
    if (this.pending.size >= this.chunk) this.flush();
  }

  removed(name: string): void {
    if (!this.active) return;
    if (!this.pending.delete(name)) this.gone.add(name);
  }

  /** The current tables; any pending names (fewer than a chunk) are sorted into a table first. */
  view(): NameView {
    if (!this.active) {
      this.active = true;
      this.tables = [buildNameTable([...this.liveNames()])];
    }
    if (this.pending.size) this.flush();
    return { tables: this.tables.slice(), gone: this.gone };
  }

  /** Whether a background merge is under way (for tests and benchmarks). */
  get merging(): boolean {
    return this.job !== undefined;
  }

  /** Finishes all merges now: for command-line use, where nothing else waits. */
  settle(): void {
    this.view();
    while (this.job) {
      this.job.cancel?.();
      this.runJob(Infinity);
    }
  }

  private flush(): void {
    this.tables.push(buildNameTable([...this.pending]));
    this.pending.clear();
    this.compact();
  }

  /**
   * Merges two neighbouring tables when the newer is at least half the older's
   * size (or empty), newest first, so there are O(log n) tables; big merges
   * run in the background, one at a time.
   */
  private compact(): void {
    while (!this.job) {
      let k = this.tables.length - 2;
      while (k >= 0 && !(this.tables[k + 1].names.length * 2 >= this.tables[k].names.length || this.tables[k + 1].names.length === 0)) k--;
      if (k < 0) return;
      const a = this.tables[k];
      const b = this.tables[k + 1];
      const dropped: string[] = [];
      this.job = { a, b, dropped, steps: mergeTables(a, b, this.isLive, dropped, this.slice) };
      this.runJob(a.names.length + b.names.length <= this.syncMerge ? Infinity : -1);
    }
  }

  /** Runs the job for about `budgetMs` (at least one slice; none when negative), then schedules the rest. */
  private runJob(budgetMs: number): void {
    const job = this.job;
    if (!job) return;
    job.cancel = undefined;
    const start = performance.now();
    let first = budgetMs >= 0;
    for (;;) {
      if (!first && performance.now() - start >= budgetMs) {
        job.cancel = this.schedule(() => this.runJob(this.budgetMs));
        return;
      }
      first = false;
      const step = job.steps.next();
      if (step.done) {
        this.finish(job, step.value);
        return;
      }
    }
  }

  private finish(job: Job, merged: NameTable): void {
    this.job = undefined;
    const at = this.tables.indexOf(job.a);
    // a and b are still neighbours: flush only appends, and only one job runs.
    this.tables.splice(at, 2, merged);
    for (const name of job.dropped) {
      this.gone.delete(name);
      // Re-added while the merge ran: it must go into a table again.
      if (this.isLive(name)) this.pending.add(name);
    }
    if (!merged.names.length) this.tables.splice(at, 1);
    this.compact();
  }
}
