/**
 * Sign-up against someone who wants to learn who has an account: it answers alike (status, body,
 * time) for an email with an account and a new one, and leaves the existing account as it was.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../support/collab';
import { cookieFrom, request } from '../support/http';
import * as signupRoute from '../../app/api/auth/signup/route';
import * as signinRoute from '../../app/api/auth/signin/route';
import * as meRoute from '../../app/api/me/route';

const PASSWORD = 'correct horse battery';
const email = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;

const signIn = (address: string, from: string, password: string) =>
  signinRoute.POST(request('/api/auth/signin', { body: { email: address, password }, headers: { 'x-forwarded-for': from } }));
const signUp = (body: Record<string, string>, from = '198.51.100.7') =>
  signupRoute.POST(request('/api/auth/signup', { body, headers: { 'x-forwarded-for': from } }));

describe('sign-up does not say which emails have accounts', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  async function owner(): Promise<string> {
    const address = email('owner');
    const response = await signUp({ email: address, name: 'Owner', password: PASSWORD });
    assert.equal(response.status, 201);
    return address;
  }

  it('sign-up of an email with an account answers exactly as sign-up of a new one, and the owner keeps the account', async (t) => {
    const taken = await owner();
    const times: Record<'taken' | 'fresh', number[]> = { taken: [], fresh: [] };
    const answers: Array<{ status: number; body: unknown; cookie: boolean; kind: string }> = [];
    for (let i = 0; i < 4; i++) {
      for (const kind of ['taken', 'fresh'] as const) {
        const started = performance.now();
        const response = await signUp({ email: kind === 'taken' ? taken : email('fresh'), name: 'Intruder', password: 'intruder password', organisation: 'Evil' });
        times[kind].push(performance.now() - started);
        answers.push({ status: response.status, body: await response.json(), cookie: cookieFrom(response) !== null, kind });
      }
    }
    const [first] = answers;
    for (const answer of answers) {
      assert.equal(answer.status, first.status, `${answer.kind}: same status`);
      assert.deepEqual(answer.body, first.body, `${answer.kind}: same body`);
    }
    assert.ok(answers.filter((a) => a.kind === 'fresh').every((a) => a.cookie), 'a new email is signed in');
    assert.ok(answers.filter((a) => a.kind === 'taken').every((a) => !a.cookie), 'nobody is signed in to an existing account');
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const [takenMs, freshMs] = [median(times.taken), median(times.fresh)];
    t.diagnostic(`sign-up median: ${takenMs.toFixed(0)} ms with an account, ${freshMs.toFixed(0)} ms new (${times.taken.map(Math.round).join('/')} vs ${times.fresh.map(Math.round).join('/')})`);
    assert.ok(Math.abs(takenMs - freshMs) < 60, `median ${takenMs.toFixed(0)} ms for a taken email, ${freshMs.toFixed(0)} ms for a new one`);
    // The owner's account is untouched: same name, old password works, the intruder's does not.
    const owner200 = await signIn(taken, '192.0.2.46', PASSWORD);
    assert.equal(owner200.status, 200);
    const cookie = cookieFrom(owner200);
    assert.ok(cookie);
    const me = (await (await meRoute.GET(request('/api/me', { cookie }))).json()) as { account: { name: string }; organisations: unknown[] };
    assert.equal(me.account.name, 'Owner');
    assert.deepEqual(me.organisations, [], 'no organisation "Evil" was added to the account');
    assert.equal((await signIn(taken, '192.0.2.47', 'intruder password')).status, 401);
  });
});
