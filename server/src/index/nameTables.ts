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

/**
 * A table as a cache keeps it: its names, in the table's order; the rest is
 * derived again when it is first needed. A loaded table gives `count` and
 * makes its names when first read.
 */
export type StoredNameTable = Pick<NameTable, 'names'> & {
  readonly count?: number;
  /** The names as a cache stores them (UTF-8, NUL between two), where made already. */
  readonly bytes?: Uint8Array;
};

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

function byLower(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Sorted by lower case, so the names starting with a query are one range. */
export function buildNameTable(all: readonly string[]): NameTable {
  const pairs = sortedPairs(all);
  return completeTable(
    pairs.map((p) => p[1]),
    pairs.map((p) => p[0]),
  );
}

function sortedPairs(all: readonly string[]): Array<readonly [string, string]> {
  const pairs = all.map((n) => [n.toLowerCase(), n] as const);
  return pairs.sort(byLower);
}

/** The positions of `all` in a table's order (what `sortedPairs` gives: by lower case, equal ones as they came). */
export function sortedByLower(all: readonly string[]): number[] {
  const keyed = all.map((n, i) => [n.toLowerCase(), i] as const);
  // The same order as `sortedPairs`: a cache's tables are sorted either way and must agree.
  keyed.sort(byLower);
  return keyed.map((k) => k[1]);
}

/**
 * The names `buildNameTables` would order, and nothing else: what a cache
 * stores. Masks and packed bytes built only to be dropped were most of the
 * time a cold index spent on its tables before saving.
 */
export function storedNameTables(all: readonly string[], chunk: number): StoredNameTable[] {
  const out: StoredNameTable[] = [];
  for (let i = 0; i < all.length; i += chunk) out.push({ names: sortedPairs(all.slice(i, i + chunk)).map((p) => p[1]) });
  return out;
}

/** Names per table where nothing else is said (see NameTablesOptions.chunk). */
export const TABLE_CHUNK = 8192;

/** Tables of `chunk` names each: one table of 250,000 names took twice the memory at its peak. */
export function buildNameTables(all: readonly string[], chunk: number): NameTable[] {
  const out: NameTable[] = [];
  for (let i = 0; i < all.length; i += chunk) out.push(buildNameTable(all.slice(i, i + chunk)));
  return out;
}

/** A table of names already in order, with their lower-case forms. */
export function completeTable(names: string[], lower: string[] = names.map((n) => n.toLowerCase())): NameTable {
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

/** Names [from, to) of a table, as a table of its own. */
export function sliceTable(t: NameTable, from: number, to: number): NameTable {
  const base = t.packed.offsets[from];
  const offsets = t.packed.offsets.slice(from, to + 1);
  for (let i = 0; i < offsets.length; i++) offsets[i] -= base;
  return {
    names: t.names.slice(from, to),
    lower: t.lower.slice(from, to),
    masks: t.masks.slice(from, to),
    initials: t.initials.slice(from, to),
    packed: { chars: t.packed.chars.slice(base, t.packed.offsets[to]), offsets },
  };
}

/** The names of a table for which `keep(i)` holds, in order. */
export function pickFromTable(t: NameTable, keep: (i: number) => boolean): NameTable {
  const kept: number[] = [];
  let size = 0;
  for (let i = 0; i < t.names.length; i++) {
    if (!keep(i)) continue;
    kept.push(i);
    size += t.packed.offsets[i + 1] - t.packed.offsets[i];
  }
  if (kept.length === t.names.length) return t;
  const n = kept.length;
  const out: NameTable = { names: new Array<string>(n), lower: new Array<string>(n), masks: new Int32Array(n), initials: new Int32Array(n), packed: { chars: new Uint8Array(size), offsets: new Int32Array(n + 1) } };
  let at = 0;
  kept.forEach((i, o) => {
    out.names[o] = t.names[i];
    out.lower[o] = t.lower[i];
    out.masks[o] = t.masks[i];
    out.initials[o] = t.initials[i];
    out.packed.offsets[o] = at;
    out.packed.chars.set(t.packed.chars.subarray(t.packed.offsets[i], t.packed.offsets[i + 1]), at);
    at += t.packed.offsets[i + 1] - t.packed.offsets[i];
  });
  out.packed.offsets[n] = at;
  return out;
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
  /** Tables from a cache not yet ready for reading (seed). */
  private readonly stored: Array<{ table: StoredNameTable; keep?: (i: number) => boolean }> = [];
  private cancelPrepare: (() => void) | undefined;

  /** `liveNames` lists every live name (read once, by the first `view` of lazy tables). */
  constructor(
    private readonly isLive: (name: string) => boolean,
    private readonly liveNames: () => Iterable<string>,
    options: NameTablesOptions = {},
  ) {
    this.active = options.eager ?? false;
    this.schedule = options.schedule ?? immediateScheduler;
    this.chunk = options.chunk ?? TABLE_CHUNK;
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
      this.tables = buildNameTables([...this.liveNames()], this.chunk);
    }
    this.prepare();
    if (this.pending.size) this.flush();
    return { tables: this.tables.slice(), gone: this.gone };
  }

  /**
   * The live names in sorted tables, for a cache. Tables not followed (only
   * a command, with no requests to answer) are built and not kept; the
   * tables a server follows are picked clean of gone names with `pause`
   * between tables.
   */
  async forSave(pause: () => Promise<void>): Promise<StoredNameTable[]> {
    if (!this.active) return storedNameTables([...this.liveNames()], this.chunk);
    const out: StoredNameTable[] = [];
    const { tables, gone } = this.view();
    for (const t of tables) {
      out.push(gone.size ? pickFromTable(t, (i) => !gone.has(t.names[i])) : t);
      if (gone.size) await pause();
    }
    return out;
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

  /**
   * Adds tables restored from a cache. `keep(k, i)` says whether name i of
   * table k goes in: one already live here, or not live at all, must not.
   * They are made ready for reading (lower-case names, split into tables of
   * at most a chunk) when first needed, or a table per step in the
   * background once `prepareInBackground` is called.
   */
  seed(tables: readonly StoredNameTable[], keep?: (table: number, i: number) => boolean): void {
    if (!this.active) {
      // Names that came before were not followed: they go in with the rest.
      this.active = true;
      for (const name of this.liveNames()) this.pending.add(name);
    }
    tables.forEach((table, k) => this.stored.push({ table, keep: keep && ((i) => keep(k, i)) }));
  }

  /**
   * Makes seeded tables ready a table per step, between other work. A server
   * calls this once its index is loaded: done while the rest of the warm
   * start still ran, it delayed that by as much.
   */
  prepareInBackground(): void {
    if (this.stored.length && !this.cancelPrepare) this.cancelPrepare = this.schedule(() => this.prepareStep());
  }

  private prepareStep(): void {
    this.cancelPrepare = undefined;
    this.prepareOne();
    if (this.stored.length) this.cancelPrepare = this.schedule(() => this.prepareStep());
  }

  /** Makes every stored table ready: before anything reads or rewrites the tables. */
  private prepare(): void {
    while (this.stored.length) this.prepareOne();
  }

  private prepareOne(): void {
    const next = this.stored.shift();
    if (!next) return;
    const full = completeTable(next.table.names);
    const t = next.keep ? pickFromTable(full, next.keep) : full;
    for (let from = 0; from < t.names.length; from += this.chunk) {
      const to = Math.min(t.names.length, from + this.chunk);
      this.tables.push(from === 0 && to === t.names.length ? t : sliceTable(t, from, to));
    }
    this.compact();
  }

  private size(): number {
    let n = 0;
    for (const t of this.tables) n += t.names.length;
    for (const s of this.stored) n += s.table.names.length;
    return n;
  }

  private flush(): void {
    this.prepare();
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
    this.prepare();
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
