import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { connectClient, startTestServer, type TestServer } from '../support/collab';
import { waitFor } from '../support/waitFor';
import { YDOC_FIELD } from '../../lib/blocks/types';

function paragraph(doc: Y.Doc, text: string, id: string) {
  const el = new Y.XmlElement('paragraph');
  el.setAttribute('id', id);
  el.insert(0, [new Y.XmlText(text)]);
  doc.getXmlFragment(YDOC_FIELD).push([el]);
}

describe('collaboration server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ projection: { debounceMs: 20, maxWaitMs: 100 } });
  });
  after(async () => {
    await server.close();
  });

  it('three clients editing the same document converge to the same content', async () => {
    const documentId = await server.createDocument();
    const clients = [0, 1, 2].map(() => connectClient(server.wsUrl, documentId));
    await Promise.all(clients.map((client) => client.synced));

    // Deterministic pseudo-random concurrent edits, seed printed on failure.
    const seed = Number(process.env.SEED ?? Date.now() % 100000);
    let state = seed;
    const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let round = 0; round < 60; round++) {
      const client = clients[Math.floor(random() * clients.length)];
      const text = client.doc.getText('plain');
      const position = Math.floor(random() * (text.length + 1));
      if (random() < 0.7 || text.length === 0) text.insert(position, String.fromCharCode(97 + Math.floor(random() * 26)));
      else text.delete(Math.min(position, text.length - 1), 1);
    }
    paragraph(clients[0].doc, 'from client zero', crypto.randomUUID());
    paragraph(clients[2].doc, 'from client two', crypto.randomUUID());

    await waitFor(() => {
      const [a, b, c] = clients.map((client) => client.doc.getText('plain').toString());
      assert.equal(a, b, `seed ${seed}`);
      assert.equal(b, c, `seed ${seed}`);
      const xml = clients.map((client) => client.doc.getXmlFragment(YDOC_FIELD).toString());
      assert.equal(xml[0], xml[1]);
      assert.equal(xml[1], xml[2]);
      assert.match(xml[0], /from client zero/);
      assert.match(xml[0], /from client two/);
    });

    // A late joiner loads the same state from the server.
    const late = connectClient(server.wsUrl, documentId);
    await late.synced;
    await waitFor(() => assert.equal(late.doc.getText('plain').toString(), clients[0].doc.getText('plain').toString()));
    for (const client of [...clients, late]) client.destroy();
  });

  it('sees the other clients’ awareness (name, colour, cursor)', async () => {
    const documentId = await server.createDocument();
    const alice = connectClient(server.wsUrl, documentId);
    const bob = connectClient(server.wsUrl, documentId);
    await Promise.all([alice.synced, bob.synced]);
    alice.provider.awareness.setLocalStateField('user', { name: 'Alice', color: '#f00' });
    await waitFor(() => {
      const names = [...bob.provider.awareness.getStates().values()].map((state) => state.user?.name);
      assert.ok(names.includes('Alice'));
    });
    alice.destroy();
    await waitFor(() => {
      const names = [...bob.provider.awareness.getStates().values()].map((state) => state.user?.name);
      assert.ok(!names.includes('Alice'), 'Alice disappears when she disconnects');
    });
    bob.destroy();
  });
});
