/**
 * The graph API (app/api/graph/*) and its repositories over a small graph written straight into
 * services().graph, with the PostgreSQL rows its display data is read from.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../support/collab';
import { request } from '../support/http';
import { createTenant } from '../../server/db/repos/tenants';
import { AtomRepository, GraphRepository, MoleculeRepository } from '../../server/graph/repositories';
import { GraphTimeoutError } from '../../server/graph/types';
import type { Sql } from '../../server/db/client';
import type { ConflictsDto, CyclesDto, GraphViewDto, PathDto } from '../../lib/graph/dto';
import * as impactRoute from '../../app/api/graph/impact/route';
import * as dependenciesRoute from '../../app/api/graph/dependencies/route';
import * as cyclesRoute from '../../app/api/graph/cycles/route';
import * as pathRoute from '../../app/api/graph/path/route';
import * as relatedRoute from '../../app/api/graph/related/route';
import * as conflictsRoute from '../../app/api/graph/conflicts/route';

type Handler = (request: Request) => Promise<Response>;

let cookie = '';

async function call<T>(handler: Handler, query: string, status = 200): Promise<T> {
  const response = await handler(request(`/api/graph?${query}`, { cookie }));
  const body: unknown = await response.json();
  assert.equal(response.status, status, JSON.stringify(body));
  return body as T;
}

const errorOf = (body: unknown) => (body as { error: { code: string; message: string } }).error;

async function insertAtom(db: Sql, tenantId: string, name: string, canonical: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO atoms (tenant_id, atom_type, text_value, canonical, name) VALUES ($1, 'TextAtom', $2, $2, $3) RETURNING id`,
    [tenantId, canonical, name],
  );
  return rows[0].id;
}

async function insertMolecule(db: Sql, tenantId: string, atomIds: string[], condition: string, result: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO molecule_metadata (tenant_id, molecule_type, atom_ids, configuration, enforcement_level)
     VALUES ($1, 'ConditionMolecule', $2::uuid[], $3::jsonb, 'block') RETURNING id`,
    [tenantId, atomIds, JSON.stringify({
      ruleType: 'if_then', condition, result,
      conditions: [{ field: 'jurisdiction', op: '=', value: condition.split(' ').at(-1) }],
      results: [{ field: 'withholding rate', op: '=', value: result.split(' ').at(-1) }],
    })],
  );
  return rows[0].id;
}

async function annotate(db: Sql, tenantId: string, documentId: string, blockId: string, type: 'atom' | 'molecule', id: string) {
  await db.query(
    `INSERT INTO annotations (tenant_id, document_id, block_id, start_offset, end_offset, quote, knowledge_type, knowledge_id, layer)
     VALUES ($1, $2, $3, 0, 1, 'x', $4, $5, $4)`,
    [tenantId, documentId, blockId, type, id],
  );
}

describe('graph API', { timeout: 60_000 }, () => {
  let server: TestServer;
  let tenantId: string;
  let otherTenantId: string;
  let otherAtom: string;
  const ids = {
    doc1: '', doc2: '', doc3: '', block1: randomUUID(), block2: randomUUID(), domain: randomUUID(),
    quebec: '', rate10: '', rate12: '', rule10: '', rule12: '',
  };

  before(async () => {
    server = await startTestServer();
    cookie = server.cookie;
    const { db, graph, local } = server.services;
    tenantId = local.tenant.id;
    ids.doc1 = await server.createDocument('Withholding 2026');
    ids.doc2 = await server.createDocument('Payroll guide');
    ids.doc3 = await server.createDocument('Unrelated');
    await db.query(
      `INSERT INTO blocks (id, tenant_id, document_id, position, block_type, content) VALUES ($1, $2, $3, 0, 'paragraph', $4::jsonb)`,
      [ids.block1, tenantId, ids.doc1, JSON.stringify({ rich_text: [{ text: 'In Quebec, the withholding rate is 10%.' }] })],
    );
    ids.quebec = await insertAtom(db, tenantId, 'Jurisdiction', 'Quebec');
    ids.rate10 = await insertAtom(db, tenantId, 'Quebec withholding rate', '10%');
    ids.rate12 = await insertAtom(db, tenantId, 'Quebec withholding rate', '12%');
    ids.rule10 = await insertMolecule(db, tenantId, [ids.quebec, ids.rate10], 'jurisdiction is Quebec', 'withholding rate is 10%');
    ids.rule12 = await insertMolecule(db, tenantId, [ids.quebec, ids.rate12], 'jurisdiction is Quebec', 'withholding rate is 12%');
    await annotate(db, tenantId, ids.doc1, ids.block1, 'atom', ids.rate10);
    await annotate(db, tenantId, ids.doc1, ids.block1, 'molecule', ids.rule10);
    await annotate(db, tenantId, ids.doc2, ids.block2, 'molecule', ids.rule12);

    await graph.upsertNodes(tenantId, [
      { label: 'Document', id: ids.doc1, props: {} },
      { label: 'Document', id: ids.doc2, props: {} },
      { label: 'Document', id: ids.doc3, props: {} },
      { label: 'Block', id: ids.block1, props: { blockType: 'paragraph' } },
      { label: 'Atom', id: ids.quebec, props: {} },
      { label: 'Atom', id: ids.rate10, props: {} },
      { label: 'Atom', id: ids.rate12, props: {} },
      { label: 'Molecule', id: ids.rule10, props: {} },
      { label: 'Molecule', id: ids.rule12, props: {} },
      { label: 'Domain', id: ids.domain, props: { name: 'Tax' } },
    ]);
    await graph.upsertEdges(tenantId, [
      { sourceId: ids.quebec, type: 'PART_OF', targetId: ids.rule10 },
      { sourceId: ids.quebec, type: 'PART_OF', targetId: ids.rule12 },
      { sourceId: ids.rate10, type: 'PART_OF', targetId: ids.rule10 },
      { sourceId: ids.rate12, type: 'PART_OF', targetId: ids.rule12 },
      { sourceId: ids.quebec, type: 'APPEARS_IN', targetId: ids.doc1, props: { blockId: ids.block1 } },
      { sourceId: ids.rate10, type: 'APPEARS_IN', targetId: ids.doc1 },
      { sourceId: ids.block1, type: 'PART_OF_DOCUMENT', targetId: ids.doc1 },
      { sourceId: ids.rule10, type: 'IN_DOMAIN', targetId: ids.domain },
      { sourceId: ids.rule10, type: 'CONFLICTS_WITH', targetId: ids.rule12, props: { reason: 'contradictory rates', severity: 'high' } },
      // A circle: each rule requires the other's rate.
      { sourceId: ids.rule10, type: 'REQUIRES', targetId: ids.rate12 },
      { sourceId: ids.rule12, type: 'REQUIRES', targetId: ids.rate10 },
      { sourceId: ids.rate10, type: 'RELATED_TO', targetId: ids.rate12, props: { type: 'similar_to', strength: 0.9 } },
    ]);

    const other = await createTenant(db, 'Other', `other-${randomBytes(4).toString('hex')}`);
    otherTenantId = other.id;
    otherAtom = await insertAtom(db, otherTenantId, 'Secret rate', '99%');
    await graph.upsertNodes(otherTenantId, [{ label: 'Atom', id: otherAtom, props: {} }, { label: 'Molecule', id: ids.rule10, props: { name: 'same id, other tenant' } }]);
    await graph.upsertEdges(otherTenantId, [{ sourceId: otherAtom, type: 'PART_OF', targetId: ids.rule10 }]);
  });
  after(async () => {
    await server?.close();
  });

  it('impact of an atom: its rules, their conflicts and documents, with names, values and where to open them', async () => {
    const view = await call<GraphViewDto>(impactRoute.GET, `node=${ids.rate10}&depth=2`);
    assert.equal(view.rootId, ids.rate10);
    assert.equal(view.nodes[0].id, ids.rate10);
    const byId = new Map(view.nodes.map((n) => [n.id, n]));
    assert.deepEqual(byId.get(ids.rate10), {
      id: ids.rate10, label: 'Atom', name: 'Quebec withholding rate', detail: '10%', documentId: ids.doc1, blockId: ids.block1, distance: 0, path: [ids.rate10],
    });
    assert.equal(byId.get(ids.rule10)?.name, 'If jurisdiction is Quebec → withholding rate is 10%');
    assert.equal(byId.get(ids.rule10)?.distance, 1);
    assert.equal(byId.get(ids.doc1)?.name, 'Withholding 2026');
    assert.equal(byId.get(ids.rule12)?.distance, 1, 'rule12 REQUIRES the 10% atom');
    assert.equal(byId.get(ids.rule12)?.documentId, ids.doc2);
    assert.ok(view.edges.some((e) => e.source === ids.rate10 && e.target === ids.rule10 && e.type === 'PART_OF'));
    for (const edge of view.edges) assert.ok(byId.has(edge.source) && byId.has(edge.target), 'edges join drawn nodes');
    for (const node of view.nodes) assert.equal(node.path.at(-1), node.id);
  });

  it('depth defaults to 3; a depth outside 1–6 or not a whole number is a 400 with a message', async () => {
    const deeper = await call<GraphViewDto>(impactRoute.GET, `node=${ids.rate10}`);
    const shallow = await call<GraphViewDto>(impactRoute.GET, `node=${ids.rate10}&depth=1`);
    assert.equal(shallow.nodes.some((n) => n.id === ids.domain), false);
    const domain = deeper.nodes.find((n) => n.id === ids.domain);
    assert.deepEqual([domain?.label, domain?.name, domain?.distance], ['Domain', 'Tax', 2], 'a node only the graph knows is named from its props');
    assert.ok(Math.max(...deeper.nodes.map((n) => n.distance ?? 0)) <= 3);
    for (const depth of ['0', '7', '1.5', 'abc', '']) {
      const body = await call(impactRoute.GET, `node=${ids.rate10}&depth=${depth}`, 400);
      assert.equal(errorOf(body).code, 'bad_request');
      assert.match(errorOf(body).message, /depth must be a whole number from 1 to 6/);
    }
    assert.match(errorOf(await call(impactRoute.GET, 'node=not-a-uuid', 400)).message, /node must be an id/);
    assert.match(errorOf(await call(impactRoute.GET, '', 400)).message, /node/);
  });

  it('an unknown node, or another tenant’s, is a 404 with a message', async () => {
    const body = await call(impactRoute.GET, `node=${randomUUID()}`, 404);
    assert.equal(errorOf(body).code, 'not_found');
    assert.match(errorOf(body).message, /does not exist/);
    await call(impactRoute.GET, `node=${otherAtom}`, 404);
    await call(dependenciesRoute.GET, `molecule=${randomUUID()}`, 404);
    await call(relatedRoute.GET, `atom=${otherAtom}`, 404);
    await call(pathRoute.GET, `from=${ids.rate10}&to=${otherAtom}`, 404);
    await call(conflictsRoute.GET, `document=${randomUUID()}`, 404);
  });

  it('a query cut off by its time budget is a 503 that says so', async () => {
    const { graph } = server.services;
    const impact = graph.impact;
    graph.impact = () => Promise.reject(new GraphTimeoutError('impact', 2000, 'took longer than 2000 ms'));
    try {
      const body = await call(impactRoute.GET, `node=${ids.rate10}`, 503);
      assert.equal(errorOf(body).code, 'graph_timeout');
      assert.match(errorOf(body).message, /cut off.*smaller depth/);
    } finally {
      graph.impact = impact;
    }
  });

  it('dependencies of a rule: its atoms and what it requires', async () => {
    const view = await call<GraphViewDto>(dependenciesRoute.GET, `molecule=${ids.rule10}&depth=1`);
    const names = new Set(view.nodes.map((n) => n.detail));
    for (const expected of ['Quebec', '10%', '12%']) assert.ok(names.has(expected), `${expected} in ${[...names]}`);
    assert.ok(view.edges.some((e) => e.source === ids.rule10 && e.target === ids.rate12 && e.type === 'REQUIRES'));
    await call(dependenciesRoute.GET, `molecule=${ids.rule10}&depth=9`, 400);
  });

  it('cycles: the two rules requiring each other’s rate, drawn as a closed chain', async () => {
    const view = await call<CyclesDto>(cyclesRoute.GET, '');
    assert.equal(view.cycles.length, 1);
    assert.deepEqual(new Set(view.cycles[0]), new Set([ids.rule10, ids.rate12, ids.rule12, ids.rate10]));
    assert.equal(view.edges.length, 4);
    assert.equal(view.nodes.length, 4);
  });

  it('path between an atom and a block, and `path: null` when none within maxDepth', async () => {
    const view = await call<PathDto>(pathRoute.GET, `from=${ids.rate12}&to=${ids.block1}&maxDepth=6`);
    assert.equal(view.path?.[0], ids.rate12);
    assert.equal(view.path?.at(-1), ids.block1);
    assert.equal(view.edges.length, (view.path?.length ?? 0) - 1);
    assert.equal(view.nodes.find((n) => n.id === ids.block1)?.name, 'In Quebec, the withholding rate is 10%.');
    const none = await call<PathDto>(pathRoute.GET, `from=${ids.rate12}&to=${ids.block1}&maxDepth=1`);
    assert.equal(none.path, null);
    await call(pathRoute.GET, `from=${ids.rate12}&to=${ids.block1}&maxDepth=0`, 400);
  });

  it('related atoms carry the relation’s type and strength', async () => {
    const view = await call<GraphViewDto>(relatedRoute.GET, `atom=${ids.rate12}`);
    assert.deepEqual(view.nodes.map((n) => n.id), [ids.rate12, ids.rate10]);
    assert.deepEqual(view.edges[0].props, { type: 'similar_to', strength: 0.9 });
  });

  it('conflicts: both documents see the pair, an unrelated document sees none', async () => {
    // A document's conflicts come from its rules in PostgreSQL; the tenant's from the graph.
    const [sourceId, targetId] = [ids.rule10, ids.rule12].sort();
    const [a, b] = sourceId === ids.rule10 ? ['10%', '12%'] : ['12%', '10%'];
    for (const document of [ids.doc1, ids.doc2]) {
      const view = await call<ConflictsDto>(conflictsRoute.GET, `document=${document}`);
      assert.deepEqual(view.conflicts, [{ sourceId, targetId, reason: `same condition, different withholding rate: ${a} vs ${b}`, severity: 'high' }]);
      assert.deepEqual(new Set(view.nodes.map((n) => n.documentId)), new Set([ids.doc1, ids.doc2]));
      assert.equal(view.edges[0].type, 'CONFLICTS_WITH');
    }
    assert.deepEqual((await call<ConflictsDto>(conflictsRoute.GET, `document=${ids.doc3}`)).conflicts, []);
    const all = await call<ConflictsDto>(conflictsRoute.GET, '');
    assert.deepEqual([all.conflicts.length, all.total], [1, 1]);
  });

  it('repositories never mix tenants, even for ids both tenants have', async () => {
    const stores = server.services;
    const atoms = new AtomRepository(stores);
    const molecules = new MoleculeRepository(stores);
    const nodes = new GraphRepository(stores);
    assert.equal(await atoms.impactAnalysis(otherTenantId, ids.rate10, 3), null, 'the local atom is not the other tenant’s');
    assert.equal(await atoms.impactAnalysis(tenantId, otherAtom, 3), null);
    const theirs = await atoms.getMoleculesContainingAtom(otherTenantId, otherAtom);
    assert.deepEqual(theirs?.map((m) => [m.id, m.name]), [[ids.rule10, 'same id, other tenant']], 'their node, not our row');
    const ours = await atoms.getMoleculesContainingAtom(tenantId, ids.quebec);
    assert.deepEqual(new Set(ours?.map((m) => m.id)), new Set([ids.rule10, ids.rule12]));
    assert.equal((await molecules.conflicts(otherTenantId))?.conflicts.length, 0);
    assert.equal(await molecules.conflicts(otherTenantId, ids.doc1), null, 'the local document is unknown to the other tenant');
    assert.equal(await nodes.shortestPath(otherTenantId, otherAtom, ids.rate10, 6), null);
    const impact = await molecules.impactAnalysis(otherTenantId, ids.rule10, 6);
    assert.deepEqual(impact?.nodes.map((n) => n.id), [ids.rule10]);
  });
});
