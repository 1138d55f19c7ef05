/**
 * The process's one set of long-lived objects. The custom server creates it (server/start.ts);
 * Next route handlers, bundled separately, reach the same instance through globalThis. This
 * module imports types only, so route bundles never pull in the migrator or the drivers.
 */
import type { Driver } from 'neo4j-driver';
import type { Database } from './db/client';
import type { LocalUser, Tenant } from './db/repos/tenants';
import type { Bus } from './bus';
import type { Logger } from './log';
import type { UpdateLog } from './persistence/updateLog';
import type { RoomRegistry } from './collab/rooms';
import type { Config } from './config';
import type { HealthReport } from './health';
import type { ExtractionQueue } from './extraction/queue';
import type { GraphStore } from './graph/types';
import type { GraphSync } from './graph/sync';
import type { MessageLimiter, RateLimiter } from './rateLimit';

export interface Services {
  config: Config;
  db: Database;
  bus: Bus;
  log: Logger;
  updateLog: UpdateLog;
  rooms: RoomRegistry;
  extraction: ExtractionQueue;
  /** The knowledge graph: Neo4j when NEO4J_URI is set, else tables in the main database. */
  graph: GraphStore;
  /** Drains the graph outbox into `graph`; status() says how far behind the graph is. */
  graphSync: GraphSync;
  neo4j: Driver | null;
  local: { tenant: Tenant; user: LocalUser };
  /** Request rate limits (Redis when REDIS_URL is set) and the websocket messages' share of them. */
  limiter: RateLimiter;
  messageLimiter: MessageLimiter;
  health(): Promise<HealthReport>;
  /**
   * Starts the graph sync, the extraction queue and the catch-up on what a previous process left
   * undone (once; later calls return the same promise, which settles when the catch-up is done).
   */
  startBackground(): Promise<void>;
  close(): Promise<void>;
}

declare global {
  var __knowledgeOsServices: Services | undefined;
}

export function services(): Services {
  const current = globalThis.__knowledgeOsServices;
  if (!current) throw new Error('Knowledge OS services are not started: run the app with `npm run dev` (server/main.ts).');
  return current;
}
