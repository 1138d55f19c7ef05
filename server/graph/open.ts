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
