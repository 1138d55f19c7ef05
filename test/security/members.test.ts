/**
 * An admin removes a member: the route, and the removed person's live connections — a websocket
 * on a document and a server-sent event stream — closing at once. Event streams per account are
 * capped, and a persona change closes the member's streams too (they reconnect under the new one).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../support/collab';
import { cookieFrom, params, request } from '../support/http';
import { CloseCode } from '../../lib/collab/closeCodes';
import * as signupRoute from '../../app/api/auth/signup/route';
import * as invitesRoute from '../../app/api/invites/route';
import * as inviteRoute from '../../app/api/invites/[token]/route';
import * as meRoute from '../../app/api/me/route';
import * as membersRoute from '../../app/api/members/route';
import * as memberRoute from '../../app/api/members/[id]/route';
import * as documentRoute from '../../app/api/documents/[id]/route';
import * as eventsRoute from '../../app/api/documents/[id]/events/route';
import { MAX_STREAMS_PER_ACCOUNT } from '../../server/http/eventStreams';

const PASSWORD = 'correct horse battery';

async function json(response: Response, status: number): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(response.status, status, JSON.stringify(body));
  return body;
}

/** An SSE stream as a browser holds it: resolves `ended` when the server closes it. */
async function openStream(documentId: string, cookie: string) {
  const abort = new AbortController();
  const response = await eventsRoute.GET(new Request(request(`/api/documents/${documentId}/events`, { cookie }), { signal: abort.signal }), params({ id: documentId }));
  if (response.status !== 200 || !response.body) return { response, ended: Promise.resolve('refused'), stop: () => abort.abort() };
  const reader = response.body.getReader();
  const ended = (async () => {
    for (;;) {
      const { done } = await reader.read();
      if (done) return 'ended';
    }
  })();
  return { response, ended, stop: () => abort.abort() };
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms))]);

describe('removing a member', { timeout: 120_000 }, () => {
  let server: TestServer;
  let documentId: string;
  before(async () => {
    server = await startTestServer({ auth: true });
    documentId = await server.createDocument('Payroll');
  });
  after(async () => {
    await server?.close();
  });

  /** A new account that joins the local organisation (whose admin is server.cookie) with this persona. */
  async function member(persona: 'domain_expert' | 'developer' = 'domain_expert'): Promise<{ cookie: string; userId: string }> {
    const created = await json(await invitesRoute.POST(request('/api/invites', { body: { persona }, cookie: server.cookie })), 201);
    const token = String(created.url).split('/invite/')[1];
    const signUp = await signupRoute.POST(request('/api/auth/signup', { body: { email: `m-${randomUUID().slice(0, 8)}@example.com`, name: 'Member', password: PASSWORD } }));
    const cookie = cookieFrom(signUp);
    assert.ok(cookie);
    await json(await inviteRoute.POST(request(`/api/invites/${token}`, { method: 'POST', cookie }), { params: Promise.resolve({ token }) }), 200);
    const me = await json(await meRoute.GET(request('/api/me', { cookie })), 200);
    return { cookie, userId: (me.user as { id: string }).id };
  }

  it("removal closes the member's open websocket and event stream at once; they can no longer read the document", async () => {
    const { cookie, userId } = await member();
    const socket = new WebSocket(`${server.wsUrl}/${documentId}`, { headers: { cookie } });
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('message', resolve));
    const stream = await openStream(documentId, cookie);
    assert.equal(stream.response.status, 200);

    const started = Date.now();
    const removed = await json(await memberRoute.DELETE(request(`/api/members/${userId}`, { method: 'DELETE', cookie: server.cookie }), params({ id: userId })), 200);
    assert.deepEqual(removed.removed, { id: userId, name: 'Member' });
    const code = await within(closed, 2000, 'the websocket closing');
    assert.ok(code === CloseCode.Unauthorized || code === CloseCode.DocumentNotFound, `closed with ${code}`);
    assert.equal(await within(stream.ended, 2000, 'the event stream ending'), 'ended');
    const took = Date.now() - started;
    assert.ok(took < 2000, `closed ${took} ms after the removal`);

    const members = await json(await membersRoute.GET(request('/api/members', { cookie: server.cookie })), 200);
    assert.ok(!(members.members as Array<{ id: string }>).some((m) => m.id === userId), 'no longer listed');
    assert.equal((await documentRoute.GET(request(`/api/documents/${documentId}`, { cookie }), params({ id: documentId }))).status, 403, 'no organisation left');
    const again = new WebSocket(`${server.wsUrl}/${documentId}`, { headers: { cookie } });
    assert.equal(await new Promise<number>((resolve) => again.on('close', (c) => resolve(c))), CloseCode.Unauthorized, 'a new websocket is refused');
    const audit = await server.services.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit_log WHERE resource_type = 'membership' AND resource_id = $1 AND action = 'UPDATE' AND new_values->>'account_id' IS NULL`,
      [userId],
    );
    assert.equal(Number(audit.rows[0].n), 1, 'the removal is in the audit log');
  });

  it('only an admin removes, nobody removes themselves, and an unknown member is 404', async () => {
    const plain = await member();
    const other = await member();
    const refused = await json(await memberRoute.DELETE(request(`/api/members/${other.userId}`, { method: 'DELETE', cookie: plain.cookie }), params({ id: other.userId })), 403);
    assert.equal((refused.error as { code: string }).code, 'forbidden');
    const me = await json(await meRoute.GET(request('/api/me', { cookie: server.cookie })), 200);
    const self = (me.user as { id: string }).id;
    const selfRemoval = await json(await memberRoute.DELETE(request(`/api/members/${self}`, { method: 'DELETE', cookie: server.cookie }), params({ id: self })), 400);
    assert.match((selfRemoval.error as { message: string }).message, /cannot remove yourself/);
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const missing = await json(await memberRoute.DELETE(request(`/api/members/${id}`, { method: 'DELETE', cookie: server.cookie }), params({ id })), 404);
      assert.equal((missing.error as { code: string }).code, 'not_found');
    }
    await json(await memberRoute.DELETE(request(`/api/members/${other.userId}`, { method: 'DELETE', cookie: server.cookie }), params({ id: other.userId })), 200);
    await json(await memberRoute.DELETE(request(`/api/members/${other.userId}`, { method: 'DELETE', cookie: server.cookie }), params({ id: other.userId })), 404);
  });

  it("a persona change closes the member's event streams at once, and a new stream opens", async () => {
    const { cookie, userId } = await member();
    const stream = await openStream(documentId, cookie);
    assert.equal(stream.response.status, 200);
    await json(await memberRoute.PATCH(request(`/api/members/${userId}`, { method: 'PATCH', body: { persona: 'developer' }, cookie: server.cookie }), params({ id: userId })), 200);
    assert.equal(await within(stream.ended, 2000, 'the event stream ending'), 'ended');
    const next = await openStream(documentId, cookie);
    assert.equal(next.response.status, 200, 'the reconnecting stream is let in');
    next.stop();
  });

  it(`event streams are capped at ${MAX_STREAMS_PER_ACCOUNT} per account: the next is 429 JSON; closing one lets one in`, async () => {
    const { cookie } = await member();
    const open = [];
    for (let i = 0; i < MAX_STREAMS_PER_ACCOUNT; i++) {
      const stream = await openStream(documentId, cookie);
      assert.equal(stream.response.status, 200, `stream ${i + 1}`);
      open.push(stream);
    }
    const refused = await openStream(documentId, cookie);
    const body = await json(refused.response, 429);
    assert.equal((body.error as { code: string }).code, 'too_many_streams');
    // Another person is not affected.
    const other = await member();
    const theirs = await openStream(documentId, other.cookie);
    assert.equal(theirs.response.status, 200);
    theirs.stop();
    open[0].stop();
    await within(open[0].ended, 2000, 'the aborted stream ending');
    const admitted = await openStream(documentId, cookie);
    assert.equal(admitted.response.status, 200, 'a closed stream frees its place');
    for (const stream of [...open, admitted]) stream.stop();
  });
});
