/**
 * Issue 21: /api/health is public, and carried error texts (the graph sync's last error, a
 * store's connection error) and backlog counts. Without a session it now says only ok/degraded
 * per store; a member of any organisation gets the details as before. Both places that serve it:
 * the route handler (one process) and server/main.ts itself (`--role=collab`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/collab';
import { request } from '../support/http';
import { createDocumentBeforeStart, freshServerEnvironment, spawnServer, type ServerProcess } from '../support/process';
import * as healthRoute from '../../app/api/health/route';

describe('/api/health', () => {
  let server: TestServer;
  before(async () => {
    // A Neo4j that is not there: the graph store is down with a connection error text.
    server = await startTestServer({ env: { NEO4J_URI: 'bolt://127.0.0.1:1' } });
  });
  after(() => server.close());

  it('without a session: ok or degraded per store, nothing else', async () => {
    for (const cookie of [undefined, 'kos_session=made-up']) {
      const response = await healthRoute.GET(request('/api/health', { cookie }));
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), {
        status: 'degraded',
        stores: [
          { store: 'database', status: 'ok' },
          { store: 'cache', status: 'ok' },
          { store: 'graph', status: 'down' },
        ],
      });
    }
  });

  it('with a member session: every detail, error texts included', async () => {
    const response = await healthRoute.GET(request('/api/health', { cookie: server.cookie }));
    assert.equal(response.status, 503);
    const report = await response.json();
    const graph = report.stores.find((store: { store: string }) => store.store === 'graph');
    assert.equal(graph.kind, 'neo4j');
    assert.equal(typeof graph.error, 'string');
    assert.ok(graph.error.length > 0, 'the connection error is reported');
    assert.equal(typeof report.graphSync?.pending, 'number', 'the graph backlog is reported');
    assert.ok(report.stores.every((store: { store: string; latencyMs?: number; status: string }) => store.status === 'down' || typeof store.latencyMs === 'number'));
  });
});

describe('/api/health of a --role=collab process (server/main.ts)', () => {
  let server: ServerProcess;
  let cookie: string;
  let cleanup: () => Promise<void> = async () => {};
  before(async () => {
    const fresh = await freshServerEnvironment();
    cleanup = fresh.cleanup;
    ({ cookie } = await createDocumentBeforeStart(fresh.env));
    server = await spawnServer(fresh.env, 'collab');
  });
  after(async () => {
    await server?.kill();
    await cleanup();
  });

  it('says ok per store without a session, and everything with one', async () => {
    const anonymous = await fetch(`${server.url}/api/health`);
    assert.equal(anonymous.status, 200);
    assert.deepEqual(await anonymous.json(), {
      status: 'ok',
      stores: [
        { store: 'database', status: 'ok' },
        { store: 'cache', status: 'ok' },
        { store: 'graph', status: 'ok' },
      ],
    });
    const member = await (await fetch(`${server.url}/api/health`, { headers: { cookie } })).json();
    assert.equal(member.status, 'ok');
    assert.equal(typeof member.stores[0].kind, 'string');
    assert.equal(typeof member.graphSync?.pending, 'number');
  });
});
