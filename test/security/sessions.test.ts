/**
 * A person's sessions: listing them, ending one or all the others (their websockets close at
 * once), and a password change, which needs the current password and ends every other session.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../support/collab';
import { cookieFrom, params, request } from '../support/http';
import { CloseCode } from '../../lib/collab/closeCodes';
import * as signupRoute from '../../app/api/auth/signup/route';
import * as signinRoute from '../../app/api/auth/signin/route';
import * as meRoute from '../../app/api/me/route';
import * as sessionsRoute from '../../app/api/me/sessions/route';
import * as sessionRoute from '../../app/api/me/sessions/[id]/route';
import * as passwordRoute from '../../app/api/me/password/route';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

interface Summary {
  id: string;
  userAgent: string | null;
  current: boolean;
  createdAt: string;
  lastSeenAt: string | null;
}

async function json(response: Response, status: number): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(response.status, status, JSON.stringify(body));
  return body;
}

describe('my sessions and my password', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ auth: true });
  });
  after(async () => {
    await server?.close();
  });

  async function account(): Promise<{ email: string; first: string }> {
    const email = `s-${randomUUID().slice(0, 8)}@example.com`;
    const response = await signupRoute.POST(request('/api/auth/signup', { body: { email, name: 'Sam', password: PASSWORD, organisation: 'Sam Ltd' } }));
    const first = cookieFrom(response);
    assert.ok(first);
    return { email, first };
  }
  async function signIn(email: string, password: string, userAgent: string): Promise<Response> {
    return signinRoute.POST(request('/api/auth/signin', { body: { email, password }, headers: { 'user-agent': userAgent, 'x-forwarded-for': '192.0.2.9' } }));
  }
  const list = async (cookie: string) => (await json(await sessionsRoute.GET(request('/api/me/sessions', { cookie })), 200)).sessions as Summary[];
  const signedIn = async (cookie: string) => (await meRoute.GET(request('/api/me', { cookie }))).status === 200;
  async function documentOfTheirOwn(cookie: string): Promise<string> {
    const { POST } = await import('../../app/api/documents/route');
    const created = await json(await POST(request('/api/documents', { body: { title: 'Mine' }, cookie })), 201);
    return (created.document as { id: string }).id;
  }
  function openSocket(id: string, cookie: string) {
    const socket = new WebSocket(`${server.wsUrl}/${id}`, { headers: { cookie } });
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    const opened = new Promise((resolve) => socket.once('message', resolve));
    return { socket, closed, opened };
  }

  it('lists my sessions, this one first and marked, with the browser each started in; never the token or its hash', async () => {
    const { email, first } = await account();
    const phone = cookieFrom(await signIn(email, PASSWORD, 'Mozilla/5.0 (iPhone) Safari'));
    assert.ok(phone);
    const sessions = await list(phone);
    assert.equal(sessions.length, 2);
    assert.equal(sessions[0].current, true);
    assert.equal(sessions[0].userAgent, 'Mozilla/5.0 (iPhone) Safari');
    assert.equal(sessions[1].current, false);
    assert.deepEqual(Object.keys(sessions[0]).sort(), ['createdAt', 'current', 'expiresAt', 'id', 'lastSeenAt', 'userAgent']);
    // Somebody else's list does not hold mine.
    const stranger = await account();
    assert.ok(!(await list(stranger.first)).some((s) => sessions.some((m) => m.id === s.id)));
    // Nor can they end mine.
    const refused = await json(await sessionRoute.DELETE(request(`/api/me/sessions/${sessions[1].id}`, { method: 'DELETE', cookie: stranger.first }), params({ id: sessions[1].id })), 404);
    assert.equal((refused.error as { code: string }).code, 'not_found');
    assert.ok(await signedIn(first));
  });

  it('ending another session signs it out and closes its websocket at once; ending this one clears the cookie', async () => {
    const { email, first } = await account();
    const laptop = cookieFrom(await signIn(email, PASSWORD, 'Laptop'));
    assert.ok(laptop);
    const doc = await documentOfTheirOwn(first);
    const ws = openSocket(doc, first);
    await ws.opened;
    const other = (await list(laptop)).find((s) => !s.current);
    assert.ok(other);
    await json(await sessionRoute.DELETE(request(`/api/me/sessions/${other.id}`, { method: 'DELETE', cookie: laptop }), params({ id: other.id })), 200);
    assert.equal(await ws.closed, CloseCode.Unauthorized);
    assert.equal(await signedIn(first), false);
    assert.equal(await signedIn(laptop), true);
    const self = (await list(laptop))[0];
    const out = await sessionRoute.DELETE(request(`/api/me/sessions/${self.id}`, { method: 'DELETE', cookie: laptop }), params({ id: self.id }));
    await json(out.clone(), 200);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal(await signedIn(laptop), false);
  });

  it('"sign out everywhere else" ends every other session and keeps this one', async () => {
    const { email, first } = await account();
    const others = [cookieFrom(await signIn(email, PASSWORD, 'A')), cookieFrom(await signIn(email, PASSWORD, 'B'))];
    const ended = await json(await sessionsRoute.DELETE(request('/api/me/sessions', { method: 'DELETE', cookie: first })), 200);
    assert.equal(ended.ended, 2);
    for (const cookie of others) assert.equal(await signedIn(cookie ?? ''), false);
    assert.equal((await list(first)).length, 1);
  });

  it('a new password needs the current one, ends the other sessions (their websockets close), and keeps this one', async () => {
    const { email, first } = await account();
    const other = cookieFrom(await signIn(email, PASSWORD, 'Other'));
    assert.ok(other);
    const doc = await documentOfTheirOwn(first);
    const ws = openSocket(doc, other);
    await ws.opened;
    const change = (body: unknown, cookie = first) => passwordRoute.POST(request('/api/me/password', { body, cookie, headers: { 'x-forwarded-for': '192.0.2.10' } }));

    const wrong = await json(await change({ currentPassword: 'not it at all', newPassword: NEW_PASSWORD }), 403);
    assert.equal((wrong.error as { code: string }).code, 'wrong_password');
    const short = await json(await change({ currentPassword: PASSWORD, newPassword: 'short' }), 400);
    assert.match((short.error as { message: string }).message, /at least 10 characters/);
    assert.equal(await signedIn(other), true, 'nothing ended on a refused change');

    const done = await json(await change({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }), 200);
    assert.deepEqual(done, { changed: true, endedSessions: 1 });
    assert.equal(await ws.closed, CloseCode.Unauthorized);
    assert.equal(await signedIn(other), false);
    assert.equal(await signedIn(first), true);
    assert.equal((await signIn(email, PASSWORD, 'x')).status, 401, 'the old password no longer works');
    assert.equal((await signIn(email, NEW_PASSWORD, 'x')).status, 200);
    // Signed out: 401 JSON, not a crash.
    const anonymous = await json(await passwordRoute.POST(request('/api/me/password', { body: { currentPassword: 'x', newPassword: NEW_PASSWORD } })), 401);
    assert.equal((anonymous.error as { code: string }).code, 'unauthenticated');
  });

  it('the local user, who has no password, is told so', async () => {
    const response = await passwordRoute.POST(request('/api/me/password', { body: { currentPassword: 'anything', newPassword: NEW_PASSWORD }, cookie: server.cookie }));
    const body = await json(response, 400);
    assert.equal((body.error as { code: string }).code, 'no_password');
  });
});
