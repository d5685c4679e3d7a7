import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../server/src/bench/seededRandom';
import { buildNameTable, buildNameTables, storedNameTables, forEachWithPrefix, mergeTables, nameCount, NameTables, type NameView, type StoredNameTable } from '../../server/src/index/nameTables';

/** Small sizes, so a few thousand names make many chunks and merges of every kind. */
const CHUNK = 64;
const small = (schedule: (work: () => void) => () => void) => ({ eager: true, schedule, chunk: CHUNK });

/** A change of the live names told to the tables, as the index tells them. */
function follow(live: Set<string>, tables: NameTables): { add: (name: string) => void; remove: (name: string) => void } {
  return {
    add: (name) => {
      live.add(name);
      tables.added(name);
    },
    remove: (name) => {
      live.delete(name);
      tables.removed(name);
    },
  };
}

/** A scheduler the test runs by hand: background merges advance only when it says so. */
function manualScheduler(): { schedule: (work: () => void) => () => void; runOne: () => boolean; queued: () => number } {
  const queue: Array<(() => void) | undefined> = [];
  return {
    schedule: (work) => {
      const at = queue.push(work) - 1;
      return () => {
        queue[at] = undefined;
      };
    },
    runOne: () => {
      while (queue.length) {
        const work = queue.shift();
        if (work) {
          work();
          return true;
        }
      }
      return false;
    },
    queued: () => queue.filter(Boolean).length,
  };
}

/** Every table sorted and its per-name facts what a fresh build gives; no name in two tables; live names exactly once. */
function expectConsistent(view: NameView, live: ReadonlySet<string>): void {
  const seen = new Set<string>();
  for (const t of view.tables) {
    const fresh = buildNameTable(t.names);
    expect(t.lower).toEqual(fresh.lower);
    expect([...t.masks]).toEqual([...fresh.masks]);
    expect([...t.initials]).toEqual([...fresh.initials]);
    expect([...t.packed.offsets]).toEqual([...fresh.packed.offsets]);
    // Ties in lower case may be in either order; compare the bytes name by name.
    const at = new Map(fresh.names.map((n, j) => [n, j]));
    t.names.forEach((n, i) => {
      const j = at.get(n) ?? -1;
      expect([...t.packed.chars.subarray(t.packed.offsets[i], t.packed.offsets[i + 1])]).toEqual([
        ...fresh.packed.chars.subarray(fresh.packed.offsets[j], fresh.packed.offsets[j + 1]),
      ]);
    });
    for (const n of t.names) {
      expect(seen.has(n)).toBe(false);
      seen.add(n);
      expect(live.has(n) || view.gone.has(n)).toBe(true);
    }
  }
  for (const n of view.gone) expect(live.has(n)).toBe(false);
  const visible = [...seen].filter((n) => !view.gone.has(n)).sort();
  expect(visible).toEqual([...live].sort());
  expect(nameCount(view)).toBe(live.size);
}

describe('NameTables', () => {
  it('keeps every live name in exactly one sorted table through random adds and removes, sweeps running between them', () => {
    const random = mulberry32(5);
    const word = (): string => Array.from({ length: 1 + Math.floor(random() * 9) }, () => 'abAB_x9éQz'[Math.floor(random() * 10)]).join('');
    const live = new Set<string>();
    const sched = manualScheduler();
    const tables = new NameTables((n) => live.has(n), () => live, small(sched.schedule));
    const { add, remove } = follow(live, tables);
    let sawBackground = false;
    for (let round = 0; round < 60; round++) {
      // Bursts big enough to fill chunks and start background merges, then churn.
      const adds = round < 30 ? CHUNK + Math.floor(random() * 3 * CHUNK) : Math.floor(random() * 20);
      for (let k = 0; k < adds; k++) {
        const n = word() + (round < 30 ? `${round}_${k}` : '');
        if (live.has(n)) continue;
        add(n);
      }
      for (const n of [...live]) {
        if (random() < (round < 30 ? 0.01 : 0.02)) {
          remove(n);
        }
      }
      // Names that come back, some while a merge that may have dropped them runs.
      if (round % 5 === 4) {
        for (let k = 0; k < 20; k++) {
          const n = `back${k}`;
          if (live.has(n)) {
            remove(n);
          } else {
            add(n);
          }
        }
      }
      if (tables.sweeping) sawBackground = true;
      // Readers in the middle of a merge see a consistent view.
      expectConsistent(tables.view(), live);
      for (let s = Math.floor(random() * 4); s > 0; s--) sched.runOne();
    }
    expect(sawBackground).toBe(true);
    while (sched.runOne());
    const settled = tables.view();
    expectConsistent(settled, live);
    // Tables were merged up to two chunks: about one per two chunks, never many small ones.
    expect(settled.tables.length).toBeLessThanOrEqual(2 * Math.ceil(live.size / CHUNK) + 1);
    for (const t of settled.tables) expect(t.names.length).toBeLessThanOrEqual(2 * CHUNK);
  });

  it('a view after every few names added (queries while indexing) copies each name about log2(chunk) times, and looks names up only when some went', () => {
    const chunk = 1024;
    const live = new Set<string>();
    let lookups = 0;
    const isLive = (n: string): boolean => {
      lookups++;
      return live.has(n);
    };
    const tables = new NameTables(isLive, () => live, { eager: true, schedule: manualScheduler().schedule, chunk });
    const { add, remove } = follow(live, tables);
    const random = mulberry32(9);
    let previous = new Set(tables.view().tables);
    let built = 0;
    let most = 0;
    for (let k = 0; k < 3 * chunk; ) {
      for (let step = 1 + Math.floor(random() * 4); step > 0; step--, k++) {
        add(`Name${k}`);
      }
      const view = tables.view();
      // A table not in the previous view was built or merged since: its names were copied.
      for (const t of view.tables) if (!previous.has(t)) built += t.names.length;
      previous = new Set(view.tables);
      most = Math.max(most, view.tables.length);
      if (random() < 0.02) expectConsistent(view, live);
    }
    expectConsistent(tables.view(), live);
    expect(lookups).toBe(0);
    // Merging each handful into the newest table copied about chunk / 2 names per view: some 900,000 here.
    expect(built).toBeLessThan(live.size * (Math.log(chunk) / Math.log(1.5) + 1));
    expect(most).toBeLessThanOrEqual(2 * 3 + Math.log2(chunk) + 1);
    // Once names go, merges ask about the gone ones only.
    for (let k = 0; k < 10; k++) {
      remove(`Name${k}`);
    }
    for (let k = 0; k < 50; k++) {
      add(`More${k}`);
      tables.view();
    }
    expect(lookups).toBeLessThanOrEqual(10 * 50);
    expectConsistent(tables.view(), live);
  });

  it('settle finishes a sweep at once, for the command line', () => {
    const live = new Set<string>();
    const sched = manualScheduler();
    const tables = new NameTables((n) => live.has(n), () => live, small(sched.schedule));
    const { add, remove } = follow(live, tables);
    for (let k = 0; k < 6 * CHUNK; k++) {
      add(`Name${k}`);
    }
    for (let k = 0; k < 2 * CHUNK; k++) {
      remove(`Name${k}`);
    }
    expect(tables.sweeping).toBe(true);
    tables.settle();
    expect(tables.sweeping).toBe(false);
    const view = tables.view();
    expect(view.gone.size).toBe(0);
    expectConsistent(view, live);
  });

  it('a name removed and added again while a sweep runs stays findable', () => {
    const live = new Set<string>();
    const sched = manualScheduler();
    const tables = new NameTables((n) => live.has(n), () => live, small(sched.schedule));
    const { add, remove } = follow(live, tables);
    for (let k = 0; k < 6 * CHUNK; k++) add(`A${String(k).padStart(6, '0')}`);
    tables.view();
    // Enough names go to start a sweep; one of them comes back before the sweep reaches its table, one after.
    for (let k = 0; k < CHUNK + 10; k++) remove(`A${String(k).padStart(6, '0')}`);
    expect(tables.sweeping).toBe(true);
    add('A000005');
    sched.runOne();
    sched.runOne();
    add('A000007');
    while (sched.runOne());
    expect(tables.sweeping).toBe(false);
    const view = tables.view();
    expectConsistent(view, live);
    const found: string[] = [];
    forEachWithPrefix(view, 'a00000', (n) => void found.push(n));
    expect(found.sort()).toEqual(['A000005', 'A000007']);
  });

  it('lazy tables track nothing until first asked, then hold every live name and follow changes', () => {
    const live = new Set(['AllocMem', 'FreeMem']);
    const sched = manualScheduler();
    const tables = new NameTables((n) => live.has(n), () => live, { schedule: sched.schedule, chunk: CHUNK });
    const { add, remove } = follow(live, tables);
    for (let k = 0; k < 3 * CHUNK; k++) {
      add(`N${k}`);
    }
    expect(sched.queued()).toBe(0);
    remove('FreeMem');
    const first = tables.view();
    // Built a chunk at a time.
    expect(first.tables.map((t) => t.names.length)).toEqual([CHUNK, CHUNK, CHUNK, 1]);
    expectConsistent(first, live);
    add('AllocVec');
    remove('N7');
    expectConsistent(tables.view(), live);
  });

  it('forEachWithPrefix visits the prefix range of every table, skips gone names, and stops when asked', () => {
    const live = new Set(['AllocMem', 'allocVec', 'FreeMem', 'Alpha']);
    const view: NameView = { tables: [buildNameTable(['AllocMem', 'FreeMem', 'AllocGone']), buildNameTable(['allocVec', 'Alpha'])], gone: new Set(['AllocGone']) };
    const seen: string[] = [];
    forEachWithPrefix(view, 'alloc', (n) => void seen.push(n));
    expect(seen).toEqual(['AllocMem', 'allocVec']);
    const first: string[] = [];
    forEachWithPrefix(view, 'al', (n) => (first.push(n), false));
    expect(first).toHaveLength(1);
    expect(nameCount(view)).toBe(live.size);
  });

  it('mergeTables gives the sorted union less names no longer live, reporting those', () => {
    const a = buildNameTable(['beta', 'Delta', 'zeta']);
    const b = buildNameTable(['Alpha', 'gamma', 'DELTA2']);
    const dropped: string[] = [];
    const merged = mergeTables(a, b, (n) => n !== 'gamma', dropped);
    expect(merged.names).toEqual(['Alpha', 'beta', 'Delta', 'DELTA2', 'zeta']);
    expect(dropped).toEqual(['gamma']);
    expectConsistent({ tables: [merged], gone: new Set() }, new Set(merged.names));
  });

  it('storedNameTables orders and splits names as buildNameTables does, names only', () => {
    const names = ['zeta', 'Alpha', 'beta', 'ALPHA', 'delta', 'Beta', '_x', 'a1', 'A0'];
    const stored = storedNameTables(names, 4);
    expect(stored).toEqual(buildNameTables(names, 4).map((t) => ({ names: t.names })));
    expect(stored.map((t) => t.names)).toEqual([['Alpha', 'ALPHA', 'beta', 'zeta'], ['_x', 'a1', 'Beta', 'delta'], ['A0']]);
    expect(storedNameTables([], 4)).toEqual([]);
  });
});

describe('NameTables.seed: tables restored from a cache', () => {
  const stored = (names: string[]): StoredNameTable => {
    const { lower: _lower, ...rest } = buildNameTable(names);
    return rest;
  };

  it('takes the names kept, split into tables of at most a chunk, made ready a table per step in the background when asked', () => {
    const names = Array.from({ length: 2 * CHUNK + 3 }, (_, i) => `Seed${i}`);
    const live = new Set(names.filter((_, i) => i % 5 !== 0));
    const sched = manualScheduler();
    const tables = new NameTables((n) => live.has(n), () => live, { eager: true, schedule: sched.schedule, chunk: CHUNK });
    const first = stored(names.slice(0, CHUNK + 1));
    const second = stored(names.slice(CHUNK + 1));
    tables.seed([first, second], (k, i) => live.has((k === 0 ? first : second).names[i]));
    expect(sched.queued()).toBe(0);
    tables.prepareInBackground();
    expect(sched.queued()).toBe(1);
    expect(sched.runOne()).toBe(true);
    expect(sched.runOne()).toBe(true);
    expect(sched.runOne()).toBe(false);
    const view = tables.view();
    for (const t of view.tables) expect(t.names.length).toBeLessThanOrEqual(CHUNK);
    expectConsistent(view, live);
  });

  it('is made ready at once when read before the background got to it, and follows changes after', () => {
    const live = new Set(['AllocMem', 'FreeMem', 'Zeta']);
    const sched = manualScheduler();
    const tables = new NameTables((n) => live.has(n), () => live, { eager: true, schedule: sched.schedule, chunk: CHUNK });
    const { add, remove } = follow(live, tables);
    tables.seed([stored(['AllocMem', 'FreeMem', 'Zeta'])]);
    expectConsistent(tables.view(), live);
    remove('FreeMem');
    add('Alpha');
    expectConsistent(tables.view(), live);
  });

  it('lazy tables seeded take in the names that came before', () => {
    const live = new Set(['Before']);
    const tables = new NameTables((n) => live.has(n), () => live, { chunk: CHUNK });
    tables.added('Before');
    // What the index lists as live when it seeds: the names it had, not yet those of the seed.
    tables.seed([stored(['AllocMem', 'FreeMem'])]);
    for (const n of ['AllocMem', 'FreeMem']) live.add(n);
    expectConsistent(tables.view(), live);
  });
});
