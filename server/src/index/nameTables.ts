// The workspace's distinct symbol names as sorted tables of at most a few
// thousand names each, kept current without holding the event loop for long.
// Searches, completion and exploration read every table (a live name is in
// exactly one); new names are sorted into a small table on arrival, small
// neighbours are merged, and names that went away are swept out table by table
// between requests. One table of 300,000 names took 0.6 s to build and 35-55 ms
// to merge a change into, which stalled the server on every workspace/symbol
// while a tree was being indexed; merging tables into ever bigger ones, even a
// slice at a time, kept a core busy for seconds after a warm start.

import { letterMask } from './nameMatch';
import { packedInitials, packNames, type PackedNames } from './packedNames';
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
  /** Runs the steps of a sweep of gone names (tests drive it by hand). */
  schedule?: Scheduler;
  /** Names are sorted into a table once this many arrive; smaller tables are merged up to this size (8,192: a few ms). */
  chunk?: number;
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
  for (let i = 0; i < names.length; i++) masks[i] = letterMask(lower[i]);
  const packed = packNames(names, lower, masks);
  const initials = new Int32Array(names.length);
  for (let i = 0; i < names.length; i++) initials[i] = packedInitials(packed, i);
  return { names, lower, masks, initials, packed };
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

/** Merges two tables, dropping names that are no longer live (reported in `dropped`). Ties in lower case keep `a`'s name first. */
export function mergeTables(a: NameTable, b: NameTable, isLive: (name: string) => boolean, dropped: string[]): NameTable {
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
    chars.set(t.packed.chars.subarray(from, to), at);
    at += to - from;
    o++;
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

const EMPTY: NameTable = buildNameTable([]);
const alwaysLive = (): boolean => true;

/** Runs a slice of background work later; returns a function that cancels it. */
export type Scheduler = (work: () => void) => () => void;

/** setImmediate, unreferenced: pending merges never keep a command-line process alive. */
const immediateScheduler: Scheduler = (work) => {
  const handle = setImmediate(work);
  handle.unref();
  return () => clearImmediate(handle);
};

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
  /** The next table a sweep of gone names reads; -1 when no sweep runs. */
  private sweepAt = -1;
  private cancelSweep: (() => void) | undefined;
  private readonly schedule: Scheduler;
  private readonly chunk: number;
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
  }

  added(name: string): void {
    if (!this.active) return;
    // Back before a sweep took it out: its table still has it.
    if (this.gone.delete(name)) return;
    this.pending.add(name);
    if (this.pending.size >= this.chunk) this.flush();
  }

  removed(name: string): void {
    if (!this.active) return;
    if (this.pending.delete(name)) return;
    this.gone.add(name);
    // The table count is read only once enough names are gone: this runs for every name of a re-indexed file.
    if (this.sweepAt < 0 && this.gone.size > this.chunk && this.gone.size > this.size() / 16) this.startSweep();
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

  /** Whether a sweep of gone names is under way (for tests). */
  get sweeping(): boolean {
    return this.sweepAt >= 0;
  }

  /** Finishes a sweep now: for command-line use, where nothing else waits. */
  settle(): void {
    this.view();
    this.cancelSweep?.();
    while (this.sweepAt >= 0) this.sweepStep(false);
  }

  private size(): number {
    let n = 0;
    for (const t of this.tables) n += t.names.length;
    return n;
  }

  private flush(): void {
    this.tables.push(buildNameTable([...this.pending]));
    this.pending.clear();
    this.compact(true);
  }

  /**
   * Merges neighbouring tables that together hold at most a chunk: every
   * merge is small, a full chunk is never copied again (a warm start sorts
   * 300,000 names into chunks once and is done), and no two neighbours hold
   * less than a chunk, so there are at most two tables per chunk of names,
   * also after a sweep has thinned them.
   *
   * After a flush (`tiered`), a newer table merges into its older neighbour
   * only when it holds at least half as many names. Every query during
   * indexing flushes the names added since the last one; merging each such
   * handful into the growing newest table copied up to a chunk per query (a
   * second of the server's thread over the synthetic tree). Tiered, every
   * copy of a name at least grows its table by half, so a name is copied at
   * most log1.5(chunk) times as its chunk fills, and table sizes halve at
   * least toward the newest: at most log2(chunk) + 1 tables not yet full.
   */
  private compact(tiered = false): void {
    for (let k = this.tables.length - 2; k >= 0; k--) {
      if (k + 1 >= this.tables.length) continue;
      const a = this.tables[k];
      const b = this.tables[k + 1];
      if (a.names.length + b.names.length > this.chunk) continue;
      if (tiered && 2 * b.names.length < a.names.length) continue;
      this.tables.splice(k, 2, this.merged(a, b));
      // The merged table may now pair with its newer neighbour: look at (k, k + 1) again.
      k++;
    }
  }

  private merged(a: NameTable, b: NameTable): NameTable {
    const dropped: string[] = [];
    // A name in a table is live or gone: only gone ones need the (costlier) look-up.
    const gone = this.gone;
    const t = mergeTables(a, b, gone.size ? (name) => !gone.has(name) || this.isLive(name) : alwaysLive, dropped);
    // Not live, so in `gone`: now in no table either.
    for (const name of dropped) this.gone.delete(name);
    return t;
  }

  private startSweep(): void {
    this.sweepAt = 0;
    this.cancelSweep = this.schedule(() => this.sweepStep(true));
  }

  /** Rewrites one table without its gone names, then schedules the next (`more`). */
  private sweepStep(more: boolean): void {
    this.cancelSweep = undefined;
    if (this.sweepAt >= this.tables.length) {
      this.sweepAt = -1;
      this.compact();
      return;
    }
    const t = this.merged(this.tables[this.sweepAt], EMPTY);
    if (t.names.length) this.tables[this.sweepAt++] = t;
    else this.tables.splice(this.sweepAt, 1);
    if (more) this.cancelSweep = this.schedule(() => this.sweepStep(true));
  }
}
