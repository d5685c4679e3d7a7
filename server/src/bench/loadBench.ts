// `npm run bench:load -- [--changes N] [--interval-ms MS] [--lines N] [--model FILE] [--no-auto-close] [--tree DIR | --no-tree] [--cpu-prof DIR] [--json]`
//
// Load on the real server over stdio (issue 8, part 3), two parts:
// 1. typing: a generated C file of 5,000 lines is opened and N didChange
//    events (default 10,000) are sent at typing speed (one every
//    --interval-ms, default 20), inserting functions in the middle of the file
//    one character at a time, as an editor with auto-closing braces sends them
//    (--no-auto-close: every character as it stands, the body unbalanced until
//    its brace), with an occasional typo and backspace; a
//    completion request every 5th change and an automatic inline completion
//    request every 10th, never waiting for answers (an editor does not). With
//    no model (default) the inline requests meet an unloaded default model;
//    --model FILE (e.g. ../shared/models/stories260K.gguf) gives them a real one.
//    Recorded: latency p50/p95/p99/max per request kind, the server's RSS and
//    heap over time and its event-loop delay (`aros/health`, polled every
//    second with a reset, so every window's maximum is known), and at the end
//    a check that the server's text is the client's (documentSymbol ranges of
//    every typed function, and of the file's own functions around them).
// 2. indexing: the full synthetic tree (--tree, default
//    /work/bench-trees/synth) indexed with a cold cache while workspace/symbol,
//    hover and completion requests are sent every 50 ms; their latencies and
//    the event loop as above, beside an idle control process measuring its
//    own event loop (controlProbe.ts): a stall it saw too came from the machine.
//
// The test test/reliability/load.test.ts runs part 1 small and fast through
// runTypingLoad() and checks correctness only.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ControlProbe } from './controlProbe';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { HealthResult } from '../lsp/health';
import { startBenchServer, type BenchServer } from './lspClient';
import { mulberry32 } from './seededRandom';

// ---------------------------------------------------------------------------
// The server

/** What `aros/health` answers: the server's own type. */
export type Health = HealthResult;

type Server = BenchServer;

/** Set by --cpu-prof DIR: the server writes a CPU profile there when it exits. */
let serverNodeArgs: string[] = [];

function startServer(root: string, cacheDir: string, options: Record<string, unknown>, home: string, onStatus?: (p: { component: string; state: string; files?: number }) => void): Promise<Server> {
  // LOAD_BENCH_SERVER_STDERR=1: a look at what the server says while it is under load.
  return startBenchServer(root, cacheDir, options, undefined, { home, nodeArgs: serverNodeArgs, onStatus, echoStderr: Boolean(process.env.LOAD_BENCH_SERVER_STDERR) });
}

// ---------------------------------------------------------------------------
// Measuring

export interface LatencyStats {
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

class Latencies {
  private readonly byKind = new Map<string, { ms: number[]; errors: number; pending: number }>();

  /** Sends the request without waiting; the time is recorded when the answer comes. */
  track<T>(kind: string, p: Promise<T>): Promise<T | undefined> {
    const entry = this.entry(kind);
    entry.pending++;
    const t0 = performance.now();
    return p.then(
      (v) => {
        entry.ms.push(performance.now() - t0);
        entry.pending--;
        return v;
      },
      () => {
        entry.errors++;
        entry.pending--;
        return undefined;
      },
    );
  }

  pending(): number {
    let n = 0;
    for (const e of this.byKind.values()) n += e.pending;
    return n;
  }

  stats(): Record<string, LatencyStats> {
    const out: Record<string, LatencyStats> = {};
    for (const [kind, e] of this.byKind) {
      const s = [...e.ms].sort((a, b) => a - b);
      const q = (p: number): number => (s.length ? round(s[Math.min(s.length - 1, Math.floor(p * s.length))]) : 0);
      out[kind] = { count: s.length, errors: e.errors, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: round(s[s.length - 1] ?? 0) };
    }
    return out;
  }

  private entry(kind: string): { ms: number[]; errors: number; pending: number } {
    let e = this.byKind.get(kind);
    if (!e) this.byKind.set(kind, (e = { ms: [], errors: 0, pending: 0 }));
    return e;
  }
}

export interface HealthWindow {
  /** ms since the measured phase began. */
  atMs: number;
  /** Date.now() when the window closed (to line it up with the control probe). */
  at: number;
  /** Changes sent so far (typing) or index state (indexing). */
  progress: number;
  health: Health;
}

/** Polls aros/health every `everyMs` with a reset, so each window's maximum is its own. */
class HealthPoller {
  readonly windows: HealthWindow[] = [];
  private timer?: NodeJS.Timeout;
  private readonly t0 = performance.now();

  constructor(
    private readonly connection: MessageConnection,
    private readonly progress: () => number,
    everyMs: number,
  ) {
    this.timer = setInterval(() => void this.sample(), everyMs);
  }

  async sample(): Promise<Health> {
    const progress = this.progress();
    const health = (await this.connection.sendRequest('aros/health', { reset: true })) as Health;
    this.windows.push({ atMs: Math.round(performance.now() - this.t0), at: Date.now(), progress, health });
    return health;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sample();
  }
}

export interface EventLoopSummary {
  maxMs: number;
  /** The largest p99 of any one-second window, and the median of the windows' p99. */
  worstWindowP99Ms: number;
  medianWindowP99Ms: number;
  windows: number;
  /** Windows whose maximum exceeded 50 ms, with when and what. */
  stalls: Array<{ atMs: number; at: number; progress: number; maxMs: number; gcMaxMs: number }>;
  /** The longest garbage collection pause seen. */
  gcMaxMs: number;
}

function eventLoop(windows: HealthWindow[]): EventLoopSummary {
  const p99s = windows.map((w) => w.health.eventLoopDelayMs.p99).sort((a, b) => a - b);
  return {
    maxMs: Math.max(0, ...windows.map((w) => w.health.eventLoopDelayMs.max)),
    worstWindowP99Ms: p99s[p99s.length - 1] ?? 0,
    medianWindowP99Ms: p99s[Math.floor(p99s.length / 2)] ?? 0,
    windows: windows.length,
    stalls: windows
      .filter((w) => w.health.eventLoopDelayMs.max > 50)
      .map((w) => ({ atMs: w.atMs, at: w.at, progress: w.progress, maxMs: w.health.eventLoopDelayMs.max, gcMaxMs: w.health.gc.maxMs })),
    gcMaxMs: Math.max(0, ...windows.map((w) => w.health.gc.maxMs)),
  };
}

// ---------------------------------------------------------------------------
// Part 1: typing

export interface TypingOptions {
  changes?: number;
  /** One change every this many ms (0: as fast as the pipe takes them). */
  intervalMs?: number;
  lines?: number;
  /** A GGUF for the codegen role; none by default (the inline requests meet an unloaded default model). */
  model?: string;
  /** Type as an editor with auto-closing braces does (default), or every character as it stands. */
  autoClose?: boolean;
  completionEvery?: number;
  inlineEvery?: number;
  /** aros/health snapshots at these change counts (besides the one-second windows). */
  snapshotsAt?: number[];
  seed?: number;
  log?: (line: string) => void;
}

export interface TypingResult {
  /** Changes sent: the requested number plus those that finished the last function. */
  changes: number;
  autoClose: boolean;
  lines: number;
  intervalMs: number;
  model: string;
  elapsedMs: number;
  latency: Record<string, LatencyStats>;
  /** Requests sent and answered (an error counts as answered, and is counted in latency.errors). */
  sent: number;
  answered: number;
  eventLoop: EventLoopSummary;
  /** RSS and heap (bytes) at the requested change counts. */
  snapshots: Array<{ changes: number; health: Health }>;
  rssMb: { start: number; end: number; max: number };
  /** The server's view of the text equals the client's, as documentSymbol shows it. */
  textCheck: { ok: boolean; typedFunctions: number; problems: string[] };
  windows: HealthWindow[];
}

/** A C file of about `lines` lines: a header block, structs, and functions of 10-30 lines. */
export function generateCFile(lines: number, seed: number): { text: string; functions: string[] } {
  const random = mulberry32(seed);
  const out: string[] = [
    '/*',
    '    Copyright (C) 2026, the aros-lsp authors.',
    '    Desc: a generated file for the load benchmark.',
    '*/',
    '',
    '#include <exec/types.h>',
    '#include "load.h"',
    '',
  ];
  const functions: string[] = [];
  let n = 0;
  while (out.length < lines - 12) {
    if (n % 25 === 0) {
      out.push(`struct LoadThing${n}`, '{', '    ULONG lt_Value;', '    struct LoadThing *lt_Next;', '    APTR lt_Data;', '};', '');
    }
    const name = `load_Func${n}`;
    functions.push(name);
    out.push(`/* ${name}: adds up what it is given (${n}). */`, `static ULONG ${name}(struct LoadThing *thing, ULONG count)`, '{', '    ULONG sum = 0;');
    const body = 4 + Math.floor(random() * 20);
    for (let i = 0; i < body; i++) {
      switch (Math.floor(random() * 4)) {
        case 0:
          out.push(`    sum += thing->lt_Value * ${i + 1};`);
          break;
        case 1:
          out.push(`    if (count > ${i}) sum ^= count;`);
          break;
        case 2:
          out.push(`    thing = thing->lt_Next ? thing->lt_Next : thing;`);
          break;
        default:
          out.push(`    /* step ${i}: nothing to see */`);
      }
    }
    out.push('    return sum;', '}', '');
    n++;
  }
  while (out.length < lines) out.push('');
  return { text: out.join('\n'), functions };
}

const HEADER = [
  '#ifndef LOAD_H',
  '#define LOAD_H',
  '#include <exec/types.h>',
  'struct LoadThing',
  '{',
  '    ULONG lt_Value;',
  '    struct LoadThing *lt_Next;',
  '    APTR lt_Data;',
  '};',
  'ULONG load_Shared(struct LoadThing *thing);',
  'APTR load_Alloc(ULONG size);',
  '#endif',
  '',
].join('\n');

const TYPES_H = ['#ifndef EXEC_TYPES_H', '#define EXEC_TYPES_H', 'typedef unsigned long ULONG;', 'typedef void *APTR;', '#endif', ''].join('\n');

interface Pos {
  line: number;
  character: number;
}

/** The position after inserting `text` at `at`. */
function advance(at: Pos, text: string): Pos {
  const parts = text.split('\n');
  return parts.length === 1 ? { line: at.line, character: at.character + text.length } : { line: at.line + parts.length - 1, character: parts[parts.length - 1].length };
}

/** The body lines of typed function `k`, without their indentation. */
function typedBody(k: number): string[] {
  return ['ULONG total = load_Shared(thing);', 'APTR block = load_Alloc(count);', `if (thing->lt_Value > ${k}) total += thing->lt_Value;`, 'return total + (block != 0);'];
}

/** One keystroke: an insertion at the cursor (the cursor then sits at `after`), or a cursor move without a change. */
type Key = { text: string; after?: Pos } | { moveTo: Pos };

/**
 * The keystrokes that type function `k` at `at`, then two newlines. With
 * `autoClose` they are an editor's: `{` inserts `{}`, Enter between braces
 * opens an indented line, Enter in the body keeps the indentation, and the
 * cursor steps over the `}` at the end. Without it, every character is typed
 * as it stands (the worst case: the body is unbalanced until its `}`).
 * Returns the keys and where the function ends (the `}`) and the typing ends.
 */
function functionKeys(k: number, at: Pos, autoClose: boolean): { keys: Key[]; start: Pos; end: Pos; cursor: Pos } {
  const keys: Key[] = [];
  let cursor = at;
  const type = (text: string, after?: Pos): void => {
    keys.push({ text, after });
    cursor = after ?? advance(cursor, text);
  };
  const chars = (text: string): void => {
    for (const ch of text) type(ch);
  };
  const header = `static ULONG load_Typed${k}(struct LoadThing *thing, ULONG count)`;
  const body = typedBody(k);
  chars(header);
  type('\n');
  if (autoClose) {
    type('{}', { line: cursor.line, character: cursor.character + 1 });
    type('\n    \n', { line: cursor.line + 1, character: 4 });
    body.forEach((line, i) => {
      if (i > 0) type('\n    ');
      chars(line);
    });
    // Past the closing brace the editor put there.
    cursor = { line: cursor.line + 1, character: 1 };
    keys.push({ moveTo: cursor });
  } else {
    chars('{\n');
    for (const line of body) chars(`    ${line}\n`);
    chars('}');
  }
  const end = cursor;
  type('\n');
  type('\n');
  return { keys, start: at, end, cursor };
}

interface DocSymbol {
  name: string;
  kind: number;
  range: { start: Pos; end: Pos };
  children?: DocSymbol[];
}

export async function runTypingLoad(options: TypingOptions = {}): Promise<TypingResult> {
  const changes = options.changes ?? 10_000;
  const intervalMs = options.intervalMs ?? 20;
  const lines = options.lines ?? 5000;
  const completionEvery = options.completionEvery ?? 5;
  const inlineEvery = options.inlineEvery ?? 10;
  const autoClose = options.autoClose ?? true;
  const log = options.log ?? (() => undefined);
  const random = mulberry32(options.seed ?? 8);
  const base = mkdtempSync(path.join(os.tmpdir(), 'bench-load-'));
  try {
    const root = path.join(base, 'ws');
    mkdirSync(path.join(root, 'load'), { recursive: true });
    mkdirSync(path.join(root, 'include', 'exec'), { recursive: true });
    const file = generateCFile(lines, options.seed ?? 8);
    writeFileSync(path.join(root, 'load', 'big.c'), file.text);
    writeFileSync(path.join(root, 'load', 'load.h'), HEADER);
    writeFileSync(path.join(root, 'include', 'exec', 'types.h'), TYPES_H);
    const home = path.join(base, 'home');
    mkdirSync(home);
    const models = options.model ? { models: { codegen: modelRole(options.model), llm: modelRole(options.model) } } : {};
    const server = await startServer(root, path.join(base, 'cache'), models, home);
    try {
      await server.ready;
      const { connection } = server;
      const uri = pathToFileURL(path.join(root, 'load', 'big.c')).href;
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: file.text } });
      const before = (await connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as DocSymbol[];

      // Typing starts between two functions in the middle of the file.
      const fileLines = file.text.split('\n');
      let insertLine = Math.floor(fileLines.length / 2);
      while (insertLine < fileLines.length && !(fileLines[insertLine - 1] === '}' && fileLines[insertLine] === '')) insertLine++;
      const start: Pos = { line: insertLine, character: 0 };

      const latency = new Latencies();
      let sent = 0;
      let version = 1;
      let cursor = start;
      let k = 0;
      let fn = functionKeys(0, start, autoClose);
      let key = 0;
      /** Functions typed to the end: their name and range as the client has them. */
      const complete: Array<{ name: string; start: Pos; end: Pos }> = [];
      let done = 0;
      const snapshots: Array<{ changes: number; health: Health }> = [];
      const snapshotAt = new Set(options.snapshotsAt ?? []);
      const poller = new HealthPoller(connection, () => done, 1000);
      await connection.sendRequest('aros/health', { reset: true });
      const t0 = performance.now();
      const change = (range: { start: Pos; end: Pos }, text: string): Promise<void> =>
        connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ range, text }] });

      let typo = false;
      // After `changes`, typing goes on to the end of the function, so the final text is whole.
      for (done = 0; done < changes || key > 0 || typo; ) {
        if (intervalMs > 0) {
          const due = t0 + done * intervalMs;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        } else if (done % 50 === 0) {
          // Let answers in now and then, as a real pipe would.
          await new Promise((r) => setImmediate(r));
        }
        const next = fn.keys[key];
        if (typo) {
          // Backspace over the wrong character.
          const from = { line: cursor.line, character: cursor.character - 1 };
          await change({ start: from, end: cursor }, '');
          cursor = from;
          typo = false;
        } else if ('text' in next && next.text.length === 1 && next.text !== '\n' && random() < 0.03) {
          await change({ start: cursor, end: cursor }, 'q');
          cursor = advance(cursor, 'q');
          typo = true;
        } else {
          if ('moveTo' in next) {
            cursor = next.moveTo;
            key++;
            continue;
          }
          await change({ start: cursor, end: cursor }, next.text);
          cursor = next.after ?? advance(cursor, next.text);
          if (++key === fn.keys.length) {
            complete.push({ name: `load_Typed${k}`, start: fn.start, end: fn.end });
            fn = functionKeys(++k, cursor, autoClose);
            key = 0;
          }
        }
        done++;
        if (done % completionEvery === 0) {
          sent++;
          void latency.track('completion', connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: cursor, context: { triggerKind: 1 } }));
        }
        if (done % inlineEvery === 0) {
          sent++;
          void latency.track('inlineCompletion', connection.sendRequest('textDocument/inlineCompletion', { textDocument: { uri }, position: cursor, context: { triggerKind: 2 } }));
        }
        if (done % 1000 === 0) log(`  ${done}/${changes} changes, ${latency.pending()} requests pending`);
        if (snapshotAt.has(done)) {
          sent++;
          const h = await latency.track('aros/health', connection.sendRequest('aros/health') as Promise<Health>);
          if (h) snapshots.push({ changes: done, health: h });
        }
      }
      // Every answer in, then the text check.
      while (latency.pending() > 0) await new Promise((r) => setTimeout(r, 10));
      const elapsedMs = performance.now() - t0;
      await poller.stop();
      sent++;
      const symbols = ((await latency.track('documentSymbol', connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }))) ?? []) as DocSymbol[];
      const textCheck = checkText(before, symbols, complete, start, cursor);
      const stats = latency.stats();
      const answered = Object.values(stats).reduce((n, s) => n + s.count + s.errors, 0);
      const rss = poller.windows.map((w) => w.health.memory.rss / 2 ** 20);
      return {
        changes: done,
        autoClose,
        lines: fileLines.length,
        intervalMs,
        model: options.model ? path.basename(options.model) : 'none',
        elapsedMs: round(elapsedMs),
        latency: stats,
        sent,
        answered,
        eventLoop: eventLoop(poller.windows),
        snapshots,
        rssMb: { start: round(rss[0] ?? 0), end: round(rss[rss.length - 1] ?? 0), max: round(Math.max(0, ...rss)) },
        textCheck,
        windows: poller.windows,
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

function modelRole(model: string): Record<string, unknown> {
  return { model_path: path.resolve(model), threads: 1, context_size: 1024, max_length: 16, temperature: 0 };
}

/**
 * The server's symbols against the client's text: every typed function at its
 * exact range, the file's own functions before the insertion point unmoved,
 * and those after it shifted by exactly the lines typed.
 */
function checkText(before: DocSymbol[], after: DocSymbol[], typed: Array<{ name: string; start: Pos; end: Pos }>, start: Pos, cursor: Pos): TypingResult['textCheck'] {
  const problems: string[] = [];
  const byName = new Map(after.map((s) => [s.name, s]));
  for (const t of typed) {
    const s = byName.get(t.name);
    if (!s) problems.push(`${t.name} is missing`);
    else if (s.range.start.line !== t.start.line || s.range.end.line !== t.end.line || s.range.end.character !== t.end.character) {
      problems.push(`${t.name} at ${JSON.stringify(s.range)}, the client has ${JSON.stringify({ start: t.start, end: t.end })}`);
    }
  }
  const shift = cursor.line - start.line;
  for (const b of before) {
    const s = byName.get(b.name);
    const expected = b.range.start.line < start.line ? b.range.start.line : b.range.start.line + shift;
    if (!s) problems.push(`${b.name} is missing`);
    else if (s.range.start.line !== expected) problems.push(`${b.name} starts on line ${s.range.start.line}, the client has ${expected}`);
  }
  return { ok: problems.length === 0 && typed.length > 0, typedFunctions: typed.length, problems: problems.slice(0, 20) };
}

// ---------------------------------------------------------------------------
// Part 2: indexing a tree while requests are served

export interface IndexLoadOptions {
  tree: string;
  /** One round of requests (workspace/symbol, hover, completion) every this many ms. */
  intervalMs?: number;
  log?: (line: string) => void;
}

export interface IndexLoadResult {
  tree: string;
  files: number;
  readyMs: number;
  rounds: number;
  latency: Record<string, LatencyStats>;
  eventLoop: EventLoopSummary;
  rssMb: { max: number; end: number };
  windows: HealthWindow[];
  /** The idle control process beside the server (controlProbe.ts): its worst window, and its worst around each server stall. */
  control: { maxMs: number; windowsOver50: number; aroundStalls: number[] };
}

interface ManifestLite {
  samples: Array<{ name: string; kind: string; file: string; line: number }>;
  libFunctions: Array<{ name: string; file: string; line: number }>;
}

export async function runIndexLoad(options: IndexLoadOptions): Promise<IndexLoadResult> {
  const tree = path.resolve(options.tree);
  const intervalMs = options.intervalMs ?? 50;
  const log = options.log ?? (() => undefined);
  const manifest = JSON.parse(readFileSync(path.join(tree, 'manifest.json'), 'utf8')) as ManifestLite;
  const base = mkdtempSync(path.join(os.tmpdir(), 'bench-load-index-'));
  try {
    const home = path.join(base, 'home');
    mkdirSync(home);
    const latency = new Latencies();
    let files = 0;
    const server = await startServer(tree, path.join(base, 'cache'), {}, home, (p) => {
      if (p.component === 'index' && typeof p.files === 'number') files = p.files;
    });
    try {
      const { connection } = server;
      let indexed = false;
      // An open document to hover and complete in: a library function's file.
      const lib = manifest.libFunctions[0];
      const docText = readFileSync(path.join(tree, lib.file), 'utf8');
      const uri = pathToFileURL(path.join(tree, lib.file)).href;
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: docText } });
      const docLines = docText.split('\n');
      const hoverAt = { line: lib.line, character: Math.max(0, docLines[lib.line].indexOf(lib.name)) + 1 };
      const body = docLines.findIndex((l, i) => i > lib.line && l.startsWith('{'));
      const completeAt = { line: body + 1, character: 0 };
      const names = manifest.samples.map((s) => s.name);
      const random = mulberry32(5);
      let rounds = 0;
      const poller = new HealthPoller(connection, () => files, 1000);
      const control = new ControlProbe();
      const t0 = performance.now();
      const readyAt = server.ready.then((ms) => {
        indexed = true;
        return ms;
      });
      while (!indexed) {
        rounds++;
        const name = names[Math.floor(random() * names.length)];
        const query = random() < 0.5 ? name : name.slice(0, 3 + Math.floor(random() * 4));
        void latency.track('workspace/symbol', connection.sendRequest('workspace/symbol', { query }));
        void latency.track('hover', connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: hoverAt }));
        void latency.track('completion', connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: completeAt, context: { triggerKind: 1 } }));
        if (rounds % 40 === 0) log(`  ${Math.round(performance.now() - t0)} ms: ${files} files indexed, ${latency.pending()} requests pending`);
        await Promise.race([new Promise((r) => setTimeout(r, intervalMs)), readyAt]);
      }
      const readyMs = await readyAt;
      while (latency.pending() > 0) await new Promise((r) => setTimeout(r, 10));
      await poller.stop();
      await control.stop();
      const rss = poller.windows.map((w) => w.health.memory.rss / 2 ** 20);
      const loop = eventLoop(poller.windows);
      return {
        tree,
        files,
        readyMs,
        rounds,
        latency: latency.stats(),
        eventLoop: loop,
        rssMb: { max: round(Math.max(0, ...rss)), end: round(rss[rss.length - 1] ?? 0) },
        windows: poller.windows,
        control: {
          maxMs: Math.max(0, ...control.windows.map((w) => w.maxMs)),
          windowsOver50: control.windows.filter((w) => w.maxMs > 50).length,
          aroundStalls: loop.stalls.map((st) => control.maxAround(st.at)),
        },
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Report

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function latencyRows(latency: Record<string, LatencyStats>): string[] {
  return Object.entries(latency).map(([kind, s]) => `| ${kind} | ${s.count} | ${s.errors} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.max} |`);
}

/** The request latency table, then the head of the table of measures (both reports open with them). */
function latencyAndMeasureHeader(latency: Record<string, LatencyStats>): string[] {
  return ['', '| request | answered | errors | p50 ms | p95 ms | p99 ms | max ms |', '| --- | --- | --- | --- | --- | --- | --- |', ...latencyRows(latency), '', '| measure | value |', '| --- | --- |'];
}

function eventLoopRow(e: EventLoopSummary): string {
  return [
    `| event loop delay: max / worst 1 s window p99 / median window p99 | ${e.maxMs} / ${e.worstWindowP99Ms} / ${e.medianWindowP99Ms} ms (${e.windows} windows) |`,
    `| longest garbage collection pause | ${e.gcMaxMs.toFixed(1)} ms |`,
  ].join('\n');
}

export function typingTable(r: TypingResult): string {
  const mb = (b: number): string => (b / 2 ** 20).toFixed(0);
  const rssLine = [0.0, 0.25, 0.5, 0.75, 1]
    .map((f) => r.windows[Math.min(r.windows.length - 1, Math.round(f * (r.windows.length - 1)))])
    .filter(Boolean)
    .map((w) => `${w.progress}: ${mb(w.health.memory.rss)} / ${mb(w.health.memory.heapUsed)}`)
    .join('; ');
  return [
    `### Typing: ${r.changes} didChange on a ${r.lines}-line file, one every ${r.intervalMs} ms, ${r.autoClose ? 'as an editor types (auto-closed braces)' : 'every character as it stands (no auto-close)'}, model: ${r.model}`,
    ...latencyAndMeasureHeader(r.latency),
    `| wall time of the typing | ${(r.elapsedMs / 1000).toFixed(1)} s |`,
    `| requests sent / answered | ${r.sent} / ${r.answered} |`,
    eventLoopRow(r.eventLoop),
    `| windows with a stall over 50 ms | ${r.eventLoop.stalls.length}${r.eventLoop.stalls.length ? `: ${r.eventLoop.stalls.slice(0, 8).map((s) => `${s.maxMs} ms at change ${s.progress} (longest GC ${s.gcMaxMs.toFixed(0)} ms)`).join(', ')}` : ''} |`,
    `| server RSS / heap used (MB) at change: | ${rssLine} |`,
    `| server RSS start / end / max | ${r.rssMb.start.toFixed(0)} / ${r.rssMb.end.toFixed(0)} / ${r.rssMb.max.toFixed(0)} MB |`,
    `| server text = client text (documentSymbol) | ${r.textCheck.ok ? 'yes' : 'NO'}, ${r.textCheck.typedFunctions} functions typed${r.textCheck.problems.length ? `: ${r.textCheck.problems.join('; ')}` : ''} |`,
  ].join('\n');
}

export function indexTable(r: IndexLoadResult): string {
  return [
    `### Indexing ${path.basename(r.tree)} (${r.files} files, cold cache) while serving requests`,
    ...latencyAndMeasureHeader(r.latency),
    `| index ready after | ${(r.readyMs / 1000).toFixed(1)} s (${r.rounds} rounds of requests) |`,
    eventLoopRow(r.eventLoop),
    `| windows with a stall over 50 ms | ${r.eventLoop.stalls.length}${r.eventLoop.stalls.length ? `: ${r.eventLoop.stalls.slice(0, 12).map((s, i) => `${s.maxMs} ms at ${(s.atMs / 1000).toFixed(0)} s (${s.progress} files; longest GC ${s.gcMaxMs.toFixed(0)} ms; idle control ${r.control.aroundStalls[i]} ms)`).join(', ')}` : ''} |`,
    `| idle control process beside it: loop delay max / windows over 50 ms | ${r.control.maxMs} ms / ${r.control.windowsOver50} |`,
    `| server RSS max / end | ${r.rssMb.max.toFixed(0)} / ${r.rssMb.end.toFixed(0)} MB |`,
  ].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const take = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv.splice(i, 2)[1] : undefined;
  };
  const flag = (name: string): boolean => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) argv.splice(i, 1);
    return i >= 0;
  };
  if (flag('help')) {
    process.stdout.write('usage: bench:load [--changes N] [--interval-ms MS] [--lines N] [--model FILE] [--no-auto-close] [--tree DIR | --no-tree] [--index-interval-ms MS] [--cpu-prof DIR] [--server-node-arg ARG]... [--json]\n');
    return;
  }
  const changes = Number(take('changes') ?? 10_000);
  const intervalMs = Number(take('interval-ms') ?? 20);
  const lines = Number(take('lines') ?? 5000);
  const model = take('model');
  const tree = take('tree') ?? '/work/bench-trees/synth';
  const indexIntervalMs = Number(take('index-interval-ms') ?? 50);
  const noTree = flag('no-tree');
  const autoClose = !flag('no-auto-close');
  const profileDir = take('cpu-prof');
  if (profileDir) serverNodeArgs = ['--cpu-prof', '--cpu-prof-dir', path.resolve(profileDir)];
  // Node options for the server process (V8 heap settings under trial), repeatable.
  for (let arg = take('server-node-arg'); arg !== undefined; arg = take('server-node-arg')) serverNodeArgs = [...serverNodeArgs, arg];
  const json = flag('json');
  if (argv.length) throw new Error(`unknown arguments: ${argv.join(' ')}`);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);

  log(`typing: ${changes} changes, one every ${intervalMs} ms, ${lines} lines, model ${model ?? 'none'}`);
  const typing = await runTypingLoad({ changes, intervalMs, lines, model, autoClose, log });
  const index = noTree ? undefined : (log(`indexing ${tree} with a cold cache while serving`), await runIndexLoad({ tree, intervalMs: indexIntervalMs, log }));
  if (json) {
    process.stdout.write(`${JSON.stringify({ typing: { ...typing, windows: undefined }, index: index && { ...index, windows: undefined } }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${typingTable(typing)}\n\n`);
  if (index) process.stdout.write(`${indexTable(index)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
