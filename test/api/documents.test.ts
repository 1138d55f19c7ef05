import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { startTestServer, connectClient, type TestServer } from '../support/collab';
import { waitFor } from '../support/waitFor';
import { request } from '../support/http';
import * as documentsRoute from '../../app/api/documents/route';
import * as documentRoute from '../../app/api/documents/[id]/route';
import * as blocksRoute from '../../app/api/documents/[id]/blocks/route';
import * as healthRoute from '../../app/api/health/route';
import * as meRoute from '../../app/api/me/route';

let cookie = '';
const post = (body: string) => request('/api/documents', { method: 'POST', body, cookie });
const params = (id: string) => ({ params: Promise.resolve({ id }) });
const get = (path: string) => request(path, { cookie });

describe('documents API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ projection: { debounceMs: 10, maxWaitMs: 50 } });
    cookie = server.cookie;
  });
  after(async () => {
    await server.close();
  });

  it('creates a document and lists it first', async () => {
    const created = await documentsRoute.POST(post(JSON.stringify({ title: 'Quebec withholding' })));
    assert.equal(created.status, 201);
    const { document } = await created.json();
    assert.equal(document.title, 'Quebec withholding');
    assert.equal(document.tenantId, undefined, 'tenant ids never leave the server');
    const listed = await (await documentsRoute.GET(get('/api/documents'))).json();
    assert.equal(listed.documents[0].id, document.id);
  });

  it('an empty body creates an untitled document', async () => {
    const response = await documentsRoute.POST(post(''));
    assert.equal(response.status, 201);
    assert.equal((await response.json()).document.title, null);
  });

  for (const [name, body] of [
    ['malformed JSON', '{"title": '],
    ['a title that is not a string', JSON.stringify({ title: 42 })],
    ['an unknown field', JSON.stringify({ title: 'x', tenantId: '00000000-0000-4000-8000-000000000000' })],
    ['a title over 500 characters', JSON.stringify({ title: 'x'.repeat(501) })],
  ]) {
    it(`${name} gets 400 with a JSON message and creates nothing`, async () => {
      const before = (await (await documentsRoute.GET(get('/api/documents'))).json()).documents.length;
      const response = await documentsRoute.POST(post(body));
      assert.equal(response.status, 400);
      const { error } = await response.json();
      assert.equal(error.code, 'bad_request');
      assert.ok(error.message.length > 10);
      const afterCount = (await (await documentsRoute.GET(get('/api/documents'))).json()).documents.length;
      assert.equal(afterCount, before);
    });
  }

  it('an oversized body gets 413', async () => {
    const response = await documentsRoute.POST(post(JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024) })));
    assert.equal(response.status, 413);
  });

  it('an unknown or malformed document id gets 404', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' OR '1'='1"]) {
      const response = await documentRoute.GET(get(`/api/documents/${id}`), params(id));
      assert.equal(response.status, 404);
      assert.equal((await response.json()).error.code, 'not_found');
      assert.equal((await blocksRoute.GET(get(`/api/documents/${id}/blocks`), params(id))).status, 404);
    }
  });

  it('blocks typed through the collaboration server are served in order, and the title follows', async () => {
    const id = await server.createDocument();
    const client = connectClient(server.wsUrl, id);
    await client.synced;
    const fragment = client.doc.getXmlFragment('default');
    client.doc.transact(() => {
      for (const [name, text, attrs] of [
        ['heading', 'Withholding rules', { level: 1 }],
        ['paragraph', 'The rate is 10%.', {}],
      ] as const) {
        const el = new Y.XmlElement(name);
        el.setAttribute('id', crypto.randomUUID());
        for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value as never);
        el.insert(0, [new Y.XmlText(text)]);
        fragment.push([el]);
      }
    });
    const blocks = await waitFor(async () => {
      const body = await (await blocksRoute.GET(get(`/api/documents/${id}/blocks`), params(id))).json();
      assert.equal(body.blocks.length, 2);
      return body.blocks;
    });
    assert.deepEqual(blocks.map((b: { blockType: string }) => b.blockType), ['heading_1', 'paragraph']);
    const { document } = await (await documentRoute.GET(get(`/api/documents/${id}`), params(id))).json();
    assert.equal(document.title, 'Withholding rules');
    client.destroy();
  });

  it('health reports every store', async () => {
    const response = await healthRoute.GET(get('/api/health'));
    const report = await response.json();
    assert.equal(response.status, 200);
    assert.deepEqual(report.stores.map((s: { store: string }) => s.store), ['database', 'cache', 'graph']);
    assert.ok(report.stores.every((s: { status: string }) => s.status === 'ok'));
  });

  it('me returns the local user and tenant', async () => {
    const body = await (await meRoute.GET(get('/api/me'))).json();
    assert.equal(body.user.name, 'Local user');
    assert.equal(body.tenant.name, 'Local workspace');
  });
});
