/**
 * Production splits the server in two processes on one PostgreSQL database: `--role=collab`
 * (relay, update log, `blocks` projection) and `--role=worker` (extraction queue, graph sync),
 * which hears the collab process over Redis. PGlite admits one process, so this runs on
 * PostgreSQL only.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import * as Y from 'yjs';
import { connectClient } from '../support/collab';
import { createSession } from '../../server/auth/accounts';
import { SESSION_COOKIE } from '../../server/http/cookies';
import { createPostgresDatabase, testDbKind } from '../support/db';
import { spawnServer } from '../support/process';
import { waitFor } from '../support/waitFor';
import { openDatabase, type Database } from '../../server/db/client';
import { migrate } from '../../server/db/migrate';
import { ensureLocalIdentity } from '../../server/db/repos/tenants';
import { DocumentRepository } from '../../server/db/repos/documents';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = path.resolve(import.meta.dirname, '../..');

/** `server/main.ts --role=worker`, resolved once it says it runs; returns a function that stops it. */
async function spawnWorker(env: Record<string, string>): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--role=worker'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`worker did not start in 60 s\n${stderr}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!stdout.includes('KOS_WORKER_READY')) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}\n${stderr}`));
    });
  });
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

function paragraph(id: string, text: string): Y.XmlElement {
  const element = new Y.XmlElement('paragraph');
  element.setAttribute('id', id);
  element.insert(0, [new Y.XmlText(text)]);
  return element;
}

/** What the background work has produced for one block. */
async function knowledgeOf(db: Database, blockId: string) {
  const count = async (sql: string) => (await db.query<{ n: number }>(sql, [blockId])).rows[0].n;
  return {
    row: await count('SELECT count(*)::int AS n FROM blocks WHERE id = $1'),
    atoms: await count(`SELECT count(*)::int AS n FROM annotations WHERE block_id = $1 AND knowledge_type = 'atom'`),
    graphNode: await count(`SELECT count(*)::int AS n FROM graph_nodes WHERE id = $1::text AND label = 'Block'`),
    outbox: await count('SELECT count(*)::int AS n FROM graph_outbox WHERE entity_id = $1'),
  };
}

describe('collab and worker processes', { skip: testDbKind() !== 'postgres' && 'two processes share only a real PostgreSQL', timeout: 120_000 }, () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('the worker extracts and syncs to the graph the edits that the collab process serves', async () => {
    const { url, drop } = await createPostgresDatabase();
    cleanups.push(drop);
    // NEO4J_URI empty: the graph is the database's own tables, which this test reads.
    const env = { DATABASE_URL: url, REDIS_URL, NEO4J_URI: '' };
    const db = await openDatabase(env);
    cleanups.push(() => db.close());
    await migrate(db);
    const { tenant, user } = await ensureLocalIdentity(db);
    const { id: documentId } = await DocumentRepository.create(db, tenant.id, {});
    const cookie = `${SESSION_COOKIE}=${await createSession(db, user.accountId, tenant.id)}`;

    const collab = await spawnServer(env, 'collab');
    cleanups.push(() => collab.kill('SIGTERM'));
    const client = connectClient(collab.wsUrl, documentId, { cookie });
    cleanups.push(async () => client.destroy());
    await client.synced;
    const fragment = client.doc.getXmlFragment('default');

    // The collab process alone: the edit reaches its `blocks` row and the graph outbox, no further.
    const first = '7b0c6a0e-0000-4000-8000-0000000000a1';
    fragment.push([paragraph(first, 'In Quebec, the withholding rate is 10% for amounts over $5,000.')]);
    await waitFor(
      async () => {
        const found = await knowledgeOf(db, first);
        assert.deepEqual({ row: found.row, atoms: found.atoms, graphNode: found.graphNode }, { row: 1, atoms: 0, graphNode: 0 });
        assert.ok(found.outbox > 0, 'the change waits in the graph outbox');
      },
      { timeout: 10_000 },
    );
    const queue = await db.query(`SELECT state FROM extraction_status`);
    assert.deepEqual(queue.rows, [], 'the collab process never queued an extraction');

    // The worker catches up with what was projected before it started…
    const stopWorker = await spawnWorker(env);
    cleanups.push(stopWorker);
    await waitFor(
      async () => {
        const found = await knowledgeOf(db, first);
        assert.ok(found.atoms > 0, 'atoms extracted');
        assert.deepEqual({ graphNode: found.graphNode, outbox: found.outbox }, { graphNode: 1, outbox: 0 });
      },
      { timeout: 30_000, interval: 100 },
    );

    // …and, with both running, handles a new edit as it is projected.
    const second = '7b0c6a0e-0000-4000-8000-0000000000a2';
    fragment.push([paragraph(second, 'The deposit is due within 30 days and costs $250.')]);
    await waitFor(
      async () => {
        const found = await knowledgeOf(db, second);
        assert.ok(found.atoms > 0, 'atoms extracted');
        assert.deepEqual({ row: found.row, graphNode: found.graphNode, outbox: found.outbox }, { row: 1, graphNode: 1, outbox: 0 });
      },
      { timeout: 30_000, interval: 100 },
    );
  });
});
