// `aros/health`: the server measures its own event loop and memory, so a
// client (or a load benchmark) can see a stall without profiling. The event
// loop is sampled every 10 ms by perf_hooks; a sample is how late that tick
// came, so an idle loop reads about 0 and a 60 ms stall reads about 60.

import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import type { Connection } from 'vscode-languageserver/node';
import { invalid } from './params';

export interface HealthParams {
  /** Start a new measuring window after answering (the answer covers the old one). */
  reset?: boolean;
  /**
   * Collect garbage before reading memory, when the server runs with
   * `--expose-gc` (benchmarks): what is live, not what awaits collection.
   * Ignored otherwise; `collected` in the answer says whether it happened.
   */
  collect?: boolean;
}

export interface HealthResult {
  /** Delay of the event loop beyond the 10 ms sampling interval, since start or the last reset. */
  eventLoopDelayMs: { max: number; p99: number; mean: number };
  /** Garbage collection pauses in the same window: the longest tells a collection from a long task. */
  gc: { count: number; totalMs: number; maxMs: number };
  /** Bytes. */
  memory: { rss: number; heapUsed: number };
  /** Whether garbage was collected before `memory` was read (see HealthParams.collect). */
  collected: boolean;
  uptimeMs: number;
}

/** A method name rather than a RequestType: a RequestType of one parameter refuses a request without params. */
export const HEALTH_METHOD = 'aros/health';

const RESOLUTION_MS = 10;

export function registerHealth(connection: Connection): void {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let gc = { count: 0, totalMs: 0, maxMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc = { count: gc.count + 1, totalMs: gc.totalMs + e.duration, maxMs: Math.max(gc.maxMs, e.duration) };
  });
  observer.observe({ entryTypes: ['gc'] });
  const started = performance.now();
  const ms = (ns: number): number => (Number.isFinite(ns) && histogram.count > 0 ? Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100) : 0);
  connection.onRequest(HEALTH_METHOD, (params: unknown): HealthResult => {
    const given = params === null || params === undefined ? {} : (params as { reset?: unknown; collect?: unknown });
    const { reset, collect } = given;
    if (typeof given !== 'object' || Array.isArray(given) || (reset !== undefined && typeof reset !== 'boolean') || (collect !== undefined && typeof collect !== 'boolean')) {
      throw invalid('aros/health params must be { reset?: boolean, collect?: boolean }');
    }
    const gcNow = (globalThis as { gc?: () => void }).gc;
    const collected = collect === true && typeof gcNow === 'function';
    if (collected) gcNow();
    const memory = process.memoryUsage();
    const result: HealthResult = {
      eventLoopDelayMs: { max: ms(histogram.max), p99: ms(histogram.percentile(99)), mean: ms(histogram.mean) },
      gc: { count: gc.count, totalMs: Math.round(gc.totalMs * 100) / 100, maxMs: Math.round(gc.maxMs * 100) / 100 },
      memory: { rss: memory.rss, heapUsed: memory.heapUsed },
      collected,
      uptimeMs: Math.round(performance.now() - started),
    };
    if (reset) {
      histogram.reset();
      gc = { count: 0, totalMs: 0, maxMs: 0 };
    }
    return result;
  });
}
