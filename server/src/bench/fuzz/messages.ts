// Well-formed LSP traffic for the methods the server registers: the material
// the mutators start from. Requests may name any file; notifications that
// change state (open, change, close, watched files, settings) never touch the
// files the liveness probe asks about, so the probe's answer stays knowable.

import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Rng } from './random';

export interface World {
  /** The workspace root (a temp copy of aros-mini). */
  root: string;
  /** A directory outside the workspace, in the same temp base. */
  outside: string;
  /** The cache directory the main server was given (settings changes keep it). */
  cacheDir: string;
  /** The cache directory of fresh servers that open the workspace. */
  freshCacheDir: string;
}

export interface Call {
  method: string;
  params?: unknown;
  /** A notification (no id, no answer). */
  notification?: boolean;
}

export const PROBE_FILES = ['rom/exec/allocmem.c', 'rom/exec/exec.conf', 'compiler/include/proto/exec.h'] as const;

/** Files the fuzz may open, edit and close (never a probe file). */
export const EDITABLE = [
  'rom/exec/forbid.c',
  'rom/exec/remove.c',
  'rom/exec/freevec.c',
  'rom/exec/setsr.c',
  'rom/exec/allocpooled.c',
  'rom/exec/exec_intern.h',
  'workbench/hidds/radeonsi/radeonsi_init.c',
  'workbench/hidds/radeonsi/bad_breadcrumbs.c',
  'workbench/libs/mylib/makelist.c',
  'malformed/unterminated.c',
  'malformed/latin1.c',
  'fuzz/new_a.c',
  'fuzz/new_b.h',
  'fuzz/notc.txt',
] as const;

const READABLE = [...PROBE_FILES, ...EDITABLE, 'workbench/libs/mylib/mylib.conf', 'build/generated.c', 'no/such/file.c'] as const;

/** Functions that exist, for commands and completion resolve. */
export const FUNCTIONS: ReadonlyArray<{ file: string; symbol: string }> = [
  { file: 'rom/exec/forbid.c', symbol: 'Forbid' },
  { file: 'rom/exec/remove.c', symbol: 'Remove' },
  { file: 'rom/exec/freevec.c', symbol: 'FreeVec' },
  { file: 'rom/exec/allocpooled.c', symbol: 'AllocPooled' },
  { file: 'workbench/libs/mylib/makelist.c', symbol: 'MakeList' },
  { file: 'workbench/hidds/radeonsi/radeonsi_init.c', symbol: 'radeonsi_InitHW' },
  { file: 'workbench/hidds/radeonsi/bad_breadcrumbs.c', symbol: 'bad_RunAll' },
  { file: 'rom/exec/forbid.c', symbol: 'NoSuchFunction' },
];

export const COMMANDS = [
  'aros.checkBreadcrumbs',
  'aros.reindex',
  'aros.completion.accepted',
  'aros.implementFromBreadcrumb',
  'aros.runIterationHere',
  'aros.fixCompilerError',
  'aros.checkFile',
  'aros.writeAutodoc',
  'aros.draftBreadcrumb',
  'aros.explainFunction',
  'aros.reviewFunction',
] as const;

export const QUERIES = ['AllocMem', 'alpo', 'a', '', 'Forbid', 'struct', 'MEMF_', 'zzzz_nothing', 'ñ', '*', '.*', 'Exec_33_AllocMem', '\\', '%s%n'];

export function uriOf(world: World, rel: string): string {
  return pathToFileURL(path.join(world.root, ...rel.split('/'))).href;
}

/** A document URI: mostly workspace files, sometimes the odd ones a client might send. */
export function anyUri(rng: Rng, world: World, editable = false): string {
  const r = rng.float();
  if (r < 0.85) return uriOf(world, rng.pick(editable ? EDITABLE : READABLE));
  if (r < 0.93) return pathToFileURL(path.join(world.outside, rng.pick(['outside.c', 'missing.c', 'dir']))).href;
  return rng.pick(ODD_URIS);
}

/** URIs no file should answer for: other schemes, malformed, relative, encoded traversal. */
export const ODD_URIS = [
  'untitled:Untitled-1',
  'aros-lsp:/explanations/1.md',
  'http://example.invalid/a.c',
  'file://',
  'file:',
  'file:///',
  'file:///%00',
  'file:///..%2f..%2fetc%2fpasswd',
  'file://host/share/a.c',
  'file:relative/a.c',
  'rom/exec/allocmem.c',
  '',
  ' ',
  'file:///nonexistent/%E0%A4%A.c',
  'file:///tmp/%ZZ',
  'C:\\AROS\\a.c',
  'file:///c%3A/AROS/a.c',
];

export function position(rng: Rng): { line: number; character: number } {
  const r = rng.float();
  if (r < 0.6) return { line: rng.int(0, 90), character: rng.int(0, 50) };
  if (r < 0.8) return { line: rng.pick([22, 23, 28, 14, 10]), character: rng.pick([8, 23, 25, 30]) };
  return { line: rng.pick([0, 1_000_000, 2 ** 31 - 1, 2 ** 53 - 1]), character: rng.pick([0, 1_000_000, 2 ** 31 - 1]) };
}

function range(rng: Rng): { start: { line: number; character: number }; end: { line: number; character: number } } {
  const start = position(rng);
  const end = rng.chance(0.7) ? { line: start.line + rng.int(0, 3), character: rng.int(0, 40) } : position(rng);
  return { start, end };
}

function textDocPos(rng: Rng, world: World): { textDocument: { uri: string }; position: { line: number; character: number } } {
  return { textDocument: { uri: anyUri(rng, world) }, position: position(rng) };
}

function task(rng: Rng): { file: string; symbol: string; description?: string } {
  const f = rng.pick(FUNCTIONS);
  return rng.chance(0.5) ? { ...f } : { ...f, description: 'fuzz: implement it' };
}

function commandArguments(rng: Rng, world: World, command: string): unknown[] | undefined {
  switch (command) {
    case 'aros.completion.accepted':
      return [rng.pick(['00000000-0000-0000-0000-000000000000', 'not-a-uuid', ''])];
    case 'aros.checkFile':
      return [{ uri: anyUri(rng, world) }];
    case 'aros.implementFromBreadcrumb':
    case 'aros.runIterationHere':
    case 'aros.fixCompilerError':
    case 'aros.writeAutodoc':
    case 'aros.draftBreadcrumb':
    case 'aros.explainFunction':
    case 'aros.reviewFunction':
      return [task(rng)];
    default:
      return rng.chance(0.8) ? undefined : [];
  }
}

/** Requests every registered method answers (shutdown and initialize are the lifecycle's). */
export function validRequest(rng: Rng, world: World): Call {
  const method = rng.weighted<string>([
    ['textDocument/hover', 10],
    ['textDocument/definition', 8],
    ['textDocument/declaration', 4],
    ['textDocument/references', 6],
    ['textDocument/completion', 8],
    ['textDocument/inlineCompletion', 6],
    ['textDocument/documentSymbol', 6],
    ['textDocument/codeAction', 6],
    ['completionItem/resolve', 3],
    ['workspace/symbol', 8],
    ['workspace/executeCommand', 5],
    ['workspace/textDocumentContent', 2],
    ['aros/runIteration', 2],
  ]);
  switch (method) {
    case 'textDocument/references':
      return { method, params: { ...textDocPos(rng, world), context: { includeDeclaration: rng.chance(0.5) } } };
    case 'textDocument/completion': {
      const triggerKind = rng.int(1, 3);
      return { method, params: { ...textDocPos(rng, world), context: triggerKind === 2 ? { triggerKind, triggerCharacter: rng.pick(['.', '>', '"', '<', '/', ':']) } : { triggerKind } } };
    }
    case 'textDocument/inlineCompletion':
      return { method, params: { ...textDocPos(rng, world), context: { triggerKind: rng.int(1, 2) } } };
    case 'textDocument/documentSymbol':
      return { method, params: { textDocument: { uri: anyUri(rng, world) } } };
    case 'textDocument/codeAction':
      return {
        method,
        params: {
          textDocument: { uri: anyUri(rng, world) },
          range: range(rng),
          context: { diagnostics: [], ...(rng.chance(0.3) ? { only: [rng.pick(['quickfix', 'refactor', 'refactor.rewrite', 'source'])] } : {}) },
        },
      };
    case 'completionItem/resolve': {
      const f = rng.pick(FUNCTIONS);
      return { method, params: { label: f.symbol, data: { file: f.file, name: f.symbol, line: rng.int(0, 40) } } };
    }
    case 'workspace/symbol':
      return { method, params: { query: rng.pick(QUERIES) } };
    case 'workspace/executeCommand': {
      const command = rng.pick(COMMANDS);
      const args = commandArguments(rng, world, command);
      return { method, params: args === undefined ? { command } : { command, arguments: args } };
    }
    case 'workspace/textDocumentContent':
      return { method, params: { uri: rng.pick(['aros-lsp:/explanations/1.md', 'aros-lsp:/nothing', anyUri(rng, world)]) } };
    case 'aros/runIteration':
      // maxIterations small and no model configured: the loop ends at its first model call.
      return {
        method,
        params: rng.chance(0.3)
          ? { project: rng.pick(['radeonsi', 'workbench/hidds/radeonsi', 'nothing']), maxIterations: rng.int(0, 1), maxRetries: rng.int(0, 1) }
          : { task: task(rng), maxIterations: rng.int(0, 2), maxRetries: rng.int(0, 1), apply: rng.chance(0.5) },
      };
    default:
      return { method, params: textDocPos(rng, world) };
  }
}

/** Notifications that change no probe file. */
export function validNotification(rng: Rng, world: World): Call {
  const method = rng.weighted<string>([
    ['textDocument/didOpen', 8],
    ['textDocument/didChange', 8],
    ['textDocument/didClose', 5],
    ['textDocument/didSave', 1],
    ['workspace/didChangeWatchedFiles', 2],
    ['workspace/didChangeConfiguration', 1],
    ['aros/completionShown', 1],
    ['$/setTrace', 1],
    ['$/cancelRequest', 1],
    ['$/progress', 1],
    ['window/workDoneProgress/cancel', 1],
    ['initialized', 1],
    ['workspace/didChangeWorkspaceFolders', 1],
  ]);
  const uri = anyUri(rng, world, true);
  switch (method) {
    case 'textDocument/didOpen':
      return { method, notification: true, params: { textDocument: { uri, languageId: rng.pick(['c', 'cpp', 'plaintext']), version: rng.int(-2, 20), text: cText(rng) } } };
    case 'textDocument/didChange':
      return { method, notification: true, params: { textDocument: { uri, version: rng.int(-2, 30) }, contentChanges: contentChanges(rng) } };
    case 'textDocument/didClose':
    case 'textDocument/didSave':
      return { method, notification: true, params: { textDocument: { uri } } };
    case 'workspace/didChangeWatchedFiles':
      return {
        method,
        notification: true,
        params: { changes: Array.from({ length: rng.int(0, 3) }, () => ({ uri: rng.chance(0.7) ? uriOf(world, rng.pick(EDITABLE)) : anyUri(rng, world, true), type: rng.int(1, 3) })) },
      };
    case 'workspace/didChangeConfiguration':
      return { method, notification: true, params: { settings: { 'aros-lsp': safeSettings(rng, world) } } };
    case 'aros/completionShown':
      return { method, notification: true, params: { id: rng.pick(['x', '00000000-0000-0000-0000-000000000000']) } };
    case '$/setTrace':
      return { method, notification: true, params: { value: rng.pick(['off', 'messages', 'verbose']) } };
    case '$/cancelRequest':
      return { method, notification: true, params: { id: rng.pick([1, 2, 'x', 999_999]) } };
    case '$/progress':
      return { method, notification: true, params: { token: rng.pick(['t', 1]), value: { kind: 'report', message: 'fuzz' } } };
    case 'window/workDoneProgress/cancel':
      return { method, notification: true, params: { token: rng.pick(['t', 1, 'aros-lsp-1']) } };
    case 'workspace/didChangeWorkspaceFolders':
      return { method, notification: true, params: { event: { added: [], removed: [] } } };
    default:
      return { method, notification: true, params: {} };
  }
}

/**
 * Settings that keep the probe answerable: the cache where it was, nothing
 * excluded that the probe needs, no compiler but the default. Values of the
 * wrong type are fine (they are reported and replaced by defaults).
 */
export function safeSettings(rng: Rng, world: World): Record<string, unknown> {
  const s: Record<string, unknown> = { cacheDir: world.cacheDir };
  if (rng.chance(0.4)) s.exclude = rng.pick<unknown>([[], ['fuzz/**'], 'fuzz', [42], null, ['!**/*.c', 'nothing/']]);
  if (rng.chance(0.3)) s.maxFileBytes = rng.pick<unknown>([5_242_880, 10_000_000, -1, 'big', 1e400, null]);
  if (rng.chance(0.3)) s.workers = rng.pick<unknown>([0, 1, 2, -3, 1.5, 'many', 1_000_000]);
  if (rng.chance(0.3)) s.breadcrumbDiagnostics = rng.pick<unknown>([true, false, 'yes', 0]);
  if (rng.chance(0.2)) s.compileCommand = rng.pick<unknown>([42, {}, [], [''], null, 'gcc']);
  if (rng.chance(0.2)) s.compileTimeoutMs = rng.pick<unknown>([1, 60_000, -5, 'soon']);
  if (rng.chance(0.2)) s.projects = rng.pick<unknown>([{}, { radeon: ['workbench/hidds/radeonsi'] }, { x: 'y' }, [], null]);
  if (rng.chance(0.2)) s.completionStats = rng.pick<unknown>([true, false, 'on']);
  if (rng.chance(0.1)) s.models = rng.pick<unknown>([{}, null, 'none', { codegen: { temperature: 'hot' } }, { llm: { max_length: -1 } }]);
  if (rng.chance(0.1)) s.unknownKey = rng.pick<unknown>([1, 'x', { nested: true }]);
  return s;
}

const SNIPPETS = [
  '#include <exec/types.h>\n',
  'ULONG fuzz_Func(ULONG x) { return x + 1; }\n',
  'struct FuzzThing { ULONG ft_Value; };\n',
  'void f(void) {\n    AllocMem(',
  '/* AI_BREADCRUMB { "TASK": "x", "STATUS": "PARTIAL" } */\n',
  'AROS_LH2(APTR, FuzzLib, AROS_LHA(IPTR, a, D0), AROS_LHA(ULONG, b, D1), struct ExecBase *, SysBase, 99, Exec)\n{\n}\n',
  '"unterminated string\n',
  '/* unterminated comment\n',
  '}}}}{{{{\n',
  '#if 0\n#else\n#endif\n',
  'x->y.z->',
  '\t\r\n\r\n',
  'é∆😀\u0000\uFEFF\n',
  '\uD800 lone surrogate\n',
  '#define M(a,b) a##b\n',
];

export function cText(rng: Rng): string {
  let s = '';
  const n = rng.int(0, 8);
  for (let i = 0; i < n; i++) s += rng.pick(SNIPPETS);
  return s;
}

export function contentChanges(rng: Rng): unknown[] {
  const n = rng.int(0, 4);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.15)) out.push({ text: cText(rng) });
    else out.push({ range: range(rng), text: rng.chance(0.3) ? '' : rng.pick(SNIPPETS), ...(rng.chance(0.1) ? { rangeLength: rng.int(-5, 100) } : {}) });
  }
  return out;
}
