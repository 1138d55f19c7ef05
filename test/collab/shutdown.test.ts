import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { connectClient, startTestServer, type TestClient, type TestServer } from '../support/collab';
import { waitFor } from '../support/waitFor';
import { BlockRepository } from '../../server/db/repos/blocks';
import { plainText, YDOC_FIELD } from '../../lib/blocks/types';
import { CloseCode } from '../../lib/collab/closeCodes';

function paragraph(text: string) {
  const el = new Y.XmlElement('paragraph');
  el.insert(0, [new Y.XmlText(text)]);
  return el;
}

/** The close code the client's connection ended with. */
function closeCode(client: TestClient): Promise<number> {
  return new Promise((resolve) => client.provider.once('connection-close', (event) => resolve(event?.code ?? 0)));
}

describe('collaboration server shutdown', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server.close();
  });

  it('closes every connection with 4503 and returns only once every room has unloaded, its edits stored and its log compacted', async () => {
    // Compacting on unload makes unloading slow enough to overlap a close that does not wait.
    server = await startTestServer({ projection: { debounceMs: 50, maxWaitMs: 200 }, env: { COMPACT_AFTER_UPDATES: '1' } });
    const first = await server.createDocument();
    const second = await server.createDocument();
    const a = connectClient(server.wsUrl, first);
    const b = connectClient(server.wsUrl, first);
    const c = connectClient(server.wsUrl, second);
    clients.push(a, b, c);
    await Promise.all(clients.map((client) => client.synced));
    const codes = Promise.all(clients.map(closeCode));
    a.doc.getXmlFragment(YDOC_FIELD).push([paragraph('typed by a')]);
    c.doc.getXmlFragment(YDOC_FIELD).push([paragraph('typed by c')]);
    // The server has the edits once b sees a's.
    await waitFor(() => assert.equal(b.doc.getXmlFragment(YDOC_FIELD).length, 1, 'b sees the paragraph of a'));
    await waitFor(() => assert.equal(server.services.rooms.size, 2, 'both rooms are open'));
    c.provider.shouldConnect = false; // so that c does not reconnect before the last assertion
    a.provider.shouldConnect = false;
    b.provider.shouldConnect = false;

    await server.collab.close();
    assert.equal(server.services.rooms.size, 0, 'no room is left open');
    assert.equal(server.services.updateLog.pending, 0, 'no update waits for the log');
    assert.deepEqual(await codes, [CloseCode.ShuttingDown, CloseCode.ShuttingDown, CloseCode.ShuttingDown]);
    const text = async (documentId: string) =>
      (await BlockRepository.listByDocument(server.services.db, server.services.local.tenant.id, documentId)).map((row) => plainText(row.content));
    assert.deepEqual(await text(first), ['typed by a']);
    assert.deepEqual(await text(second), ['typed by c']);
    const log = await server.services.db.query<{ updates: number; snapshots: number }>(
      `SELECT (SELECT count(*)::int FROM yjs_updates WHERE document_id = ANY($1::uuid[])) AS updates,
              (SELECT count(*)::int FROM yjs_snapshots WHERE document_id = ANY($1::uuid[])) AS snapshots`,
      [[first, second]],
    );
    assert.deepEqual(log.rows[0], { updates: 0, snapshots: 2 }, 'each room compacted its log as it unloaded');
  });

  it('a connection still being opened when shutdown begins is closed too, and its room unloaded', async () => {
    server = await startTestServer();
    const documentId = await server.createDocument();
    const client = connectClient(server.wsUrl, documentId);
    clients.push(client);
    const code = closeCode(client);
    await waitFor(() => assert.equal(server.collab.connectionCount, 1, 'the upgrade is accepted'));
    client.provider.shouldConnect = false;
    await server.collab.close();
    assert.equal(await code, CloseCode.ShuttingDown);
    assert.equal(server.services.rooms.size, 0);
  });

  it('refuses new connections with 503 once shutdown has begun', async () => {
    server = await startTestServer();
    const documentId = await server.createDocument();
    const closing = server.collab.close();
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${server.wsUrl}/${documentId}`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('a connection was accepted during shutdown')));
      ws.on('error', () => {});
    });
    await closing;
    assert.equal(status, 503);
  });
});
