/**
 * Runs the node:test suites once per database kind (and the browser suite), prints each
 * runner's output, and ends with one line `N passed, N failed` summing them all.
 * Usage: tsx scripts/run-tests.ts [unit|integration|e2e ...]  (default: all)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

function files(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (pattern.test(entry.name)) out.push(path.relative(ROOT, full));
    }
  };
  if (fs.existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  return out.sort();
}

interface Suite {
  name: string;
  files: string[];
  env: Record<string, string>;
}

const unitAndIntegration = files('test', /\.test\.ts$/);
const suites: Suite[] = [
  { name: 'pglite', files: unitAndIntegration, env: { KOS_TEST_DB: 'pglite' } },
  { name: 'postgres', files: unitAndIntegration, env: { KOS_TEST_DB: 'postgres' } },
  { name: 'e2e', files: files('e2e', /\.e2e\.ts$/), env: {} },
];
const wanted = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const suite of suites) {
  if (wanted.length > 0 && !wanted.includes(suite.name)) continue;
  if (suite.files.length === 0) continue;
  const tap = path.join(os.tmpdir(), `kos-${suite.name}-${process.pid}.tap`);
  process.stdout.write(`\n=== ${suite.name}: ${suite.files.length} files\n`);
  const result = spawnSync(
    process.execPath,
    // Bounds: a test file that hangs is failed after 5 minutes, and a whole suite after 20,
    // so a hang shows up as a failure in CI instead of running into its time limit.
    ['--import', 'tsx', '--test', '--test-timeout=300000', '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...suite.files],
    { cwd: ROOT, stdio: 'inherit', timeout: 20 * 60_000, killSignal: 'SIGKILL', env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...suite.env } },
  );
  const summary = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  const count = (label: string) => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(summary)?.[1] ?? 0);
  const suitePassed = count('pass');
  if (result.error) process.stdout.write(`=== ${suite.name}: ${result.error.message}\n`);
  const suiteFailed = count('fail') + count('cancelled') + (result.status !== 0 && count('fail') === 0 ? 1 : 0);
  process.stdout.write(`=== ${suite.name}: ${suitePassed} passed, ${suiteFailed} failed\n`);
  passed += suitePassed;
  failed += suiteFailed;
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
