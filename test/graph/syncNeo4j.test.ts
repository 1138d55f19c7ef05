/**
 * The graph sync against the REAL Neo4j (TEST_NEO4J_URI): fails, never skips, when it is down.
 * The server is shared with other suites, so the outage is simulated by pointing the sync at a
 * port where nothing listens, then back; only this suite's fresh tenants are cleared.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BlockRepository } from '../../server/db/repos/blocks';
import { DocumentRepository } from '../../server/db/repos/documents';
import { removeBlockKnowledge } from '../../server/extraction/store';
import { openGraphStore, openGraphStoreLazily } from '../../server/graph/open';
import { GraphSync } from '../../server/graph/sync';
import type { GraphStore } from '../../server/graph/types';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { waitFor } from '../support/waitFor';
import { assertInSync, liveAtomCount, newTenant, paragraph, storeSyntheticAtoms, tamperEdgesAndReconcile, writeDocument } from './syncFixtures';

const NEO4J = { NEO4J_URI: process.env.TEST_NEO4J_URI ?? 'bolt://127.0.0.1:7687', NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'neo4j-password' };

/** A store whose calls go to `current`, switched by the test. */
function switchable(initial: GraphStore): { store: GraphStore; use(next: GraphStore): void } {
  let current = initial;
  const store = new Proxy(initial, {
    get(_target, key: keyof GraphStore) {
      const value = current[key];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
  return { store, use: (next) => { current = next; } };
}

describe('graph sync into the real Neo4j', { timeout: 300_000 }, () => {
  let t: TestDatabase;
  let neo4j: GraphStore;
  const tenants: string[] = [];

  before(async () => {
    t = await openTestDatabase();
    neo4j = await openGraphStore(NEO4J, t.db);
  });
  after(async () => {
    for (const tenantId of tenants) await neo4j.clearTenant(tenantId);
    await neo4j.close();
    await t.dispose();
  });

  it('a Quebec conflict between two documents reaches Neo4j, and the graph matches PostgreSQL', async () => {
    const tenantId = await newTenant(t.db);
    tenants.push(tenantId);
    await writeDocument(t.db, tenantId, 'Guide', ['In Quebec, the withholding rate is 10%.']);
    await writeDocument(t.db, tenantId, 'Memo', ['If the province is Quebec, the withholding rate must be 12%.']);
    await new GraphSync({ db: t.db, graph: neo4j }).drain();
    const conflicts = await neo4j.conflicts(tenantId);
    assert.equal(conflicts.length, 1, `one conflict: ${JSON.stringify(conflicts)}`);
    assert.match(conflicts[0].reason ?? '', /same condition, different withholding rate/);
    await assertInSync(t.db, neo4j, tenantId);
  });

  it('reconcile finds a wrong, a missing and two extra edges in Neo4j, and repairs exactly those', async () => {
    const tenantId = await newTenant(t.db);
    tenants.push(tenantId);
    await tamperEdgesAndReconcile(t.db, neo4j, new GraphSync({ db: t.db, graph: neo4j }), tenantId);
  });

  it('while Neo4j is unreachable 1,000 atoms change; once it is back the graph matches PostgreSQL exactly', async () => {
    const tenantId = await newTenant(t.db);
    const other = await newTenant(t.db);
    tenants.push(tenantId, other);
    const blocks = Array.from({ length: 60 }, (_, i) => paragraph(`block ${i}`, i));
    const documentId = await t.db.tx(async (tx) => {
      const document = await DocumentRepository.create(tx, tenantId, { title: 'Outage' });
      await BlockRepository.apply(tx, tenantId, document.id, blocks, [], null);
      return document.id;
    });
    for (const block of blocks.slice(0, 40)) await storeSyntheticAtoms(t.db, { tenantId, documentId, blockId: block.id }, 10, 'v1');
    const down = openGraphStoreLazily({ ...NEO4J, NEO4J_URI: 'bolt://127.0.0.1:1' }, t.db);
    const graph = switchable(neo4j);
    const sync = new GraphSync({ db: t.db, graph: graph.store, minBackoffMs: 50, maxBackoffMs: 400, pollMs: 50 });
    sync.start();
    try {
      await waitFor(async () => assert.equal((await sync.status()).pending, 0), { timeout: 60_000 });
      await assertInSync(t.db, neo4j, tenantId);

      graph.use(down);
      // 1,050 distinct atoms change: 30 blocks re-valued (300 new versions, 300 old ones deleted),
      // 10 blocks' knowledge removed (100), 20 new blocks of atoms (200), 15 of those re-valued (150).
      for (const block of [...blocks.slice(0, 20), ...blocks.slice(30, 40)]) await storeSyntheticAtoms(t.db, { tenantId, documentId, blockId: block.id }, 10, 'v2');
      for (const block of blocks.slice(20, 30)) await t.db.tx((tx) => removeBlockKnowledge(tx, tenantId, block.id));
      for (const block of blocks.slice(40, 60)) await storeSyntheticAtoms(t.db, { tenantId, documentId, blockId: block.id }, 10, 'v1');
      for (const block of blocks.slice(40, 55)) await storeSyntheticAtoms(t.db, { tenantId, documentId, blockId: block.id }, 10, 'v2');
      await t.db.tx((tx) => BlockRepository.apply(tx, tenantId, documentId, [], [blocks[59].id], null));
      await writeDocument(t.db, other, 'Other tenant', ['In Quebec, the withholding rate is 10%.']);
      const { rows } = await t.db.query<{ n: number }>(
        `SELECT count(DISTINCT entity_id)::int AS n FROM graph_outbox WHERE tenant_id = $1 AND entity_type = 'atom'`, [tenantId]);
      assert.ok(rows[0].n >= 1000, `at least 1,000 atoms changed during the outage (${rows[0].n})`);
      await waitFor(async () => {
        const status = await sync.status();
        assert.ok(status.retrying && status.pending > 0 && /ECONNREFUSED|connect/i.test(status.lastError ?? ''),
          `the sync is retrying and reports the outage: ${JSON.stringify(status)}`);
      }, { timeout: 20_000 });

      graph.use(neo4j);
      const started = performance.now();
      await waitFor(async () => assert.equal((await sync.status()).pending, 0, 'the outbox drained'), { timeout: 120_000, interval: 200 });
      process.stdout.write(`# caught up in ${Math.round(performance.now() - started)} ms\n`);
    } finally {
      await sync.stop();
      await down.close();
    }
    const counts = await neo4j.counts(tenantId);
    assert.equal(counts.nodes.Atom, await liveAtomCount(t.db, tenantId), 'as many Atom nodes as live atoms, none lost or duplicated');
    assert.equal(counts.nodes.Block, 59);
    await assertInSync(t.db, neo4j, tenantId);
    await assertInSync(t.db, neo4j, other);
    assert.equal(await neo4j.node(other, documentId), null, "tenant A's document is not under tenant B");
    assert.equal(await neo4j.node(tenantId, randomUUID()), null);
  });
});
