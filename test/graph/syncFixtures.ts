/** Shared by the graph sync suites: tenants, documents written through the real repositories, drift checks. */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../server/db/client';
import { BlockRepository } from '../../server/db/repos/blocks';
import { DocumentRepository } from '../../server/db/repos/documents';
import { createTenant } from '../../server/db/repos/tenants';
import { extractDocument } from '../../server/extraction/pipeline';
import { ruleExtractor } from '../../server/extraction/ruleExtractor';
import { storeBlockExtraction } from '../../server/extraction/store';
import type { ExtractedAtom } from '../../server/extraction/types';
import { compareGraph, reconcile } from '../../server/graph/reconcile';
import type { GraphSync } from '../../server/graph/sync';
import type { GraphStore } from '../../server/graph/types';

export async function newTenant(db: Database): Promise<string> {
  return (await createTenant(db, 'Sync tenant', `sync-${randomBytes(5).toString('hex')}`)).id;
}

export const paragraph = (text: string, position: number, id: string = randomUUID()) => ({
  id, parentId: null, position, blockType: 'paragraph' as const, content: { rich_text: [{ text }] }, hasChildren: false,
});

/** A document with one paragraph per text, extracted by the rule extractor. */
export async function writeDocument(db: Database, tenantId: string, title: string, texts: string[]) {
  const blocks = texts.map((text, i) => paragraph(text, i));
  const documentId = await db.tx(async (tx) => {
    const document = await DocumentRepository.create(tx, tenantId, { title });
    await BlockRepository.apply(tx, tenantId, document.id, blocks, [], null);
    return document.id;
  });
  await extractDocument(db, ruleExtractor, tenantId, documentId);
  return { documentId, blockIds: blocks.map((block) => block.id) };
}

/** Stores `count` synthetic atoms in a block (no extractor), values tagged with `tag`. */
export async function storeSyntheticAtoms(db: Database, scope: { tenantId: string; documentId: string; blockId: string }, count: number, tag: string) {
  const words = Array.from({ length: count }, (_, i) => `w${i}x${tag}`);
  const text = words.join(' ');
  let at = 0;
  const atoms: ExtractedAtom[] = words.map((word, i) => {
    const start = at;
    at += word.length + 1;
    return { type: 'TextAtom', kind: `slot${i}`, start, end: start + word.length, quote: word, value: { text: word },
      canonical: `${scope.blockId}-${word}`, name: '', confidence: 0.9 };
  });
  await db.tx((tx) => storeBlockExtraction(tx, { ...scope, domainId: null, text }, { atoms, molecules: [] }));
}

export async function assertInSync(db: Database, graph: GraphStore, tenantId: string): Promise<void> {
  const drift = await compareGraph(db, graph, tenantId);
  const sample = (d: typeof drift.nodes) => ({ ...d, missing: d.missing.slice(0, 5), different: d.different.slice(0, 5), extra: d.extra.slice(0, 5) });
  assert.ok(drift.inSync, `graph matches PostgreSQL: ${JSON.stringify({ nodes: sample(drift.nodes), edges: sample(drift.edges) })}`);
}

export async function liveAtomCount(db: Database, tenantId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM atoms WHERE tenant_id = $1 AND deleted_at IS NULL', [tenantId]);
  return rows[0].n;
}

/**
 * Syncs two documents, then tampers with the graph: one edge gets wrong props, one goes missing,
 * one extra edge of a type atoms have and one of a type they never have appear. compareGraph
 * must report exactly those, and reconcile must repair exactly those.
 */
export async function tamperEdgesAndReconcile(db: Database, graph: GraphStore, sync: GraphSync, tenantId: string): Promise<void> {
  await writeDocument(db, tenantId, 'Guide', ['In Quebec, the withholding rate is 10%.', 'The fee is $5,000.']);
  await writeDocument(db, tenantId, 'Memo', ['If the province is Quebec, the withholding rate must be 12%.']);
  await sync.drain();
  await assertInSync(db, graph, tenantId);
  const before = await graph.counts(tenantId);
  const { rows } = await db.query<{ id: string }>('SELECT id FROM atoms WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY id', [tenantId]);
  const edges = await graph.edgesFrom(tenantId, rows.map((row) => row.id));
  const partOf = edges.filter((edge) => edge.type === 'PART_OF');
  const wrong = edges.find((edge) => edge.type === 'APPEARS_IN' && edge.sourceId !== partOf[0].sourceId);
  const [molecule] = (await graph.listNodes(tenantId, null, 1000)).filter((node) => node.label === 'Molecule');
  const others = rows.map((row) => row.id).filter((id) => id !== partOf[0].sourceId && id !== wrong?.sourceId);
  assert.ok(wrong && molecule && others.length >= 2, 'the fixture has the edges the test tampers with');
  // Wrong props, a missing PART_OF, an extra RELATED_TO (a type atoms have; to a molecule, which no
  // projection links so) and an extra REQUIRES (a type atoms never have).
  await graph.upsertEdges(tenantId, [{ ...wrong, props: { ...wrong.props, confidence: 0.01 } }]);
  await graph.replaceEdges(tenantId, [{ sourceId: partOf[0].sourceId, type: 'PART_OF', targets: [] }]);
  await graph.upsertEdges(tenantId, [
    { sourceId: others[0], type: 'RELATED_TO', targetId: molecule.id, props: { type: 'same_value', strength: 1 } },
    { sourceId: others[1], type: 'REQUIRES', targetId: molecule.id },
  ]);
  const restored = partOf.filter((edge) => edge.sourceId === partOf[0].sourceId).map((edge) => `${edge.sourceId} PART_OF ${edge.targetId}`);

  const drift = await compareGraph(db, graph, tenantId);
  assert.deepEqual(drift.nodes, { postgres: drift.nodes.graph, graph: drift.nodes.graph, missing: [], different: [], extra: [] });
  assert.deepEqual(drift.edges.missing.sort(), restored.sort());
  assert.deepEqual(drift.edges.different, [`${wrong.sourceId} APPEARS_IN ${wrong.targetId}`]);
  assert.deepEqual(drift.edges.extra.sort(), [`${others[0]} RELATED_TO ${molecule.id}`, `${others[1]} REQUIRES ${molecule.id}`].sort());

  await reconcile(db, graph, tenantId);
  const { rows: queued } = await db.query<{ id: string }>(
    'SELECT DISTINCT entity_id AS id FROM graph_outbox WHERE tenant_id = $1 ORDER BY 1', [tenantId]);
  assert.deepEqual(queued.map((row) => row.id), [partOf[0].sourceId, wrong.sourceId, others[0]].sort(),
    'only the sources of the drifted edges are re-synced (the foreign REQUIRES is deleted directly)');
  assert.deepEqual(await graph.edgesFrom(tenantId, [others[1]]).then((list) => list.filter((edge) => edge.type === 'REQUIRES')), []);
  await sync.drain();
  await assertInSync(db, graph, tenantId);
  assert.deepEqual(await graph.counts(tenantId), before);
}
