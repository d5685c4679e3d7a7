// `aros-lsp models pull [ROLE|REF] [--config FILE] [--no-progress]`: downloads
// the roles' model references (hf: or http(s) URLs), or one role's, or one
// reference, into the model cache. An interrupted download resumes on the next run.

import * as path from 'node:path';
import { isLocalPath, type ModelConfig } from '../models/modelConfig';
import { pullModel, type PullResult } from '../models/modelFiles';
import { ModelError } from '../models/types';
import type { ParsedArgs } from './args';

const ROLES = ['codegen', 'llm'] as const;

interface Job {
  /** The role(s) or the reference, for messages. */
  label: string;
  ref: string;
}

export async function modelsPull(args: ParsedArgs, config: ModelConfig): Promise<number> {
  const jobs = selectJobs(args.positionals[2], config);
  if (typeof jobs === 'number') return jobs;
  const controller = new AbortController();
  // Ctrl-C stops cleanly: the .part stays for the next run and the terminal line is cleared.
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let failed = false;
  try {
    for (const job of jobs) {
      if (controller.signal.aborted) break;
      if (!(await pullOne(job, controller.signal, args.flags.has('no-progress')))) failed = true;
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  return failed || controller.signal.aborted ? 1 : 0;
}

/** The downloads asked for, or an exit code when there is nothing to do (after saying why). */
function selectJobs(wanted: string | undefined, config: ModelConfig): Job[] | number {
  if (wanted === undefined) return roleJobs(config);
  if ((ROLES as readonly string[]).includes(wanted)) {
    const ref = config[wanted as (typeof ROLES)[number]].model_path;
    if (!ref) return fail(`${wanted} has no model_path configured`);
    if (isLocalPath(ref)) {
      process.stdout.write(`${wanted}: ${ref} (a local file, nothing to download)\n`);
      return 0;
    }
    return [{ label: wanted, ref }];
  }
  if (isLocalPath(wanted)) {
    return fail(`'${wanted}' is neither a role (${ROLES.join(', ')}) nor a reference to download (hf:user/repo/file.gguf or an http(s) URL)`);
  }
  return [{ label: wanted, ref: wanted }];
}

/** Every role whose model_path is a reference; two roles naming one file download it once. */
function roleJobs(config: ModelConfig): Job[] | number {
  const byRef = new Map<string, string[]>();
  for (const role of ROLES) {
    const cfg = config[role];
    if (cfg.endpoint) {
      process.stderr.write(`aros-lsp: ${role} uses the remote endpoint ${cfg.endpoint}; nothing to download\n`);
      continue;
    }
    if (!cfg.model_path || isLocalPath(cfg.model_path)) continue;
    byRef.set(cfg.model_path, [...(byRef.get(cfg.model_path) ?? []), role]);
  }
  if (byRef.size === 0) {
    process.stdout.write('nothing to download: no role names a hf: reference or URL\n');
    return 0;
  }
  return [...byRef].map(([ref, roles]) => ({ label: roles.join(', '), ref }));
}

async function pullOne(job: Job, signal: AbortSignal, noProgress: boolean): Promise<boolean> {
  // A URL would wrap the line (and break the `\r` redraw): the bar names just the file.
  const barLabel = job.label === job.ref ? path.basename(job.ref.split(/[?#]/)[0]) : job.label;
  const bar = byteProgress(process.stderr, noProgress, barLabel);
  try {
    const r = await pullModel(job.ref, { signal, onProgress: bar.update });
    bar.done();
    process.stdout.write(`${job.label}: ${r.path} (${summary(r)})\n`);
    return true;
  } catch (err) {
    bar.done();
    const message = err instanceof ModelError ? err.message : `downloading ${job.ref} failed: ${(err as Error).message}`;
    process.stderr.write(`aros-lsp: ${job.label === job.ref ? '' : `${job.label}: `}${message}\n`);
    return false;
  }
}

function summary(r: PullResult): string {
  if (r.skipped) return `already downloaded, ${mib(r.bytes)} MiB`;
  return `${r.resumed ? 'resumed download' : 'downloaded'}, ${mib(r.bytes)} MiB, sha256 ${r.sha256}`;
}

function fail(message: string): number {
  process.stderr.write(`aros-lsp: ${message}\n`);
  return 1;
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

interface ByteProgress {
  update: (done: number, total: number | undefined) => void;
  done: () => void;
}

/**
 * A one-line byte bar on a terminal (progressBar.ts counts items and needs a
 * total; a download may have none). Silent when stderr is not a TTY.
 */
function byteProgress(stream: NodeJS.WriteStream, disabled: boolean, label: string): ByteProgress {
  const live = !disabled && stream.isTTY === true;
  const started = Date.now();
  let firstBytes: number | undefined;
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      if (!live) return;
      // A resumed part was not fetched now, so it does not count towards the speed.
      firstBytes ??= done;
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? (done - firstBytes) / 2 ** 20 / seconds : 0;
      const width = 30;
      const filled = total ? Math.min(width, Math.round((done / total) * width)) : 0;
      const bar = total ? ` [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]` : '';
      stream.write(`\r${label}${bar} ${mib(done)}${total ? `/${mib(total)}` : ''} MiB ${rate.toFixed(1)} MiB/s\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
