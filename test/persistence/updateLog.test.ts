import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { UpdateLog } from '../../server/persistence/updateLog';
import { ensureLocalIdentity } from '../../server/db/repos/tenants';
import { DocumentRepository } from '../../server/db/repos/documents';
import { openTestDatabase } from '../support/db';

async function setup() {
  const test = await openTestDatabase();
  const { tenant } = await ensureLocalIdentity(test.db);
  const document = await DocumentRepository.create(test.db, tenant.id, {});
  return { ...test, tenantId: tenant.id, documentId: document.id, log: new UpdateLog(test.db) };
}

function typing(count: number, from = 0) {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const text = doc.getText('t');
  for (let i = from; i < from + count; i++) text.insert(text.length, `${i % 10}`);
  return { doc, updates };
}

describe('update log', () => {
  it('updates appended together commit in a few batches and load back in full', async () => {
    const { db, dispose, tenantId, documentId, log } = await setup();
    const { doc, updates } = typing(500);
    await Promise.all(updates.map((update) => log.append(tenantId, documentId, update)));
    assert.ok(log.stats.batches < 50, `group commit: ${log.stats.batches} batches for 500 updates`);
    assert.equal(log.stats.updates, 500);
    const loaded = new Y.Doc();
    Y.applyUpdate(loaded, (await log.load(documentId)).state);
    assert.equal(loaded.getText('t').toString(), doc.getText('t').toString());
    const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM yjs_updates');
    assert.equal(count.rows[0].n, 500);
    await dispose();
  });

  it('compaction folds the log into a snapshot without losing updates that arrive meanwhile', async () => {
    const { db, dispose, tenantId, documentId, log } = await setup();
    const { doc, updates } = typing(300);
    for (const update of updates.slice(0, 200)) await log.append(tenantId, documentId, update);
    // Appends race with compaction.
    const [folded] = await Promise.all([
      log.compact(documentId),
      ...updates.slice(200).map((update) => log.append(tenantId, documentId, update)),
    ]);
    assert.ok(folded >= 200);
    await log.drain();
    const loaded = new Y.Doc();
    Y.applyUpdate(loaded, (await log.load(documentId)).state);
    assert.equal(loaded.getText('t').toString(), doc.getText('t').toString());
    // A second compaction folds the rest; the log is then empty and the state unchanged.
    await log.compact(documentId);
    const remaining = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM yjs_updates');
    assert.equal(remaining.rows[0].n, 0);
    const again = new Y.Doc();
    Y.applyUpdate(again, (await log.load(documentId)).state);
    assert.equal(again.getText('t').toString(), doc.getText('t').toString());
    await dispose();
  });

  it('a failing database delays the append and retries instead of dropping it', async () => {
    const { db, dispose, tenantId, documentId } = await setup();
    let failures = 2;
    const flaky = {
      ...db,
      async query<T>(text: string, params?: unknown[]) {
        if (text.startsWith('INSERT INTO yjs_updates') && failures-- > 0) throw new Error('connection reset');
        return db.query<T>(text, params);
      },
    };
    const errors: number[] = [];
    const log = new UpdateLog(flaky, (_error, attempt) => errors.push(attempt));
    const { updates } = typing(3);
    await Promise.all(updates.map((update) => log.append(tenantId, documentId, update)));
    assert.deepEqual(errors, [1, 2]);
    const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM yjs_updates');
    assert.equal(count.rows[0].n, 3);
    await dispose();
  });
});
