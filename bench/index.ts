/**
 * Runs the bench suites and prints ONE JSON object on stdout (progress goes to stderr):
 *   { machine, startedAt, totalS, <suite>: <its result>, ... }
 * Usage: npm run bench [-- --only collab[,other]]. Exits 0 when the suites ran, whether or not
 * their targets were met (each suite reports pass/fail in its JSON); non-zero on errors.
 * To add a suite, add an entry to SUITES.
 */
import os from 'node:os';
import { runCollabSuite } from './collab';
import { runExtractionSuite } from './extraction';
import { runGraphSuite } from './graph';
import { runRlsSuite } from './rls';
import { runInterruptHandlers } from './support/cleanup';

interface Suite {
  name: string;
  run: () => Promise<object>;
}

const SUITES: Suite[] = [
  { name: 'collab', run: runCollabSuite },
  { name: 'extraction', run: runExtractionSuite },
  { name: 'graph', run: runGraphSuite },
  { name: 'rls', run: runRlsSuite },
  { name: 'bigdoc', run: async () => (await import('./bigdoc')).runBigdocSuite() },
];

/** The whole run is killed past this, cleaning up first (the collaboration suite alone takes ~11 minutes). */
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 1800);

function selectedSuites(argv: string[]): Suite[] {
  const at = argv.findIndex((arg) => arg === '--only' || arg.startsWith('--only='));
  if (at === -1) return SUITES;
  const value = argv[at].includes('=') ? argv[at].slice('--only='.length) : argv[at + 1];
  if (!value) throw new Error('--only needs a suite name, e.g. --only collab');
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !SUITES.some((suite) => suite.name === name));
  if (unknown.length > 0) throw new Error(`unknown suite(s) ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}`);
  return SUITES.filter((suite) => names.includes(suite.name));
}

async function main(): Promise<void> {
  const suites = selectedSuites(process.argv.slice(2));
  const startedAt = new Date();
  const results: Record<string, object> = {};
  for (const suite of suites) {
    console.error(`[bench] suite ${suite.name}`);
    results[suite.name] = await suite.run();
  }
  const cpus = os.cpus();
  const output = {
    machine: {
      cores: os.availableParallelism(),
      cpu: cpus[0]?.model ?? 'unknown',
      memoryGB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    startedAt: startedAt.toISOString(),
    totalS: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
    ...results,
  };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}

async function abort(reason: string, code: number): Promise<never> {
  console.error(`[bench] ${reason}; cleaning up`);
  await runInterruptHandlers();
  process.exit(code);
}

process.once('SIGINT', () => void abort('interrupted', 130));
process.once('SIGTERM', () => void abort('terminated', 143));
const overall = setTimeout(() => void abort(`still running after ${TIMEOUT_S} s`, 1), TIMEOUT_S * 1000);
overall.unref();

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await runInterruptHandlers();
    process.exit(1);
  },
);
