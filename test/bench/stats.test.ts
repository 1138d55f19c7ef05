// The collaboration benchmark's p99 ratio comes with a bootstrap interval (bench/support/stats.ts):
// the README's claims rest on it, so it must say "no difference" for equal servers and see a real one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { p99RatioInterval } from '../../bench/support/stats';

/**
 * Propagation samples of `count` rounds, 500 each: ~1 ms, and every 50th sample slow — by
 * `slowMs` times the round's load (the same for both servers in a round, as the bench pairs them).
 */
function rounds(count: number, slowMs: number, seed: number): number[][] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, (_, r) => {
    const load = 1 + (r % 4);
    return Array.from({ length: 500 }, (_, i) => (i % 50 === 0 ? slowMs * load * (1 + random()) : 0.5 + random()));
  });
}

test('two servers with the same latencies get an interval around 1', () => {
  const [low, high] = p99RatioInterval(rounds(16, 4, 1), rounds(16, 4, 2));
  assert.ok(low < 1 && high > 1, `interval ${low}-${high} should contain 1`);
  assert.ok(high - low < 0.6, `interval ${low}-${high} is too wide for 16 rounds`);
});

test('a server whose slow moments are twice as slow gets an interval around 2, above 1.2', () => {
  const [low, high] = p99RatioInterval(rounds(16, 8, 1), rounds(16, 4, 2));
  assert.ok(low > 1.2 && low < 2 && high > 2, `interval ${low}-${high} should contain 2 and exclude 1.2`);
});

test('fewer rounds give a wider interval', () => {
  const width = ([low, high]: [number, number]) => high - low;
  assert.ok(width(p99RatioInterval(rounds(4, 4, 1), rounds(4, 4, 2))) > width(p99RatioInterval(rounds(32, 4, 1), rounds(32, 4, 2))));
});
