// The completion context over a real index of test/fixtures/aros-mini. The
// fixture's README gives 1-based lines; the index and these parts use 0-based.
// Nothing is written into the fixture: edits are applied to a copy of a file's
// text and passed in the request.

import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildCompletionContext,
  estimateTokens,
  RecentEdits,
  renderPrompt,
  type CompletionContext,
  type ContextIndex,
  type ContextPart,
  type ContextRequest,
} from '../../server/src/context/completionContext';
import { buildIndex } from '../../server/src/index/indexer';
import { WorkspaceIndex } from '../../server/src/index/workspaceIndex';
import { edited, source } from '../helpers/fixtureText';

const ROOT = path.resolve(__dirname, '../fixtures/aros-mini');
const MEMORY_C = 'workbench/hidds/radeonsi/radeonsi_memory.c';
const MAKELIST_C = 'workbench/libs/mylib/makelist.c';

let index: ContextIndex;

beforeAll(async () => {
  const full = new WorkspaceIndex();
  await buildIndex(full, { root: ROOT, maxFileBytes: 1_000_000, workers: 0 });
  // Only the by-name lookups: a context that scanned every file would not compile against this.
  index = { lookup: (n) => full.lookup(n), get: (p) => full.get(p), symbolsOf: (f) => full.symbolsOf(f) };
});

function request(file: string, at: { text: string; offset: number }, extra: Partial<ContextRequest> = {}): ContextRequest {
  return { file, text: at.text, offset: at.offset, ...extra };
}

function part(ctx: CompletionContext, kind: ContextPart['kind'], label: string): ContextPart | undefined {
  return ctx.parts.find((p) => p.kind === kind && p.label === label);
}

/** What the prefix/suffix windows must be, computed from the text's lines. */
function expectedWindows(text: string, offset: number, prefixLines: number, suffixLines: number): { prefix: string; suffix: string } {
  const lines = text.split('\n');
  const line = text.slice(0, offset).split('\n').length - 1;
  const col = offset - (text.lastIndexOf('\n', offset - 1) + 1);
  const first = Math.max(0, line - prefixLines);
  const prefix = lines.slice(first, line).map((l) => `${l}\n`).join('') + lines[line].slice(0, col);
  const last = Math.min(lines.length - 1, line + suffixLines);
  const rest = [lines[line].slice(col), ...lines.slice(line + 1, last + 1)].join('\n');
  return { prefix, suffix: last < lines.length - 1 ? `${rest}\n` : rest };
}

describe('windows', () => {
  it('cut at line boundaries at the start of a file', () => {
    const text = source(MEMORY_C);
    for (const offset of [0, 3, text.indexOf('Copyright')]) {
      const ctx = buildCompletionContext(index, { file: MEMORY_C, text, offset, prefixLines: 5, suffixLines: 3 });
      expect({ prefix: ctx.prefix, suffix: ctx.suffix }).toEqual(expectedWindows(text, offset, 5, 3));
      expect(ctx.window.startLine).toBe(0);
    }
    const ctx = buildCompletionContext(index, { file: MEMORY_C, text, offset: text.indexOf('Copyright'), prefixLines: 5, suffixLines: 3 });
    expect(ctx.window).toEqual({ startLine: 0, cursorLine: 1, cursorCharacter: 4, endLine: 4 });
    expect(ctx.suffix.split('\n')).toHaveLength(5);
  });

  it('cut at line boundaries at the end of a file', () => {
    const text = source(MEMORY_C);
    const lastLine = text.split('\n').length - 1;
    const ctx = buildCompletionContext(index, { file: MEMORY_C, text, offset: text.length, prefixLines: 4, suffixLines: 40 });
    expect(ctx.suffix).toBe('');
    expect(ctx.prefix).toBe(expectedWindows(text, text.length, 4, 40).prefix);
    expect(ctx.window).toEqual({ startLine: lastLine - 4, cursorLine: lastLine, cursorCharacter: 0, endLine: lastLine });
    // Near the end: the suffix stops at the end of the text.
    const near = text.lastIndexOf('{');
    const c2 = buildCompletionContext(index, { file: MEMORY_C, text, offset: near, prefixLines: 4, suffixLines: 40 });
    expect({ prefix: c2.prefix, suffix: c2.suffix }).toEqual(expectedWindows(text, near, 4, 40));
    expect(c2.prefix + c2.suffix).toBe(text.slice(text.length - c2.prefix.length - c2.suffix.length));
  });

  it('cut at line boundaries in the middle, with the defaults', () => {
    const at = edited(MEMORY_C, '    mem = AllocPooled(');
    const ctx = buildCompletionContext(index, request(MEMORY_C, at, { prefixLines: 5, suffixLines: 2 }));
    expect({ prefix: ctx.prefix, suffix: ctx.suffix }).toEqual(expectedWindows(at.text, at.offset, 5, 2));
    expect(ctx.window).toEqual({ startLine: 28, cursorLine: 33, cursorCharacter: 22, endLine: 35 });
    const defaults = buildCompletionContext(index, request(MEMORY_C, at));
    expect({ prefix: defaults.prefix, suffix: defaults.suffix }).toEqual(expectedWindows(at.text, at.offset, 120, 40));
    expect(defaults.budgetTokens).toBe(1536);
  });
});

describe('snippets from the index', () => {
  it('a call to an AROS library function brings its signature with registers', () => {
    const at = edited(MEMORY_C, '    FreePooled(rb->rb_VRAMPool, memory, size);\n', '    mem = AllocPooled(rb->rb_VRAMPool, 64);\n    ');
    const ctx = buildCompletionContext(index, request(MEMORY_C, at));
    const lib = part(ctx, 'library-signature', 'AllocPooled');
    expect(lib).toBeDefined();
    // The AROS_LH2 definition (README: rom/exec/allocpooled.c line 15), not the proto macro.
    expect(lib?.file).toBe('rom/exec/allocpooled.c');
    expect(lib?.line).toBe(14);
    expect(lib?.text).toContain('APTR AllocPooled(APTR poolHeader /* A0 */, IPTR memSize /* D0 */);');
    expect(lib?.text).toContain('LVO 118');
    expect(lib?.text).toContain('Allocate memSize bytes from the given pool.');
    expect(lib?.why).toMatch(/called 1 line above the cursor/);
    // A function listed only in exec.conf comes from its .conf entry.
    const conf = part(ctx, 'library-signature', 'FreePooled');
    expect(conf?.file).toBe('rom/exec/exec.conf');
    expect(conf?.text).toContain('void FreePooled(APTR poolHeader /* A0 */, APTR memory /* A1 */, IPTR memSize /* D0 */);');
    // The proto/exec.h macro of the same name is not offered as well.
    expect(ctx.parts.filter((p) => p.label === 'AllocPooled')).toHaveLength(1);
  });

  it('an AROS_LC2 call names its library function too', () => {
    const at = edited(MAKELIST_C, '        if (mc == NULL)\n');
    const ctx = buildCompletionContext(index, request(MAKELIST_C, at));
    expect(part(ctx, 'library-signature', 'AllocPooled')?.why).toMatch(/^AROS library function called/);
    expect(part(ctx, 'library-signature', 'AllocMem')?.file).toBe('rom/exec/allocmem.c');
  });

  it("a local helper's definition from another file is included", () => {
    // rsi_SetupGART calls rsi_WriteReg, a static inline in radeonsi_intern.h (README line 89).
    const at = edited(MEMORY_C, '    rsi_WriteReg(rb, RSI_REG(3, 0), (ULONG)(IPTR)rsi_GartTable);\n');
    const ctx = buildCompletionContext(index, request(MEMORY_C, at));
    const helper = part(ctx, 'definition', 'rsi_WriteReg');
    expect(helper?.file).toBe('workbench/hidds/radeonsi/radeonsi_intern.h');
    expect(helper?.line).toBe(88);
    expect(helper?.text).toBe('static inline void rsi_WriteReg(struct RadeonBase *rb, ULONG reg, ULONG value);');
    expect(part(ctx, 'definition', 'RSI_REG')?.text).toContain('#define RSI_REG(block, reg)');
    // C keywords and exec's basic types are never looked up.
    for (const skipped of ['for', 'return', 'ULONG', 'IPTR', 'TRUE']) expect(ctx.parts.map((p) => p.label)).not.toContain(skipped);
  });

  it('skips identifiers defined inside the window itself', () => {
    const insert = '    radeon_alloc_vram(rb, 4);\n    ';
    const at = edited(MEMORY_C, '    FreePooled(rb->rb_VRAMPool, memory, size);\n', insert);
    // radeon_alloc_vram is defined at line 27, inside a 120-line window.
    const wide = buildCompletionContext(index, request(MEMORY_C, at));
    expect(wide.parts.map((p) => p.label)).not.toContain('radeon_alloc_vram');
    // Locals and parameters are not looked up either (rb, memory, size, mem).
    for (const local of ['rb', 'memory', 'size', 'mem']) expect(wide.parts.map((p) => p.label)).not.toContain(local);
    // With a window that starts below it, its definition is offered.
    const narrow = buildCompletionContext(index, request(MEMORY_C, at, { prefixLines: 3 }));
    expect(narrow.parts.find((p) => p.label === 'radeon_alloc_vram')?.text).toBe('APTR radeon_alloc_vram(struct RadeonBase *rb, ULONG size);');
  });

  it('struct fields come when ptr-> is typed', () => {
    const at = edited(MEMORY_C, '    FreePooled(rb->rb_VRAMPool, memory, size);\n', '    rb->');
    const ctx = buildCompletionContext(index, request(MEMORY_C, at));
    const s = part(ctx, 'struct', 'RadeonBase');
    expect(s?.file).toBe('workbench/hidds/radeonsi/radeonsi_intern.h');
    expect(s?.text).toMatch(/^struct RadeonBase\n\{\n/);
    expect(s?.text).toContain('    APTR rb_VRAMPool;\n');
    expect(s?.text).toContain('    RadeonIrqFunc rb_IrqHandler;\n');
    expect(s?.why).toMatch(/type of rb \(struct RadeonBase \*\).*on the cursor line/);
    // The struct for the member access at the cursor is the most valuable part.
    expect(Math.max(...ctx.parts.map((p) => p.score))).toBe(s?.score);
  });

  it('struct fields for a local declared in the window, and for a parameter declared above it', () => {
    const local = edited(MAKELIST_C, '        mc->');
    const ctx = buildCompletionContext(index, request(MAKELIST_C, local));
    expect(part(ctx, 'struct', 'MyCounter')?.text).toContain('QUAD mc_Value;');
    // A one-line window: rb's type comes from the enclosing function's parameters in the index.
    const param = edited(MEMORY_C, '    if (memory == NULL)\n        return;\n', '    rb->');
    const c2 = buildCompletionContext(index, request(MEMORY_C, param, { prefixLines: 0 }));
    expect(c2.prefix).toBe('    rb->');
    expect(part(c2, 'struct', 'RadeonBase')).toBeDefined();
    // A library function's base is a parameter too: MyLibBase in MakeList.
    const base = edited(MAKELIST_C, '            AROS_LCA(APTR, MyLibBase->');
    const c3 = buildCompletionContext(index, request(MAKELIST_C, base, { prefixLines: 0 }));
    expect(part(c3, 'struct', 'MyLibBase')?.text).toContain('APTR ml_Pool;');
  });

  it('nested anonymous members are expanded', () => {
    const at = { text: 'void f(union RadeonReg *r)\n{\n    r->', offset: 0 };
    at.offset = at.text.length;
    const ctx = buildCompletionContext(index, request('scratch.c', at));
    expect(part(ctx, 'struct', 'RadeonReg')?.text).toBe(
      ['union RadeonReg', '{', '    ULONG r_Value;', '    struct {', '        UWORD r_Low;', '        UWORD r_High;', '    } r_Half;', '    UBYTE r_Bytes[4];', '};'].join('\n'),
    );
  });

  it("the enclosing function's breadcrumb appears, last, when it is above the window", () => {
    const at = edited(MEMORY_C, '    mem = AllocPooled(rb->rb_VRAMPool, size);\n');
    const ctx = buildCompletionContext(index, request(MEMORY_C, at, { prefixLines: 5 }));
    const crumb = part(ctx, 'breadcrumb', 'radeon_alloc_vram');
    // README: V7, the block comment on lines 15-26.
    expect(crumb?.line).toBe(14);
    expect(crumb?.text.split('\n')[0]).toBe('/*');
    expect(crumb?.text).toContain(' * AI_PHASE: MEMORY_MANAGER');
    expect(crumb?.text.endsWith(' */')).toBe(true);
    expect(ctx.parts[ctx.parts.length - 1]).toBe(crumb);
    expect(ctx.extra[ctx.extra.length - 1]).toEqual({ filename: MEMORY_C, text: `${crumb?.text}\n` });
    // Inside the prefix window already: not repeated.
    const wide = buildCompletionContext(index, request(MEMORY_C, at));
    expect(part(wide, 'breadcrumb', 'radeon_alloc_vram')).toBeUndefined();
    // The next function has no breadcrumb of its own; the one above it is not borrowed.
    const next = edited(MEMORY_C, '        return;\n\n    FreePooled(');
    expect(buildCompletionContext(index, request(MEMORY_C, next, { prefixLines: 2 })).parts.filter((p) => p.kind === 'breadcrumb')).toEqual([]);
  });

  it('recent edits in other files come after the stable parts, the newest last', () => {
    const edits = new RecentEdits();
    edits.record('rom/exec/allocmem.c', '    mh = FindRegion(attributes);', 70);
    edits.record(MEMORY_C, '    rsi_VRAMUsed += size;', 35);
    edits.record('workbench/libs/mylib/scalevalue.c', '    return value * 2.0;', 48);
    const at = edited(MEMORY_C, '    mem = AllocPooled(rb->rb_VRAMPool, size);\n');
    const ctx = buildCompletionContext(index, request(MEMORY_C, at, { recentEdits: edits.list(MEMORY_C) }));
    const kinds = ctx.parts.map((p) => p.kind);
    const recent = ctx.parts.filter((p) => p.kind === 'recent-edit').map((p) => p.file);
    expect(recent).toEqual(['rom/exec/allocmem.c', 'workbench/libs/mylib/scalevalue.c']);
    expect(kinds.indexOf('recent-edit')).toBeGreaterThan(kinds.lastIndexOf('definition'));
    expect(kinds.indexOf('recent-edit')).toBeGreaterThan(kinds.lastIndexOf('library-signature'));
    expect(kinds.indexOf('recent-edit')).toBeGreaterThan(kinds.lastIndexOf('struct'));
  });
});

describe('budget and order', () => {
  const at = () => edited(MAKELIST_C, '        mc->');

  it('respects the budget, dropping the lowest-value parts first', () => {
    const full = buildCompletionContext(index, request(MAKELIST_C, at()));
    expect(full.dropped).toEqual([]);
    expect(full.parts.length).toBeGreaterThan(5);
    const budget = Math.floor(full.tokensUsed / 2);
    const ctx = buildCompletionContext(index, request(MAKELIST_C, at(), { budgetTokens: budget }));
    expect(ctx.tokensUsed).toBeLessThanOrEqual(budget);
    expect(ctx.tokensUsed).toBe(ctx.parts.reduce((n, p) => n + p.tokens, 0));
    expect(ctx.dropped.length).toBeGreaterThan(0);
    expect(ctx.parts.length + ctx.dropped.length).toBe(full.parts.length);
    // The best part is kept; each dropped part could not fit beside the better ones kept.
    const best = [...full.parts].sort((a, b) => b.score - a.score)[0];
    expect(ctx.parts).toContainEqual(best);
    for (const d of ctx.dropped) {
      const better = ctx.parts.filter((p) => p.score >= d.score).reduce((n, p) => n + p.tokens, 0);
      expect(better + d.tokens).toBeGreaterThan(budget);
    }
    // The dropped list runs best first, and the lowest-valued part overall is among the dropped.
    const scores = ctx.dropped.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const worst = [...full.parts].sort((a, b) => a.score - b.score)[0];
    if (worst.tokens > budget - ctx.tokensUsed) expect(ctx.dropped).toContainEqual(worst);
    // Nothing fits a budget of zero.
    const none = buildCompletionContext(index, request(MAKELIST_C, at(), { budgetTokens: 0 }));
    expect(none.parts).toEqual([]);
    expect(none.extra).toEqual([]);
    expect(none.dropped).toHaveLength(full.parts.length);
  });

  it('every part counts ceil(chars / 3.5) tokens', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abc')).toBe(1);
    expect(estimateTokens('abcdefg')).toBe(2);
    expect(estimateTokens('abcdefgh')).toBe(3);
    const ctx = buildCompletionContext(index, request(MAKELIST_C, at()));
    for (const p of ctx.parts) expect(p.tokens).toBe(Math.ceil(p.text.length / 3.5));
  });

  it('stable parts come first, sorted by file then line; extra chunks follow the parts', () => {
    const ctx = buildCompletionContext(index, request(MAKELIST_C, at()));
    const libs = ctx.parts.filter((p) => p.kind === 'library-signature');
    expect(ctx.parts.slice(0, libs.length)).toEqual(libs);
    const others = ctx.parts.slice(libs.length).filter((p) => p.file !== MAKELIST_C && p.kind !== 'recent-edit' && p.kind !== 'breadcrumb');
    const sorted = [...others].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
    expect(others).toEqual(sorted);
    // Every chunk is the parts of one file, in order.
    const joined = ctx.extra.flatMap((e) => e.text.replace(/\n$/, '').split('\n\n'));
    expect(joined).toEqual(ctx.parts.map((p) => p.text));
    for (const e of ctx.extra) expect(e.filename).not.toMatch(/^\//);
  });

  it('two requests at adjacent cursors give identical leading extra chunks', () => {
    const text = source(MAKELIST_C);
    const lineStart = text.indexOf('        mc->mc_Value = 0;');
    const a = buildCompletionContext(index, { file: MAKELIST_C, text, offset: lineStart + 2 });
    const b = buildCompletionContext(index, { file: MAKELIST_C, text, offset: lineStart + 3 });
    expect(a.extra.length).toBeGreaterThan(3);
    expect(b.extra.slice(0, a.extra.length - 1)).toEqual(a.extra.slice(0, a.extra.length - 1));
    // Typing on the cursor line keeps them too.
    const typed = `${text.slice(0, lineStart)}        mc->mc_Flags = 1;
${text.slice(lineStart)}`;
    const c = buildCompletionContext(index, { file: MAKELIST_C, text: typed, offset: lineStart + 8 + 'mc->mc_Flags = 1;'.length });
    expect(c.extra.slice(0, 3)).toEqual(a.extra.slice(0, 3));
    // And a request is deterministic.
    const again = buildCompletionContext(index, { file: MAKELIST_C, text, offset: lineStart + 2 });
    expect(again.extra).toEqual(a.extra);
    expect(again.parts).toEqual(a.parts);
  });
});

describe('deadline and explanation', () => {
  it('a deadline in the past returns just the windows, timed out', () => {
    const at = edited(MAKELIST_C, '        mc->');
    const ctx = buildCompletionContext(index, request(MAKELIST_C, at, { deadline: performance.now() - 1 }));
    expect(ctx.timedOut).toBe(true);
    expect(ctx.parts).toEqual([]);
    expect(ctx.dropped).toEqual([]);
    expect(ctx.extra).toEqual([]);
    expect(ctx.tokensUsed).toBe(0);
    expect({ prefix: ctx.prefix, suffix: ctx.suffix }).toEqual(expectedWindows(at.text, at.offset, 120, 40));
    const relaxed = buildCompletionContext(index, request(MAKELIST_C, at, { deadline: performance.now() + 60_000 }));
    expect(relaxed.timedOut).toBe(false);
    expect(relaxed.parts.length).toBeGreaterThan(0);
  });

  it('renderPrompt names every part with its tokens and reason, and the exact windows', () => {
    const at = edited(MAKELIST_C, '        mc->');
    const edits = [{ file: MEMORY_C, line: 33, text: '    mem = AllocPooled(rb->rb_VRAMPool, size);' }];
    const ctx = buildCompletionContext(index, request(MAKELIST_C, at, { budgetTokens: 200, recentEdits: edits }));
    expect(ctx.dropped.length).toBeGreaterThan(0);
    const out = renderPrompt(ctx);
    for (const p of [...ctx.parts, ...ctx.dropped]) {
      expect(out).toContain(`[${p.kind}] ${p.label}  ${p.file}:${p.line + 1}  ${p.tokens} tokens, score ${p.score}: ${p.why}`);
    }
    expect(out).toContain('dropped (over budget)');
    for (const e of ctx.extra) expect(out).toContain(e.text.replace(/\n$/, ''));
    expect(out).toContain(`${ctx.prefix}<|cursor|>${ctx.suffix.replace(/\n$/, '')}`);
    const w = ctx.window;
    expect(out).toContain(`prefix from line ${w.startLine + 1} column 1, <|cursor|> at line ${w.cursorLine + 1} column ${w.cursorCharacter + 1}, suffix to the end of line ${w.endLine + 1}`);
    expect(out).toContain(`${ctx.tokensUsed} of 200 tokens`);
    const timedOut = renderPrompt(buildCompletionContext(index, request(MAKELIST_C, at, { deadline: 0 })));
    expect(timedOut).toContain('timed out');
    expect(timedOut).toContain('(none)');
  });
});

describe('RecentEdits', () => {
  it('keeps the last few regions per document, newest first, without the excluded file', () => {
    const r = new RecentEdits(2, 3);
    r.record('a.c', 'one', 10);
    r.record('a.c', 'two', 50);
    r.record('a.c', 'three', 100);
    r.record('b.c', 'bee', 5);
    expect(r.list()).toEqual([
      { file: 'b.c', line: 5, text: 'bee' },
      { file: 'a.c', line: 100, text: 'three' },
      { file: 'a.c', line: 50, text: 'two' },
    ]);
    expect(r.list('b.c').map((e) => e.text)).toEqual(['three', 'two']);
  });

  it('an edit near a kept region replaces it', () => {
    const r = new RecentEdits();
    r.record('a.c', 'x', 10);
    r.record('a.c', 'xy', 12);
    expect(r.list()).toEqual([{ file: 'a.c', line: 12, text: 'xy' }]);
  });

  it('keeps a bounded number of documents, forgetting the stalest', () => {
    const r = new RecentEdits(4, 2);
    r.record('a.c', 'a', 1);
    r.record('b.c', 'b', 1);
    r.record('a.c', 'a2', 40);
    r.record('c.c', 'c', 1);
    expect(r.list().map((e) => e.file)).toEqual(['c.c', 'a.c', 'a.c']);
    r.forget('a.c');
    expect(r.list().map((e) => e.file)).toEqual(['c.c']);
  });
});
