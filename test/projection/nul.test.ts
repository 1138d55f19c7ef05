/**
 * Issue 21: text PostgreSQL cannot store (U+0000 in jsonb and text, lone surrogates in jsonb)
 * stopped a document's projection for good ("unsupported Unicode escape sequence"). The
 * projection now stores U+FFFD in place of each such code unit (so offsets into the text stay
 * right); the paragraphs after it reach `blocks`, and a document that already holds one recovers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { connectClient, startTestServer, type TestServer } from '../support/collab';
import { waitFor } from '../support/waitFor';
import { BlockRepository } from '../../server/db/repos/blocks';
import { DocumentRepository } from '../../server/db/repos/documents';
import { plainText, YDOC_FIELD } from '../../lib/blocks/types';
import { storableJson, storableText } from '../../lib/util/storableText';

function paragraph(text: string, attributes?: Record<string, unknown>) {
  const el = new Y.XmlElement('paragraph');
  const content = new Y.XmlText();
  content.insert(0, text, attributes);
  el.insert(0, [content]);
  return el;
}

describe('storable text', () => {
  it('replaces NUL and lone surrogates with U+FFFD, one for one; keeps pairs and everything else', () => {
    assert.equal(storableText('a\u0000b\u0000'), 'a\uFFFDb\uFFFD');
    assert.equal(storableText('x\uD800y'), 'x\uFFFDy');
    assert.equal(storableText('x\uDC00'), 'x\uFFFD');
    assert.equal(storableText('\uDC00\uD800'), '\uFFFD\uFFFD');
    assert.equal(storableText('emoji 😀 \u0001 ok'), 'emoji 😀 \u0001 ok');
    const plain = 'nothing to do';
    assert.equal(storableText(plain), plain);
  });

  it('reaches strings at any depth, keys included', () => {
    assert.deepEqual(storableJson({ 'k\u0000': ['a\u0000', { b: 'c\uD800' }, 1, true, null] }), { 'k\uFFFD': ['a\uFFFD', { b: 'c\uFFFD' }, 1, true, null] });
  });
});

describe('blocks projection: text PostgreSQL rejects', () => {
  let server: TestServer;
  const clients: Array<ReturnType<typeof connectClient>> = [];
  before(async () => {
    server = await startTestServer({ projection: { debounceMs: 20, maxWaitMs: 200 } });
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await server.close();
  });
  const connect = (documentId: string) => {
    const client = connectClient(server.wsUrl, documentId);
    clients.push(client);
    return client;
  };
  const texts = async (documentId: string) =>
    (await BlockRepository.listByDocument(server.services.db, server.services.local.tenant.id, documentId)).map((row) => plainText(row.content));

  it('a paragraph with a NUL, then later ones: all reach blocks, the first with U+FFFD for its NUL', async () => {
    const documentId = await server.createDocument();
    const client = connect(documentId);
    await client.synced;
    const fragment = client.doc.getXmlFragment(YDOC_FIELD);
    fragment.push([paragraph('before\u0000after')]);
    // A run of its own, so the NUL is in the rows the later runs diff against.
    await new Promise((resolve) => setTimeout(resolve, 400));
    fragment.push([paragraph('bo\u0000ld', { bold: true })]);
    const image = new Y.XmlElement('image');
    image.setAttribute('src', '/api/files/x\u0000y');
    fragment.push([image]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    fragment.push([paragraph('The fee is 7%.'), paragraph('Half a pair: \uD83D.')]);

    await waitFor(async () => assert.deepEqual(await texts(documentId), ['before\uFFFDafter', 'bo\uFFFDld', '', 'The fee is 7%.', 'Half a pair: \uFFFD.']), { timeout: 10_000 });
    const rows = await BlockRepository.listByDocument(server.services.db, server.services.local.tenant.id, documentId);
    assert.equal(rows[2].content.src, '/api/files/x\uFFFDy');
    const document = await DocumentRepository.find(server.services.db, server.services.local.tenant.id, documentId);
    assert.equal(document?.title, 'before\uFFFDafter');
  });

  it('a document whose saved state already holds a NUL is projected on its next edit', async () => {
    const documentId = await server.createDocument();
    // Saved as a client sent it before this fix, with no row projected from it.
    const before = new Y.Doc();
    before.getXmlFragment(YDOC_FIELD).push([paragraph('old\u0000text')]);
    await server.services.updateLog.append(server.services.local.tenant.id, documentId, Y.encodeStateAsUpdate(before));
    before.destroy();

    const client = connect(documentId);
    await client.synced;
    assert.equal(client.doc.getXmlFragment(YDOC_FIELD).length, 1, 'the room loaded the saved paragraph');
    client.doc.getXmlFragment(YDOC_FIELD).push([paragraph('new text')]);
    await waitFor(async () => assert.deepEqual(await texts(documentId), ['old\uFFFDtext', 'new text']), { timeout: 10_000 });
  });
});
