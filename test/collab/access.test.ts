/** The collaboration server's access rules at the socket: sessions, message rate, local sign-in. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { connectClient, startTestServer, type TestServer } from '../support/collab';
import { request } from '../support/http';
import { waitFor } from '../support/waitFor';
import { CloseCode } from '../../lib/collab/closeCodes';
import * as localRoute from '../../app/api/auth/local/route';
import * as optionsRoute from '../../app/api/auth/options/route';

describe('collaboration server: message rate', () => {
  let server: TestServer;
  let documentId: string;
  before(async () => {
    server = await startTestServer({ auth: true, env: { RATE_LIMIT_WS_USER_PER_SECOND: '30' } });
    documentId = await server.createDocument();
  });
  after(() => server.close());

  it('a client over its messages per second is closed with 4529 and a reason; after the window the same user edits again', async () => {
    const calm = connectClient(server.wsUrl, documentId, { cookie: server.cookie });
    await calm.synced;
    const flood = new WebSocket(`${server.wsUrl}/${documentId}`, { headers: { cookie: server.cookie } });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => flood.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    await new Promise((resolve) => flood.once('message', resolve));
    const doc = new Y.Doc();
    doc.on('update', (update: Uint8Array) => {
      if (flood.readyState === flood.OPEN) flood.send(Buffer.concat([Buffer.from([0, 2]), lengthPrefixed(update)]));
    });
    for (let i = 0; i < 200; i++) doc.getText('t').insert(0, 'x');
    const { code, reason } = await closed;
    assert.equal(code, CloseCode.RateLimited);
    assert.match(reason, /Too many changes/);
    // The limit is per user and the calm client is the same user: after the window it edits again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    calm.doc.getText('t').insert(0, 'after the flood ');
    const check = connectClient(server.wsUrl, documentId, { cookie: server.cookie });
    await check.synced;
    await waitFor(() => assert.match(check.doc.getText('t').toString(), /after the flood/, 'the calm edit arrived'));
    calm.destroy();
    check.destroy();
    doc.destroy();
  });
});

/** varUint length + bytes, as lib0 encodes a Uint8Array (updates here are < 2^21 bytes). */
function lengthPrefixed(bytes: Uint8Array): Buffer {
  const length: number[] = [];
  let n = bytes.length;
  while (n > 0x7f) {
    length.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  length.push(n);
  return Buffer.concat([Buffer.from(length), Buffer.from(bytes)]);
}

describe('local sign-in', () => {
  for (const [setting, offered] of [['1', true], ['0', false]] as const) {
    it(`LOCAL_LOGIN=${setting} ${offered ? 'offers' : 'refuses (404)'} "Continue as local user"`, async () => {
      const server = await startTestServer({ env: { LOCAL_LOGIN: setting } });
      try {
        assert.equal((await (await optionsRoute.GET()).json()).localLogin, offered);
        const response = await localRoute.POST();
        assert.equal(response.status, offered ? 200 : 404);
        assert.equal(/kos_session=[^;]+;/.test(response.headers.get('set-cookie') ?? ''), offered, 'a session cookie only when offered');
      } finally {
        await server.close();
      }
    });
  }

  it('an unsigned-in request is 401, a request with a made-up session too', async () => {
    const server = await startTestServer();
    try {
      const { GET } = await import('../../app/api/documents/route');
      assert.equal((await GET(request('/api/documents'))).status, 401);
      assert.equal((await GET(request('/api/documents', { cookie: 'kos_session=made-up' }))).status, 401);
    } finally {
      await server.close();
    }
  });
});
