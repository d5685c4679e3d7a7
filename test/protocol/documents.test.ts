// Document sync over the protocol: open, incremental change, close, file
// watcher events, and the breadcrumb diagnostics that follow them. Each test
// has its own server on its own copy of the fixture.

import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killLeftovers, LspClient, makeWorkspace, printServerStderrOnFailure, type Workspace } from './client';

printServerStderrOnFailure();

let ws: Workspace;
let c: LspClient;

beforeEach(async () => {
  ws = makeWorkspace();
  c = await LspClient.forWorkspace(ws);
  await c.waitForIndexReady();
});

afterEach(async () => {
  if (c.alive) await c.shutdown();
  ws.cleanup();
  killLeftovers();
});

interface Loc {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

const at = (l: Loc): string => `${c.rel(l.uri)}:${l.range.start.line}:${l.range.start.character}`;

async function symbolNames(query: string): Promise<string[]> {
  return ((await c.request('workspace/symbol', { query })) as Array<{ name: string; location: Loc }>).map((s) => `${s.name} ${at(s.location)}`);
}

/** Asks until the answer is what we expect: notifications are handled asynchronously. */
async function eventually<T>(ask: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    last = await ask();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what}: last answer ${JSON.stringify(last)}`);
}

function topLevelNames(syms: Array<{ name: string; selectionRange: Loc['range'] }>): string[] {
  return syms.map((s) => `${s.name} ${s.selectionRange.start.line}`);
}

const MEMORY = 'workbench/hidds/radeonsi/radeonsi_memory.c';
const BAD = 'workbench/hidds/radeonsi/bad_breadcrumbs.c';

/** `line severity code` of each diagnostic, sorted: what bad_breadcrumbs.c must produce (README, "one case each"). */
const BAD_FINDINGS = [
  '14 1 missing-tag', // case 1: no AI_STATUS
  '24 2 invalid-value', // case 2: IMPLEMENTING
  '35 1 invalid-json', // case 3a
  '54 1 invalid-json', // case 4a
  '70 1 missing-tag', // case 5: AI_STATUS missing ...
  '71 4 unknown-tag', // ... and AI_STAUS: did you mean AI_STATUS?
  '81 2 invalid-format', // case 6: AI_PRIORITY 11
  '91 2 unknown-phase', // case 7: WARP_DRIVE
  '101 2 dependency-cycle', // case 8a
  '109 2 dependency-cycle', // case 8b
  '117 1 missing-tag', // case 9: no AI_PHASE
  '127 2 missing-fix-reason', // case 10
  '137 2 invalid-value', // case 11: AI_COMPLEXITY EXTREME
  '138 2 invalid-format', // AI_VERSION 2.5
  '139 2 invalid-format', // AI_TIMESTAMP yesterday
  '140 2 invalid-format', // AI_ESTIMATED_TIME soon
  '141 2 invalid-format', // AI_RETRY_COUNT two
  '152 4 no-target', // case 12
];

function summarize(diags: Array<{ range: Loc['range']; severity: number; code: string; source: string }>): string[] {
  for (const d of diags) expect(d.source).toBe('aros-lsp');
  return diags
    .map((d) => `${d.range.start.line} ${d.severity} ${d.code}`)
    .sort((a, b) => Number(a.split(' ')[0]) - Number(b.split(' ')[0]) || (a < b ? -1 : 1));
}

describe('incremental edits', () => {
  it('a function inserted by a ranged change is found by workspace/symbol and documentSymbol; renamed, the old name is gone', async () => {
    const uri = await c.open(MEMORY);
    const lines = fs.readFileSync(ws.abs(MEMORY), 'utf8').split('\n');
    expect(lines).toHaveLength(132); // 131 lines and a final newline
    expect(await symbolNames('rsi_NewlyTyped')).toEqual([]);

    // Insert after the last line (131, 0-based 130), in two ranged changes of one notification.
    const end = { line: 131, character: 0 };
    await c.change(uri, [
      { range: { start: end, end }, text: '\nULONG rsi_NewlyTyped(ULONG x)\n' },
      { range: { start: { line: 133, character: 0 }, end: { line: 133, character: 0 } }, text: '{\n    return x * 2;\n}\n' },
    ]);
    const found = await eventually(() => symbolNames('rsi_NewlyTyped'), (v) => v.length > 0, 'new function searchable');
    expect(found).toEqual([`rsi_NewlyTyped ${MEMORY}:132:6`]);
    const outline = topLevelNames(await c.request('textDocument/documentSymbol', { textDocument: { uri } }));
    expect(outline.slice(-2)).toEqual(['radeonsi_FormatFamily 119', 'rsi_NewlyTyped 132']);

    // Rename it in place: replace the 14 characters of the name.
    await c.change(uri, [{ range: { start: { line: 132, character: 6 }, end: { line: 132, character: 20 } }, text: 'rsi_Renamed' }]);
    await eventually(() => symbolNames('rsi_Renamed'), (v) => v.length > 0, 'renamed function searchable');
    expect(await symbolNames('rsi_Renamed')).toEqual([`rsi_Renamed ${MEMORY}:132:6`]);
    expect(await symbolNames('rsi_NewlyTyped')).toEqual([]);
    const after = topLevelNames(await c.request('textDocument/documentSymbol', { textDocument: { uri } }));
    expect(after.slice(-2)).toEqual(['radeonsi_FormatFamily 119', 'rsi_Renamed 132']);
    // Every earlier symbol of the file is still there, at the same place.
    expect(after.slice(0, -1)).toEqual(outline.slice(0, -1));

    // Navigation reads the live text: definition of the new name at its own position.
    const def: Loc[] = await c.request('textDocument/definition', { textDocument: { uri }, position: { line: 132, character: 8 } });
    expect(def.map(at)).toEqual([`${MEMORY}:132:6`]);
  });

  it('a full-text change replaces the document; didClose brings back the disk version', async () => {
    const uri = await c.open(MEMORY);
    await c.change(uri, [{ text: 'int rsi_OnlyOne(void) { return 1; }\n' }]);
    await eventually(() => symbolNames('rsi_OnlyOne'), (v) => v.length > 0, 'replacement indexed');
    expect(topLevelNames(await c.request('textDocument/documentSymbol', { textDocument: { uri } }))).toEqual(['rsi_OnlyOne 0']);
    expect(await symbolNames('radeon_free_vram')).toEqual(['radeon_free_vram workbench/hidds/radeonsi/radeonsi_intern.h:107:5']);

    // The server re-reads the disk version, then clears the document's diagnostics: once those arrive, it is done.
    const since = c.notifications.length;
    await c.close(uri);
    expect(await c.waitForDiagnostics(uri, since)).toEqual([]);
    expect(await symbolNames('rsi_OnlyOne')).toEqual([]);
    expect(await symbolNames('radeon_free_vram')).toEqual([
      `radeon_free_vram ${MEMORY}:40:5`,
      'radeon_free_vram workbench/hidds/radeonsi/radeonsi_intern.h:107:5',
    ]);
  });
});

describe('breadcrumb diagnostics', () => {
  it('are published for an opened file with bad breadcrumbs, with the exact codes', async () => {
    const since = c.notifications.length;
    const uri = await c.open(BAD);
    expect(summarize(await c.waitForDiagnostics(uri, since))).toEqual(BAD_FINDINGS);
  });

  it('are empty for an opened file whose breadcrumbs are valid', async () => {
    const since = c.notifications.length;
    const uri = await c.open('workbench/hidds/radeonsi/radeonsi_init.c');
    expect(await c.waitForDiagnostics(uri, since)).toEqual([]);
  });

  it('follow an edit that fixes one finding, and are cleared by didClose', async () => {
    const uri = await c.open(BAD);
    await c.waitForDiagnostics(uri);
    // Case 6, line 82: `// AI_PRIORITY: 11` -> 10 (columns 16-18).
    const since = c.notifications.length;
    await c.change(uri, [{ range: { start: { line: 81, character: 16 }, end: { line: 81, character: 18 } }, text: '10' }]);
    expect(summarize(await c.waitForDiagnostics(uri, since))).toEqual(BAD_FINDINGS.filter((f) => f !== '81 2 invalid-format'));

    // Break it again, differently: a typo in the tag name is a hint, and AI_PRIORITY becomes absent (no finding).
    const since2 = c.notifications.length;
    await c.change(uri, [{ range: { start: { line: 81, character: 3 }, end: { line: 81, character: 14 } }, text: 'AI_PRIORTY' }]);
    expect(summarize(await c.waitForDiagnostics(uri, since2))).toEqual(
      [...BAD_FINDINGS.filter((f) => f !== '81 2 invalid-format'), '81 4 unknown-tag'].sort((a, b) => Number(a.split(' ')[0]) - Number(b.split(' ')[0])),
    );

    const since3 = c.notifications.length;
    await c.close(uri);
    expect(await c.waitForDiagnostics(uri, since3)).toEqual([]);
  });

  it('aros.checkBreadcrumbs publishes them for files nobody opened and returns the counts', async () => {
    const since = c.notifications.length;
    const result = await c.request('workspace/executeCommand', { command: 'aros.checkBreadcrumbs', arguments: [] });
    // README totals for bad_breadcrumbs.c: errors 5, warnings 11 (the cycle on both members), hints 2; every other file is clean.
    expect(result).toEqual({ files: 1, errors: 5, warnings: 11, hints: 2 });
    const published = c.received('textDocument/publishDiagnostics', since);
    expect(published.map((p: { uri: string }) => c.rel(p.uri))).toEqual([BAD]);
    expect(summarize(published[0].diagnostics)).toEqual(BAD_FINDINGS);
  });
});

describe('workspace/didChangeWatchedFiles', () => {
  const CREATED = 1;
  const CHANGED = 2;
  const DELETED = 3;

  it('indexes a file created on disk after indexing, re-reads a changed one, and forgets a deleted one', async () => {
    // The server asked to watch C files (dynamic registration declared by the client).
    const reg = c.serverRequests.find((r) => r.method === 'client/registerCapability');
    expect(reg?.params.registrations[0]).toMatchObject({
      method: 'workspace/didChangeWatchedFiles',
      registerOptions: { watchers: [{ globPattern: '**/*.{c,h,conf}' }] },
    });

    const rel = 'workbench/hidds/radeonsi/radeonsi_late.c';
    fs.writeFileSync(ws.abs(rel), '#include "radeonsi_intern.h"\n\nULONG rsi_LateArrival(struct RadeonBase *rb)\n{\n    return rb->rb_FenceSeq;\n}\n');
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: ws.uri(rel), type: CREATED }] });
    const found = await eventually(() => symbolNames('rsi_LateArrival'), (v) => v.length > 0, 'created file indexed');
    expect(found).toEqual([`rsi_LateArrival ${rel}:2:6`]);

    fs.writeFileSync(ws.abs(rel), '#include "radeonsi_intern.h"\n\nULONG rsi_LateRenamed(void)\n{\n    return 0;\n}\n');
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: ws.uri(rel), type: CHANGED }] });
    await eventually(() => symbolNames('rsi_LateRenamed'), (v) => v.length > 0, 'changed file re-read');
    expect(await symbolNames('rsi_LateArrival')).toEqual([]);

    fs.rmSync(ws.abs(rel));
    // A deleted file that was part of the initial index too.
    fs.rmSync(ws.abs('rom/exec/setsr.c'));
    expect(await symbolNames('SetSR')).toContain('SetSR rom/exec/setsr.c:13:26');
    await c.notify('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: ws.uri(rel), type: DELETED },
        { uri: ws.uri('rom/exec/setsr.c'), type: DELETED },
      ],
    });
    await eventually(() => symbolNames('rsi_LateRenamed'), (v) => v.length === 0, 'deleted file forgotten');
    await eventually(() => symbolNames('SetSR'), (v) => !v.some((s) => s.includes('setsr.c')), 'setsr.c forgotten');
    // The .conf entry and the macro remain: only the file's own symbols went.
    expect(await symbolNames('SetSR')).toEqual(['SetSR compiler/include/proto/exec.h:32:8', 'SetSR rom/exec/exec.conf:18:6']);
    expect(await c.request('textDocument/documentSymbol', { textDocument: { uri: ws.uri('rom/exec/setsr.c') } })).toEqual([]);
  });

  it('ignores events for files it does not index (other extensions, gitignored paths: the .gitignore lists build/)', async () => {
    fs.writeFileSync(ws.abs('notes.txt'), 'ULONG rsi_InText(void);\n');
    fs.writeFileSync(ws.abs('build/late.c'), 'ULONG rsi_InBuild(void) { return 0; }\n');
    fs.writeFileSync(ws.abs('rom/exec/visible.c'), 'ULONG rsi_Visible(void) { return 0; }\n');
    await c.notify('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: ws.uri('notes.txt'), type: CREATED },
        { uri: ws.uri('build/late.c'), type: CREATED },
        { uri: ws.uri('rom/exec/visible.c'), type: CREATED },
      ],
    });
    // The last one is indexed, so the first two have been handled by then.
    await eventually(() => symbolNames('rsi_Visible'), (v) => v.length > 0, 'visible.c indexed');
    expect(await symbolNames('rsi_InText')).toEqual([]);
    expect(await symbolNames('rsi_InBuild')).toEqual([]);
  });
});

describe('without a workspace folder', () => {
  it('open documents are still analysed: symbols, definition within the file, no indexing', async () => {
    const solo = LspClient.start({ home: ws.home });
    try {
      await solo.initialize(null, { cacheDir: ws.cacheDir });
      const file = `${ws.root}/solo.c`;
      const text = 'struct Pair { int a, b; };\nstatic int add(struct Pair *p) { return p->a + p->b; }\nint main(void) { struct Pair q = {1, 2}; return add(&q); }\n';
      fs.writeFileSync(file, text);
      const uri = `file://${file}`;
      await solo.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
      const symbols = await eventually(
        async () => (await solo.request('textDocument/documentSymbol', { textDocument: { uri } })) as Array<{ name: string; children?: Array<{ name: string }> }>,
        (v) => v.length === 3,
        'document symbols',
      );
      expect(symbols.map((s) => s.name)).toEqual(['Pair', 'add', 'main']);
      expect(symbols[0].children?.map((f) => f.name)).toEqual(['a', 'b']);
      const defs = (await solo.request('textDocument/definition', { textDocument: { uri }, position: { line: 2, character: 49 } })) as Loc[];
      expect(defs.map((d) => `${d.uri === uri}:${d.range.start.line}:${d.range.start.character}`)).toEqual(['true:1:11']);
      await expect(solo.request('workspace/executeCommand', { command: 'aros.reindex' })).rejects.toThrow(/no workspace folder/);
      expect(solo.notifications.some((n) => n.method === 'aros/status' && (n.params as { state?: string }).state === 'indexing')).toBe(false);
    } finally {
      if (solo.alive) await solo.shutdown();
    }
  });
});

describe('workspace/didChangeConfiguration', () => {
  it('new excludes re-index the workspace; open documents stay served; unchanged settings do nothing', async () => {
    const uri = await c.open('workbench/hidds/radeonsi/radeonsi_init.c');
    const enumerator = 'RadeonSI_Enumerator workbench/hidds/radeonsi/radeonsi_init.c:99:16';
    const inLibs = async (): Promise<string[]> => (await symbolNames('MakeList')).filter((x) => x.includes(' workbench/libs/'));
    expect(await inLibs()).toHaveLength(2);
    expect(await symbolNames('RadeonSI_Enumerator')).toContain(enumerator);
    const mark = c.notifications.length;
    await c.notify('workspace/didChangeConfiguration', { settings: { 'aros-lsp': { exclude: ['workbench/libs/**'] } } });
    await c.waitForIndexReady(mark);
    // The excluded tree is gone from the index; the open document (also under workbench/) and rom/ are not.
    expect(await inLibs()).toEqual([]);
    expect(await symbolNames('MakeList')).toEqual(['MakeList compiler/include/proto/mylib.h:19:8']);
    expect((await symbolNames('AllocPooled')).some((s) => s.startsWith('AllocPooled rom/exec/'))).toBe(true);
    expect(await symbolNames('RadeonSI_Enumerator')).toContain(enumerator);
    const outline = (await c.request('textDocument/documentSymbol', { textDocument: { uri } })) as Array<{ name: string }>;
    expect(outline.length).toBeGreaterThan(0);
    // The same settings again, or a payload for another server: no new indexing.
    const again = c.notifications.length;
    await c.notify('workspace/didChangeConfiguration', { settings: { 'aros-lsp': { exclude: ['workbench/libs/**'] } } });
    await c.notify('workspace/didChangeConfiguration', { settings: { clangd: { fallbackFlags: [] } } });
    await c.request('workspace/symbol', { query: 'x' });
    expect(c.notifications.slice(again).filter((n) => n.method === 'aros/status')).toEqual([]);
  });

  it('an invalid value is reported naming the key, and the server keeps its settings', async () => {
    const mark = c.notifications.length;
    await c.notify('workspace/didChangeConfiguration', { settings: { arosLsp: { maxFileBytes: -5 } } });
    const logged = await c.waitFor(
      () => c.logMessages(mark).find((m) => m.includes('maxFileBytes')),
      20_000,
      'the problem in the log',
    );
    expect(logged).toBe("workspace/didChangeConfiguration: 'maxFileBytes' must be a positive integer (bytes), got -5");
    expect((await symbolNames('MakeList')).filter((x) => x.includes(' workbench/libs/'))).toHaveLength(2);
  });
});
