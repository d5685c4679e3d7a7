// `npm run bench:models -- [MODEL.gguf ...] [--runs N] [--tokens N] [--out FILE]`
//
// The model runtime (child-process host, IPC streaming) against calling
// node-llama-cpp directly in this process: same model, same prompt, greedy
// sampling so both produce the same tokens, one thread each, runs interleaved
// in rotating order so machine noise hits both alike, with a control (direct
// against direct) that shows the noise floor. Reports decode tokens/s lost and
// extra time to first token (medians), plus load time and resident memory.

import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Llama, LlamaCompletion } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { ModelRuntime } from '../models/modelRuntime';
import type { ModelConfig } from '../models/modelConfig';

interface Sample {
  firstTokenMs: number;
  tokensPerSecond: number;
  tokens: number;
  text: string;
}

interface ModelResult {
  model: string;
  direct: { loadMs: number; rssMb: number; samples: Sample[] };
  control: { samples: Sample[] };
  runtime: { loadMs: number; hostRssMb: number; samples: Sample[] };
  sameText: boolean;
  tokensPerSecondLostPct: number;
  /** The same measure between two identical direct runs: the noise floor of the figure above. */
  controlLostPct: number;
  extraFirstTokenMs: number;
}

const PROMPT = 'Once upon a time, in a small town by the sea, there lived';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string, dflt: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv.splice(i, 2)[1]) : dflt;
  };
  const outIdx = argv.indexOf('--out');
  const out = outIdx >= 0 ? argv.splice(outIdx, 2)[1] : undefined;
  const runs = opt('runs', 21);
  const tokens = opt('tokens', 800);
  const shared = path.resolve(__dirname, '..', '..', '..', 'shared', 'models');
  const models = argv.length > 0 ? argv : [path.join(shared, 'stories260K.gguf'), path.join(shared, 'llama-2-tiny-random.gguf')];
  const results: ModelResult[] = [];
  for (const model of models) results.push(await benchModel(path.resolve(model), runs, tokens));
  process.stdout.write(table(results, runs, tokens));
  if (out) writeFileSync(out, JSON.stringify(results, null, 2));
}

async function benchModel(model: string, runs: number, tokens: number): Promise<ModelResult> {
  const lib = await import('node-llama-cpp');
  const llama: Llama = await lib.getLlama({ gpu: false, build: 'never', skipDownload: true, maxThreads: 1, logLevel: lib.LlamaLogLevel.error });
  const rssBefore = rssMb(process.pid);
  let t0 = performance.now();
  const loaded = await llama.loadModel({ modelPath: model, gpuLayers: 0 });
  const context = await loaded.createContext({ contextSize: 1024, threads: 1, sequences: 2 });
  const completion = new lib.LlamaCompletion({ contextSequence: context.getSequence() });
  const directLoadMs = performance.now() - t0;
  const directRss = rssMb(process.pid) - rssBefore;

  const config: ModelConfig = {
    codegen: { model_path: model, threads: 1, context_size: 1024, temperature: 0, repeat_penalty: 1, max_length: tokens, idle_unload_seconds: 0 },
    llm: { model_path: model, threads: 1, context_size: 1024, idle_unload_seconds: 0 },
    exploration: {},
    session: {},
    // The default keep-warm unless the environment names another (for comparisons).
    hardware: process.env.KEEP_WARM_SECONDS === undefined ? {} : { keep_host_warm_seconds: Number(process.env.KEEP_WARM_SECONDS) },
  };
  const runtime = new ModelRuntime({ config });
  t0 = performance.now();
  await runtime.load('codegen');
  const runtimeLoadMs = performance.now() - t0;

  const direct: Sample[] = [];
  const control: Sample[] = [];
  const viaRuntime: Sample[] = [];
  // Three runs per round: direct, direct again (the control: the same code, so its "loss" is the
  // measurement's own noise and order bias) and the runtime. The order rotates every round, because
  // a run measured right after another run in the same process was 1-4 % slower here.
  const variants = [
    { run: () => directOnce(completion, tokens), into: direct },
    { run: () => directOnce(completion, tokens), into: control },
    { run: () => runtimeOnce(runtime, tokens), into: viaRuntime },
  ];
  // Warm-up: the first few generations of either path run at half speed while the CPU and caches settle.
  for (let i = 0; i < 3; i++) for (const v of variants) await v.run();
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(i + k) % variants.length];
      v.into.push(await v.run());
    }
  }
  const hostRss = rssMb(runtime.hostPid('codegen') ?? 0);
  await runtime.dispose();
  await context.dispose();
  await loaded.dispose();
  await llama.dispose();
  // Per round, so a drift in machine speed over the run cancels out.
  const lossAgainst = (other: Sample[]): number => median(direct.map((s, i) => 1 - other[i].tokensPerSecond / s.tokensPerSecond)) * 100;
  return {
    model: path.basename(model),
    direct: { loadMs: directLoadMs, rssMb: directRss, samples: direct },
    control: { samples: control },
    runtime: { loadMs: runtimeLoadMs, hostRssMb: hostRss, samples: viaRuntime },
    sameText: direct.every((s, i) => s.text === viaRuntime[i].text && s.text === control[i].text),
    tokensPerSecondLostPct: lossAgainst(viaRuntime),
    controlLostPct: lossAgainst(control),
    extraFirstTokenMs: median(viaRuntime.map((s) => s.firstTokenMs)) - median(direct.map((s) => s.firstTokenMs)),
  };
}

async function directOnce(completion: LlamaCompletion, tokens: number): Promise<Sample> {
  let first: number | undefined;
  let count = 0;
  const t0 = performance.now();
  const text = await completion.generateCompletion(PROMPT, {
    maxTokens: tokens,
    temperature: 0,
    repeatPenalty: false,
    onTextChunk: () => {
      first ??= performance.now();
    },
    onToken: (t) => {
      count += t.length;
    },
  });
  return sample(t0, first, performance.now(), count, text);
}

async function runtimeOnce(runtime: ModelRuntime, tokens: number): Promise<Sample> {
  let first: number | undefined;
  const t0 = performance.now();
  const r = await runtime.generate('codegen', { kind: 'complete', prompt: PROMPT, sampling: { maxTokens: tokens } }, { onText: () => (first ??= performance.now()) });
  return sample(t0, first, performance.now(), r.tokens, r.text);
}

/** Decode speed counts tokens after the first, over the time after the first. */
function sample(t0: number, first: number | undefined, end: number, tokens: number, text: string): Sample {
  const f = first ?? end;
  return { firstTokenMs: f - t0, tokensPerSecond: tokens > 1 ? ((tokens - 1) * 1000) / (end - f) : 0, tokens, text };
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function table(results: ModelResult[], runs: number, tokens: number): string {
  const rows = results.map((r) => {
    const dt = median(r.direct.samples.map((s) => s.tokensPerSecond));
    const rt = median(r.runtime.samples.map((s) => s.tokensPerSecond));
    const df = median(r.direct.samples.map((s) => s.firstTokenMs));
    const rf = median(r.runtime.samples.map((s) => s.firstTokenMs));
    return (
      `| ${r.model} | ${dt.toFixed(0)} | ${rt.toFixed(0)} | ${r.tokensPerSecondLostPct.toFixed(1)} % | ${r.controlLostPct.toFixed(1)} % | ${df.toFixed(2)} | ${rf.toFixed(2)} | ` +
      `${r.extraFirstTokenMs.toFixed(2)} | ${r.direct.loadMs.toFixed(0)} / ${r.runtime.loadMs.toFixed(0)} | ${r.direct.rssMb.toFixed(0)} / ${r.runtime.hostRssMb.toFixed(0)} | ${r.sameText ? 'yes' : 'NO'} |`
    );
  });
  return [
    `${runs} rounds (direct, direct again, runtime; order rotated) of ${tokens} tokens, greedy, threads 1; medians.`,
    '',
    '| model | direct tok/s | runtime tok/s | tok/s lost (median of rounds) | control: direct vs direct | direct first token ms | runtime first token ms | extra first token ms | load ms direct / runtime | RSS MB direct (delta) / host | same text |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

main().catch((err: Error) => {
  process.stderr.write(`bench:models: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
