/**
 * Issue 21: the collaboration upgrade checks Origin like REST does. A page of another site
 * (another host, another port of this one) that holds the Lax session cookie gets a 403 before
 * the upgrade and not one byte of the document; this site's pages and non-browser clients (no
 * Origin) sync as before. Runs the real entry point (server/main.ts), where the check lives.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { createDocumentBeforeStart, freshServerEnvironment, spawnServer, type ServerProcess } from '../support/process';
import { waitFor } from '../support/waitFor';
import { YDOC_FIELD } from '../../lib/blocks/types';

const SECRET = 'The withholding rate for Quebec is 10% (secret).';

/** A websocket that sends these headers on its handshake, as a browser page of `origin` would. */
function webSocketWith(headers: Record<string, string>) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  };
}

function syncedClient(server: ServerProcess, documentId: string, headers: Record<string, string>) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(server.wsUrl, documentId, doc, {
    WebSocketPolyfill: webSocketWith(headers) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  const synced = new Promise<void>((resolve) => provider.once('sync', (isSynced: boolean) => isSynced && resolve()));
  return { doc, synced, destroy: () => (provider.destroy(), doc.destroy()) };
}

/** What a handshake with these headers got: the HTTP status if refused, and every byte of every message. */
async function handshake(server: ServerProcess, documentId: string, headers: Record<string, string>) {
  const ws = new WebSocket(`${server.wsUrl}/${documentId}`, { headers });
  let bytes = 0;
  let opened = false;
  ws.on('message', (data: Buffer) => (bytes += data.length));
  ws.on('open', () => {
    opened = true;
    // Were it let in, it would say it has nothing, so the server answered with the whole document.
    ws.send(Buffer.from([0, 0, 1, 0]));
  });
  const status = await new Promise<number | null>((resolve) => {
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    ws.on('error', () => resolve(null));
    ws.on('open', () => setTimeout(() => resolve(101), 1000));
  });
  ws.terminate();
  return { status, opened, bytes };
}

describe('collaboration upgrade: Origin', () => {
  let server: ServerProcess;
  let documentId: string;
  let cookie: string;
  let cleanup: () => Promise<void> = async () => {};

  before(async () => {
    const fresh = await freshServerEnvironment();
    const { env } = fresh;
    cleanup = fresh.cleanup;
    ({ documentId, cookie } = await createDocumentBeforeStart(env));
    server = await spawnServer(env);
  });
  after(async () => {
    await server?.kill();
    await cleanup();
  });

  it('a page of this site syncs and writes', async () => {
    const writer = syncedClient(server, documentId, { cookie, origin: server.url });
    await writer.synced;
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText(SECRET)]);
    writer.doc.getXmlFragment(YDOC_FIELD).push([paragraph]);
    const reader = syncedClient(server, documentId, { cookie, origin: server.url });
    await reader.synced;
    await waitFor(() => assert.match(reader.doc.getXmlFragment(YDOC_FIELD).toString(), /secret/, 'the paragraph reached another same-origin client'));
    writer.destroy();
    reader.destroy();
  });

  for (const [what, origin] of [
    ['another site', 'http://evil.example'],
    ['another port of this host', () => `http://127.0.0.1:${Number(new URL(server.url).port) + 1}`],
    ['an opaque origin ("null")', 'null'],
  ] as const) {
    it(`a page of ${what} with a valid cookie is refused with 403 before the upgrade: 0 document bytes`, async () => {
      const answer = await handshake(server, documentId, { cookie, origin: typeof origin === 'string' ? origin : origin() });
      assert.deepEqual(answer, { status: 403, opened: false, bytes: 0 });
    });
  }

  it('a client without Origin (not a browser) still needs its cookie, and with it syncs', async () => {
    const anonymous = await handshake(server, documentId, {});
    assert.equal(anonymous.bytes, 0, 'no cookie, no document');
    const client = syncedClient(server, documentId, { cookie });
    await client.synced;
    assert.match(client.doc.getXmlFragment(YDOC_FIELD).toString(), /secret/);
    client.destroy();
  });
});
