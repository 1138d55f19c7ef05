// The collaboration benchmark's p99 ratio comes with a bootstrap interval (bench/support/stats.ts):
// the README's claims rest on it, so it must say "no difference" for equal servers and see a real one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { p99RatioInterval } from '../../bench/support/stats';

/** `count` edits, each seen by 4 observers with the same delay; every 50th edit is delayed by `slowMs`. */
function edits(count: number, slowMs: number, seed: number): number[][] {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: count }, (_, i) => {
    const delay = i % 50 === 0 ? slowMs * (1 + random()) : 0.5 + random();
    return [delay, delay + 0.1, delay + 0.2, delay + 0.3];
  });
}

test('two servers with the same latencies get an interval around 1', () => {
  const [low, high] = p99RatioInterval(edits(4000, 4, 1), edits(4000, 4, 2));
  assert.ok(low < 1 && high > 1, `interval ${low}-${high} should contain 1`);
  assert.ok(high - low < 0.6, `interval ${low}-${high} is too wide for 4,000 edits`);
});

test('a server whose slow edits are twice as slow gets an interval around 2, above 1.2', () => {
  const [low, high] = p99RatioInterval(edits(4000, 8, 1), edits(4000, 4, 2));
  assert.ok(low > 1.2 && low < 2 && high > 2, `interval ${low}-${high} should contain 2 and exclude 1.2`);
});

test('fewer edits give a wider interval', () => {
  const width = ([low, high]: [number, number]) => high - low;
  assert.ok(width(p99RatioInterval(edits(500, 4, 1), edits(500, 4, 2))) > width(p99RatioInterval(edits(8000, 4, 1), edits(8000, 4, 2))));
});
