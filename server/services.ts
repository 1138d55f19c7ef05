/**
 * The process's one set of long-lived objects, wired in one place. The custom server creates
 * it; Next route handlers (bundled separately) reach the same instance through globalThis.
 */
import type { Driver } from 'neo4j-driver';
import { openDatabase, type Database } from './db/client';
import { migrate } from './db/migrate';
import { ensureLocalIdentity, type LocalUser, type Tenant } from './db/repos/tenants';
import { openBus, type Bus } from './bus';
import { log, type Logger } from './log';
import { UpdateLog } from './persistence/updateLog';
import { RoomRegistry } from './collab/rooms';
import { loadConfig, type Config } from './config';
import { checkHealth, openNeo4j, type HealthReport } from './health';
import type { ProjectionOptions } from './projection/blockProjection';

export interface Services {
  config: Config;
  db: Database;
  bus: Bus;
  log: Logger;
  updateLog: UpdateLog;
  rooms: RoomRegistry;
  neo4j: Driver | null;
  local: { tenant: Tenant; user: LocalUser };
  health(): Promise<HealthReport>;
  close(): Promise<void>;
}

declare global {
  var __knowledgeOsServices: Services | undefined;
}

export async function startServices(
  env: NodeJS.ProcessEnv = process.env,
  options: { projection?: ProjectionOptions; database?: Database } = {},
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
    projection: options.projection,
    compactAfter: config.COMPACT_AFTER_UPDATES,
  });
  const services: Services = {
    config,
    db,
    bus,
    log,
    updateLog,
    rooms,
    neo4j: neo4jDriver,
    local,
    health: () => checkHealth(db, bus, neo4jDriver),
    async close() {
      await rooms.flushAll();
      await bus.close();
      await neo4jDriver?.close();
      if (!options.database) await db.close();
      if (globalThis.__knowledgeOsServices === services) globalThis.__knowledgeOsServices = undefined;
    },
  };
  globalThis.__knowledgeOsServices = services;
  return services;
}

export function services(): Services {
  const current = globalThis.__knowledgeOsServices;
  if (!current) throw new Error('Knowledge OS services are not started: run the app with `npm run dev` (server/main.ts).');
  return current;
}
