// `npm run bench:index -- DIR [DIR...] [--runs N] [--out FILE]`
//
// For each directory, side by side with Universal Ctags on the same tree:
// cold index (wall, peak RSS), warm start with nothing changed, recall of
// AROS library functions (ours and ctags'), workspace/symbol and definition
// latency over the real server on stdio, and re-index time of an edited open
// document. Prints a Markdown table (for BENCHMARKS.md) and writes JSON.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultSettings } from '../config/workspaceSettings';
import { lexC, lineStarts, offsetToPosition } from '../index/lexer';
import { OpenDocuments } from '../index/openDocuments';
import { WorkspaceIndex } from '../index/workspaceIndex';
import { WorkspaceSession } from '../index/workspaceSession';
import { startBenchServer, timeRequest } from './lspClient';

interface Timed {
  wallMs: number;
  peakRssMb?: number;
}

interface DirResult {
  dir: string;
  files: number;
  /** One run per cold run, each just before it: ctags' wall time here varied 3.9-7 s between runs. */
  ctags?: { runs: Timed[]; tags: number };
  cold: Array<Timed & { elapsedMs: number }>;
  warm: Array<Timed & { elapsedMs: number }>;
  recall: { present: number; found: number; ctagsFound?: number; missed: string[] };
  serverReadyMs: number;
  serverPeakRssMb?: number;
  workspaceSymbol: Stats;
  definition: Stats;
  reindex: Stats & { file: string; lines: number };
}

interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const MAIN = path.join(__dirname, '..', 'cli', 'main.js');

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0);
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(s[s.length - 1] ?? 0) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Runs a command under /usr/bin/time when it is there, for the peak RSS of the whole process. */
function timed(cmd: string, args: string[]): Timed & { stdout: string } {
  const useTime = existsSync('/usr/bin/time');
  const started = process.hrtime.bigint();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', '__TIME__ %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const m = /__TIME__ (\d+)/.exec(r.stderr ?? '');
  return { wallMs: round(wallMs), peakRssMb: m ? Math.round(Number(m[1]) / 1024) : undefined, stdout: r.stdout };
}

function hasCtags(): boolean {
  return spawnSync('ctags', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Every `.c` file under dir (the bench's own walk: independent of the indexer's discovery). */
function cFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && e.name !== '.git' && e.name !== 'node_modules') walk(r);
      else if (e.isFile() && e.name.endsWith('.c')) out.push(r);
    }
  };
  walk('');
  return out;
}

interface Truth {
  file: string;
  line: number;
  name: string;
}

/**
 * Ground truth for recall, found without the index's AROS scanner: lines that
 * open an `AROS_LHn` (any variant) invocation outside comments and strings,
 * whose balanced argument list is followed by a `{` body.
 */
function libraryDefinitions(dir: string): Truth[] {
  const out: Truth[] = [];
  const opener = /^[ \t]*(?:(?:static|STATIC)\s+)?(?:__)?AROS_LH(?:\d+|DOUBLE|QUAD)\w*\s*\(/gm;
  for (const file of cFiles(dir)) {
    const text = readFileSync(path.join(dir, file), 'latin1');
    if (!text.includes('AROS_LH')) continue;
    const { code } = lexC(text);
    const starts = lineStarts(text);
    let m: RegExpExecArray | null;
    while ((m = opener.exec(code)) !== null) {
      let depth = 0;
      let i = m.index + m[0].length - 1;
      for (; i < code.length; i++) {
        const c = code[i];
        if (c === '(') depth++;
        else if (c === ')' && --depth === 0) break;
      }
      let j = i + 1;
      while (j < code.length && /\s/.test(code[j])) j++;
      if (code[j] !== '{') continue;
      const name = /\(\s*[^,]+,\s*(\w+)/.exec(code.slice(m.index, m.index + 400))?.[1] ?? '';
      out.push({ file, line: offsetToPosition(starts, m.index).line, name });
    }
  }
  return out;
}

function ctagsRecall(tagsFile: string, truth: Truth[]): number {
  const tags = new Set<string>();
  for (const line of readFileSync(tagsFile, 'utf8').split('\n')) {
    const parts = line.split('\t');
    if (parts.length >= 4 && /;"\t?f\b/.test(line)) tags.add(`${parts[1].replace(/^\.\//, '')}\t${parts[0]}`);
  }
  return truth.filter((t) => tags.has(`${t.file}\t${t.name}`)).length;
}

async function indexedLibraryLines(dir: string, cacheDir: string): Promise<Set<string>> {
  const session = new WorkspaceSession(dir, { ...defaultSettings(), cacheDir }, {});
  await session.indexWorkspace();
  const found = new Set<string>();
  for (const f of session.index.allFiles()) {
    for (const r of session.index.refsOf(f)) {
      if (r.libraryFunction && r.definition && !r.fromConf) found.add(`${f.path}:${r.symbol.range.start.line}`);
    }
  }
  await session.dispose();
  return found;
}

/** Seeded PRNG so every run asks the same questions. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function latency(dir: string, cacheDir: string): Promise<Pick<DirResult, 'serverReadyMs' | 'serverPeakRssMb' | 'workspaceSymbol' | 'definition'>> {
  const server = await startBenchServer(dir, cacheDir);
  const serverReadyMs = await server.ready;
  const random = rng(42);
  const files = cFiles(dir);
  // Queries: prefixes and word initials of identifiers that occur in the tree.
  const idents: string[] = [];
  for (let i = 0; i < 60 && files.length; i++) {
    const text = readFileSync(path.join(dir, files[Math.floor(random() * files.length)]), 'latin1');
    const m = lexC(text).code.match(/\b[A-Za-z_][A-Za-z0-9_]{3,}\b/g) ?? [];
    for (let k = 0; k < 5 && m.length; k++) idents.push(m[Math.floor(random() * m.length)]);
  }
  const queries = idents.map((id, i) => (i % 3 === 0 ? id : i % 3 === 1 ? id.slice(0, 3 + (i % 5)) : initials(id) || id.slice(0, 4)));
  const ws: number[] = [];
  for (const q of queries) ws.push((await timeRequest(server.connection, 'workspace/symbol', { query: q })).ms);

  // Definition requests on identifiers of open documents, as an editor sends them.
  const defs: number[] = [];
  for (let i = 0; i < 20 && files.length; i++) {
    const file = files[Math.floor(random() * files.length)];
    const text = readFileSync(path.join(dir, file), 'latin1');
    const uri = pathToFileURL(path.join(dir, file)).href;
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
    // The server analyses an opened file before it reads the next message: a
    // round trip lets that finish, so the first definition does not carry it.
    await server.connection.sendRequest('aros/health');
    const { code } = lexC(text);
    const starts = lineStarts(text);
    const spots = [...code.matchAll(/\b[A-Za-z_]\w{2,}\b/g)];
    for (let k = 0; k < 15 && spots.length; k++) {
      const at = spots[Math.floor(random() * spots.length)].index ?? 0;
      defs.push((await timeRequest(server.connection, 'textDocument/definition', { textDocument: { uri }, position: offsetToPosition(starts, at) })).ms);
    }
  }
  const serverPeakRssMb = peakRss(server.process.pid);
  await server.stop();
  return { serverReadyMs, serverPeakRssMb, workspaceSymbol: stats(ws), definition: stats(defs) };
}

function initials(id: string): string {
  return (id.match(/[A-Z][a-z]/g) ?? []).map((s) => s[0].toLowerCase()).join('') + (id.match(/[a-z]+$/)?.[0].slice(0, 2) ?? '');
}

function peakRss(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Typing into a large open document: a short word typed one character at a
 * time at the end of random lines, each keystroke a didChange; the time is the
 * server-side re-index of the document (apply edit, incremental re-parse,
 * symbols, breadcrumbs, index update).
 */
function reindex(dir: string): DirResult['reindex'] {
  const files = cFiles(dir);
  let best = '';
  let bestLines = 0;
  for (const f of files) {
    const lines = readFileSync(path.join(dir, f), 'latin1').split('\n').length;
    // The issue's case: a document of about 5,000 lines.
    if (Math.abs(lines - 5000) < Math.abs(bestLines - 5000)) {
      best = f;
      bestLines = lines;
    }
  }
  const docs = new OpenDocuments(new WorkspaceIndex());
  let text = readFileSync(path.join(dir, best), 'latin1');
  docs.open(best, 1, text);
  const random = rng(7);
  const samples: number[] = [];
  let version = 2;
  for (let site = 0; site < 60; site++) {
    const lines = text.split('\n');
    const line = Math.floor(random() * lines.length);
    let character = lines[line].length;
    for (const ch of ' tmp;') {
      const change = { range: { start: { line, character }, end: { line, character } }, text: ch };
      const t = process.hrtime.bigint();
      const doc = docs.change(best, version++, [change]);
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
      text = doc?.text ?? text;
      character++;
    }
  }
  return { ...stats(samples.slice(10)), file: best, lines: bestLines };
}

async function benchDir(dir: string, runs: number): Promise<DirResult> {
  const root = path.resolve(dir);
  const work = mkdtempSync(path.join(os.tmpdir(), 'aros-bench-'));
  try {
    let ctags: DirResult['ctags'];
    const tagsFile = path.join(work, 'tags');
    const withCtags = hasCtags();
    const cold: DirResult['cold'] = [];
    let cacheDir = '';
    let files = 0;
    for (let i = 0; i < runs; i++) {
      // ctags and our cold index alternate, so a drift in the machine's speed touches both.
      if (withCtags) {
        const { stdout: _ignored, ...t } = timed('ctags', ['-R', '--langmap=C:+.h', '-f', tagsFile, root]);
        ctags = { runs: [...(ctags?.runs ?? []), t], tags: readFileSync(tagsFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('!')).length };
      }
      cacheDir = path.join(work, `cache-${i}`);
      const t = timed(process.execPath, [MAIN, 'index', root, '--json', '--no-progress', '--cache-dir', cacheDir]);
      const summary = JSON.parse(t.stdout) as { elapsedMs: number; files: number };
      files = summary.files;
      cold.push({ wallMs: t.wallMs, peakRssMb: t.peakRssMb, elapsedMs: summary.elapsedMs });
    }
    const warm: DirResult['warm'] = [];
    for (let i = 0; i < runs; i++) {
      const t = timed(process.execPath, [MAIN, 'index', root, '--json', '--no-progress', '--cache-dir', cacheDir]);
      const summary = JSON.parse(t.stdout) as { elapsedMs: number; parsed: number };
      if (summary.parsed !== 0) throw new Error(`warm start re-parsed ${summary.parsed} files`);
      warm.push({ wallMs: t.wallMs, peakRssMb: t.peakRssMb, elapsedMs: summary.elapsedMs });
    }
    const truth = libraryDefinitions(root);
    const found = await indexedLibraryLines(root, cacheDir);
    const missed = truth.filter((t) => !found.has(`${t.file}:${t.line}`)).map((t) => `${t.file}:${t.line + 1} ${t.name}`);
    const recall = { present: truth.length, found: truth.length - missed.length, ctagsFound: ctags ? ctagsRecall(tagsFile, truth) : undefined, missed: missed.slice(0, 20) };
    const lat = await latency(root, cacheDir);
    return { dir: root, files, ctags, cold, warm, recall, ...lat, reindex: reindex(root) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function ctagsCell(ctags: DirResult['ctags']): string {
  if (!ctags) return 'n/a';
  return `${(median(ctags.runs.map((t) => t.wallMs)) / 1000).toFixed(2)} s / ${median(ctags.runs.map((t) => t.peakRssMb ?? 0))} MB`;
}

function table(results: DirResult[]): string {
  const rows: string[] = [
    '| tree | files | ctags wall / RSS (median) | cold wall / RSS (median) | cold ÷ ctags (median of alternated pairs) | warm wall / RSS (median) | library functions: ours / ctags | server ready (warm) / RSS | workspace/symbol p50 / p95 | definition p50 / p95 | re-index p50 / p95 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const pct = (n: number | undefined): string => (n === undefined ? 'n/a' : `${n} (${((100 * n) / Math.max(1, r.recall.present)).toFixed(1)} %)`);
    rows.push(
      `| ${path.basename(r.dir)} | ${r.files} | ${ctagsCell(r.ctags)} | ` +
        `${(median(r.cold.map((c) => c.wallMs)) / 1000).toFixed(2)} s / ${median(r.cold.map((c) => c.peakRssMb ?? 0))} MB | ` +
        `${r.ctags ? `${median(r.cold.map((c, i) => c.wallMs / (r.ctags?.runs[i]?.wallMs ?? NaN))).toFixed(2)}×` : 'n/a'} | ` +
        `${(median(r.warm.map((c) => c.wallMs)) / 1000).toFixed(2)} s / ${median(r.warm.map((c) => c.peakRssMb ?? 0))} MB | ` +
        `${pct(r.recall.found)} / ${pct(r.recall.ctagsFound)} of ${r.recall.present} | ` +
        `${r.serverReadyMs} ms / ${r.serverPeakRssMb ?? '?'} MB | ${r.workspaceSymbol.p50} / ${r.workspaceSymbol.p95} ms | ` +
        `${r.definition.p50} / ${r.definition.p95} ms | ${r.reindex.p50} / ${r.reindex.p95} ms (${r.reindex.lines} lines) |`,
    );
  }
  return rows.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const dirs: string[] = [];
  let runs = 3;
  let out = 'bench-results.json';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i] === '--out') out = argv[++i];
    else dirs.push(argv[i]);
  }
  if (dirs.length === 0 || !Number.isInteger(runs) || runs < 1) {
    process.stderr.write('usage: npm run bench:index -- DIR [DIR...] [--runs N] [--out FILE]\n');
    process.exitCode = 2;
    return;
  }
  const results: DirResult[] = [];
  for (const dir of dirs) {
    process.stderr.write(`benchmarking ${dir}...\n`);
    results.push(await benchDir(dir, runs));
  }
  const ctagsVersion = hasCtags() ? execFileSync('ctags', ['--version'], { encoding: 'utf8' }).split('\n')[0] : 'no ctags';
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${ctagsVersion}`;
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2));
  process.stdout.write(`${machine}\n\n${table(results)}\n`);
  for (const r of results) if (r.recall.missed.length) process.stdout.write(`\nmissed in ${r.dir}:\n  ${r.recall.missed.join('\n  ')}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
