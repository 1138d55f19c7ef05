/**
 * Sign-in against someone who wants to lock an owner out: wrong passwords from many addresses
 * must not keep the owner (from an address of their own) out. And whose X-Forwarded-For counts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../support/collab';
import { cookieFrom, request } from '../support/http';
import { clientAddress, parseTrustProxy } from '../../server/http/clientAddress';
import { loadConfig } from '../../server/config';
import * as signupRoute from '../../app/api/auth/signup/route';
import * as signinRoute from '../../app/api/auth/signin/route';

const PASSWORD = 'correct horse battery';
const email = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;

const signIn = (address: string, from: string, password: string) =>
  signinRoute.POST(request('/api/auth/signin', { body: { email: address, password }, headers: { 'x-forwarded-for': from } }));
const signUp = (body: Record<string, string>, from = '198.51.100.7') =>
  signupRoute.POST(request('/api/auth/signup', { body, headers: { 'x-forwarded-for': from } }));

describe('sign-in throttling', { timeout: 120_000 }, () => {
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

  it("30 wrong passwords a minute from many addresses do not lock the owner out: the owner's sign-in from another address is 200", async () => {
    const victim = await owner();
    // Ten addresses, three guesses each, all inside one minute.
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => signIn(victim, `203.0.113.${1 + (i % 10)}`, `wrong password ${i}`).then((r) => r.status)),
    );
    assert.deepEqual([...new Set(statuses)], [401], 'every guess is just a wrong password');
    const started = Date.now();
    const response = await signIn(victim, '192.0.2.44', PASSWORD);
    const took = Date.now() - started;
    assert.equal(response.status, 200, await response.clone().text());
    assert.ok(cookieFrom(response), 'the owner is signed in');
    assert.ok(took < 3000, `the owner waited ${took} ms (a delay, not a wall)`);
  });

  it('30 wrong passwords from one address: that address is refused at once, the owner elsewhere is not', async () => {
    const victim = await owner();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signIn(victim, '203.0.113.99', `wrong ${i}`)).status);
    // Ten failures for one (email, address) pair, then 429 for that pair.
    assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429]);
    const refused = await signIn(victim, '203.0.113.99', PASSWORD);
    assert.equal(refused.status, 429, 'even the right password is refused from the guessing address');
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'rate_limited');
    assert.equal((await signIn(victim, '192.0.2.45', PASSWORD)).status, 200, 'the owner from another address gets in');
  });

  it('one address trying many emails is refused after RATE_LIMIT_AUTH_PER_MINUTE attempts', async () => {
    const from = `203.0.113.${100 + Math.floor(Math.random() * 100)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await signIn(email('nobody'), from, 'some password')).status);
    assert.deepEqual(statuses, [...Array(30).fill(401), 429]);
  });
});

describe('TRUST_PROXY: whose X-Forwarded-For is believed', () => {
  async function addressSeen(trust: string | undefined, forwardedFor?: string): Promise<string> {
    const resolve = parseTrustProxy(trust);
    const server = http.createServer((req, res) => res.end(clientAddress(req, resolve)));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
      return await response.text();
    } finally {
      server.close();
    }
  }

  it('unset: the socket peer, whatever X-Forwarded-For says', async () => {
    assert.equal(await addressSeen(undefined, '203.0.113.5'), '127.0.0.1');
    assert.equal(await addressSeen('0', '203.0.113.5'), '127.0.0.1');
  });

  it('loopback: the address the local proxy forwarded, but not what the client wrote before it', async () => {
    assert.equal(await addressSeen('loopback', '203.0.113.5'), '203.0.113.5');
    // A client sends "1.2.3.4"; the proxy appends the real peer: only the last untrusted hop counts.
    assert.equal(await addressSeen('loopback', '1.2.3.4, 203.0.113.5'), '203.0.113.5');
    assert.equal(await addressSeen('loopback'), '127.0.0.1');
  });

  it('a number of hops, and a list of subnets', async () => {
    assert.equal(await addressSeen('1', '1.2.3.4, 203.0.113.5'), '203.0.113.5');
    assert.equal(await addressSeen('2', '1.2.3.4, 203.0.113.5'), '1.2.3.4');
    assert.equal(await addressSeen('10.0.0.0/8, 127.0.0.1/32', '203.0.113.5'), '203.0.113.5');
    assert.equal(await addressSeen('10.0.0.0/8', '203.0.113.5'), '127.0.0.1', 'the peer is not one of the trusted proxies');
  });

  it('a value proxy-addr cannot read stops the server at start-up with a sentence', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'test', TRUST_PROXY: 'everyone' }), /TRUST_PROXY/);
    assert.equal(loadConfig({ NODE_ENV: 'test', TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY, 'loopback, 10.0.0.0/8');
  });
});
