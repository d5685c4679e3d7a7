// The explore phase over a real index of test/fixtures/aros-mini (built in
// memory). No timing thresholds: the deadline is tested with one in the past.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BreadcrumbItem } from '../../server/src/breadcrumbs/types';
import { estimateTokens } from '../../server/src/context/completionContext';
import { buildIndex } from '../../server/src/index/indexer';
import { WorkspaceIndex } from '../../server/src/index/workspaceIndex';
import {
  explore,
  ExploreCache,
  explorationSummary,
  explorationText,
  personalisedPageRank,
  splitWords,
  type Exploration,
  type ExploreSource,
  type ExploreTask,
} from '../../server/src/iteration/explore';

const ROOT = path.resolve(__dirname, '../fixtures/aros-mini');
const INIT_C = 'workbench/hidds/radeonsi/radeonsi_init.c';
const MEMORY_C = 'workbench/hidds/radeonsi/radeonsi_memory.c';
const INTERN_H = 'workbench/hidds/radeonsi/radeonsi_intern.h';
const LISTS_H = 'compiler/include/exec/lists.h';

async function fixtureIndex(): Promise<WorkspaceIndex> {
  const index = new WorkspaceIndex();
  await buildIndex(index, { root: ROOT, maxFileBytes: 1_000_000, workers: 0 });
  return index;
}

function sourceOf(index: WorkspaceIndex): ExploreSource {
  return {
    index,
    breadcrumbs: () => {
      const items: BreadcrumbItem[] = [];
      for (const f of index.allFiles()) for (const b of f.breadcrumbs) items.push({ file: f.path, breadcrumb: b });
      return items;
    },
    readText: (file) => {
      try {
        return readFileSync(path.join(ROOT, file), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** V3 of the fixture: GRAPHICS_PIPELINE, PARTIAL, on init_gpu_pipeline. */
function pipelineTask(index: WorkspaceIndex): ExploreTask {
  const b = index.get(INIT_C)?.breadcrumbs.find((x) => x.target?.name === 'init_gpu_pipeline');
  if (!b) throw new Error('fixture breadcrumb V3 not found');
  return { description: 'GRAPHICS_PIPELINE: Bring up the command processor before the shader cache', file: INIT_C, symbol: 'init_gpu_pipeline', breadcrumb: b };
}

function rankOf(e: Exploration, file: string): number {
  return e.files.findIndex((f) => f.file === file);
}

// No deadline in these tests: a loaded machine must not change what is found.
const NO_DEADLINE = { deadlineMs: 60_000 };

let index: WorkspaceIndex;
let src: ExploreSource;

beforeAll(async () => {
  index = await fixtureIndex();
  src = sourceOf(index);
});

describe('ranking files', () => {
  it('puts the task file first and its header and related files high', () => {
    const e = explore(src, pipelineTask(index), NO_DEADLINE);
    expect(e.timedOut).toBe(false);
    expect(e.cached).toBe(false);
    expect(e.files[0].file).toBe(INIT_C);
    expect(e.files[0].why).toContain('the task file');
    // Its own header: included, defines what it uses.
    expect(rankOf(e, INTERN_H)).toBeGreaterThan(0);
    expect(rankOf(e, INTERN_H)).toBeLessThanOrEqual(2);
    expect(e.files[rankOf(e, INTERN_H)].why.some((w) => w.startsWith('included by the task file'))).toBe(true);
    // Related through breadcrumbs (SHADER_CACHE and FENCE_SYNC depend on GRAPHICS_PIPELINE) and a sibling.
    expect(rankOf(e, MEMORY_C)).toBeGreaterThan(0);
    expect(rankOf(e, MEMORY_C)).toBeLessThanOrEqual(3);
    expect(e.files[rankOf(e, MEMORY_C)].why.some((w) => w.includes('GRAPHICS_PIPELINE'))).toBe(true);
    // Defines ForeachNode and NEWLIST, which the task file uses.
    expect(rankOf(e, LISTS_H)).toBeGreaterThan(0);
    // Scores are ordered after the task file.
    const rest = e.files.slice(1).map((f) => f.score);
    expect(rest).toEqual([...rest].sort((a, b) => b - a));
  });

  it('ranks unrelated files low or not at all', () => {
    const e = explore(src, pipelineTask(index), NO_DEADLINE);
    const header = e.files[rankOf(e, INTERN_H)];
    for (const f of e.files.filter((x) => x.file.startsWith('malformed/') || x.file.startsWith('workbench/libs/'))) {
      expect(f.score).toBeLessThan(header.score / 2);
      expect(rankOf(e, f.file)).toBeGreaterThan(rankOf(e, LISTS_H));
    }
  });

  it('finds the header, the breadcrumb relations and the library function for a task given by symbol only', () => {
    const e = explore(src, { description: 'implement radeon_alloc_vram', file: MEMORY_C, symbol: 'radeon_alloc_vram' }, NO_DEADLINE);
    expect(e.files[0].file).toBe(MEMORY_C);
    expect(rankOf(e, INTERN_H)).toBe(1);
    // The header declares the symbol and carries a breadcrumb of the same phase.
    expect(e.files[1].why.join('\n')).toMatch(/MEMORY_MANAGER/);
    const alloc = e.symbols.find((s) => s.name === 'AllocPooled');
    expect(alloc?.file).toBe('rom/exec/allocpooled.c');
    expect(alloc?.why).toMatch(/library function/);
    expect(e.snippets.some((s) => s.file === 'rom/exec/allocpooled.c' && s.text.includes('AllocPooled('))).toBe(true);
  });

  it('drops files below the similarity threshold but keeps the task file', () => {
    const all = explore(src, pipelineTask(index), { ...NO_DEADLINE, similarityThreshold: 0 });
    const strong = explore(src, pipelineTask(index), { ...NO_DEADLINE, similarityThreshold: 0.5 });
    expect(strong.files.length).toBeLessThan(all.files.length);
    expect(strong.files.length).toBeGreaterThan(1);
    expect(strong.files[0].file).toBe(INIT_C);
    const best = Math.max(...all.files.map((f) => f.score));
    for (const f of strong.files.slice(1)) expect(f.score).toBeGreaterThanOrEqual(0.5 * best - 1e-9);
    for (const f of all.files.filter((x) => x.score < 0.5 * best && x.file !== INIT_C)) expect(rankOf(strong, f.file)).toBe(-1);
    // Threshold 1 keeps the task file alone (every other file scores less than it).
    expect(explore(src, pipelineTask(index), { ...NO_DEADLINE, similarityThreshold: 1 }).files.map((f) => f.file)).toEqual([INIT_C]);
  });

  it('keeps at most maxFiles files', () => {
    const e = explore(src, pipelineTask(index), { ...NO_DEADLINE, maxFiles: 3 });
    expect(e.files.length).toBeLessThanOrEqual(3);
    expect(e.files[0].file).toBe(INIT_C);
  });
});

describe('symbols and snippets', () => {
  it("names the task symbol, what it uses and its neighbours in the task file", () => {
    const e = explore(src, pipelineTask(index), NO_DEADLINE);
    const names = e.symbols.map((s) => s.name);
    expect(e.symbols[0]).toMatchObject({ name: 'init_gpu_pipeline', file: INIT_C, kind: 'function' });
    // Structs and the macro its body uses.
    expect(e.symbols.find((s) => s.name === 'RadeonRing')).toMatchObject({ file: INTERN_H, kind: 'struct' });
    expect(e.symbols.find((s) => s.name === 'RadeonBase')).toMatchObject({ file: INTERN_H, kind: 'struct' });
    expect(names).toContain('ForeachNode');
    // The functions defined around it.
    expect(e.symbols.find((s) => s.name === 'radeonsi_InitHW' && s.file === INIT_C)?.why).toMatch(/lines from init_gpu_pipeline/);
    expect(names).toContain('rsi_IrqHandler');
    const scores = e.symbols.map((s) => s.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('leads with the task function and fits the budget, best first', () => {
    const e = explore(src, pipelineTask(index), NO_DEADLINE);
    expect(e.snippets[0].file).toBe(INIT_C);
    expect(e.snippets[0].text).toContain('AI_PHASE: GRAPHICS_PIPELINE');
    expect(e.snippets[0].text).toContain('ForeachNode(&rb->rb_Rings, ring)');
    const ring = e.snippets.find((s) => s.text.startsWith('struct RadeonRing'));
    expect(ring?.text).toContain('rr_Wptr');
    expect(e.snippets.reduce((n, s) => n + s.tokens, 0)).toBe(e.tokensUsed);
    expect(e.tokensUsed).toBeLessThanOrEqual(2000);
    for (const s of e.snippets) expect(s.tokens).toBe(estimateTokens(s.text));
    // Related breadcrumbs are rendered from the index.
    expect(e.snippets.some((s) => s.file === MEMORY_C && s.text.includes('AI_PHASE: SHADER_CACHE'))).toBe(true);
  });

  it('stays within a small budget', () => {
    const e = explore(src, pipelineTask(index), { ...NO_DEADLINE, budgetTokens: 150 });
    expect(e.tokensUsed).toBeLessThanOrEqual(150);
    expect(e.snippets.length).toBeGreaterThan(0);
    // The task function is cut to leave room for others, never dropped for them.
    expect(e.snippets[0].file).toBe(INIT_C);
    expect(explore(src, pipelineTask(index), { ...NO_DEADLINE, budgetTokens: 0 }).snippets).toEqual([]);
  });

  it('renders the snippets and a summary', () => {
    const e = explore(src, pipelineTask(index), NO_DEADLINE);
    expect(explorationText(e)).toContain(`// ${INIT_C}:`);
    expect(explorationSummary(e)).toMatch(/^\d+ files, \d+ symbols, \d+ snippets/);
  });
});

describe('deadline and cache', () => {
  it('returns at least the task file when the deadline has passed', () => {
    const e = explore(src, pipelineTask(index), { deadlineMs: -1 });
    expect(e.timedOut).toBe(true);
    expect(e.files[0].file).toBe(INIT_C);
  });

  it('answers the same task from the cache until the index changes', async () => {
    const own = await fixtureIndex();
    const s = sourceOf(own);
    const cache = new ExploreCache(4);
    const task = pipelineTask(own);
    const first = explore(s, task, { ...NO_DEADLINE, cache });
    expect(first.cached).toBe(false);
    const again = explore(s, task, { ...NO_DEADLINE, cache });
    expect(again.cached).toBe(true);
    expect(again.files).toEqual(first.files);
    expect(again.snippets).toEqual(first.snippets);
    // Other options are another entry.
    expect(explore(s, task, { ...NO_DEADLINE, cache, budgetTokens: 500 }).cached).toBe(false);

    // A file re-indexed with the same content (a save without changes) keeps the entry.
    const header = own.get(INTERN_H)!;
    own.set({ ...header });
    expect(explore(s, task, { ...NO_DEADLINE, cache }).cached).toBe(true);

    // A scored file whose content changed does not.
    own.set({ ...header, hash: 'edited' });
    const after = explore(s, task, { ...NO_DEADLINE, cache });
    expect(after.cached).toBe(false);
    expect(explore(s, task, { ...NO_DEADLINE, cache }).cached).toBe(true);

    // Nor does a new file.
    own.set({ ...own.get(LISTS_H)!, path: 'workbench/hidds/radeonsi/radeonsi_new.h' });
    expect(explore(s, task, { ...NO_DEADLINE, cache }).cached).toBe(false);
  });

  it('does not cache an exploration cut short, and drops the least recently used entry', () => {
    const cache = new ExploreCache(1);
    expect(explore(src, pipelineTask(index), { deadlineMs: -1, cache }).timedOut).toBe(true);
    expect(cache.size).toBe(0);
    const other: ExploreTask = { description: 'implement radeon_alloc_vram', file: MEMORY_C, symbol: 'radeon_alloc_vram' };
    explore(src, pipelineTask(index), { ...NO_DEADLINE, cache });
    explore(src, other, { ...NO_DEADLINE, cache });
    expect(cache.size).toBe(1);
    expect(explore(src, other, { ...NO_DEADLINE, cache }).cached).toBe(true);
    expect(explore(src, pipelineTask(index), { ...NO_DEADLINE, cache }).cached).toBe(false);
  });
});

describe('helpers', () => {
  it('splits identifiers into lower-case words', () => {
    expect(splitWords('rsi_SetupGART')).toEqual(['rsi', 'setup', 'gart']);
    expect(splitWords('init_gpu_pipeline')).toEqual(['init', 'gpu', 'pipeline']);
    expect(splitWords('RadeonSI_Enumerator')).toEqual(['radeon', 'si', 'enumerator']);
  });

  it('ranks the restart node highest, its neighbourhood next, and keeps the total rank at one', () => {
    // 0 - 1 - 3, 0 - 2, and 4 alone.
    const adj: Array<Array<[number, number]>> = [
      [
        [1, 1],
        [2, 1],
      ],
      [
        [0, 1],
        [3, 1],
      ],
      [[0, 1]],
      [[1, 1]],
      [],
    ];
    const rank = personalisedPageRank(adj, 0);
    expect(rank[0]).toBeGreaterThan(rank[1]);
    expect(rank[1]).toBeGreaterThan(rank[3]);
    expect(rank[4]).toBe(0);
    expect(rank.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });
});
