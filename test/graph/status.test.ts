/** GET /api/graph/status: the panels' "the graph is behind" comes from the outbox the sync drains. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/collab';
import { request } from '../support/http';

let cookie = '';
import { waitFor } from '../support/waitFor';
import * as statusRoute from '../../app/api/graph/status/route';
import type { GraphSyncStatusDto } from '../../lib/graph/dto';

async function status(): Promise<GraphSyncStatusDto> {
  const response = await statusRoute.GET(request('/api/graph/status', { cookie }));
  assert.equal(response.status, 200);
  return (await response.json()) as GraphSyncStatusDto;
}

describe('graph sync status', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    cookie = server.cookie;
  });
  after(async () => {
    await server.close();
  });

  it('counts changes not yet in the graph, and drops to zero once the sync has applied them', async () => {
    await waitFor(async () => assert.equal((await status()).pending, 0, 'start-up changes synced'), { timeout: 10_000, interval: 50 });
    await server.services.graphSync.stop();
    await server.createDocument('Withholding');
    await server.createDocument('Billing');
    const behind = await status();
    assert.equal(behind.pending, 2, 'two documents wait for the graph');
    assert.equal(behind.unreachable, false);
    server.services.graphSync.start();
    await waitFor(async () => assert.equal((await status()).pending, 0, 'the graph caught up'), { timeout: 10_000, interval: 50 });
  });
});
