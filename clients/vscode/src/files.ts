// Files the extension lists for a quick pick: the loop's session logs
// (`<cacheDir>/sessions/<id>.jsonl`, written by
// server/src/iteration/sessionLog.ts), newest first, each described from its
// first record (`start`: project or task) and its last (`end`: outcome)
// without reading a large file whole; and GGUF model files.

import { open, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';

export interface SessionFile {
  id: string;
  file: string;
  bytes: number;
  /** The project or the task (file · symbol) the run was about. */
  subject?: string;
  /** The `end` record's outcome; `unfinished` when there is none. */
  outcome: string;
  started?: string;
}

const HEAD_BYTES = 16 * 1024;
const TAIL_BYTES = 16 * 1024;

/** Sessions in `dir`, newest first (ids start with their ISO start time); [] when the directory does not exist. */
export async function listSessionFiles(dir: string, limit = 200): Promise<SessionFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const ids = names.filter((n) => n.endsWith('.jsonl')).map((n) => n.slice(0, -'.jsonl'.length)).sort().reverse().slice(0, limit);
  const out: SessionFile[] = [];
  for (const id of ids) {
    const file = path.join(dir, `${id}.jsonl`);
    try {
      const { head, tail, bytes } = await readEnds(file);
      out.push({ id, file, bytes, ...describeSession(head, tail) });
    } catch {
      // Removed or unreadable meanwhile: leave it out rather than fail the list.
    }
  }
  return out;
}

async function readEnds(file: string): Promise<{ head: string; tail: string; bytes: number }> {
  const size = (await stat(file)).size;
  const fh = await open(file, 'r');
  try {
    const headBuf = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await fh.read(headBuf, 0, headBuf.length, 0);
    const tailLen = Math.min(TAIL_BYTES, size);
    const tailBuf = Buffer.alloc(tailLen);
    await fh.read(tailBuf, 0, tailLen, size - tailLen);
    return { head: headBuf.toString('utf8'), tail: tailBuf.toString('utf8'), bytes: size };
  } finally {
    await fh.close();
  }
}

/** What a session was about and how it ended, from the start and the end of its file. */
export function describeSession(head: string, tail: string): Pick<SessionFile, 'subject' | 'outcome' | 'started'> {
  const first = parseLine(head.split('\n')[0]);
  const tailLines = tail.split('\n').filter((l) => l.trim() !== '');
  const last = parseLine(tailLines[tailLines.length - 1]);
  const out: Pick<SessionFile, 'subject' | 'outcome' | 'started'> = { outcome: 'unfinished' };
  if (first?.type === 'start') {
    if (typeof first.t === 'string') out.started = first.t;
    const params = first.params as { project?: unknown; task?: { file?: unknown; symbol?: unknown } } | undefined;
    if (typeof params?.project === 'string') out.subject = params.project;
    else if (typeof params?.task?.file === 'string') out.subject = `${params.task.file}${typeof params.task.symbol === 'string' ? ` · ${params.task.symbol}` : ''}`;
  }
  if (last?.type === 'end' && typeof last.outcome === 'string') out.outcome = last.outcome;
  return out;
}

function parseLine(line: string | undefined): Record<string, unknown> | undefined {
  if (!line) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** GGUF files under `dir` (the model cache nests `hf/user/repo/`), at most `limit`, sorted. */
export async function findGgufFiles(dir: string, maxDepth = 6, limit = 500): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    if (depth > maxDepth || found.length >= limit) return;
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (found.length >= limit) return;
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (e.isFile() && e.name.toLowerCase().endsWith('.gguf')) found.push(p);
    }
  };
  await walk(dir, 0);
  return found.sort();
}
