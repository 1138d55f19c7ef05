/**
 * The graph sync against the PostgreSQL graph store (run on PGlite and PostgreSQL): outbox rows
 * written with the changes, drained into nodes and edges that match PostgreSQL exactly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { inProcessBus } from '../../server/bus';
import { BlockRepository } from '../../server/db/repos/blocks';
import { DocumentRepository } from '../../server/db/repos/documents';
import { recordChange } from '../../server/db/repos/graphOutbox';
import { extractDocument } from '../../server/extraction/pipeline';
import { ruleExtractor } from '../../server/extraction/ruleExtractor';
import { createPgGraphStore } from '../../server/graph/pgStore';
import { compareGraph, rebuild, reconcile } from '../../server/graph/reconcile';
import { GraphSync } from '../../server/graph/sync';
import { MoleculeRepository } from '../../server/graph/repositories';
import { writeBlocks } from '../../server/projection/blockWrite';
import type { ProjectedBlock } from '../../lib/blocks/types';
import type { GraphStore } from '../../server/graph/types';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { waitFor } from '../support/waitFor';
import { assertInSync, newTenant, paragraph, tamperEdgesAndReconcile, writeDocument } from './syncFixtures';

const QUEBEC_10 = 'In Quebec, the withholding rate is 10%.';
const QUEBEC_12 = 'If the province is Quebec, the withholding rate must be 12%.';

describe('graph sync (PostgreSQL graph store)', { timeout: 120_000 }, () => {
  let t: TestDatabase;
  let graph: GraphStore;
  let sync: GraphSync;

  before(async () => {
    t = await openTestDatabase();
    graph = createPgGraphStore(t.db);
    sync = new GraphSync({ db: t.db, graph });
  });
  after(async () => {
    await sync.stop();
    await t.dispose();
  });

  it('a new document, its blocks, atoms and molecules reach the graph with their edges', async () => {
    const tenantId = await newTenant(t.db);
    const { documentId, blockIds } = await writeDocument(t.db, tenantId, 'RRSP guide', [QUEBEC_10, 'Plain words here.']);
    assert.ok((await sync.status()).pending > 0, 'the changes are in the outbox');
    await sync.drain();
    assert.equal((await sync.status(tenantId)).pending, 0);
    const counts = await graph.counts(tenantId);
    assert.equal(counts.nodes.Document, 1);
    assert.equal(counts.nodes.Block, 2);
    assert.ok(counts.nodes.Atom >= 2, 'atoms are nodes');
    assert.ok(counts.nodes.Molecule >= 1, 'molecules are nodes');
    assert.equal(counts.edges.PART_OF_DOCUMENT, 2);
    assert.ok(counts.edges.PART_OF >= 2, 'atoms are PART_OF their molecule');
    assert.ok(counts.edges.APPEARS_IN >= 3, 'atoms and molecules APPEAR_IN the document');
    assert.equal((await graph.node(tenantId, documentId))?.props.title, 'RRSP guide');
    assert.equal((await graph.node(tenantId, blockIds[0]))?.props.blockType, 'paragraph');
    const { rows } = await t.db.query<{ id: string }>(`SELECT id FROM atoms WHERE tenant_id = $1 AND canonical = '10%'`, [tenantId]);
    const rate = await graph.node(tenantId, rows[0].id);
    assert.deepEqual([rate?.label, rate?.props.type, rate?.props.value, rate?.props.canonical], ['Atom', 'NumberAtom', 0.1, '10%']);
    const { rows: states } = await t.db.query<{ status: string; checksum: string }>(
      `SELECT sync_status AS status, neo4j_checksum AS checksum FROM sync_state WHERE tenant_id = $1 AND entity_id = $2`, [tenantId, rows[0].id]);
    assert.equal(states[0].status, 'synced');
    assert.equal(states[0].checksum.length, 64);
    await assertInSync(t.db, graph, tenantId);
  });

  it('edits, reorders, deletions and a trashed document follow in the graph', async () => {
    const tenantId = await newTenant(t.db);
    const { documentId, blockIds } = await writeDocument(t.db, tenantId, 'Memo', [QUEBEC_10, 'The fee is $5,000.', 'Third.']);
    await sync.drain();
    const [first, second, third] = blockIds;
    // Edit (10% -> 11%), reorder (third first), delete the second block.
    await t.db.tx((tx) => BlockRepository.apply(tx, tenantId, documentId,
      [paragraph('In Quebec, the withholding rate is 11%.', 1, first), paragraph('Third.', 0, third)], [second], null));
    await extractDocument(t.db, ruleExtractor, tenantId, documentId);
    await sync.drain();
    assert.equal((await graph.node(tenantId, second)), null, 'the deleted block left the graph');
    assert.equal((await graph.node(tenantId, third))?.props.position, 0, 'the reorder reached the graph');
    const { rows } = await t.db.query<{ canonical: string }>(
      `SELECT canonical FROM atoms WHERE tenant_id = $1 AND deleted_at IS NULL AND atom_type = 'NumberAtom'`, [tenantId]);
    assert.deepEqual(rows.map((r) => r.canonical), ['11%']);
    const atoms = await graph.listNodes(tenantId, null, 1000);
    assert.deepEqual(atoms.filter((n) => n.label === 'Atom' && n.props.type === 'NumberAtom').map((n) => n.props.canonical), ['11%']);
    await assertInSync(t.db, graph, tenantId);

    await t.db.tx((tx) => DocumentRepository.trash(tx, tenantId, documentId));
    await sync.drain();
    const counts = await graph.counts(tenantId);
    assert.equal(counts.nodes.Document, 0);
    assert.equal(counts.nodes.Block, 0, 'blocks of a trashed document leave with it');
    await assertInSync(t.db, graph, tenantId);
  });

  it("the editor's writes queue only blocks whose graph node changes: typed text none; a new, retyped, moved and deleted block each", async () => {
    const tenantId = await newTenant(t.db);
    const { id: documentId } = await DocumentRepository.create(t.db, tenantId, { title: 'Typing' });
    const write = (upserts: ProjectedBlock[], deletes: string[] = []) =>
      writeBlocks(t.db, { tenantId, documentId, upserts, deletes, title: undefined });
    const queued = async () => (await t.db.query<{ id: string }>(
      `SELECT entity_id AS id FROM graph_outbox WHERE tenant_id = $1 AND entity_type = 'block' ORDER BY 1`, [tenantId])).rows.map((row) => row.id);
    const [a, b, c] = ['First.', 'Second.', 'Third.'].map((text, i) => paragraph(text, i));
    await write([a, b, c]);
    assert.equal((await queued()).length, 3, 'new blocks are queued');
    await sync.drain();

    await write([paragraph('First, edited.', 0, a.id), paragraph('Second, edited.', 1, b.id)]);
    assert.deepEqual(await queued(), [], 'typing changes no Block node');

    const d = paragraph('Fourth.', 3);
    await write([{ ...paragraph('First, edited.', 1, a.id), blockType: 'heading_1' as const }, paragraph('Third.', 0, c.id), d], [b.id]);
    assert.deepEqual(await queued(), [a.id, b.id, c.id, d.id].sort());
    await sync.drain();
    assert.equal((await graph.node(tenantId, a.id))?.props.blockType, 'heading_1');
    assert.equal((await graph.node(tenantId, c.id))?.props.position, 0);
    assert.equal(await graph.node(tenantId, b.id), null);
    assert.equal((await graph.node(tenantId, d.id))?.label, 'Block');
    await assertInSync(t.db, graph, tenantId);
  });

  it('the same Quebec condition at 10% and at 12% in two documents CONFLICTS_WITH, and the Quebec atoms are RELATED_TO', async () => {
    const tenantId = await newTenant(t.db);
    await writeDocument(t.db, tenantId, 'Guide', [QUEBEC_10]);
    const memo = await writeDocument(t.db, tenantId, 'Memo', [QUEBEC_12]);
    await sync.drain();
    const conflicts = await graph.conflicts(tenantId);
    assert.equal(conflicts.length, 1, `one conflict: ${JSON.stringify(conflicts)}`);
    assert.match(conflicts[0].reason ?? '', /^same condition, different withholding rate: (10% vs 12%|12% vs 10%)$/);
    assert.equal(conflicts[0].severity, 'high', 'the 12% rule is enforced as block');
    assert.equal((await graph.conflicts(tenantId, memo.documentId)).length, 1);
    const { rows } = await t.db.query<{ id: string }>(`SELECT id FROM atoms WHERE tenant_id = $1 AND canonical = 'Quebec' ORDER BY id LIMIT 1`, [tenantId]);
    const related = await graph.related(tenantId, rows[0].id);
    assert.ok(related.some((r) => r.type === 'same_value'), `Quebec is related across documents: ${JSON.stringify(related)}`);
    await assertInSync(t.db, graph, tenantId);

    // Changing the memo to 10% ends the conflict.
    await t.db.tx((tx) => BlockRepository.apply(tx, tenantId, memo.documentId, [paragraph('If the province is Quebec, the withholding rate must be 10%.', 0, memo.blockIds[0])], [], null));
    await extractDocument(t.db, ruleExtractor, tenantId, memo.documentId);
    await sync.drain();
    assert.deepEqual(await graph.conflicts(tenantId), []);
    await assertInSync(t.db, graph, tenantId);
  });

  it('repeated rules are compared as variants: 40 copies at 10% and 12% and a copy of the document give one conflict, kept when its oldest rule goes', async () => {
    const tenantId = await newTenant(t.db);
    const first = await writeDocument(t.db, tenantId, 'First', [QUEBEC_12]);
    const texts = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? QUEBEC_10 : QUEBEC_12));
    await writeDocument(t.db, tenantId, 'Handbook', texts);
    const copy = await writeDocument(t.db, tenantId, 'Handbook (copy)', texts);
    await sync.drain();
    // All pairs would be 41 x 40 conflicting rules; the variants are two.
    const conflicts = await graph.conflicts(tenantId);
    assert.equal(conflicts.length, 1, `one conflict: ${JSON.stringify(conflicts)}`);
    const inCopy = await new MoleculeRepository({ db: t.db, graph }).conflicts(tenantId, copy.documentId);
    assert.equal(inCopy?.conflicts.length, 1, `the copy sees the conflict between its own rules: ${JSON.stringify(inCopy?.conflicts)}`);
    assert.deepEqual(new Set(inCopy?.nodes.map((node) => node.documentId)), new Set([copy.documentId]));
    await assertInSync(t.db, graph, tenantId);

    // The oldest 12% rule goes: the next oldest represents the variant, and the conflict stays.
    const { rows: [oldest] } = await t.db.query<{ id: string }>(
      `SELECT knowledge_id AS id FROM annotations WHERE tenant_id = $1 AND document_id = $2 AND knowledge_type = 'molecule'`, [tenantId, first.documentId]);
    assert.ok([conflicts[0].sourceId, conflicts[0].targetId].includes(oldest.id), 'the oldest 12% rule represents its variant');
    await t.db.tx((tx) => BlockRepository.apply(tx, tenantId, first.documentId, [paragraph('Plain words here.', 0, first.blockIds[0])], [], null));
    await extractDocument(t.db, ruleExtractor, tenantId, first.documentId);
    await sync.drain();
    const after = await graph.conflicts(tenantId);
    assert.equal(after.length, 1, `still one conflict: ${JSON.stringify(after)}`);
    assert.ok(![after[0].sourceId, after[0].targetId].includes(oldest.id), 'the deleted rule is no longer an end of it');
    await assertInSync(t.db, graph, tenantId);
  });

  it('retries with back-off while the graph store fails, then catches up with nothing lost', async () => {
    const tenantId = await newTenant(t.db);
    let failures = 3;
    const flaky: GraphStore = new Proxy(graph, {
      get(target, key: keyof GraphStore) {
        const value = target[key];
        if (typeof value !== 'function' || key === 'close') return value;
        return (...args: unknown[]) => {
          if (failures > 0) {
            failures--;
            return Promise.reject(new Error('graph store down (simulated)'));
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const worker = new GraphSync({ db: t.db, graph: flaky, minBackoffMs: 20, maxBackoffMs: 200, pollMs: 20 });
    await writeDocument(t.db, tenantId, 'Flaky', [QUEBEC_10]);
    worker.start();
    try {
      await waitFor(async () => assert.equal((await worker.status()).pending, 0), { timeout: 15_000 });
      const status = await worker.status();
      assert.match(status.lastError ?? '', /simulated/);
      assert.equal(status.retrying, false);
      assert.equal(failures, 0);
    } finally {
      await worker.stop();
    }
    await assertInSync(t.db, graph, tenantId);
  });

  it('an edge write that fails leaves nothing of its batch in sync_state and the batch in the outbox; the retry completes it', async () => {
    await sync.drain();
    const tenantId = await newTenant(t.db);
    await writeDocument(t.db, tenantId, 'Edges fail', [QUEBEC_10]);
    let failing = true;
    const store: GraphStore = new Proxy(graph, {
      get(target, key: keyof GraphStore) {
        const value = target[key];
        if (typeof value !== 'function') return value;
        if (key !== 'replaceEdges') return value.bind(target);
        // Fails after a while, so sync_state is written (on PostgreSQL, alongside) before it does.
        return (...args: Parameters<GraphStore['replaceEdges']>) => failing
          ? new Promise((_, reject) => setTimeout(() => reject(new Error('edges down (simulated)')), 100))
          : target.replaceEdges(...args);
      },
    });
    const worker = new GraphSync({ db: t.db, graph: store });
    await assert.rejects(worker.syncBatch(), /edges down/);
    // The tenant is new: had the batch's sync_state been kept, it would record the new links as
    // synced (or, once marked failed, as the links to recompute next time), losing the old ones.
    const { rows: [{ recorded }] } = await t.db.query<{ recorded: number }>(
      'SELECT count(*)::int AS recorded FROM sync_state WHERE tenant_id = $1', [tenantId]);
    assert.equal(recorded, 0, 'nothing of the failed batch is recorded in sync_state');
    assert.ok((await worker.status(tenantId)).pending > 0, 'the batch stays in the outbox');
    failing = false;
    await worker.drain();
    await assertInSync(t.db, graph, tenantId);
  });

  it('wakes on the bus instead of waiting for its poll', async () => {
    const tenantId = await newTenant(t.db);
    const bus = inProcessBus();
    const worker = new GraphSync({ db: t.db, graph, bus, pollMs: 60_000 });
    worker.start();
    try {
      await waitFor(async () => assert.equal((await worker.status()).pending, 0));
      const documentId = await t.db.tx(async (tx) => (await DocumentRepository.create(tx, tenantId, { title: 'Woken' })).id);
      await bus.publish({ type: 'knowledge.changed', tenantId, documentId, status: 'idle' });
      await waitFor(async () => assert.equal((await graph.node(tenantId, documentId))?.props.title, 'Woken'), { timeout: 3000 });
    } finally {
      await worker.stop();
      await bus.close();
    }
  });

  it("keeps tenants apart: tenant A's changes never appear under tenant B", async () => {
    const tenantA = await newTenant(t.db);
    const tenantB = await newTenant(t.db);
    const a = await writeDocument(t.db, tenantA, 'A', [QUEBEC_10]);
    await writeDocument(t.db, tenantB, 'B', [QUEBEC_12]);
    await sync.drain();
    assert.equal(await graph.node(tenantB, a.documentId), null);
    assert.deepEqual(await graph.conflicts(tenantB), [], 'no conflict across tenants');
    assert.equal((await graph.counts(tenantB)).nodes.Document, 1);
    await assertInSync(t.db, graph, tenantA);
    await assertInSync(t.db, graph, tenantB);
  });

  it('reconcile repairs drift and rebuild re-creates the graph', async () => {
    const tenantId = await newTenant(t.db);
    const { documentId, blockIds } = await writeDocument(t.db, tenantId, 'Drift', [QUEBEC_10, QUEBEC_12]);
    await sync.drain();
    await graph.deleteNodes(tenantId, [blockIds[0]]);
    await graph.upsertNodes(tenantId, [{ label: 'Document', id: documentId, props: { title: 'tampered' } }, { label: 'Atom', id: randomUUID(), props: {} }]);
    const drift = await compareGraph(t.db, graph, tenantId);
    assert.deepEqual([drift.inSync, drift.nodes.missing, drift.nodes.different, drift.nodes.extra.length], [false, [blockIds[0]], [documentId], 1]);
    assert.deepEqual(drift.edges.missing, [`${blockIds[0]} PART_OF_DOCUMENT ${documentId}`], 'the deleted block took its edge along');
    await reconcile(t.db, graph, tenantId);
    await sync.drain();
    await assertInSync(t.db, graph, tenantId);
    assert.ok((await rebuild(t.db, graph, tenantId)) > 4, 'rebuild enqueues every entity');
    assert.equal((await graph.counts(tenantId)).nodes.Document, 0, 'rebuild cleared the graph');
    await sync.drain();
    await assertInSync(t.db, graph, tenantId);
  });

  it('reconcile finds a wrong, a missing and two extra edges, and repairs exactly those', async () => {
    await tamperEdgesAndReconcile(t.db, graph, sync, await newTenant(t.db));
  });

  it('two workers on one outbox never sync one tenant at once, never apply an older state after a newer one, and end equal to PostgreSQL', async () => {
    await sync.drain();
    const tenants = [await newTenant(t.db), await newTenant(t.db), await newTenant(t.db)];
    const watched = await writeDocument(t.db, tenants[0], 'Watched', [QUEBEC_10]);
    const { rows: [atom] } = await t.db.query<{ id: string }>(
      `SELECT id FROM atoms WHERE tenant_id = $1 AND canonical = '10%'`, [tenants[0]]);
    const writing = new Map<string, number>();
    let overlaps = 0;
    const versions: unknown[] = [];
    // Each worker gets its own view of the store that counts its writes and notes when two
    // writes for one tenant are in flight at once (a short pause widens that window).
    const recorder = (calls: { count: number }): GraphStore => new Proxy(graph, {
      get(target, key: keyof GraphStore) {
        const value = target[key];
        if (typeof value !== 'function' || !['upsertNodes', 'deleteNodes', 'replaceEdges'].includes(key)) return value;
        return async (tenantId: string, arg: unknown) => {
          calls.count++;
          writing.set(tenantId, (writing.get(tenantId) ?? 0) + 1);
          if ((writing.get(tenantId) ?? 0) > 1) overlaps++;
          try {
            await new Promise((resolve) => setTimeout(resolve, 3));
            if (key === 'upsertNodes' && Array.isArray(arg)) {
              for (const node of arg) if (node.id === atom.id) versions.push(node.props.version);
            }
            return await (value as (...a: unknown[]) => Promise<unknown>).call(target, tenantId, arg);
          } finally {
            writing.set(tenantId, (writing.get(tenantId) ?? 1) - 1);
          }
        };
      },
    });
    const calls = [{ count: 0 }, { count: 0 }];
    const workers = calls.map((count) => new GraphSync({ db: t.db, graph: recorder(count), batchSize: 4, pollMs: 5 }));
    for (const worker of workers) worker.start();
    try {
      for (let i = 0; i < 15; i++) {
        await t.db.tx(async (tx) => {
          await tx.query('UPDATE atoms SET version = version + 1, updated_at = NOW() WHERE id = $1', [atom.id]);
          await recordChange(tx, tenants[0], 'atom', [atom.id]);
        });
        await writeDocument(t.db, tenants[1 + (i % 2)], `Doc ${i}`, [i % 3 ? QUEBEC_12 : QUEBEC_10, 'The fee is $5,000.']);
      }
      await waitFor(async () => assert.equal((await workers[0].status()).pending, 0, 'the outbox drained'), { timeout: 60_000 });
    } finally {
      for (const worker of workers) await worker.stop();
    }
    assert.equal(overlaps, 0, 'no two writes for one tenant were in flight at once');
    assert.ok(calls.every((c) => c.count > 0), `both workers did part of the work: ${JSON.stringify(calls)}`);
    const { rows: [{ version }] } = await t.db.query<{ version: number }>('SELECT version FROM atoms WHERE id = $1', [atom.id]);
    assert.ok(versions.length > 1, `the watched atom was synced several times: ${JSON.stringify(versions)}`);
    assert.deepEqual(versions, [...versions].sort((a, b) => Number(a) - Number(b)), 'versions reached the graph in order');
    assert.equal(versions.at(-1), version);
    assert.equal((await graph.node(tenants[0], atom.id))?.props.version, version);
    assert.ok(await graph.node(tenants[0], watched.documentId), 'the watched document is in the graph');
    for (const tenantId of tenants) await assertInSync(t.db, graph, tenantId);
  });

  it('applies outbox rows in id order across a digit boundary (99 before 100), so no edge is lost', async () => {
    await sync.drain();
    await t.db.query(`SELECT setval(pg_get_serial_sequence('graph_outbox', 'id'), 95)`);
    const tenantId = await newTenant(t.db);
    await writeDocument(t.db, tenantId, 'Boundary', [QUEBEC_10, QUEBEC_12]);
    const small = new GraphSync({ db: t.db, graph, batchSize: 3 });
    await small.drain();
    await assertInSync(t.db, graph, tenantId);
    assert.ok((await graph.counts(tenantId)).edges.APPEARS_IN >= 3, 'atoms appear in the document');
  });

  it('a change committed late with a smaller outbox id than the batches already synced still reaches the graph', async () => {
    await sync.drain();
    const tenantId = await newTenant(t.db);
    const { documentId } = await writeDocument(t.db, tenantId, 'Before', [QUEBEC_10, 'Plain words here.']);
    const { rows: [{ first }] } = await t.db.query<{ first: string }>(
      'SELECT min(id)::text AS first FROM graph_outbox WHERE tenant_id = $1', [tenantId]);
    const small = new GraphSync({ db: t.db, graph, batchSize: 2 });
    assert.equal(await small.syncBatch(), 2, 'a full batch: the next one starts after it');
    // A transaction that took its outbox id before those rows and committed only now.
    await t.db.query('UPDATE documents SET title = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, documentId, 'Renamed late']);
    await t.db.query(`INSERT INTO graph_outbox (id, tenant_id, entity_type, entity_id) VALUES ($1::bigint - 1, $2, 'document', $3)`,
      [first, tenantId, documentId]);
    await small.drain();
    assert.equal((await small.status(tenantId)).pending, 0);
    assert.equal((await graph.node(tenantId, documentId))?.props.title, 'Renamed late');
    await assertInSync(t.db, graph, tenantId);
  });
});
