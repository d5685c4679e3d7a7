// Navigation over the protocol, on a copy of test/fixtures/aros-mini. Every
// expected file and position comes from the fixture's README.md, which gives
// 1-based lines: the LSP positions below are 0-based (README line - 1).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspClient, makeWorkspace, printServerStderrOnFailure, type Workspace } from './client';

printServerStderrOnFailure();

// LSP SymbolKind values used below.
const FUNCTION = 12;
const STRUCT = 23;
const FIELD = 8;
const ENUM = 10;
const ENUM_MEMBER = 22;
const CONSTANT = 14; // macros
const VARIABLE = 13;
const TYPEDEF = 26; // SymbolKind.TypeParameter, as the server maps typedefs

let ws: Workspace;
let c: LspClient;

beforeAll(async () => {
  ws = makeWorkspace();
  c = await LspClient.forWorkspace(ws);
  await c.waitForIndexReady();
});

afterAll(async () => {
  if (c?.alive) await c.shutdown();
  ws?.cleanup();
});

interface Loc {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** `path:line:character` of a location's start (0-based), for readable failures. */
function at(l: Loc): string {
  return `${c.rel(l.uri)}:${l.range.start.line}:${l.range.start.character}`;
}

function pos(rel: string, line: number, character: number): { textDocument: { uri: string }; position: { line: number; character: number } } {
  return { textDocument: { uri: c.uri(rel) }, position: { line, character } };
}

interface DocSym {
  name: string;
  kind: number;
  detail?: string;
  range: Loc['range'];
  selectionRange: Loc['range'];
  children?: DocSym[];
}

/** `name kind line` per node, children indented: the whole tree in one comparable value. */
function outline(syms: DocSym[], indent = ''): string[] {
  return syms.flatMap((s) => [`${indent}${s.name} ${s.kind} ${s.selectionRange.start.line}`, ...outline(s.children ?? [], `${indent}  `)]);
}

async function documentSymbols(rel: string): Promise<DocSym[]> {
  return c.request('textDocument/documentSymbol', { textDocument: { uri: c.uri(rel) } });
}

interface WsSym {
  name: string;
  kind: number;
  location: Loc;
  containerName?: string;
}

async function workspaceSymbols(query: string): Promise<WsSym[]> {
  return c.request('workspace/symbol', { query });
}

describe('textDocument/documentSymbol', () => {
  it('nests struct fields and enumerators under their aggregate (exec/lists.h)', async () => {
    expect(outline(await documentSymbols('compiler/include/exec/lists.h'))).toEqual([
      `EXEC_LISTS_H ${CONSTANT} 1`,
      `NodeType ${ENUM} 11`,
      ...['NT_UNKNOWN', 'NT_TASK', 'NT_INTERRUPT', 'NT_DEVICE', 'NT_MSGPORT', 'NT_LIBRARY', 'NT_MEMORY'].map((n, i) => `  ${n} ${ENUM_MEMBER} ${13 + i}`),
      `Node ${STRUCT} 22`,
      ...['ln_Succ', 'ln_Pred', 'ln_Type', 'ln_Pri', 'ln_Name'].map((n, i) => `  ${n} ${FIELD} ${24 + i}`),
      `MinNode ${STRUCT} 31`,
      `  mln_Succ ${FIELD} 33`,
      `  mln_Pred ${FIELD} 34`,
      `List ${STRUCT} 37`,
      ...['lh_Head', 'lh_Tail', 'lh_TailPred', 'lh_Type', 'l_pad'].map((n, i) => `  ${n} ${FIELD} ${39 + i}`),
      `MinList ${STRUCT} 46`,
      ...['mlh_Head', 'mlh_Tail', 'mlh_TailPred'].map((n, i) => `  ${n} ${FIELD} ${48 + i}`),
      `IsListEmpty ${CONSTANT} 54`,
      `NEWLIST ${CONSTANT} 57`,
      `ForeachNode ${CONSTANT} 66`,
    ]);
  });

  it('reports AROS library functions under their real names, with library and LVO (rom/exec/allocmem.c)', async () => {
    const syms = await documentSymbols('rom/exec/allocmem.c');
    // README: "No other file-scope symbol" than ClearBlock (line 10) and AllocMem (line 23).
    expect(outline(syms)).toEqual([`ClearBlock ${FUNCTION} 9`, `AllocMem ${FUNCTION} 22`]);
    const allocMem = syms[1];
    expect(allocMem.detail).toBe('Exec LVO 33');
    // The name itself is selected, not the AROS_LH2 macro; the range runs to `} /* AllocMem */` (line 106).
    expect(allocMem.selectionRange).toEqual({ start: { line: 22, character: 23 }, end: { line: 22, character: 31 } });
    expect(allocMem.range.end.line).toBe(105);
  });

  it('lists the second library and its static helper (workbench/libs/mylib/makelist.c)', async () => {
    const syms = await documentSymbols('workbench/libs/mylib/makelist.c');
    expect(outline(syms)).toEqual([`DropCounters ${FUNCTION} 10`, `MakeList ${FUNCTION} 27`]);
    expect(syms.map((s) => s.detail)).toEqual([undefined, 'MyLib LVO 5']);
  });

  it('marks prototypes and hooks, and keeps union members under the union (radeonsi_intern.h)', async () => {
    const syms = await documentSymbols('workbench/hidds/radeonsi/radeonsi_intern.h');
    const byName = (name: string, kind?: number): DocSym | undefined => syms.find((s) => s.name === name && (kind === undefined || s.kind === kind));
    expect(byName('radeonsi_InitHW')?.detail).toBe('prototype');
    expect(byName('radeonsi_InitHW')?.selectionRange.start).toEqual({ line: 93, character: 5 });
    expect(byName('RadeonSI_Enumerator')?.detail).toBe('hook');
    expect(byName('RadeonSI_Enumerator')?.selectionRange.start.line).toBe(109);
    expect(byName('rsi_WriteReg')?.detail).toBeUndefined();
    // struct RadeonBase (line 68) and its nine fields (70-78); the forward declaration on line 64 is not a second tree node with fields.
    const base = syms.filter((s) => s.name === 'RadeonBase' && s.kind === STRUCT && (s.children?.length ?? 0) > 0);
    expect(base).toHaveLength(1);
    expect(base[0].selectionRange.start.line).toBe(67);
    expect(outline(base[0].children ?? [])).toEqual(
      ['rb_Lib', 'rb_Family', 'rb_MMIO', 'rb_VRAMPool', 'rb_VRAMSize', 'rb_Rings', 'rb_EnumHook', 'rb_IrqHandler', 'rb_FenceSeq'].map((n, i) => `${n} ${FIELD} ${69 + i}`),
    );
    // union RadeonReg (line 37): every member, including those of the anonymous struct, lives under it.
    const reg = byName('RadeonReg', STRUCT);
    expect(reg?.selectionRange.start.line).toBe(36);
    const descendants = (s: DocSym): string[] => (s.children ?? []).flatMap((k) => [k.name, ...descendants(k)]);
    expect(descendants(reg as DocSym).sort()).toEqual(['r_Bytes', 'r_Half', 'r_High', 'r_Low', 'r_Value']);
    // No field escapes to the top level.
    expect(syms.filter((s) => s.kind === FIELD).map((s) => s.name)).toEqual([]);
    // Globals declared extern, a typedef of a function pointer.
    expect(byName('RadeonSIBase')?.kind).toBe(VARIABLE);
    expect(byName('RadeonIrqFunc')?.kind).toBe(TYPEDEF);
  });

  it('answers an empty list for a file outside the index (build/ is gitignored)', async () => {
    expect(await documentSymbols('build/generated.c')).toEqual([]);
  });
});

describe('workspace/symbol', () => {
  it('puts the exact name first, the library definition before its .conf entry', async () => {
    const found = await workspaceSymbols('AllocMem');
    const allocMem = found.filter((s) => s.name === 'AllocMem');
    // The exact matches come first, all three of them.
    expect(found.slice(0, 3).map((s) => s.name)).toEqual(['AllocMem', 'AllocMem', 'AllocMem']);
    expect(allocMem.map((s) => at(s.location)).sort()).toEqual(['compiler/include/proto/exec.h:42:8', 'rom/exec/allocmem.c:22:23', 'rom/exec/exec.conf:20:5']);
    // The .conf entry (a declaration) comes after every definition.
    expect(at(allocMem[2].location)).toBe('rom/exec/exec.conf:20:5');
    expect(allocMem[2].kind).toBe(FUNCTION);
  });

  it("ranks the library function's real body before everything (search.ts: compareRefs)", async () => {
    // `proto/exec.h` defines a function-like macro `AllocMem` too; the AROS_LH2 body is what a user looks for.
    const found = await workspaceSymbols('AllocMem');
    expect(at(found[0].location)).toBe('rom/exec/allocmem.c:22:23');
  });

  it('matches a prefix, shorter names first', async () => {
    const names = [...new Set((await workspaceSymbols('Alloc')).map((s) => s.name))];
    expect(names.slice(0, 3)).toEqual(['AllocMem', 'AllocVec', 'AllocPooled']);
    expect(names.slice(3).some((n) => n.startsWith('Alloc'))).toBe(false);
  });

  it('matches case-insensitively, exact spelling aside', async () => {
    const found = await workspaceSymbols('allocmem');
    expect(found.slice(0, 3).map((s) => s.name)).toEqual(['AllocMem', 'AllocMem', 'AllocMem']);
  });

  it('matches word segments: alpo -> AllocPooled, rsiwr -> rsi_WriteReg', async () => {
    const alpo = await workspaceSymbols('alpo');
    expect(alpo.slice(0, 3).map((s) => s.name)).toEqual(['AllocPooled', 'AllocPooled', 'AllocPooled']);
    expect(alpo.filter((s) => s.name === 'AllocPooled').map((s) => at(s.location)).sort()).toEqual([
      'compiler/include/proto/exec.h:128:8',
      'rom/exec/allocpooled.c:14:23',
      'rom/exec/exec.conf:32:5',
    ]);
    const rsiwr = await workspaceSymbols('rsiwr');
    expect(rsiwr.map((s) => `${s.name} ${at(s.location)}`)).toEqual(['rsi_WriteReg workbench/hidds/radeonsi/radeonsi_intern.h:88:19']);
  });

  it('matches fuzzily: alcmem -> AllocMem first', async () => {
    const found = await workspaceSymbols('alcmem');
    expect(found[0].name).toBe('AllocMem');
    expect(found.map((s) => s.name)).toContain('MaxLocMem');
  });

  it('puts definitions before prototypes: radeonsi_InitHW, RadeonSI_Enumerator', async () => {
    expect((await workspaceSymbols('radeonsi_InitHW')).map((s) => at(s.location))).toEqual([
      'workbench/hidds/radeonsi/radeonsi_init.c:27:5',
      'workbench/hidds/radeonsi/radeonsi_intern.h:93:5',
    ]);
    const hook = (await workspaceSymbols('RadeonSI_Enumerator')).filter((s) => s.name === 'RadeonSI_Enumerator');
    expect(hook.map((s) => at(s.location).replace(/:\d+$/, ''))).toEqual([
      'workbench/hidds/radeonsi/radeonsi_init.c:99',
      'workbench/hidds/radeonsi/radeonsi_intern.h:109',
    ]);
  });

  it('names the container of a field', async () => {
    const found = await workspaceSymbols('mc_Value');
    expect(found[0]).toMatchObject({ name: 'mc_Value', kind: FIELD, containerName: 'MyCounter' });
    expect(at(found[0].location)).toBe('workbench/libs/mylib/mylib_intern.h:37:20');
  });

  it('finds nothing for gitignored files, unterminated comments, or an empty query', async () => {
    expect(await workspaceSymbols('generated_ShouldNotBeIndexed')).toEqual([]);
    expect(await workspaceSymbols('GeneratedOnly')).toEqual([]);
    expect(await workspaceSymbols('InsideTheComment')).toEqual([]);
    expect(await workspaceSymbols('')).toEqual([]);
    // ... while the function before the damage in the same file is there.
    // (the struct that never closes makes more of the file best effort: only the first hit is asserted.)
    const survivor = await workspaceSymbols('Survivor');
    expect(survivor[0]).toMatchObject({ name: 'Survivor', kind: FUNCTION });
    expect(at(survivor[0].location)).toBe('malformed/unterminated.c:7:6');
  });
});

describe('textDocument/definition', () => {
  it('of an AROS library function called from another file lands on its AROS_LHn definition first', async () => {
    // makelist.c line 65: `list = AllocMem(sizeof(struct MinList), ...)`.
    const found: Loc[] = await c.request('textDocument/definition', pos('workbench/libs/mylib/makelist.c', 64, 13));
    expect(found.length).toBeGreaterThan(0);
    expect(at(found[0])).toBe('rom/exec/allocmem.c:22:23');
    expect(found[0].range.end).toEqual({ line: 22, character: 31 });
    // Never the .conf entry: that is a declaration.
    expect(found.map(at)).not.toContain('rom/exec/exec.conf:20:5');
  });

  it('of Forbid() called from mylib lands in rom/exec/forbid.c', async () => {
    const found: Loc[] = await c.request('textDocument/definition', pos('workbench/libs/mylib/setcounter64.c', 56, 6));
    expect(found.map(at)).toContain('rom/exec/forbid.c:13:23');
    expect(at(found[0])).toBe('rom/exec/forbid.c:13:23');
  });

  it('of a struct field after -> lands on the field', async () => {
    // makelist.c line 85: `mc->mc_Value = 0;`
    expect((await c.request('textDocument/definition', pos('workbench/libs/mylib/makelist.c', 84, 14))).map(at)).toEqual([
      'workbench/libs/mylib/mylib_intern.h:37:20',
    ]);
    // makelist.c line 17: `list->mlh_Head`
    expect((await c.request('textDocument/definition', pos('workbench/libs/mylib/makelist.c', 16, 42))).map(at)).toEqual([
      'compiler/include/exec/lists.h:48:20',
    ]);
    // radeonsi_init.c line 107: `hook->h_Data`
    expect((await c.request('textDocument/definition', pos('workbench/hidds/radeonsi/radeonsi_init.c', 106, 57))).map(at)).toEqual([
      'compiler/include/utility/hooks.h:18:19',
    ]);
  });

  it('of a plain C function with a prototype in a header lands on the .c definition only', async () => {
    // radeonsi_init.c line 117: `if (radeonsi_InitHW(rb))`
    const found: Loc[] = await c.request('textDocument/definition', pos('workbench/hidds/radeonsi/radeonsi_init.c', 116, 10));
    expect(found).toEqual([
      { uri: c.uri('workbench/hidds/radeonsi/radeonsi_init.c'), range: { start: { line: 27, character: 5 }, end: { line: 27, character: 20 } } },
    ]);
  });

  it('on an #include line lands on the header', async () => {
    // radeonsi_intern.h line 8: `#include <exec/types.h>`
    expect(await c.request('textDocument/definition', pos('workbench/hidds/radeonsi/radeonsi_intern.h', 7, 12))).toEqual([
      { uri: c.uri('compiler/include/exec/types.h'), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
    ]);
    // allocmem.c line 8: `#include "exec_intern.h"`: the header next to the file.
    expect((await c.request('textDocument/definition', pos('rom/exec/allocmem.c', 7, 12))).map(at)).toEqual(['rom/exec/exec_intern.h:0:0']);
  });

  it('answers an empty list on whitespace and on an unknown name', async () => {
    expect(await c.request('textDocument/definition', pos('rom/exec/allocmem.c', 5, 0))).toEqual([]);
    // allocmem.c line 61: `struct MemHeader *mh;` -> `mh` is a local, not in the index.
    expect(await c.request('textDocument/definition', pos('rom/exec/allocmem.c', 60, 23))).toEqual([]);
  });
});

describe('textDocument/declaration', () => {
  it('of a plain C function: the prototype in the header', async () => {
    expect((await c.request('textDocument/declaration', pos('workbench/hidds/radeonsi/radeonsi_init.c', 116, 10))).map(at)).toEqual([
      'workbench/hidds/radeonsi/radeonsi_intern.h:93:5',
    ]);
  });

  it('of an AROS library function: its .conf entry', async () => {
    expect((await c.request('textDocument/declaration', pos('workbench/libs/mylib/makelist.c', 64, 13))).map(at)).toEqual(['rom/exec/exec.conf:20:5']);
    // MyLib: mylib.conf line 15.
    const makeList: Loc[] = await c.request('textDocument/declaration', pos('workbench/libs/mylib/makelist.c', 27, 37));
    expect(makeList.map(at)).toEqual(['workbench/libs/mylib/mylib.conf:14:16']);
  });

  it('of a hook: its AROS_UFP3 prototype', async () => {
    expect((await c.request('textDocument/declaration', pos('workbench/hidds/radeonsi/radeonsi_init.c', 99, 20))).map((l: Loc) => at(l).replace(/:\d+$/, ''))).toEqual([
      'workbench/hidds/radeonsi/radeonsi_intern.h:109',
    ]);
  });

  it('of a global: its extern declaration', async () => {
    // radeonsi_init.c line 10 defines rsi_DebugLevel; radeonsi_intern.h line 82 declares it.
    expect((await c.request('textDocument/declaration', pos('workbench/hidds/radeonsi/radeonsi_init.c', 9, 8))).map(at)).toEqual([
      'workbench/hidds/radeonsi/radeonsi_intern.h:81:13',
    ]);
  });
});

describe('textDocument/references', () => {
  const refs = async (rel: string, line: number, character: number, includeDeclaration: boolean): Promise<string[]> =>
    ((await c.request('textDocument/references', { ...pos(rel, line, character), context: { includeDeclaration } })) as Loc[]).map(at);

  it('of a plain function: every call, plus the definition only when asked', async () => {
    const uses = [
      'workbench/hidds/radeonsi/radeonsi_init.c:35:8',
      'workbench/hidds/radeonsi/radeonsi_init.c:83:4',
      'workbench/hidds/radeonsi/radeonsi_memory.c:64:4',
    ];
    const withDecl = await refs('workbench/hidds/radeonsi/radeonsi_init.c', 83, 6, true);
    const withoutDecl = await refs('workbench/hidds/radeonsi/radeonsi_init.c', 83, 6, false);
    expect(withDecl.sort()).toEqual([...uses, 'workbench/hidds/radeonsi/radeonsi_intern.h:88:19'].sort());
    expect(withoutDecl.sort()).toEqual([...uses].sort());
  });

  it('of an AROS library function: code only (comments and strings skipped), and the counts differ by the declaration sites', async () => {
    // AllocPooled is named in comments in allocmem.c (53) and allocpooled.c (4, 84): none of those count.
    const uses = [
      'compiler/include/proto/exec.h:124:15', // AROS_LP2(APTR, AllocPooled, ...): a use inside a prototype macro
      'compiler/include/proto/exec.h:129:19', // inside the #define body: AROS_LC2(APTR, AllocPooled, ...)
      'workbench/hidds/radeonsi/radeonsi_memory.c:33:10',
      'workbench/libs/mylib/makelist.c:72:46',
    ];
    const declarationSites = ['compiler/include/proto/exec.h:128:8', 'rom/exec/allocpooled.c:14:23'];
    const withDecl = await refs('workbench/hidds/radeonsi/radeonsi_memory.c', 33, 12, true);
    const withoutDecl = await refs('workbench/hidds/radeonsi/radeonsi_memory.c', 33, 12, false);
    expect(withoutDecl.sort()).toEqual(uses.sort());
    expect(withDecl.filter((l) => !l.endsWith('.conf:32:5')).sort()).toEqual([...uses, ...declarationSites].sort());
    for (const l of withoutDecl) expect(withDecl).toContain(l);
  });

  it('with includeDeclaration, includes every site definition and declaration answer (the .conf entry too)', async () => {
    const p = pos('workbench/hidds/radeonsi/radeonsi_memory.c', 33, 12);
    const all = ((await c.request('textDocument/references', { ...p, context: { includeDeclaration: true } })) as Loc[]).map(at);
    const defs = ((await c.request('textDocument/definition', p)) as Loc[]).map(at);
    const decls = ((await c.request('textDocument/declaration', p)) as Loc[]).map(at);
    expect(decls).toEqual(['rom/exec/exec.conf:32:5']);
    for (const site of [...defs, ...decls]) expect(all).toContain(site);
  });

  it('skips mentions in comments and strings of an open, unsaved document', async () => {
    const text = [
      '#include "radeonsi_intern.h"',
      '/* rsi_WriteReg in a block comment */',
      'static const char *scratch_Text = "rsi_WriteReg in a string";',
      '// rsi_WriteReg in a line comment',
      'void scratch_Poke(struct RadeonBase *rb) { rsi_WriteReg(rb, 0, 0); }',
      '',
    ].join('\n');
    const uri = await c.open('workbench/hidds/radeonsi/scratch_refs.c', text);
    try {
      const found = await refs('workbench/hidds/radeonsi/radeonsi_init.c', 83, 6, false);
      expect(found.filter((l) => l.includes('scratch_refs.c'))).toEqual(['workbench/hidds/radeonsi/scratch_refs.c:4:43']);
      expect(found).toHaveLength(4);
    } finally {
      await c.close(uri);
    }
  });
});

describe('textDocument/hover', () => {
  const hover = async (rel: string, line: number, character: number): Promise<{ contents: { kind: string; value: string }; range?: Loc['range'] } | null> =>
    c.request('textDocument/hover', pos(rel, line, character));

  it('of an AROS library function: C signature with registers, library, LVO and AutoDoc', async () => {
    // makelist.c line 65: the call `AllocMem(...)`.
    const h = await hover('workbench/libs/mylib/makelist.c', 64, 13);
    expect(h?.contents.kind).toBe('markdown');
    const md = h?.contents.value ?? '';
    expect(md.startsWith('```c\nAPTR AllocMem(\n    IPTR byteSize /* D0 */,\n    ULONG attributes /* D1 */\n)\n```')).toBe(true);
    expect(md).toContain('**Exec** library function');
    expect(md).toContain('LVO 33');
    expect(md).toContain('`rom/exec/allocmem.c:23`');
    expect(md).toContain('**FUNCTION**\n\nFind byteSize bytes in the first memory region whose attributes\nmatch, and hand them out.');
    expect(md).toContain('**SEE ALSO**\n\nFreeMem(), AllocVec(), AllocPooled()');
    expect(h?.range).toEqual({ start: { line: 64, character: 11 }, end: { line: 64, character: 19 } });
  });

  it('of a function with a breadcrumb: signature and breadcrumb summary', async () => {
    // radeonsi_init.c line 118: `init_gpu_pipeline(rb);`
    const md = (await hover('workbench/hidds/radeonsi/radeonsi_init.c', 117, 12))?.contents.value ?? '';
    expect(md.startsWith('```c\nstatic int init_gpu_pipeline(struct RadeonBase *rb)\n```')).toBe(true);
    expect(md).toContain('`workbench/hidds/radeonsi/radeonsi_init.c:51`');
    expect(md).toContain('**Breadcrumb** GRAPHICS_PIPELINE · PARTIAL · priority 7');
    expect(md).toContain('- AI_STRATEGY: Bring up the command processor before the shader cache');
    expect(md).toContain('- AI_DEPENDENCIES: KERNEL_INIT, MEMORY_MANAGER');
    expect(md).toContain("- COMPILER_ERR: radeonsi_init.c:61:5: error: implicit declaration of function 'rsi_StartCP'");
    // The breadcrumb comment is summarized once, not repeated as the function's doc comment.
    expect(md.match(/AI_STRATEGY/g)).toHaveLength(1);
    expect(md).not.toContain('AI_CONTEXT');
  });

  it('of a hook: the AROS hook macro', async () => {
    const md = (await hover('workbench/hidds/radeonsi/radeonsi_init.c', 99, 20))?.contents.value ?? '';
    expect(md).toContain('```c');
    expect(md).toContain('RadeonSI_Enumerator');
    expect(md).toContain('AROS hook (`AROS_UFH3`)');
  });

  it('of a struct field', async () => {
    const md = (await hover('workbench/libs/mylib/makelist.c', 84, 14))?.contents.value ?? '';
    expect(md).toContain('mc_Value');
    expect(md).toContain('`workbench/libs/mylib/mylib_intern.h:38`');
  });

  it('of nothing: null', async () => {
    expect(await hover('rom/exec/allocmem.c', 5, 0)).toBeNull();
    expect(await hover('rom/exec/allocmem.c', 60, 23)).toBeNull();
  });
});
