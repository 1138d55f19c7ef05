/** Wires the process's services in one place; see services.ts for how route handlers reach them. */
import { openDatabase, type Database } from './db/client';
import { migrate } from './db/migrate';
import { ensureLocalIdentity } from './db/repos/tenants';
import { openBus } from './bus';
import { log } from './log';
import { UpdateLog } from './persistence/updateLog';
import { RoomRegistry } from './collab/rooms';
import { loadConfig } from './config';
import { checkHealth, openNeo4j } from './health';
import { laggingDocuments, type ProjectionOptions } from './projection/blockProjection';
import type { Services } from './services';
import { ExtractionQueue } from './extraction/queue';
import { chooseExtractor } from './extraction/choose';
import { openGraphStoreLazily } from './graph/open';
import { GraphSync } from './graph/sync';

export async function startServices(
  env: NodeJS.ProcessEnv = process.env,
  options: { projection?: ProjectionOptions; database?: Database; extraction?: { retryDelaySeconds?: number; retryLimit?: number } } = {},
): Promise<Services> {
  const config = loadConfig(env);
  const db = options.database ?? (await openDatabase(config));
  await migrate(db);
  const local = await ensureLocalIdentity(db);
  const bus = await openBus(config);
  const neo4jDriver = config.NEO4J_URI ? openNeo4j(config.NEO4J_URI, config.NEO4J_USER, config.NEO4J_PASSWORD) : null;
  const updateLog = new UpdateLog(db, (error, attempt) =>
    log.error({ err: error, attempt }, 'update log write failed; retrying'),
  );
  const rooms = new RoomRegistry({
    db,
    bus,
    log,
    updateLog,
    projection: options.projection ?? { debounceMs: config.PROJECTION_DEBOUNCE_MS, maxWaitMs: config.PROJECTION_MAX_WAIT_MS },
    compactAfter: config.COMPACT_AFTER_UPDATES,
  });
  // Never blocks start-up: with Neo4j down, editing and extraction go on and the sync catches up.
  const graph = openGraphStoreLazily(config, db);
  const graphSync = new GraphSync({ db, graph, bus, log });
  graphSync.start();
  const extractor = chooseExtractor(config);
  const extraction = new ExtractionQueue({
    db,
    bus,
    log,
    extractor,
    retryDelaySeconds: options.extraction?.retryDelaySeconds,
    retryLimit: options.extraction?.retryLimit,
  });
  if (config.EXTRACTION_WORKER === '1') await extraction.start();
  // Edits committed to the log but not yet projected when a previous process died.
  for (const { tenantId, documentId } of await laggingDocuments(db)) {
    await rooms.reproject(tenantId, documentId).catch((error: unknown) => log.error({ err: error, documentId }, 'start-up re-projection failed'));
  }
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
    health: () => checkHealth(db, bus, neo4jDriver, graphSync),
    async close() {
      await rooms.flushAll();
      if (config.EXTRACTION_WORKER === '1') await extraction.stop();
      await graphSync.stop();
      await graph.close();
      if ('close' in extractor && typeof extractor.close === 'function') await extractor.close();
      await bus.close();
      await neo4jDriver?.close();
      if (!options.database) await db.close();
      if (globalThis.__knowledgeOsServices === services) globalThis.__knowledgeOsServices = undefined;
    },
  };
  globalThis.__knowledgeOsServices = services;
  return services;
}
