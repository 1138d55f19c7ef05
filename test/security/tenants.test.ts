/**
 * Tenant isolation through the API and the websocket: tenant A's admin, with a valid session,
 * asks for tenant B's documents, blocks, knowledge, atoms, graph nodes, members and rooms by
 * id and by search. Every answer is the one an unknown id gets (404, same body; 4404 on the
 * websocket), search finds nothing of B's, and B's rows are unchanged afterwards.
 * On the postgres run the graph lives in the real Neo4j; on the pglite run in PostgreSQL tables.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { connectClient, startTestServer, type TestClient, type TestServer } from '../support/collab';
import { testDbKind } from '../support/db';
import { cookieFrom, params, request, statusAndBody } from '../support/http';
import { waitFor } from '../support/waitFor';
import { CloseCode } from '../../lib/collab/closeCodes';
import { YDOC_FIELD } from '../../lib/blocks/types';
import type { DocumentKnowledgeDto } from '../../lib/knowledge/dto';
import * as signupRoute from '../../app/api/auth/signup/route';
import * as documentsRoute from '../../app/api/documents/route';
import * as documentRoute from '../../app/api/documents/[id]/route';
import * as blocksRoute from '../../app/api/documents/[id]/blocks/route';
import * as knowledgeRoute from '../../app/api/documents/[id]/knowledge/route';
import * as annotationsRoute from '../../app/api/documents/[id]/annotations/route';
import * as eventsRoute from '../../app/api/documents/[id]/events/route';
import * as atomRoute from '../../app/api/atoms/[id]/route';
import * as atomStateRoute from '../../app/api/atoms/[id]/state/route';
import * as atomReviewRoute from '../../app/api/atoms/[id]/review/route';
import * as impactRoute from '../../app/api/graph/impact/route';
import * as dependenciesRoute from '../../app/api/graph/dependencies/route';
import * as pathRoute from '../../app/api/graph/path/route';
import * as relatedRoute from '../../app/api/graph/related/route';
import * as conflictsRoute from '../../app/api/graph/conflicts/route';
import * as searchRoute from '../../app/api/search/route';
import * as membersRoute from '../../app/api/members/route';
import * as memberRoute from '../../app/api/members/[id]/route';
import * as invitesRoute from '../../app/api/invites/route';
import * as currentOrganisationRoute from '../../app/api/organisations/current/route';
import * as auditRoute from '../../app/api/audit/route';
import * as domainsRoute from '../../app/api/domains/route';
import * as productViewRoute from '../../app/api/views/product/route';
import * as codeRefsRoute from '../../app/api/molecules/[id]/code-refs/route';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const SENTENCE = 'In Quebec, the withholding rate is 10% for amounts over $5,000, effective January 1, 2026.';
const NEO4J = { NEO4J_URI: process.env.TEST_NEO4J_URI ?? 'bolt://127.0.0.1:7687', NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'neo4j-password' };

type Handler = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;
type QueryHandler = (request: Request) => Promise<Response>;

interface Org {
  cookie: string;
  documentId: string;
  blockId: string;
  domainId: string;
  atomId: string;
  otherAtomId: string;
  moleculeId: string;
  memberId: string;
  title: string;
  atomName: string;
}

async function signUp(email: string, organisation: string): Promise<string> {
  const response = await signupRoute.POST(
    request('/api/auth/signup', { body: { email, name: email.split('@')[0], password: 'correct horse battery', organisation } }),
  );
  assert.equal(response.status, 201, await response.clone().text());
  const cookie = cookieFrom(response);
  assert.ok(cookie, 'sign-up sets the session cookie');
  return cookie;
}

async function ok(response: Response, status = 200): Promise<unknown> {
  const body: unknown = await response.json();
  assert.equal(response.status, status, JSON.stringify(body));
  return body;
}

function addParagraph(doc: Y.Doc, text: string): string {
  const id = randomUUID();
  const element = new Y.XmlElement('paragraph');
  element.setAttribute('id', id);
  element.insert(0, [new Y.XmlText(text)]);
  const fragment = doc.getXmlFragment(YDOC_FIELD);
  fragment.insert(fragment.length, [element]);
  return id;
}

/** An organisation with a domain, a document typed over the websocket, extracted knowledge and a manual atom. */
async function populate(server: TestServer, label: string): Promise<Org & { client: TestClient }> {
  const cookie = await signUp(`${label.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`, `${label} Corp`);
  const title = `${label} secret payroll`;
  const atomName = `${label} confidential rate`;
  const { domain } = (await ok(await domainsRoute.POST(request('/api/domains', { body: { name: `${label} compliance` }, cookie })), 201)) as { domain: { id: string } };
  const { document } = (await ok(await documentsRoute.POST(request('/api/documents', { body: { title, domainId: domain.id }, cookie })), 201)) as { document: { id: string } };
  const client = connectClient(server.wsUrl, document.id, { cookie });
  await client.synced;
  const blockId = addParagraph(client.doc, SENTENCE);
  const knowledge = await waitFor(async () => {
    const k = (await ok(await knowledgeRoute.GET(request(`/api/documents/${document.id}/knowledge`, { cookie }), params({ id: document.id })))) as DocumentKnowledgeDto;
    assert.equal(k.status.state, 'idle');
    assert.ok(k.molecules.length > 0 && k.atoms.length > 1, 'extracted atoms and a molecule');
    return k;
  }, { timeout: 15_000, interval: 50 });
  const start = SENTENCE.indexOf('Quebec');
  const marked = (await ok(
    await annotationsRoute.POST(
      request(`/api/documents/${document.id}/annotations`, {
        body: { blockId, start, end: start + 'Quebec'.length, quote: 'Quebec', type: 'TextAtom', name: atomName },
        cookie,
      }),
      params({ id: document.id }),
    ),
    201,
  )) as { atom: { id: string } };
  const { members } = (await ok(await membersRoute.GET(request('/api/members', { cookie })))) as { members: Array<{ id: string }> };
  const molecule = knowledge.molecules[0];
  await ok(await codeRefsRoute.POST(request(`/api/molecules/${molecule.id}/code-refs`, { body: { ref: `src/${label}.ts` }, cookie }), params({ id: molecule.id })), 201);
  return {
    client,
    cookie,
    title,
    atomName,
    documentId: document.id,
    blockId,
    domainId: domain.id,
    atomId: marked.atom.id,
    otherAtomId: molecule.atoms[0].atomId,
    moleculeId: molecule.id,
    memberId: members[0].id,
  };
}

describe("tenant A cannot reach tenant B's data", { timeout: 120_000 }, () => {
  let server: TestServer;
  let a: Org & { client: TestClient };
  let b: Org & { client: TestClient };
  let snapshotOfB = '';

  /** Everything of B's an attack could change, read as the owner. */
  async function snapshot(): Promise<string> {
    const { db } = server.services;
    const tenant = (await db.query<{ tenantId: string }>('SELECT tenant_id AS "tenantId" FROM documents WHERE id = $1', [b.documentId])).rows[0].tenantId;
    const read = async (sql: string) => (await db.query(sql, [tenant])).rows;
    return JSON.stringify({
      documents: await read('SELECT id, title, domain_id, updated_at, in_trash FROM documents WHERE tenant_id = $1 ORDER BY id'),
      blocks: await read('SELECT id, content, updated_at FROM blocks WHERE tenant_id = $1 ORDER BY id'),
      atoms: await read('SELECT id, canonical, name, review_status, deleted_at FROM atoms WHERE tenant_id = $1 ORDER BY id'),
      annotations: await read('SELECT id, knowledge_id, start_offset, end_offset FROM annotations WHERE tenant_id = $1 ORDER BY id'),
      users: await read('SELECT id, persona, is_admin FROM users WHERE tenant_id = $1 ORDER BY id'),
      invites: await read('SELECT id FROM invites WHERE tenant_id = $1 ORDER BY id'),
      domains: await read('SELECT id, name FROM domains WHERE tenant_id = $1 ORDER BY id'),
      codeRefs: await read('SELECT id, ref FROM molecule_code_refs WHERE tenant_id = $1 ORDER BY id'),
    });
  }

  /** A's answer for B's id is exactly A's answer for an id that exists nowhere. */
  async function sameAsUnknown(call: (id: string) => Promise<Response>, id: string, status = 404): Promise<void> {
    const foreign = await statusAndBody(await call(id));
    const unknown = await statusAndBody(await call(UNKNOWN));
    assert.equal(foreign.status, status, JSON.stringify(foreign.body));
    assert.deepEqual(foreign, unknown);
    assert.equal(JSON.stringify(foreign.body).includes(id), false, 'the answer does not echo the id');
  }

  const byId = (handler: Handler, path: string, init: { method?: string; body?: unknown } = {}) => (id: string) =>
    handler(request(path.replace(':id', id), { ...init, cookie: a.cookie }), params({ id }));
  const byQuery = (handler: QueryHandler, query: (id: string) => string) => (id: string) =>
    handler(request(`/api/x?${query(id)}`, { cookie: a.cookie }));

  before(async () => {
    server = await startTestServer({ auth: true, projection: { debounceMs: 10, maxWaitMs: 50 }, env: testDbKind() === 'postgres' ? NEO4J : {} });
    a = await populate(server, 'Alpha');
    b = await populate(server, 'Bravo');
    // B's atom is in the graph, so a 404 for A comes from the tenant filter, not from a lagging sync.
    await waitFor(async () => {
      await ok(await impactRoute.GET(request(`/api/graph/impact?node=${b.otherAtomId}`, { cookie: b.cookie })));
      await ok(await impactRoute.GET(request(`/api/graph/impact?node=${b.atomId}`, { cookie: b.cookie })));
      await ok(await dependenciesRoute.GET(request(`/api/graph/dependencies?molecule=${b.moleculeId}`, { cookie: b.cookie })));
    }, { timeout: 20_000, interval: 100 });
    snapshotOfB = await snapshot();
  });
  after(async () => {
    a?.client.destroy();
    b?.client.destroy();
    await server?.close();
  });

  it("B's document, its blocks, knowledge and events are 404 for A, like an unknown id", async () => {
    await sameAsUnknown(byId(documentRoute.GET, '/api/documents/:id'), b.documentId);
    await sameAsUnknown(byId(blocksRoute.GET, '/api/documents/:id/blocks'), b.documentId);
    await sameAsUnknown(byId(knowledgeRoute.GET, '/api/documents/:id/knowledge'), b.documentId);
    await sameAsUnknown(byId(eventsRoute.GET, '/api/documents/:id/events'), b.documentId);
    assert.equal(await snapshot(), snapshotOfB);
  });

  it("filing B's document under a domain is 404 for A, and the document keeps its domain", async () => {
    await sameAsUnknown(byId(documentRoute.PATCH, '/api/documents/:id', { method: 'PATCH', body: { domainId: null } }), b.documentId);
    await sameAsUnknown(byId(documentRoute.PATCH, '/api/documents/:id', { method: 'PATCH', body: { domainId: a.domainId } }), b.documentId);
    assert.equal(await snapshot(), snapshotOfB);
  });

  it("filing A's own document under B's domain is 404 like an unknown domain", async () => {
    await sameAsUnknown(
      (domainId) => documentRoute.PATCH(request(`/api/documents/${a.documentId}`, { method: 'PATCH', body: { domainId }, cookie: a.cookie }), params({ id: a.documentId })),
      b.domainId,
    );
    const { document } = (await ok(await documentRoute.GET(request(`/api/documents/${a.documentId}`, { cookie: a.cookie }), params({ id: a.documentId })))) as { document: { domainId: string } };
    assert.equal(document.domainId, a.domainId);
  });

  it("marking text of B's block as an atom is 404 for A and creates nothing", async () => {
    const start = SENTENCE.indexOf('10%');
    const body = { blockId: b.blockId, start, end: start + 3, quote: '10%', type: 'NumberAtom', name: 'stolen' };
    await sameAsUnknown(byId(annotationsRoute.POST, '/api/documents/:id/annotations', { method: 'POST', body }), b.documentId);
    // B's block inside A's document: the block is not found there either.
    const response = await annotationsRoute.POST(
      request(`/api/documents/${a.documentId}/annotations`, { body, cookie: a.cookie }),
      params({ id: a.documentId }),
    );
    assert.equal(response.status, 404);
    assert.equal(await snapshot(), snapshotOfB);
  });

  it("B's atoms, their state and their review are 404 for A", async () => {
    await sameAsUnknown(byId(atomRoute.GET, '/api/atoms/:id'), b.atomId);
    await sameAsUnknown(byId(atomRoute.GET, '/api/atoms/:id'), b.otherAtomId);
    const at = new Date().toISOString();
    await sameAsUnknown((id) => atomStateRoute.GET(request(`/api/atoms/${id}/state?at=${encodeURIComponent(at)}`, { cookie: a.cookie }), params({ id })), b.atomId);
    await sameAsUnknown(byId(atomReviewRoute.POST, '/api/atoms/:id/review', { method: 'POST', body: { decision: 'rejected' } }), b.atomId);
    assert.equal(await snapshot(), snapshotOfB);
  });

  it("B's graph nodes are 404 for A in impact, dependencies, path, related and conflicts", async () => {
    await sameAsUnknown(byQuery(impactRoute.GET, (id) => `node=${id}`), b.atomId);
    await sameAsUnknown(byQuery(impactRoute.GET, (id) => `node=${id}`), b.otherAtomId);
    await sameAsUnknown(byQuery(impactRoute.GET, (id) => `node=${id}`), b.moleculeId);
    await sameAsUnknown(byQuery(dependenciesRoute.GET, (id) => `molecule=${id}`), b.moleculeId);
    await sameAsUnknown(byQuery(relatedRoute.GET, (id) => `atom=${id}`), b.otherAtomId);
    await sameAsUnknown(byQuery(conflictsRoute.GET, (id) => `document=${id}`), b.documentId);
    await sameAsUnknown(byQuery(pathRoute.GET, (id) => `from=${id}&to=${b.otherAtomId}`), b.atomId);
    // One end of A's own, the other B's: still no path and no hint that B's node exists.
    await sameAsUnknown(byQuery(pathRoute.GET, (id) => `from=${a.otherAtomId}&to=${id}`), b.otherAtomId);
    // Upper-case ids are accepted by the schema; they must not slip past the tenant filter.
    await sameAsUnknown(byQuery(impactRoute.GET, (id) => `node=${id.toUpperCase()}`), b.otherAtomId);
  });

  it("linking or unlinking code on B's rule is 404 for A, and B's code references stay", async () => {
    await sameAsUnknown(byId(codeRefsRoute.POST, '/api/molecules/:id/code-refs', { method: 'POST', body: { ref: 'src/planted.ts' } }), b.moleculeId);
    await sameAsUnknown(byId(codeRefsRoute.DELETE, '/api/molecules/:id/code-refs', { method: 'DELETE', body: { ref: 'src/Bravo.ts' } }), b.moleculeId);
    assert.equal(await snapshot(), snapshotOfB);
  });

  it("search finds none of B's titles, atom names or values for A", async () => {
    for (const q of [b.title, b.atomName, 'Bravo', 'Quebec', '10%']) {
      const result = (await ok(await searchRoute.GET(request(`/api/search?q=${encodeURIComponent(q)}`, { cookie: a.cookie })))) as {
        documents: Array<{ id: string }>;
        atoms: Array<{ id: string; documentId: string | null }>;
      };
      assert.equal(result.documents.some((d) => d.id === b.documentId), false, `no B document for "${q}"`);
      assert.equal(result.atoms.some((x) => x.documentId === b.documentId || x.id === b.atomId || x.id === b.otherAtomId), false, `no B atom for "${q}"`);
    }
    // A's own document and atom are found, so the search itself works.
    const own = (await ok(await searchRoute.GET(request(`/api/search?q=Quebec`, { cookie: a.cookie })))) as { documents: Array<{ id: string }>; atoms: Array<{ id: string }> };
    assert.deepEqual(own.documents.map((d) => d.id), [a.documentId]);
    assert.ok(own.atoms.some((x) => x.id === a.atomId), "A's own atom is found");
  });

  it("lists (documents, domains, members, product view) show none of B's rows to A", async () => {
    const documents = (await ok(await documentsRoute.GET(request('/api/documents', { cookie: a.cookie })))) as { documents: Array<{ id: string }> };
    assert.deepEqual(documents.documents.map((d) => d.id), [a.documentId]);
    const domains = (await ok(await domainsRoute.GET(request('/api/domains', { cookie: a.cookie })))) as { domains: Array<{ id: string }> };
    assert.deepEqual(domains.domains.map((d) => d.id), [a.domainId]);
    const members = (await ok(await membersRoute.GET(request('/api/members', { cookie: a.cookie })))) as { members: Array<{ id: string }> };
    assert.deepEqual(members.members.map((m) => m.id), [a.memberId]);
    const view = JSON.stringify(await ok(await productViewRoute.GET(request('/api/views/product', { cookie: a.cookie }))));
    for (const id of [b.documentId, b.atomId, b.otherAtomId, b.moleculeId, b.domainId]) assert.equal(view.includes(id), false, `product view has no ${id}`);
    assert.equal(view.includes('Bravo'), false, 'product view names nothing of B');
  });

  it("changing B's member's persona is 404 for A (an admin of A), and B's member keeps it", async () => {
    await sameAsUnknown(byId(memberRoute.PATCH, '/api/members/:id', { method: 'PATCH', body: { persona: 'developer', isAdmin: false } }), b.memberId);
    assert.equal(await snapshot(), snapshotOfB);
  });

  it("A cannot invite into B or switch the session to B's organisation", async () => {
    const tenantOfB = (await server.services.db.query<{ tenantId: string }>('SELECT tenant_id AS "tenantId" FROM documents WHERE id = $1', [b.documentId])).rows[0].tenantId;
    // The organisation comes from the session; a tenantId in the body is refused, not obeyed.
    const invite = await invitesRoute.POST(request('/api/invites', { body: { persona: 'domain_expert', tenantId: tenantOfB }, cookie: a.cookie }));
    assert.equal(invite.status, 400);
    await sameAsUnknown(
      (tenantId) => currentOrganisationRoute.PUT(request('/api/organisations/current', { method: 'PUT', body: { tenantId }, cookie: a.cookie })),
      tenantOfB,
    );
    const documents = (await ok(await documentsRoute.GET(request('/api/documents', { cookie: a.cookie })))) as { documents: Array<{ id: string }> };
    assert.deepEqual(documents.documents.map((d) => d.id), [a.documentId], 'the session still works in A');
    assert.equal(await snapshot(), snapshotOfB);
  });

  it("the audit log shows A nothing of B's, even filtered by B's ids", async () => {
    for (const query of [`resourceId=${b.documentId}`, `resourceId=${b.atomId}`, `userId=${b.memberId}`, '']) {
      const { entries } = (await ok(await auditRoute.GET(request(`/api/audit?${query}`, { cookie: a.cookie })))) as { entries: Array<{ resourceId: string; userId: string | null }> };
      if (query) assert.deepEqual(entries, [], `no entries for ${query}`);
      else assert.ok(entries.length > 0 && entries.every((e) => e.userId === a.memberId), "A's own entries only");
    }
  });

  it("B's websocket room closes with 4404 for A, exactly like an unknown document, and nothing of B's arrives", async () => {
    const open = (id: string) =>
      new Promise<{ code: number; reason: string; messages: number }>((resolve) => {
        const socket = new WebSocket(`${server.wsUrl}/${id}`, { headers: { cookie: a.cookie } });
        let messages = 0;
        socket.on('message', () => (messages += 1));
        socket.on('close', (code, reason) => resolve({ code, reason: reason.toString(), messages }));
      });
    const foreign = await open(b.documentId);
    assert.equal(foreign.code, CloseCode.DocumentNotFound);
    assert.equal(foreign.messages, 0, 'no sync message from B\'s room');
    assert.deepEqual(foreign, await open(UNKNOWN));
    assert.equal(await snapshot(), snapshotOfB);
  });
});
