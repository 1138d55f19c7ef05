import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { connectClient, startTestServer, type TestServer } from '../support/collab';
import { waitFor } from '../support/waitFor';
import { BlockRepository } from '../../server/db/repos/blocks';
import { DocumentRepository } from '../../server/db/repos/documents';
import type { BusEvent } from '../../server/bus';
import { plainText, YDOC_FIELD } from '../../lib/blocks/types';

function paragraph(text: string, id?: string) {
  const el = new Y.XmlElement('paragraph');
  if (id) el.setAttribute('id', id);
  el.insert(0, [new Y.XmlText(text)]);
  return el;
}

describe('blocks projection through the collaboration server', () => {
  let server: TestServer;
  const events: BusEvent[] = [];
  before(async () => {
    server = await startTestServer({ projection: { debounceMs: 20, maxWaitMs: 200 } });
    server.services.bus.subscribe((event) => events.push(event));
  });
  // Clients a failed test left connected would keep reconnecting and hold the test process open.
  const clients: Array<ReturnType<typeof connectClient>> = [];
  const connect = (documentId: string) => {
    const client = connectClient(server.wsUrl, documentId);
    clients.push(client);
    return client;
  };
  after(async () => {
    for (const client of clients) client.destroy();
    await server.close();
  });

  const rows = (documentId: string) => BlockRepository.listByDocument(server.services.db, server.services.local.tenant.id, documentId);

  it('blocks without an id get one from the server, seen by every client and kept in the rows', async () => {
    const documentId = await server.createDocument();
    const alice = connect(documentId);
    const bob = connect(documentId);
    await Promise.all([alice.synced, bob.synced]);
    alice.doc.getXmlFragment(YDOC_FIELD).push([paragraph('no id yet'), paragraph('nor this')]);

    const stored = await waitFor(async () => {
      const result = await rows(documentId);
      assert.equal(result.length, 2);
      return result;
    });
    await waitFor(() => {
      const ids = bob.doc.getXmlFragment(YDOC_FIELD).toArray().map((el) => (el as Y.XmlElement).getAttribute('id'));
      assert.deepEqual(ids, stored.map((row) => row.id));
    });
    // Published once the rows are written: it may follow them by a moment.
    await waitFor(() => {
      const event = events.find((e) => e.type === 'blocks.changed' && e.documentId === documentId);
      assert.ok(event?.type === 'blocks.changed' && event.changed.length === 2, 'blocks.changed lists the written blocks');
    });
    alice.destroy();
    bob.destroy();
  });

  it('a block pasted with an id that another document owns gets a fresh id; the other document is untouched', async () => {
    const first = await server.createDocument();
    const second = await server.createDocument();
    const owned = crypto.randomUUID();
    const a = connect(first);
    await a.synced;
    a.doc.getXmlFragment(YDOC_FIELD).push([paragraph('original', owned)]);
    await waitFor(async () => assert.equal((await rows(first)).length, 1));

    const b = connect(second);
    await b.synced;
    b.doc.getXmlFragment(YDOC_FIELD).push([paragraph('pasted copy', owned)]);
    const copy = await waitFor(async () => {
      const result = await rows(second);
      assert.equal(result.length, 1);
      return result[0];
    });
    assert.notEqual(copy.id, owned);
    assert.equal(plainText(copy.content), 'pasted copy');
    const original = await rows(first);
    assert.deepEqual(original.map((row) => [row.id, plainText(row.content)]), [[owned, 'original']]);
    a.destroy();
    b.destroy();
  });

  it('the title follows the first heading, and rows appear within a second of the last keystroke', async () => {
    const documentId = await server.createDocument();
    const client = connect(documentId);
    await client.synced;
    const heading = new Y.XmlElement('heading');
    heading.setAttribute('id', crypto.randomUUID());
    heading.setAttribute('level', 2 as never);
    const textNode = new Y.XmlText('');
    heading.insert(0, [textNode]);
    client.doc.getXmlFragment(YDOC_FIELD).push([heading]);
    for (const char of 'Quebec rules') textNode.insert(textNode.length, char);
    const typedAt = Date.now();
    await waitFor(async () => {
      const document = await DocumentRepository.find(server.services.db, server.services.local.tenant.id, documentId);
      assert.equal(document?.title, 'Quebec rules');
      const result = await rows(documentId);
      assert.equal(result[0]?.blockType, 'heading_2');
    }, { timeout: 1000 });
    assert.ok(Date.now() - typedAt < 1000);
    client.destroy();
  });

  it('an edited document moves to the top of the list; while typing goes on its row is touched at most every 5 s', async () => {
    const { db, local } = server.services;
    const tenantId = local.tenant.id;
    const older = await server.createDocument();
    const client = connect(older);
    await client.synced;
    const text = new Y.XmlText('Title stays');
    const body = new Y.XmlText('');
    const first = new Y.XmlElement('paragraph');
    first.setAttribute('id', crypto.randomUUID());
    first.insert(0, [text]);
    const second = new Y.XmlElement('paragraph');
    second.setAttribute('id', crypto.randomUUID());
    second.insert(0, [body]);
    client.doc.getXmlFragment(YDOC_FIELD).push([first, second]);
    await waitFor(async () => assert.equal((await rows(older)).length, 2));
    // Both documents last edited a minute ago, the other one later.
    const newer = await server.createDocument();
    await db.query(`UPDATE documents SET updated_at = NOW() - make_interval(secs => $2) WHERE id = $1`, [older, 70]);
    await db.query(`UPDATE documents SET updated_at = NOW() - make_interval(secs => $2) WHERE id = $1`, [newer, 60]);
    const order = async () => (await DocumentRepository.list(db, tenantId)).map((d) => d.id).filter((id) => id === older || id === newer);
    assert.deepEqual(await order(), [newer, older]);

    body.insert(0, 'The rate is 10%.'); // the title does not change
    await waitFor(async () => assert.deepEqual(await order(), [older, newer]), { timeout: 2000 });
    const touched = (await DocumentRepository.find(db, tenantId, older))?.updatedAt;
    body.insert(body.length, ' Then 12%.');
    await waitFor(async () => assert.match(plainText((await rows(older))[1].content), /12%/));
    assert.deepEqual((await DocumentRepository.find(db, tenantId, older))?.updatedAt, touched, 'the next run within 5 s leaves the row');
    text.insert(text.length, ' now');
    await waitFor(async () => assert.equal((await DocumentRepository.find(db, tenantId, older))?.title, 'Title stays now'));
    client.destroy();
  });

  it('deleting blocks deletes their rows, children included', async () => {
    const documentId = await server.createDocument();
    const client = connect(documentId);
    await client.synced;
    const list = new Y.XmlElement('bulletList');
    const item = new Y.XmlElement('listItem');
    item.setAttribute('id', crypto.randomUUID());
    const nested = new Y.XmlElement('bulletList');
    const child = new Y.XmlElement('listItem');
    child.setAttribute('id', crypto.randomUUID());
    child.insert(0, [paragraph('child')]);
    nested.insert(0, [child]);
    item.insert(0, [paragraph('parent'), nested]);
    list.insert(0, [item]);
    const fragment = client.doc.getXmlFragment(YDOC_FIELD);
    fragment.push([list, paragraph('stays', crypto.randomUUID())]);
    await waitFor(async () => assert.equal((await rows(documentId)).length, 3));
    fragment.delete(0, 1);
    await waitFor(async () => assert.deepEqual((await rows(documentId)).map((r) => plainText(r.content)), ['stays']));
    client.destroy();
  });
});
