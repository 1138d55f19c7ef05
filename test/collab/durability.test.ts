import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { connectClient } from '../support/collab';
import { createPostgresDatabase, testDbKind } from '../support/db';
import { createDocumentBeforeStart, spawnServer } from '../support/process';
import { waitFor } from '../support/waitFor';
import { openDatabase } from '../../server/db/client';

/** Environment of a server process with its own fresh database of the kind under test. */
async function freshEnvironment() {
  if (testDbKind() === 'postgres') {
    const { url, drop } = await createPostgresDatabase();
    return { env: { DATABASE_URL: url }, cleanup: drop };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kos-durability-'));
  return { env: { DATABASE_URL: '', DATA_DIR: dir }, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}


describe('durability', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('a server killed with SIGKILL 200 ms after 1,000 updates comes back with all 1,000', async () => {
    const { env, cleanup } = await freshEnvironment();
    cleanups.push(cleanup);
    const { documentId, cookie } = await createDocumentBeforeStart(env);

    const first = await spawnServer(env);
    const writer = connectClient(first.wsUrl, documentId, { cookie });
    await writer.synced;
    const list = writer.doc.getArray<number>('keystrokes');
    for (let i = 0; i < 1000; i++) list.push([i]); // 1,000 separate updates, each its own message
    // Wait until the server has received them all (its SyncStep2 answer reflects its state)…
    const probe = connectClient(first.wsUrl, documentId, { cookie });
    await probe.synced;
    await waitFor(() => assert.equal(probe.doc.getArray('keystrokes').length, 1000), { timeout: 10_000 });
    // …then 200 ms later, kill it without any chance to flush.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await first.kill('SIGKILL');
    writer.destroy();
    probe.destroy();

    const second = await spawnServer(env);
    const reader = connectClient(second.wsUrl, documentId, { cookie });
    await reader.synced;
    const values = reader.doc.getArray<number>('keystrokes').toArray();
    assert.equal(values.length, 1000);
    assert.deepEqual(values, Array.from({ length: 1000 }, (_, i) => i));
    reader.destroy();
    await second.kill('SIGTERM');
  });

  it('a clean restart keeps the blocks rows and the text', async () => {
    const { env, cleanup } = await freshEnvironment();
    cleanups.push(cleanup);
    const { documentId, cookie } = await createDocumentBeforeStart(env);
    const server = await spawnServer(env);
    const client = connectClient(server.wsUrl, documentId, { cookie });
    await client.synced;
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.setAttribute('id', '7b0c6a0e-0000-4000-8000-000000000001');
    paragraph.insert(0, [new Y.XmlText('Survives a restart')]);
    client.doc.getXmlFragment('default').push([paragraph]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    client.destroy();
    await server.kill('SIGTERM'); // flushes the projection on the way out

    const db = await openDatabase(env);
    const { rows } = await db.query<{ content: { rich_text: Array<{ text: string }> } }>(
      'SELECT content FROM blocks WHERE document_id = $1',
      [documentId],
    );
    await db.close();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].content.rich_text[0].text, 'Survives a restart');
  });

  it('edits received but not yet projected when the server was killed reach the blocks rows at the next start, unopened', async () => {
    const { env, cleanup } = await freshEnvironment();
    cleanups.push(cleanup);
    const { documentId, cookie } = await createDocumentBeforeStart(env);
    // A projection that waits 10 s: the edit is durable long before its rows would be written.
    const first = await spawnServer({ ...env, PROJECTION_DEBOUNCE_MS: '10000', PROJECTION_MAX_WAIT_MS: '10000' });
    const writer = connectClient(first.wsUrl, documentId, { cookie });
    const probe = connectClient(first.wsUrl, documentId, { cookie });
    await Promise.all([writer.synced, probe.synced]);
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.setAttribute('id', '7b0c6a0e-0000-4000-8000-000000000002');
    paragraph.insert(0, [new Y.XmlText('Typed just before the crash')]);
    writer.doc.getXmlFragment('default').push([paragraph]);
    // The server has it (it relayed it to the probe) and has committed it (well within 1 s).
    await waitFor(() => assert.equal(probe.doc.getXmlFragment('default').length, 1, 'relayed'), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await first.kill('SIGKILL');
    writer.destroy();
    probe.destroy();

    const rows = async () => {
      const db = await openDatabase(env);
      const { rows } = await db.query<{ content: { rich_text: Array<{ text: string }> } }>('SELECT content FROM blocks WHERE document_id = $1', [documentId]);
      await db.close();
      return rows;
    };
    assert.equal((await rows()).length, 0, 'the killed server had not projected the edit');
    const second = await spawnServer(env); // nobody connects to the document
    await second.kill('SIGTERM');
    const after = await rows();
    assert.equal(after.length, 1);
    assert.equal(after[0].content.rich_text[0].text, 'Typed just before the crash');
  });
});
