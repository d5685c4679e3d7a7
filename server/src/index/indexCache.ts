// The persisted index, one file:
//   header (64 bytes): magic, version, CRC-32 and length of the core,
//     CRC-32 and length of the identifiers;
//   core: chunks of files (a JSON line of their facts, then their symbol
//     tables and name numbers as raw Int32 bytes), then the name tables'
//     names and the directory's hash (nameDirectory.ts), by whose numbers
//     files name their symbols;
//   identifiers: every file's `idents`, one after another;
//   details: every file's `details`.
// A warm start reads the header and the core, and its typed arrays are views
// of the bytes read, not copies: V8's deserializer copied each of 60,000
// typed arrays and built 380,000 strings, most of a warm start. The
// identifiers are read in one piece when references first need them, a
// file's details when a hover or an outline does, from the file as it was
// loaded (the open descriptor keeps it, even after a save replaced it).
// Written to a temporary file and renamed, so a crash mid-write leaves the
// previous cache intact; a core or region that fails its checksum is
// reported and ignored (the index is rebuilt).

import { createHash, randomBytes } from 'node:crypto';
import { close, closeSync, constants, fstat, open as openFd, read, readSync } from 'node:fs';
import { mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { crc32 as zlibCrc32 } from 'node:zlib';
import * as os from 'node:os';
import * as path from 'node:path';
import { NameDirectory } from './nameDirectory';
import { storedNameTables, TABLE_CHUNK, type StoredNameTable } from './nameTables';
import { SLOTS, type PackedFile } from './packedFile';
import type { Breadcrumb } from '../breadcrumbs/types';

/** Bump when FileEntry, the analysis or this layout changes meaning: old caches are then ignored. */
export const CACHE_VERSION = 15;
/** Files per chunk: one chunk is one step of the event loop. */
const CHUNK_FILES = 100;
const MAGIC = 'AROSLSP-INDEX';
const FILE_NAME = 'index.bin';
const HEADER_BYTES = 64;

export interface LoadedCache {
  entries: PackedFile[];
  /** Per entry, the numbers of its symbols' names in `directory`. */
  nameIds: Int32Array[];
  directory: NameDirectory;
  /** Reads the entries' identifiers in the background (a server does, before references need them). */
  preloadIdentifiers(): Promise<void>;
}

export type CacheLoad = { ok: true; cache: LoadedCache } | { ok: false; reason: string; missing: boolean };

export function defaultCacheDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  const id = createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 12);
  return path.join(base, 'aros-lsp', `${path.basename(path.resolve(root)) || 'root'}-${id}`);
}

const openAsync = promisify(openFd);
const readAsync = promisify(read);
const fstatAsync = promisify(fstat);

export async function loadIndexCache(cacheDir: string): Promise<CacheLoad> {
  let fd: number;
  try {
    // O_NOFOLLOW: an index.bin planted as a symlink (a cache inside the workspace) is unreadable, then replaced by the save.
    fd = await openAsync(path.join(cacheDir, FILE_NAME), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT', reason: code === 'ENOENT' ? 'no cache yet' : `cache unreadable: ${code}` };
  }
  let keep = false;
  try {
    const st = await fstatAsync(fd);
    if (!st.isFile()) return { ok: false, missing: false, reason: `cache unreadable: ${st.isDirectory() ? 'EISDIR' : 'not a regular file'}` };
    const size = st.size;
    const head = Buffer.alloc(HEADER_BYTES);
    const got = (await readAsync(fd, head, 0, HEADER_BYTES, 0)).bytesRead;
    const parsed = got === HEADER_BYTES ? parseHeader(head) : undefined;
    if (!parsed) return { ok: false, missing: false, reason: 'cache file is corrupt (bad header); rebuilding' };
    if (parsed.version !== CACHE_VERSION) return { ok: false, missing: false, reason: `cache version ${parsed.version} is outdated; rebuilding` };
    if (parsed.coreEnd < HEADER_BYTES || parsed.coreEnd + parsed.identsLength > size) {
      return { ok: false, missing: false, reason: 'cache file is corrupt (checksum mismatch); rebuilding' };
    }
    // An ArrayBuffer of its own: the views below need the file's 4-byte alignment.
    const core = Buffer.from(new ArrayBuffer(parsed.coreEnd - HEADER_BYTES));
    for (let at = 0; at < core.length; ) {
      const n = (await readAsync(fd, core, at, core.length - at, HEADER_BYTES + at)).bytesRead;
      if (n === 0) return { ok: false, missing: false, reason: 'cache file is corrupt (checksum mismatch); rebuilding' };
      at += n;
    }
    if (hex8(crc32(core)) !== parsed.coreCrc) return { ok: false, missing: false, reason: 'cache file is corrupt (checksum mismatch); rebuilding' };
    const store = new CacheStore(fd, parsed.coreEnd, parsed.identsLength, parsed.identsCrc);
    const result = await decodeCore(core, store);
    store.keepOpen();
    keep = true;
    return { ok: true, cache: { ...result, preloadIdentifiers: () => store.preloadIdents() } };
  } catch (err) {
    return { ok: false, missing: false, reason: `cache file is corrupt (${(err as Error).message}); rebuilding` };
  } finally {
    if (!keep) close(fd, () => undefined);
  }
}

interface Header {
  version: number;
  coreCrc: string;
  coreEnd: number;
  identsCrc: string;
  identsLength: number;
}

function parseHeader(head: Buffer): Header | undefined {
  const text = head.toString('latin1');
  if (!text.endsWith('\n')) return undefined;
  const [magic, version, coreCrc, coreEnd, identsCrc, identsLength] = text.trimEnd().split(/ +/);
  if (magic !== MAGIC) return undefined;
  const header = { version: Number(version), coreCrc, coreEnd: Number(coreEnd), identsCrc, identsLength: Number(identsLength) };
  // An older layout has fewer fields: only its version matters, to say it is outdated.
  if (header.version !== CACHE_VERSION) return Number.isInteger(header.version) ? header : undefined;
  const ok = /^[0-9a-f]{8}$/.test(coreCrc ?? '') && /^[0-9a-f]{8}$/.test(identsCrc ?? '') && Number.isSafeInteger(header.coreEnd) && Number.isSafeInteger(header.identsLength) && header.identsLength >= 0;
  return ok ? header : undefined;
}

function headerText(h: Omit<Header, 'version'>): Buffer {
  const text = `${MAGIC} ${CACHE_VERSION} ${h.coreCrc} ${h.coreEnd} ${h.identsCrc} ${h.identsLength}`;
  return Buffer.from(text.padEnd(HEADER_BYTES - 1, ' ') + '\n', 'latin1');
}

/**
 * The loaded file's regions read on demand: the descriptor stays open while
 * any loaded entry may still need it, and is closed once none can.
 */
class CacheStore {
  private identsRegion: Buffer | undefined;
  private readonly detailsStart: number;

  constructor(
    private readonly fd: number,
    private readonly identsStart: number,
    private readonly identsLength: number,
    private readonly identsCrc: string,
  ) {
    this.detailsStart = identsStart + identsLength;
  }

  /**
   * Called once the load succeeded, and only then: a load that failed closes
   * the descriptor itself, and a close at collection would then hit whatever
   * reused its number (libuv aborts the process when its own is closed).
   */
  keepOpen(): void {
    closeWhenUnreachable.register(this, this.fd);
  }

  /** A file's identifiers: the whole region is read (and checked) the first time, unless `preloadIdents` got there first. */
  idents(at: number, length: number): Uint8Array {
    if (!this.identsRegion) {
      const region = Buffer.allocUnsafe(this.identsLength);
      readFully(this.fd, region, this.identsStart);
      if (!this.identsCheckOut(crc32(region))) throw new Error('the index cache\'s identifiers are corrupt; index the workspace again');
      this.identsRegion = region;
    }
    return this.identsRegion.subarray(at, at + length);
  }

  /**
   * Reads the identifiers' region a megabyte per turn of the event loop: a
   * server's first references request would otherwise read and check 15 MB
   * in one go. A region that fails its check is left for `idents` to report.
   */
  async preloadIdents(): Promise<void> {
    const region = Buffer.allocUnsafe(this.identsLength);
    let crc = 0;
    for (let at = 0; at < region.length && !this.identsRegion; ) {
      const n = (await readAsync(this.fd, region, at, Math.min(1 << 20, region.length - at), this.identsStart + at)).bytesRead;
      if (n === 0) return;
      crc = crc32(region.subarray(at, at + n), crc);
      at += n;
    }
    if (!this.identsRegion && this.identsCheckOut(crc)) this.identsRegion = region;
  }

  private identsCheckOut(crc: number): boolean {
    return hex8(crc) === this.identsCrc;
  }

  details(at: number, length: number, crc: number): Uint8Array {
    const bytes = Buffer.allocUnsafe(length);
    readFully(this.fd, bytes, this.detailsStart + at);
    if (crc32(bytes) !== crc) throw new Error('the index cache\'s symbol details are corrupt; index the workspace again');
    return bytes;
  }
}

const closeWhenUnreachable = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Already closed: nothing to give back.
  }
});

function readFully(fd: number, into: Buffer, position: number): void {
  for (let at = 0; at < into.length; ) {
    const n = readSync(fd, into, at, into.length - at, position + at);
    if (n === 0) throw new Error('the index cache file is shorter than it says');
    at += n;
  }
}

/** A file's facts as the JSON line of its chunk holds them. */
type FileFacts = [
  path: string,
  hash: string,
  size: number,
  mtimeMs: number,
  encoding: 'utf8' | 'latin1',
  lines: number,
  hasErrors: boolean,
  /** Bytes of the includes' JSON, stored after the name numbers: parsed only when asked for. */
  includesBytes: number,
  breadcrumbs: Breadcrumb[],
  symbols: number,
  identsAt: number,
  identsLength: number,
  detailsAt: number,
  detailsLength: number,
  detailsCrc: number,
];

/** A name table's sizes as the JSON line of the tables' chunk holds them. */
type TableFacts = [count: number, namesBytes: number];

async function decodeCore(core: Buffer, store: CacheStore): Promise<Omit<LoadedCache, 'preloadIdentifiers'>> {
  const entries: PackedFile[] = [];
  const nameIds: Int32Array[] = [];
  let directory: NameDirectory | undefined;
  let at = 0;
  while (at < core.length) {
    if (directory) throw new Error('data after the name tables');
    const chunk = new ChunkReader(core, at);
    const meta = chunk.json() as { files?: FileFacts[]; tables?: TableFacts[]; slots?: number };
    if (Array.isArray(meta.files)) {
      for (const facts of meta.files) {
        if (!Array.isArray(facts) || facts.length !== 15) throw new Error('entry is not a cache record');
        const symbols = facts[9];
        const table = chunk.int32(symbols * SLOTS);
        const ids = chunk.int32(symbols);
        const includes = chunk.bytes(facts[7]);
        entries.push(entryFrom(facts, table, ids, includes, store));
        nameIds.push(ids);
      }
    } else if (Array.isArray(meta.tables)) {
      const tables: StoredNameTable[] = [];
      for (const t of meta.tables) tables.push(tableFrom(t, chunk));
      directory = new NameDirectory(tables, chunk.int32(meta.slots as number));
    } else throw new Error('chunk is neither files nor name tables');
    at = chunk.end();
    await yieldToEventLoop();
  }
  if (!directory) throw new Error('no name tables');
  const known = directory.size;
  for (let k = 0; k < entries.length; k++) {
    const ids = nameIds[k];
    for (let i = 0; i < ids.length; i++) if (ids[i] < 0 || ids[i] >= known) throw new Error(`entry ${entries[k].path} names an unknown name`);
    (entries[k] as CachedFile).directory = directory;
  }
  return { entries, nameIds, directory };
}

/** Reads one chunk: a length, its JSON line, then raw arrays, each 4-byte aligned. */
class ChunkReader {
  private at: number;
  private readonly limit: number;
  private readonly metaEnd: number;

  constructor(
    private readonly core: Buffer,
    start: number,
  ) {
    if (start + 8 > core.length) throw new Error('chunk runs past the end');
    const length = core.readUInt32LE(start);
    const metaLength = core.readUInt32LE(start + 4);
    this.limit = start + 4 + length;
    if (this.limit > core.length || metaLength > length - 4) throw new Error('chunk runs past the end');
    this.at = start + 8;
    this.metaEnd = this.at + metaLength;
  }

  json(): unknown {
    const text = this.core.toString('utf8', this.at, this.metaEnd);
    this.at = align4(this.metaEnd);
    return JSON.parse(text);
  }

  bytes(n: number): Uint8Array {
    this.take(n);
    const out = this.core.subarray(this.at, this.at + n);
    this.at = align4(this.at + n);
    return out;
  }

  int32(n: number): Int32Array {
    this.take(4 * n);
    const out = new Int32Array(this.core.buffer, this.core.byteOffset + this.at, n);
    this.at += 4 * n;
    return out;
  }

  end(): number {
    return align4(this.limit);
  }

  private take(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0 || this.at + bytes > this.limit) throw new Error('chunk runs past the end');
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function entryFrom(f: FileFacts, table: Int32Array, ids: Int32Array, includes: Uint8Array, store: CacheStore): PackedFile {
  const [filePath, hash, size, mtimeMs, encoding, lines, hasErrors, , breadcrumbs, , identsAt, identsLength, detailsAt, detailsLength, detailsCrc] = f;
  if (typeof filePath !== 'string' || typeof hash !== 'string' || !Array.isArray(breadcrumbs)) throw new Error('entry is not a cache record');
  const where = [identsAt, identsLength, detailsAt, detailsLength, detailsCrc];
  if (!where.every((n) => Number.isSafeInteger(n))) throw new Error('entry is not a cache record');
  return new CachedFile(filePath, hash, size, mtimeMs, encoding, lines, hasErrors, table, ids, includes, breadcrumbs, store, where);
}

/**
 * A loaded entry. What a warm start does not need is made when first asked
 * for: the names (from their numbers), and the details and identifiers
 * (read from the cache file, see CacheStore). A copy made with a spread
 * would lose these: copy with `withMtime`.
 */
class CachedFile implements PackedFile {
  /** The index's own (StoredFile), declared here so that setting them keeps every loaded entry one shape. */
  id = 0;
  baseOrdinal: number | undefined = undefined;
  /** Set once the name tables are read (they come last). */
  directory: NameDirectory | undefined;
  private namesMade: string[] | undefined;

  constructor(
    readonly path: string,
    readonly hash: string,
    readonly size: number,
    public mtimeMs: number,
    readonly encoding: 'utf8' | 'latin1',
    readonly lines: number,
    readonly hasErrors: boolean,
    readonly table: Int32Array,
    private readonly nameIds: Int32Array,
    readonly includesJson: Uint8Array,
    readonly breadcrumbs: Breadcrumb[],
    private readonly store: CacheStore,
    private readonly where: number[],
  ) {}

  get names(): string[] {
    if (!this.namesMade) {
      const directory = this.directory as NameDirectory;
      this.namesMade = Array.from(this.nameIds, (id) => directory.nameAt(id));
    }
    return this.namesMade;
  }

  get details(): Uint8Array {
    return this.store.details(this.where[2], this.where[3], this.where[4]);
  }

  /** The details' length and CRC, known without reading them. */
  detailsFacts(): [length: number, crc: number] {
    return [this.where[3], this.where[4]];
  }

  get idents(): Uint8Array {
    return this.store.idents(this.where[0], this.where[1]);
  }
}

/** The names only: what a search reads beside them (masks, packed bytes) is made again when the tables are made ready. */
function tableFrom(t: TableFacts, chunk: ChunkReader): StoredNameTable {
  if (!Array.isArray(t) || t.length !== 2) throw new Error('name table is not a cache record');
  const [count, namesBytes] = t;
  const joined = chunk.bytes(namesBytes);
  // The names are NUL-separated: as many separators as names less one (counted here, split when first read).
  let separators = 0;
  for (let i = 0; i < joined.length; i++) if (joined[i] === 0) separators++;
  if (!Number.isSafeInteger(count) || (count === 0 ? joined.length !== 0 : separators !== count - 1)) throw new Error('name table is inconsistent');
  return new StoredNames(joined, count);
}

/** A stored table's names, made from their bytes when first read (a warm command never reads them). */
class StoredNames implements StoredNameTable {
  private made: string[] | undefined;

  constructor(
    private readonly joined: Uint8Array,
    readonly count: number,
  ) {}

  get names(): string[] {
    if (!this.made) {
      const text = Buffer.from(this.joined.buffer, this.joined.byteOffset, this.joined.byteLength).toString('utf8');
      this.made = this.count === 0 ? [] : text.split('\0');
    }
    return this.made;
  }
}

/**
 * Streams the cache to a temporary file (never the whole of it in memory),
 * then renames it into place. `tables` are the index's name tables (every
 * name of `entries` should be in one; any that is not gets a table of its
 * own); without them, tables are built from the entries' names. `known`:
 * what is known already of the numbering in `tables` (see nameNumbering.ts).
 */
export async function saveIndexCache(cacheDir: string, entries: readonly PackedFile[], tables?: readonly StoredNameTable[], known?: KnownNumbers): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  await removeOrphanedTemps(cacheDir);
  const target = path.join(cacheDir, FILE_NAME);
  // One temporary file per save: two saves that overlap (a scheduled save during a re-index) must not write into the same file.
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  const out = new PipelinedWriter(handle, HEADER_BYTES);
  try {
    const directoryTables = [...(tables ?? tablesOf(entries))];
    const { ids, directory } = await numberNames(entries, directoryTables, known);
    let coreCrc = 0;
    // One gathering for every chunk of the core: a write per chunk (150 on AROS) waited each for the
    // previous one's trip through the thread pool, a quarter second of a cold save.
    const core = new GatheredWriter(out, (part) => (coreCrc = crc32(part, coreCrc)));
    // The details' lengths and checksums go in the core; the details themselves after the identifiers.
    let identsAt = 0;
    let detailsAt = 0;
    for (let i = 0; i < entries.length; i += CHUNK_FILES) {
      const files: FileFacts[] = [];
      const arrays: Uint8Array[] = [];
      for (let k = i; k < Math.min(entries.length, i + CHUNK_FILES); k++) {
        const e = entries[k];
        const [detailsLength, detailsCrc] = detailsFacts(e);
        const idents = e.idents;
        if (!(idents instanceof Uint8Array) || !(e.table instanceof Int32Array)) throw new Error(`entry ${e.path} is not a packed file`);
        const includes = e.includesJson;
        files.push([e.path, e.hash, e.size, e.mtimeMs, e.encoding, e.lines, e.hasErrors, includes.length, e.breadcrumbs, e.names.length, identsAt, idents.length, detailsAt, detailsLength, detailsCrc]);
        identsAt += idents.length;
        detailsAt += detailsLength;
        arrays.push(bytesOf(e.table), bytesOf(ids[k]), includes);
      }
      await core.add(chunkParts({ files }, arrays));
      await yieldToEventLoop();
    }
    const joined: Uint8Array[] = [];
    for (const t of directoryTables) {
      if (t.bytes) joined.push(t.bytes);
      else {
        joined.push(Buffer.from(t.names.join('\0'), 'utf8'));
        await yieldToEventLoop();
      }
    }
    const facts: TableFacts[] = directoryTables.map((t, k) => [t.names.length, joined[k].length]);
    await core.add(chunkParts({ tables: facts, slots: directory.slots.length }, [...joined, bytesOf(directory.slots)]));
    await core.flush();
    const coreEnd = out.position;
    let identsCrc = 0;
    await writeGathered(out, piecesOf(entries, (e) => e.idents), (part) => (identsCrc = crc32(part, identsCrc)));
    // A loaded entry's details are read here, once, and checked against their CRC as they are.
    await writeGathered(out, piecesOf(entries, (e) => e.details));
    await out.finish();
    await writeAll(handle, [headerText({ coreCrc: hex8(coreCrc), coreEnd, identsCrc: hex8(identsCrc), identsLength: identsAt })], 0);
    await handle.close();
    await rename(temp, target);
  } catch (err) {
    await out.settle();
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * Writes `parts` in order, gathered into writes of about a megabyte, a turn
 * of the event loop after each: one write per piece (four per file) cost a
 * thread-pool round trip each, seconds over AROS, and the name tables'
 * chunk (about 10 MB) in one piece held the loop. Written as they are
 * (pwritev): concatenating 60,000 small pieces into buffers first was
 * 120-150 ms of a cold save on AROS. `onPart` sees each piece, in order.
 */
async function writeGathered(out: PipelinedWriter, parts: Iterable<Uint8Array>, onPart: (bytes: Uint8Array) => void = () => undefined): Promise<void> {
  const writer = new GatheredWriter(out, onPart);
  await writer.add(parts);
  await writer.flush();
}

/** `writeGathered` across several calls of `add`: pieces are gathered until a megabyte, whichever call brought them. */
class GatheredWriter {
  private group: Uint8Array[] = [];
  private size = 0;

  constructor(
    private readonly out: PipelinedWriter,
    private readonly onPart: (bytes: Uint8Array) => void,
  ) {}

  async add(parts: Iterable<Uint8Array>): Promise<void> {
    for (const part of parts) {
      if (part.length === 0) continue;
      this.onPart(part);
      this.group.push(part);
      this.size += part.length;
      if (this.size >= 1 << 20) await this.flush();
    }
  }

  /** Writes what is gathered (the pieces must not change until the writer finishes). */
  async flush(): Promise<void> {
    if (this.size === 0) return;
    const group = this.group;
    this.group = [];
    this.size = 0;
    await this.out.write(group);
    await yieldToEventLoop();
  }
}

/** Each entry's piece, taken only when the writer comes to it (a loaded entry reads its details from disk). */
function* piecesOf(entries: readonly PackedFile[], piece: (e: PackedFile) => Uint8Array): Generator<Uint8Array> {
  for (const e of entries) yield piece(e);
}

/** A file's details' length and CRC: a loaded entry knows them without reading its details from the cache file. */
function detailsFacts(e: PackedFile): [length: number, crc: number] {
  if (e instanceof CachedFile) return e.detailsFacts();
  const details = e.details;
  if (!(details instanceof Uint8Array)) throw new Error(`entry ${e.path} is not a packed file`);
  return [details.length, crc32(details)];
}

/** Tables of the entries' names, a few thousand to a table (only where no index gives its own). */
function tablesOf(entries: readonly PackedFile[]): StoredNameTable[] {
  return storedNameTables([...new Set(entries.flatMap((e) => e.names))], TABLE_CHUNK);
}

/** Each entry's name numbers; names no table holds get a table of their own, appended (`tables` grows). */
async function numberNames(entries: readonly PackedFile[], tables: StoredNameTable[], known?: KnownNumbers): Promise<{ ids: Int32Array[]; directory: NameDirectory }> {
  let directory = known?.slots ? new NameDirectory(tables, known.slots) : await NameDirectory.build(tables, yieldToEventLoop);
  const ids: Int32Array[] = [];
  const missing = new Set<string>();
  for (let k = 0; k < entries.length; k++) {
    const given = known?.idsOf(entries[k]);
    if (given) {
      ids.push(given);
      continue;
    }
    const names = entries[k].names;
    const out = new Int32Array(names.length);
    for (let i = 0; i < names.length; i++) if ((out[i] = directory.idOf(names[i])) < 0) missing.add(names[i]);
    ids.push(out);
    // About 6,000 names per turn (25 a file).
    if (k % 250 === 249) await yieldToEventLoop();
  }
  if (missing.size === 0) return { ids, directory };
  tables.push(...storedNameTables([...missing], Infinity));
  directory = await NameDirectory.build(tables, yieldToEventLoop);
  entries.forEach((e, k) => {
    if (ids[k].includes(-1)) e.names.forEach((name, i) => (ids[k][i] = directory.idOf(name)));
  });
  return { ids, directory };
}

/** What is known already of the numbers of names in the tables a save is given (see nameNumbering.ts). */
export interface KnownNumbers {
  /** An entry's name numbers, or undefined where they are to be looked up. */
  idsOf(entry: object): Int32Array | undefined;
  /** The name directory's slots for exactly those tables (as `NameDirectory.build` makes them). */
  slots?: Int32Array;
}

/** One chunk: its length, the JSON line's length and the line, then each array, every piece padded to 4 bytes. */
function chunkParts(meta: object, arrays: Uint8Array[]): Uint8Array[] {
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  const parts: Uint8Array[] = [Buffer.alloc(8), json, padding(json.length)];
  for (const a of arrays) parts.push(a, padding(a.length));
  let length = 4;
  for (let i = 1; i < parts.length; i++) length += parts[i].length;
  const head = parts[0] as Buffer;
  head.writeUInt32LE(length, 0);
  head.writeUInt32LE(json.length, 4);
  return parts;
}

function padding(n: number): Uint8Array {
  return new Uint8Array(align4(n) - n);
}

function bytesOf(a: Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Writes one after another at a moving position, the next piece computed
 * while the last is written: awaiting each write before computing the next
 * left the thread idle for a third of a cold save on AROS.
 */
class PipelinedWriter {
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly handle: FileHandle,
    public position: number,
  ) {}

  /** Starts writing `parts`, one after another (they must not change afterwards), once the previous write is done; throws that write's error. */
  async write(parts: readonly Uint8Array[]): Promise<void> {
    await this.pending;
    const at = this.position;
    for (const part of parts) this.position += part.length;
    this.pending = writeAll(this.handle, parts, at);
    // Awaited by the next write or finish; until then a failure must not count as unhandled.
    this.pending.catch(() => undefined);
  }

  finish(): Promise<void> {
    return this.pending;
  }

  /** Waits out a write still running (before the file is closed), whatever its outcome. */
  settle(): Promise<void> {
    return this.pending.catch(() => undefined);
  }
}

/**
 * A positioned write of every byte of `parts`, in order. A full disk first
 * answers with a short write, not an error: ignoring the count would save a
 * torn cache and say "saved". The retry of the rest then fails with ENOSPC.
 */
async function writeAll(handle: FileHandle, parts: readonly Uint8Array[], position: number): Promise<void> {
  let rest = parts.filter((p) => p.length > 0);
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest, position);
    if (bytesWritten <= 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    position += bytesWritten;
    rest = afterBytes(rest, bytesWritten);
  }
}

/** What is left of `parts` once their first `n` bytes are written. */
export function afterBytes(parts: readonly Uint8Array[], n: number): Uint8Array[] {
  let k = 0;
  while (k < parts.length && n >= parts[k].length) n -= parts[k++].length;
  if (k === parts.length) return [];
  return [parts[k].subarray(n), ...parts.slice(k + 1)];
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** Temporary files left by a process killed mid-save (its pid is in the name) would pile up. */
async function removeOrphanedTemps(cacheDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(cacheDir);
  } catch {
    return;
  }
  for (const name of names) {
    // The discovery walk's record (walk.json) is written the same way, by a worker that may be stopped.
    const m = /^(?:index\.bin|walk\.json)\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
    if (m && !processAlive(Number(m[1]))) await unlink(path.join(cacheDir, name)).catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * zlib's CRC-32, continuing from `previous`. An empty view of a zero-length
 * ArrayBuffer (the symbol table of a file without symbols) has no data
 * pointer, and zlib answers 0 for that, whatever came before: every empty
 * piece would have restarted the core's checksum.
 */
function crc32(bytes: Uint8Array, previous = 0): number {
  return bytes.length === 0 ? previous : zlibCrc32(bytes, previous);
}
