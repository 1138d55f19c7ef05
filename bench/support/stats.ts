/** Percentiles and the shared clock of the benchmarks. */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Milliseconds since the epoch with sub-millisecond resolution. Every bench process reads this
 * one clock, so a time taken in a server child can be compared with one taken in the parent
 * (after the offset measured by `measureClockOffset`).
 */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface Distribution {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
}

/** p50/p99/max of a list of millisecond samples (nearest-rank), rounded to 0.01 ms. */
export function distribution(samples: number[]): Distribution {
  if (samples.length === 0) return { p50Ms: NaN, p99Ms: NaN, maxMs: NaN, samples: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]);
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(sorted[sorted.length - 1]), samples: sorted.length };
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

const LOOP_DELAY_RESOLUTION_MS = 5;

/** An event-loop delay monitor; read it with `loopDelayP99Ms`. */
export function loopDelayMonitor(): IntervalHistogram {
  return monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
}

/**
 * p99 of how late the monitor's timer fired, in ms. Node records the whole interval between
 * ticks, so the timer's own period is subtracted: 0 means the loop was never busy.
 */
export function loopDelayP99Ms(histogram: IntervalHistogram): number {
  if (histogram.count === 0) return 0;
  return Math.max(0, histogram.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS);
}
