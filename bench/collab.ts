/**
 * Collaboration benchmark: clients typing into one document (10, 50, 100 clients) and into 20
 * documents at once, against our CollabServer and the stock `@y/websocket-server` (in memory) as
 * the reference. Ours runs in two shapes: on PostgreSQL as production deploys it, a collab-role
 * process (relay, update log, projection) beside a worker-role process (extraction, graph sync;
 * support/workerProcess.ts) that hears it over Redis; and, for 10 clients, as `npm run dev` runs
 * it, everything in one process on PGlite. Each server runs in its own child process with the
 * clients in this process, so client work never runs on the server's event loop and the server's
 * memory is its own; both servers run through the same harness (support/serverChild.ts) and are
 * driven by the same clients (support/benchClient.ts).
 *
 * Every scenario runs in roundsFor(spec) rounds per server, in ABBA order (reference, ours, ours,
 * reference), each with fresh documents and connections; samples are pooled over the rounds.
 * Measured over each round's window, after a warm-up:
 *   propagation    edit (typist's transaction) -> integrated in an observer's Y.Doc, one clock;
 *   clientToServer edit -> applied by the server (the inbound half of propagation);
 *   durable        edit -> the update log's append() resolved at COMMIT (ours);
 *   blocksRow      edit -> `blocks.changed` of the first projection run that read the edit (ours);
 *   updatesPerS    updates the server applied; deliveredPerS: Update messages clients received;
 *   memoryPerDocMB (RSS / heap after GC with 20 live documents - idle, after GC) / 20;
 *   cpu            percent of one core: server, worker, clients, our PostgreSQL backends, the rest.
 */
import { BenchClient } from './support/benchClient';
import { createBenchDatabase, type BenchDatabase } from './support/benchDatabase';
import { onInterrupt } from './support/cleanup';
import { cpuBetween, sampleCpu, type CpuSample } from './support/cpuSampler';
import { ServerProcess } from './support/serverProcess';
import { REDIS_URL, WorkerProcess } from './support/workerProcess';
import {
  DocumentsResult,
  EmptyResult,
  MarkResult,
  MemoryResult,
  PendingResult,
  ReportResult,
  type ServerKind,
} from './support/serverProtocol';
import { distribution, loopDelayMonitor, loopDelayP99Ms, p99RatioInterval, round, wallNow, type Distribution } from './support/stats';
import { sleep, withTimeout } from './support/waiting';

const KEYS_PER_SECOND = Number(process.env.BENCH_KEYS_PER_SECOND ?? 5);
/** Measured seconds per round; a scenario measures roundsFor(spec) x this per server. */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
/**
 * Six, not four: a round's p99 swings 2x between rounds of the same server on this shared VM
 * (the reference's ran 2.2-5.2 ms at 10 clients), so four rounds left the ratio moving by 0.3.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
/**
 * At least this many edits per server and scenario, in more rounds where clients type slowly: a
 * p99 is set by its worst 1 %, and with 1,500 edits (10 clients, 6 rounds) that is about 15 edits,
 * so the ratio of two p99s moved by 0.3 between runs of the same code.
 */
const MIN_EDITS = Number(process.env.BENCH_MIN_EDITS ?? 4000);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 1);
/** After typing stops: how long to wait for the last deliveries, commits and projection runs. */
const TAIL_MIN_MS = 800;
const TAIL_MAX_MS = 5000;
const SYNC_TIMEOUT_MS = 30_000;

const TARGETS = { p99RatioMax: 1.2, durableP99MaxMs: 100, blocksRowP99MaxMs: 1000 };

export interface ScenarioSpec {
  name: string;
  documents: number;
  clientsPerDocument: number;
  /** Clients per document that apply every update and measure propagation; the rest only type. */
  observersPerDocument: number;
  memory: boolean;
  /** Also run against our server on PGlite (one process). */
  pglite: boolean;
}

export const SCENARIOS: ScenarioSpec[] = [
  { name: 'one-document-10-clients', documents: 1, clientsPerDocument: 10, observersPerDocument: 5, memory: false, pglite: true },
  { name: 'one-document-50-clients', documents: 1, clientsPerDocument: 50, observersPerDocument: 5, memory: false, pglite: false },
  { name: 'one-document-100-clients', documents: 1, clientsPerDocument: 100, observersPerDocument: 5, memory: false, pglite: false },
  { name: 'twenty-documents-3-clients', documents: 20, clientsPerDocument: 3, observersPerDocument: 3, memory: true, pglite: false },
];

type DatabaseKind = 'postgres' | 'pglite' | 'none';

interface Milestone extends Distribution {
  /** The same milestone measured from the server's applying the update instead of the edit. */
  fromServerApply: Distribution;
  /** Edits in the window that had not reached the milestone when the tail wait ended. */
  missing: number;
}

interface CpuPercent {
  /** Percent of one core; the machine has `cores` x 100. */
  server: number;
  /** Our worker process (extraction, graph sync), when ours runs as collab + worker. */
  worker: number;
  clients: number;
  database: number;
  /** Busy time of the machine not accounted above: other people's processes, PG background work. */
  other: number;
  steal: number;
}

export interface ScenarioResult {
  name: string;
  server: ServerKind;
  database: DatabaseKind;
  /** Ours: 'collab + worker' or 'one process'. */
  processes?: string;
  clients: number;
  documents: number;
  clientsPerDocument: number;
  observersPerDocument: number;
  rounds: number;
  durationS: number;
  keysPerSecondPerClient: number;
  sentPerS: number;
  updatesPerS: number;
  deliveredPerS: number;
  propagation: Distribution & { expectedSamples: number; p99MsPerRound: number[] };
  clientToServer: Distribution;
  durable?: Milestone;
  blocksRow?: Milestone;
  serverProcess: { loopDelayP99Ms: number; updatesPerLogBatch?: number };
  clientProcess: { loopDelayP99Ms: number };
  cpuPercent: CpuPercent | null;
  memoryPerDocMB?: { rss: number; heapUsed: number; external: number };
  warnings: string[];
}

export interface CollabResult {
  settings: { keysPerSecondPerClient: number; durationSPerRound: number; minRounds: number; minEdits: number; warmupS: number };
  scenarios: ScenarioResult[];
  ratios: Array<{
    scenario: string;
    database: DatabaseKind;
    processes?: string;
    p99Ratio: number;
    /** 90 % bootstrap interval of p99Ratio, resampling paired rounds (see p99RatioInterval). */
    p99RatioInterval90: [number, number];
    p50Ratio: number;
    p99RatioPerRound: number[];
  }>;
  targets: Array<{ target: string; scenario: string; database: DatabaseKind; processes?: string; value: number; limit: number; pass: boolean }>;
  allTargetsPass: boolean;
}

/** Raw measurements of one round of one scenario on one server. */
interface Round {
  server: ServerKind;
  database: DatabaseKind;
  processes: string | undefined;
  sent: number;
  expectedSamples: number;
  delivered: number;
  applied: number;
  propagation: number[];
  clientToServer: number[];
  durable: MilestoneSamples;
  blocks: MilestoneSamples;
  serverLoopDelayP99Ms: number;
  clientLoopDelayP99Ms: number;
  logUpdates: number;
  logBatches: number;
  cpu: CpuPercent | null;
  memoryPerDoc: { rss: number; heapUsed: number; external: number } | null;
}

/** A scenario's pooled result on one server, with its propagation samples per round. */
interface Measured {
  result: ScenarioResult;
  propagationPerRound: number[][];
}

/** Rounds for a scenario: ROUNDS, or more where clients type too slowly for MIN_EDITS. */
function roundsFor(spec: ScenarioSpec): number {
  const editsPerRound = spec.documents * spec.clientsPerDocument * KEYS_PER_SECOND * DURATION_S;
  return Math.max(ROUNDS, Math.ceil(MIN_EDITS / editsPerRound));
}

interface MilestoneSamples {
  fromEdit: number[];
  fromApply: number[];
  missing: number;
}

interface Target {
  server: ServerProcess;
  /** PostgreSQL backends to account, if the server uses our bench database. */
  database: BenchDatabase | null;
  /** The worker process beside a collab-role server. */
  worker: WorkerProcess | null;
}

export async function runCollabSuite(): Promise<CollabResult> {
  const database = await createBenchDatabase();
  const servers: Array<ServerProcess | WorkerProcess> = [];
  const cleanup = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await database.drop();
  };
  const removeInterruptHandler = onInterrupt(cleanup);
  const scenarios: Measured[] = [];
  try {
    const wantScenario = selected('BENCH_SCENARIOS');
    const wantServer = selected('BENCH_SERVERS');
    const start = async (entry: string, env: Record<string, string> = {}) => {
      const server = await ServerProcess.start(entry, env);
      servers.push(server);
      return server;
    };
    log('starting servers');
    const targets: Target[] = [];
    if (wantServer('reference')) targets.push({ server: await start('serve-reference.ts'), database: null, worker: null });
    if (wantServer('postgres')) {
      const env = { BENCH_SERVER_DATABASE_URL: database.url, BENCH_SERVER_ROLE: 'collab', BENCH_REDIS_URL: REDIS_URL };
      const server = await start('serve-ours.ts', env); // migrates the database before the worker starts
      const worker = await WorkerProcess.start(database.url);
      servers.push(worker);
      targets.push({ server, database, worker });
    }
    for (const spec of SCENARIOS.filter((s) => wantScenario(s.name))) {
      const pglite = spec.pglite && wantServer('pglite') ? await start('serve-ours.ts', { BENCH_SERVER_DATABASE_URL: '' }) : null;
      const here = pglite ? [...targets, { server: pglite, database: null, worker: null }] : targets;
      const rounds = new Map<Target, Round[]>(here.map((target) => [target, []]));
      for (let r = 0; r < roundsFor(spec); r++) {
        // ABBA: drifting background load on a shared machine hits every server alike.
        const order = r % 2 === 0 ? here : [...here].reverse();
        for (const target of order) rounds.get(target)?.push(await runRound(target, spec, r));
      }
      for (const [, measured] of rounds) scenarios.push({ result: summarize(spec, measured), propagationPerRound: measured.map((r) => r.propagation) });
      if (pglite) {
        await pglite.stop();
        servers.splice(servers.indexOf(pglite), 1);
      }
    }
  } finally {
    await cleanup();
    removeInterruptHandler();
  }
  return {
    settings: { keysPerSecondPerClient: KEYS_PER_SECOND, durationSPerRound: DURATION_S, minRounds: ROUNDS, minEdits: MIN_EDITS, warmupS: WARMUP_S },
    scenarios: scenarios.map(({ result }) => result),
    ...judge(scenarios),
  };
}

async function runRound({ server, database: benchDatabase, worker }: Target, spec: ScenarioSpec, roundIndex: number): Promise<Round> {
  const { wsBase, server: kind, database, processes } = server.ready;
  log(`${spec.name} round ${roundIndex + 1}/${roundsFor(spec)} on ${kind} (${database}${processes ? `, ${processes}` : ''})`);
  // Idle baseline before the documents exist: the difference is what 20 live documents cost.
  const memoryBefore = spec.memory ? await server.request({ command: 'memory' }, MemoryResult) : null;
  const { documentIds } = await server.request({ command: 'create-documents', count: spec.documents }, DocumentsResult);
  const before = await server.request({ command: 'report' }, ReportResult); // drops setup records

  // Times below are wallNow() of this process.
  const window = { start: Infinity, end: -Infinity };
  const inWindow = (time: number) => time >= window.start && time < window.end;
  const sentAt = new Map<number, Map<number, number>>(); // client id -> clock -> time of the edit
  const propagation: number[] = [];
  let delivered = 0;

  const onObserved = (client: number, from: number, to: number, at: number) => {
    const sends = sentAt.get(client);
    if (!sends) return;
    for (let clock = from; clock < to; clock++) {
      const time = sends.get(clock);
      if (time !== undefined && inWindow(time)) propagation.push(at - time);
    }
  };
  const onDelivered = () => {
    if (inWindow(wallNow())) delivered += 1;
  };
  const documents = documentIds.map((documentId) =>
    Array.from(
      { length: spec.clientsPerDocument },
      (_, i) => new BenchClient(`${wsBase}/${documentId}`, { observer: i < spec.observersPerDocument, onObserved, onDelivered }),
    ),
  );
  const clients = documents.flat();
  try {
    await withTimeout(Promise.all(clients.map((client) => client.synced)), SYNC_TIMEOUT_MS, 'clients did not sync');
    for (const client of clients) client.addParagraph();
    await sleep(300);

    // Open-loop typing: each client types on its own schedule whatever the latency, so a slow
    // server shows up as latency rather than as fewer edits.
    const intervalMs = 1000 / KEYS_PER_SECOND;
    const start = wallNow() + 20;
    window.start = start + WARMUP_S * 1000;
    window.end = window.start + DURATION_S * 1000;
    const typists = documents.flatMap((docClients) =>
      docClients.map((client, i) => {
        const sends = new Map<number, number>();
        sentAt.set(client.doc.clientID, sends);
        const otherObservers = spec.observersPerDocument - (i < spec.observersPerDocument ? 1 : 0);
        return { client, sends, otherObservers, next: start + Math.random() * intervalMs, sentInWindow: 0 };
      }),
    );
    const databasePids = (await benchDatabase?.backendPids()) ?? [];
    const workerPids = worker?.pid !== undefined ? [worker.pid] : [];
    const clientLoop = loopDelayMonitor();
    let windowStart: { cpu: CpuSample | null; clientCpu: NodeJS.CpuUsage } | null = null;
    const markAtStart = sleep(window.start - wallNow()).then(() => {
      clientLoop.enable();
      windowStart = { cpu: sampleCpu([...databasePids, ...workerPids]), clientCpu: process.cpuUsage() };
      return server.request({ command: 'mark' }, MarkResult);
    });
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = wallNow();
        if (now >= window.end) return resolve();
        for (const typist of typists) {
          while (typist.next <= now) {
            const at = wallNow();
            typist.sends.set(typist.client.type(), at);
            if (inWindow(at)) typist.sentInWindow += 1;
            typist.next += intervalMs;
          }
        }
        setTimeout(tick, 1);
      };
      tick();
    });
    const cpuAtEnd = sampleCpu([...databasePids, ...workerPids]);
    const serverWindow = await server.request({ command: 'mark' }, MarkResult);
    clientLoop.disable();
    await markAtStart;
    const cpu = accountCpu(windowStart, cpuAtEnd, serverWindow, workerPids);

    await waitForTail(server);
    const memoryAfter = spec.memory ? await server.request({ command: 'memory' }, MemoryResult) : null;
    const report = await server.request({ command: 'report' }, ReportResult);
    const joined = joinServerRecords(server, report, sentAt, inWindow);
    const perDoc = (bytes: number) => bytes / spec.documents / 2 ** 20;
    return {
      server: kind,
      database,
      processes,
      sent: typists.reduce((sum, typist) => sum + typist.sentInWindow, 0),
      expectedSamples: typists.reduce((sum, typist) => sum + typist.sentInWindow * typist.otherObservers, 0),
      delivered,
      applied: joined.applied,
      propagation,
      clientToServer: joined.clientToServer,
      durable: joined.durable,
      blocks: joined.blocks,
      serverLoopDelayP99Ms: serverWindow.loopDelayP99Ms,
      clientLoopDelayP99Ms: loopDelayP99Ms(clientLoop),
      logUpdates: report.logUpdates - before.logUpdates,
      logBatches: report.logBatches - before.logBatches,
      cpu,
      memoryPerDoc:
        memoryBefore && memoryAfter
          ? {
              rss: perDoc(memoryAfter.rssBytes - memoryBefore.rssBytes),
              heapUsed: perDoc(memoryAfter.heapUsedBytes - memoryBefore.heapUsedBytes),
              external: perDoc(memoryAfter.externalBytes - memoryBefore.externalBytes),
            }
          : null,
    };
  } finally {
    for (const client of clients) client.close();
    await server.request({ command: 'settle' }, EmptyResult);
  }
}

/** Who used the CPU during the window: the server (its own count), our worker, the clients (us), PostgreSQL, the rest. */
function accountCpu(
  start: { cpu: CpuSample | null; clientCpu: NodeJS.CpuUsage } | null,
  end: CpuSample | null,
  serverWindow: { cpuMs: number; elapsedMs: number },
  workerPids: number[],
): CpuPercent | null {
  if (!start?.cpu || !end) return null;
  const clientCpu = process.cpuUsage(start.clientCpu);
  const machine = cpuBetween(start.cpu, end);
  const worker = cpuBetween(start.cpu, end, workerPids).processes;
  const server = round((100 * serverWindow.cpuMs) / serverWindow.elapsedMs, 1);
  const clients = round((100 * (clientCpu.user + clientCpu.system)) / 1000 / (end.at - start.cpu.at), 1);
  const database = round(machine.processes - worker, 1);
  const other = round(Math.max(0, machine.machineBusy - server - worker - clients - database), 1);
  return { server, worker, clients, database, other, steal: machine.steal };
}

/** The server's view of each edit typed in the window, joined with when it was typed. */
function joinServerRecords(
  server: ServerProcess,
  report: ReportResult,
  sentAt: Map<number, Map<number, number>>,
  inWindow: (time: number) => boolean,
) {
  const clientToServer: number[] = [];
  const durable: MilestoneSamples = { fromEdit: [], fromApply: [], missing: 0 };
  const blocks: MilestoneSamples = { fromEdit: [], fromApply: [], missing: 0 };
  let applied = 0;
  for (const [client, from, to, appliedAtChild, durableAtChild, blocksAtChild] of report.applied) {
    const appliedAt = server.toParentClock(appliedAtChild);
    if (inWindow(appliedAt)) applied += 1;
    const sends = sentAt.get(client);
    if (!sends) continue;
    for (let clock = from; clock < to; clock++) {
      const typedAt = sends.get(clock);
      if (typedAt === undefined || !inWindow(typedAt)) continue;
      clientToServer.push(appliedAt - typedAt);
      addMilestone(durable, durableAtChild, server, typedAt, appliedAt);
      addMilestone(blocks, blocksAtChild, server, typedAt, appliedAt);
    }
  }
  return { applied, clientToServer, durable, blocks };
}

function addMilestone(into: MilestoneSamples, childTime: number, server: ServerProcess, typedAt: number, appliedAt: number): void {
  if (childTime < 0) {
    into.missing += 1;
    return;
  }
  const at = server.toParentClock(childTime);
  into.fromEdit.push(at - typedAt);
  into.fromApply.push(at - appliedAt);
}

/** Pools the rounds of one scenario on one server into its result. */
function summarize(spec: ScenarioSpec, rounds: Round[]): ScenarioResult {
  const [first] = rounds;
  const seconds = DURATION_S * rounds.length;
  const sum = (pick: (r: Round) => number) => rounds.reduce((total, r) => total + pick(r), 0);
  const pool = (pick: (r: Round) => number[]) => rounds.flatMap(pick);
  const worst = (pick: (r: Round) => number) => round(Math.max(...rounds.map(pick)));
  const milestone = (pick: (r: Round) => MilestoneSamples): Milestone => ({
    ...distribution(pool((r) => pick(r).fromEdit)),
    fromServerApply: distribution(pool((r) => pick(r).fromApply)),
    missing: sum((r) => pick(r).missing),
  });
  const ours = first.server === 'knowledge-os';
  const logBatches = sum((r) => r.logBatches);
  const cpus = rounds.map((r) => r.cpu).filter((cpu): cpu is CpuPercent => cpu !== null);
  const mean = (pick: (cpu: CpuPercent) => number) => round(cpus.reduce((total, cpu) => total + pick(cpu), 0) / cpus.length, 1);
  const cpuPercent = cpus.length === 0 ? null : {
    server: mean((c) => c.server),
    worker: mean((c) => c.worker),
    clients: mean((c) => c.clients),
    database: mean((c) => c.database),
    other: mean((c) => c.other),
    steal: mean((c) => c.steal),
  };
  const memories = rounds.map((r) => r.memoryPerDoc).filter((m) => m !== null);
  const memoryMean = (pick: (m: { rss: number; heapUsed: number; external: number }) => number) =>
    round(memories.reduce((total, m) => total + pick(m), 0) / memories.length, 3);
  const result: ScenarioResult = {
    name: spec.name,
    server: first.server,
    database: first.database,
    ...(first.processes ? { processes: first.processes } : {}),
    clients: spec.documents * spec.clientsPerDocument,
    documents: spec.documents,
    clientsPerDocument: spec.clientsPerDocument,
    observersPerDocument: spec.observersPerDocument,
    rounds: rounds.length,
    durationS: seconds,
    keysPerSecondPerClient: KEYS_PER_SECOND,
    sentPerS: round(sum((r) => r.sent) / seconds, 1),
    updatesPerS: round(sum((r) => r.applied) / seconds, 1),
    deliveredPerS: round(sum((r) => r.delivered) / seconds, 1),
    propagation: {
      ...distribution(pool((r) => r.propagation)),
      expectedSamples: sum((r) => r.expectedSamples),
      p99MsPerRound: rounds.map((r) => distribution(r.propagation).p99Ms),
    },
    clientToServer: distribution(pool((r) => r.clientToServer)),
    ...(ours ? { durable: milestone((r) => r.durable), blocksRow: milestone((r) => r.blocks) } : {}),
    serverProcess: {
      loopDelayP99Ms: worst((r) => r.serverLoopDelayP99Ms),
      ...(ours && logBatches > 0 ? { updatesPerLogBatch: round(sum((r) => r.logUpdates) / logBatches, 1) } : {}),
    },
    clientProcess: { loopDelayP99Ms: worst((r) => r.clientLoopDelayP99Ms) },
    cpuPercent,
    ...(memories.length > 0
      ? { memoryPerDocMB: { rss: memoryMean((m) => m.rss), heapUsed: memoryMean((m) => m.heapUsed), external: memoryMean((m) => m.external) } }
      : {}),
    warnings: [],
  };
  result.warnings = warningsFor(result);
  return result;
}

/** What a reader must know before trusting the numbers of a scenario. */
function warningsFor(result: ScenarioResult): string[] {
  const warnings: string[] = [];
  if (result.clientProcess.loopDelayP99Ms > 20) {
    warnings.push(`the client process's event loop lagged ${result.clientProcess.loopDelayP99Ms} ms (p99): latencies include load-generator queueing`);
  }
  if (result.cpuPercent && result.cpuPercent.other > 30) {
    warnings.push(`other processes on the machine used ${result.cpuPercent.other}% of a core during the window: tail latencies are noisy`);
  }
  if (result.propagation.samples < result.propagation.expectedSamples) {
    warnings.push(`${result.propagation.expectedSamples - result.propagation.samples} expected observations never arrived`);
  }
  if (result.sentPerS < 0.95 * result.clients * KEYS_PER_SECOND) warnings.push('clients typed slower than scheduled');
  return warnings;
}

function judge(scenarios: Measured[]): Pick<CollabResult, 'ratios' | 'targets' | 'allTargetsPass'> {
  const ratios: CollabResult['ratios'] = [];
  const targets: CollabResult['targets'] = [];
  for (const { result: ours, propagationPerRound } of scenarios.filter((s) => s.result.server === 'knowledge-os')) {
    const measured = scenarios.find((s) => s.result.server === 'reference' && s.result.name === ours.name);
    const reference = measured?.result;
    const where = { scenario: ours.name, database: ours.database, processes: ours.processes };
    if (measured && reference) {
      // Judged unrounded: 6.33 / 5.26 ms is 1.203, a miss, though it prints as 1.2.
      const exactRatio = ours.propagation.p99Ms / reference.propagation.p99Ms;
      const p99Ratio = round(exactRatio);
      ratios.push({
        ...where,
        p99Ratio,
        p99RatioInterval90: p99RatioInterval(propagationPerRound, measured.propagationPerRound),
        p50Ratio: round(ours.propagation.p50Ms / reference.propagation.p50Ms),
        p99RatioPerRound: ours.propagation.p99MsPerRound.map((p99, i) => round(p99 / reference.propagation.p99MsPerRound[i])),
      });
      const value = round(exactRatio, 3);
      targets.push({ target: 'propagation p99 <= 1.2x reference', ...where, value, limit: TARGETS.p99RatioMax, pass: exactRatio <= TARGETS.p99RatioMax });
    }
    if (ours.durable) {
      const value = ours.durable.p99Ms;
      const pass = value <= TARGETS.durableP99MaxMs && ours.durable.missing === 0;
      targets.push({ target: 'edit to durable log row p99 <= 100 ms', ...where, value, limit: TARGETS.durableP99MaxMs, pass });
    }
    if (ours.blocksRow) {
      const value = ours.blocksRow.p99Ms;
      const pass = value <= TARGETS.blocksRowP99MaxMs && ours.blocksRow.missing === 0;
      targets.push({ target: 'edit to blocks row p99 <= 1 s', ...where, value, limit: TARGETS.blocksRowP99MaxMs, pass });
    }
  }
  return { ratios, targets, allTargetsPass: targets.every((t) => t.pass) };
}

/** Waits until the server has committed and projected everything (bounded), and deliveries landed. */
async function waitForTail(server: ServerProcess): Promise<void> {
  const started = Date.now();
  await sleep(TAIL_MIN_MS);
  while (Date.now() - started < TAIL_MAX_MS) {
    const { undurable, unprojected } = await server.request({ command: 'pending' }, PendingResult);
    if (undurable === 0 && unprojected === 0) return;
    await sleep(100);
  }
}

/** For diagnosis: BENCH_SCENARIOS=name,name and BENCH_SERVERS=reference,postgres,pglite narrow the run. */
function selected(variable: string): (name: string) => boolean {
  const names = process.env[variable]?.split(',').map((name) => name.trim()).filter(Boolean);
  return (name) => !names || names.length === 0 || names.includes(name);
}

const startedAt = Date.now();
function log(message: string): void {
  console.error(`[bench collab +${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}`);
}
