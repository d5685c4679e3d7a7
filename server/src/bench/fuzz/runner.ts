// Runs fuzz cases against the real server over stdio and checks, for each:
// every request got exactly the answer the oracle requires within a bound, no
// id that was not owed an answer got one, the server wrote only well-formed
// frames and logged no internal error, framing damage was logged on stderr,
// and the process is alive (or, in lifecycle cases, exited with the right code).
// A case on the main server ends with a barrier: a request for an unknown
// method, answered (MethodNotFound) only after everything written before it
// was read, so an unanswered barrier means the stream is stuck. Every
// `probeEvery` cases, and at the end, known-good requests must give the known
// answers.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CATEGORIES, generateCase, type Category, type FuzzCase, type GenerateOptions, type Step } from './cases';
import { frameBytes, frameOf } from './frames';
import { PROBE_FILES, uriOf, type World } from './messages';
import { InternalError, expectForBody, idKey, type Expectation, type Phase } from './oracle';
import { caseSeed } from './random';
import { FuzzServer, REPO, type ServerExit } from './serverProcess';

export interface FuzzOptions extends SessionOptions {
  seed: number;
  /** At most this many cases ... */
  count: number;
  /** ... and for at most this long (whichever comes first). */
  seconds: number;
  /** A known-good check every this many cases. */
  probeEvery?: number;
  /** Run only these case indexes (replay). */
  only?: number[];
  /** Force the category of specific cases (case index → category), e.g. so a short run covers each. */
  categoryOf?: (index: number) => Category | undefined;
  /** Replay each failing case alone on a fresh server and report whether it reproduces. */
  replayFailures?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface CaseFailure {
  index: number;
  seed: number;
  category: Category | 'probe' | 'setup';
  kind: string;
  problems: string[];
  notes: string[];
  /** The bytes of the case, readable (long parts elided). */
  reproduction: string;
  command: string;
  stderr: string;
  alone?: string;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  seconds: number;
  casesPerSecond: number;
  stoppedBy: 'count' | 'time';
  byCategory: Record<string, number>;
  byKind: Record<string, number>;
  /** Seconds spent per category. */
  secondsByCategory: Record<string, number>;
  requests: number;
  nullErrors: number;
  bytesSent: number;
  probes: number;
  freshServers: number;
  mainServers: number;
  peakRssMb: { main: number; fresh: number };
  failures: CaseFailure[];
}

const DEFAULT_FIXTURE = path.join(REPO, 'test', 'fixtures', 'aros-mini');
const FRAME_LOG = /\[aros-lsp\] (bad frame|.*(frame|header|Content-Length))/i;

interface Env {
  base: string;
  world: World;
  home: string;
  cleanup(): void;
}

function makeEnv(fixture: string): Env {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'aros-lsp-fuzz-'));
  const root = path.join(base, 'ws');
  fs.cpSync(fixture, root, { recursive: true });
  fs.mkdirSync(path.join(root, 'fuzz'));
  const outside = path.join(base, 'outside');
  fs.mkdirSync(path.join(outside, 'dir'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'outside.c'), 'int outside_Func(void) { return 1; }\n');
  const home = path.join(base, 'home');
  fs.mkdirSync(home);
  return {
    base,
    home,
    world: { root, outside, cacheDir: path.join(base, 'cache'), freshCacheDir: path.join(base, 'cache-fresh') },
    cleanup: () => fs.rmSync(base, { recursive: true, force: true }),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What came back for one case, checked against what was owed. */
class Tracker {
  private readonly owed = new Map<string, { expect: Extract<Expectation, { kind: 'response' }>; optional: boolean; count: number }>();
  readonly problems: string[] = [];
  nullExpected = 0;
  nullReceived: number[] = [];
  answered = 0;
  exitRequested = false;
  private readonly forbidden = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(server: FuzzServer, forbidden: string[] = []) {
    for (const f of forbidden) this.forbidden.add(f);
    this.unsubscribe = server.onMessage((m) => this.onMessage(m));
  }

  stop(): void {
    this.unsubscribe();
  }

  expect(e: Expectation, optional = false): void {
    if (e.kind === 'null-error') this.nullExpected++;
    else if (e.kind === 'response') {
      // A repeated id is owed an answer too (the server refuses an id still in use with InvalidRequest).
      const o = this.owed.get(e.key);
      if (o) o.count++;
      else this.owed.set(e.key, { expect: e, optional, count: 1 });
    } else if (e.exit) this.exitRequested = true;
  }

  /** Answers still owed (optional ones excluded). */
  missing(): string[] {
    return [...this.owed.entries()].filter(([, o]) => !o.optional).map(([k, o]) => `${o.expect.method} id ${k.length > 80 ? `${k.slice(0, 77)}...` : k}`);
  }

  settled(): boolean {
    return this.missing().length === 0;
  }

  private onMessage(m: any): void {
    if (!m || typeof m !== 'object') return;
    if ('method' in m) {
      // vscode-jsonrpc reports a throwing notification handler through window/logMessage.
      if (m.method === 'window/logMessage' && /handler .* failed|failed unexpectedly/i.test(String(m.params?.message))) {
        this.problems.push(`a handler threw: ${String(m.params.message).slice(0, 300)}`);
      }
      return;
    }
    if (!('id' in m)) return;
    if (m.id === null) {
      this.nullReceived.push(m.error?.code);
      if (!m.error) this.problems.push(`a result with id null: ${JSON.stringify(m).slice(0, 200)}`);
      return;
    }
    const key = idKey(m.id);
    const owed = this.owed.get(key);
    if (!owed) {
      if (this.forbidden.has(key)) this.problems.push(`answered ${key}, a request inside a destroyed frame: ${JSON.stringify(m).slice(0, 200)}`);
      else this.problems.push(`an answer nobody asked for (id ${key.slice(0, 80)}): ${JSON.stringify(m).slice(0, 200)}`);
      return;
    }
    if (--owed.count === 0) this.owed.delete(key);
    this.answered++;
    const e = owed.expect;
    const code: number | undefined = m.error?.code;
    if (e.error !== undefined && code !== e.error) {
      this.problems.push(`${e.method} id ${key.slice(0, 60)}: expected error ${e.error}, got ${m.error ? `error ${code} ${String(m.error.message).slice(0, 200)}` : `a result ${JSON.stringify(m.result)?.slice(0, 100)}`}`);
    } else if (e.noInternalError && code === InternalError) {
      this.problems.push(`${e.method} id ${key.slice(0, 60)}: InternalError: ${String(m.error.message).slice(0, 300)}`);
    } else if (m.error && (typeof code !== 'number' || typeof m.error.message !== 'string')) {
      this.problems.push(`${e.method}: malformed error ${JSON.stringify(m.error).slice(0, 200)}`);
    } else if (!m.error && !('result' in m)) {
      this.problems.push(`${e.method}: a response with neither result nor error`);
    }
  }
}

function decodeBody(b: string | Buffer): string {
  return typeof b === 'string' ? b : new TextDecoder('utf-8').decode(b);
}

/** Readable bytes for a report: printable ASCII kept, the rest escaped, long runs elided. */
export function showBytes(bytes: Buffer, max = 600): string {
  const s = bytes.toString('latin1');
  const text = s.replace(/(.)\1{63,}/gs, (run, ch: string) => `${ch.repeat(8)}<…${run.length} × ${JSON.stringify(ch)}…>`);
  const esc = JSON.stringify(text);
  return esc.length > max ? `${esc.slice(0, max / 2)} …(${bytes.length} bytes)… ${esc.slice(-max / 2)}` : esc;
}

function reproduction(c: FuzzCase): string {
  const lines: string[] = [];
  if (c.fresh) lines.push(`(a fresh server, ${c.fresh})`);
  for (const s of c.steps) {
    const pre = s.delayMs ? `after ${s.delayMs} ms: ` : '';
    if (s.bodies) for (const b of s.bodies) lines.push(`${pre}frame ${showBytes(Buffer.isBuffer(b) ? b : Buffer.from(b, 'utf8'))}`);
    if (s.raw) lines.push(`${pre}raw${s.pieces ? ` in ${s.pieces} writes` : ''} ${showBytes(s.raw)}`);
    if (s.endInput) lines.push(`${pre}end of input`);
  }
  return lines.join('\n');
}

export interface SessionOptions {
  /** The seed case i is generated from (with i). */
  seed?: number;
  /** How long any one answer may take (a hang bound, not a speed test). */
  boundMs?: number;
  /** Allow the 10-50 MB cases. */
  huge?: boolean;
  /** Allow cases that need a server of their own (lifecycle, end of input). */
  fresh?: boolean;
  /** How long the stalled-frame case stalls. */
  stallMs?: number;
  /** The tree the workspace is copied from (test/fixtures/aros-mini). */
  fixture?: string;
}

/** What one case did. */
export interface CaseOutcome {
  problems: string[];
  answered: number;
  nullErrors: number;
  /** Every message the server sent during the case (answers to its own requests aside). */
  received: any[];
  /** The server's stderr during the case. */
  stderr: string;
  /** How a server of the case's own ended. */
  exit?: ServerExit;
  peakRssMb: number;
  /** The main server was replaced after this case (it died or its stream was lost). */
  restarted?: boolean;
}

/**
 * A workspace (a temp copy of the fixture, its cache and HOME) and the main
 * server on it, initialized and indexed; cases run on it or on servers of
 * their own. `close` shuts the main server down (it must exit with code 0).
 */
export class FuzzSession {
  main!: FuzzServer;
  mainServers = 0;
  freshServers = 0;
  readonly peakRssMb = { main: 0, fresh: 0 };
  private readonly boundMs: number;
  private readonly gen: GenerateOptions;

  private constructor(
    readonly env: Env,
    readonly options: SessionOptions,
  ) {
    this.boundMs = options.boundMs ?? 30_000;
    this.gen = { world: env.world, huge: options.huge ?? true, fresh: options.fresh ?? true, stallMs: options.stallMs ?? 2000 };
  }

  get world(): World {
    return this.env.world;
  }

  static async open(options: SessionOptions = {}): Promise<FuzzSession> {
    const session = new FuzzSession(makeEnv(options.fixture ?? DEFAULT_FIXTURE), options);
    try {
      await session.startMain();
    } catch (err) {
      session.env.cleanup();
      throw err;
    }
    return session;
  }

  /** Case `index` of the session's seed; `category` and `kind` force what it is. */
  generate(index: number, category?: Category, kind?: string): FuzzCase {
    return generateCase(index, caseSeed(this.options.seed ?? 1, index), this.gen, category, kind);
  }

  async runCase(c: FuzzCase): Promise<CaseOutcome> {
    let outcome: CaseOutcome;
    if (c.fresh) {
      outcome = await runFresh(c, this.env, this.boundMs);
      this.freshServers++;
      this.peakRssMb.fresh = Math.max(this.peakRssMb.fresh, outcome.peakRssMb);
      return outcome;
    }
    const r = await runSteps(this.main, c, 'running', this.boundMs, true);
    this.noteRss();
    outcome = { problems: r.problems, answered: r.answered, nullErrors: r.nullErrors, received: r.received, stderr: r.stderr, peakRssMb: this.peakRssMb.main };
    if (!this.main.alive || r.stuck) {
      // A dead server or a lost stream is a failure of this case; the next case gets a new server.
      if (!this.main.alive && !r.problems.length) outcome.problems.push(`the server exited (${JSON.stringify(this.main.exited)})`);
      this.main.kill();
      await this.startMain();
      outcome.restarted = true;
    }
    return outcome;
  }

  /** The known-good requests on the main server (empty when all answers are right). */
  probe(when: string, waitMs = 20_000): Promise<string[]> {
    return probe(this.main, this.world, waitMs, when);
  }

  /** Replays a failing case alone, on a fresh server initialized on the workspace (or as the case says). */
  replayAlone(c: FuzzCase): Promise<string> {
    return replayAlone(c, this.env, this.boundMs);
  }

  /** shutdown + exit on the main server (problems if it does not end with code 0); removes the temp dir. */
  async close(): Promise<string[]> {
    try {
      this.noteRss();
      return await shutdownAndExit(this.main, this.boundMs);
    } finally {
      this.main.kill();
      this.env.cleanup();
    }
  }

  private noteRss(): void {
    this.peakRssMb.main = Math.max(this.peakRssMb.main, Math.round(this.main.peakRssKb() / 1024));
  }

  private async startMain(): Promise<void> {
    const s = FuzzServer.start({ home: this.env.home, cwd: this.env.base });
    this.mainServers++;
    this.main = s;
    const problems = await initializeServer(s, this.world, 'workspace', this.world.cacheDir, this.boundMs);
    if (problems.length) {
      s.kill();
      throw new Error(`aros-lsp fuzz: the server did not start: ${problems.join('; ')}\n${s.stderr()}`);
    }
    const bad = await probe(s, this.world, 60_000, 'on a new server');
    if (bad.length) {
      s.kill();
      throw new Error(`aros-lsp fuzz: the known-good requests failed before any fuzzing: ${bad.join('; ')}\n${s.stderr()}`);
    }
  }
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => undefined);
  const probeEvery = options.probeEvery ?? 50;
  const report: FuzzReport = {
    seed: options.seed,
    cases: 0,
    seconds: 0,
    casesPerSecond: 0,
    stoppedBy: 'count',
    byCategory: Object.fromEntries(CATEGORIES.map((c) => [c, 0])),
    byKind: {},
    secondsByCategory: Object.fromEntries(CATEGORIES.map((c) => [c, 0])),
    requests: 0,
    nullErrors: 0,
    bytesSent: 0,
    probes: 0,
    freshServers: 0,
    mainServers: 0,
    peakRssMb: { main: 0, fresh: 0 },
    failures: [],
  };
  const started = Date.now();
  const deadline = started + options.seconds * 1000;
  const fail = (c: FuzzCase | undefined, problems: string[], stderr: string, category?: CaseFailure['category']): CaseFailure => {
    const f: CaseFailure = {
      index: c?.index ?? -1,
      seed: c?.seed ?? options.seed,
      category: category ?? c?.category ?? 'setup',
      kind: c?.kind ?? '',
      problems,
      notes: c?.notes ?? [],
      reproduction: c ? reproduction(c) : '',
      command: c ? `npm run fuzz -- --seed ${options.seed} --case ${c.index}` : '',
      stderr: stderr.length > 4000 ? `...${stderr.slice(-4000)}` : stderr,
    };
    report.failures.push(f);
    log(`FAIL case ${f.index} (${f.category}/${f.kind}): ${problems.join('; ').slice(0, 500)}`);
    return f;
  };

  const session = await FuzzSession.open(options);
  let closed = false;
  try {
    const indexes = options.only ?? Array.from({ length: options.count }, (_, i) => i);
    for (const index of indexes) {
      if (Date.now() > deadline) {
        report.stoppedBy = 'time';
        break;
      }
      const c = session.generate(index, options.categoryOf?.(index));
      report.cases++;
      report.byCategory[c.category]++;
      report.byKind[`${c.category}/${c.kind}`] = (report.byKind[`${c.category}/${c.kind}`] ?? 0) + 1;
      report.bytesSent += c.bytes ?? 0;
      const caseStart = Date.now();
      const result = await session.runCase(c);
      report.secondsByCategory[c.category] += (Date.now() - caseStart) / 1000;
      report.requests += result.answered;
      report.nullErrors += result.nullErrors;
      if (result.problems.length) {
        const f = fail(c, result.problems, result.stderr);
        if (options.replayFailures) f.alone = await session.replayAlone(c);
      }
      if (probeEvery > 0 && report.cases % probeEvery === 0) {
        report.probes++;
        const bad = await session.probe(`after case ${index}`);
        if (bad.length) fail(c, [`known-good requests after this case: ${bad.join('; ')}`], session.main.stderr(), 'probe');
      }
      if (report.cases % 500 === 0) log(`${report.cases} cases, ${((Date.now() - started) / 1000).toFixed(0)} s, ${report.failures.length} failures`);
    }
    report.probes++;
    const bad = await session.probe('at the end');
    if (bad.length) fail(undefined, [`known-good requests at the end: ${bad.join('; ')}`], session.main.stderr(), 'probe');
    const stderr = session.main.stderr();
    closed = true;
    const end = await session.close();
    if (end.length) fail(undefined, end, stderr, 'setup');
  } finally {
    if (!closed) {
      session.main.kill();
      session.env.cleanup();
    }
  }
  report.mainServers = session.mainServers;
  report.freshServers = session.freshServers;
  report.peakRssMb = { ...session.peakRssMb };
  report.seconds = (Date.now() - started) / 1000;
  report.casesPerSecond = report.cases / Math.max(0.001, report.seconds);
  return report;
}

interface CaseResult {
  problems: string[];
  /** The barrier request went unanswered. */
  stuck?: boolean;
  answered: number;
  nullErrors: number;
  stderr: string;
  peakRssMb: number;
}

let barrierCounter = 0;

/** Writes a case's steps and checks what comes back; `barrier` ends with a request that must be answered last. */
async function runSteps(server: FuzzServer, c: FuzzCase, startPhase: Phase, boundMs: number, barrier: boolean): Promise<CaseResult & { phase: Phase; received: any[] }> {
  const bound = Math.max(boundMs, c.boundMs ?? 0);
  const stderrStart = server.stderrChars;
  const violationsStart = server.parser.violations.length;
  const tracker = new Tracker(server, c.forbidden);
  const received: any[] = [];
  const stopRecording = server.onMessage((m) => {
    if (received.length < 10_000) received.push(m);
  });
  let phase = startPhase;
  const waitSettled = async (): Promise<boolean> => {
    const until = Date.now() + bound;
    while (!tracker.settled()) {
      if (!server.alive || Date.now() > until) return false;
      await sleep(2);
    }
    return true;
  };
  try {
    // Steps up to a `settle` are written with the input held, pauses included (a stalled frame stays
    // one frame); the server's own requests are answered once the input is free again.
    let i = 0;
    while (i < c.steps.length && server.alive) {
      const settleAt = c.steps.findIndex((st, k) => k >= i && (st.settle || st.endInput));
      const last = settleAt < 0 ? c.steps.length - 1 : settleAt;
      await server.exclusive(async () => {
        for (; i <= last; i++) {
          const step = c.steps[i];
          if (step.delayMs) await sleep(step.delayMs);
          if (!server.alive) return;
          await writeStep(server, step, tracker, () => phase, (p) => {
            phase = p;
          });
          if (step.endInput) server.endInput();
        }
      });
      if (c.steps[last]?.settle) await waitSettled();
    }
    let barrierKey: string | undefined;
    if (barrier && server.alive && !tracker.exitRequested) {
      const id = `barrier-${++barrierCounter}`;
      barrierKey = idKey(id);
      const { expect } = expectForBody(JSON.stringify({ jsonrpc: '2.0', id, method: 'aros/fuzzBarrier' }), phase);
      tracker.expect(expect);
      await server.write(frameOf({ jsonrpc: '2.0', id, method: 'aros/fuzzBarrier' }));
    }
    const settled = await waitSettled();
    const problems = [...tracker.problems];
    if (!settled) {
      const missing = tracker.missing();
      if (!server.alive) problems.push(`the server exited (${JSON.stringify(server.exited)}) with answers owed: ${missing.join(', ').slice(0, 400)}`);
      else problems.push(`no answer within ${bound / 1000} s to: ${missing.join(', ').slice(0, 400)}${barrierKey && missing.some((m) => m.includes(barrierKey as string)) ? ' (the stream may be stuck)' : ''}`);
    }
    if (c.nullErrors !== 'any') {
      const want = c.nullErrors ?? tracker.nullExpected;
      if (tracker.nullReceived.length !== want) problems.push(`expected ${want} error(s) with id null, got ${tracker.nullReceived.length} (${tracker.nullReceived.join(', ')})`);
    }
    const stderr = server.stderr(stderrStart);
    if (/internal error/i.test(stderr)) problems.push(`stderr: ${(/.*internal error.*/i.exec(stderr)?.[0] ?? '').slice(0, 300)}`);
    if (c.logsFrameError && !FRAME_LOG.test(stderr)) problems.push('the framing damage was not reported on stderr');
    const violations = server.parser.violations.slice(violationsStart);
    if (violations.length) problems.push(`the server wrote malformed output: ${violations.join('; ').slice(0, 300)}`);
    if (!server.alive && c.exitCode === undefined && !tracker.exitRequested) problems.push(`the server exited (${JSON.stringify(server.exited)})`);
    const stuck = !settled && barrierKey !== undefined && tracker.missing().some((m) => m.endsWith(barrierKey as string));
    return { problems, stuck, answered: tracker.answered, nullErrors: tracker.nullReceived.length, stderr, peakRssMb: 0, phase, received };
  } finally {
    tracker.stop();
    stopRecording();
  }
}

async function writeStep(server: FuzzServer, step: Step, tracker: Tracker, phase: () => Phase, setPhase: (p: Phase) => void): Promise<void> {
  let bytes: Buffer | undefined;
  if (step.bodies) {
    const frames: Buffer[] = [];
    for (const b of step.bodies) {
      const r = expectForBody(decodeBody(b), phase());
      tracker.expect(r.expect, step.optional);
      setPhase(r.phase);
      frames.push(frameBytes(b));
    }
    bytes = Buffer.concat(frames);
  }
  if (step.raw) {
    for (const e of step.expect ?? []) tracker.expect(e, step.optional);
    bytes = bytes ? Buffer.concat([bytes, step.raw]) : step.raw;
  }
  if (!bytes) return;
  const pieces = Math.max(1, Math.min(step.pieces ?? 1, bytes.length));
  if (pieces === 1) {
    await server.writeNow(bytes);
    return;
  }
  const size = Math.ceil(bytes.length / pieces);
  for (let at = 0; at < bytes.length; at += size) {
    await server.writeNow(bytes.subarray(at, at + size));
    if (step.pieceDelayMs) await sleep(step.pieceDelayMs);
    else await new Promise((r) => setImmediate(r));
  }
}

/** initialize (+ initialized) on a new server: with the workspace, or with no folder. */
async function initializeServer(s: FuzzServer, world: World, mode: 'workspace' | 'no-folder', cacheDir: string, boundMs: number): Promise<string[]> {
  const rootUri = mode === 'workspace' ? pathToFileURL(world.root).href : null;
  const id = 'init';
  let result: any;
  const off = s.onMessage((m) => {
    if (m && m.id === id && !('method' in m)) result = m;
  });
  await s.send({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'ws' }] : null,
      capabilities: {
        workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true }, textDocumentContent: {} },
        textDocument: { completion: { completionItem: { snippetSupport: true } }, inlineCompletion: {}, hover: { contentFormat: ['markdown'] } },
        window: { workDoneProgress: true, showDocument: { support: true } },
      },
      initializationOptions: { cacheDir },
    },
  });
  const until = Date.now() + boundMs;
  while (!result && s.alive && Date.now() < until) await sleep(5);
  off();
  if (!result) return [s.alive ? 'no answer to initialize' : `exited: ${JSON.stringify(s.exited)}`];
  if (result.error) return [`initialize failed: ${JSON.stringify(result.error)}`];
  await s.send({ jsonrpc: '2.0', method: 'initialized', params: {} });
  return [];
}

/** One request and its answer (or a sentence saying why there is none). */
async function call(s: FuzzServer, id: string, method: string, params: unknown, boundMs: number): Promise<{ result?: any; error?: any; problem?: string }> {
  let answer: any;
  const off = s.onMessage((m) => {
    if (m && m.id === id && !('method' in m)) answer = m;
  });
  try {
    await s.send({ jsonrpc: '2.0', id, method, params });
    const until = Date.now() + boundMs;
    while (!answer) {
      if (!s.alive) return { problem: `the server exited (${JSON.stringify(s.exited)})` };
      if (Date.now() > until) return { problem: `no answer to ${method} within ${boundMs / 1000} s` };
      await sleep(2);
    }
    return answer.error ? { error: answer.error } : { result: answer.result };
  } finally {
    off();
  }
}

let probeCounter = 0;

/**
 * The known-good requests: workspace/symbol AllocMem finds its three symbols,
 * hover on AllocMem's name shows its signature and place, definition goes to
 * it. Retried until `waitMs` (settings changes re-index), then the last answers are the failure.
 */
export async function probe(s: FuzzServer, world: World, waitMs: number, when: string): Promise<string[]> {
  const until = Date.now() + waitMs;
  const allocmem = uriOf(world, PROBE_FILES[0]);
  const rel = (uri: string): string => path.relative(world.root, fileURLToPath(uri)).split(path.sep).join('/');
  for (;;) {
    const problems: string[] = [];
    const n = ++probeCounter;
    const sym = await call(s, `probe-${n}-symbol`, 'workspace/symbol', { query: 'AllocMem' }, 30_000);
    const found = Array.isArray(sym.result)
      ? sym.result
          .filter((x: any) => x.name === 'AllocMem')
          .map((x: any) => rel(x.location.uri))
          .sort()
      : undefined;
    const want = ['compiler/include/proto/exec.h', 'rom/exec/allocmem.c', 'rom/exec/exec.conf'];
    if (JSON.stringify(found) !== JSON.stringify(want)) problems.push(`workspace/symbol AllocMem ${when}: ${sym.problem ?? JSON.stringify(sym.error ?? found)}`);
    const hover = await call(s, `probe-${n}-hover`, 'textDocument/hover', { textDocument: { uri: allocmem }, position: { line: 22, character: 25 } }, 30_000);
    const text: string = hover.result?.contents?.value ?? '';
    if (!text.includes('AllocMem(') || !text.includes('rom/exec/allocmem.c:23')) problems.push(`hover on AllocMem ${when}: ${hover.problem ?? JSON.stringify(hover.error ?? hover.result).slice(0, 300)}`);
    const def = await call(s, `probe-${n}-definition`, 'textDocument/definition', { textDocument: { uri: allocmem }, position: { line: 22, character: 25 } }, 30_000);
    const defs: string[] = Array.isArray(def.result) ? def.result.map((l: any) => `${rel(l.uri)}:${l.range?.start?.line}`) : [];
    if (!defs.includes('rom/exec/allocmem.c:22')) problems.push(`definition of AllocMem ${when}: ${def.problem ?? JSON.stringify(def.error ?? def.result).slice(0, 300)}`);
    if (!problems.length || Date.now() > until || !s.alive) return problems;
    await sleep(200);
  }
}

async function shutdownAndExit(s: FuzzServer, boundMs: number): Promise<string[]> {
  if (!s.alive) return [`the server had exited: ${JSON.stringify(s.exited)}`];
  const r = await call(s, 'final-shutdown', 'shutdown', undefined, boundMs);
  if (r.problem || r.error || r.result !== null) return [`shutdown: ${r.problem ?? JSON.stringify(r.error ?? r.result)}`];
  await s.send({ jsonrpc: '2.0', method: 'exit' });
  const exit = await Promise.race([s.exit, sleep(boundMs).then(() => undefined)]);
  if (!exit) return ['no exit within the bound after shutdown and exit'];
  if (exit.code !== 0 || exit.signal !== null) return [`exit after shutdown: ${JSON.stringify(exit)} (want code 0)`];
  return [];
}

/** A case on a server of its own: lifecycle cases, and anything that ends the process. */
async function runFresh(c: FuzzCase, env: Env, boundMs: number): Promise<CaseOutcome> {
  const s = FuzzServer.start({ home: env.home, cwd: env.base });
  try {
    let phase: Phase = 'uninitialized';
    const problems: string[] = [];
    if (c.fresh === 'initialized' || c.fresh === 'workspace') {
      const p = await initializeServer(s, env.world, c.fresh === 'workspace' ? 'workspace' : 'no-folder', env.world.freshCacheDir, boundMs);
      if (p.length) return { problems: [`setup: ${p.join('; ')}`], answered: 0, nullErrors: 0, received: [], stderr: s.stderr(), peakRssMb: 0 };
      phase = 'running';
    }
    const r = await runSteps(s, c, phase, boundMs, c.exitCode === undefined);
    problems.push(...r.problems);
    if (c.exitCode !== undefined) {
      // `exit` or the end of input: code 0 after a shutdown request, 1 otherwise (whatever the case guessed).
      const want = r.phase === 'shutdown' ? 0 : 1;
      const exit: ServerExit | undefined = await Promise.race([s.exit, sleep(Math.max(15_000, boundMs / 2)).then(() => undefined)]);
      if (!exit) problems.push(`the server did not exit (want code ${want})`);
      else if (exit.code !== want || exit.signal !== null) problems.push(`exit ${JSON.stringify(exit)}, want code ${want}`);
    } else if (r.phase === 'uninitialized') {
      // Never initialized (a refused initialize): exit ends it with code 1.
      await s.send({ jsonrpc: '2.0', method: 'exit' });
      const exit = await Promise.race([s.exit, sleep(15_000).then(() => undefined)]);
      if (!exit || exit.code !== 1) problems.push(`exit without initialize: ${JSON.stringify(exit)} (want code 1)`);
    } else if (r.phase !== 'shutdown') {
      problems.push(...(await shutdownAndExit(s, boundMs)));
    } else {
      await s.send({ jsonrpc: '2.0', method: 'exit' });
      const exit = await Promise.race([s.exit, sleep(15_000).then(() => undefined)]);
      if (!exit || exit.code !== 0) problems.push(`exit after shutdown: ${JSON.stringify(exit)} (want code 0)`);
    }
    return { problems, answered: r.answered, nullErrors: r.nullErrors, received: r.received, stderr: s.stderr(), exit: s.exited, peakRssMb: Math.round(s.peakRssKb() / 1024) };
  } finally {
    s.kill();
  }
}

/** Replays a failing case alone: on a fresh server initialized on the workspace (or as the case says). */
async function replayAlone(c: FuzzCase, env: Env, boundMs: number): Promise<string> {
  try {
    if (c.fresh) {
      const r = await runFresh(c, env, boundMs);
      return r.problems.length ? `reproduces alone: ${r.problems.join('; ').slice(0, 300)}` : 'does not reproduce alone';
    }
    const s = FuzzServer.start({ home: env.home, cwd: env.base });
    try {
      const p = await initializeServer(s, env.world, 'workspace', env.world.freshCacheDir, boundMs);
      if (p.length) return `replay setup failed: ${p.join('; ')}`;
      await probe(s, env.world, 30_000, 'before the replay');
      const r = await runSteps(s, c, 'running', boundMs, true);
      return r.problems.length ? `reproduces alone: ${r.problems.join('; ').slice(0, 300)}` : 'does not reproduce alone (it needs what ran before it)';
    } finally {
      s.kill();
    }
  } catch (err) {
    return `replay failed: ${(err as Error).message}`;
  }
}

/** The report as text. */
export function formatReport(r: FuzzReport): string {
  const lines: string[] = [];
  lines.push(`aros-lsp protocol fuzz, seed ${r.seed}: ${r.cases} cases in ${r.seconds.toFixed(1)} s (${r.casesPerSecond.toFixed(1)} cases/s), stopped by ${r.stoppedBy}`);
  lines.push(`by category: ${Object.entries(r.byCategory).map(([k, v]) => `${k} ${v} (${(r.secondsByCategory[k] ?? 0).toFixed(1)} s)`).join(', ')}`);
  const kinds = Object.entries(r.byKind).filter(([k]) => /^(framing|json|lifecycle|ids)\//.test(k)).sort();
  lines.push(`by kind: ${kinds.map(([k, v]) => `${k.replace(/^[a-z]+\//, '')} ${v}`).join(', ')}`);
  lines.push(`requests answered ${r.requests}, errors with id null ${r.nullErrors}, ${(r.bytesSent / 1024 / 1024).toFixed(1)} MB sent, ${r.probes} known-good checks`);
  lines.push(`servers: ${r.mainServers} main, ${r.freshServers} fresh; peak RSS ${r.peakRssMb.main} MB (main), ${r.peakRssMb.fresh} MB (largest fresh)`);
  lines.push(`failures: ${r.failures.length}`);
  for (const f of r.failures) {
    lines.push('');
    lines.push(`case ${f.index} (${f.category}/${f.kind}), case seed ${f.seed}${f.command ? `: ${f.command}` : ''}`);
    for (const p of f.problems) lines.push(`  problem: ${p}`);
    for (const n of f.notes.slice(0, 12)) lines.push(`  does: ${n.slice(0, 300)}`);
    if (f.alone) lines.push(`  alone: ${f.alone}`);
    if (f.reproduction) lines.push(`  bytes:\n${f.reproduction.split('\n').map((l) => `    ${l}`).join('\n')}`);
    if (f.stderr.trim()) lines.push(`  stderr (tail):\n${f.stderr.trim().split('\n').slice(-12).map((l) => `    ${l.slice(0, 300)}`).join('\n')}`);
  }
  return lines.join('\n');
}
