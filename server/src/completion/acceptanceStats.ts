// Completion acceptance statistics: how many inline suggestions were shown
// and accepted, per day and overall, by mode and by source. Opt-in
// (`completionStats`); off means nothing is counted or written.
//
// Only counts are kept: no file names, no text. The counts live in
// `completion-stats.json` in the workspace's cache directory, saved a few
// seconds after a change and on flush(). A save adds what this process
// counted since its last save to what the file holds then, so two servers on
// one workspace (two editor windows) do not overwrite each other's counts.

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export type StatsMode = 'line' | 'block';
export type StatsSource = 'model' | 'cache' | 'in-flight';

export const STATS_FILE = 'completion-stats.json';
const VERSION = 1;
const MODES: readonly StatsMode[] = ['line', 'block'];
const SOURCES: readonly StatsSource[] = ['model', 'cache', 'in-flight'];
/** Daily rows older than this are dropped on save; the overall counts are kept for good. */
const KEEP_DAYS = 90;
/** Ids come from the client; longer ones are not ours. */
const MAX_ID_LENGTH = 128;

export interface Counts {
  shown: number;
  accepted: number;
  /** UTF-16 code units of the accepted suggestions. */
  acceptedChars: number;
}

export interface Bucket extends Counts {
  byMode: Record<StatsMode, Counts>;
  bySource: Record<StatsSource, Counts>;
}

/** The file's content. Days are local dates, `YYYY-MM-DD`. */
export interface StatsData {
  version: typeof VERSION;
  total: Bucket;
  days: Record<string, Bucket>;
}

export interface ShownInfo {
  mode: StatsMode;
  source: StatsSource;
  chars: number;
  /** The document: part of the call so callers need not strip it, and deliberately never kept. */
  file: string;
}

export interface StatsOptions {
  enabled: boolean;
  /** The cache directory; without one the counts stay in memory. */
  dir?: string;
  /** Told once about a corrupt file and once about a failed save. */
  log?: (message: string) => void;
  now?: () => Date;
  /** Delay from the first unsaved change to the save. */
  saveDelayMs?: number;
  /** How many shown ids are remembered for acceptance; older ones are forgotten. */
  maxRecent?: number;
}

/** `corrupt`: the content is wrong (a save replaces it); `unreadable`: the read failed (a save does not go over it). */
export type StatsRead = { state: 'ok'; data: StatsData } | { state: 'missing' } | { state: 'corrupt' | 'unreadable'; reason: string };

interface Recent {
  mode: StatsMode;
  source: StatsSource;
  chars: number;
  day: string;
  /** Counted as shown: at once, or when the client reports the display (see recordDisplayed). */
  counted: boolean;
}

export class AcceptanceStats {
  private base: StatsData;
  /** Counted since the last save. */
  private delta = emptyData();
  /** The delta a save is writing, still counted by summary() until the save ends. */
  private inFlight: StatsData | undefined;
  private dirty = false;
  private readonly recent = new Map<string, Recent>();
  /** The client reports displays (aros/completionShown): returned items count only when it does. */
  private displayReported = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private reportedCorrupt = false;
  private reportedSaveError = false;
  readonly file: string | undefined;

  /** Loads the file (when enabled and there is a directory) and returns the stats. */
  static async open(options: StatsOptions): Promise<AcceptanceStats> {
    const stats = new AcceptanceStats(options);
    if (stats.enabled && stats.file) stats.base = stats.fromRead(await readStatsFile(stats.file));
    return stats;
  }

  /** Starts empty without reading anything; open() is the usual way in. */
  constructor(private readonly options: StatsOptions) {
    this.base = emptyData();
    this.file = options.dir ? path.join(options.dir, STATS_FILE) : undefined;
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  /** How many shown ids are remembered (bounded by maxRecent). */
  get recentCount(): number {
    return this.recent.size;
  }

  /** A suggestion was given to the client under `id`; false when ignored (off, bad or repeated id). */
  recordShown(id: string, info: ShownInfo): boolean {
    if (!this.enabled || !validId(id) || this.recent.has(id)) return false;
    if (!MODES.includes(info.mode) || !SOURCES.includes(info.source)) return false;
    const chars = Number.isFinite(info.chars) ? Math.max(0, Math.floor(info.chars)) : 0;
    const entry: Recent = { mode: info.mode, source: info.source, chars, day: dayKey(this.now()), counted: !this.displayReported };
    this.recent.set(id, entry);
    // A Map iterates in insertion order: the first key is the oldest.
    while (this.recent.size > (this.options.maxRecent ?? 500)) this.recent.delete(this.recent.keys().next().value as string);
    if (entry.counted) this.count(entry, 'shown');
    return true;
  }

  /**
   * The client says it displayed `id`. From then on returned items count as shown only when
   * displayed, which is closer to what the user saw; clients that never say so are unaffected.
   */
  recordDisplayed(id: string): boolean {
    if (!this.enabled || !validId(id)) return false;
    this.displayReported = true;
    const entry = this.recent.get(id);
    if (!entry || entry.counted) return false;
    entry.counted = true;
    this.count(entry, 'shown');
    return true;
  }

  /** The user accepted `id`; false for unknown, forgotten or already accepted ids. */
  recordAccepted(id: string): boolean {
    if (!this.enabled || !validId(id)) return false;
    const entry = this.recent.get(id);
    if (!entry) return false;
    this.recent.delete(id);
    // Accepted without a display report: it was shown all the same.
    if (!entry.counted) this.count(entry, 'shown');
    this.count(entry, 'accepted');
    return true;
  }

  /** The counts (file plus unsaved), with rates; `days` is the window for the recent rows. */
  summary(days = 7): StatsSummary {
    const all = addData(clone(this.base), this.delta);
    if (this.inFlight) addData(all, this.inFlight);
    return summarizeStats(all, this.now(), days);
  }

  /** Saves now what is unsaved; resolves when written (a failure is logged, never thrown). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.save());
    return this.writing;
  }

  private count(entry: Recent, what: 'shown' | 'accepted'): void {
    for (const bucket of [this.delta.total, (this.delta.days[entry.day] ??= emptyBucket())]) {
      for (const c of [bucket, bucket.byMode[entry.mode], bucket.bySource[entry.source]]) {
        if (what === 'shown') c.shown++;
        else {
          c.accepted++;
          c.acceptedChars += entry.chars;
        }
      }
    }
    this.dirty = true;
    if (this.file && !this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.saveDelayMs ?? 5000);
      // A pending save must not keep the process alive; shutdown calls flush().
      this.timer.unref();
    }
  }

  private async save(): Promise<void> {
    if (!this.enabled || !this.file || !this.dirty) return;
    const delta = this.delta;
    this.delta = emptyData();
    this.dirty = false;
    this.inFlight = delta;
    try {
      // What another process saved meanwhile is kept; a file deleted by the user starts over.
      const onDisk = await readStatsFile(this.file);
      if (onDisk.state === 'unreadable') throw new Error(onDisk.reason);
      const merged = pruneDays(addData(this.fromRead(onDisk), delta), this.now());
      await writeAtomically(this.file, `${JSON.stringify(merged)}\n`);
      this.base = merged;
      this.reportedSaveError = false;
    } catch (err) {
      this.delta = addData(delta, this.delta);
      this.dirty = true;
      if (!this.reportedSaveError) this.options.log?.(`completion statistics: could not save ${this.file}: ${(err as Error).message}`);
      this.reportedSaveError = true;
    } finally {
      this.inFlight = undefined;
    }
  }

  private fromRead(read: StatsRead): StatsData {
    if (read.state === 'ok') return read.data;
    if (read.state !== 'missing' && !this.reportedCorrupt) {
      this.reportedCorrupt = true;
      this.options.log?.(`completion statistics: ${this.file} is unreadable (${read.reason}); starting fresh`);
    }
    return emptyData();
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** Reads a statistics file; never throws. */
export async function readStatsFile(file: string): Promise<StatsRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { state: 'missing' } : { state: 'unreadable', reason: `cannot read it: ${code ?? (err as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { state: 'corrupt', reason: `not JSON: ${(err as Error).message}` };
  }
  const data = parseStatsData(value);
  return typeof data === 'string' ? { state: 'corrupt', reason: data } : { state: 'ok', data };
}

/** Checks the shape of a parsed file: the data, or why it is not. */
export function parseStatsData(value: unknown): StatsData | string {
  if (!isRecord(value)) return 'not an object';
  if (value.version !== VERSION) return `unknown version ${JSON.stringify(value.version)}`;
  const total = parseBucket(value.total);
  if (!total) return "'total' is not a set of counts";
  if (!isRecord(value.days)) return "'days' is not an object";
  const days: Record<string, Bucket> = {};
  for (const [day, raw] of Object.entries(value.days)) {
    const bucket = /^\d{4}-\d{2}-\d{2}$/.test(day) ? parseBucket(raw) : undefined;
    if (!bucket) return `day '${day}' is not a date with a set of counts`;
    days[day] = bucket;
  }
  return { version: VERSION, total, days };
}

export interface RateCounts extends Counts {
  /** accepted / shown; null when nothing was shown. */
  rate: number | null;
}

export interface BucketSummary extends RateCounts {
  byMode: Record<StatsMode, RateCounts>;
  bySource: Record<StatsSource, RateCounts>;
}

export interface StatsSummary {
  total: BucketSummary;
  /** The last `days` days, today included. */
  recent: BucketSummary & { days: number };
  /** The days of that window that have counts, newest first. */
  daily: Array<BucketSummary & { day: string }>;
}

export function summarizeStats(data: StatsData, today: Date, days = 7): StatsSummary {
  const window = emptyBucket();
  const daily: StatsSummary['daily'] = [];
  for (let i = 0; i < days; i++) {
    const day = dayKey(new Date(today.getFullYear(), today.getMonth(), today.getDate() - i));
    const bucket = Object.hasOwn(data.days, day) ? data.days[day] : undefined;
    if (!bucket) continue;
    addBucket(window, bucket);
    daily.push({ day, ...rated(bucket) });
  }
  return { total: rated(data.total), recent: { days, ...rated(window) }, daily };
}

/** A local date as `YYYY-MM-DD`. */
export function dayKey(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function rated(b: Bucket): BucketSummary {
  const rate = (c: Counts): RateCounts => ({ shown: c.shown, accepted: c.accepted, acceptedChars: c.acceptedChars, rate: c.shown ? c.accepted / c.shown : null });
  return {
    ...rate(b),
    byMode: { line: rate(b.byMode.line), block: rate(b.byMode.block) },
    bySource: { model: rate(b.bySource.model), cache: rate(b.bySource.cache), 'in-flight': rate(b.bySource['in-flight']) },
  };
}

function emptyCounts(): Counts {
  return { shown: 0, accepted: 0, acceptedChars: 0 };
}

function emptyBucket(): Bucket {
  return {
    ...emptyCounts(),
    byMode: { line: emptyCounts(), block: emptyCounts() },
    bySource: { model: emptyCounts(), cache: emptyCounts(), 'in-flight': emptyCounts() },
  };
}

function emptyData(): StatsData {
  return { version: VERSION, total: emptyBucket(), days: {} };
}

function clone(d: StatsData): StatsData {
  return addData(emptyData(), d);
}

function addCounts(into: Counts, from: Counts): void {
  into.shown += from.shown;
  into.accepted += from.accepted;
  into.acceptedChars += from.acceptedChars;
}

function addBucket(into: Bucket, from: Bucket): void {
  addCounts(into, from);
  for (const m of MODES) addCounts(into.byMode[m], from.byMode[m]);
  for (const s of SOURCES) addCounts(into.bySource[s], from.bySource[s]);
}

/** Adds `from` into `into` and returns `into`. */
function addData(into: StatsData, from: StatsData): StatsData {
  addBucket(into.total, from.total);
  for (const [day, bucket] of Object.entries(from.days)) addBucket((into.days[day] ??= emptyBucket()), bucket);
  return into;
}

function pruneDays(data: StatsData, today: Date): StatsData {
  const oldest = dayKey(new Date(today.getFullYear(), today.getMonth(), today.getDate() - (KEEP_DAYS - 1)));
  // `YYYY-MM-DD` sorts as dates do.
  for (const day of Object.keys(data.days)) if (day < oldest) delete data.days[day];
  return data;
}

function parseCounts(v: unknown): Counts | undefined {
  if (!isRecord(v)) return undefined;
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  return ok(v.shown) && ok(v.accepted) && ok(v.acceptedChars) ? { shown: v.shown, accepted: v.accepted, acceptedChars: v.acceptedChars } : undefined;
}

function parseBucket(v: unknown): Bucket | undefined {
  const counts = parseCounts(v);
  if (!counts || !isRecord(v) || !isRecord(v.byMode) || !isRecord(v.bySource)) return undefined;
  const bucket = emptyBucket();
  addCounts(bucket, counts);
  for (const m of MODES) {
    const c = parseCounts(v.byMode[m]);
    if (!c) return undefined;
    addCounts(bucket.byMode[m], c);
  }
  for (const s of SOURCES) {
    const c = parseCounts(v.bySource[s]);
    if (!c) return undefined;
    addCounts(bucket.bySource[s], c);
  }
  return bucket;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH;
}

/** Temp file beside the target, then rename: a crash leaves the old file or the new one, never half of one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
