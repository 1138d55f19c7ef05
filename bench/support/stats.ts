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

/**
 * A bootstrap interval for the ratio of two p99s (ours / reference), from their samples per round.
 * Each draw takes as many rounds as were run, with replacement, the same rounds of both servers
 * (round i of each ran next to the other, in ABBA order, under the same load from the rest of the
 * machine), pools each side's samples and takes the ratio of the two p99s. Rounds, not single
 * samples, are drawn because slow moments of the machine last a round or less and hit the
 * observers of an edit together. Seeded, so the same samples give the same interval.
 */
export function p99RatioInterval(ours: number[][], reference: number[][], { resamples = 400, level = 0.9 } = {}): [number, number] {
  const rounds = Math.min(ours.length, reference.length);
  if (rounds === 0) return [NaN, NaN];
  const random = mulberry32(1);
  const ratios = Float64Array.from({ length: resamples }, () => {
    const picked = Array.from({ length: rounds }, () => Math.floor(random() * rounds));
    return distribution(picked.flatMap((i) => ours[i])).p99Ms / distribution(picked.flatMap((i) => reference[i])).p99Ms;
  }).sort();
  const tail = (1 - level) / 2;
  return [round(ratios[Math.floor(tail * resamples)]), round(ratios[Math.ceil((1 - tail) * resamples) - 1])];
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
