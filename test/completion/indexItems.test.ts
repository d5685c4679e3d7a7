// Index completion over a real index of test/fixtures/aros-mini. Edits are
// applied to a copy of a file's text and passed in the request; nothing is
// written into the fixture. The index holds the files as they are on disk, as
// it would for a document the user has just started typing in.

import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  indexCompletions,
  resolveDocumentation,
  type CompletionIndex,
  type IndexCompletion,
  type IndexCompletionRequest,
  type IndexItem,
} from '../../server/src/completion/indexItems';
import { STATUS_VALUES } from '../../server/src/breadcrumbs/types';
import { buildIndex } from '../../server/src/index/indexer';
import { WorkspaceIndex } from '../../server/src/index/workspaceIndex';
import { edited } from '../helpers/fixtureText';

const ROOT = path.resolve(__dirname, '../fixtures/aros-mini');
const MEMORY_C = 'workbench/hidds/radeonsi/radeonsi_memory.c';
const INIT_C = 'workbench/hidds/radeonsi/radeonsi_init.c';
const INTERN_H = 'workbench/hidds/radeonsi/radeonsi_intern.h';
const MAKELIST_C = 'workbench/libs/mylib/makelist.c';
const ALLOCMEM_C = 'rom/exec/allocmem.c';

/** First line of radeon_alloc_vram's body: parameters rb and size, local mem. */
const IN_ALLOC_VRAM = '    APTR mem;\n';

let index: CompletionIndex;

beforeAll(async () => {
  const full = new WorkspaceIndex();
  await buildIndex(full, { root: ROOT, maxFileBytes: 1_000_000, workers: 0 });
  // Only what CompletionIndex names: completion must not need more of the index.
  index = {
    lookup: (n) => full.lookup(n),
    get: (p) => full.get(p),
    symbolsOf: (f) => full.symbolsOf(f),
    names: () => full.names(),
    allFiles: () => full.allFiles(),
  };
});

function complete(file: string, at: { text: string; offset: number }, extra: Partial<IndexCompletionRequest> = {}): IndexCompletion {
  return indexCompletions(index, { file, text: at.text, offset: at.offset, ...extra });
}

function item(r: IndexCompletion, label: string): IndexItem {
  const found = r.items.filter((i) => i.label === label);
  expect(found, `items labelled ${label}`).toHaveLength(1);
  return found[0];
}

function labels(r: IndexCompletion): string[] {
  return r.items.map((i) => i.label);
}

/** Items in the order the client shows them. */
function bySortText(r: IndexCompletion): IndexItem[] {
  return [...r.items].sort((a, b) => (a.sortText < b.sortText ? -1 : a.sortText > b.sortText ? 1 : 0));
}

describe('identifiers in code', () => {
  it('completes a library function as a snippet with its parameter names', () => {
    const at = edited(MEMORY_C, IN_ALLOC_VRAM, '    AllocM');
    const r = complete(MEMORY_C, at, { snippets: true });
    expect(r.context).toBe('code');
    expect(r.replaceStart).toBe(at.offset - 'AllocM'.length);
    const i = item(r, 'AllocMem');
    expect(i.kind).toBe('library-function');
    expect(i.insertText).toBe('AllocMem(${1:byteSize}, ${2:attributes})');
    expect(i.snippet).toBe(true);
    expect(i.detail).toBe('APTR AllocMem(IPTR byteSize, ULONG attributes) [Exec LVO 33]');
    expect(i.data).toEqual({ file: ALLOCMEM_C, name: 'AllocMem', line: 22 });
  });

  it('inserts the name and an opening parenthesis without snippet support', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    AllocM'));
    const i = item(r, 'AllocMem');
    expect(i.insertText).toBe('AllocMem(');
    expect(i.snippet).toBeFalsy();
  });

  it('inserts the bare name when a parenthesis already follows', () => {
    const at = edited(MEMORY_C, IN_ALLOC_VRAM, '    AllocM(');
    const r = complete(MEMORY_C, { text: at.text, offset: at.offset - 1 }, { snippets: true });
    expect(item(r, 'AllocMem').insertText).toBeUndefined();
  });

  it('gives function-like macros and parameterless functions their call shape', () => {
    const macro = item(complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    IsList'), { snippets: true }), 'IsListEmpty');
    expect(macro.kind).toBe('macro');
    expect(macro.insertText).toBe('IsListEmpty(${1:l})');
    const forbid = item(complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    Forb'), { snippets: true }), 'Forbid');
    expect(forbid.insertText).toBe('Forbid()');
    expect(forbid.detail).toBe('void Forbid() [Exec LVO 22]');
    // An object-like macro is inserted as it is.
    expect(item(complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    MEMF_CL'), { snippets: true }), 'MEMF_CLEAR').insertText).toBeUndefined();
  });

  it('ranks parameters and locals first, then the current file, then the workspace', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    r'));
    const ordered = bySortText(r);
    expect(ordered[0]).toMatchObject({ label: 'rb', kind: 'parameter', detail: 'struct RadeonBase *' });
    const pos = (label: string): number => ordered.findIndex((i) => i.label === label);
    // This file's definitions before the header's inline functions.
    expect(pos('radeon_free_vram')).toBeGreaterThan(0);
    expect(pos('rsi_ReadReg')).toBeGreaterThan(pos('radeon_free_vram'));
    expect(pos('rsi_VRAMUsed')).toBeLessThan(pos('rsi_ReadReg'));
    expect(pos('return')).toBeGreaterThan(0);
  });

  it('offers only the function scope and this file for an empty prefix', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    '));
    const ordered = bySortText(r);
    expect(ordered.slice(0, 3).map((i) => [i.label, i.kind])).toEqual([
      ['mem', 'local'],
      ['rb', 'parameter'],
      ['size', 'parameter'],
    ]);
    expect(ordered.slice(0, 3).map((i) => i.detail)).toEqual(['APTR', 'struct RadeonBase *', 'ULONG']);
    expect(labels(r)).toContain('rsi_SetupGART');
    // Nothing from the rest of the workspace until a letter is typed, so the client must ask again.
    expect(labels(r)).not.toContain('AllocMem');
    expect(r.isIncomplete).toBe(true);
  });

  it('keeps locals of closed blocks out and counts an AROS library base as a parameter', () => {
    const after = complete(MAKELIST_C, edited(MAKELIST_C, '    return list;\n', '    m'));
    expect(labels(after)).not.toContain('mc');
    expect(item(after, 'MyLibBase')).toMatchObject({ kind: 'parameter', detail: 'struct MyLibBase *' });
    const inside = complete(MAKELIST_C, edited(MAKELIST_C, '        mc->mc_Value = 0;\n', '        m'));
    expect(bySortText(inside)[0]).toMatchObject({ label: 'mc', kind: 'local', detail: 'struct MyCounter *' });
    const count = item(complete(MAKELIST_C, edited(MAKELIST_C, '    return list;\n', '    cou')), 'count');
    expect(count).toMatchObject({ kind: 'parameter', detail: 'ULONG' });
  });

  it('reads the parameters of a function the index does not know', () => {
    const text = 'void f(struct MinList *ml, int n)\n{\n    struct Node *nd;\n    n';
    const r = indexCompletions(index, { file: 'new/file.c', text, offset: text.length });
    expect(bySortText(r).slice(0, 2).map((i) => [i.label, i.kind])).toEqual([
      ['nd', 'local'],
      ['n', 'parameter'],
    ]);
  });

  it('offers only tags after struct', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, '#include "radeonsi_intern.h"\n', 'struct Rad'));
    expect(labels(r).sort()).toEqual(['RadeonBase', 'RadeonFence', 'RadeonRing']);
    expect(r.items.every((i) => i.kind === 'struct')).toBe(true);
  });

  it('offers directives after #', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, '#include "radeonsi_intern.h"\n', '#inc'));
    expect(labels(r)).toEqual(['include']);
  });
});

describe('one item per name', () => {
  it('merges a macro, a definition and a .conf entry of a library function', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    AllocMem'));
    expect(labels(r)).toEqual(['AllocMem']);
    expect(r.isIncomplete).toBe(false);
  });

  it('prefers the definition to the prototype', () => {
    const r = complete(INIT_C, edited(INIT_C, '    AROS_USERFUNC_INIT\n', '    radeon_alloc'));
    expect(item(r, 'radeon_alloc_vram').data).toEqual({ file: MEMORY_C, name: 'radeon_alloc_vram', line: 26 });
  });

  it('shows a typedef and the struct of the same name once', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    RadeonFe'));
    expect(labels(r)).toEqual(['RadeonFence']);
  });

  it('never repeats a label', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    r'));
    expect(new Set(labels(r)).size).toBe(r.items.length);
  });
});

describe('limit', () => {
  it('caps the items and marks the list incomplete', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    A'), { limit: 3 });
    expect(r.items).toHaveLength(3);
    expect(r.isIncomplete).toBe(true);
    // The best come first: AROS library functions.
    expect(r.items.every((i) => i.kind === 'library-function')).toBe(true);
    const all = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    A'));
    expect(all.items.length).toBeGreaterThan(3);
    expect(all.isIncomplete).toBe(false);
  });

  it('gives sortText an order the client keeps', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    r'));
    const texts = r.items.map((i) => i.sortText);
    expect([...texts].sort()).toEqual(texts);
    expect(new Set(texts).size).toBe(texts.length);
  });
});

describe('members', () => {
  const RADEON_BASE = ['rb_Lib', 'rb_Family', 'rb_MMIO', 'rb_VRAMPool', 'rb_VRAMSize', 'rb_Rings', 'rb_EnumHook', 'rb_IrqHandler', 'rb_FenceSeq'];
  const HOOK = ['h_MinNode', 'h_Entry', 'h_SubEntry', 'h_Data'];

  it('lists the fields of a parameter after ->', () => {
    const at = edited(MEMORY_C, IN_ALLOC_VRAM, '    rb->');
    const r = complete(MEMORY_C, at);
    expect(r.context).toBe('member');
    expect(labels(r)).toEqual(RADEON_BASE);
    expect(r.replaceStart).toBe(at.offset);
    expect(item(r, 'rb_Rings')).toMatchObject({ kind: 'field', detail: 'struct MinList rb_Rings', data: { file: INTERN_H, name: 'rb_Rings', line: 74 } });
  });

  it('replaces the member being typed', () => {
    const at = edited(MEMORY_C, IN_ALLOC_VRAM, '    rb->rb_F');
    const r = complete(MEMORY_C, at);
    expect(r.replaceStart).toBe(at.offset - 'rb_F'.length);
    expect(labels(r)).toEqual(RADEON_BASE);
  });

  it('follows typedefs, after . and ->', () => {
    expect(labels(complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    RadeonFence f;\n    f.')))).toEqual(['rf_Seq', 'rf_Signalled']);
    expect(labels(complete(MAKELIST_C, edited(MAKELIST_C, '    ULONG i;\n', '    MyCounter_t *tc = NULL;\n    tc->')))).toEqual(['mc_Node', 'mc_Value', 'mc_Flags']);
  });

  it('follows chains through member types', () => {
    expect(labels(complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    rb->rb_Rings.')))).toEqual(['mlh_Head', 'mlh_Tail', 'mlh_TailPred']);
    expect(labels(complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    rb->rb_Rings.mlh_Head->')))).toEqual(['mln_Succ', 'mln_Pred']);
    expect(labels(complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    union RadeonReg reg;\n    reg.r_Half.')))).toEqual(['r_Low', 'r_High']);
  });

  it('knows globals, casts and the struct a macro casts to', () => {
    expect(labels(complete(ALLOCMEM_C, edited(ALLOCMEM_C, '    Forbid();\n', '    SysBase->')))).toContain('MemList');
    expect(labels(complete(ALLOCMEM_C, edited(ALLOCMEM_C, '    Forbid();\n', '    ((struct Hook *)result)->')))).toEqual(HOOK);
    expect(labels(complete(ALLOCMEM_C, edited(ALLOCMEM_C, '    Forbid();\n', '    PrivExecBase(SysBase)->LowMemHook.')))).toEqual(HOOK);
  });

  it('offers nothing when the type is unknown', () => {
    for (const insert of ['    nosuch->', '    radeon_alloc_vram(rb, 4)->', '    mem->', '    size.']) {
      const r = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, insert));
      expect(r, insert).toMatchObject({ items: [], context: 'member' });
    }
  });

  it('does not take a number for a member access', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    size = 1.'));
    expect(r.items).toEqual([]);
    expect(r.context).not.toBe('member');
  });
});

describe('breadcrumbs', () => {
  it('completes tag names inside a breadcrumb', () => {
    const at = edited(MEMORY_C, ' * AI_PRIORITY: 8\n', ' * AI_');
    const r = complete(MEMORY_C, at);
    expect(r.context).toBe('breadcrumb');
    expect(r.replaceStart).toBe(at.offset - 'AI_'.length);
    expect(labels(r)).toEqual(expect.arrayContaining(['AI_PHASE', 'AI_STATUS', 'AI_PRIORITY', 'AI_CONTEXT']));
    expect(r.items.every((i) => i.kind === 'breadcrumb-tag' && i.label.startsWith('AI_'))).toBe(true);
    expect(item(r, 'AI_NOTE').insertText).toBe('AI_NOTE: ');
    // Tags this breadcrumb lacks come before those it has.
    const ordered = bySortText(r).map((i) => i.label);
    expect(ordered.indexOf('AI_NOTE')).toBeLessThan(ordered.indexOf('AI_STATUS'));
  });

  it('offers every tag on an empty breadcrumb line and starts a new breadcrumb from an upper-case tag prefix', () => {
    const blank = complete(MEMORY_C, edited(MEMORY_C, ' * AI_PRIORITY: 8\n', ' * '));
    expect(labels(blank)).toEqual(expect.arrayContaining(['COMPILER_ERR', 'FIX_REASON', 'LINUX_REF']));
    const fresh = complete(MEMORY_C, edited(MEMORY_C, '    rsi_VRAMUsed -= size;\n}\n', '\n// AI_ST'));
    expect(fresh.context).toBe('breadcrumb');
    expect(labels(fresh)).toEqual(['AI_STATUS', 'AI_STRATEGY']);
  });

  it('offers the status values after AI_STATUS:', () => {
    const at = edited(MEMORY_C, '// AI_STATUS: ');
    const r = complete(MEMORY_C, { text: at.text, offset: at.offset });
    expect(r.context).toBe('breadcrumb');
    expect(labels(r)).toEqual([...STATUS_VALUES]);
    expect(r.items.every((i) => i.kind === 'breadcrumb-value')).toBe(true);
    expect(r.replaceStart).toBe(at.offset);
  });

  it('replaces a value being typed, in block form too', () => {
    const at = edited(MEMORY_C, ' * AI_STATUS: NOT_');
    const r = complete(MEMORY_C, at);
    expect(labels(r)).toEqual(['NOT_STARTED']);
    expect(r.replaceStart).toBe(at.offset - 'NOT_'.length);
  });

  it('offers priorities, and declared phases for dependencies', () => {
    expect(labels(complete(MEMORY_C, edited(MEMORY_C, ' * AI_PRIORITY: ')))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    const deps = labels(complete(MEMORY_C, edited(MEMORY_C, ' * AI_DEPENDENCIES: KERNEL_INIT, ')));
    expect(deps).toEqual(expect.arrayContaining(['MMU_SETUP', 'MEMORY_MANAGER', 'FENCE_SYNC']));
    expect(deps).not.toContain('KERNEL_INIT');
  });

  it('inserts a choice of values for AI_STATUS with snippets', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, ' * AI_PRIORITY: 8\n', ' * AI_STA'), { snippets: true });
    expect(item(r, 'AI_STATUS')).toMatchObject({ insertText: `AI_STATUS: \${1|${STATUS_VALUES.join(',')}|}`, snippet: true });
  });

  it('offers nothing in ordinary comments, trailing comments and string literals', () => {
    const cases: Array<[string, string, string]> = [
      [MEMORY_C, 'Radeon SI vid', ''],
      [INTERN_H, '/* One', ''],
      [MEMORY_C, '#define RSI_GART_ENTRIES    1024\n', '// A'],
      [INIT_C, 'rsi_ProbeCount++; // AI_STATUS: ', ''],
      [MEMORY_C, '"tah', ''],
      [MEMORY_C, IN_ALLOC_VRAM, "    size = 'x"],
    ];
    for (const [file, anchor, insert] of cases) {
      const r = complete(file, edited(file, anchor, insert));
      expect(r, `${anchor}${insert}`).toMatchObject({ items: [], context: 'none' });
    }
  });
});

describe('#include', () => {
  it('completes header paths by suffix', () => {
    const at = edited(MEMORY_C, '#include "radeonsi_intern.h"\n', '#include <exec/ty');
    const r = complete(MEMORY_C, at);
    expect(r.context).toBe('include');
    expect(r.replaceStart).toBe(at.offset - 'exec/ty'.length);
    expect(item(r, 'exec/types.h')).toMatchObject({ insertText: 'exec/types.h>', detail: 'compiler/include/exec/types.h' });
  });

  it('puts headers under an include directory first', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, '#include "radeonsi_intern.h"\n', '#include <exec/'));
    const ordered = bySortText(r).map((i) => i.label);
    expect(ordered).toContain('exec/exec_intern.h');
    expect(ordered.indexOf('exec/types.h')).toBeLessThan(ordered.indexOf('exec/exec_intern.h'));
  });

  it('completes quoted includes from the same directory, without a second closing quote', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, '#include "radeonsi_in'));
    expect(r.context).toBe('include');
    const first = bySortText(r)[0];
    expect(first.label).toBe('radeonsi_intern.h');
    expect(first.insertText).toBeUndefined();
    const open = complete(MEMORY_C, edited(MEMORY_C, '#include "radeonsi_intern.h"\n', '#include "radeonsi_in'));
    expect(item(open, 'radeonsi_intern.h').insertText).toBe('radeonsi_intern.h"');
  });
});

describe('resolveDocumentation', () => {
  it('gives a library function its signature, AROS facts and AutoDoc', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    AllocMem'));
    const doc = resolveDocumentation(index, item(r, 'AllocMem').data ?? { file: '', name: '', line: 0 });
    expect(doc).toContain('IPTR byteSize /* D0 */');
    expect(doc).toContain('LVO 33');
    expect(doc).toContain('**FUNCTION**');
    expect(doc).toContain('Find byteSize bytes in the first memory region');
    expect(doc).toContain('FreeMem(), AllocVec(), AllocPooled()');
  });

  it('documents a field, and nothing for an unknown symbol', () => {
    const r = complete(MEMORY_C, edited(MEMORY_C, IN_ALLOC_VRAM, '    rb->'));
    expect(resolveDocumentation(index, item(r, 'rb_Rings').data ?? { file: '', name: '', line: 0 })).toContain('struct MinList rb_Rings');
    expect(resolveDocumentation(index, { file: MEMORY_C, name: 'no_such_symbol', line: 1 })).toBeUndefined();
  });
});
