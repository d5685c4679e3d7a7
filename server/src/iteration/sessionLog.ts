// The session log of one agent-loop run: `<cache>/sessions/<id>.jsonl`, a
// `start` record, then what each phase took in and gave out with its timing
// (`phase`, `attempt`, `result`), then `end` with the outcome. Appended the
// same crash-safe way as the error memory (one O_APPEND write per whole
// line), so after a kill -9 every record but possibly the last is readable,
// and a run without `end` is listed as unfinished.

import { randomBytes } from 'node:crypto';
import { open, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { ownSubdirectory } from '../config/workspacePaths';
import { errorCode, LineAppender, parseJsonLines, readJsonLines } from './errorMemory';

export const SESSIONS_DIR = 'sessions';
export type SessionRecordType = 'start' | 'phase' | 'attempt' | 'result' | 'end';
const TYPES: ReadonlySet<string> = new Set<SessionRecordType>(['start', 'phase', 'attempt', 'result', 'end']);
/** Ids are ours (`2025-03-10T12-00-00-123Z-1a2b3c4d`); anything else, and any path, is refused. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Files up to this size are read whole by `listSessions`; larger ones only at both ends. */
const WHOLE_READ_BYTES = 1024 * 1024;
const HEAD_BYTES = 64 * 1024;
const TAIL_BYTES = 256 * 1024;

export interface SessionRecord {
  /** ISO time of the record. */
  t: string;
  type: SessionRecordType;
  [key: string]: unknown;
}

/** What a run says about itself in its `start` record: workspace, project, tasks (a count), settings. */
export interface SessionMeta {
  [key: string]: unknown;
}

/** What `close` writes in the `end` record. */
export interface SessionEndSummary {
  /** `succeeded`, `failed`, `cancelled`, `error`: the caller's words. */
  outcome: string;
  tasks?: number;
  [key: string]: unknown;
}

export type SessionEntry = { type: 'phase' | 'attempt' | 'result'; [key: string]: unknown };

export interface SessionSummary {
  id: string;
  /** From the `start` record; the first readable record's time when that is torn. */
  started?: string;
  /** From the `end` record, when there is one. */
  ended?: string;
  project?: string;
  /** `tasks` of the `end` record, else of the `start` record, else the distinct tasks named in a file read whole. */
  tasks?: number;
  /** The `end` record's outcome; `unfinished` without one (crashed or still running); `unreadable` with no record at all. */
  outcome: string;
}

export interface SessionLogOptions {
  /** Told once when a write fails. */
  log?: (message: string) => void;
  fsync?: boolean;
  now?: () => Date;
}

/** Throws unless `id` is a plain file name of ours: no separators, no `..`. */
export function checkSessionId(id: string): void {
  if (!ID_PATTERN.test(id) || id.includes('..')) throw new Error(`not a session id: ${JSON.stringify(id)}`);
}

/** A new id: sortable by time, random so two runs in one millisecond differ. */
export function newSessionId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}`;
}

export function sessionFile(dir: string, id: string): string {
  checkSessionId(id);
  return path.join(dir, SESSIONS_DIR, `${id}.jsonl`);
}

export function asSessionRecord(value: unknown): SessionRecord | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (!('t' in value) || typeof value.t !== 'string') return undefined;
  if (!('type' in value) || typeof value.type !== 'string' || !TYPES.has(value.type)) return undefined;
  return value as SessionRecord;
}

export class SessionLog {
  private closed = false;

  private constructor(
    readonly id: string,
    private readonly appender: LineAppender,
    private readonly now: () => Date,
  ) {}

  get file(): string {
    return this.appender.file;
  }

  /** Creates the log and writes its `start` record. Rejects when the directory or the file cannot be written. */
  static async create(dir: string, meta: SessionMeta = {}, opts: SessionLogOptions = {}): Promise<SessionLog> {
    const now = opts.now ?? (() => new Date());
    const started = now();
    const id = newSessionId(started);
    const file = sessionFile(dir, id);
    // A plain directory of the cache: a `sessions` symlink planted in a cache inside the workspace is refused.
    await ownSubdirectory(dir, SESSIONS_DIR);
    // 'wx': never append to somebody else's log, however unlikely the same id.
    await (await open(file, 'wx')).close();
    const appender = new LineAppender(file, { fsync: opts.fsync, log: opts.log });
    const log = new SessionLog(id, appender, now);
    const ok = await appender.append({ ...meta, t: started.toISOString(), type: 'start', id });
    if (!ok) throw new Error(`cannot write the session log ${file}`);
    return log;
  }

  /** Appends one record, stamped with the time. Resolves false after `close` or when the write failed (logged once). */
  append(record: SessionEntry): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.appender.append({ ...record, t: this.now().toISOString(), type: record.type });
  }

  /** Writes the `end` record and waits for every write; later appends are refused. */
  async close(summary: SessionEndSummary): Promise<boolean> {
    if (this.closed) return false;
    this.closed = true;
    const ok = await this.appender.append({ ...summary, t: this.now().toISOString(), type: 'end' });
    await this.appender.flush();
    return ok;
  }

  /** Resolves when every record so far is written. */
  flush(): Promise<void> {
    return this.appender.flush();
  }
}

/** The records of one session, torn or unreadable lines skipped; undefined when there is no such session. */
export async function readSession(dir: string, id: string): Promise<SessionRecord[] | undefined> {
  const read = await readJsonLines(sessionFile(dir, id), asSessionRecord);
  return read?.records;
}

/** Every session in `dir`, newest first. Unreadable files are listed as such, not thrown. */
export async function listSessions(dir: string): Promise<SessionSummary[]> {
  let names: string[];
  try {
    names = await readdir(path.join(dir, SESSIONS_DIR));
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') return [];
    throw err;
  }
  const ids = names.filter((n) => n.endsWith('.jsonl')).map((n) => n.slice(0, -'.jsonl'.length)).filter((id) => ID_PATTERN.test(id) && !id.includes('..'));
  const summaries = await Promise.all(ids.map((id) => summarise(dir, id)));
  return summaries.sort((a, b) => compareDesc(a.started ?? '', b.started ?? '') || compareDesc(a.id, b.id));
}

function compareDesc(a: string, b: string): number {
  return a === b ? 0 : a < b ? 1 : -1;
}

async function summarise(dir: string, id: string): Promise<SessionSummary> {
  let ends: { first: SessionRecord[]; last: SessionRecord[]; whole: boolean };
  try {
    ends = await readEnds(sessionFile(dir, id));
  } catch {
    return { id, outcome: 'unreadable' };
  }
  const first = ends.first[0];
  if (!first) return { id, outcome: 'unreadable' };
  const start = first.type === 'start' ? first : undefined;
  const lastRecord = ends.last[ends.last.length - 1];
  const end = lastRecord?.type === 'end' ? lastRecord : undefined;
  const summary: SessionSummary = { id, started: first.t, outcome: end && typeof end.outcome === 'string' ? end.outcome : 'unfinished' };
  if (end) summary.ended = end.t;
  if (start && typeof start.project === 'string') summary.project = start.project;
  const tasks = numberField(end, 'tasks') ?? numberField(start, 'tasks') ?? (ends.whole ? distinctTasks(ends.first) : undefined);
  if (tasks !== undefined) summary.tasks = tasks;
  return summary;
}

function numberField(record: SessionRecord | undefined, key: string): number | undefined {
  const value = record?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function distinctTasks(records: readonly SessionRecord[]): number {
  const tasks = new Set<string>();
  for (const r of records) if (typeof r.task === 'string' || typeof r.task === 'number') tasks.add(String(r.task));
  return tasks.size;
}

/**
 * The readable records at the start and at the end of a log. A small file is
 * read whole (`first` then holds every record); a large one only at both ends,
 * so listing many long runs stays cheap.
 */
async function readEnds(file: string): Promise<{ first: SessionRecord[]; last: SessionRecord[]; whole: boolean }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= WHOLE_READ_BYTES) {
      const all = parseJsonLines((await handle.readFile()).toString('utf8'), asSessionRecord).records;
      return { first: all, last: all, whole: true };
    }
    const head = await readAt(handle, 0, HEAD_BYTES);
    const tail = await readAt(handle, size - TAIL_BYTES, TAIL_BYTES);
    // The head's last line and the tail's first are partial: drop them.
    const headText = head.slice(0, head.lastIndexOf('\n') + 1);
    const tailText = tail.slice(tail.indexOf('\n') + 1);
    return {
      first: parseJsonLines(headText, asSessionRecord).records,
      last: parseJsonLines(tailText, asSessionRecord).records,
      whole: false,
    };
  } finally {
    await handle.close();
  }
}

async function readAt(handle: Awaited<ReturnType<typeof open>>, position: number, length: number): Promise<string> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead).toString('utf8');
}
