// Synthetic AROS-shaped source tree for benchmarks.
//
//   node out/bench/generateTree.js OUTDIR [--files N] [--lines N] [--seed S] [--concurrency N]
//
// The default size follows the real tree (docs: AROS.md): ~14,500 files
// (65 % .c), ~3.5 million lines, ~114 MB, AROS_LHn library functions in ~21 % of
// the .c files, AROS_UFHn hooks, AutoDocs, headers with structs/enums/macros,
// #include lines between files, breadcrumbs in some hidd files, one very large
// table file and a handful of 0.5-1 MB ones. Every count scales with --files,
// every size with --lines (which itself defaults to scale with --files).
//
// The output is a pure function of (files, lines, seed): one seeded PRNG plans
// the tree, files are then built one after the other in a fixed order, each with
// its own PRNG derived from the seed and the file's index, and only the writes run
// in parallel, so no byte depends on I/O timing. OUTDIR/manifest.json records
// exactly what was generated, for tests and for checking an indexer.
//
// Nothing here is copied from AROS: identifiers come from our own word lists and
// the comments from our own sentence templates.

import { promises as fsp } from 'fs';
import * as path from 'path';

// ---------------------------------------------------------------------------
// Public types

export interface GenerateOptions {
  outDir: string;
  /** Number of .c + .h files. Default 14,510. */
  files?: number;
  /** Total lines of .c + .h files. Default: 3,530,000 scaled by files / 14,510. */
  lines?: number;
  seed?: number;
  /** Parallel file writes. */
  concurrency?: number;
}

export interface LibFunctionRecord {
  name: string;
  /** Path relative to OUTDIR, with forward slashes. */
  file: string;
  /** 0-based line of the AROS_LHn macro (the line that also holds the name). */
  line: number;
  macro: string;
  library: string;
  baseType: string;
  baseName: string;
  lvo: number;
  /** true when an arch/ directory redefines a function of a rom/ library. */
  override: boolean;
}

export interface HookRecord {
  name: string;
  file: string;
  line: number;
  macro: string;
}

export interface BreadcrumbRecord {
  file: string;
  /** 0-based first line of the comment. */
  line: number;
  form: 'line' | 'block' | 'doc';
  phase: string;
  status: string;
}

export type SampleKind = 'libFunction' | 'function' | 'hook' | 'struct' | 'enum' | 'typedef' | 'macro' | 'variable';

export interface SampleRecord {
  name: string;
  kind: SampleKind;
  file: string;
  line: number;
}

export interface FileSize {
  file: string;
  lines: number;
  bytes: number;
}

export interface Manifest {
  generator: 'aros-lsp generateTree';
  formatVersion: 1;
  seed: number;
  requested: { files: number; lines: number };
  /** .c + .h files (the .conf files are counted separately). */
  files: number;
  cFiles: number;
  hFiles: number;
  confFiles: number;
  /** Newline count over all .c and .h files (what `wc -l` reports). */
  lines: number;
  /** Bytes of all .c and .h files. */
  bytes: number;
  confBytes: number;
  directories: number;
  libFunctionFiles: number;
  libFunctions: LibFunctionRecord[];
  hookFiles: number;
  hooks: number;
  hookList: HookRecord[];
  breadcrumbFiles: number;
  breadcrumbs: number;
  breadcrumbList: BreadcrumbRecord[];
  /** Struct definitions with a body, written as `struct Name` / `{` on two lines (also after `typedef `). */
  structs: number;
  unions: number;
  enums: number;
  typedefs: number;
  /** `#define` lines, include guards included. */
  macros: number;
  /** Plain (non-macro) function definitions. */
  functions: number;
  includes: number;
  largestFiles: FileSize[];
  samples: SampleRecord[];
}

// ---------------------------------------------------------------------------
// Real-tree figures the defaults scale from (AROS.md and a measurement of the
// line-length distribution: .c median 109 lines, p90 719; .h median 54, p90 273).

const REAL_FILES = 14510;
const REAL_C_SHARE = 9387 / 14510;
const REAL_LINES = 3530000;
const LIB_FUNCS_PER_C = 3330 / 9387;
const LIB_FILES_PER_C = 2000 / 9387;
const HOOKS_PER_C = 920 / 9387;
const HOOK_FILES_PER_C = 440 / 9387;
const TABLE_LINE_SHARE = 45000 / REAL_LINES;
const C_MU = Math.log(109);
const C_SIGMA = 1.47;
const H_MU = Math.log(54);
const H_SIGMA = 1.26;

// ---------------------------------------------------------------------------
// PRNG: mulberry32, small and fast; good enough for shaping test data.

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Index drawn with the given relative weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }
}

/** Derive an independent seed for one file, so its content does not depend on generation order elsewhere. */
function mixSeed(seed: number, n: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

// ---------------------------------------------------------------------------
// Word lists (our own) for identifiers and prose.

const VERBS = [
  'Alloc', 'Free', 'Init', 'Open', 'Close', 'Get', 'Set', 'Find', 'Add', 'Rem', 'Obtain', 'Release',
  'Lock', 'Unlock', 'Read', 'Write', 'Query', 'Update', 'Create', 'Delete', 'Attach', 'Detach', 'Wait',
  'Scan', 'Parse', 'Render', 'Draw', 'Clip', 'Copy', 'Move', 'Clear', 'Fill', 'Load', 'Save', 'Start',
  'Stop', 'Reset', 'Flush', 'Map', 'Unmap', 'Install', 'Enable', 'Disable', 'Send', 'Receive', 'Compare',
  'Convert', 'Match', 'Build', 'Refresh', 'Resize', 'Sort', 'Merge', 'Split', 'Link', 'Unlink', 'Push',
  'Pop', 'Test', 'Check', 'Change', 'Modify', 'Examine', 'Setup', 'Cleanup', 'Probe', 'Register',
  'Unregister', 'Notify', 'Dispatch', 'Measure', 'Select', 'Apply', 'Attempt', 'Insert', 'Extract',
];
const NOUNS = [
  'Node', 'List', 'Port', 'Signal', 'Semaphore', 'Buffer', 'Rect', 'Region', 'Layer', 'Window', 'Screen',
  'Font', 'Glyph', 'Pen', 'Palette', 'BitMap', 'Volume', 'Segment', 'Device', 'Unit', 'Request', 'Packet',
  'Entry', 'Table', 'Hash', 'Chunk', 'Queue', 'Timer', 'Event', 'Class', 'Object', 'Attr', 'Tag', 'Hook',
  'Msg', 'Context', 'Stream', 'Sample', 'Channel', 'Cursor', 'Sprite', 'Mask', 'Plane', 'Pixel', 'Line',
  'Block', 'Sector', 'Track', 'Handle', 'Path', 'Name', 'Dir', 'File', 'Record', 'Field', 'Key', 'Value',
  'Item', 'Menu', 'Gadget', 'Image', 'Border', 'Frame', 'Clock', 'Alarm', 'Task', 'Process', 'Pool',
  'Heap', 'Page', 'Cache', 'Vector', 'Matrix', 'Point', 'Shape', 'Mode', 'Display', 'Monitor', 'Config',
  'Prefs', 'Locale', 'Catalog', 'Rule', 'Filter', 'Codec', 'Header', 'Slot', 'Range', 'Area', 'Span',
  'Text', 'Char', 'Word', 'Volume', 'Notify', 'Packet', 'Bus', 'Ring', 'Fence', 'Surface', 'Palette',
];
const SUFFIXES = ['', '', '', '', '', 'A', 'Ex', 'Tags', 'Info', 'Attrs', 'List', 'Data', 'Count', 'Size'];
const FIELD_WORDS = [
  'Node', 'Flags', 'Count', 'Size', 'Data', 'Next', 'Prev', 'Width', 'Height', 'Left', 'Top', 'Depth',
  'Mode', 'Pri', 'Name', 'Base', 'Lock', 'Owner', 'Handle', 'Mask', 'Value', 'Min', 'Max', 'Offset',
  'Length', 'Type', 'ID', 'State', 'Link', 'Table', 'Hook', 'UserData', 'Reserved', 'Pad', 'Version',
  'Signal', 'Port', 'Buffer', 'Limit', 'Stamp', 'Serial', 'Parent', 'Children', 'Index', 'Key', 'Hash',
];
const LOCALS = [
  'i', 'j', 'n', 'count', 'len', 'size', 'result', 'rc', 'error', 'flags', 'mask', 'offset', 'index',
  'value', 'tmp', 'ptr', 'buf', 'node', 'next', 'prev', 'entry', 'item', 'msg', 'req', 'port', 'sig',
  'width', 'height', 'x', 'y', 'dx', 'dy', 'pen', 'mode', 'state', 'id', 'key', 'hash', 'bits', 'depth',
  'pos', 'end', 'start', 'total', 'done', 'retval', 'old', 'mem', 'data', 'info', 'obj', 'attr', 'tag',
  'lock', 'name', 'str', 'ch', 'level', 'slot', 'chunk', 'line', 'col', 'row', 'step', 'limit',
];
/** Longer local names: real code mixes them with the short ones, and line length matters for byte counts. */
const LONG_LOCALS = [
  'bufferSize', 'numEntries', 'lineCount', 'stepSize', 'maxWidth', 'newFlags', 'oldFlags', 'userData',
  'tagList', 'msgPort', 'ioRequest', 'libBase', 'nodeCount', 'bytesLeft', 'pixelCount', 'currentNode',
  'nextEntry', 'prevEntry', 'screenDepth', 'fontHeight', 'textLength', 'tagItem', 'srcOffset', 'dstOffset',
  'rowBytes', 'bitMap', 'rastPort', 'windowPtr', 'classData', 'objectData', 'retryCount', 'errorCode',
  'lockCount', 'startTime', 'endTime', 'requestedSize', 'actualLength', 'unitNumber', 'signalMask',
];
const NOTES = [
  'keep the old value', 'may be NULL', 'already locked', 'round up', 'see above', 'in pixels', 'in bytes',
  'not reached', 'fall back to defaults', 'caller frees it', 'one past the end', 'wraps at 64K',
  'only on the first pass', 'checked by the caller', 'for old applications',
];
const FIELD_NOTES = [
  'number of entries', 'owned by the caller', 'private, do not touch', 'set when opened', 'in ticks',
  'see the flags below', 'NULL terminated', 'index into the table', 'protected by the lock',
  'for the next request', 'size in bytes', 'read only', 'cached from the preferences', 'may change at any time',
];
const SCALAR_TYPES = ['ULONG', 'LONG', 'UWORD', 'WORD', 'UBYTE', 'BYTE', 'IPTR', 'BOOL', 'ULONG', 'LONG', 'ULONG'];
const POINTER_TYPES = [
  'APTR', 'STRPTR', 'CONST_STRPTR', 'struct Node *', 'struct List *', 'struct Hook *', 'struct TagItem *',
  'struct Library *', 'struct MsgPort *', 'struct Message *', 'struct Task *', 'struct IORequest *',
  'struct RastPort *', 'struct BitMap *', 'Object *', 'struct Window *', 'UBYTE *', 'ULONG *',
];
const SYLLABLES = [
  'gfx', 'lay', 'key', 'cyb', 'disk', 'font', 'icon', 'rexx', 'iff', 'asl', 'snd', 'net', 'usb', 'pci',
  'ata', 'ser', 'par', 'tmr', 'inp', 'con', 'ram', 'boot', 'card', 'bat', 'clk', 'math', 'ieee', 'loc',
  'wb', 'cam', 'mui', 'jpeg', 'png', 'zl', 'xml', 'http', 'ssl', 'dt', 'gad', 'img', 'txt', 'edit',
  'pref', 'shell', 'reg', 'aud', 'vid', 'fb', 'dma', 'irq', 'cpu', 'mmu', 'acpi', 'efi', 'smb', 'nfs',
  'fat', 'sfs', 'ffs', 'cd', 'hid', 'kbd', 'mouse', 'joy', 'midi', 'grp', 'win', 'scr', 'pal', 'blit',
  'clip', 'region', 'pool', 'task', 'msg', 'sem', 'sig', 'vol', 'pkt', 'lst', 'ring', 'gpu', 'nvm',
];
const SECOND_SYLLABLES = [
  '', '', '', 'core', 'io', 'lib', 'ctl', 'mgr', 'view', 'kit', 'fx', 'port', 'bus', 'base', 'sys',
  'map', 'draw', 'ops', 'tab', 'ui', 'gen', 'dev', 'drv', 'sup', 'fmt',
];
const ARCH_PORTS = [
  'x86_64-pc', 'i386-pc', 'm68k-classic', 'ppc-embedded', 'arm-board', 'aarch64-board', 'riscv-virt',
  'all-hosted', 'all-unix', 'x86_64-all', 'i386-all', 'm68k-all', 'arm-all', 'ppc-all', 'all-native',
];
const INCLUDE_GROUPS = [
  'exec', 'dos', 'graphics', 'intuition', 'utility', 'libraries', 'devices', 'hidd', 'aros', 'gadgets',
  'datatypes', 'workbench', 'resources', 'hardware', 'rexx', 'diskfont', 'prefs', 'midi', 'clib', 'oop',
];
const CLASS_GROUPS = ['gadgets', 'datatypes', 'zune', 'images', 'mui'];
const OTHER_WORKBENCH = ['prefs', 'tools', 'system', 'network', 'fs', 'utilities', 'demos'];
const DEVELOPER_GROUPS = ['debug', 'demos', 'samples', 'bench', 'examples'];
const TOOL_GROUPS = ['genmod', 'flexcat', 'collect', 'mkfont', 'crosstools', 'archtool'];
const C_FILE_WORDS = [
  'init', 'support', 'misc', 'util', 'events', 'render', 'layout', 'input', 'output', 'memory', 'list',
  'parse', 'config', 'debug', 'hooks', 'methods', 'class', 'io', 'cmds', 'tables', 'locale', 'driver',
  'intr', 'dispatch', 'scan', 'cache', 'queue', 'notify', 'prefs', 'main', 'ops', 'attrs', 'timer',
];
const H_FILE_WORDS = [
  'defs', 'types', 'support', 'regs', 'private', 'hw', 'tables', 'config', 'debug', 'macros', 'protos',
  'structs', 'const', 'flags', 'inline', 'compat', 'version', 'locale', 'layout', 'methods', 'attrs',
];
const TAILS = [
  'and links it into the owner list', 'without waiting for the device', 'using the caller\'s tag list',
  'while the base semaphore is held', 'when the attributes allow it', 'for the calling task only',
  'and updates the statistics kept in the base', 'before the next vertical blank',
  'in the order given by the priority field', 'after checking the version of the handler',
  'and returns the previous setting', 'so that later calls can reuse it',
];
const WHYS = [
  'The caller must not hold the display lock.', 'Passing NULL is safe and does nothing.',
  'This may be called from an interrupt.', 'Memory comes from the public pool.',
  'The result is cached until the next refresh.', 'Old callers expect the V39 behaviour here.',
  'No task switch happens while this runs.', 'The list must not be empty.',
  'Only the first 32 characters of the name are compared.', 'Strings are copied, not referenced.',
];
const BUGS = ['None known.', 'Large requests are not split.', 'Ignores the hardware limits of old chipsets.', ''];
const EXEC_NAMES = [
  'Forbid', 'Permit', 'Disable', 'Enable', 'AllocMem', 'FreeMem', 'AvailMem', 'AllocVec', 'FreeVec',
  'CreatePool', 'DeletePool', 'AllocPooled', 'FreePooled', 'AddHead', 'AddTail', 'Remove', 'RemHead',
  'RemTail', 'Enqueue', 'FindName', 'NewList', 'InitSemaphore', 'ObtainSemaphore', 'ReleaseSemaphore',
  'AttemptSemaphore', 'AddPort', 'RemPort', 'FindPort', 'PutMsg', 'GetMsg', 'ReplyMsg', 'WaitPort',
  'Signal', 'Wait', 'SetSignal', 'AllocSignal', 'FreeSignal', 'FindTask', 'OpenLibrary', 'CloseLibrary',
  'OpenDevice', 'CloseDevice', 'DoIO', 'SendIO', 'CheckIO', 'WaitIO', 'AbortIO', 'CopyMem', 'CopyMemQuick',
  'CreateMsgPort', 'DeleteMsgPort', 'CreateIORequest', 'DeleteIORequest', 'CacheClearU', 'CacheClearE',
  'AddIntServer', 'RemIntServer', 'Cause', 'SetFunction', 'MakeLibrary', 'InitResident', 'FindResident',
];
/** Signatures for the best-known exec names (the rest get random ones). Register choice follows the usual convention. */
const EXEC_SIGS: Readonly<Record<string, readonly [string, readonly (readonly [string, string, string])[]]>> = {
  Forbid: ['void', []],
  Permit: ['void', []],
  Disable: ['void', []],
  Enable: ['void', []],
  AllocMem: ['APTR', [['IPTR', 'byteSize', 'D0'], ['ULONG', 'attributes', 'D1']]],
  FreeMem: ['void', [['APTR', 'memory', 'A1'], ['IPTR', 'byteSize', 'D0']]],
  AllocVec: ['APTR', [['IPTR', 'byteSize', 'D0'], ['ULONG', 'attributes', 'D1']]],
  FreeVec: ['void', [['APTR', 'memory', 'A1']]],
  AddHead: ['void', [['struct List *', 'list', 'A0'], ['struct Node *', 'node', 'A1']]],
  AddTail: ['void', [['struct List *', 'list', 'A0'], ['struct Node *', 'node', 'A1']]],
  Remove: ['void', [['struct Node *', 'node', 'A1']]],
  RemHead: ['struct Node *', [['struct List *', 'list', 'A0']]],
  FindName: ['struct Node *', [['struct List *', 'list', 'A0'], ['CONST_STRPTR', 'name', 'A1']]],
  ObtainSemaphore: ['void', [['struct SignalSemaphore *', 'sem', 'A0']]],
  ReleaseSemaphore: ['void', [['struct SignalSemaphore *', 'sem', 'A0']]],
  Wait: ['ULONG', [['ULONG', 'signalSet', 'D0']]],
  Signal: ['void', [['struct Task *', 'task', 'A1'], ['ULONG', 'signalSet', 'D0']]],
  GetMsg: ['struct Message *', [['struct MsgPort *', 'port', 'A0']]],
  PutMsg: ['void', [['struct MsgPort *', 'port', 'A0'], ['struct Message *', 'message', 'A1']]],
  ReplyMsg: ['void', [['struct Message *', 'message', 'A1']]],
  OpenLibrary: ['struct Library *', [['CONST_STRPTR', 'libName', 'A1'], ['ULONG', 'version', 'D0']]],
  CloseLibrary: ['void', [['struct Library *', 'library', 'A1']]],
  CopyMem: ['void', [['CONST_APTR', 'source', 'A0'], ['APTR', 'dest', 'A1'], ['IPTR', 'size', 'D0']]],
};

/** Calls that appear all over real code; plain calls by name (macros from proto/ headers in a build). */
const COMMON_CALLS: readonly { name: string; arity: number }[] = [
  { name: 'AllocMem', arity: 2 }, { name: 'FreeMem', arity: 2 }, { name: 'AllocVec', arity: 2 },
  { name: 'FreeVec', arity: 1 }, { name: 'Forbid', arity: 0 }, { name: 'Permit', arity: 0 },
  { name: 'ObtainSemaphore', arity: 1 }, { name: 'ReleaseSemaphore', arity: 1 }, { name: 'AddTail', arity: 2 },
  { name: 'AddHead', arity: 2 }, { name: 'Remove', arity: 1 }, { name: 'RemHead', arity: 1 },
  { name: 'FindName', arity: 2 }, { name: 'NewList', arity: 1 }, { name: 'CopyMem', arity: 3 },
  { name: 'GetMsg', arity: 1 }, { name: 'ReplyMsg', arity: 1 }, { name: 'PutMsg', arity: 2 },
  { name: 'Wait', arity: 1 }, { name: 'Signal', arity: 2 }, { name: 'DoIO', arity: 1 },
  { name: 'GetTagData', arity: 3 }, { name: 'FindTagItem', arity: 2 }, { name: 'NextTagItem', arity: 1 },
  { name: 'DoMethod', arity: 3 }, { name: 'SetAttrs', arity: 3 }, { name: 'GetAttr', arity: 3 },
  { name: 'OpenLibrary', arity: 2 }, { name: 'CloseLibrary', arity: 1 }, { name: 'SetAPen', arity: 2 },
  { name: 'RectFill', arity: 5 }, { name: 'Move', arity: 3 }, { name: 'Draw', arity: 3 }, { name: 'Delay', arity: 1 },
];
const STATUSES = ['NOT_STARTED', 'PARTIAL', 'IMPLEMENTED', 'FIXED', 'NEEDS_REFACTOR'];
const PHASE_HEADS = [
  'KERNEL', 'MMU', 'RING', 'FENCE', 'SHADER', 'DISPLAY', 'CURSOR', 'POWER', 'IRQ', 'DMA', 'VRAM', 'GTT',
  'BLIT', 'MODESET', 'EDID', 'AUDIO', 'HOTPLUG', 'CLOCK', 'FIRMWARE', 'CACHE', 'PCI', 'I2C', 'OVERLAY',
];
const PHASE_TAILS = ['INIT', 'SETUP', 'PIPELINE', 'MANAGER', 'SYNC', 'BRINGUP', 'PROBE', 'TEARDOWN'];

// ---------------------------------------------------------------------------
// Plan: modules and files, decided up front by the global PRNG.

type ModuleKind = 'library' | 'hidd' | 'plain' | 'headers';

interface Param {
  type: string;
  name: string;
  reg: string;
}

interface FuncSig {
  name: string;
  ret: string;
  params: Param[];
}

interface LibraryInfo {
  libName: string;
  baseName: string;
  baseTypeName: string;
  /** Struct name of the base when the library has its own base struct. */
  baseStruct: string | null;
  protoName: string;
  confDir: string;
  confFile: string;
  /** Indexed by LVO. */
  byLvo: Map<number, FuncSig>;
  nextLvo: number;
  /** Names still to use first (the exec library's well-known names). */
  preferredNames: string[];
}

interface StructInfo {
  name: string;
  fields: { type: string; name: string }[];
}

interface HeaderInfo {
  /** As written in #include: `<group/name.h>` or `"name.h"`. */
  includeSpec: string;
  structs: StructInfo[];
  flags: string[];
  constants: string[];
  typedefs: string[];
}

interface CFilePlan {
  index: number;
  role: 'plain' | 'lib' | 'hook' | 'table' | 'bigdata';
  libFuncs: number;
  hooks: number;
  breadcrumbs: number;
  targetLines: number;
  subdir: string;
  weight: number;
}

interface HFilePlan {
  index: number;
  targetLines: number;
  weight: number;
}

interface ModulePlan {
  area: string;
  dir: string;
  name: string;
  kind: ModuleKind;
  /** Upper-case identifier prefix, e.g. GFXCORE. */
  prefix: string;
  /** Mixed-case prefix for type names, e.g. GfxCore. */
  camel: string;
  lib: LibraryInfo | null;
  /** A directory under arch/ that redefines some functions of a rom/ library. */
  override: boolean;
  /** Names this (override) directory has redefined already. */
  overridden: Set<string>;
  libWeight: number;
  hookWeight: number;
  cFiles: CFilePlan[];
  hFiles: HFilePlan[];
}

interface AreaSpec {
  key: string;
  cShare: number;
  hShare: number;
}

const AREAS: readonly AreaSpec[] = [
  { key: 'compiler/include', cShare: 0, hShare: 0.1 },
  { key: 'rom', cShare: 0.193, hShare: 0.136 },
  { key: 'workbench/libs', cShare: 0.14, hShare: 0.12 },
  { key: 'workbench/devs', cShare: 0.08, hShare: 0.07 },
  { key: 'workbench/classes', cShare: 0.08, hShare: 0.07 },
  { key: 'workbench/hidds', cShare: 0.06, hShare: 0.05 },
  { key: 'workbench/c', cShare: 0.05, hShare: 0.01 },
  { key: 'workbench/other', cShare: 0.056, hShare: 0.236 },
  { key: 'arch', cShare: 0.132, hShare: 0.119 },
  { key: 'compiler', cShare: 0.133, hShare: 0.021 },
  { key: 'developer', cShare: 0.053, hShare: 0.008 },
  { key: 'tools', cShare: 0.022, hShare: 0.03 },
];

/** Split `total` over `weights` exactly (largest remainder). */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0 || total <= 0) return weights.map(() => 0);
  const raw = weights.map((w) => (total * w) / sum);
  const out = raw.map(Math.floor);
  let rest = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, frac: r - Math.floor(r) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; rest > 0; k = (k + 1) % order.length, rest--) out[order[k].i]++;
  return out;
}

function camelOf(name: string): string {
  return name
    .split(/[^a-z0-9]+/i)
    .filter((s) => s.length > 0)
    .map((s) => s[0].toUpperCase() + s.slice(1))
    .join('');
}

interface Plan {
  modules: ModulePlan[];
  cCount: number;
  hCount: number;
  lineTarget: number;
  libFuncTarget: number;
  hookTarget: number;
}

class Planner {
  private readonly usedModuleDirs = new Set<string>();
  private readonly usedLibNames = new Set<string>();
  private fileIndex = 0;

  constructor(private readonly rng: Rng) {}

  plan(files: number, lines: number): Plan {
    const rng = this.rng;
    const cCount = Math.max(1, Math.round(files * REAL_C_SHARE));
    const hCount = Math.max(0, files - cCount);
    const cPer = apportion(cCount, AREAS.map((a) => a.cShare));
    const hPer = apportion(hCount, AREAS.map((a) => a.hShare));
    this.ensureMinimum(cPer, 'rom', 2);
    this.ensureMinimum(cPer, 'workbench/hidds', cCount >= 12 ? 1 : 0);
    this.ensureMinimum(cPer, 'workbench/libs', cCount >= 12 ? 1 : 0);
    this.ensureMinimum(hPer, 'compiler/include', hCount >= 4 ? 2 : 0);

    const modules: ModulePlan[] = [];
    const romLibs: LibraryInfo[] = [];
    AREAS.forEach((area, ai) => {
      for (const m of this.modulesFor(area.key, cPer[ai], hPer[ai], romLibs)) {
        modules.push(m);
        if (area.key === 'rom' && m.lib) romLibs.push(m.lib);
      }
    });

    const allC = modules.flatMap((m) => m.cFiles.map((f) => ({ m, f })));
    const libFuncTarget = Math.round(cCount * LIB_FUNCS_PER_C);
    const libFileTarget = Math.min(libFuncTarget, Math.round(cCount * LIB_FILES_PER_C));
    const hookTarget = Math.round(cCount * HOOKS_PER_C);
    const hookFileTarget = Math.min(hookTarget, Math.round(cCount * HOOK_FILES_PER_C));

    // Big generated files first, in plain modules, so they never carry functions.
    const bigLines = this.assignBigFiles(allC, cCount, lines);

    // Library function files: weighted sample without replacement (Efraimidis-Spirakis keys).
    const libSlots = this.sample(
      allC.filter(({ m, f }) => m.kind === 'library' && f.role === 'plain'),
      libFileTarget,
      ({ m }) => m.libWeight,
    );
    for (const { f } of libSlots) {
      f.role = 'lib';
      f.libFuncs = 1;
    }
    this.spreadExtra(libSlots.map(({ f }) => f), libFuncTarget - libSlots.length, 'libFuncs', 14);

    const hookSlots = this.sample(
      allC.filter(({ f }) => f.role === 'plain'),
      hookFileTarget,
      ({ m }) => m.hookWeight,
    );
    for (const { f } of hookSlots) {
      f.role = 'hook';
      f.hooks = 1;
    }
    this.spreadExtra(hookSlots.map(({ f }) => f), hookTarget - hookSlots.length, 'hooks', 10);

    // Breadcrumbs: a quarter of the hidd .c files, one to four each.
    const hiddC = allC.filter(({ m, f }) => m.kind === 'hidd' && (f.role === 'plain' || f.role === 'hook'));
    const crumbFiles = this.sample(hiddC, Math.max(hiddC.length > 0 ? 1 : 0, Math.round(hiddC.length * 0.25)), () => 1);
    for (const { f } of crumbFiles) f.breadcrumbs = rng.int(1, 4);

    this.assignLineTargets(modules, lines - bigLines);
    return { modules, cCount, hCount, lineTarget: lines, libFuncTarget, hookTarget };
  }

  private ensureMinimum(counts: number[], key: string, min: number): void {
    const i = AREAS.findIndex((a) => a.key === key);
    while (counts[i] < min) {
      let donor = -1;
      counts.forEach((c, j) => {
        if (j !== i && (donor < 0 || c > counts[donor])) donor = j;
      });
      if (donor < 0 || counts[donor] <= 1) return;
      counts[donor]--;
      counts[i]++;
    }
  }

  private moduleSizes(total: number, mean: number, firstShare: number): number[] {
    const sizes: number[] = [];
    let left = total;
    if (firstShare > 0 && left > 0) {
      const first = Math.max(1, Math.round(total * firstShare));
      sizes.push(first);
      left -= first;
    }
    while (left > 0) {
      const s = Math.max(1, Math.min(left, Math.round(this.rng.logNormal(Math.log(mean), 0.9))));
      sizes.push(s);
      left -= s;
    }
    return sizes;
  }

  private uniqueName(): string {
    const rng = this.rng;
    for (let attempt = 0; attempt < 50; attempt++) {
      const name = rng.pick(SYLLABLES) + rng.pick(SECOND_SYLLABLES);
      if (!this.usedLibNames.has(name)) {
        this.usedLibNames.add(name);
        return name;
      }
    }
    const name = `${rng.pick(SYLLABLES)}${this.usedLibNames.size}`;
    this.usedLibNames.add(name);
    return name;
  }

  private makeLibrary(name: string, dir: string, exec: boolean): LibraryInfo {
    if (exec) {
      return {
        libName: 'Exec', baseName: 'SysBase', baseTypeName: 'struct ExecBase *', baseStruct: 'ExecBase',
        protoName: 'exec', confDir: dir, confFile: 'exec.conf', byLvo: new Map(), nextLvo: 5,
        preferredNames: [...EXEC_NAMES],
      };
    }
    const camel = camelOf(name);
    const own = this.rng.chance(0.75);
    return {
      libName: camel,
      baseName: `${camel}Base`,
      baseTypeName: own ? `struct ${camel}Base *` : 'struct Library *',
      baseStruct: own ? `${camel}Base` : null,
      protoName: name,
      confDir: dir,
      confFile: `${name}.conf`,
      byLvo: new Map(),
      nextLvo: 5,
      preferredNames: [],
    };
  }

  private newModule(area: string, dir: string, name: string, kind: ModuleKind, lib: LibraryInfo | null, override: boolean): ModulePlan {
    const camel = lib ? lib.libName : camelOf(name);
    const libWeight: Record<string, number> = {
      rom: 1, 'workbench/libs': 0.8, 'workbench/devs': 0.35, 'workbench/classes': 0.3, arch: 0.6, compiler: 0.15,
    };
    const hookWeight: Record<string, number> = {
      'workbench/classes': 3, 'workbench/hidds': 2, 'workbench/libs': 1.5, 'workbench/other': 1.5,
      'workbench/c': 1, 'workbench/devs': 1.2, rom: 1, arch: 1,
    };
    return {
      area, dir, name, kind, lib, override, camel,
      prefix: camel.toUpperCase(),
      overridden: new Set(),
      libWeight: kind === 'library' ? libWeight[area] ?? 0.2 : 0,
      hookWeight: hookWeight[area] ?? 0.5,
      cFiles: [],
      hFiles: [],
    };
  }

  private modulesFor(area: string, cTotal: number, hTotal: number, romLibs: LibraryInfo[]): ModulePlan[] {
    const rng = this.rng;
    const mods: ModulePlan[] = [];
    if (area === 'compiler/include') {
      // Public headers only, grouped like compiler/include/<group>/.
      const groups = Math.max(1, Math.min(INCLUDE_GROUPS.length, Math.ceil(hTotal / 40)));
      const split = apportion(hTotal, INCLUDE_GROUPS.slice(0, groups).map((_, i) => 1 / (i + 1.5)));
      split.forEach((h, i) => {
        if (h === 0) return;
        const m = this.newModule(area, `compiler/include/${INCLUDE_GROUPS[i]}`, INCLUDE_GROUPS[i], 'headers', null, false);
        this.addFiles(m, 0, h);
        mods.push(m);
      });
      return mods;
    }
    const mean = area === 'rom' ? 9 : area === 'workbench/c' ? 4 : 6;
    const sizes = this.moduleSizes(cTotal, mean, area === 'rom' ? 0.12 : 0);
    // Headers without any .c file in the area still need a directory to live in.
    if (sizes.length === 0 && hTotal > 0) sizes.push(0);
    const hSplit = apportion(hTotal, sizes.map((s) => s + 1.5));
    let overrideCursor = 0;
    sizes.forEach((cSize, k) => {
      const hSize = hSplit[k];
      let m: ModulePlan;
      const name = this.uniqueName();
      switch (area) {
        case 'rom': {
          const exec = k === 0;
          const modName = exec ? 'exec' : name;
          const dir = this.uniqueDir(`rom/${modName}`);
          const plain = !exec && rng.chance(0.15);
          m = this.newModule(area, dir, modName, plain ? 'plain' : 'library', plain ? null : this.makeLibrary(modName, dir, exec), false);
          break;
        }
        case 'workbench/libs':
        case 'workbench/devs': {
          const dir = this.uniqueDir(`${area}/${name}`);
          m = this.newModule(area, dir, name, 'library', this.makeLibrary(name, dir, false), false);
          break;
        }
        case 'workbench/classes': {
          const dir = this.uniqueDir(`${area}/${rng.pick(CLASS_GROUPS)}/${name}`);
          m = this.newModule(area, dir, name, 'library', this.makeLibrary(name, dir, false), false);
          break;
        }
        case 'workbench/hidds':
          m = this.newModule(area, this.uniqueDir(`${area}/${name}`), name, 'hidd', null, false);
          break;
        case 'workbench/other':
          m = this.newModule(area, this.uniqueDir(`workbench/${rng.pick(OTHER_WORKBENCH)}/${name}`), name, 'plain', null, false);
          break;
        case 'arch': {
          const port = ARCH_PORTS[k % ARCH_PORTS.length];
          const r = rng.next();
          if (romLibs.length > 0 && r < 0.5) {
            // Redefine functions of a rom library, in a directory named like it.
            const lib = romLibs[overrideCursor++ % romLibs.length];
            const dir = this.uniqueDir(`arch/${port}/${lib.protoName}`);
            m = this.newModule(area, dir, lib.protoName, 'library', lib, true);
          } else if (r < 0.75) {
            m = this.newModule(area, this.uniqueDir(`arch/${port}/hidd/${name}`), name, 'hidd', null, false);
          } else {
            m = this.newModule(area, this.uniqueDir(`arch/${port}/${name}`), name, 'plain', null, false);
          }
          break;
        }
        case 'compiler': {
          const withLib = rng.chance(0.2);
          const dir = this.uniqueDir(`compiler/${rng.pick(['arossupport', 'alib', 'crt', 'stdc', 'posixc', 'autoinit'])}/${name}`);
          m = this.newModule(area, dir, name, withLib ? 'library' : 'plain', withLib ? this.makeLibrary(name, dir, false) : null, false);
          break;
        }
        case 'developer':
          m = this.newModule(area, this.uniqueDir(`developer/${rng.pick(DEVELOPER_GROUPS)}/${name}`), name, 'plain', null, false);
          break;
        case 'tools':
          m = this.newModule(area, this.uniqueDir(`tools/${rng.pick(TOOL_GROUPS)}/${name}`), name, 'plain', null, false);
          break;
        default:
          m = this.newModule(area, this.uniqueDir(`${area}/${name}`), name, 'plain', null, false);
      }
      this.addFiles(m, cSize, hSize);
      mods.push(m);
    });
    return mods;
  }

  private uniqueDir(dir: string): string {
    let d = dir;
    for (let n = 2; this.usedModuleDirs.has(d); n++) d = `${dir}${n}`;
    this.usedModuleDirs.add(d);
    return d;
  }

  private addFiles(m: ModulePlan, c: number, h: number): void {
    // Bigger modules keep part of their sources in subdirectories, as real ones do.
    const subdirs = c > 12 ? [...new Set(Array.from({ length: this.rng.int(1, 3) }, () => this.rng.pick(C_FILE_WORDS)))] : [];
    for (let i = 0; i < c; i++) {
      const subdir = subdirs.length > 0 && this.rng.chance(0.35) ? this.rng.pick(subdirs) : '';
      m.cFiles.push({
        index: this.fileIndex++, role: 'plain', libFuncs: 0, hooks: 0, breadcrumbs: 0, targetLines: 0, subdir,
        weight: Math.min(8000, this.rng.logNormal(C_MU, C_SIGMA)),
      });
    }
    for (let i = 0; i < h; i++) {
      m.hFiles.push({ index: this.fileIndex++, targetLines: 0, weight: Math.min(5000, this.rng.logNormal(H_MU, H_SIGMA)) });
    }
  }

  private assignBigFiles(allC: { m: ModulePlan; f: CFilePlan }[], cCount: number, lines: number): number {
    const plain = allC.filter(({ m }) => m.kind === 'plain');
    const pool = plain.length > 0 ? plain : allC.filter(({ m }) => m.kind !== 'library');
    if (pool.length === 0 || cCount < 10) return 0;
    let used = 0;
    const table = this.rng.pick(pool).f;
    table.role = 'table';
    table.targetLines = Math.max(40, Math.round(lines * TABLE_LINE_SHARE));
    used += table.targetLines;
    const medium = cCount >= 20 ? Math.max(1, Math.round((5 * cCount) / (REAL_FILES * REAL_C_SHARE))) : 0;
    for (let i = 0; i < medium; i++) {
      const free = pool.filter(({ f }) => f.role === 'plain');
      if (free.length === 0) break;
      const f = this.rng.pick(free).f;
      f.role = 'bigdata';
      // 0.5-1 MB at the real size: 6,500-13,000 lines of ~77 bytes.
      f.targetLines = Math.max(30, Math.round(lines * (0.0018 + this.rng.next() * 0.0019)));
      used += f.targetLines;
    }
    return used;
  }

  private sample<T>(items: T[], k: number, weight: (t: T) => number): T[] {
    const keyed = items
      .map((t, i) => ({ t, i, w: weight(t) }))
      .filter((x) => x.w > 0)
      .map((x) => ({ ...x, key: Math.pow(this.rng.next(), 1 / x.w) }));
    keyed.sort((a, b) => b.key - a.key || a.i - b.i);
    return keyed.slice(0, Math.max(0, k)).map((x) => x.t);
  }

  private spreadExtra(files: CFilePlan[], extra: number, field: 'libFuncs' | 'hooks', cap: number): void {
    if (files.length === 0) return;
    // A minority of files hold several definitions (families of functions, hook tables).
    const multi = files.filter(() => this.rng.chance(0.3));
    const targets = multi.length > 0 ? multi : files;
    let left = extra;
    let guard = 0;
    while (left > 0 && guard++ < extra * 20 + 100) {
      const f = this.rng.pick(targets);
      if (f[field] < cap) {
        f[field]++;
        left--;
      } else if (targets === multi && multi.every((x) => x[field] >= cap)) {
        break;
      }
    }
    // Whatever did not fit goes anywhere below the cap, then anywhere.
    for (let i = 0; left > 0; i++, left--) files[i % files.length][field]++;
  }

  private assignLineTargets(modules: ModulePlan[], budget: number): void {
    const items: { min: number; w: number; set: (n: number) => void }[] = [];
    for (const m of modules) {
      for (const f of m.cFiles) {
        if (f.role === 'table' || f.role === 'bigdata') continue;
        const min = 14 + f.libFuncs * 58 + f.hooks * 16 + f.breadcrumbs * 16;
        items.push({ min, w: f.weight, set: (n) => (f.targetLines = n) });
      }
      for (const h of m.hFiles) items.push({ min: 12, w: h.weight, set: (n) => (h.targetLines = n) });
    }
    // Find k so that sum(max(min, k * w)) meets the budget (bisection), then round.
    const total = (k: number): number => items.reduce((s, it) => s + Math.max(it.min, k * it.w), 0);
    let lo = 0;
    let hi = 1;
    while (total(hi) < budget && hi < 1e9) hi *= 2;
    for (let iter = 0; iter < 60; iter++) {
      const mid = (lo + hi) / 2;
      if (total(mid) < budget) lo = mid;
      else hi = mid;
    }
    for (const it of items) it.set(Math.round(Math.max(it.min, hi * it.w)));
  }
}

// ---------------------------------------------------------------------------
// Generation

interface KnownFunc {
  sig: FuncSig;
  lib: LibraryInfo;
  lvo: number;
}

interface Collect {
  libFunctions: LibFunctionRecord[];
  hooks: HookRecord[];
  breadcrumbs: BreadcrumbRecord[];
  samples: Map<SampleKind, { seen: number; list: SampleRecord[] }>;
  counts: { structs: number; unions: number; enums: number; typedefs: number; macros: number; functions: number; includes: number };
  usedLibNames: Set<string>;
  /** Library functions defined so far, for calls from later files. */
  knownLibFuncs: KnownFunc[];
  publicHeaders: HeaderInfo[];
  phases: string[];
  declaredPhases: string[];
}

const SAMPLE_CAP = 40;

/** One file being written: its lines, its PRNG and what it can see. */
class FileGen {
  readonly out: string[] = [];
  readonly localNames = new Set<string>();
  readonly helpers: FuncSig[] = [];
  readonly structs: StructInfo[] = [];
  readonly flags: string[] = [];
  readonly constants: string[] = [];

  constructor(
    readonly rng: Rng,
    readonly rel: string,
    readonly module: ModulePlan,
    readonly c: Collect,
  ) {}

  push(line: string): void {
    this.out.push(line);
  }

  /** A blank line, unless one is there already or a block or case label just opened. */
  blank(): void {
    const last = this.out.length > 0 ? this.out[this.out.length - 1] : '';
    if (last !== '' && !last.endsWith('{') && !last.endsWith(':')) this.out.push('');
  }

  get lineNo(): number {
    return this.out.length;
  }

  sample(kind: SampleKind, name: string, line: number): void {
    let s = this.c.samples.get(kind);
    if (!s) this.c.samples.set(kind, (s = { seen: 0, list: [] }));
    // The first ten, then every 97th: samples spread over the whole tree.
    s.seen++;
    if (s.list.length < SAMPLE_CAP && (s.list.length < 10 || s.seen % 97 === 0)) s.list.push({ name, kind, file: this.rel, line });
  }

  freshLocal(base: string): string {
    let n = base;
    for (let i = 2; this.localNames.has(n); i++) n = `${base}${i}`;
    this.localNames.add(n);
    return n;
  }
}

function copyrightHeader(g: FileGen, desc: string): void {
  const y1 = g.rng.int(1995, 2012);
  const y2 = g.rng.int(y1 + 1, 2025);
  g.push('/*');
  g.push(`    Copyright (C) ${y1}-${y2}, the synthetic tree authors. Generated test data.`);
  g.push('');
  g.push(`    Desc: ${desc}`);
  g.push('*/');
  g.push('');
}

function funcName(rng: Rng): string {
  return rng.pick(VERBS) + rng.pick(NOUNS) + rng.pick(SUFFIXES);
}

function sentence(rng: Rng, verb: string, noun: string): string {
  const v = verb.endsWith('s') ? verb : verb.endsWith('h') || verb.endsWith('x') ? `${verb}es` : `${verb}s`;
  return `${v} the ${noun.toLowerCase()} ${rng.pick(TAILS)}.`;
}

function randomParams(rng: Rng, n: number, structs: readonly StructInfo[]): Param[] {
  const params: Param[] = [];
  const used = new Set<string>();
  let a = 0;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const pointer = rng.chance(0.55);
    let type: string;
    if (pointer && structs.length > 0 && rng.chance(0.3)) type = `struct ${rng.pick(structs).name} *`;
    else type = pointer ? rng.pick(POINTER_TYPES) : rng.pick(SCALAR_TYPES);
    let name = rng.pick(rng.chance(0.5) ? LONG_LOCALS : LOCALS);
    for (let k = 2; used.has(name); k++) name = `${rng.pick(LOCALS)}${k}`;
    used.add(name);
    const isPtr = type.endsWith('*') || type === 'APTR' || type.endsWith('STRPTR');
    const reg = isPtr && a < 6 ? `A${a++}` : d < 8 ? `D${d++}` : `A${a++}`;
    params.push({ type, name, reg });
  }
  return params;
}

function decl(type: string, name: string): string {
  return type.endsWith('*') ? `${type}${name}` : `${type} ${name}`;
}

// --- expressions and statements ---------------------------------------------

interface Scope {
  vars: { name: string; type: string }[];
  ret: string;
  fn: string;
}

function pickVar(g: FileGen, s: Scope): string {
  return s.vars.length > 0 ? g.rng.pick(s.vars).name : '0';
}

function pickConst(g: FileGen): string {
  const rng = g.rng;
  const r = rng.next();
  if (r < 0.3 && g.flags.length > 0) return rng.pick(g.flags);
  if (r < 0.45 && g.constants.length > 0) return rng.pick(g.constants);
  if (r < 0.65) return `0x${rng.int(1, 0xffff).toString(16)}`;
  if (r < 0.8) return 'NULL';
  return String(rng.int(0, 64));
}

function fieldAccess(g: FileGen, s: Scope): string {
  const rng = g.rng;
  const structVars = s.vars.filter((v) => v.type.startsWith('struct ') && v.type.endsWith('*'));
  if (structVars.length > 0 && g.structs.length > 0) {
    const v = rng.pick(structVars);
    const sname = v.type.slice(7, -1).trim();
    const st = g.structs.find((x) => x.name === sname);
    if (st && st.fields.length > 0) return `${v.name}->${rng.pick(st.fields).name}`;
  }
  return pickVar(g, s);
}

function condition(g: FileGen, s: Scope): string {
  const rng = g.rng;
  switch (rng.int(0, 5)) {
    case 0:
      return `${pickVar(g, s)} == NULL`;
    case 1:
      return `(${fieldAccess(g, s)} & ${pickConst(g)}) != 0`;
    case 2:
      return `!${pickVar(g, s)}`;
    case 3:
      return `${fieldAccess(g, s)} ${rng.pick(['<', '>', '<=', '>=', '!='])} ${pickConst(g)}`;
    case 4:
      return `${pickVar(g, s)} && ${fieldAccess(g, s)} != ${pickConst(g)}`;
    default:
      return `${pickVar(g, s)} ${rng.pick(['<', '>', '=='])} ${pickVar(g, s)}`;
  }
}

function callExpr(g: FileGen, s: Scope): string {
  const rng = g.rng;
  let name: string;
  let arity: number;
  const r = rng.next();
  if (r < 0.35 && g.helpers.length > 0) {
    const h = rng.pick(g.helpers);
    name = h.name;
    arity = h.params.length;
  } else if (r < 0.55 && g.c.knownLibFuncs.length > 0) {
    const h = g.c.knownLibFuncs[Math.floor(rng.next() * Math.min(g.c.knownLibFuncs.length, 4000))].sig;
    name = h.name;
    arity = h.params.length;
  } else {
    const cc = rng.pick(COMMON_CALLS);
    name = cc.name;
    arity = cc.arity;
  }
  const args: string[] = [];
  for (let i = 0; i < arity; i++) {
    const k = rng.next();
    args.push(k < 0.4 ? pickVar(g, s) : k < 0.7 ? fieldAccess(g, s) : k < 0.8 ? `&${pickVar(g, s)}` : pickConst(g));
  }
  return `${name}(${args.join(', ')})`;
}

function simpleStatement(g: FileGen, s: Scope, ind: string): void {
  const rng = g.rng;
  const r = rng.next();
  const note = rng.chance(0.25) ? ` /* ${rng.pick(NOTES)} */` : '';
  if (r < 0.3) g.push(`${ind}${pickVar(g, s)} = ${callExpr(g, s)};${note}`);
  else if (r < 0.48) g.push(`${ind}${callExpr(g, s)};${note}`);
  else if (r < 0.66) g.push(`${ind}${fieldAccess(g, s)} = ${rng.chance(0.5) ? fieldAccess(g, s) : pickConst(g)};${note}`);
  else if (r < 0.76) g.push(`${ind}${pickVar(g, s)} ${rng.pick(['+=', '-=', '|=', '&=', '^='])} ${pickConst(g)};${note}`);
  else if (r < 0.92) g.push(`${ind}D(bug("[${g.module.camel}] ${s.fn}: ${rng.pick(NOUNS).toLowerCase()} %ld, ${rng.pick(FIELD_WORDS).toLowerCase()} 0x%lx\\n", (LONG)${pickVar(g, s)}, (IPTR)${fieldAccess(g, s)}));`);
  else g.push(`${ind}${pickVar(g, s)}++;${note}`);
}

/** Compound-statement probability by nesting depth: real bodies spend many lines two or three levels deep. */
const COMPOUND_BY_DEPTH = [0.5, 0.42, 0.28, 0.12];

function emitBlock(g: FileGen, s: Scope, budget: number, depth: number, ind: string): void {
  const rng = g.rng;
  const start = g.lineNo;
  const inner = `${ind}    `;
  while (g.lineNo - start < budget) {
    const remaining = budget - (g.lineNo - start);
    const sub = (lo: number, hi: number): number => Math.max(1, Math.min(remaining - 3, rng.int(lo, hi)));
    const compound = depth < COMPOUND_BY_DEPTH.length && remaining >= 5 && rng.chance(COMPOUND_BY_DEPTH[depth]);
    const r = rng.next();
    if (compound && r < 0.45) {
      g.push(`${ind}if (${condition(g, s)})`);
      if (rng.chance(0.35)) {
        g.push(`${inner}${rng.chance(0.5) ? `return ${s.ret === 'void' ? '' : retValue(g, s)}`.trimEnd() + ';' : `${pickVar(g, s)} = ${pickConst(g)};`}`);
      } else {
        g.push(`${ind}{`);
        emitBlock(g, s, sub(2, 14), depth + 1, inner);
        g.push(`${ind}}`);
        if (rng.chance(0.3) && budget - (g.lineNo - start) > 6) {
          g.push(`${ind}else`);
          g.push(`${ind}{`);
          emitBlock(g, s, rng.int(1, 6), depth + 1, inner);
          g.push(`${ind}}`);
        }
      }
    } else if (compound && r < 0.7) {
      const i = pickVar(g, s);
      g.push(`${ind}for (${i} = 0; ${i} < ${rng.chance(0.5) ? fieldAccess(g, s) : pickConst(g)}; ${i}++)`);
      g.push(`${ind}{`);
      emitBlock(g, s, sub(2, 14), depth + 1, inner);
      g.push(`${ind}}`);
    } else if (compound && r < 0.85) {
      g.push(`${ind}while (${condition(g, s)})`);
      g.push(`${ind}{`);
      emitBlock(g, s, sub(2, 12), depth + 1, inner);
      g.push(`${ind}}`);
    } else if (compound && depth < 3 && remaining >= 10) {
      g.push(`${ind}switch (${fieldAccess(g, s)})`);
      g.push(`${ind}{`);
      const cases = rng.int(2, 5);
      for (let k = 0; k < cases; k++) {
        g.push(`${ind}case ${g.constants.length > 0 && rng.chance(0.6) ? rng.pick(g.constants) : String(k)}:`);
        emitBlock(g, s, rng.int(1, 4), depth + 1, inner);
        g.push(`${inner}break;`);
        if (rng.chance(0.3)) g.blank();
      }
      g.push(`${ind}default:`);
      g.push(`${inner}break;`);
      g.push(`${ind}}`);
    } else if (r < 0.08) {
      g.blank();
      if (g.lineNo - start >= budget) break;
      simpleStatement(g, s, ind);
    } else if (r < 0.12) {
      g.push(`${ind}/* ${rng.pick(WHYS)} */`);
    } else if (r < 0.15 && remaining >= 4) {
      g.blank();
      g.push(`${ind}/*`);
      g.push(`${inner}${sentence(rng, rng.pick(VERBS), rng.pick(NOUNS))} ${rng.pick(WHYS)}`);
      g.push(`${ind}*/`);
    } else {
      simpleStatement(g, s, ind);
    }
  }
}

function retValue(g: FileGen, s: Scope): string {
  if (s.ret === 'BOOL') return g.rng.pick(['TRUE', 'FALSE']);
  if (s.ret.endsWith('*') || s.ret === 'APTR' || s.ret === 'STRPTR') return g.rng.pick(['NULL', pickVar(g, s)]);
  if (s.ret === 'double' || s.ret === 'float') return '0.0';
  return g.rng.pick(['0', pickVar(g, s), '-1']);
}

/** Function body lines between the braces: locals, statements, return. */
function emitBody(g: FileGen, sig: FuncSig, budget: number, ind: string): void {
  const rng = g.rng;
  const scope: Scope = { vars: sig.params.map((p) => ({ name: p.name, type: p.type })), ret: sig.ret, fn: sig.name };
  const nLocals = Math.min(6, Math.max(1, Math.round(budget / 8)));
  for (let i = 0; i < nLocals; i++) {
    let name = rng.pick(rng.chance(0.55) ? LONG_LOCALS : LOCALS);
    if (scope.vars.some((v) => v.name === name)) name = `${name}${i + 2}`;
    if (scope.vars.some((v) => v.name === name)) continue;
    const structType = g.structs.length > 0 && rng.chance(0.35) ? `struct ${rng.pick(g.structs).name} *` : null;
    const type = structType ?? (rng.chance(0.7) ? rng.pick(SCALAR_TYPES) : rng.pick(POINTER_TYPES));
    scope.vars.push({ name, type });
    const init = rng.chance(0.4) ? (type.endsWith('*') || type === 'APTR' ? ' = NULL' : ' = 0') : '';
    g.push(`${ind}${decl(type, name)}${init};`);
  }
  g.push('');
  emitBlock(g, scope, Math.max(1, budget - nLocals - 3), 0, ind);
  if (sig.ret !== 'void') {
    g.blank();
    g.push(`${ind}return ${retValue(g, scope)};`);
  }
}

function signatureLine(sig: FuncSig): string {
  const params = sig.params.length === 0 ? 'void' : sig.params.map((p) => decl(p.type, p.name)).join(', ');
  return `${decl(sig.ret, sig.name)}(${params})`;
}

function randomRet(rng: Rng, structs: readonly StructInfo[]): string {
  const r = rng.next();
  if (r < 0.25) return 'void';
  if (r < 0.35) return 'BOOL';
  if (r < 0.45 && structs.length > 0) return `struct ${rng.pick(structs).name} *`;
  if (r < 0.65) return rng.pick(['ULONG', 'LONG', 'IPTR']);
  return rng.pick(['APTR', 'struct Node *', 'STRPTR', 'Object *', 'LONG', 'ULONG']);
}

/** A plain C function of about `budget` lines. */
function emitFunction(g: FileGen, sig: FuncSig, storage: string, budget: number, leadComment = true): void {
  const rng = g.rng;
  if (leadComment && rng.chance(0.3)) {
    if (rng.chance(0.5)) {
      g.push(`/* ${sentence(rng, rng.pick(VERBS), rng.pick(NOUNS))} */`);
    } else {
      g.push('/*');
      g.push(`    ${sentence(rng, rng.pick(VERBS), rng.pick(NOUNS))} ${rng.pick(WHYS)}`);
      g.push(`    ${rng.pick(WHYS)} ${rng.pick(WHYS)}`);
      g.push('*/');
    }
  }
  let line = g.lineNo;
  if (rng.chance(0.15)) {
    // Return type on a line of its own: the name is on the next line.
    g.push(`${storage}${sig.ret}`);
    line = g.lineNo;
    g.push(signatureLine({ ...sig, ret: '' }).trimStart());
  } else {
    g.push(`${storage}${signatureLine(sig)}`);
  }
  g.push('{');
  emitBody(g, sig, Math.max(2, budget - 4), '    ');
  g.push('}');
  g.push('');
  g.c.counts.functions++;
  g.sample('function', sig.name, line);
}

function newHelper(g: FileGen, prefix: string): FuncSig {
  const rng = g.rng;
  let name = '';
  for (let k = 0; k < 20; k++) {
    const n = rng.chance(0.5) ? `${prefix}_${rng.pick(VERBS)}${rng.pick(NOUNS)}` : `${rng.pick(VERBS).toLowerCase()}_${rng.pick(NOUNS).toLowerCase()}`;
    if (!g.localNames.has(n)) {
      name = n;
      break;
    }
  }
  if (name === '') name = g.freshLocal(`${prefix}_Helper`);
  g.localNames.add(name);
  return { name, ret: randomRet(rng, g.structs), params: randomParams(rng, rng.weighted([2, 4, 4, 3, 1]), g.structs) };
}

// --- library functions --------------------------------------------------------

interface LhShape {
  macro: string;
  /** Argument lines, in order, as written in SYNOPSIS. */
  args: string[];
}

function lhShape(rng: Rng, params: Param[], old: boolean): LhShape {
  const n = params.length;
  const r = rng.next();
  if (old) {
    return { macro: `__AROS_LH${n}`, args: params.map((p) => `__AROS_LA(${p.type}, ${p.name}, ${p.reg})`) };
  }
  const plain = (p: Param): string => `AROS_LHA(${p.type}, ${p.name}, ${p.reg})`;
  if (n >= 1 && n <= 3 && r < 0.02) {
    // Last argument is a 64-bit value in a register pair.
    const q = params[n - 1];
    q.type = rng.pick(['QUAD', 'UQUAD']);
    const pair = `D${6 - (n % 2)}/D${7 - (n % 2)}`;
    q.reg = pair;
    const lead = n - 1 === 0 ? 'AROS_LHQUAD1' : `AROS_LH${n - 1}QUAD1`;
    return { macro: lead, args: [...params.slice(0, -1).map(plain), `AROS_LHA2(${q.type}, ${q.name}, ${pair.replace('/', ', ')})`] };
  }
  if (n >= 1 && n <= 2 && r < 0.05) {
    for (const [k, p] of params.entries()) {
      p.type = 'double';
      p.reg = `D${2 * k}/D${2 * k + 1}`;
    }
    return { macro: `AROS_LHDOUBLE${n}`, args: params.map((p) => `AROS_LHA2(double, ${p.name}, ${p.reg.replace('/', ', ')})`) };
  }
  const iForm = r < 0.11 ? 'I' : '';
  return { macro: `AROS_LH${n}${iForm}`, args: params.map(plain) };
}

/** A new function of `lib` at its next LVO; names are unique over the tree. */
function newLibFunction(rng: Rng, c: Collect, lib: LibraryInfo, structs: readonly StructInfo[]): { sig: FuncSig; lvo: number } {
  let name = '';
  while (lib.preferredNames.length > 0 && name === '') {
    const n = lib.preferredNames.shift() as string;
    if (!c.usedLibNames.has(n)) name = n;
  }
  for (let k = 0; k < 30 && name === ''; k++) {
    const n = funcName(rng);
    if (!c.usedLibNames.has(n)) name = n;
  }
  if (name === '') name = `${funcName(rng)}${c.usedLibNames.size}`;
  c.usedLibNames.add(name);
  const known = EXEC_SIGS[name];
  const sig: FuncSig = known
    ? { name, ret: known[0], params: known[1].map(([type, pname, reg]) => ({ type, name: pname, reg })) }
    : { name, ret: randomRet(rng, structs), params: randomParams(rng, rng.weighted([8, 25, 28, 18, 10, 5, 3, 2, 1]), structs) };
  // Now and then a vector is left unused, which the .conf writes as `.skip`.
  if (lib.nextLvo > 5 && rng.chance(0.02)) lib.nextLvo += rng.int(1, 3);
  const lvo = lib.nextLvo++;
  lib.byLvo.set(lvo, sig);
  return { sig, lvo };
}

function emitLibFunction(g: FileGen, lib: LibraryInfo, sig: FuncSig, lvo: number, budget: number, override: boolean): void {
  const rng = g.rng;
  const old = rng.chance(0.004);
  const shape = lhShape(rng, sig.params, old);
  g.push('/*****************************************************************************');
  g.push('');
  g.push('    NAME */');
  if (rng.chance(0.3) && g.c.publicHeaders.length > 0) {
    g.push(`#include ${rng.pick(g.c.publicHeaders).includeSpec}`);
    g.c.counts.includes++;
  }
  g.push(`#include <proto/${lib.protoName}.h>`);
  g.c.counts.includes++;
  g.push('');
  const macroLine = g.lineNo;
  g.push(`        ${shape.macro}(${sig.ret}, ${sig.name},`);
  g.push('');
  if (shape.args.length > 0) {
    g.push('/*  SYNOPSIS */');
    for (const a of shape.args) g.push(`        ${a},`);
    g.push('');
  }
  g.push('/*  LOCATION */');
  g.push(`        ${lib.baseTypeName}, ${lib.baseName}, ${lvo}, ${lib.libName})`);
  g.push('');
  const verb = VERBS.find((v) => sig.name.startsWith(v)) ?? rng.pick(VERBS);
  g.push('/*  FUNCTION');
  g.push(`        ${sentence(rng, verb, rng.pick(NOUNS))}`);
  if (rng.chance(0.5)) g.push(`        ${rng.pick(WHYS)}`);
  g.push('');
  g.push('    INPUTS');
  if (sig.params.length === 0) g.push('        None.');
  const width = Math.max(0, ...sig.params.map((p) => p.name.length));
  for (const p of sig.params) g.push(`        ${p.name.padEnd(width)} - the ${rng.pick(NOUNS).toLowerCase()} to work on`);
  g.push('');
  g.push('    RESULT');
  g.push(sig.ret === 'void' ? '        None.' : `        The ${rng.pick(NOUNS).toLowerCase()}, or ${sig.ret === 'BOOL' ? 'FALSE' : 'NULL'} on failure.`);
  g.push('');
  g.push('    NOTES');
  if (rng.chance(0.4)) g.push(`        ${rng.pick(WHYS)}`);
  g.push('');
  g.push('    EXAMPLE');
  g.push('');
  g.push('    BUGS');
  const bug = rng.pick(BUGS);
  if (bug) g.push(`        ${bug}`);
  g.push('');
  g.push('    SEE ALSO');
  const others = g.c.knownLibFuncs.length > 0 ? [rng.pick(g.c.knownLibFuncs).sig.name, rng.pick(g.c.knownLibFuncs).sig.name] : [];
  if (others.length > 0) g.push(`        ${[...new Set(others)].map((n) => `${n}()`).join(', ')}`);
  g.push('');
  g.push('    INTERNALS');
  g.push('');
  g.push('******************************************************************************/');
  g.push('{');
  g.push('    AROS_LIBFUNC_INIT');
  g.push('');
  if (rng.chance(0.08) && g.c.knownLibFuncs.length > 0) {
    // A call through a library base, as a built tree writes it: a use, not a definition.
    const k = rng.pick(g.c.knownLibFuncs);
    const n = k.sig.params.length;
    g.push(`    AROS_LC${n}(${k.sig.ret}, ${k.sig.name},`);
    for (const p of k.sig.params) g.push(`        AROS_LCA(${p.type}, ${p.type.endsWith('*') || p.type === 'APTR' ? 'NULL' : '0'}, ${p.reg.split('/')[0]}),`);
    g.push(`        ${k.lib.baseTypeName}, ${k.lib.baseName}, ${k.lvo}, ${k.lib.libName});`);
    g.push('');
  }
  emitBody(g, sig, Math.max(3, budget - 50), '    ');
  g.push('');
  g.push('    AROS_LIBFUNC_EXIT');
  g.push(`} /* ${sig.name} */`);
  g.push('');
  g.c.libFunctions.push({
    name: sig.name, file: g.rel, line: macroLine, macro: shape.macro, library: lib.libName,
    baseType: lib.baseTypeName, baseName: lib.baseName, lvo, override,
  });
  if (!override) g.c.knownLibFuncs.push({ sig, lib, lvo });
  if (!override) g.sample('libFunction', sig.name, macroLine);
}

// --- hooks -------------------------------------------------------------------

function emitHook(g: FileGen, budget: number): string {
  const rng = g.rng;
  const n = rng.weighted([3, 8, 30, 50, 6, 3]);
  const sVariant = rng.chance(0.2);
  const staticPrefix = !sVariant && rng.chance(0.1) ? 'static ' : '';
  const macro = `AROS_UFH${n}${sVariant ? 'S' : ''}`;
  const name = g.freshLocal(rng.chance(0.5) ? `${g.module.camel}_${rng.pick(NOUNS)}Hook` : `${rng.pick(NOUNS).toLowerCase()}_${rng.pick(['func', 'hook', 'callback', 'handler'])}`);
  const regs = ['A0', 'A2', 'A1', 'D0', 'D1', 'A3'];
  const types = ['struct Hook *', 'Object *', 'APTR', 'ULONG', 'LONG', 'struct RastPort *'];
  const names = ['hook', 'obj', 'msg', 'value', 'count', 'rp'];
  const params: Param[] = [];
  for (let i = 0; i < n; i++) params.push({ type: types[i], name: names[i], reg: regs[i] });
  const ret = rng.pick(['IPTR', 'ULONG', 'void', 'LONG', 'BOOL']);
  const line = g.lineNo;
  if (n === 0) {
    g.push(`${staticPrefix}${macro}(${ret}, ${name})`);
  } else {
    g.push(`${staticPrefix}${macro}(${ret}, ${name},`);
    params.forEach((p, i) => g.push(`    AROS_UFHA(${p.type}, ${p.name}, ${p.reg})${i === n - 1 ? ')' : ','}`));
  }
  g.push('{');
  g.push('    AROS_USERFUNC_INIT');
  g.push('');
  emitBody(g, { name, ret, params }, Math.max(2, budget - n - 8), '    ');
  g.push('');
  g.push('    AROS_USERFUNC_EXIT');
  g.push('}');
  g.push('');
  g.c.hooks.push({ name, file: g.rel, line, macro });
  g.sample('hook', name, line);
  if (rng.chance(0.3)) {
    // A hook structure pointing at it: a reference from data.
    g.push(`static struct Hook ${g.freshLocal(`${name}_struct`)} = { { NULL, NULL }, (HOOKFUNC)${name}, NULL, NULL };`);
    g.push('');
  }
  return name;
}

// --- breadcrumbs -------------------------------------------------------------

function emitBreadcrumb(g: FileGen): void {
  const rng = g.rng;
  const c = g.c;
  const phase = rng.pick(c.phases);
  const status = rng.pick(STATUSES);
  // Only depend on phases declared earlier in the tree: always declared, never a cycle.
  const myIndex = c.phases.indexOf(phase);
  const earlier = c.declaredPhases.filter((p) => c.phases.indexOf(p) < myIndex);
  const deps = earlier.length > 0 && rng.chance(0.6) ? [...new Set([rng.pick(earlier), rng.pick(earlier)])] : [];
  const tags: string[] = [`AI_PHASE: ${phase}`, `AI_STATUS: ${status}`];
  if (rng.chance(0.7)) tags.push(`AI_PRIORITY: ${rng.int(1, 10)}`);
  if (deps.length > 0) tags.push(`AI_DEPENDENCIES: ${deps.join(', ')}`);
  if (rng.chance(0.6)) tags.push(`AI_STRATEGY: ${sentence(rng, rng.pick(VERBS), rng.pick(NOUNS))}`);
  if (rng.chance(0.3)) tags.push(`LINUX_REF: drivers/gpu/drm/${rng.pick(SYLLABLES)}/${rng.pick(SYLLABLES)}_${rng.pick(C_FILE_WORDS)}.c`);
  if (rng.chance(0.25)) {
    tags.push(`COMPILER_ERR: ${path.posix.basename(g.rel)}:${rng.int(10, 900)}:${rng.int(1, 40)}: error: '${rng.pick(LOCALS)}' undeclared (first use in this function)`);
    tags.push(`FIX_REASON: ${rng.pick(WHYS)}`);
  }
  const json: string[] = [];
  if (rng.chance(0.4)) {
    if (rng.chance(0.5)) tags.push(`AI_CONTEXT: { "unit": "${rng.pick(NOUNS).toLowerCase()}", "count": ${rng.int(1, 64)} }`);
    else json.push('AI_CONTEXT: {', `  "regs": [${rng.int(0, 255)}, ${rng.int(0, 255)}],`, `  "enabled": ${rng.chance(0.5)}`, '}');
  }
  const form = rng.weighted([6, 3, 1]);
  const line = g.lineNo;
  if (form === 0) {
    for (const t of [...tags, ...json]) g.push(`// ${t}`);
  } else {
    g.push(form === 2 ? '/**' : '/*');
    for (const t of [...tags, ...json]) g.push(` * ${t}`);
    g.push(' */');
  }
  c.breadcrumbs.push({ file: g.rel, line, form: form === 0 ? 'line' : form === 1 ? 'block' : 'doc', phase, status });
  if (!c.declaredPhases.includes(phase)) c.declaredPhases.push(phase);
}

// --- headers -----------------------------------------------------------------

function emitStruct(g: FileGen, name: string, typedef: boolean, first?: { type: string; name: string }): StructInfo {
  const rng = g.rng;
  const initials = name.replace(/[^A-Z]/g, '').toLowerCase().slice(0, 3) || 'x';
  const nFields = rng.int(2, 12);
  const fields: { type: string; name: string }[] = first ? [first] : [];
  const used = new Set<string>(fields.map((f) => f.name));
  for (let i = fields.length; i < nFields; i++) {
    let fname = `${initials}_${rng.pick(FIELD_WORDS)}`;
    for (let k = 2; used.has(fname); k++) fname = `${initials}_${rng.pick(FIELD_WORDS)}${k}`;
    used.add(fname);
    const r = rng.next();
    const type = r < 0.55 ? rng.pick(SCALAR_TYPES) : r < 0.9 ? rng.pick(POINTER_TYPES) : rng.pick(['struct MinList', 'struct Node', 'struct SignalSemaphore']);
    fields.push({ type, name: fname });
  }
  if (rng.chance(0.4)) g.push(`/* ${sentence(rng, rng.pick(VERBS), rng.pick(NOUNS))} */`);
  const line = g.lineNo;
  g.push(`${typedef ? 'typedef ' : ''}struct ${name}`);
  g.push('{');
  const bare = (t: string): string => (t.endsWith('*') ? t.slice(0, -1).trimEnd() : t);
  const width = Math.max(...fields.map((f) => bare(f.type).length)) + 1;
  const nameWidth = Math.max(...fields.map((f) => f.name.length)) + 5;
  for (const f of fields) {
    const arr = rng.chance(0.05) ? `[${rng.int(2, 32)}]` : '';
    const decl = `    ${bare(f.type).padEnd(width)}${f.type.endsWith('*') ? '*' : ' '}${f.name}${arr};`;
    g.push(rng.chance(0.4) ? `${decl.padEnd(width + nameWidth + 6)}/* ${rng.pick(FIELD_NOTES)} */` : decl);
  }
  g.push(typedef ? `} ${name}_t;` : '};');
  g.push('');
  g.c.counts.structs++;
  if (typedef) g.c.counts.typedefs++;
  g.sample('struct', name, line);
  const info = { name, fields };
  g.structs.push(info);
  return info;
}

function emitHeaderContent(g: FileGen, target: number, prototypes: FuncSig[], info: HeaderInfo): void {
  const rng = g.rng;
  const m = g.module;
  // Prototypes first claim their lines, the rest is definitions.
  let protoIndex = 0;
  while (g.lineNo < target - 2) {
    const r = rng.next();
    if (r < 0.25) {
      const n = rng.int(2, 8);
      const base = `${m.prefix}${rng.pick(['F', 'B', 'M', 'A'])}_`;
      for (let i = 0; i < n; i++) {
        const word = rng.pick(FIELD_WORDS).toUpperCase();
        const name = `${base}${word}${i}`;
        const line = g.lineNo;
        g.push(`#define ${name.padEnd(32)} (1UL << ${i})${rng.chance(0.3) ? `  /* ${rng.pick(FIELD_NOTES)} */` : ''}`);
        g.c.counts.macros++;
        g.flags.push(name);
        info.flags.push(name);
        if (i === 0) g.sample('macro', name, line);
      }
      g.push('');
    } else if (r < 0.45) {
      const sname = `${m.camel}${rng.pick(NOUNS)}${rng.chance(0.3) ? rng.pick(['Info', 'Data', 'Msg', 'Node']) : ''}`;
      if (g.structs.some((s) => s.name === sname)) continue;
      const st = emitStruct(g, sname, rng.chance(0.15));
      info.structs.push(st);
    } else if (r < 0.48) {
      // A register or value seen in several ways.
      const uname = `${m.camel}${rng.pick(NOUNS)}Union`;
      if (g.structs.some((s) => s.name === uname)) continue;
      const line = g.lineNo;
      const pre = uname.replace(/[^A-Z]/g, '').toLowerCase().slice(0, 3);
      g.push(`union ${uname}`);
      g.push('{');
      g.push(`    ULONG ${pre}_Value;`);
      g.push(`    UWORD ${pre}_Words[2];`);
      g.push(`    UBYTE ${pre}_Bytes[4];`);
      g.push(`    APTR  ${pre}_Ptr;`);
      g.push('};');
      g.push('');
      g.c.counts.unions++;
      g.sample('struct', uname, line);
    } else if (r < 0.56) {
      const ename = `${m.camel}${rng.pick(NOUNS)}Kind`;
      const line = g.lineNo;
      g.push(`enum ${ename}`);
      g.push('{');
      const n = rng.int(2, 9);
      for (let i = 0; i < n; i++) {
        const cname = `${m.prefix}_${ename.slice(m.camel.length).toUpperCase()}_${rng.pick(FIELD_WORDS).toUpperCase()}${i}`;
        const item = `    ${cname}${i === 0 && rng.chance(0.5) ? ' = 0' : ''}${i < n - 1 ? ',' : ''}`;
        g.push(rng.chance(0.35) ? `${item.padEnd(44)}/* ${rng.pick(FIELD_NOTES)} */` : item);
        g.constants.push(cname);
        info.constants.push(cname);
      }
      g.push('};');
      g.push('');
      g.c.counts.enums++;
      g.sample('enum', ename, line);
    } else if (r < 0.62) {
      const tname = `${m.camel}${rng.pick(NOUNS)}${rng.pick(['Func', 'Ptr', 'ID', 'Handle'])}`;
      const line = g.lineNo;
      if (rng.chance(0.5)) g.push(`typedef ${rng.pick(SCALAR_TYPES)} (*${tname})(${rng.pick(POINTER_TYPES)}, ${rng.pick(SCALAR_TYPES)});`);
      else g.push(`typedef ${rng.pick(POINTER_TYPES)} ${tname};`.replace('* ', '*'));
      g.c.counts.typedefs++;
      info.typedefs.push(tname);
      g.sample('typedef', tname, line);
    } else if (r < 0.7) {
      const name = `${m.prefix}_${rng.pick(NOUNS).toUpperCase()}_${rng.pick(['MAX', 'MIN', 'SIZE', 'SHIFT', 'COUNT', 'VERSION'])}`;
      if (g.constants.includes(name)) continue;
      const line = g.lineNo;
      g.push(`#define ${name.padEnd(32)} ${rng.int(1, 4096)}${rng.chance(0.3) ? `  /* ${rng.pick(FIELD_NOTES)} */` : ''}`);
      g.c.counts.macros++;
      g.constants.push(name);
      info.constants.push(name);
      g.sample('macro', name, line);
    } else if (r < 0.76) {
      const name = `${m.prefix}_${rng.pick(VERBS).toUpperCase()}`;
      if (g.constants.includes(name)) continue;
      g.constants.push(name);
      g.push(`#define ${name}(x, y) \\`);
      g.push(`    (((x) ${rng.pick(['+', '-', '&', '|', '<<'])} (y)) ${rng.pick(['& 0xffff', '>> 1', '+ 1', ''])})`.replace(' )', ')'));
      g.c.counts.macros++;
    } else if (protoIndex < prototypes.length) {
      g.push('');
      if (rng.chance(0.5)) g.push(`/* ${sentence(rng, rng.pick(VERBS), rng.pick(NOUNS))} */`);
      const n = Math.min(prototypes.length - protoIndex, rng.int(1, 6));
      for (let i = 0; i < n; i++) g.push(`${signatureLine(prototypes[protoIndex++])};`);
      g.push('');
    } else if (r < 0.9) {
      const vname = `${m.camel}${rng.pick(NOUNS)}${rng.pick(['Base', 'Table', 'Count', 'List'])}`;
      g.push(`extern ${decl(rng.pick([...POINTER_TYPES, ...SCALAR_TYPES]), vname)};`);
    } else {
      g.push(`/* ${rng.pick(WHYS)} */`);
    }
  }
  while (protoIndex < prototypes.length) g.push(`${signatureLine(prototypes[protoIndex++])};`);
}

function guardOf(rel: string): string {
  return rel.replace(/^compiler\/include\//, '').replace(/[^A-Za-z0-9]/g, '_').toUpperCase();
}

// --- .c files ----------------------------------------------------------------

function emitIncludes(g: FileGen, moduleHeaders: HeaderInfo[], subdirDepth: number): void {
  const rng = g.rng;
  const incs = ['<exec/types.h>'];
  if (rng.chance(0.7)) incs.push('<proto/exec.h>');
  if (g.module.lib) incs.push(`<proto/${g.module.lib.protoName}.h>`);
  const pub = g.c.publicHeaders;
  const nPub = Math.min(pub.length, rng.int(0, 5));
  for (let i = 0; i < nPub; i++) {
    const h = rng.pick(pub);
    if (!incs.includes(h.includeSpec)) incs.push(h.includeSpec);
    g.structs.push(...h.structs);
    g.flags.push(...h.flags);
    g.constants.push(...h.constants);
  }
  for (const inc of incs) g.push(`#include ${inc}`);
  g.push('');
  const up = '../'.repeat(subdirDepth);
  for (const h of moduleHeaders) {
    if (h !== moduleHeaders[0] && !rng.chance(0.5)) continue;
    g.push(`#include "${up}${h.includeSpec.slice(1, -1)}"`);
    g.structs.push(...h.structs);
    g.flags.push(...h.flags);
    g.constants.push(...h.constants);
    incs.push(h.includeSpec);
  }
  g.c.counts.includes += incs.length;
  if (rng.chance(0.5)) {
    g.push('');
    g.push('#define DEBUG 0');
    g.push('#include <aros/debug.h>');
    g.c.counts.macros++;
    g.c.counts.includes++;
  }
  g.push('');
}

function emitTable(g: FileGen, target: number, wide: boolean): void {
  const rng = g.rng;
  const name = `${g.module.camel}${rng.pick(['Video', 'Font', 'Gamma', 'Palette', 'Sample', 'Crc'])}Table`;
  if (wide) {
    // Byte table: ~77 bytes a line, like the big generated image tables.
    g.push('#include <exec/types.h>');
    g.push('');
    const line = g.lineNo;
    g.push(`const UBYTE ${name}[] =`);
    g.push('{');
    g.sample('variable', name, line);
    let v = rng.int(0, 255);
    while (g.lineNo < target - 2) {
      const cells: string[] = [];
      for (let i = 0; i < 12; i++) {
        v = (v * 167 + 13 + (i & 3)) & 0xff;
        cells.push(`0x${v.toString(16).padStart(2, '0')}`);
      }
      g.push(`    ${cells.join(', ')},`);
    }
    g.push('};');
  } else {
    // Struct table: more tokens per line, the other kind of large generated file.
    g.push('#include <exec/types.h>');
    g.push('');
    g.push(`struct ${name}Entry`);
    g.push('{');
    g.push('    UWORD        te_Code;');
    g.push('    UWORD        te_Flags;');
    g.push('    ULONG        te_Value;');
    g.push('    ULONG        te_Mask;');
    g.push('    CONST_STRPTR te_Name;');
    g.push('    APTR         te_Extra;');
    g.push('};');
    g.push('');
    g.c.counts.structs++;
    const line = g.lineNo;
    g.push(`const struct ${name}Entry ${name}[] =`);
    g.push('{');
    g.sample('variable', name, line);
    let k = 0;
    while (g.lineNo < target - 2) {
      const hex = (): string => `0x${rng.int(0, 0x7fffffff).toString(16).padStart(8, '0')}`;
      g.push(`    { 0x${(k & 0xffff).toString(16).padStart(4, '0')}, ${String(rng.int(0, 15)).padStart(2)}, ${hex()}, ${hex()}, "${rng.pick(NOUNS).toLowerCase()}_${k}", NULL },`);
      k++;
    }
    g.push('};');
  }
}

/** Define the module helpers assigned to this file, then static and global functions up to `target` lines. */
function fillPlain(g: FileGen, target: number, prefix: string, helpersToDefine: FuncSig[]): void {
  const rng = g.rng;
  for (const sig of helpersToDefine) {
    const size = Math.max(6, Math.min(120, Math.round(rng.logNormal(Math.log(24), 0.7))));
    emitFunction(g, sig, '', size);
  }
  while (g.lineNo < target - 6) {
    const remaining = target - g.lineNo;
    const size = Math.max(6, Math.min(remaining, Math.round(rng.logNormal(Math.log(24), 0.8)), 200));
    const sig = newHelper(g, prefix);
    emitFunction(g, sig, rng.chance(0.6) ? 'static ' : '', size);
    g.helpers.push(sig);
  }
}

function emitGlobals(g: FileGen): void {
  const rng = g.rng;
  const n = rng.int(0, 3);
  for (let i = 0; i < n; i++) {
    const name = g.freshLocal(`${g.module.camel}${rng.pick(NOUNS)}${rng.pick(['Count', 'List', 'Base', 'Mode', 'Table'])}`);
    const line = g.lineNo;
    const type = rng.pick([...SCALAR_TYPES, ...POINTER_TYPES]);
    g.push(`${rng.chance(0.6) ? 'static ' : ''}${decl(type, name)}${rng.chance(0.5) ? (type.endsWith('*') || type === 'APTR' || type.endsWith('STRPTR') ? ' = NULL' : ' = 0') : ''};`);
    g.sample('variable', name, line);
  }
  if (n > 0) g.push('');
}

// ---------------------------------------------------------------------------
// Writing: bounded concurrency, directories created once.

class Writer {
  private readonly inflight = new Set<Promise<void>>();
  private readonly dirs = new Map<string, Promise<void>>();
  private error: unknown = null;

  constructor(
    private readonly root: string,
    private readonly limit: number,
  ) {}

  async write(rel: string, data: string): Promise<void> {
    while (this.inflight.size >= this.limit) await Promise.race(this.inflight);
    if (this.error !== null) throw this.error;
    const abs = path.join(this.root, rel);
    const p: Promise<void> = this.ensureDir(path.dirname(abs))
      .then(() => fsp.writeFile(abs, data))
      .catch((err: unknown) => {
        if (this.error === null) this.error = err;
      })
      .finally(() => {
        this.inflight.delete(p);
      });
    this.inflight.add(p);
  }

  private ensureDir(dir: string): Promise<void> {
    let p = this.dirs.get(dir);
    if (!p) {
      p = fsp.mkdir(dir, { recursive: true }).then(() => undefined);
      this.dirs.set(dir, p);
    }
    return p;
  }

  async drain(): Promise<void> {
    await Promise.all([...this.inflight]);
    if (this.error !== null) throw this.error;
  }
}

// ---------------------------------------------------------------------------
// Driver

interface Totals {
  cFiles: number;
  hFiles: number;
  confFiles: number;
  lines: number;
  bytes: number;
  confBytes: number;
  sizes: FileSize[];
}

function uniqueFile(used: Set<string>, dir: string, base: string, ext: string): string {
  let rel = `${dir}/${base}${ext}`;
  for (let n = 2; used.has(rel); n++) rel = `${dir}/${base}${n}${ext}`;
  used.add(rel);
  return rel;
}

function phaseList(rng: Rng, count: number): string[] {
  const out: string[] = [];
  for (let k = 0; out.length < count && k < count * 20; k++) {
    const p = `${rng.pick(PHASE_HEADS)}_${rng.pick(PHASE_TAILS)}`;
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

function confText(lib: LibraryInfo): string {
  const lines = ['##begin config', `basename ${lib.libName}`, `libbase ${lib.baseName}`];
  lines.push(`libbasetype ${lib.baseTypeName.replace(/\s*\*$/, '')}`, 'version 41.1', '##end config', '');
  lines.push('##begin functionlist');
  const lvos = [...lib.byLvo.keys()].sort((a, b) => a - b);
  let expect = 5;
  for (const lvo of lvos) {
    if (lvo > expect) lines.push(`.skip ${lvo - expect}`);
    const sig = lib.byLvo.get(lvo) as FuncSig;
    const params = sig.params.map((p) => decl(p.type, p.name)).join(', ');
    lines.push(`${decl(sig.ret, sig.name)}(${params}) (${sig.params.map((p) => p.reg).join(', ')})`);
    expect = lvo + 1;
  }
  lines.push('##end functionlist', '');
  return lines.join('\n');
}

/** Generate the tree. Resolves with the manifest (also written to OUTDIR/manifest.json). */
export async function generateTree(options: GenerateOptions): Promise<Manifest> {
  const files = Math.max(1, Math.round(options.files ?? REAL_FILES));
  const lines = Math.max(files * 12, Math.round(options.lines ?? (REAL_LINES * files) / REAL_FILES));
  const seed = (options.seed ?? 1) >>> 0;
  const outDir = path.resolve(options.outDir);
  await prepareOutDir(outDir);

  const rng = new Rng(mixSeed(seed, -1));
  const plan = new Planner(rng).plan(files, lines);
  const collect: Collect = {
    libFunctions: [], hooks: [], breadcrumbs: [], samples: new Map(),
    counts: { structs: 0, unions: 0, enums: 0, typedefs: 0, macros: 0, functions: 0, includes: 0 },
    usedLibNames: new Set(), knownLibFuncs: [], publicHeaders: [],
    phases: phaseList(rng, 24), declaredPhases: [],
  };
  const writer = new Writer(outDir, Math.max(1, options.concurrency ?? 32));
  const totals: Totals = { cFiles: 0, hFiles: 0, confFiles: 0, lines: 0, bytes: 0, confBytes: 0, sizes: [] };
  const usedPaths = new Set<string>();
  const breadcrumbFiles = new Set<string>();
  const libFiles = new Set<string>();
  const hookFiles = new Set<string>();

  // Function bodies overshoot their budgets a little; carry the surplus over to the
  // next files' targets so the tree's total lands on the planned line count.
  let carry = 0;
  const adjusted = (planned: number): number => Math.max(12, planned - Math.max(0, Math.min(carry, Math.floor(planned * 0.3))));
  const settle = (planned: number, actual: number): void => {
    carry += actual - planned;
  };

  const emit = async (rel: string, g: FileGen, isHeader: boolean): Promise<void> => {
    const text = `${g.out.join('\n')}\n`;
    const bytes = Buffer.byteLength(text);
    totals.lines += g.out.length;
    totals.bytes += bytes;
    if (isHeader) totals.hFiles++;
    else totals.cFiles++;
    totals.sizes.push({ file: rel, lines: g.out.length, bytes });
    if (totals.sizes.length > 64) {
      totals.sizes.sort((a, b) => b.bytes - a.bytes || (a.file < b.file ? -1 : 1));
      totals.sizes.length = 16;
    }
    await writer.write(rel, text);
  };

  for (const m of plan.modules) {
    const moduleHeaders: HeaderInfo[] = [];
    // Internal helpers: declared in the module's first header, defined in its .c files.
    const helperRng = new Rng(mixSeed(seed, 1_000_000 + (m.cFiles[0]?.index ?? m.hFiles[0]?.index ?? 0)));
    const helperPool: FuncSig[] = [];
    const nHelpers = m.hFiles.length > 0 && m.kind !== 'headers' ? Math.min(40, m.cFiles.length * helperRng.int(0, 2)) : 0;
    const helperNames = new Set<string>();
    for (let i = 0; i < nHelpers; i++) {
      const name = `${m.camel}_${helperRng.pick(VERBS)}${helperRng.pick(NOUNS)}`;
      if (helperNames.has(name)) continue;
      helperNames.add(name);
      helperPool.push({ name, ret: randomRet(helperRng, []), params: randomParams(helperRng, helperRng.int(0, 4), []) });
    }

    // Headers first, so the module's .c files can include and use them.
    for (const [i, h] of m.hFiles.entries()) {
      const isPublic = m.kind === 'headers';
      const base = isPublic ? `${helperRng.pick(NOUNS).toLowerCase()}${helperRng.pick(['', '', 's', 'defs', 'class', 'base'])}` : i === 0 ? `${m.name}_intern` : `${m.name}_${helperRng.pick(H_FILE_WORDS)}`;
      // Some private headers live in the module's include/ directory.
      const hdir = !isPublic && i > 0 && helperRng.chance(0.3) ? `${m.dir}/include` : m.dir;
      const rel = uniqueFile(usedPaths, hdir, base, '.h');
      const g = new FileGen(new Rng(mixSeed(seed, h.index)), rel, m, collect);
      const spec = isPublic ? `<${rel.replace(/^compiler\/include\//, '')}>` : `"${rel.slice(m.dir.length + 1)}"`;
      const info: HeaderInfo = { includeSpec: spec, structs: [], flags: [], constants: [], typedefs: [] };
      const guard = guardOf(rel);
      g.push(`#ifndef ${guard}`);
      g.push(`#define ${guard}`);
      g.push('');
      collect.counts.macros++;
      copyrightHeader(g, `${isPublic ? 'Public' : 'Private'} definitions for ${m.camel}.`);
      const incs = ['<exec/types.h>'];
      for (let k = 0; k < g.rng.int(0, 3) && collect.publicHeaders.length > 0; k++) {
        const ph = g.rng.pick(collect.publicHeaders);
        if (!incs.includes(ph.includeSpec)) incs.push(ph.includeSpec);
      }
      for (const inc of incs) g.push(`#include ${inc}`);
      collect.counts.includes += incs.length;
      g.push('');
      if (i === 0 && m.lib?.baseStruct && !m.override) {
        const st = emitStruct(g, m.lib.baseStruct, false, { type: 'struct Library', name: `${m.lib.libName.toLowerCase().slice(0, 3)}_Lib` });
        info.structs.push(st);
      }
      emitHeaderContent(g, adjusted(h.targetLines) - 2, i === 0 ? helperPool : [], info);
      g.blank();
      g.push(`#endif /* ${guard} */`);
      settle(h.targetLines, g.lineNo);
      moduleHeaders.push(info);
      if (isPublic) collect.publicHeaders.push(info);
      await emit(rel, g, true);
    }

    // Spread the module's helper definitions over its .c files.
    const perFile: FuncSig[][] = m.cFiles.map(() => []);
    helperPool.forEach((h, k) => {
      if (perFile.length > 0) perFile[k % perFile.length].push(h);
    });

    for (const [fi, f] of m.cFiles.entries()) {
      const frng = new Rng(mixSeed(seed, f.index));
      const dir = f.subdir ? `${m.dir}/${f.subdir}` : m.dir;
      // Library files are named after their (first) function, as AROS does.
      let firstLib: { sig: FuncSig; lvo: number } | null = null;
      let overrideSig: FuncSig | null = null;
      if (f.role === 'lib' && m.lib) {
        if (m.override) overrideSig = pickOverride(m, frng);
        if (!overrideSig) firstLib = newLibFunction(frng, collect, m.lib, []);
      }
      const baseName =
        overrideSig !== null
          ? overrideSig.name.toLowerCase()
          : firstLib !== null
            ? firstLib.sig.name.toLowerCase()
            : f.role === 'table' || f.role === 'bigdata'
              ? `${m.name}_${frng.pick(['table', 'data', 'font', 'image', 'gamma', 'lut'])}`
              : frng.chance(0.5) ? `${m.name}_${frng.pick(C_FILE_WORDS)}` : frng.pick(C_FILE_WORDS);
      const rel = uniqueFile(usedPaths, dir, baseName, '.c');
      const g = new FileGen(frng, rel, m, collect);
      g.localNames.add(baseName);
      copyrightHeader(g, f.role === 'table' || f.role === 'bigdata' ? 'Generated table, do not edit.' : `${m.camel}: ${sentence(frng, frng.pick(VERBS), frng.pick(NOUNS))}`);

      if (f.role === 'table' || f.role === 'bigdata') {
        emitTable(g, f.targetLines, f.role === 'table');
        settle(f.targetLines, g.lineNo);
        await emit(rel, g, false);
        continue;
      }

      emitIncludes(g, moduleHeaders, f.subdir ? 1 : 0);
      g.helpers.push(...helperPool);
      emitGlobals(g);

      if (g.rng.chance(0.15)) {
        const sname = `${m.camel}${g.rng.pick(NOUNS)}Local`;
        emitStruct(g, sname, false);
      }

      const target = adjusted(f.targetLines);
      const mine = perFile[fi];
      if (f.role === 'lib' && m.lib) {
        const count = f.libFuncs;
        const perFunc = Math.max(55, Math.floor((target - g.lineNo) / Math.max(1, count)) - 4);
        for (let k = 0; k < count; k++) {
          let sig: FuncSig;
          let lvo: number;
          let isOverride = false;
          if (k === 0 && overrideSig) {
            sig = overrideSig;
            lvo = lvoOf(m.lib, sig);
            isOverride = true;
          } else if (k === 0 && firstLib) {
            sig = firstLib.sig;
            lvo = firstLib.lvo;
          } else {
            const o = m.override ? pickOverride(m, g.rng) : null;
            if (o) {
              sig = o;
              lvo = lvoOf(m.lib, o);
              isOverride = true;
            } else {
              ({ sig, lvo } = newLibFunction(g.rng, collect, m.lib, g.structs));
            }
          }
          // The file's own static helpers sit before the functions that call them.
          if (g.rng.chance(0.3)) {
            const h = newHelper(g, m.camel);
            emitFunction(g, h, 'static ', g.rng.int(8, 30));
            g.helpers.push(h);
          }
          emitLibFunction(g, m.lib, isOverride ? cloneSig(sig) : sig, lvo, g.rng.int(Math.round(perFunc * 0.6), perFunc), isOverride);
        }
        libFiles.add(rel);
      }
      if (f.hooks > 0) {
        const perHook = Math.max(14, Math.floor((target - g.lineNo) / (f.hooks + 1)));
        for (let k = 0; k < f.hooks; k++) {
          if (f.breadcrumbs > k) emitBreadcrumb(g);
          emitHook(g, g.rng.int(Math.round(perHook * 0.5), perHook));
        }
        hookFiles.add(rel);
      }
      // Breadcrumbs not placed above hooks go above plain functions.
      const crumbsLeft = Math.max(0, f.breadcrumbs - f.hooks);
      for (let k = 0; k < crumbsLeft; k++) {
        emitBreadcrumb(g);
        const sig = newHelper(g, m.camel);
        emitFunction(g, sig, g.rng.chance(0.5) ? 'static ' : '', g.rng.int(8, 30), false);
        g.helpers.push(sig);
      }
      if (f.breadcrumbs > 0) breadcrumbFiles.add(rel);
      fillPlain(g, target, m.camel, mine);
      // Pad the last few lines, so line totals land where planned.
      while (g.lineNo < target - 1) g.push(g.rng.chance(0.5) ? '' : `/* ${g.rng.pick(WHYS)} */`);
      settle(f.targetLines, g.lineNo);
      await emit(rel, g, false);
    }
  }

  // .conf files of every library that got functions.
  const libs = new Set<LibraryInfo>();
  for (const m of plan.modules) if (m.lib && !m.override && m.lib.byLvo.size > 0) libs.add(m.lib);
  for (const lib of libs) {
    const text = confText(lib);
    totals.confFiles++;
    totals.confBytes += Buffer.byteLength(text);
    await writer.write(`${lib.confDir}/${lib.confFile}`, text);
  }
  await writer.drain();

  totals.sizes.sort((a, b) => b.bytes - a.bytes || (a.file < b.file ? -1 : 1));
  const samples: SampleRecord[] = [];
  for (const kind of ['libFunction', 'function', 'hook', 'struct', 'enum', 'typedef', 'macro', 'variable'] as const) {
    samples.push(...(collect.samples.get(kind)?.list ?? []));
  }
  const manifest: Manifest = {
    generator: 'aros-lsp generateTree',
    formatVersion: 1,
    seed,
    requested: { files, lines },
    files: totals.cFiles + totals.hFiles,
    cFiles: totals.cFiles,
    hFiles: totals.hFiles,
    confFiles: totals.confFiles,
    lines: totals.lines,
    bytes: totals.bytes,
    confBytes: totals.confBytes,
    directories: countDirectories(usedPaths),
    libFunctionFiles: libFiles.size,
    libFunctions: collect.libFunctions,
    hookFiles: hookFiles.size,
    hooks: collect.hooks.length,
    hookList: collect.hooks,
    breadcrumbFiles: breadcrumbFiles.size,
    breadcrumbs: collect.breadcrumbs.length,
    breadcrumbList: collect.breadcrumbs,
    structs: collect.counts.structs,
    unions: collect.counts.unions,
    enums: collect.counts.enums,
    typedefs: collect.counts.typedefs,
    macros: collect.counts.macros,
    functions: collect.counts.functions,
    includes: collect.counts.includes,
    largestFiles: totals.sizes.slice(0, 8),
    samples,
  };
  await fsp.writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

/** Every directory that holds a generated file, parents included (OUTDIR itself excluded). */
function countDirectories(files: Iterable<string>): number {
  const dirs = new Set<string>();
  for (const f of files) {
    for (let d = path.posix.dirname(f); d !== '.' && !dirs.has(d); d = path.posix.dirname(d)) dirs.add(d);
  }
  return dirs.size;
}

function lvoOf(lib: LibraryInfo, sig: FuncSig): number {
  for (const [lvo, s] of lib.byLvo) if (s === sig) return lvo;
  return -1;
}

function cloneSig(sig: FuncSig): FuncSig {
  return { name: sig.name, ret: sig.ret, params: sig.params.map((p) => ({ ...p })) };
}

/** A rom function this arch directory has not redefined yet, or null when none is left. */
function pickOverride(m: ModulePlan, rng: Rng): FuncSig | null {
  const lib = m.lib;
  if (!lib) return null;
  const candidates = [...lib.byLvo.values()].filter((s) => !m.overridden.has(s.name));
  if (candidates.length === 0) return null;
  const sig = rng.pick(candidates);
  m.overridden.add(sig.name);
  return sig;
}

async function prepareOutDir(outDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fsp.readdir(outDir);
  } catch {
    await fsp.mkdir(outDir, { recursive: true });
    return;
  }
  if (entries.length === 0) return;
  // Only ever delete a tree this generator wrote.
  let ours = false;
  try {
    const m = JSON.parse(await fsp.readFile(path.join(outDir, 'manifest.json'), 'utf8')) as { generator?: unknown };
    ours = m.generator === 'aros-lsp generateTree';
  } catch {
    ours = false;
  }
  if (!ours) throw new Error(`${outDir} is not empty and holds no manifest.json from this generator; refusing to overwrite`);
  await fsp.rm(outDir, { recursive: true, force: true });
  await fsp.mkdir(outDir, { recursive: true });
}

// ---------------------------------------------------------------------------
// Command line

export function parseArgs(argv: readonly string[]): GenerateOptions {
  let outDir: string | undefined;
  const opts: Omit<GenerateOptions, 'outDir'> = {};
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--files') opts.files = num(a, argv[++i]);
    else if (a === '--lines') opts.lines = num(a, argv[++i]);
    else if (a === '--seed') opts.seed = num(a, argv[++i]);
    else if (a === '--concurrency') opts.concurrency = num(a, argv[++i]);
    else if (!a.startsWith('--') && outDir === undefined) outDir = a;
    else throw new Error(`unknown argument: ${a}`);
  }
  if (outDir === undefined) throw new Error('usage: generateTree OUTDIR [--files N] [--lines N] [--seed S] [--concurrency N]');
  return { outDir, ...opts };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = process.hrtime.bigint();
  const m = await generateTree(opts);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const mb = (m.bytes / 1e6).toFixed(1);
  process.stdout.write(
    `${opts.outDir}: ${m.files} files (${m.cFiles} .c, ${m.hFiles} .h, ${m.confFiles} .conf), ${m.lines} lines, ${mb} MB; ` +
      `${m.libFunctions.length} AROS_LHn in ${m.libFunctionFiles} files, ${m.hooks} hooks, ${m.breadcrumbs} breadcrumbs, ` +
      `${m.structs} structs; ${(ms / 1000).toFixed(1)} s\n`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
