/**
 * Durable under load: a client sending edits as fast as it can never gets far ahead of the
 * update log. The server stops reading from it while the log is behind (backpressure), so a
 * kill -9 right after every client converged loses at most the last commit batch — and those
 * edits are still in the client, which sends them again when it reconnects.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebsocketProvider } from 'y-websocket';
import { connectClient, webSocketWithCookie } from '../support/collab';
import { createDocumentBeforeStart, freshServerEnvironment, spawnServer } from '../support/process';
import { waitFor } from '../support/waitFor';
import { openDatabase } from '../../server/db/client';

const EDITS = 30_000;
/** One commit batch (UpdateLog's maxBatch) and the rest of one socket read. */
const AT_MOST_BEHIND = 1_100;

describe('update log under a fast replay', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it(`${EDITS} edits sent as fast as possible, kill -9 at convergence: the log holds all but the last batch, and the reconnecting client restores the rest`, async () => {
    const { env: fresh, cleanup } = await freshServerEnvironment();
    cleanups.push(cleanup);
    const env: Record<string, string> = { ...fresh, RATE_LIMIT_WS_USER_PER_SECOND: '0', RATE_LIMIT_WS_TENANT_PER_SECOND: '0' };
    const { documentId, cookie } = await createDocumentBeforeStart(env);

    const first = await spawnServer(env);
    const writer = connectClient(first.wsUrl, documentId, { cookie });
    const probe = connectClient(first.wsUrl, documentId, { cookie });
    await Promise.all([writer.synced, probe.synced]);
    const text = writer.doc.getText('t');
    for (let i = 0; i < EDITS; i++) {
      text.insert(text.length, String.fromCharCode(97 + (i % 26))); // one update, one message per edit
      if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => assert.equal(probe.doc.getText('t').length, EDITS), { timeout: 120_000, interval: 5 });
    await first.kill('SIGKILL'); // right after convergence, no chance to flush
    writer.provider.destroy(); // the writer's doc keeps every edit, as a browser tab would
    probe.destroy();

    const db = await openDatabase(env);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM yjs_updates WHERE document_id = $1', [documentId]);
    await db.close();
    assert.ok(rows[0].n >= EDITS - AT_MOST_BEHIND, `the log held ${rows[0].n} of ${EDITS} updates relayed before the kill`);

    const second = await spawnServer(env);
    const reader = connectClient(second.wsUrl, documentId, { cookie });
    await reader.synced;
    assert.ok(reader.doc.getText('t').length >= EDITS - AT_MOST_BEHIND);
    // The writer comes back (as y-websocket does after a disconnect): nothing is lost.
    const back = new WebsocketProvider(second.wsUrl, documentId, writer.doc, {
      WebSocketPolyfill: webSocketWithCookie(cookie) as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    });
    await waitFor(() => assert.equal(reader.doc.getText('t').toString(), text.toString()), { timeout: 20_000 });

    const health = await fetch(`${second.url}/api/health`, { headers: { cookie } }).then((response) => response.json());
    assert.equal(typeof health.updateLog?.behindMs, 'number', 'health says how far the update log is behind');
    back.destroy();
    writer.doc.destroy();
    reader.destroy();
    await second.kill('SIGTERM');
  });
});
