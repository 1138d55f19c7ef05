/**
 * Hostile input through REST: U+0000 and lone surrogates in every text field (stored with U+FFFD
 * in their place, never a 500), a sign-up whose organisation cannot be written (no account left
 * behind), another tenant's or an unknown domainId (404 either way, the same answer), another
 * tenant's domain name never copied into this tenant's graph, and an impossible audit cursor (400).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { connectClient, startTestServer, type TestServer } from '../support/collab';
import { cookieFrom, params, request, statusAndBody } from '../support/http';
import { waitFor } from '../support/waitFor';
import { YDOC_FIELD } from '../../lib/blocks/types';
import type { Database, Sql } from '../../server/db/client';
import { signUp as signUpAccount } from '../../server/auth/accounts';
import * as signupRoute from '../../app/api/auth/signup/route';
import * as organisationsRoute from '../../app/api/organisations/route';
import * as documentsRoute from '../../app/api/documents/route';
import * as documentRoute from '../../app/api/documents/[id]/route';
import * as annotationsRoute from '../../app/api/documents/[id]/annotations/route';
import * as domainsRoute from '../../app/api/domains/route';
import * as searchRoute from '../../app/api/search/route';
import * as auditRoute from '../../app/api/audit/route';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const SENTENCE = 'In Quebec, the withholding rate is 10% for amounts over $5,000.';
/** Each hostile string and what is stored for it: the same text with U+FFFD in place of the bad code unit. */
const HOSTILE = [
  { label: 'a NUL', text: 'x\u0000y', stored: 'x\uFFFDy' },
  { label: 'a lone high surrogate', text: 'x\uD800y', stored: 'x\uFFFDy' },
  { label: 'a lone low surrogate', text: 'x\uDC00y', stored: 'x\uFFFDy' },
];

const email = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;

async function body(response: Response, status: number): Promise<Record<string, unknown>> {
  const parsed = (await response.json()) as Record<string, unknown>;
  assert.equal(response.status, status, JSON.stringify(parsed));
  return parsed;
}

async function signUp(organisation: string, name = 'N'): Promise<string> {
  const response = await signupRoute.POST(request('/api/auth/signup', { body: { email: email('i'), name, password: 'correct horse battery', organisation } }));
  await body(response.clone(), 201);
  const cookie = cookieFrom(response);
  assert.ok(cookie, 'a session cookie');
  return cookie;
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

describe('hostile input through REST', { timeout: 120_000 }, () => {
  let server: TestServer;
  let a: string;
  let b: string;
  let domainOfB: { id: string; name: string };
  const query = async <T>(sql: string, values: unknown[] = []) => (await server.services.db.query<T>(sql, values)).rows;

  before(async () => {
    server = await startTestServer({ auth: true, projection: { debounceMs: 10, maxWaitMs: 50 } });
    a = await signUp('Alpha');
    b = await signUp('Bravo');
    const created = await body(await domainsRoute.POST(request('/api/domains', { body: { name: 'Bravo secret domain' }, cookie: b })), 201);
    domainOfB = created.domain as { id: string; name: string };
  });
  after(async () => {
    await server?.close();
  });

  for (const { label, text, stored } of HOSTILE) {
    it(`${label} in a document title, a domain's name and description, and an organisation's name is stored as U+FFFD`, async () => {
      const { document } = (await body(await documentsRoute.POST(request('/api/documents', { body: { title: text }, cookie: a })), 201)) as { document: { title: string } };
      assert.equal(document.title, stored);
      const { domain } = (await body(
        await domainsRoute.POST(request('/api/domains', { body: { name: `${text} ${label}`, description: text }, cookie: a })),
        201,
      )) as { domain: { name: string; description: string } };
      assert.deepEqual([domain.name, domain.description], [`${stored} ${label}`, stored]);
      await body(await organisationsRoute.POST(request('/api/organisations', { body: { name: `${text} ${label}` }, cookie: a })), 201);
      assert.equal((await query('SELECT 1 FROM tenants WHERE name = $1', [`${stored} ${label}`])).length, 1);
    });

    it(`${label} in the sign-up name and organisation creates both, and signs in`, async () => {
      const address = email('nul');
      const response = await signupRoute.POST(
        request('/api/auth/signup', { body: { email: address, name: text, password: 'correct horse battery', organisation: `${text} ${label} org` } }),
      );
      await body(response.clone(), 201);
      assert.ok(cookieFrom(response), 'signed in');
      const rows = await query<{ name: string; organisation: string }>(
        `SELECT a.name, t.name AS organisation FROM accounts a JOIN users u ON u.account_id = a.id JOIN tenants t ON t.id = u.tenant_id WHERE a.email = $1`,
        [address],
      );
      assert.deepEqual(rows, [{ name: stored, organisation: `${stored} ${label} org` }]);
    });
  }

  it('a NUL in the search query is searched for, not a 500', async () => {
    const { status } = await statusAndBody(await searchRoute.GET(request(`/api/search?q=${encodeURIComponent('x\u0000y')}`, { cookie: a })));
    assert.equal(status, 200);
  });

  it('a NUL or lone surrogate in an annotation name is stored as U+FFFD', async () => {
    const { document } = (await body(await documentsRoute.POST(request('/api/documents', { body: { title: 'marks' }, cookie: a })), 201)) as { document: { id: string } };
    const client = connectClient(server.wsUrl, document.id, { cookie: a });
    try {
      await client.synced;
      const blockId = addParagraph(client.doc, SENTENCE);
      await waitFor(async () => assert.equal((await query('SELECT 1 FROM blocks WHERE id = $1', [blockId])).length, 1, 'the block is projected'), { timeout: 10_000 });
      for (const { text, stored } of HOSTILE) {
        const start = SENTENCE.indexOf('Quebec');
        const marked = (await body(
          await annotationsRoute.POST(
            request(`/api/documents/${document.id}/annotations`, {
              body: { blockId, start, end: start + 6, quote: 'Quebec', type: 'TextAtom', name: text },
              cookie: a,
            }),
            params({ id: document.id }),
          ),
          201,
        )) as { atom: { id: string } };
        assert.deepEqual(await query('SELECT name FROM atoms WHERE id = $1', [marked.atom.id]), [{ name: stored }]);
      }
    } finally {
      client.destroy();
    }
  });

  it('a sign-up whose organisation cannot be written leaves no account behind', async () => {
    const { db } = server.services;
    // The organisation's insert fails, as the NUL in its name used to make it.
    const failing = (tx: Sql): Sql => ({
      query: (text, values) => (text.startsWith('INSERT INTO tenants') ? Promise.reject(new Error('organisation refused')) : tx.query(text, values)),
    });
    const broken: Database = { ...db, query: (text, values) => db.query(text, values), tx: (fn) => db.tx((tx) => fn(failing(tx))) };
    const address = email('half');
    await assert.rejects(signUpAccount(broken, { email: address, name: 'Half', password: 'correct horse battery', organisation: 'Half Org' }), /organisation refused/);
    assert.deepEqual(await query('SELECT id FROM accounts WHERE email = $1', [address]), []);
  });

  it("another tenant's domainId and an unknown one get the same 404 on create and on update", async () => {
    const create = async (domainId: string) => statusAndBody(await documentsRoute.POST(request('/api/documents', { body: { title: 'x', domainId }, cookie: a })));
    const foreign = await create(domainOfB.id);
    assert.equal(foreign.status, 404, JSON.stringify(foreign.body));
    assert.deepEqual(foreign, await create(UNKNOWN));
    assert.deepEqual(foreign, await create(randomUUID()));
    assert.equal((await query('SELECT 1 FROM documents WHERE domain_id = $1', [domainOfB.id])).length, 0, 'no document of A filed under B');

    const { document } = (await body(await documentsRoute.POST(request('/api/documents', { body: { title: 'y' }, cookie: a })), 201)) as { document: { id: string } };
    const update = async (domainId: string) =>
      statusAndBody(await documentRoute.PATCH(request(`/api/documents/${document.id}`, { method: 'PATCH', body: { domainId }, cookie: a }), params({ id: document.id })));
    const foreignUpdate = await update(domainOfB.id);
    assert.equal(foreignUpdate.status, 404);
    assert.deepEqual(foreignUpdate, await update(UNKNOWN));
  });

  it("a document left filed under another tenant's domain never puts that domain's name in this tenant's graph", async () => {
    const { document } = (await body(await documentsRoute.POST(request('/api/documents', { body: { title: 'graph' }, cookie: a })), 201)) as { document: { id: string } };
    // As a document created before domainIds were checked could be.
    await query('UPDATE documents SET domain_id = $1 WHERE id = $2', [domainOfB.id, document.id]);
    const client = connectClient(server.wsUrl, document.id, { cookie: a });
    try {
      await client.synced;
      addParagraph(client.doc, SENTENCE);
      const [{ tenantId }] = await query<{ tenantId: string }>('SELECT tenant_id AS "tenantId" FROM documents WHERE id = $1', [document.id]);
      const nodes = await waitFor(async () => {
        const rows = await query<{ label: string; props: Record<string, unknown> }>('SELECT label, props FROM graph_nodes WHERE tenant_id = $1', [tenantId]);
        assert.ok(rows.some((n) => n.label === 'Document'), 'the document reached the graph');
        assert.ok(rows.some((n) => n.label === 'Atom'), 'atoms reached the graph');
        return rows;
      }, { timeout: 20_000, interval: 100 });
      const carrying = nodes.filter((n) => JSON.stringify(n.props).includes(domainOfB.name));
      assert.deepEqual(carrying, [], "no node of A's graph names B's domain");
    } finally {
      client.destroy();
    }
  });

  it('an audit cursor with an impossible time gets 400, not 500', async () => {
    for (const before of [`2026-13-45 99:99:99+00|${UNKNOWN}`, `2026-02-30 10:00:00+00|${UNKNOWN}`, `0000-01-01 00:00:00+99|${UNKNOWN}`, `2026-01-01 10:00:00+00|${'-'.repeat(36)}`]) {
      const { status, body: answer } = await statusAndBody(await auditRoute.GET(request(`/api/audit?before=${encodeURIComponent(before)}`, { cookie: a })));
      assert.equal(status, 400, `${before}: ${JSON.stringify(answer)}`);
      assert.equal((answer as { error: { code: string } }).error.code, 'bad_request');
    }
    const valid = await auditRoute.GET(request(`/api/audit?before=${encodeURIComponent(`2026-01-01 10:00:00.5+00|${UNKNOWN}`)}`, { cookie: a }));
    assert.equal(valid.status, 200);
  });
});
