// `npm run bench:completion -- DIR [--samples N] [--keystrokes N] [--model FILE] [--out FILE]`
//
// On a tree (the full synthetic one in BENCHMARKS.md), over the real server on
// stdio with a real model (default ../shared/models/llama-2-tiny-random.gguf: real llama-2 tokenizer, fast prompt reading, threads 1,
// greedy):
// - overhead: inline completion wall time at the client minus the same
//   prompt's generation through the model runtime called in this process
//   (its own model host, so neither run warms the other's KV cache);
// - context gathering: buildCompletionContext on the same index, per position;
// - cache hit: the same request again, a keystroke (50 ms) later, beside the
//   round trip of a request that does nothing;
// - cancellation: $/cancelRequest mid-generation, time to the answer, in ms and
//   in tokens of the model's decode speed;
// - typing: N keystrokes at typing speed, each a didChange plus an automatic
//   inline request; how many were answered with a suggestion (only the last
//   should be) and the server's and model host's resident memory along the way.

import { readFileSync, readdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { defaultSettings } from '../config/workspaceSettings';
import { buildCompletionContext } from '../context/completionContext';
import { WorkspaceSession } from '../index/workspaceSession';
import type { ModelConfig } from '../models/modelConfig';
import { ModelRuntime } from '../models/modelRuntime';
import type { HealthResult } from '../lsp/health';
import { startBenchServer, type BenchServer } from './lspClient';

interface Position {
  rel: string;
  line: number;
  character: number;
  /** The file's text cut at the cursor's line end (the cursor ends its line). */
  text: string;
}

/** What the server traces per inline request (lsp/completion.ts). */
interface ServerTrace {
  source: string;
  modelMs?: number;
  timings: { contextMs: number; generateMs: number; totalMs: number };
}

interface InlineList {
  items: Array<{ insertText: string }>;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const take = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv.splice(i, 2)[1] : undefined;
  };
  const samples = Number(take('samples') ?? 60);
  const keystrokes = Number(take('keystrokes') ?? 1000);
  const out = take('out');
  const model = path.resolve(take('model') ?? path.join(__dirname, '..', '..', '..', 'shared', 'models', 'llama-2-tiny-random.gguf'));
  const root = path.resolve(argv[0] ?? '');
  if (!argv[0]) throw new Error('usage: bench:completion DIR [--samples N] [--keystrokes N] [--model FILE] [--out FILE]');

  const role = { model_path: model, threads: 1, context_size: 2048, temperature: 0, max_length: 64, idle_unload_seconds: 0 };
  const config: ModelConfig = { codegen: role, llm: role, exploration: {}, session: {}, hardware: {} };
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'bench-completion-'));
  const traces: ServerTrace[] = [];
  const server = await startBenchServer(
    root,
    cacheDir,
    { models: config },
    (m) => {
      const json = m.startsWith('inlineCompletion') ? /\{.*\}$/s.exec(m)?.[0] : undefined;
      if (json) traces.push(JSON.parse(json) as ServerTrace);
    },
    // For aros/health { collect }: the live heap, not garbage awaiting collection.
    { nodeArgs: ['--expose-gc'] },
  );
  const readyMs = await server.ready;
  const positions = pickPositions(root, samples);

  // Pass 1, the server alone: nothing else in this process allocates while a
  // request is timed (the bench's own index of the tree is 400 MB, and its
  // garbage collection showed up in the timings of the first version).
  const overhead: number[] = [];
  const modelMs: number[] = [];
  const contextInServerMs: number[] = [];
  /** Where the overhead goes: JSON-RPC and document lookup; the engine's own steps; runtime and host messaging. */
  const breakdown = { protocol: [] as number[], engine: [] as number[], runtime: [] as number[] };
  const lspWalls: Array<number | undefined> = [];
  const cacheMs: number[] = [];
  const roundTripMs: number[] = [];
  const cacheInServerMs: number[] = [];
  let emptyAnswers = 0;
  let version = 1;
  for (const [i, p] of positions.entries()) {
    const uri = pathToFileURL(path.join(root, p.rel)).href;
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: version++, text: p.text } });
    // The server analyses an opened file before the next message (up to 3.4 MB
    // here, tens of ms): a round trip lets that finish, so it is not counted as
    // the completion's overhead; an editor opens a file long before it completes.
    await server.connection.sendRequest('aros/health');
    let t = performance.now();
    const traced = traces.length;
    const r = (await server.connection.sendRequest('textDocument/inlineCompletion', inlineParams(uri, p, 1))) as InlineList;
    const lspWall = performance.now() - t;
    const serverTrace = await nextTrace(traces, traced);
    if (!r.items.length) emptyAnswers++;
    // The first request pays one-time costs (JIT, model warm-up).
    if (i > 0 && serverTrace?.modelMs !== undefined) {
      overhead.push(lspWall - serverTrace.modelMs);
      lspWalls[i] = lspWall;
      modelMs.push(serverTrace.modelMs);
      contextInServerMs.push(serverTrace.timings.contextMs);
      const tm = serverTrace.timings;
      breakdown.protocol.push(lspWall - tm.totalMs);
      breakdown.engine.push(tm.totalMs - tm.generateMs - tm.contextMs);
      breakdown.runtime.push(tm.generateMs - serverTrace.modelMs);
    }
    if (r.items.length) {
      // A keystroke later, as a cache hit comes in an editor: the answer just
      // sent is still being traced and read on both sides.
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The floor: a request that does nothing, over the same pipe, just before.
      t = performance.now();
      await server.connection.sendRequest('aros/health');
      const floor = performance.now() - t;
      t = performance.now();
      const hitTrace = traces.length;
      await server.connection.sendRequest('textDocument/inlineCompletion', inlineParams(uri, p, 2));
      const wall = performance.now() - t;
      const hit = await nextTrace(traces, hitTrace);
      if (hit?.source === 'cache') {
        cacheMs.push(wall);
        roundTripMs.push(floor);
        cacheInServerMs.push(hit.timings.totalMs);
      }
    }
    await server.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  // Pass 2, in this process: context gathering on the same index, and the same
  // prompts through a model runtime of our own, for the in-process comparison.
  const session = new WorkspaceSession(root, { ...defaultSettings(), cacheDir }, {});
  await session.indexWorkspace({});
  const runtime = new ModelRuntime({ config });
  await runtime.load('codegen');
  const inProcessOverhead: number[] = [];
  const lspMs: number[] = [];
  const rawMs: number[] = [];
  const contextMs: number[] = [];
  for (const [i, p] of positions.entries()) {
    const offset = offsetOf(p.text, p.line, p.character);
    const ctx = buildCompletionContext(session.index, { file: session.keyOf(path.join(root, p.rel)), text: p.text, offset });
    contextMs.push(ctx.elapsedMs);
    const t = performance.now();
    await runtime.generate('codegen', { kind: 'infill', prefix: ctx.prefix, suffix: ctx.suffix, extra: ctx.extra, sampling: { maxTokens: 48, stop: ['\n'] } }, { lane: 'completion' });
    const rawWall = performance.now() - t;
    const lspWall = lspWalls[i];
    if (lspWall === undefined) continue;
    inProcessOverhead.push(lspWall - rawWall);
    lspMs.push(lspWall);
    rawMs.push(rawWall);
  }

  const cancel = await measureCancellation(server, root, positions, runtime);
  const typingTraces = traces.length;
  const typing = await measureTyping(server, root, positions[0], keystrokes, runtime);
  await new Promise((r) => setTimeout(r, 200));
  const sources: Record<string, number> = {};
  for (const t of traces.slice(typingTraces)) sources[t.source] = (sources[t.source] ?? 0) + 1;
  typing.sources = sources;
  const result = {
    dir: root,
    files: session.index.fileCount,
    serverReadyMs: readyMs,
    samples: positions.length,
    emptyAnswers,
    overheadMs: stats(overhead),
    lspMs: stats(lspMs),
    serverModelMs: stats(modelMs),
    inProcessOverheadMs: stats(inProcessOverhead),
    rawModelMs: stats(rawMs),
    contextMs: stats(contextMs),
    contextInServerMs: stats(contextInServerMs),
    breakdownP50Ms: { protocol: stats(breakdown.protocol).p50, engine: stats(breakdown.engine).p50, runtime: stats(breakdown.runtime).p50 },
    cacheHitMs: stats(cacheMs),
    cacheHitInServerMs: stats(cacheInServerMs),
    roundTripFloorMs: stats(roundTripMs),
    cancellation: cancel,
    typing,
  };
  await runtime.dispose();
  await session.dispose();
  await server.stop();
  process.stdout.write(report(result));
  if (out) writeFileSync(out, JSON.stringify(result, null, 2));
}

function inlineParams(uri: string, p: Position, triggerKind: 1 | 2): unknown {
  return { textDocument: { uri }, position: { line: p.line, character: p.character }, context: { triggerKind } };
}

/**
 * Cursor positions inside function bodies: a statement `x = y;` cut after
 * `= `, the rest of the line removed, spread over many files.
 */
function pickPositions(root: string, count: number): Position[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.c')) files.push(p);
    }
  };
  walk(root);
  const step = Math.max(1, Math.floor(files.length / (count * 2)));
  const out: Position[] = [];
  for (let i = 0; i < files.length && out.length < count; i += step) {
    const text = readFileSync(files[i], 'utf8');
    const lines = text.split('\n');
    const line = lines.findIndex((l, n) => n > 10 && /^ {4,}\w+(->\w+)? = [^;]+;\s*$/.test(l));
    if (line < 0) continue;
    const character = lines[line].indexOf('= ') + 2;
    lines[line] = lines[line].slice(0, character);
    out.push({ rel: path.relative(root, files[i]), line, character, text: lines.join('\n') });
  }
  return out;
}

async function measureCancellation(server: BenchServer, root: string, positions: Position[], runtime: ModelRuntime): Promise<Record<string, number>> {
  // Decode speed, to express the latency in tokens.
  const probe = await runtime.generate('codegen', { kind: 'complete', prompt: 'Once upon a time', sampling: { maxTokens: 200, stop: [] } }, { onText: () => undefined });
  const msPerToken = (probe.totalMs - (probe.firstTokenMs ?? 0)) / Math.max(1, probe.tokens - 1);
  const latencies: number[] = [];
  for (const p of positions.slice(0, 20)) {
    const uri = pathToFileURL(path.join(root, p.rel)).href;
    // A blank line after `{` is block mode: the longest generations.
    const lines = p.text.split('\n');
    const open = lines.findIndex((l) => l.trim() === '{');
    if (open < 0) continue;
    lines.splice(open + 1, 0, '    ');
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1000, text: lines.join('\n') } });
    const source = new CancellationTokenSource();
    const pending = server.connection.sendRequest('textDocument/inlineCompletion', { textDocument: { uri }, position: { line: open + 1, character: 4 }, context: { triggerKind: 1 } }, source.token);
    await new Promise((r) => setTimeout(r, 15));
    const t = performance.now();
    source.cancel();
    await pending.catch(() => undefined);
    latencies.push(performance.now() - t);
    await server.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }
  // In the runtime: tokens generated after the cancellation reached the host.
  const after: number[] = [];
  for (let i = 0; i < 20; i++) {
    const controller = new AbortController();
    let chunks = 0;
    const r = await runtime.generate(
      'codegen',
      { kind: 'complete', prompt: `Once upon a time ${i}`, sampling: { maxTokens: 400, stop: [] } },
      { signal: controller.signal, onText: () => (++chunks === 3 ? controller.abort() : undefined) },
    );
    after.push(r.tokensAfterCancel ?? NaN);
  }
  const s = stats(latencies);
  return { lspP50Ms: s.p50, lspP95Ms: s.p95, lspMaxMs: s.max, msPerToken, tokensAfterCancelMax: Math.max(...after), tokensAfterCancelP50: stats(after).p50 };
}

async function measureTyping(server: BenchServer, root: string, p: Position, keystrokes: number, runtime: ModelRuntime): Promise<Record<string, unknown>> {
  void runtime;
  const uri = pathToFileURL(path.join(root, p.rel)).href;
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: p.text } });
  const statement = 'counter = counter + value;';
  let line = p.line;
  let character = p.character;
  let version = 2;
  const pending: Array<Promise<InlineList>> = [];
  const rss: Array<{ at: number; serverMb: number }> = [];
  // Live heap (garbage collected first: the server runs with --expose-gc) before and after: what typing leaves behind.
  const liveHeapMb = async (): Promise<number> =>
    Math.round(((await server.connection.sendRequest('aros/health', { collect: true })) as HealthResult).memory.heapUsed / 2 ** 20);
  const heapBefore = await liveHeapMb();
  const t0 = performance.now();
  for (let k = 0; k < keystrokes; k++) {
    const ch = statement[k % statement.length];
    const atEnd = k % statement.length === statement.length - 1;
    const text = atEnd ? `${ch}\n    ` : ch;
    await server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: version++ },
      contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text }],
    });
    if (atEnd) {
      line++;
      character = 4;
    } else character++;
    pending.push(server.connection.sendRequest('textDocument/inlineCompletion', { textDocument: { uri }, position: { line, character }, context: { triggerKind: 2 } }) as Promise<InlineList>);
    if (k % 100 === 0 || k === keystrokes - 1) rss.push({ at: k, serverMb: Math.round(rssMb(server.process.pid ?? 0)) });
    await new Promise((r) => setTimeout(r, 60));
  }
  const answers = await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  const withSuggestion = answers.map((a, i) => (a.items.length ? i : -1)).filter((i) => i >= 0);
  const liveHeap = { beforeMb: heapBefore, afterMb: await liveHeapMb() };
  return { keystrokes, seconds, answered: withSuggestion.length, lastAnswered: withSuggestion.includes(keystrokes - 1), liveHeap, rss } as Record<string, unknown>;
}

/** The server's trace for the request sent after `since` traces had arrived (traces follow the response closely). */
async function nextTrace(traces: ServerTrace[], since: number): Promise<ServerTrace | undefined> {
  for (let i = 0; i < 50 && traces.length <= since; i++) await new Promise((r) => setTimeout(r, 2));
  return traces[since];
}

function offsetOf(text: string, line: number, character: number): number {
  let offset = 0;
  for (let i = 0; i < line; i++) offset = text.indexOf('\n', offset) + 1;
  return offset + character;
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

function stats(xs: number[]): { n: number; p50: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number): number => (s.length ? s[Math.min(s.length - 1, Math.floor(f * s.length))] : NaN);
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1] ?? NaN };
}

function report(r: Record<string, unknown> & { overheadMs: ReturnType<typeof stats>; contextMs: ReturnType<typeof stats>; cacheHitMs: ReturnType<typeof stats> }): string {
  const f = (s: ReturnType<typeof stats>): string => `p50 ${s.p50.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, max ${s.max.toFixed(2)} ms (n ${s.n})`;
  return [
    `tree: ${String(r.dir)} (${String(r.files)} files)`,
    `server overhead (request at the client minus the model's time for it in the host): ${f(r.overheadMs)}`,
    `  request at the client: ${f(r.lspMs as ReturnType<typeof stats>)}; model in the host: ${f(r.serverModelMs as ReturnType<typeof stats>)}`,
    `  same prompt through a runtime in the bench process: ${f(r.rawModelMs as ReturnType<typeof stats>)}; difference: ${f(r.inProcessOverheadMs as ReturnType<typeof stats>)}`,
    `  overhead p50 by part: ${JSON.stringify(r.breakdownP50Ms)}`,
    `context gathering: in the server ${f(r.contextInServerMs as ReturnType<typeof stats>)}; warm, in the bench ${f(r.contextMs)}`,
    `cache hit: at the client ${f(r.cacheHitMs)}; in the server ${f(r.cacheHitInServerMs as ReturnType<typeof stats>)}; round trip of a request that does nothing (aros/health) just before: ${f(r.roundTripFloorMs as ReturnType<typeof stats>)}`,
    `cancellation: ${JSON.stringify(r.cancellation)}`,
    `typing: ${JSON.stringify(r.typing)}`,
    `empty answers among ${String(r.samples)} samples: ${String(r.emptyAnswers)}`,
    '',
  ].join('\n');
}

main().catch((err: Error) => {
  process.stderr.write(`bench:completion: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
