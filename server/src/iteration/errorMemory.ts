// The error memory of the agent loop's *learn* phase: every compiler error an
// attempt produced (an occurrence) and every error that an attempt then made
// go away (a fix: the code before and after, its diff and the reason), keyed
// by normalised signatures so that a fix learnt for `‘foo’ undeclared` is
// offered for `‘bar’ undeclared`.
//
// Stored as `error-memory.jsonl` in the workspace cache directory, one JSON
// record a line, only ever appended to: each record is one write of a whole
// line to a file opened O_APPEND, so a crash (kill -9) can at worst leave the
// last line torn, and that line is skipped on the next open. Two processes on
// one cache directory (two editor windows) append without overwriting each
// other. When the file grows past `maxBytes` it is compacted: fixes and the
// newest occurrences are written to a temporary file that is renamed over it.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import { errorKind, normaliseError, signatureSimilarity, type ErrorKind } from './errorSignature';

export const ERROR_MEMORY_FILE = 'error-memory.jsonl';
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
/** After compaction the file holds at most this share of `maxBytes`, so it is not compacted again at once. */
const COMPACT_TARGET = 0.5;
/** Prompts get diffs; a diff longer than this is cut (a rewrite of a whole file teaches little). */
const MAX_DIFF_CHARS = 8000;
const MAX_CODE_CHARS = 16000;
const MAX_MESSAGE_CHARS = 2000;
/** Below this a fix for another signature is not offered; 1 is the same signature. */
const MIN_SIMILARITY = 0.45;
/** A fix for an error of another kind is worth this share of its similarity. */
const OTHER_KIND_WEIGHT = 0.5;
/** Cells of the LCS table; beyond, the changed middle is shown as one replacement. */
const MAX_LCS_CELLS = 1_000_000;

const KINDS: ReadonlySet<string> = new Set<ErrorKind>(['syntax', 'undeclared', 'type', 'implicit-declaration', 'linker', 'warning', 'other']);

export interface OccurrenceRecord {
  type: 'occurrence';
  signature: string;
  kind: ErrorKind;
  message: string;
  /** Workspace-relative, `/`-separated. */
  file: string;
  line: number;
  task: string;
  /** ISO time. */
  at: string;
}

export interface FixRecord {
  type: 'fix';
  signature: string;
  kind: ErrorKind;
  message: string;
  before: string;
  after: string;
  /** Unified, hunks only (see `unifiedDiff`). */
  diff: string;
  reason: string;
  task: string;
  at: string;
}

export type MemoryRecord = OccurrenceRecord | FixRecord;

/** A remembered fix as `similarFixes` offers it. */
export interface SimilarFix extends FixRecord {
  /** 1 for the same signature. */
  similarity: number;
  /** How many times this change was recorded as the fix for this signature. */
  uses: number;
}

export interface OccurrenceInput {
  message: string;
  /** The diagnostic's `-W` option when the message does not carry it. */
  flag?: string;
  file: string;
  line: number;
  task: string;
  at?: Date;
}

export interface FixInput {
  /** The error that went away. */
  message: string;
  flag?: string;
  before: string;
  after: string;
  /** Computed from `before` and `after` when absent. */
  diff?: string;
  reason: string;
  task: string;
  at?: Date;
}

export interface ErrorMemoryOptions {
  /** Told about skipped lines, failed writes and compactions. */
  log?: (message: string) => void;
  /** fsync after every record: survives power loss, not only a crash of the process. */
  fsync?: boolean;
  /** Compaction threshold; 16 MB by default. */
  maxBytes?: number;
  /** The workspace root: absolute `file`s are stored relative to it. */
  root?: string;
  now?: () => Date;
}

export interface ErrorMemoryStats {
  occurrences: number;
  fixes: number;
  /** Distinct signatures among the occurrences. */
  signatures: number;
  /** Distinct signatures with at least one fix. */
  fixSignatures: number;
  /** The file's size as far as this process knows. */
  bytes: number;
  /** Unreadable lines skipped on open (the torn last line included). */
  corruptLines: number;
  tornTail: boolean;
  writeFailures: number;
  compactions: number;
}

// ---------------------------------------------------------------------------
// JSON lines: reading tolerantly, appending crash-safely (shared with sessionLog.ts)

export interface JsonLinesRead<T> {
  records: T[];
  /** Lines that were not a valid record, the torn last one included. */
  corrupt: number;
  /** The last line was incomplete (no newline) or not a valid record. */
  tornTail: boolean;
  /** False when the file ends inside a line: the next append must start a new one. */
  endsWithNewline: boolean;
  bytes: number;
}

/** Parses JSON lines; lines that fail to parse or validate are counted and skipped. */
export function parseJsonLines<T>(text: string, validate: (value: unknown) => T | undefined): JsonLinesRead<T> {
  const lines = text.split('\n');
  const endsWithNewline = text.length === 0 || text.endsWith('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const records: T[] = [];
  let corrupt = 0;
  let tornTail = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const isLast = i === lines.length - 1;
    const record = isLast && !endsWithNewline ? undefined : parseLine(line, validate);
    if (record !== undefined) {
      records.push(record);
      continue;
    }
    corrupt++;
    if (isLast) tornTail = true;
  }
  return { records, corrupt, tornTail, endsWithNewline, bytes: Buffer.byteLength(text) };
}

function parseLine<T>(line: string, validate: (value: unknown) => T | undefined): T | undefined {
  try {
    return validate(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/** The file's records, or undefined when there is no file. Other read errors reject. */
export async function readJsonLines<T>(file: string, validate: (value: unknown) => T | undefined): Promise<JsonLinesRead<T> | undefined> {
  let text: string;
  try {
    // Not through a symlink either: a cache inside the workspace must not make us read a file elsewhere.
    text = await readFile(file, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW });
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  return parseJsonLines(text, validate);
}

export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface AppenderOptions {
  fsync?: boolean;
  log?: (message: string) => void;
}

const APPEND_NO_FOLLOW = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/**
 * Appends whole lines to one file, one at a time. Each line is a single
 * write to a descriptor opened with O_APPEND, so it lands at the end even
 * when another process appends too, and a crash cannot interleave two lines.
 * The file is opened per write: a rename over it (compaction) is then
 * followed by the next write, and there is no descriptor to leak.
 */
export class LineAppender {
  private queue: Promise<unknown> = Promise.resolve();
  private failureLogged = false;
  /** Set when the file ends inside a torn line: the next write starts with a newline. */
  needsNewline = false;
  failures = 0;
  bytesWritten = 0;

  constructor(
    readonly file: string,
    private readonly opts: AppenderOptions = {},
  ) {}

  /** Runs `task` after every write queued before it. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Appends one value as a JSON line. Resolves false, after logging once, when the write failed. */
  append(value: unknown): Promise<boolean> {
    let line: string;
    try {
      line = JSON.stringify(value);
    } catch (err) {
      this.fail(`cannot serialise a record: ${errorText(err)}`);
      return Promise.resolve(false);
    }
    return this.run(() => this.write(line));
  }

  /** Resolves when every write queued so far has finished. */
  flush(): Promise<void> {
    return this.run(() => Promise.resolve());
  }

  private async write(line: string): Promise<boolean> {
    const data = Buffer.from(`${this.needsNewline ? '\n' : ''}${line}\n`, 'utf8');
    try {
      // O_NOFOLLOW: a symlink planted where the file belongs (a cache inside the workspace) is refused, not written through.
      const handle = await open(this.file, APPEND_NO_FOLLOW);
      try {
        await handle.appendFile(data);
        if (this.opts.fsync) await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      // Part of the line may be in the file (a full disk writes short): the next record must start on a line of its own.
      this.needsNewline = true;
      this.fail(`cannot write ${this.file}: ${errorText(err)}`);
      return false;
    }
    this.needsNewline = false;
    this.bytesWritten += data.length;
    return true;
  }

  private fail(message: string): void {
    this.failures++;
    if (this.failureLogged) return;
    this.failureLogged = true;
    this.opts.log?.(message);
  }
}

/** Writes `text` to a temporary file beside `file`, syncs it and renames it over `file`. */
export async function replaceFile(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Records

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasStrings(o: Record<string, unknown>, keys: readonly string[]): boolean {
  return keys.every((k) => typeof o[k] === 'string');
}

/** A parsed line as a record, or undefined when it is not one. */
export function asMemoryRecord(value: unknown): MemoryRecord | undefined {
  if (!isObject(value) || typeof value.kind !== 'string' || !KINDS.has(value.kind)) return undefined;
  if (!hasStrings(value, ['signature', 'message', 'task', 'at'])) return undefined;
  if (value.type === 'occurrence') {
    if (typeof value.file !== 'string' || typeof value.line !== 'number' || !Number.isFinite(value.line)) return undefined;
    return value as unknown as OccurrenceRecord;
  }
  if (value.type === 'fix' && hasStrings(value, ['before', 'after', 'diff', 'reason'])) return value as unknown as FixRecord;
  return undefined;
}

function cut(text: string, max: number, marker: string): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n${marker}`;
}

/** The changed lines of a diff without their context: two fixes that made the same change share it. */
function changeKey(diff: string): string {
  return diff
    .split('\n')
    .filter((l) => (l.startsWith('+') || l.startsWith('-')) && !l.startsWith('@@'))
    .map((l) => `${l[0]}${l.slice(1).trim()}`)
    .join('\n');
}

interface FixGroup {
  latest: FixRecord;
  /** Append order of the latest record: breaks ties between equal times. */
  seq: number;
  uses: number;
}

/** Newer first: by time, then by append order. */
function newer(a: { at: string; seq: number }, b: { at: string; seq: number }): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  return b.seq - a.seq;
}

// ---------------------------------------------------------------------------

export class ErrorMemory {
  private occurrenceList: OccurrenceRecord[] = [];
  private bySignature = new Map<string, OccurrenceRecord[]>();
  private fixList: FixRecord[] = [];
  private groups = new Map<string, FixGroup>();
  /** Indexed but not yet written: a compaction that rebuilds the index from the file keeps them. */
  private readonly pending = new Set<MemoryRecord>();
  private loadedBytes = 0;
  private corruptLines = 0;
  private tornTail = false;
  private compactions = 0;
  /** False when the directory could not be created or the file read: the memory then lives in this process only. */
  private writable = true;
  private readonly appender: LineAppender;
  private readonly maxBytes: number;
  private readonly now: () => Date;

  private constructor(
    readonly dir: string,
    private readonly opts: ErrorMemoryOptions,
  ) {
    this.appender = new LineAppender(path.join(dir, ERROR_MEMORY_FILE), { fsync: opts.fsync, log: opts.log });
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.now = opts.now ?? (() => new Date());
  }

  get file(): string {
    return this.appender.file;
  }

  /** Loads the memory in `dir`; never rejects (an unusable directory leaves a memory that is not saved). */
  static async open(dir: string, opts: ErrorMemoryOptions = {}): Promise<ErrorMemory> {
    const memory = new ErrorMemory(dir, opts);
    await memory.load();
    return memory;
  }

  private async load(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      const read = await readJsonLines(this.file, asMemoryRecord);
      if (read) this.adopt(read);
    } catch (err) {
      this.writable = false;
      this.opts.log?.(`error memory ${this.file} not used: ${errorText(err)}; errors are remembered for this run only`);
    }
  }

  private adopt(read: JsonLinesRead<MemoryRecord>): void {
    this.reset();
    for (const record of read.records) this.index(record);
    this.loadedBytes = read.bytes;
    this.appender.bytesWritten = 0;
    this.appender.needsNewline = !read.endsWithNewline;
    this.corruptLines = read.corrupt;
    this.tornTail = read.tornTail;
    const middle = read.corrupt - (read.tornTail ? 1 : 0);
    if (read.tornTail) this.opts.log?.(`${this.file}: skipped an incomplete last line (an interrupted write)`);
    if (middle > 0) this.opts.log?.(`${this.file}: skipped ${middle} unreadable line${middle === 1 ? '' : 's'}`);
  }

  private reset(): void {
    this.occurrenceList = [];
    this.bySignature = new Map();
    this.fixList = [];
    this.groups = new Map();
  }

  private index(record: MemoryRecord): void {
    if (record.type === 'occurrence') {
      this.occurrenceList.push(record);
      const list = this.bySignature.get(record.signature);
      if (list) list.push(record);
      else this.bySignature.set(record.signature, [record]);
      return;
    }
    const seq = this.fixList.length;
    this.fixList.push(record);
    const key = `${record.signature}\u0000${changeKey(record.diff)}`;
    const group = this.groups.get(key);
    if (!group) this.groups.set(key, { latest: record, seq, uses: 1 });
    else {
      group.uses++;
      if (newer({ at: record.at, seq }, { at: group.latest.at, seq: group.seq }) < 0) {
        group.latest = record;
        group.seq = seq;
      }
    }
  }

  /** Remembers one error of one attempt. Resolves with the record once it is written (or the write failed, which is logged). */
  async recordOccurrence(input: OccurrenceInput): Promise<OccurrenceRecord> {
    const record: OccurrenceRecord = {
      type: 'occurrence',
      signature: normaliseError(input.message, { flag: input.flag }),
      kind: errorKind(input.message, input.flag),
      message: cut(input.message, MAX_MESSAGE_CHARS, '…'),
      file: this.relative(input.file),
      line: input.line,
      task: input.task,
      at: (input.at ?? this.now()).toISOString(),
    };
    await this.add(record);
    return record;
  }

  /** Remembers that the change from `before` to `after` made the error in `message` go away. */
  async recordFix(input: FixInput): Promise<FixRecord> {
    const diff = input.diff ?? unifiedDiff(input.before, input.after);
    const record: FixRecord = {
      type: 'fix',
      signature: normaliseError(input.message, { flag: input.flag }),
      kind: errorKind(input.message, input.flag),
      message: cut(input.message, MAX_MESSAGE_CHARS, '…'),
      before: cut(input.before, MAX_CODE_CHARS, '/* … (cut) */'),
      after: cut(input.after, MAX_CODE_CHARS, '/* … (cut) */'),
      diff: cut(diff, MAX_DIFF_CHARS, '… (diff cut)'),
      reason: cut(input.reason, MAX_MESSAGE_CHARS, '…'),
      task: input.task,
      at: (input.at ?? this.now()).toISOString(),
    };
    await this.add(record);
    return record;
  }

  private async add(record: MemoryRecord): Promise<void> {
    // In memory at once, so the next prompt sees it even while the write is queued.
    this.index(record);
    if (!this.writable) return;
    this.pending.add(record);
    try {
      await this.appender.append(record);
    } finally {
      this.pending.delete(record);
    }
    if (this.size() > this.maxBytes) {
      await this.appender.run(() => (this.size() > this.maxBytes ? this.compactNow() : Promise.resolve()));
    }
  }

  private size(): number {
    return this.loadedBytes + this.appender.bytesWritten;
  }

  private relative(file: string): string {
    let f = file;
    if (this.opts.root && path.isAbsolute(f)) {
      const rel = path.relative(this.opts.root, f);
      if (!rel.startsWith('..') && !path.isAbsolute(rel)) f = rel;
    }
    return f.split(path.sep).join('/');
  }

  /**
   * Fixes for errors like `message`: those of the same signature first, then
   * those of the nearest signatures (token similarity, halved for another
   * kind of error); among equals the most reused, then the most recent.
   * The same change recorded several times is offered once.
   */
  similarFixes(message: string, limit = 3, opts: { flag?: string } = {}): SimilarFix[] {
    if (limit <= 0 || this.groups.size === 0) return [];
    const signature = normaliseError(message, opts);
    const kind = errorKind(message, opts.flag);
    const ranked: { group: FixGroup; similarity: number }[] = [];
    const similarityOf = new Map<string, number>();
    for (const group of this.groups.values()) {
      const other = group.latest.signature;
      let similarity = similarityOf.get(other);
      if (similarity === undefined) {
        similarity = other === signature ? 1 : Math.min(0.99, signatureSimilarity(signature, other));
        if (group.latest.kind !== kind && similarity < 1) similarity *= OTHER_KIND_WEIGHT;
        similarityOf.set(other, similarity);
      }
      if (similarity >= MIN_SIMILARITY) ranked.push({ group, similarity });
    }
    ranked.sort(
      (a, b) =>
        b.similarity - a.similarity ||
        b.group.uses - a.group.uses ||
        newer({ at: a.group.latest.at, seq: a.group.seq }, { at: b.group.latest.at, seq: b.group.seq }),
    );
    return ranked.slice(0, limit).map(({ group, similarity }) => ({ ...group.latest, similarity, uses: group.uses }));
  }

  /** The occurrences of one signature, oldest first. */
  occurrences(signature: string): OccurrenceRecord[] {
    return [...(this.bySignature.get(signature) ?? [])];
  }

  /** Every fix, oldest first. */
  fixes(): FixRecord[] {
    return [...this.fixList];
  }

  stats(): ErrorMemoryStats {
    const fixSignatures = new Set(this.fixList.map((f) => f.signature));
    return {
      occurrences: this.occurrenceList.length,
      fixes: this.fixList.length,
      signatures: this.bySignature.size,
      fixSignatures: fixSignatures.size,
      bytes: this.size(),
      corruptLines: this.corruptLines,
      tornTail: this.tornTail,
      writeFailures: this.appender.failures,
      compactions: this.compactions,
    };
  }

  /** Resolves when every record so far is written. */
  flush(): Promise<void> {
    return this.appender.flush();
  }

  /** Compacts now, whatever the size (after the queued writes). */
  compact(): Promise<void> {
    if (!this.writable) return Promise.resolve();
    return this.appender.run(() => this.compactNow());
  }

  /**
   * Keeps every fix and the newest occurrences within half of `maxBytes`
   * (fixes too, newest first, if they alone exceed it). The file is re-read
   * first so that records another process appended are kept.
   */
  private async compactNow(): Promise<void> {
    try {
      // A file deleted under us is rebuilt from what this process holds.
      const read = (await readJsonLines(this.file, asMemoryRecord)) ?? { records: [...this.fixList, ...this.occurrenceList] };
      const kept = selectForCompaction(read.records, Math.floor(this.maxBytes * COMPACT_TARGET));
      const text = kept.map((r) => `${JSON.stringify(r)}\n`).join('');
      await replaceFile(this.file, text);
      this.reset();
      for (const record of kept) this.index(record);
      // A pending record may already be in the file (its write done, its promise not yet settled).
      const onDisk = new Set(read.records.map((r) => JSON.stringify(r)));
      for (const record of this.pending) if (!onDisk.has(JSON.stringify(record))) this.index(record);
      this.loadedBytes = Buffer.byteLength(text);
      this.appender.bytesWritten = 0;
      this.appender.needsNewline = false;
      this.compactions++;
      this.opts.log?.(`${this.file}: compacted ${read.records.length} records to ${kept.length} (${this.loadedBytes} bytes)`);
    } catch (err) {
      this.opts.log?.(`${this.file}: compaction failed: ${errorText(err)}`);
      // Do not try again on every record: count the current size as the base.
      this.loadedBytes = 0;
      this.appender.bytesWritten = 0;
    }
  }
}

/** The records a compaction keeps, in their original order. */
function selectForCompaction(records: readonly MemoryRecord[], budget: number): MemoryRecord[] {
  const sizes = records.map((r) => Buffer.byteLength(JSON.stringify(r)) + 1);
  const keep = new Array<boolean>(records.length).fill(false);
  let used = 0;
  // Newest first: fixes, then occurrences with what is left.
  for (const wanted of ['fix', 'occurrence'] as const) {
    for (let i = records.length - 1; i >= 0; i--) {
      if (records[i].type !== wanted || used + sizes[i] > budget) continue;
      keep[i] = true;
      used += sizes[i];
    }
  }
  return records.filter((_r, i) => keep[i]);
}

// ---------------------------------------------------------------------------
// Diff

type DiffOp = { op: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Line operations turning `a` into `b`: common prefix and suffix, an LCS of the middle. */
function diffLines(a: readonly string[], b: readonly string[]): DiffOp[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: DiffOp[] = a.slice(0, start).map((line) => ({ op: ' ', line }));
  ops.push(...middleOps(a.slice(start, endA), b.slice(start, endB)));
  for (let i = endA; i < a.length; i++) ops.push({ op: ' ', line: a[i] });
  return ops;
}

function middleOps(a: readonly string[], b: readonly string[]): DiffOp[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > MAX_LCS_CELLS) {
    return [...a.map((line): DiffOp => ({ op: '-', line })), ...b.map((line): DiffOp => ({ op: '+', line }))];
  }
  // lcs[i][j]: LCS length of a[i..] and b[j..], flattened.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  const ops: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ op: ' ', line: a[i++] });
      j++;
    } else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) ops.push({ op: '-', line: a[i++] });
    else ops.push({ op: '+', line: b[j++] });
  }
  while (i < n) ops.push({ op: '-', line: a[i++] });
  while (j < m) ops.push({ op: '+', line: b[j++] });
  return ops;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}

/**
 * A unified diff of two texts, hunks only (no `---`/`+++` header): what a
 * prompt needs. Empty when the texts have the same lines.
 */
export function unifiedDiff(before: string, after: string, context = 2): string {
  const ops = diffLines(splitLines(before), splitLines(after));
  const changes: number[] = [];
  ops.forEach((o, i) => {
    if (o.op !== ' ') changes.push(i);
  });
  if (changes.length === 0) return '';
  // Line numbers before each op.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let oldLine = 0;
  let newLine = 0;
  for (const o of ops) {
    oldAt.push(oldLine);
    newAt.push(newLine);
    if (o.op !== '+') oldLine++;
    if (o.op !== '-') newLine++;
  }
  const ctx = Math.max(0, context);
  const out: string[] = [];
  let c = 0;
  while (c < changes.length) {
    let last = c;
    // Changes whose contexts touch share a hunk.
    while (last + 1 < changes.length && changes[last + 1] - changes[last] - 1 <= 2 * ctx) last++;
    const from = Math.max(0, changes[c] - ctx);
    const to = Math.min(ops.length, changes[last] + 1 + ctx);
    const slice = ops.slice(from, to);
    const oldCount = slice.filter((o) => o.op !== '+').length;
    const newCount = slice.filter((o) => o.op !== '-').length;
    const oldStart = oldCount === 0 ? oldAt[from] : oldAt[from] + 1;
    const newStart = newCount === 0 ? newAt[from] : newAt[from] + 1;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    for (const o of slice) out.push(`${o.op}${o.line}`);
    c = last + 1;
  }
  return `${out.join('\n')}\n`;
}
