// `node out/bench/exploreBench.js DIR [--tasks N] [--seed S] [--deadline MS] [--synthetic] [--verbose]`
//
// Opens DIR's index (its cache reused, as the CLI does), picks N tasks (the
// tree's breadcrumb tasks when it has any, else "implement NAME" for random
// function definitions; --synthetic forces the latter) and explores each one
// cold (no exploration cache). Prints p50/p95/max milliseconds and the median
// number of files ranked. The deadline is off unless --deadline is given, so
// the figures are the time a full exploration takes.

import { selectTasks } from '../breadcrumbs/tasks';
import { effective } from '../breadcrumbs/values';
import { parseArgs } from '../cli/args';
import { openIndex } from '../cli/openIndex';
import { nameCount } from '../index/nameTables';
import type { WorkspaceIndex } from '../index/workspaceIndex';
import type { WorkspaceSession } from '../index/workspaceSession';
import { explore, sessionExploreSource, type Exploration, type ExploreTask } from '../iteration/explore';
import { mulberry32 } from './seededRandom';

interface BenchArgs {
  dir: string | undefined;
  tasks: number;
  seed: number;
  deadlineMs: number;
  synthetic: boolean;
  verbose: boolean;
  rest: string[];
}

/** Takes this bench's own options out of argv; the rest goes to the CLI's parser (--cache-dir, --no-cache...). */
function readArgs(argv: readonly string[]): BenchArgs {
  const out: BenchArgs = { dir: undefined, tasks: 50, seed: 1, deadlineMs: Infinity, synthetic: false, verbose: false, rest: [] };
  const number = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tasks') out.tasks = Math.floor(number('tasks', argv[++i]));
    else if (a === '--seed') out.seed = number('seed', argv[++i]);
    else if (a === '--deadline') out.deadlineMs = number('deadline', argv[++i]);
    else if (a === '--synthetic') out.synthetic = true;
    else if (a === '--verbose') out.verbose = true;
    else out.rest.push(a);
  }
  out.dir = parseArgs(out.rest).positionals[0];
  return out;
}


function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function breadcrumbTasks(session: WorkspaceSession, n: number, random: () => number): ExploreTask[] {
  const tasks = selectTasks(session.breadcrumbItems());
  return shuffled(tasks, random)
    .slice(0, n)
    .map((t) => {
      const b = t.breadcrumb;
      const target = b.target?.name;
      const plan = effective(b, 'AI_STRATEGY') ?? effective(b, 'AI_NOTE') ?? (target ? `implement ${target}` : 'finish this');
      return { description: `${t.phase ?? 'TASK'}: ${plan}`, file: t.file, symbol: target, breadcrumb: b };
    });
}

function syntheticTasks(index: WorkspaceIndex, n: number, random: () => number): ExploreTask[] {
  const names = index.names().tables.flatMap((t) => t.names);
  const out: ExploreTask[] = [];
  for (let attempts = 0; out.length < n && attempts < n * 200 && names.length; attempts++) {
    const name = names[Math.floor(random() * names.length)];
    const defs = index.lookup(name).filter((r) => r.kind === 'function' && r.definition);
    if (!defs.length) continue;
    const ref = defs[Math.floor(random() * defs.length)];
    out.push({ description: `implement ${name}`, file: ref.file.path, symbol: name });
  }
  return out;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
}

function median(xs: readonly number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 0.5);
}

function fmt(ms: number): string {
  return ms.toFixed(1);
}

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2));
  if (!args.dir) throw new Error('usage: exploreBench DIR [--tasks N] [--seed S] [--deadline MS] [--synthetic] [--verbose]');
  const opened = performance.now();
  const { session, summary } = await openIndex(args.dir, parseArgs(args.rest));
  const openMs = performance.now() - opened;
  const index = session.index;

  // The name table is built once after indexing and kept; an exploration should not pay for it.
  const tableStart = performance.now();
  index.settleNames();
  const table = index.names();
  const tableMs = performance.now() - tableStart;

  const random = mulberry32(args.seed);
  let kind = 'breadcrumb';
  let tasks = args.synthetic ? [] : breadcrumbTasks(session, args.tasks, random);
  if (!tasks.length) {
    kind = 'synthetic';
    tasks = syntheticTasks(index, args.tasks, random);
  }
  const src = sessionExploreSource(session);
  const results: Array<{ task: ExploreTask; e: Exploration }> = [];
  for (const task of tasks) {
    const e = explore(src, task, { deadlineMs: args.deadlineMs });
    results.push({ task, e });
    if (args.verbose) process.stdout.write(`${fmt(e.elapsedMs).padStart(7)} ms  ${String(e.files.length).padStart(4)} files  ${task.file} ${task.symbol ?? ''}\n`);
  }

  const times = results.map((r) => r.e.elapsedMs).sort((a, b) => a - b);
  const over = times.filter((t) => t > 150).length;
  const lines = [
    `tree: ${session.root}: ${summary.files} files (${summary.parsed} parsed, ${summary.reused} reused), opened in ${fmt(openMs)} ms; name tables: ${nameCount(table)} names in ${table.tables.length}, merges finished in ${fmt(tableMs)} ms`,
    `tasks: ${results.length} (${kind}), cold (no exploration cache), deadline ${Number.isFinite(args.deadlineMs) ? `${args.deadlineMs} ms` : 'off'}`,
    `explore ms: p50 ${fmt(percentile(times, 0.5))}, p95 ${fmt(percentile(times, 0.95))}, max ${fmt(times[times.length - 1] ?? 0)}; over 150 ms: ${over}; timed out: ${results.filter((r) => r.e.timedOut).length}`,
    `median per task: ${median(results.map((r) => r.e.files.length))} files, ${median(results.map((r) => r.e.symbols.length))} symbols, ${median(results.map((r) => r.e.snippets.length))} snippets, ${median(results.map((r) => r.e.tokensUsed))} tokens`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await session.dispose();
}

main().catch((err: unknown) => {
  process.stderr.write(`exploreBench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
