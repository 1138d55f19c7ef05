/** Chooses the graph store: Neo4j when NEO4J_URI is set, else the tables in the main database. */
import neo4j from 'neo4j-driver';
import type { Database } from '../db/client';
import { createNeo4jGraphStore } from './neo4jStore';
import { createPgGraphStore } from './pgStore';
import type { GraphStore } from './types';

export interface GraphEnv {
  NEO4J_URI?: string;
  NEO4J_USER?: string;
  NEO4J_PASSWORD?: string;
}

/** The Neo4j store owns its driver (closed by close()); the PostgreSQL store borrows `db`. */
export async function openGraphStore(env: GraphEnv, db: Database): Promise<GraphStore> {
  if (!env.NEO4J_URI) return createPgGraphStore(db);
  const driver = neo4j.driver(env.NEO4J_URI, neo4j.auth.basic(env.NEO4J_USER ?? 'neo4j', env.NEO4J_PASSWORD ?? 'neo4j'), {
    connectionTimeout: 2000,
    maxConnectionPoolSize: 20,
    // Transient errors are retried this long; a query's own budget is its transaction timeout.
    maxTransactionRetryTime: 5000,
  });
  try {
    // Fails within the connection timeout instead of retrying the schema for half a minute.
    await driver.verifyConnectivity();
    return await createNeo4jGraphStore(driver);
  } catch (error) {
    await driver.close();
    throw error;
  }
}

/**
 * Like openGraphStore, but never fails: with Neo4j down at start-up the process starts anyway.
 * Every call first (re)tries to open the store and fails while it cannot; the sync worker's
 * back-off retries until Neo4j answers, then catches up from the outbox.
 */
export function openGraphStoreLazily(env: GraphEnv, db: Database): GraphStore {
  if (!env.NEO4J_URI) return createPgGraphStore(db);
  let opening: Promise<GraphStore> | null = null;
  let closed = false;
  const store = () => {
    if (closed) return Promise.reject(new Error('the graph store is closed'));
    opening ??= openGraphStore(env, db).catch((error: unknown) => {
      opening = null;
      throw error;
    });
    return opening;
  };
  // Connect early; a failure here is retried by the next call.
  store().catch(() => {});
  return {
    kind: 'neo4j',
    upsertNodes: async (...args) => (await store()).upsertNodes(...args),
    deleteNodes: async (...args) => (await store()).deleteNodes(...args),
    upsertEdges: async (...args) => (await store()).upsertEdges(...args),
    replaceEdges: async (...args) => (await store()).replaceEdges(...args),
    impact: async (...args) => (await store()).impact(...args),
    dependencies: async (...args) => (await store()).dependencies(...args),
    cycles: async (...args) => (await store()).cycles(...args),
    shortestPath: async (...args) => (await store()).shortestPath(...args),
    related: async (...args) => (await store()).related(...args),
    conflicts: async (...args) => (await store()).conflicts(...args),
    counts: async (...args) => (await store()).counts(...args),
    node: async (...args) => (await store()).node(...args),
    edgesFrom: async (...args) => (await store()).edgesFrom(...args),
    listNodes: async (...args) => (await store()).listNodes(...args),
    clearTenant: async (...args) => (await store()).clearTenant(...args),
    health: async () => (await store()).health(),
    async close() {
      closed = true;
      const open = await opening?.catch(() => null);
      await open?.close();
    },
  };
}
