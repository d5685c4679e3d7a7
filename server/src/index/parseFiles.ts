// Reads and analyzes a batch of workspace files. Runs inside a parse worker,
// or on the calling thread when workers are disabled.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeConf, analyzeForIndex } from './analyze';
import type { DiscoveredFile } from './discover';
import type { SkippedFile } from './fileIndex';
import { packFile, type PackedFile } from './packedFile';
import { readSource } from './readSource';
import type { SlicedAnalyzer } from './slicedAnalysis';

export type ParseOutcome =
  | { entry: PackedFile }
  | { skipped: SkippedFile }
  | { unchanged: { path: string; mtimeMs: number } };

export interface ParseBatch {
  root: string;
  files: DiscoveredFile[];
  maxFileBytes: number;
}

/** `sliced`: on the main thread, analyse in slices that let the event loop run (workers analyse in one go). */
export async function parseBatch(batch: ParseBatch, sliced?: SlicedAnalyzer): Promise<ParseOutcome[]> {
  const out: ParseOutcome[] = [];
  for (const file of batch.files) out.push(await parseOne(batch.root, file, batch.maxFileBytes, sliced));
  return out;
}

export async function parseOne(root: string, file: DiscoveredFile, maxFileBytes: number, sliced?: SlicedAnalyzer): Promise<ParseOutcome> {
  // The listing saw a regular file of this size: the read needs no stat of its own.
  const read = readSource(path.join(root, file.path), maxFileBytes, file.size);
  if (!read.ok) return { skipped: { path: file.path, reason: read.reason } };
  if (file.knownHash === read.hash) return { unchanged: { path: file.path, mtimeMs: file.mtimeMs } };
  try {
    const analysis = file.path.endsWith('.conf')
      ? analyzeConf(read.text, file.path, readSibling(path.join(root, file.path), 'mmakefile.src'))
      : sliced
        ? (await sliced.analyze(read.text)).analysis
        : analyzeForIndex(read.text);
    return {
      entry: packFile({ ...analysis, path: file.path, hash: read.hash, size: read.size, mtimeMs: file.mtimeMs, encoding: read.encoding }),
    };
  } catch (err) {
    // One file that breaks the parser must not stop the index.
    return { skipped: { path: file.path, reason: `parse failed: ${(err as Error).message}` } };
  }
}

function readSibling(absPath: string, name: string): string | undefined {
  try {
    return readFileSync(path.join(path.dirname(absPath), name), 'utf8');
  } catch {
    return undefined;
  }
}
