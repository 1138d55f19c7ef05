/** One room per document whatever the id's case, and presence that only its owner can change. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { connectClient, startTestServer, type TestServer } from '../support/collab';
import { waitFor } from '../support/waitFor';
import { awarenessMessage } from '../../server/collab/protocol';

describe('collaboration rooms', () => {
  let server: TestServer;
  let documentId: string;
  before(async () => {
    server = await startTestServer();
    documentId = await server.createDocument();
  });
  after(() => server.close());

  it('a client at /collab/<ID IN UPPER CASE> edits the same document as one at the lower-case id', async () => {
    const upper = connectClient(server.wsUrl, documentId.toUpperCase());
    const lower = connectClient(server.wsUrl, documentId);
    await Promise.all([upper.synced, lower.synced]);
    upper.doc.getText('t').insert(0, 'from upper ');
    lower.doc.getText('t').insert(0, 'from lower ');
    await waitFor(() => {
      assert.match(lower.doc.getText('t').toString(), /from upper/);
      assert.match(upper.doc.getText('t').toString(), /from lower/);
    });
    assert.equal(server.services.rooms.size, 1);
    upper.destroy();
    lower.destroy();
  });

  it("a client cannot rewrite another client's presence (name), only its own", async () => {
    const ada = connectClient(server.wsUrl, documentId);
    const mallory = connectClient(server.wsUrl, documentId);
    const watcher = connectClient(server.wsUrl, documentId);
    await Promise.all([ada.synced, mallory.synced, watcher.synced]);
    ada.provider.awareness.setLocalStateField('user', { name: 'Ada' });
    const nameOf = (clientId: number) => (watcher.provider.awareness.getStates().get(clientId)?.user as { name?: string } | undefined)?.name;
    await waitFor(() => assert.equal(nameOf(ada.doc.clientID), 'Ada'));

    // Mallory sends an awareness update carrying Ada's client id with a newer clock…
    const forged = new Y.Doc();
    forged.clientID = ada.doc.clientID;
    const forgedAwareness = new awarenessProtocol.Awareness(forged);
    for (let i = 0; i < 20; i++) forgedAwareness.setLocalStateField('user', { name: `Mallory ${i}` });
    mallory.provider.ws!.send(awarenessMessage(forgedAwareness, [ada.doc.clientID]));
    // …then changes her own presence, which arrives after the forged one.
    mallory.provider.awareness.setLocalStateField('user', { name: 'Mallory' });
    await waitFor(() => assert.equal(nameOf(mallory.doc.clientID), 'Mallory'));
    assert.equal(nameOf(ada.doc.clientID), 'Ada');
    forgedAwareness.destroy();
    for (const client of [ada, mallory, watcher]) client.destroy();
  });
});
