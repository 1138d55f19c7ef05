/**
 * Attacks on sessions, CSRF, input and personas, through the route handlers and the websocket
 * as a browser (or an attacker's script) would send them. Each test asserts what the attacker
 * sees (status, error code, close code) and that nothing changed in the database.
 * On the postgres run the graph lives in the real Neo4j (Cypher injection reaches it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { connectClient, startTestServer, type TestClient, type TestServer } from '../support/collab';
import { testDbKind } from '../support/db';
import { cookieFrom, params, request, statusAndBody, type RequestInit as RequestOptions } from '../support/http';
import { waitFor } from '../support/waitFor';
import { CloseCode } from '../../lib/collab/closeCodes';
import { YDOC_FIELD } from '../../lib/blocks/types';
import { blockText } from '../../lib/blocks/text';
import type { DocumentKnowledgeDto } from '../../lib/knowledge/dto';
import { readMessage, syncStep1, updateMessage } from '../../server/collab/protocol';
import { SESSION_COOKIE } from '../../server/http/cookies';
import * as signupRoute from '../../app/api/auth/signup/route';
import * as signinRoute from '../../app/api/auth/signin/route';
import * as signoutRoute from '../../app/api/auth/signout/route';
import * as meRoute from '../../app/api/me/route';
import * as organisationsRoute from '../../app/api/organisations/route';
import * as documentsRoute from '../../app/api/documents/route';
import * as documentRoute from '../../app/api/documents/[id]/route';
import * as blocksRoute from '../../app/api/documents/[id]/blocks/route';
import * as knowledgeRoute from '../../app/api/documents/[id]/knowledge/route';
import * as annotationsRoute from '../../app/api/documents/[id]/annotations/route';
import * as atomStateRoute from '../../app/api/atoms/[id]/state/route';
import * as atomReviewRoute from '../../app/api/atoms/[id]/review/route';
import * as impactRoute from '../../app/api/graph/impact/route';
import * as dependenciesRoute from '../../app/api/graph/dependencies/route';
import * as pathRoute from '../../app/api/graph/path/route';
import * as relatedRoute from '../../app/api/graph/related/route';
import * as conflictsRoute from '../../app/api/graph/conflicts/route';
import * as searchRoute from '../../app/api/search/route';
import * as invitesRoute from '../../app/api/invites/route';
import * as inviteRoute from '../../app/api/invites/[token]/route';
import * as memberRoute from '../../app/api/members/[id]/route';
import * as auditRoute from '../../app/api/audit/route';
import * as domainsRoute from '../../app/api/domains/route';

const PASSWORD = 'correct horse battery';
const SENTENCE = 'In Quebec, the withholding rate is 10% for amounts over $5,000, effective January 1, 2026.';
const NEO4J = { NEO4J_URI: process.env.TEST_NEO4J_URI ?? 'bolt://127.0.0.1:7687', NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'neo4j-password' };
const SQL_INJECTION = "' OR 1=1 --";
const CYPHER_INJECTION = "x'}) MATCH (n) DETACH DELETE n //";
const INJECTIONS = [SQL_INJECTION, CYPHER_INJECTION, "'; DROP TABLE documents; --", 'x" OR "1"="1', '%_\\'];

type Handler = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;

const email = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;
const errorOf = (body: unknown) => (body as { error: { code: string; message: string } }).error;

async function expectStatus(response: Response, status: number, code?: string): Promise<unknown> {
  const body: unknown = await response.json();
  assert.equal(response.status, status, JSON.stringify(body));
  if (code) assert.equal(errorOf(body).code, code);
  return body;
}

async function signUp(address: string, organisation?: string, headers?: Record<string, string>): Promise<string> {
  const response = await signupRoute.POST(request('/api/auth/signup', { body: { email: address, name: 'Someone', password: PASSWORD, organisation }, headers }));
  await expectStatus(response, 201);
  const cookie = cookieFrom(response);
  assert.ok(cookie, 'sign-up sets the session cookie');
  return cookie;
}

function addParagraph(doc: Y.Doc, text: string): { id: string; text: Y.XmlText } {
  const id = randomUUID();
  const element = new Y.XmlElement('paragraph');
  element.setAttribute('id', id);
  const node = new Y.XmlText(text);
  element.insert(0, [node]);
  const fragment = doc.getXmlFragment(YDOC_FIELD);
  fragment.insert(fragment.length, [element]);
  return { id, text: node };
}

/** A raw websocket with a cookie: its close code and reason, and every message it received. */
function rawSocket(url: string, cookie?: string) {
  const socket = new WebSocket(url, { headers: cookie ? { cookie } : {} });
  const messages: Uint8Array[] = [];
  socket.on('message', (data: Buffer) => messages.push(new Uint8Array(data)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return { socket, messages, closed };
}

describe('sessions, CSRF, injection, personas and audit', { timeout: 180_000 }, () => {
  let server: TestServer;
  let expert: string;
  let developer: string;
  let nonAdminExpert: string;
  let documentId: string;
  let client: TestClient;
  let block: { id: string; text: Y.XmlText };
  let knowledge: DocumentKnowledgeDto;

  const db = () => server.services.db;
  const count = async (table: string) => Number((await db().query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  /** Row counts of every table an attack could write to. */
  const counts = async () => {
    const tables = ['accounts', 'sessions', 'tenants', 'users', 'invites', 'documents', 'blocks', 'domains', 'atoms', 'annotations', 'molecule_metadata', 'audit_log', 'yjs_updates'];
    return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(t)] as const)));
  };
  const call = (handler: Handler, path: string, init: RequestOptions = {}, id = documentId) => handler(request(path, init), params({ id }));

  async function invite(persona: 'domain_expert' | 'developer' | 'product_owner', isAdmin = false): Promise<string> {
    const body = (await expectStatus(await invitesRoute.POST(request('/api/invites', { body: { persona, isAdmin }, cookie: expert })), 201)) as { url: string };
    const token = body.url.split('/invite/')[1];
    assert.ok(token, 'the invite link carries a token');
    return token;
  }
  async function join(persona: 'domain_expert' | 'developer' | 'product_owner'): Promise<string> {
    const token = await invite(persona);
    const cookie = await signUp(email(persona));
    await expectStatus(await inviteRoute.POST(request(`/api/invites/${token}`, { method: 'POST', cookie }), { params: Promise.resolve({ token }) }), 200);
    return cookie;
  }

  before(async () => {
    server = await startTestServer({ auth: true, projection: { debounceMs: 10, maxWaitMs: 50 }, env: testDbKind() === 'postgres' ? NEO4J : {} });
    expert = await signUp(email('expert'), 'Acme');
    developer = await join('developer');
    nonAdminExpert = await join('domain_expert');
    const { document } = (await expectStatus(await documentsRoute.POST(request('/api/documents', { body: { title: 'Payroll' }, cookie: expert })), 201)) as { document: { id: string } };
    documentId = document.id;
    client = connectClient(server.wsUrl, documentId, { cookie: expert });
    await client.synced;
    block = addParagraph(client.doc, SENTENCE);
    knowledge = await waitFor(async () => {
      const k = (await expectStatus(await call(knowledgeRoute.GET, `/api/documents/${documentId}/knowledge`, { cookie: expert }), 200)) as DocumentKnowledgeDto;
      assert.equal(k.status.state, 'idle');
      assert.ok(k.atoms.some((a) => a.canonical === '10%') && k.molecules.length > 0, 'the 10% atom and a rule');
      return k;
    }, { timeout: 20_000, interval: 50 });
  });
  after(async () => {
    client?.destroy();
    await server?.close();
  });

  describe('sessions', () => {
    const refusedEverywhere = async (cookie: string) => {
      await expectStatus(await documentsRoute.GET(request('/api/documents', { cookie })), 401, 'unauthenticated');
      await expectStatus(await call(documentRoute.GET, `/api/documents/${documentId}`, { cookie }), 401, 'unauthenticated');
      const before = await counts();
      await expectStatus(await documentsRoute.POST(request('/api/documents', { body: { title: 'x' }, cookie })), 401, 'unauthenticated');
      assert.deepEqual(await counts(), before);
      const ws = rawSocket(`${server.wsUrl}/${documentId}`, cookie);
      assert.equal((await ws.closed).code, CloseCode.Unauthorized);
      assert.equal(ws.messages.length, 0, 'the websocket sent nothing of the document');
    };

    it('a forged session cookie gets 401 and 4401', async () => {
      await refusedEverywhere(`${SESSION_COOKIE}=${randomBytes(32).toString('base64url')}`);
      // The stored hash, sent as if it were the token, is not a session either.
      const { rows } = await db().query<{ tokenHash: string }>('SELECT token_hash AS "tokenHash" FROM sessions LIMIT 1');
      await refusedEverywhere(`${SESSION_COOKIE}=${rows[0].tokenHash}`);
      await refusedEverywhere(`${SESSION_COOKIE}=${encodeURIComponent(SQL_INJECTION)}`);
    });

    it('no cookie at all gets 401 and 4401', async () => {
      await expectStatus(await documentsRoute.GET(request('/api/documents')), 401, 'unauthenticated');
      assert.equal((await rawSocket(`${server.wsUrl}/${documentId}`).closed).code, CloseCode.Unauthorized);
    });

    it('an expired session gets 401 and 4401', async () => {
      const cookie = await signIn();
      await expectStatus(await documentsRoute.GET(request('/api/documents', { cookie })), 200);
      const token = decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1));
      await db().query(`UPDATE sessions SET expires_at = NOW() - interval '1 second' WHERE token_hash = $1`, [createHash('sha256').update(token).digest('hex')]);
      await refusedEverywhere(cookie);
    });

    it('a signed-out token cannot be reused: 401 and 4401', async () => {
      const cookie = await signIn();
      const out = await signoutRoute.POST(request('/api/auth/signout', { method: 'POST', cookie }));
      await expectStatus(out, 200);
      assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/, 'the cookie is cleared');
      await refusedEverywhere(cookie);
    });

    async function signIn(): Promise<string> {
      const address = (await expectStatus(await meRoute.GET(request('/api/me', { cookie: expert })), 200)) as { account: { email: string } };
      const response = await signinRoute.POST(request('/api/auth/signin', { body: { email: address.account.email, password: PASSWORD } }));
      await expectStatus(response, 200);
      const cookie = cookieFrom(response);
      assert.ok(cookie, 'sign-in sets the cookie');
      return cookie;
    }

    /** Types a paragraph on an open connection; resolves with the close code if it ends within 2 s, and whether the text reached the blocks. */
    async function typeAfter(cookie: string, text: string, change: () => Promise<void>): Promise<{ closed: number | null; stored: boolean }> {
      const open = connectClient(server.wsUrl, documentId, { cookie });
      try {
        await open.synced;
        let closed: number | null = null;
        open.provider.on('connection-close', (event: { code: number } | null) => (closed ??= event?.code ?? -1));
        await change();
        addParagraph(open.doc, text);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const { rows } = await db().query(`SELECT 1 FROM blocks WHERE document_id = $1 AND content::text LIKE $2`, [documentId, `%${text}%`]);
        // Let extraction of whatever got in finish, so later tests' row counts hold still.
        await waitFor(async () => {
          const k = (await expectStatus(await call(knowledgeRoute.GET, '/api/documents/x/knowledge', { cookie: expert }), 200)) as DocumentKnowledgeDto;
          assert.equal(k.status.state, 'idle');
        }, { timeout: 10_000, interval: 50 });
        return { closed, stored: rows.length > 0 };
      } finally {
        open.destroy();
      }
    }

    it('an open websocket is closed (4401) when its session is signed out, and its later changes are refused', async () => {
      const cookie = await signIn();
      const result = await typeAfter(cookie, 'typed after sign-out', async () => {
        await expectStatus(await signoutRoute.POST(request('/api/auth/signout', { method: 'POST', cookie })), 200);
      });
      assert.deepEqual(result, { closed: CloseCode.Unauthorized, stored: false });
    });

    it("an expert demoted to developer has their open connection's next change refused (4403)", async () => {
      const demoted = await join('domain_expert');
      const me = (await expectStatus(await meRoute.GET(request('/api/me', { cookie: demoted })), 200)) as { user: { id: string } };
      const result = await typeAfter(demoted, 'typed after demotion', async () => {
        await expectStatus(await call(memberRoute.PATCH, '/api/members/x', { method: 'PATCH', body: { persona: 'developer' }, cookie: expert }, me.user.id), 200);
      });
      assert.deepEqual(result, { closed: CloseCode.Forbidden, stored: false });
    });

    it('a wrong password and an unknown email get the same 401 body', async () => {
      const { account } = (await expectStatus(await meRoute.GET(request('/api/me', { cookie: expert })), 200)) as { account: { email: string } };
      const before = await count('sessions');
      const wrong = await statusAndBody(await signinRoute.POST(request('/api/auth/signin', { body: { email: account.email, password: 'not the password' } })));
      const unknown = await statusAndBody(await signinRoute.POST(request('/api/auth/signin', { body: { email: email('nobody'), password: 'not the password' } })));
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong, unknown);
      assert.equal(await count('sessions'), before, 'no session was created');
    });
  });

  describe('CSRF', () => {
    for (const [name, origin] of [
      ['without an Origin', null],
      ['with a foreign Origin', 'https://evil.example'],
      ['with Origin: null', 'null'],
      ['with a look-alike Origin', 'http://localhost.evil.example'],
    ] as const) {
      it(`state-changing requests ${name} get 403 cross_site and change nothing`, async () => {
        const before = await counts();
        const domainBefore = (await db().query('SELECT domain_id FROM documents WHERE id = $1', [documentId])).rows[0];
        const attempts: Array<Promise<Response>> = [
          documentsRoute.POST(request('/api/documents', { body: { title: 'csrf' }, cookie: expert, origin })),
          call(documentRoute.PATCH, `/api/documents/${documentId}`, { method: 'PATCH', body: { domainId: null }, cookie: expert, origin }),
          domainsRoute.POST(request('/api/domains', { body: { name: 'csrf' }, cookie: expert, origin })),
          invitesRoute.POST(request('/api/invites', { body: { persona: 'domain_expert', isAdmin: true }, cookie: expert, origin })),
          organisationsRoute.POST(request('/api/organisations', { body: { name: 'csrf' }, cookie: expert, origin })),
          signoutRoute.POST(request('/api/auth/signout', { method: 'POST', cookie: expert, origin })),
          signinRoute.POST(request('/api/auth/signin', { body: { email: 'a@example.com', password: PASSWORD }, origin })),
          signupRoute.POST(request('/api/auth/signup', { body: { email: email('csrf'), name: 'x', password: PASSWORD }, origin })),
          atomReviewRoute.POST(request('/api/atoms/x/review', { body: { decision: 'rejected' }, cookie: expert, origin }), params({ id: knowledge.atoms[0].id })),
        ];
        for (const response of await Promise.all(attempts)) await expectStatus(response, 403, 'cross_site');
        assert.deepEqual(await counts(), before);
        assert.deepEqual((await db().query('SELECT domain_id FROM documents WHERE id = $1', [documentId])).rows[0], domainBefore);
        // The session survived the cross-site sign-out.
        await expectStatus(await documentsRoute.GET(request('/api/documents', { cookie: expert })), 200);
      });
    }

    it('a GET needs no Origin (reads change nothing)', async () => {
      await expectStatus(await documentsRoute.GET(request('/api/documents', { cookie: expert, origin: 'https://evil.example' })), 200);
    });
  });

  describe('injection', () => {
    it('SQL and Cypher in titles, domain names and organisation names are stored literally and change nothing else', async () => {
      for (const text of INJECTIONS) {
        const before = await counts();
        const { document } = (await expectStatus(await documentsRoute.POST(request('/api/documents', { body: { title: text }, cookie: expert })), 201)) as { document: { id: string; title: string } };
        assert.equal(document.title, text);
        const { domain } = (await expectStatus(await domainsRoute.POST(request('/api/domains', { body: { name: `${text} domain` }, cookie: expert })), 201)) as { domain: { name: string } };
        assert.equal(domain.name, `${text} domain`);
        assert.deepEqual(await counts(), { ...before, documents: before.documents + 1, domains: before.domains + 1, audit_log: before.audit_log + 2 });
        const stored = await db().query<{ title: string }>('SELECT title FROM documents WHERE id = $1', [document.id]);
        assert.equal(stored.rows[0].title, text);
      }
      const other = await signUp(email('inject'), SQL_INJECTION);
      const me = (await expectStatus(await meRoute.GET(request('/api/me', { cookie: other })), 200)) as { tenant: { name: string } };
      assert.equal(me.tenant.name, SQL_INJECTION);
    });

    it('SQL and Cypher in the search query match literally: nothing found, nothing changed', async () => {
      const before = await counts();
      for (const q of [...INJECTIONS, "Quebec' OR '1'='1", '%']) {
        const result = (await expectStatus(await searchRoute.GET(request(`/api/search?q=${encodeURIComponent(q)}`, { cookie: developer })), 200)) as {
          documents: Array<{ title: string }>;
          atoms: Array<{ name: string | null; canonical: string | null }>;
        };
        // Only rows that really contain the text: the injection titles above, and '10%' for '%'.
        for (const d of result.documents) assert.ok(d.title.includes(q), `"${d.title}" contains "${q}"`);
        for (const a of result.atoms) assert.ok(`${a.name} ${a.canonical}`.includes(q), `atom "${a.name}" = "${a.canonical}" contains "${q}"`);
        if (q !== '%') assert.deepEqual(result.atoms, [], `no atoms for "${q}"`);
      }
      assert.deepEqual(await counts(), before);
    });

    it('SQL and Cypher in a manual atom name are stored literally, and reach the graph as data', async () => {
      const start = SENTENCE.indexOf('Quebec');
      const { atom } = (await expectStatus(
        await call(annotationsRoute.POST, `/api/documents/${documentId}/annotations`, {
          body: { blockId: block.id, start, end: start + 6, quote: 'Quebec', type: 'TextAtom', name: CYPHER_INJECTION },
          cookie: expert,
        }),
        201,
      )) as { atom: { id: string; name: string } };
      assert.equal(atom.name, CYPHER_INJECTION);
      // The graph sync wrote it as a property: the node is there and the rest of the graph too.
      const rule = knowledge.molecules[0];
      await waitFor(async () => {
        const view = (await expectStatus(await impactRoute.GET(request(`/api/graph/impact?node=${atom.id}`, { cookie: developer })), 200)) as { nodes: Array<{ id: string; label?: string; name?: string }> };
        assert.ok(view.nodes.some((n) => n.id === atom.id), 'the atom is a graph node');
        await expectStatus(await dependenciesRoute.GET(request(`/api/graph/dependencies?molecule=${rule.id}`, { cookie: developer })), 200);
      }, { timeout: 20_000, interval: 100 });
      const other = knowledge.atoms.find((a) => a.moleculeIds.length > 0);
      assert.ok(other, 'an atom of the rule');
      await expectStatus(await impactRoute.GET(request(`/api/graph/impact?node=${other.id}`, { cookie: developer })), 200);
    });

    it('SQL and Cypher in graph query parameters get 400 and change nothing', async () => {
      const before = await counts();
      for (const text of INJECTIONS) {
        const q = encodeURIComponent(text);
        for (const [handler, query] of [
          [impactRoute.GET, `node=${q}`],
          [impactRoute.GET, `node=${knowledge.atoms[0].id}&depth=${q}`],
          [dependenciesRoute.GET, `molecule=${q}`],
          [pathRoute.GET, `from=${knowledge.atoms[0].id}&to=${q}`],
          [relatedRoute.GET, `atom=${q}`],
          [conflictsRoute.GET, `document=${q}`],
        ] as const) {
          await expectStatus(await handler(request(`/api/graph/x?${query}`, { cookie: developer })), 400, 'bad_request');
        }
      }
      assert.deepEqual(await counts(), before);
      await expectStatus(await impactRoute.GET(request(`/api/graph/impact?node=${knowledge.atoms[0].id}`, { cookie: developer })), 200);
    });

    it('SQL in ids, emails, invite tokens and audit filters is refused (400, 401 or 404) and changes nothing', async () => {
      const before = await counts();
      for (const text of INJECTIONS) {
        const q = encodeURIComponent(text);
        await expectStatus(await call(documentRoute.GET, '/api/documents/x', { cookie: expert }, text), 404, 'not_found');
        await expectStatus(await call(memberRoute.PATCH, '/api/members/x', { method: 'PATCH', body: { persona: 'developer' }, cookie: expert }, text), 404, 'not_found');
        await expectStatus(await atomStateRoute.GET(request(`/api/atoms/${q}/state?at=${q}`, { cookie: expert }), params({ id: text })), 404, 'not_found');
        await expectStatus(await inviteRoute.GET(request(`/api/invites/${q}`), { params: Promise.resolve({ token: text }) }), 404, 'not_found');
        await expectStatus(await auditRoute.GET(request(`/api/audit?resourceType=${q}`, { cookie: expert })), 400, 'bad_request');
        await expectStatus(await auditRoute.GET(request(`/api/audit?userId=${q}`, { cookie: expert })), 400, 'bad_request');
        await expectStatus(await signinRoute.POST(request('/api/auth/signin', { body: { email: text, password: text } })), 400, 'bad_request');
        // An email-shaped string with SQL inside is either not an email (400) or an unknown account (401).
        const shaped = await signinRoute.POST(request('/api/auth/signin', { body: { email: `a${text}@example.com`.replace(/\s/g, ''), password: text } }));
        assert.ok([400, 401].includes(shaped.status), `sign-in with an email-shaped injection: ${shaped.status}`);
        await expectStatus(await signupRoute.POST(request('/api/auth/signup', { body: { email: text, name: text, password: PASSWORD } })), 400, 'bad_request');
        await expectStatus(await call(documentRoute.PATCH, '/api/documents/x', { method: 'PATCH', body: { domainId: text }, cookie: expert }), 400, 'bad_request');
      }
      assert.deepEqual(await counts(), before);
    });
  });

  describe('oversized and malformed bodies', () => {
    const routes: Array<[string, (body: string) => Promise<Response>]> = [
      ['POST /api/documents', (body) => documentsRoute.POST(request('/api/documents', { body, cookie: expert }))],
      ['PATCH /api/documents/:id', (body) => call(documentRoute.PATCH, '/api/documents/x', { method: 'PATCH', body, cookie: expert })],
      ['POST /api/documents/:id/annotations', (body) => call(annotationsRoute.POST, '/api/documents/x/annotations', { body, cookie: expert })],
      ['POST /api/domains', (body) => domainsRoute.POST(request('/api/domains', { body, cookie: expert }))],
      ['POST /api/auth/signin', (body) => signinRoute.POST(request('/api/auth/signin', { body }))],
      ['POST /api/auth/signup', (body) => signupRoute.POST(request('/api/auth/signup', { body }))],
      ['POST /api/invites', (body) => invitesRoute.POST(request('/api/invites', { body, cookie: expert }))],
    ];
    for (const [name, send] of routes) {
      it(`${name}: over 1 MB gets 413, malformed JSON 400, and nothing changes`, async () => {
        const before = await counts();
        await expectStatus(await send(JSON.stringify({ title: 'x'.repeat(1024 * 1024 + 1) })), 413, 'too_large');
        for (const body of ['{"title": ', '{title: 1}', '[1, 2', '\u0000', '{"a": 1}}']) {
          await expectStatus(await send(body), 400, 'bad_request');
        }
        assert.deepEqual(await counts(), before);
      });
    }
  });

  describe('endless bodies', () => {
    /** A chunked body of 64 KB pieces that never ends; counts how much of it was read. */
    function endlessRequest(path: string, cookie?: string) {
      let pulled = 0;
      const chunk = new TextEncoder().encode(`{"title": "${'x'.repeat(64 * 1024)}`);
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      const headers: Record<string, string> = { origin: 'http://localhost', 'content-type': 'application/json' };
      if (cookie) headers.cookie = cookie;
      const init = { method: 'POST', headers, body, duplex: 'half' } as RequestInit & { duplex: 'half' };
      return { request: new Request(`http://localhost${path}`, init), pulled: () => pulled };
    }

    it('a body that never ends gets 413 once past 1 MB, without reading on', async () => {
      for (const [path, handler] of [
        ['/api/documents', documentsRoute.POST],
        ['/api/auth/signin', signinRoute.POST],
      ] as const) {
        const before = await counts();
        const endless = endlessRequest(path, expert);
        await expectStatus(await handler(endless.request), 413, 'too_large');
        assert.ok(endless.pulled() < 2 * 1024 * 1024, `read ${endless.pulled()} bytes`);
        assert.deepEqual(await counts(), before);
      }
    });

    it('a declared Content-Length over 1 MB gets 413 before the body is read', async () => {
      const response = await documentsRoute.POST(request('/api/documents', { body: { title: 'x' }, cookie: expert, headers: { 'content-length': String(5 * 1024 * 1024) } }));
      await expectStatus(response, 413, 'too_large');
    });
  });

  describe('invites', () => {
    it('an invite link works once: a second account gets 404 and does not join', async () => {
      const token = await invite('domain_expert', true);
      const first = await signUp(email('first'));
      await expectStatus(await inviteRoute.POST(request(`/api/invites/${token}`, { method: 'POST', cookie: first }), { params: Promise.resolve({ token }) }), 200);
      const second = await signUp(email('second'));
      const users = await count('users');
      const again = await statusAndBody(await inviteRoute.POST(request(`/api/invites/${token}`, { method: 'POST', cookie: second }), { params: Promise.resolve({ token }) }));
      assert.equal(again.status, 404);
      assert.equal(errorOf(again.body).code, 'not_found');
      await expectStatus(await inviteRoute.GET(request(`/api/invites/${token}`), { params: Promise.resolve({ token }) }), 404, 'not_found');
      assert.equal(await count('users'), users);
      await expectStatus(await documentsRoute.GET(request('/api/documents', { cookie: second })), 403, 'no_organisation');
    });

    it('an expired invite link gets 404 and does not join', async () => {
      const token = await invite('domain_expert');
      await db().query(`UPDATE invites SET expires_at = NOW() - interval '1 second' WHERE token_hash = $1`, [createHash('sha256').update(token).digest('hex')]);
      const cookie = await signUp(email('late'));
      const users = await count('users');
      await expectStatus(await inviteRoute.GET(request(`/api/invites/${token}`), { params: Promise.resolve({ token }) }), 404, 'not_found');
      await expectStatus(await inviteRoute.POST(request(`/api/invites/${token}`, { method: 'POST', cookie }), { params: Promise.resolve({ token }) }), 404, 'not_found');
      assert.equal(await count('users'), users);
    });

    it('only admins create invites (403) and a non-admin cannot make themselves admin', async () => {
      const before = await counts();
      await expectStatus(await invitesRoute.POST(request('/api/invites', { body: { persona: 'domain_expert', isAdmin: true }, cookie: nonAdminExpert })), 403, 'forbidden');
      await expectStatus(await invitesRoute.POST(request('/api/invites', { body: { persona: 'domain_expert' }, cookie: developer })), 403, 'forbidden');
      const me = (await expectStatus(await meRoute.GET(request('/api/me', { cookie: nonAdminExpert })), 200)) as { user: { id: string } };
      await expectStatus(await call(memberRoute.PATCH, '/api/members/x', { method: 'PATCH', body: { isAdmin: true }, cookie: nonAdminExpert }, me.user.id), 403, 'forbidden');
      assert.deepEqual(await counts(), before);
    });
  });

  describe('personas', () => {
    it('a developer cannot create documents, domains, annotations or reviews, nor file a document (403)', async () => {
      const before = await counts();
      const reviewed = (await db().query('SELECT id, review_status FROM atoms ORDER BY id')).rows;
      const start = SENTENCE.indexOf('10%');
      await expectStatus(await documentsRoute.POST(request('/api/documents', { body: { title: 'dev' }, cookie: developer })), 403, 'forbidden');
      await expectStatus(await domainsRoute.POST(request('/api/domains', { body: { name: 'dev' }, cookie: developer })), 403, 'forbidden');
      await expectStatus(
        await call(annotationsRoute.POST, '/api/documents/x/annotations', {
          body: { blockId: block.id, start, end: start + 3, quote: '10%', type: 'NumberAtom', name: 'dev' },
          cookie: developer,
        }),
        403,
        'forbidden',
      );
      await expectStatus(await atomReviewRoute.POST(request('/api/atoms/x/review', { body: { decision: 'rejected' }, cookie: developer }), params({ id: knowledge.atoms[0].id })), 403, 'forbidden');
      await expectStatus(await call(documentRoute.PATCH, '/api/documents/x', { method: 'PATCH', body: { domainId: null }, cookie: developer }), 403, 'forbidden');
      assert.deepEqual(await counts(), before);
      assert.deepEqual((await db().query('SELECT id, review_status FROM atoms ORDER BY id')).rows, reviewed);
    });

    it('a developer reads the document, its blocks and its knowledge', async () => {
      const blocks = (await expectStatus(await call(blocksRoute.GET, '/api/documents/x/blocks', { cookie: developer }), 200)) as { blocks: Array<{ content: unknown }> };
      assert.ok(blocks.blocks.some((b) => blockText(b.content as Parameters<typeof blockText>[0]) === SENTENCE), 'the sentence is readable');
      await expectStatus(await call(knowledgeRoute.GET, '/api/documents/x/knowledge', { cookie: developer }), 200);
    });

    it("a developer's websocket syncs the document, but a change is closed with 4403 and the document is unchanged", async () => {
      const updatesBefore = await count('yjs_updates');
      const stateBefore = Y.encodeStateVector(client.doc);
      const ws = rawSocket(`${server.wsUrl}/${documentId}`, developer);
      await new Promise<void>((resolve, reject) => {
        ws.socket.once('open', () => resolve());
        ws.socket.once('error', reject);
      });
      // Ask for everything, as y-websocket does; the answer is the whole document.
      const local = new Y.Doc();
      ws.socket.send(syncStep1(local));
      await waitFor(() => {
        for (const message of ws.messages.splice(0)) {
          const m = readMessage(message);
          if (m.type === 'update') Y.applyUpdate(local, m.update);
        }
        const text = local.getXmlFragment(YDOC_FIELD).toString();
        assert.ok(text.includes('withholding rate'), 'the developer received the text');
      });
      // Now a real change.
      const paragraph = local.getXmlFragment(YDOC_FIELD).get(0);
      assert.ok(paragraph instanceof Y.XmlElement, 'a paragraph');
      const captured: Uint8Array[] = [];
      local.on('update', (update: Uint8Array) => captured.push(update));
      local.transact(() => (paragraph.get(0) as Y.XmlText).insert(0, 'HACKED '));
      ws.socket.send(updateMessage(captured[0]));
      const { code, reason } = await ws.closed;
      assert.equal(code, CloseCode.Forbidden);
      assert.match(reason, /read/i);
      // The expert's copy, the server's room and the update log are unchanged.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(block.text.toString(), SENTENCE);
      assert.deepEqual(Y.encodeStateVector(client.doc), stateBefore);
      assert.equal(await count('yjs_updates'), updatesBefore);
      const blocks = (await expectStatus(await call(blocksRoute.GET, '/api/documents/x/blocks', { cookie: expert }), 200)) as { blocks: Array<{ content: unknown }> };
      assert.ok(blocks.blocks.every((b) => !JSON.stringify(b.content).includes('HACKED')), 'no block has the change');
    });

    it('only admins read the audit log: a developer and a non-admin domain expert get 403', async () => {
      await expectStatus(await auditRoute.GET(request('/api/audit', { cookie: developer })), 403, 'forbidden');
      await expectStatus(await auditRoute.GET(request('/api/audit', { cookie: nonAdminExpert })), 403, 'forbidden');
      await expectStatus(await auditRoute.GET(request('/api/audit', { cookie: expert })), 200);
    });
  });

  describe('audit and history', () => {
    interface Entry {
      action: string;
      resourceType: string;
      resourceId: string;
      userId: string;
      oldValues: Record<string, unknown> | null;
      newValues: Record<string, unknown> | null;
    }
    const audit = async (query: string) =>
      ((await expectStatus(await auditRoute.GET(request(`/api/audit?${query}`, { cookie: expert })), 200)) as { entries: Entry[] }).entries;

    it("a domain expert's document PATCH is in the audit log with the old and new domain", async () => {
      const { domain } = (await expectStatus(await domainsRoute.POST(request('/api/domains', { body: { name: 'Payroll tax' }, cookie: expert })), 201)) as { domain: { id: string } };
      await expectStatus(await call(documentRoute.PATCH, '/api/documents/x', { method: 'PATCH', body: { domainId: domain.id }, cookie: expert }), 200);
      const me = (await expectStatus(await meRoute.GET(request('/api/me', { cookie: expert })), 200)) as { user: { id: string } };
      const [entry] = await audit(`resourceType=document&resourceId=${documentId}&action=UPDATE`);
      assert.ok(entry, 'an UPDATE entry for the document');
      assert.equal(entry.userId, me.user.id);
      assert.equal(entry.oldValues?.domain_id, null);
      assert.equal(entry.newValues?.domain_id, domain.id);
    });

    it('an atom review is in the audit log with the old and new review status', async () => {
      const atom = knowledge.atoms.find((a) => a.canonical === '$5,000' || a.canonical?.includes('5,000') || a.type === 'DateAtom');
      assert.ok(atom, 'an atom to review');
      await expectStatus(await atomReviewRoute.POST(request('/api/atoms/x/review', { body: { decision: 'confirmed' }, cookie: expert }), params({ id: atom.id })), 200);
      const [entry] = await audit(`resourceType=atom&resourceId=${atom.id}&action=UPDATE`);
      assert.ok(entry, 'an UPDATE entry for the atom');
      assert.equal(entry.oldValues?.review_status, 'unreviewed');
      assert.equal(entry.newValues?.review_status, 'confirmed');
    });

    it('the state of an atom at an earlier time is the value before a re-extraction changed it', async () => {
      const rate = knowledge.atoms.find((a) => a.canonical === '10%');
      assert.ok(rate, 'the 10% atom');
      const beforeCreation = new Date(Date.parse(rate.updatedAt) - 60_000).toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const earlier = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const at = SENTENCE.indexOf('10%');
      client.doc.transact(() => {
        block.text.delete(at, 2);
        block.text.insert(at, '12');
      });
      const current = await waitFor(async () => {
        const k = (await expectStatus(await call(knowledgeRoute.GET, '/api/documents/x/knowledge', { cookie: developer }), 200)) as DocumentKnowledgeDto;
        const atom = k.atoms.find((a) => a.canonical === '12%');
        assert.ok(atom, 'the 12% version');
        return atom;
      }, { timeout: 20_000, interval: 50 });
      const state = async (atomId: string, time: string) =>
        ((await expectStatus(await atomStateRoute.GET(request(`/api/atoms/x/state?at=${encodeURIComponent(time)}`, { cookie: developer }), params({ id: atomId })), 200)) as {
          state: { canonical?: string } | null;
        }).state;
      assert.equal((await state(current.id, earlier))?.canonical, '10%');
      assert.equal((await state(current.id, new Date().toISOString()))?.canonical, '12%');
      assert.equal(await state(current.id, beforeCreation), null);
      await expectStatus(await atomStateRoute.GET(request('/api/atoms/x/state?at=yesterday', { cookie: developer }), params({ id: current.id })), 400, 'bad_request');
    });
  });
});

describe('rate limits', { timeout: 60_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ auth: true, env: { RATE_LIMIT_AUTH_PER_MINUTE: '3', RATE_LIMIT_USER_PER_MINUTE: '5' } });
  });
  after(async () => {
    await server?.close();
  });

  it('sign-in guessing from one address gets 429 with Retry-After there, even with the right password', async () => {
    const address = email('victim');
    await signUp(address, 'Victim', { 'x-forwarded-for': '198.51.100.1' });
    const attacker = { 'x-forwarded-for': '203.0.113.9' };
    const before = Number((await server.services.db.query<{ n: string }>('SELECT count(*) AS n FROM sessions')).rows[0].n);
    for (let i = 0; i < 3; i++) {
      await expectStatus(await signinRoute.POST(request('/api/auth/signin', { body: { email: address, password: `guess ${i}` }, headers: attacker })), 401, 'bad_credentials');
    }
    for (const password of ['guess 4', PASSWORD]) {
      const response = await signinRoute.POST(request('/api/auth/signin', { body: { email: address, password }, headers: attacker }));
      await expectStatus(response, 429, 'rate_limited');
      const retryAfter = Number(response.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.equal(cookieFrom(response), null, 'no session cookie');
    }
    // The email itself is not walled off: another address is only told the password is wrong,
    // and the owner, from theirs, gets in (test/security/signin.test.ts tries harder).
    await expectStatus(await signinRoute.POST(request('/api/auth/signin', { body: { email: address, password: 'guess 5' }, headers: { 'x-forwarded-for': '192.0.2.50' } })), 401, 'bad_credentials');
    const after = Number((await server.services.db.query<{ n: string }>('SELECT count(*) AS n FROM sessions')).rows[0].n);
    assert.equal(after, before);
    await expectStatus(await signinRoute.POST(request('/api/auth/signin', { body: { email: address, password: PASSWORD }, headers: { 'x-forwarded-for': '198.51.100.1' } })), 200);
  });

  it('a user over the API limit gets 429 with Retry-After; another user is served', async () => {
    const busy = await signUp(email('busy'), 'Busy', { 'x-forwarded-for': '198.51.100.2' });
    const calm = await signUp(email('calm'), 'Calm', { 'x-forwarded-for': '198.51.100.3' });
    for (let i = 0; i < 5; i++) await expectStatus(await documentsRoute.GET(request('/api/documents', { cookie: busy })), 200);
    const refused = await documentsRoute.GET(request('/api/documents', { cookie: busy }));
    await expectStatus(refused, 429, 'rate_limited');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1, 'Retry-After in seconds');
    const before = Number((await server.services.db.query<{ n: string }>('SELECT count(*) AS n FROM documents')).rows[0].n);
    await expectStatus(await documentsRoute.POST(request('/api/documents', { body: { title: 'over' }, cookie: busy })), 429, 'rate_limited');
    assert.equal(Number((await server.services.db.query<{ n: string }>('SELECT count(*) AS n FROM documents')).rows[0].n), before, 'nothing created');
    await expectStatus(await documentsRoute.GET(request('/api/documents', { cookie: calm })), 200);
  });
});
