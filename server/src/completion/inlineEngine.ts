// The inline completion pipeline: decide whether to complete, debounce
// automatic triggers, answer from the cache (typing through a shown
// suggestion is a hit) or from a generation already running for a shorter
// prefix, else gather context and ask the code model, each step under a hard
// time budget, then clean the text. A newer request for a document cancels
// the older one.

import { buildCompletionContext, type CompletionContext, type ContextIndex, type RecentEdit } from '../context/completionContext';
import type { RuntimeRequest } from '../models/modelRuntime';
import { ModelError, type GenerateOptions, type GenerateResult } from '../models/types';
import { completionMode } from './triggerKind';
import { postprocess } from './postprocess';
import { SuggestionCache } from './suggestionCache';

export interface InlineRequest {
  file: string;
  text: string;
  offset: number;
  /** Typed-as-you-go trigger (debounced, stricter rules) rather than an explicit invocation. */
  automatic: boolean;
  signal?: AbortSignal;
  recentEdits?: RecentEdit[];
}

export type InlineSource = 'model' | 'cache' | 'in-flight' | 'none';

export interface InlineResult {
  /** Text to insert at the cursor; empty when there is no suggestion. */
  text: string;
  source: InlineSource;
  mode: 'none' | 'line' | 'block';
  /** Why there is no suggestion, or what limited it. */
  reason?: string;
  context?: CompletionContext;
  raw?: string;
  generation?: GenerateResult;
  timings: { debounceMs: number; contextMs: number; generateMs: number; totalMs: number };
}

export type Generate = (request: RuntimeRequest, options: GenerateOptions) => Promise<GenerateResult>;

export interface InlineEngineOptions {
  index: () => ContextIndex;
  generate: Generate;
  /** Loads the model; awaited before the generation budget starts, so a first load is not cut short. */
  prepare?: (signal: AbortSignal) => Promise<unknown>;
  contextBudgetMs?: number;
  generateBudgetMs?: number;
  /** Tokens for one-line and block suggestions. */
  lineTokens?: number;
  blockTokens?: number;
  debounceMinMs?: number;
  debounceMaxMs?: number;
  cacheSize?: number;
}

interface Running {
  prefix: string;
  suffixHead: string;
  streamed: string;
  done: Promise<string>;
  controller: AbortController;
  /** Requests still waiting on this generation; it is cancelled only when none are. */
  waiters: number;
}

const SUFFIX_KEY = 64;

export class InlineCompletionEngine {
  private readonly cache: SuggestionCache;
  private readonly latest = new Map<string, AbortController>();
  private readonly running = new Map<string, Running>();
  private readonly lastAutomatic = new Map<string, number>();
  private typingIntervalMs = 150;

  constructor(private readonly options: InlineEngineOptions) {
    this.cache = new SuggestionCache(options.cacheSize ?? 256);
  }

  async complete(req: InlineRequest): Promise<InlineResult> {
    const t0 = performance.now();
    const timings = { debounceMs: 0, contextMs: 0, generateMs: 0, totalMs: 0 };
    const done = (r: Omit<InlineResult, 'timings'>): InlineResult => ({ ...r, timings: { ...timings, totalMs: performance.now() - t0 } });
    const prefix = req.text.slice(0, req.offset);
    const suffix = req.text.slice(req.offset);
    const suffixHead = suffix.slice(0, SUFFIX_KEY);
    // Claimed before the older request is cancelled, so cancelling it does not stop a generation this one can use.
    const reusable = this.claimRunning(req.file, prefix, suffixHead);
    // Latest wins: the previous request for this document stops here.
    this.latest.get(req.file)?.abort();
    const controller = new AbortController();
    this.latest.set(req.file, controller);
    const signal = req.signal ? AbortSignal.any([req.signal, controller.signal]) : controller.signal;
    try {
      // Before deciding the mode (a scan of the text up to the cursor): a suggestion typed into is still wanted.
      const cached = this.cache.lookup(req.file, prefix, suffixHead);
      if (cached !== undefined) {
        if (reusable) this.release(reusable.running);
        return done({ text: cached.text, source: 'cache', mode: cached.mode });
      }
      const mode = completionMode(req.text, req.offset, { automatic: req.automatic });
      if (mode.mode === 'none') {
        if (reusable) this.release(reusable.running);
        return done({ text: '', source: 'none', mode: 'none', reason: mode.reason });
      }

      const reused = reusable ? await this.awaitRunning(reusable.running, reusable.typed, signal) : undefined;
      if (reused !== undefined) {
        const text = postprocess(reused, { prefix, suffix, mode: mode.mode });
        return done({ text, source: 'in-flight', mode: mode.mode });
      }

      if (req.automatic) {
        const t = performance.now();
        await this.debounce(req.file, signal);
        timings.debounceMs = performance.now() - t;
      }
      if (signal.aborted) return done({ text: '', source: 'none', mode: mode.mode, reason: 'superseded by a newer request' });

      const tc = performance.now();
      const context = buildCompletionContext(this.options.index(), {
        file: req.file,
        text: req.text,
        offset: req.offset,
        recentEdits: req.recentEdits,
        deadline: tc + (this.options.contextBudgetMs ?? 40),
      });
      timings.contextMs = performance.now() - tc;

      await this.options.prepare?.(signal);
      const tg = performance.now();
      const generation = await this.generate(req.file, prefix, suffixHead, context, mode.mode, signal);
      timings.generateMs = performance.now() - tg;
      if (!generation) return done({ text: '', source: 'none', mode: mode.mode, reason: 'superseded by a newer request', context });
      const text = postprocess(generation.text, { prefix, suffix, mode: mode.mode });
      if (text) this.cache.store(req.file, prefix, suffixHead, text, mode.mode);
      const limited = generation.stopReason === 'abort' ? 'the generation budget ran out; showing what was ready' : undefined;
      return done({ text, source: 'model', mode: mode.mode, context, raw: generation.text, generation, reason: limited });
    } catch (err) {
      if (err instanceof ModelError) return done({ text: '', source: 'none', mode: 'none', reason: err.message });
      throw err;
    } finally {
      if (this.latest.get(req.file) === controller) this.latest.delete(req.file);
    }
  }

  /** Forget what was cached for a document whose text changed other than by typing at the end. */
  invalidate(file: string): void {
    this.cache.forget(file);
  }

  private async generate(
    file: string,
    prefix: string,
    suffixHead: string,
    context: CompletionContext,
    mode: 'line' | 'block',
    signal: AbortSignal,
  ): Promise<GenerateResult | undefined> {
    const controller = new AbortController();
    const budget = setTimeout(() => controller.abort(), this.options.generateBudgetMs ?? 2000);
    const running: Running = { prefix, suffixHead, streamed: '', controller, waiters: 1, done: Promise.resolve('') };
    const onAbort = (): void => this.release(running);
    signal.addEventListener('abort', onAbort, { once: true });
    const request: RuntimeRequest = {
      kind: 'infill',
      prefix: context.prefix,
      suffix: context.suffix,
      extra: context.extra,
      sampling:
        mode === 'line'
          ? { maxTokens: this.options.lineTokens ?? 48, stop: ['\n'] }
          : { maxTokens: this.options.blockTokens ?? 160 },
    };
    const pending = this.options.generate(request, {
      signal: controller.signal,
      lane: 'completion',
      onText: (chunk) => {
        running.streamed += chunk;
      },
    });
    running.done = pending.then((r) => r.text);
    // Waiters handle the failure; an unobserved copy must not count as unhandled.
    running.done.catch(() => undefined);
    this.running.set(file, running);
    try {
      const result = await pending;
      return signal.aborted ? undefined : result;
    } catch (err) {
      if (err instanceof ModelError && err.code === 'aborted') return undefined;
      throw err;
    } finally {
      clearTimeout(budget);
      signal.removeEventListener('abort', onAbort);
      if (this.running.get(file) === running) this.running.delete(file);
    }
  }

  /**
   * The user typed on while a generation for the shorter prefix was running:
   * when what they typed matches what it is producing, wait for it instead of
   * starting over. Claiming counts this request as one of its waiters.
   */
  private claimRunning(file: string, prefix: string, suffixHead: string): { running: Running; typed: string } | undefined {
    const running = this.running.get(file);
    if (!running || running.suffixHead !== suffixHead || !prefix.startsWith(running.prefix)) return undefined;
    const typed = prefix.slice(running.prefix.length);
    if (typed === '' || typed.includes('\n')) return undefined;
    const s = running.streamed;
    if (!(s.length >= typed.length ? s.startsWith(typed) : typed.startsWith(s))) return undefined;
    running.waiters++;
    return { running, typed };
  }

  private async awaitRunning(running: Running, typed: string, signal: AbortSignal): Promise<string | undefined> {
    const onAbort = (): void => this.release(running);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      const text = await running.done;
      return !signal.aborted && text.startsWith(typed) ? text.slice(typed.length) : undefined;
    } catch {
      return undefined;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private release(running: Running): void {
    running.waiters--;
    if (running.waiters <= 0) running.controller.abort();
  }

  /**
   * Waits before an automatic trigger, longer when the user types fast (their
   * next keystroke would cancel the work anyway), shorter after a pause.
   */
  private async debounce(file: string, signal: AbortSignal): Promise<void> {
    const now = performance.now();
    const last = this.lastAutomatic.get(file);
    this.lastAutomatic.set(file, now);
    if (last !== undefined && now - last < 2000) this.typingIntervalMs = 0.7 * this.typingIntervalMs + 0.3 * (now - last);
    const min = this.options.debounceMinMs ?? 30;
    const max = this.options.debounceMaxMs ?? 200;
    const ms = Math.max(min, Math.min(max, this.typingIntervalMs * 1.2));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}
