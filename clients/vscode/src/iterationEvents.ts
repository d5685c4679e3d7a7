// The loop's live output: `aros/iterationEvent` notifications as lines for
// an output channel, `$/progress` values as VS Code progress steps, and the
// request's result as a summary.

import type { IterationEvent, IterationResult, TaskResult } from './protocol';

/**
 * Turns events into text to append. Tokens stream without newlines, so it
 * remembers whether the output ends mid-line and starts every other event on
 * a fresh line.
 */
export class EventFormatter {
  private atLineStart = true;
  private total = 0;

  format(raw: unknown): string {
    const e = asEvent(raw);
    if (!e) return '';
    let text: string;
    switch (e.type) {
      case 'task':
        this.total = e.total;
        text = this.line(`=== Task ${e.iteration}/${e.total}: ${e.task.description} (${e.task.file}${e.task.symbol ? ` · ${e.task.symbol}` : ''})`);
        break;
      case 'phase-start':
        text = this.line(`--- ${this.where(e.iteration)} ${e.phase}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
        break;
      case 'phase-end':
        text = this.line(`--- ${this.where(e.iteration)} ${e.phase} ${e.ok ? 'ok' : 'FAILED'} in ${formatMs(e.ms)}${e.summary ? `: ${e.summary}` : ''}`);
        break;
      case 'token':
        if (!e.text) return '';
        text = e.text;
        this.atLineStart = e.text.endsWith('\n');
        return text;
      case 'compiler-output':
        text = this.line(
          e.text
            .replace(/\n+$/, '')
            .split('\n')
            .map((l) => `  | ${l}`)
            .join('\n'),
        );
        break;
      case 'task-end':
        text = this.line(`=== Task ${e.iteration} ${formatTask(e.result)}`);
        break;
    }
    return text;
  }

  /** A newline if the output ends mid-line (call before appending anything else). */
  flush(): string {
    const text = this.atLineStart ? '' : '\n';
    this.atLineStart = true;
    return text;
  }

  private line(text: string): string {
    const prefix = this.flush();
    return `${prefix}${text}\n`;
  }

  private where(iteration: number): string {
    return this.total > 0 ? `[${iteration}/${this.total}]` : `[${iteration}]`;
  }
}

function asEvent(raw: unknown): IterationEvent | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const e = raw as { type?: unknown };
  switch (e.type) {
    case 'task': {
      const t = raw as Partial<Extract<IterationEvent, { type: 'task' }>>;
      return typeof t.task === 'object' && t.task !== null ? (raw as IterationEvent) : undefined;
    }
    case 'task-end': {
      const t = raw as Partial<Extract<IterationEvent, { type: 'task-end' }>>;
      return typeof t.result === 'object' && t.result !== null ? (raw as IterationEvent) : undefined;
    }
    case 'token':
    case 'compiler-output':
      return typeof (raw as { text?: unknown }).text === 'string' ? (raw as IterationEvent) : undefined;
    case 'phase-start':
    case 'phase-end':
      return raw as IterationEvent;
    default:
      return undefined;
  }
}

function formatTask(r: TaskResult): string {
  const edit = r.edit ? ` → edit ${r.edit.file}:${r.edit.startLine + 1}-${r.edit.endLine}` : '';
  return `${r.status}${r.reason ? `: ${r.reason}` : ''}${edit}`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The result as lines for the output channel and a one-line message for a notification. */
export function formatResult(result: IterationResult): { lines: string[]; message: string } {
  const s = result.summary;
  const counts = `${s.total} task(s): ${s.successful} succeeded, ${s.failed} failed, ${s.cancelled} cancelled`;
  const lines = [`=== Done: ${counts}`];
  for (const r of result.results) lines.push(`  ${r.task.file}${r.task.symbol ? ` ${r.task.symbol}` : ''}: ${formatTask(r)}`);
  if (result.applyMessage) lines.push(`  ${result.applyMessage}`);
  else if (result.edits.length && result.applied === undefined) lines.push(`  ${result.edits.length} edit(s) not applied (the run did not ask to apply them)`);
  lines.push(`  session log: ${result.sessionId} (aros-lsp sessions show ${result.sessionId}; AROS: Open session logs)`);
  const message = `AROS loop: ${counts}${result.applyMessage ? `; ${result.applyMessage}` : ''}`;
  return { lines, message };
}

/** A `$/progress` value (WorkDoneProgressBegin/Report/End). */
export interface ProgressValue {
  kind: 'begin' | 'report' | 'end';
  title?: string;
  message?: string;
  percentage?: number;
}

/**
 * LSP percentages are absolute, VS Code's progress increments relative:
 * each report becomes the step since the previous one.
 */
export class ProgressTracker {
  private last = 0;

  next(v: ProgressValue): { message?: string; increment?: number } {
    const out: { message?: string; increment?: number } = {};
    if (v.message !== undefined) out.message = v.message;
    if (typeof v.percentage === 'number' && Number.isFinite(v.percentage)) {
      const pct = Math.max(0, Math.min(100, v.percentage));
      if (pct > this.last) out.increment = pct - this.last;
      this.last = Math.max(this.last, pct);
    }
    if (v.kind === 'end' && this.last < 100) {
      out.increment = (out.increment ?? 0) + (100 - this.last);
      this.last = 100;
    }
    return out;
  }
}
