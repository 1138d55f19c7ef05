/** Wires the process's services in one place; see services.ts for how route handlers reach them. */
import { openDatabase, type Database } from './db/client';
import { migrate } from './db/migrate';
import { ensureLocalIdentity } from './db/repos/tenants';
import { EVENT_TYPES, openBus, type BusEvent } from './bus';
import { log } from './log';
import { UpdateLog } from './persistence/updateLog';
import { openWriterThread } from './persistence/writerThread';
import { RoomRegistry } from './collab/rooms';
import { loadConfig } from './config';
import { checkHealth, openNeo4j } from './health';
import { laggingDocuments, type ProjectionOptions } from './projection/blockProjection';
import type { Services } from './services';
import { ExtractionQueue } from './extraction/queue';
import { chooseExtractor } from './extraction/choose';
import { openGraphStoreLazily } from './graph/open';
import { GraphSync } from './graph/sync';
import { MessageLimiter, openLimiter } from './rateLimit';
import { withTimeout } from '../lib/util/withTimeout';

/**
 * Which services this process runs: `all` (the embedded default, one process), `collab` (relay,
 * update log and `blocks` projection only) or `worker` (extraction queue and graph sync only).
 */
export type ProcessRole = 'all' | 'collab' | 'worker';

/**
 * The bus events each role hears (Redis): the relay closes connections on access changes; the
 * worker queues extraction on blocks.changed and syncs the graph on both; 'all' also serves the SSE.
 */
const LISTENS: Record<ProcessRole, readonly BusEvent['type'][]> = {
  all: EVENT_TYPES,
  collab: ['access.changed'],
  worker: ['blocks.changed', 'knowledge.changed'],
};

export async function startServices(
  env: NodeJS.ProcessEnv = process.env,
  options: {
    projection?: ProjectionOptions;
    database?: Database;
    extraction?: { retryDelaySeconds?: number; retryLimit?: number };
    role?: ProcessRole;
    /**
     * Leave the background work (graph sync, extraction queue, start-up catch-up) to
     * services.startBackground(): server/main.ts calls it once the server listens.
     */
    deferBackground?: boolean;
  } = {},
): Promise<Services> {
  const config = loadConfig(env);
  const role = options.role ?? 'all';
  const runsRelay = role !== 'worker';
  const runsExtraction = role !== 'collab' && config.EXTRACTION_WORKER === '1';
  const opening = performance.now();
  const db = options.database ?? (await openDatabase(config));
  const opened = performance.now();
  await migrate(db);
  log.info({ openMs: Math.round(opened - opening), migrateMs: Math.round(performance.now() - opened) }, 'database ready');
  const local = await ensureLocalIdentity(db);
  // The relay's hot writes and its bus publishes leave its event loop (PostgreSQL only; PGlite lives in this thread).
  const writer =
    runsRelay && db.kind === 'postgres' && config.DATABASE_URL ? await openWriterThread(config.DATABASE_URL, { redisUrl: config.REDIS_URL }) : null;
  const bus = await openBus(config, LISTENS[role], writer ? (channel, message) => writer.publish(channel, message) : undefined);
  const limiter = openLimiter(config.REDIS_URL);
  const messageLimiter = new MessageLimiter(limiter, { user: config.RATE_LIMIT_WS_USER_PER_SECOND, tenant: config.RATE_LIMIT_WS_TENANT_PER_SECOND });
  // The worker hears of projected edits only through the bus.
  if (role === 'worker' && bus.kind !== 'redis') throw new Error('--role=worker needs REDIS_URL to hear the collaboration process');
  const neo4jDriver = config.NEO4J_URI ? openNeo4j(config.NEO4J_URI, config.NEO4J_USER, config.NEO4J_PASSWORD) : null;
  const updateLog = new UpdateLog(db, (error, attempt) => log.error({ err: error, attempt }, 'update log write failed; retrying'), {
    writer: writer ?? db,
  });
  const rooms = new RoomRegistry({
    db,
    writer: writer ?? db,
    bus,
    log,
    updateLog,
    projection: options.projection ?? { debounceMs: config.PROJECTION_DEBOUNCE_MS, maxWaitMs: config.PROJECTION_MAX_WAIT_MS },
    compactAfter: config.COMPACT_AFTER_UPDATES,
  });
  // Never blocks start-up: with Neo4j down, editing and extraction go on and the sync catches up.
  const graph = openGraphStoreLazily(config, db);
  // Background work yields to requests and the relay (Database.background()).
  // Its writes, too, on the idle view (PostgreSQL graph tables; Neo4j has its own driver).
  const graphSync = new GraphSync({ db: db.background('idle'), graph: config.NEO4J_URI ? graph : openGraphStoreLazily(config, db.background('idle')), bus, log });
  const extractor = chooseExtractor(config);
  const extraction = new ExtractionQueue({
    db: db.background(),
    bus,
    log,
    extractor,
    retryDelaySeconds: options.extraction?.retryDelaySeconds,
    retryLimit: options.extraction?.retryLimit,
    leaseSeconds: config.EXTRACTION_LEASE_SECONDS,
  });
  // What a killed process left undone (a graph outbox backlog, a document's extraction, edits not
  // yet projected) can keep the database busy for minutes. Awaited before listening, it kept a
  // server restarted after kill -9 mid-extraction from listening at all: the start-up sweep's
  // query waited behind the graph sync's statements on PGlite's one connection (issue 20).
  let background: Promise<void> | null = null;
  const runBackground = async () => {
    if (role !== 'collab') graphSync.start();
    if (runsExtraction) {
      // PGlite admits one process, so a job still 'running' in a data directory this process
      // opened was left by a dead one: take it over now rather than after its lease (30 s).
      if (db.kind === 'pglite' && !options.database) {
        await db.query(`UPDATE extraction_status SET lease_until = NULL WHERE state = 'running'`);
      }
      await extraction.start();
    }
    // Edits committed to the log but not yet projected when a previous process died.
    for (const { tenantId, documentId } of runsRelay ? await laggingDocuments(db) : []) {
      await rooms.reproject(tenantId, documentId).catch((error: unknown) => log.error({ err: error, documentId }, 'start-up re-projection failed'));
    }
  };
  let caughtUp = false;
  const startBackground = () => (background ??= runBackground().finally(() => (caughtUp = true)));
  const health = async () => {
    const checked = await checkHealth(db, bus, neo4jDriver, graphSync);
    const report = runsRelay ? { ...checked, updateLog: { pending: updateLog.pending, behindMs: updateLog.behindMs() } } : checked;
    if (!runsExtraction) return report;
    const { rows } = await db.query<{ pending: number }>(
      `SELECT count(*)::int AS pending FROM extraction_status WHERE state IN ('queued', 'running', 'retrying')`,
    ).catch(() => ({ rows: [] }));
    return { ...report, catchingUp: !caughtUp, ...(rows[0] ? { extraction: rows[0] } : {}) };
  };
  const services: Services = {
    config,
    db,
    bus,
    log,
    updateLog,
    rooms,
    extraction,
    graph,
    graphSync,
    neo4j: neo4jDriver,
    local,
    limiter,
    messageLimiter,
    health,
    startBackground,
    async close() {
      // Start-up catch-up still running finishes first (it writes through what closes below),
      // but a long one must not keep a stopping process alive: it is redone at the next start.
      await withTimeout(background ?? Promise.resolve(), 10_000).catch(() => {});
      await rooms.flushAll();
      if (runsExtraction) await extraction.stop();
      await graphSync.stop();
      await graph.close();
      if ('close' in extractor && typeof extractor.close === 'function') await extractor.close();
      await bus.close();
      await writer?.close(); // after everything that writes or publishes through it
      messageLimiter.close();
      await limiter.close();
      await neo4jDriver?.close();
      if (!options.database) await db.close();
      if (globalThis.__knowledgeOsServices === services) globalThis.__knowledgeOsServices = undefined;
    },
  };
  globalThis.__knowledgeOsServices = services;
  if (!options.deferBackground) await startBackground();
  return services;
}
