// Runs one compile command (an argument vector, never a shell) in its own
// process group, so a timeout or a cancellation can kill everything it
// started. Output is kept in bounded buffers and parsed into diagnostics.

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { parseGccOutput, type CompilerDiagnostic } from './gccDiagnostics';

export type { CompilerDiagnostic } from './gccDiagnostics';

export interface CompileCommand {
  /** argv[0] is the program (looked up on PATH); no shell ever. */
  argv: string[];
  cwd: string;
  /** Default 60000. */
  timeoutMs: number;
  /** Kept per stream (stdout, stderr); default 4 MiB. The rest is counted and dropped. */
  maxOutputBytes?: number;
  /** Merged over this process's environment. */
  env?: Record<string, string>;
  /** Diagnostics parsed per stream; the rest of the output is not parsed. Default: all. */
  maxDiagnostics?: number;
}

export interface CompileResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** Bytes dropped from stdout and stderr together. */
  truncatedBytes: number;
  /** From stderr, then stdout. */
  diagnostics: CompilerDiagnostic[];
  /** Why the command could not be started, as one sentence. */
  spawnError?: string;
  /** The process id, which is also its process group id; absent when nothing was started. */
  pid?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
/** Between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2_000;
/** How long after SIGKILL a group may take to disappear before we stop waiting. */
const REAP_WAIT_MS = 2_000;
const POLL_MS = 25;

// ---------------------------------------------------------------- placeholders

/**
 * Substitutes `${name}` from `vars` inside each argument; arguments are never
 * split or joined, so a value with spaces or `;` stays one literal argument.
 * `$${` is a literal `${`. Throws on an unknown or unterminated placeholder.
 */
export function expandArgv(argv: readonly string[], vars: Readonly<Record<string, string>>): string[] {
  return argv.map((arg) => expandOne(arg, vars));
}

function expandOne(arg: string, vars: Readonly<Record<string, string>>): string {
  let out = '';
  let i = 0;
  while (i < arg.length) {
    const at = arg.indexOf('$', i);
    if (at < 0) return out + arg.slice(i);
    out += arg.slice(i, at);
    if (arg.startsWith('$${', at)) {
      out += '${';
      i = at + 3;
    } else if (arg.startsWith('${', at)) {
      const end = arg.indexOf('}', at + 2);
      if (end < 0) throw new Error(`unterminated placeholder in the compile argument '${arg}'`);
      out += lookup(arg.slice(at + 2, end), vars, arg);
      i = end + 1;
    } else {
      out += '$';
      i = at + 1;
    }
  }
  return out;
}

function lookup(name: string, vars: Readonly<Record<string, string>>, arg: string): string {
  if (!Object.prototype.hasOwnProperty.call(vars, name)) {
    const known = Object.keys(vars).map((k) => '${' + k + '}').join(', ') || 'none';
    throw new Error(`unknown placeholder '\${${name}}' in the compile argument '${arg}' (known: ${known})`);
  }
  return vars[name]!;
}

// ---------------------------------------------------------------- bounded output

/** Keeps the first half and the last half of a stream's bytes; counts what falls between. */
class BoundedOutput {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  dropped = 0;

  constructor(
    private readonly headLimit: number,
    private readonly tailLimit: number,
  ) {}

  push(chunk: Buffer): void {
    const toHead = Math.min(chunk.length, this.headLimit - this.headBytes);
    if (toHead > 0) {
      this.head.push(chunk.subarray(0, toHead));
      this.headBytes += toHead;
    }
    if (toHead < chunk.length) this.pushTail(chunk.subarray(toHead));
  }

  private pushTail(chunk: Buffer): void {
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes > this.tailLimit) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - this.tailLimit;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.dropped += first.length;
      } else {
        // Copy, so the dropped part of a large chunk can be collected.
        this.tail[0] = Buffer.from(first.subarray(excess));
        this.tailBytes -= excess;
        this.dropped += excess;
      }
    }
  }

  /** UTF-8, invalid bytes as U+FFFD; a marker line where bytes were dropped. */
  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    if (this.dropped === 0) return head + tail;
    return head + dropMarker(this.dropped) + tail;
  }
}

const MARKER_RESERVE = 64;

function dropMarker(bytes: number): string {
  return `\n[aros-lsp: ${bytes} bytes dropped]\n`;
}

function makeBuffer(max: number): BoundedOutput {
  const limit = Math.max(0, Math.floor(max));
  // Room for the marker, so the text never exceeds the limit (in bytes, hence in UTF-16 units too).
  const reserve = limit >= 4 * MARKER_RESERVE ? MARKER_RESERVE : 0;
  const headLimit = Math.floor((limit - reserve) / 2);
  return new BoundedOutput(headLimit, limit - reserve - headLimit);
}

// ---------------------------------------------------------------- process groups

/** Groups still running, killed if this process exits first. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone.
  }
}

/** True while a member of the group is running (zombies do not count). */
function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  // kill(0) also succeeds for zombies, which an init that never reaps keeps for ever.
  return procHasRunningMember(pgid) ?? true;
}

/** Scans /proc for a non-zombie process of the group; undefined where there is no /proc. */
function procHasRunningMember(pgid: number): boolean | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    const stat = readProcStat(pid);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

function readProcStat(pid: string): { state: string; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, pgrp: Number(fields[2]) };
  } catch {
    return undefined; // It exited while we looked.
  }
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the group is gone or `ms` pass; true when it is gone. */
async function waitGroupGone(pgid: number, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (groupAlive(pgid)) {
    if (performance.now() >= until) return false;
    await delay(POLL_MS);
  }
  return true;
}

/** SIGTERM, then SIGKILL after the grace period; resolves when the group is gone (or gave up waiting). */
async function killGroup(pgid: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  if (await waitGroupGone(pgid, KILL_GRACE_MS)) return;
  signalGroup(pgid, 'SIGKILL');
  // Zombies whose parent never reaps them still count as members: do not wait forever.
  await waitGroupGone(pgid, REAP_WAIT_MS);
}

// ---------------------------------------------------------------- running

/** Runs the command; never throws: failures to start come back as `spawnError`. */
export async function runCompiler(cmd: CompileCommand, opts: RunOptions = {}): Promise<CompileResult> {
  const started = performance.now();
  const refusal = await checkCommand(cmd, opts.signal);
  if (refusal) return { ...emptyResult(started), ...refusal };
  return new CompileRun(cmd, opts, started).run();
}

async function checkCommand(cmd: CompileCommand, signal: AbortSignal | undefined): Promise<Partial<CompileResult> | undefined> {
  if (signal?.aborted) return { cancelled: true };
  if (cmd.argv.length === 0 || cmd.argv[0] === '') return { spawnError: 'the compile command is empty' };
  const dir = await stat(cmd.cwd).catch(() => undefined);
  if (!dir?.isDirectory()) return { spawnError: `the compile directory '${cmd.cwd}' does not exist` };
  return undefined;
}

function emptyResult(started: number): CompileResult {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    cancelled: false,
    durationMs: performance.now() - started,
    stdout: '',
    stderr: '',
    truncatedBytes: 0,
    diagnostics: [],
  };
}

/** A missing or non-positive timeout means the default; setTimeout cannot wait longer than 2^31-1 ms. */
function timeoutOf(cmd: CompileCommand): number {
  const ms = cmd.timeoutMs;
  if (!Number.isFinite(ms) || ms <= 0) return DEFAULT_TIMEOUT_MS;
  return Math.min(ms, 2 ** 31 - 1);
}

function spawnErrorSentence(program: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `the compile command '${program}' was not found`;
  if (code === 'EACCES') return `the compile command '${program}' is not executable`;
  const message = err instanceof Error ? err.message : String(err);
  return `the compile command '${program}' could not be started: ${message}`;
}

class CompileRun {
  private readonly out: BoundedOutput;
  private readonly err: BoundedOutput;
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private child: ChildProcess | undefined;
  private timedOut = false;
  private cancelled = false;
  private exit: { code: number | null; signal: string | null } | undefined;
  private spawnError: string | undefined;
  private killing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cmd: CompileCommand,
    private readonly opts: RunOptions,
    private readonly started: number,
  ) {
    const max = cmd.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    this.out = makeBuffer(max);
    this.err = makeBuffer(max);
  }

  async run(): Promise<CompileResult> {
    const onAbort = (): void => this.stop('cancel');
    try {
      const closed = this.start();
      this.opts.signal?.addEventListener('abort', onAbort, { once: true });
      // It may have fired while the command was being checked.
      if (this.opts.signal?.aborted) onAbort();
      await closed;
      // A child that left a background process (or ignored SIGTERM while its pipes closed) is finished off here.
      if (this.child?.pid !== undefined) await (this.killing ?? this.sweep(this.child.pid));
    } finally {
      this.opts.signal?.removeEventListener('abort', onAbort);
      clearTimeout(this.timer);
      clearTimeout(this.drainTimer);
      if (this.child?.pid !== undefined) liveGroups.delete(this.child.pid);
    }
    return this.result();
  }

  /** Spawns and resolves when the child has exited and its pipes are closed (or it failed to start). */
  private start(): Promise<void> {
    return new Promise<void>((resolve) => {
      const [program, ...args] = this.cmd.argv as [string, ...string[]];
      let child: ChildProcess;
      try {
        child = spawn(program, args, {
          cwd: this.cmd.cwd,
          env: { ...process.env, ...this.cmd.env },
          shell: false,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (err) {
        this.spawnError = spawnErrorSentence(program, err);
        resolve();
        return;
      }
      this.child = child;
      if (child.pid !== undefined) trackGroup(child.pid);
      child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk, 'stdout'));
      child.stderr!.on('data', (chunk: Buffer) => this.onData(chunk, 'stderr'));
      child.on('error', (err) => {
        if (child.pid === undefined) {
          this.spawnError = spawnErrorSentence(program, err);
          resolve();
        }
      });
      child.on('exit', (code, signal) => this.onExit(code, signal));
      child.on('close', () => resolve());
      this.timer = setTimeout(() => this.stop('timeout'), timeoutOf(this.cmd));
    });
  }

  private onData(chunk: Buffer, stream: 'stdout' | 'stderr'): void {
    (stream === 'stdout' ? this.out : this.err).push(chunk);
    const listener = this.opts.onOutput;
    if (!listener) return;
    const text = this.decoders[stream].write(chunk);
    if (text.length === 0) return;
    try {
      listener(text, stream);
    } catch {
      // A listener's failure must not stop the compile or leak its processes.
    }
  }

  private onExit(code: number | null, signal: string | null): void {
    this.exit = { code, signal };
    clearTimeout(this.timer);
    const pid = this.child?.pid;
    if (pid === undefined || this.killing) return;
    // Leftovers of the group may hold the pipes open; once they are killed the pipes close.
    this.killing = this.sweep(pid);
    // A process that left the group (setsid) and kept a pipe would hold 'close' forever.
    this.drainTimer = setTimeout(() => this.destroyPipes(), KILL_GRACE_MS + REAP_WAIT_MS);
  }

  private async sweep(pid: number): Promise<void> {
    if (groupAlive(pid)) await killGroup(pid);
  }

  private stop(reason: 'timeout' | 'cancel'): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.exit || this.killing) return;
    if (reason === 'timeout') this.timedOut = true;
    else this.cancelled = true;
    this.killing = killGroup(pid).then(() => {
      this.drainTimer = setTimeout(() => this.destroyPipes(), REAP_WAIT_MS);
    });
  }

  private destroyPipes(): void {
    this.child?.stdout?.destroy();
    this.child?.stderr?.destroy();
  }

  private result(): CompileResult {
    this.flushDecoders();
    const stdout = this.out.text();
    const stderr = this.err.text();
    const base = emptyResult(this.started);
    const result: CompileResult = {
      ...base,
      exitCode: this.exit?.code ?? null,
      signal: this.exit?.signal ?? null,
      timedOut: this.timedOut,
      cancelled: this.cancelled,
      stdout,
      stderr,
      truncatedBytes: this.out.dropped + this.err.dropped,
      diagnostics: [...parseGccOutput(stderr, this.cmd.cwd, this.cmd.maxDiagnostics), ...parseGccOutput(stdout, this.cmd.cwd, this.cmd.maxDiagnostics)],
    };
    if (this.child?.pid !== undefined) result.pid = this.child.pid;
    if (this.spawnError !== undefined) result.spawnError = this.spawnError;
    return result;
  }

  private flushDecoders(): void {
    const listener = this.opts.onOutput;
    if (!listener) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.decoders[stream].end();
      if (rest.length === 0) continue;
      try {
        listener(rest, stream);
      } catch {
        // As in onData.
      }
    }
  }
}
