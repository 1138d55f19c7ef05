import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import neo4j from 'neo4j-driver';
import { createNeo4jGraphStore, ensureSchema } from '../../server/graph/neo4jStore';
import { openGraphStore } from '../../server/graph/open';
import { openTestDatabase } from '../support/db';
import { graphStoreContract } from './contract';

// A missing server fails these tests, never skips them.
const NEO4J_URI = process.env.TEST_NEO4J_URI ?? 'bolt://127.0.0.1:7687';

const openDriver = () => neo4j.driver(NEO4J_URI, neo4j.auth.basic('neo4j', 'neo4j-password'), {
  connectionTimeout: 2000,
  maxTransactionRetryTime: 5000,
});

// The database is shared with other suites: fresh random tenants, and only they are cleared.
graphStoreContract(`Neo4j (${NEO4J_URI})`, async () => {
  const store = await createNeo4jGraphStore(openDriver());
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  return {
    store,
    tenantA,
    tenantB,
    async cleanup() {
      await store.clearTenant(tenantA);
      await store.clearTenant(tenantB);
      await store.close();
    },
  };
});

describe('Neo4j graph schema and store choice', () => {
  it('ensureSchema is idempotent, also when several processes run it at once', async () => {
    const driver = openDriver();
    try {
      await Promise.all([ensureSchema(driver), ensureSchema(driver), ensureSchema(driver)]);
      const { records } = await driver.executeQuery(
        `SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties WHERE name STARTS WITH 'graph_' RETURN labelsOrTypes[0] AS label, properties`,
      );
      const constraints = records.map((record) => [record.get('label'), record.get('properties')]).sort();
      assert.deepEqual(constraints, ['Atom', 'Block', 'Document', 'Domain', 'GraphNode', 'Molecule'].map((label) => [label, ['tenantId', 'id']]));
    } finally {
      await driver.close();
    }
  });

  it('openGraphStore picks Neo4j when NEO4J_URI is set and the PostgreSQL tables otherwise', async () => {
    const { db, dispose } = await openTestDatabase();
    try {
      const graph = await openGraphStore({ NEO4J_URI, NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'neo4j-password' }, db);
      assert.equal(graph.kind, 'neo4j');
      await graph.health();
      await graph.close();
      const embedded = await openGraphStore({}, db);
      assert.equal(embedded.kind, 'postgres');
      await embedded.health();
      const started = performance.now();
      await assert.rejects(openGraphStore({ NEO4J_URI: 'bolt://127.0.0.1:1' }, db), /ECONNREFUSED/, 'fails with the cause');
      assert.ok(performance.now() - started < 10_000, 'fails fast when Neo4j is unreachable');
    } finally {
      await dispose();
    }
  });
});
