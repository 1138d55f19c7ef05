import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkHealth, openNeo4j } from '../server/health';
import { inProcessBus, redisBus } from '../server/bus';
import { openTestDatabase } from './support/db';

const NEO4J_URI = process.env.TEST_NEO4J_URI ?? 'bolt://127.0.0.1:7687';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('health', () => {
  it('reports the real PostgreSQL/PGlite, Redis and Neo4j as ok', async () => {
    const { db, dispose, kind } = await openTestDatabase();
    const bus = await redisBus(REDIS_URL);
    const neo4j = openNeo4j(NEO4J_URI, 'neo4j', 'neo4j-password');
    const report = await checkHealth(db, bus, neo4j);
    assert.deepEqual(
      report.stores.map((s) => [s.store, s.kind, s.status]),
      [
        ['database', kind === 'postgres' ? 'postgresql' : 'pglite', 'ok'],
        ['cache', 'redis', 'ok'],
        ['graph', 'neo4j', 'ok'],
      ],
    );
    assert.equal(report.status, 'ok');
    await neo4j.close();
    await bus.close();
    await dispose();
  });

  it('reports a store that is down, with its error, as degraded', async () => {
    const { db, dispose } = await openTestDatabase();
    const neo4j = openNeo4j('bolt://127.0.0.1:1', 'neo4j', 'x');
    const report = await checkHealth(db, inProcessBus(), neo4j);
    const graph = report.stores.find((s) => s.store === 'graph');
    assert.equal(report.status, 'degraded');
    assert.equal(graph?.status, 'down');
    assert.ok(graph?.error);
    assert.equal(report.stores.find((s) => s.store === 'database')?.status, 'ok');
    await neo4j.close();
    await dispose();
  });
});
