import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import { connectClient, startTestServer, type TestServer } from '../support/collab';
import { waitFor } from '../support/waitFor';
import { CloseCode } from '../../lib/collab/closeCodes';

/** Opens a raw websocket and resolves with the close code and reason it ends with. */
function rawSocket(url: string) {
  const socket = new WebSocket(url);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    socket.on('open', () => resolve());
    socket.on('error', reject);
  });
  // The server greets with SyncStep1 once the room is loaded: wait for it before misbehaving.
  const greeted = new Promise<void>((resolve) => socket.once('message', () => resolve()));
  return { socket, opened, closed, greeted };
}

describe('collaboration server: bad input', () => {
  let server: TestServer;
  let documentId: string;
  before(async () => {
    server = await startTestServer({ maxPayload: 64 * 1024 });
    documentId = await server.createDocument();
  });
  after(async () => {
    await server.close();
  });

  it('an unknown document closes with 4404 and a reason', async () => {
    const { closed } = rawSocket(`${server.wsUrl}/00000000-0000-4000-8000-000000000000`);
    const { code, reason } = await closed;
    assert.equal(code, CloseCode.DocumentNotFound);
    assert.match(reason, /does not exist/);
  });

  it('a document id that is not a uuid closes with 4404', async () => {
    const { closed } = rawSocket(`${server.wsUrl}/..%2F..%2Fetc%2Fpasswd`);
    assert.equal((await closed).code, CloseCode.DocumentNotFound);
  });

  for (const [name, bytes] of [
    ['malformed (unknown message type)', Uint8Array.from([42, 1, 2, 3])],
    ['truncated (length prefix longer than the payload)', Uint8Array.from([0, 2, 200, 1, 7])],
    ['an update that is not a Yjs update', Uint8Array.from([0, 2, 4, 255, 255, 255, 255])],
    ['empty', new Uint8Array(0)],
  ] as const) {
    it(`a ${name} message closes only that connection with 4400; others keep editing`, async () => {
      const healthy = connectClient(server.wsUrl, documentId);
      await healthy.synced;
      healthy.doc.getText('t').insert(0, 'kept ');
      const bad = rawSocket(`${server.wsUrl}/${documentId}`);
      await bad.greeted;
      bad.socket.send(bytes);
      const { code, reason } = await bad.closed;
      assert.equal(code, CloseCode.MalformedMessage);
      assert.match(reason, /could not read/);

      // The healthy client is still connected and its edits still flow and persist.
      healthy.doc.getText('t').insert(0, 'still ');
      const other = connectClient(server.wsUrl, documentId);
      await other.synced;
      await waitFor(() => assert.match(other.doc.getText('t').toString(), /still kept/));
      assert.equal(healthy.provider.wsconnected, true);
      healthy.destroy();
      other.destroy();
    });
  }

  it('a text frame closes with 4400', async () => {
    const bad = rawSocket(`${server.wsUrl}/${documentId}`);
    await bad.greeted;
    bad.socket.send('hello');
    assert.equal((await bad.closed).code, CloseCode.MalformedMessage);
  });

  it('an oversized message closes with 1009 and stores nothing of it', async () => {
    const bad = rawSocket(`${server.wsUrl}/${documentId}`);
    await bad.greeted;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarUint(encoder, 2);
    encoding.writeVarUint8Array(encoder, new Uint8Array(100 * 1024));
    bad.socket.send(encoding.toUint8Array(encoder));
    assert.equal((await bad.closed).code, CloseCode.MessageTooBig);

    const reader = connectClient(server.wsUrl, documentId);
    await reader.synced;
    await waitFor(() => assert.match(reader.doc.getText('t').toString(), /still kept/), { timeout: 2000 });
    reader.destroy();
  });
});
