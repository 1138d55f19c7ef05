/** One status per store (seed 004: a health endpoint reports every store). */
import neo4j, { type Driver } from 'neo4j-driver';
import type { Database } from './db/client';
import type { Bus } from './bus';
import type { GraphSyncStatus } from './graph/sync';
import { resolveSession } from './auth/accounts';
import { readCookie, SESSION_COOKIE } from './http/cookies';
import { withTimeout } from '../lib/util/withTimeout';

export interface StoreStatus {
  store: 'database' | 'cache' | 'graph';
  kind: string;
  status: 'ok' | 'down';
  latencyMs?: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  stores: StoreStatus[];
  /** How far the graph is behind PostgreSQL (outbox rows not yet synced). */
  graphSync?: GraphSyncStatus;
  /** Processes that run the extraction queue: documents queued, running or waiting for a retry. */
  extraction?: { pending: number };
  /** Processes that relay edits: relayed updates not yet committed to the update log, and how long the oldest has waited. */
  updateLog?: { pending: number; behindMs: number };
  /** The start-up catch-up on a previous process's unfinished work is still running. */
  catchingUp?: boolean;
}

async function probe(store: StoreStatus['store'], kind: string, check: () => Promise<unknown>): Promise<StoreStatus> {
  const started = performance.now();
  try {
    await withTimeout(check(), 2000);
    return { store, kind, status: 'ok', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { store, kind, status: 'down', error: error instanceof Error ? error.message : String(error) };
  }
}

export function openNeo4j(uri: string, user: string, password: string): Driver {
  return neo4j.driver(uri, neo4j.auth.basic(user, password), { connectionTimeout: 2000, maxConnectionPoolSize: 20 });
}

export async function checkHealth(db: Database, bus: Bus, neo4jDriver: Driver | null,
  graphSync?: { status(): Promise<GraphSyncStatus> }): Promise<HealthReport> {
  const stores = await Promise.all([
    probe('database', db.kind === 'postgres' ? 'postgresql' : 'pglite', () => db.query('SELECT 1')),
    probe('cache', bus.kind === 'redis' ? 'redis' : 'in-process', () => bus.ping()),
    neo4jDriver
      ? probe('graph', 'neo4j', () => neo4jDriver.verifyConnectivity())
      : probe('graph', 'postgres-graph', () => db.query('SELECT 1')),
  ]);
  const sync = await graphSync?.status().catch(() => undefined);
  return { status: stores.every((s) => s.status === 'ok') ? 'ok' : 'degraded', stores, ...(sync ? { graphSync: sync } : {}) };
}

/** What /api/health tells a caller without a session: ok or degraded, and up or down per store. */
export interface PublicHealthReport {
  status: HealthReport['status'];
  stores: Array<Pick<StoreStatus, 'store' | 'status'>>;
}

/**
 * The report as the caller may see it. /api/health is public (load balancers and monitors probe
 * it without signing in), so without a member's session it keeps to what a probe needs: error
 * texts (a store's connection error, the graph sync's last error), store kinds, latencies and
 * backlog counts tell an outsider about the deployment and its load, and go only to members of
 * an organisation. When the session cannot be read (the database is down) the caller gets the
 * public view.
 */
export async function healthFor(db: Database, cookieHeader: string | null | undefined, report: HealthReport): Promise<HealthReport | PublicHealthReport> {
  const token = readCookie(cookieHeader, SESSION_COOKIE);
  const session = token ? await resolveSession(db, token).catch(() => null) : null;
  if (session?.membership) return report;
  return { status: report.status, stores: report.stores.map(({ store, status }) => ({ store, status })) };
}
