/**
 * Issue 21: document ids are canonical (lower-case UUIDs) at the REST boundary. A URL that spells
 * the id in upper case names the same document as the lower-case one: same answer, and what the
 * route does (flush the room, write an annotation, file it under a domain) happens to that document.
 * The page /d/<ID> redirects to the lower-case spelling, so the browser's room and calls use it too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { connectClient, startTestServer, type TestServer } from '../support/collab';
import { waitFor } from '../support/waitFor';
import { params, request } from '../support/http';
import { parseDocumentId } from '../../server/http/document';
import * as documentRoute from '../../app/api/documents/[id]/route';
import * as blocksRoute from '../../app/api/documents/[id]/blocks/route';
import * as knowledgeRoute from '../../app/api/documents/[id]/knowledge/route';
import * as annotationsRoute from '../../app/api/documents/[id]/annotations/route';
import DocumentPage from '../../app/d/[id]/page';
import { DomainRepository } from '../../server/db/repos/domains';
import { YDOC_FIELD } from '../../lib/blocks/types';

const TEXT = 'The withholding rate for Quebec is 10%.';

describe('document ids in REST URLs', () => {
  let server: TestServer;
  let id: string;
  let upper: string;
  let blockId: string;
  before(async () => {
    server = await startTestServer({ projection: { debounceMs: 10, maxWaitMs: 50 } });
    id = await server.createDocument();
    upper = id.toUpperCase();
    const client = connectClient(server.wsUrl, id);
    await client.synced;
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText(TEXT)]);
    client.doc.getXmlFragment(YDOC_FIELD).push([paragraph]);
    const blocks = await waitFor(async () => {
      const body = await (await blocksRoute.GET(get(`/api/documents/${id}/blocks`), params({ id }))).json();
      assert.equal(body.blocks.length, 1);
      return body.blocks;
    });
    blockId = blocks[0].id;
    client.destroy();
  });
  after(() => server.close());
  const get = (path: string) => request(path, { cookie: server.cookie });

  it('parses to the lower-case id; anything that is not a UUID is 404', () => {
    assert.equal(parseDocumentId(upper), id);
    assert.throws(() => parseDocumentId(`${id} `), { status: 404 });
  });

  it('the page of the upper-case id redirects to the lower-case one', async () => {
    await assert.rejects(DocumentPage({ params: Promise.resolve({ id: upper }) }), (error: unknown) => {
      const digest = error instanceof Error && 'digest' in error ? String(error.digest) : '';
      assert.match(digest, new RegExp(`^NEXT_REDIRECT;replace;/d/${id};307;`));
      return true;
    });
    await DocumentPage({ params: Promise.resolve({ id }) });
  });

  it('GET the document, its blocks and its knowledge by the upper-case id: the same answers', async () => {
    for (const [route, suffix] of [[documentRoute.GET, ''], [blocksRoute.GET, '/blocks'], [knowledgeRoute.GET, '/knowledge']] as const) {
      const byUpper = await route(get(`/api/documents/${upper}${suffix}`), params({ id: upper }));
      const byLower = await route(get(`/api/documents/${id}${suffix}`), params({ id }));
      assert.equal(byUpper.status, 200, `GET ${suffix || '/'}`);
      assert.deepEqual(await byUpper.json(), await byLower.json(), `GET ${suffix || '/'}`);
    }
    const { document } = await (await documentRoute.GET(get(`/api/documents/${upper}`), params({ id: upper }))).json();
    assert.equal(document.id, id, 'the answer names the canonical id');
  });

  it('PATCH and mark-as-atom by the upper-case id change that document', async () => {
    const domain = await DomainRepository.create(server.services.db, server.services.local.tenant.id, { name: 'Payroll', ownerId: server.services.local.user.id });
    assert.ok(domain, 'domain created');
    const patched = await documentRoute.PATCH(request(`/api/documents/${upper}`, { method: 'PATCH', cookie: server.cookie, body: { domainId: domain.id } }), params({ id: upper }));
    assert.equal(patched.status, 200);
    const { document } = await (await documentRoute.GET(get(`/api/documents/${id}`), params({ id }))).json();
    assert.equal(document.domainId, domain.id);

    const start = TEXT.indexOf('10%');
    const marked = await annotationsRoute.POST(
      request(`/api/documents/${upper}/annotations`, {
        cookie: server.cookie,
        body: { blockId, start, end: start + 3, quote: '10%', type: 'NumberAtom', name: 'Quebec rate' },
      }),
      params({ id: upper }),
    );
    assert.equal(marked.status, 201);
    const knowledge = await (await knowledgeRoute.GET(get(`/api/documents/${id}/knowledge`), params({ id }))).json();
    assert.ok(knowledge.annotations.some((annotation: { blockId: string }) => annotation.blockId === blockId), 'the annotation is on the document');
  });
});
