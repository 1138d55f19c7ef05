/**
 * The one suite every GraphStore passes (Neo4j and PostgreSQL/PGlite). The graph is seed 002's
 * Quebec withholding example: a 10% rate atom in a condition molecule in an RRSP document of
 * the tax domain, a payroll memo whose 12% rule conflicts with it, a REQUIRES cycle, and a
 * RELATED_TO link between the two rates.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GraphTimeoutError, type GraphCounts, type GraphEdge, type GraphNode, type GraphStore, type ReachedNode,
} from '../../server/graph/types';

export interface ContractSubject {
  store: GraphStore;
  tenantA: string;
  tenantB: string;
  cleanup: () => Promise<void>;
}

const NODES: GraphNode[] = [
  { label: 'Domain', id: 'dom-tax', props: { name: 'tax', path: 'tax' } },
  { label: 'Document', id: 'doc-rrsp', props: { title: 'RRSP Withholding Tax Guidelines', type: 'document', domain: 'tax' } },
  { label: 'Document', id: 'doc-memo', props: { title: 'Payroll memo 2025', type: 'document', domain: 'tax' } },
  { label: 'Block', id: 'blk-rrsp-1', props: { blockType: 'paragraph' } },
  {
    label: 'Atom',
    id: 'atom-rate-10',
    props: { type: 'NumberAtom', value: 0.1, canonical: '10%', name: 'Quebec withholding rate', confidence: 0.98, domain: 'tax' },
  },
  { label: 'Atom', id: 'atom-quebec', props: { type: 'TextAtom', value: 'Quebec', canonical: 'Quebec' } },
  { label: 'Atom', id: 'atom-rate-12', props: { type: 'NumberAtom', value: 0.12, canonical: '12%' } },
  { label: 'Atom', id: 'atom-threshold', props: { type: 'NumberAtom', value: 5000, canonical: '$5,000' } },
  {
    label: 'Molecule',
    id: 'mol-quebec-rate',
    props: {
      type: 'ConditionMolecule',
      condition: 'jurisdiction equals Quebec',
      result: 'rate is 10%',
      configuration: { conditionType: 'jurisdiction_equals', jurisdictionValue: 'Quebec', rateValue: 0.1 },
      enforcement: 'block',
    },
  },
  { label: 'Molecule', id: 'mol-memo-rate', props: { type: 'ConditionMolecule', result: 'rate is 12%' } },
  { label: 'Molecule', id: 'mol-withholding', props: { type: 'CalculationMolecule', tags: ['rrsp', 'withholding'] } },
];

const EDGES: GraphEdge[] = [
  { sourceId: 'atom-quebec', type: 'PART_OF', targetId: 'mol-quebec-rate', props: { role: 'condition', order: 1 } },
  { sourceId: 'atom-rate-10', type: 'PART_OF', targetId: 'mol-quebec-rate', props: { role: 'result', order: 2 } },
  { sourceId: 'atom-rate-12', type: 'PART_OF', targetId: 'mol-memo-rate', props: { role: 'result', order: 1 } },
  { sourceId: 'atom-threshold', type: 'PART_OF', targetId: 'mol-withholding', props: { role: 'subject', order: 1 } },
  {
    sourceId: 'atom-rate-10', type: 'APPEARS_IN', targetId: 'doc-rrsp',
    props: { spans: [{ start: 45, end: 48 }], blockId: 'blk-rrsp-1', confidence: 0.98 },
  },
  { sourceId: 'mol-quebec-rate', type: 'APPEARS_IN', targetId: 'doc-rrsp', props: { blockId: 'blk-rrsp-1' } },
  { sourceId: 'atom-rate-12', type: 'APPEARS_IN', targetId: 'doc-memo', props: {} },
  { sourceId: 'mol-memo-rate', type: 'APPEARS_IN', targetId: 'doc-memo', props: {} },
  { sourceId: 'blk-rrsp-1', type: 'PART_OF_DOCUMENT', targetId: 'doc-rrsp', props: {} },
  { sourceId: 'doc-rrsp', type: 'IN_DOMAIN', targetId: 'dom-tax', props: {} },
  { sourceId: 'doc-memo', type: 'IN_DOMAIN', targetId: 'dom-tax', props: {} },
  { sourceId: 'mol-memo-rate', type: 'CONFLICTS_WITH', targetId: 'mol-quebec-rate', props: { reason: 'contradictory rates', severity: 'high' } },
  // The cycle: quebec-rate requires the threshold, which withholding defines; withholding requires the rate quebec-rate defines.
  { sourceId: 'mol-withholding', type: 'REQUIRES', targetId: 'atom-rate-10', props: { type: 'prerequisite', enforcement: 'block' } },
  { sourceId: 'mol-quebec-rate', type: 'REQUIRES', targetId: 'atom-threshold', props: { type: 'dependency' } },
  { sourceId: 'atom-rate-10', type: 'RELATED_TO', targetId: 'atom-rate-12', props: { type: 'similar_to', strength: 0.85 } },
];

const SEED_COUNTS: GraphCounts = {
  nodes: { Atom: 4, Molecule: 3, Document: 2, Block: 1, Domain: 1 },
  edges: { PART_OF: 4, APPEARS_IN: 4, RELATED_TO: 1, REQUIRES: 2, CONFLICTS_WITH: 1, PART_OF_DOCUMENT: 1, IN_DOMAIN: 2 },
};

const EMPTY_COUNTS: GraphCounts = {
  nodes: { Atom: 0, Molecule: 0, Document: 0, Block: 0, Domain: 0 },
  edges: { PART_OF: 0, APPEARS_IN: 0, RELATED_TO: 0, REQUIRES: 0, CONFLICTS_WITH: 0, PART_OF_DOCUMENT: 0, IN_DOMAIN: 0 },
};

async function seed(store: GraphStore, tenantId: string): Promise<void> {
  await store.upsertNodes(tenantId, NODES);
  assert.equal(await store.upsertEdges(tenantId, EDGES), EDGES.length);
}

const distances = (reached: ReachedNode[]) => reached.map((node) => [node.id, node.distance]);

export function graphStoreContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`GraphStore contract: ${name}`, () => {
    let subject: ContractSubject | undefined;
    let store: GraphStore;
    let A: string;
    let B: string;

    before(async () => {
      subject = await open();
      ({ store, tenantA: A, tenantB: B } = subject);
    });
    after(() => subject?.cleanup());
    beforeEach(async () => {
      await store.clearTenant(A);
      await store.clearTenant(B);
    });

    it('answers health and starts empty for fresh tenants', async () => {
      await store.health();
      assert.deepEqual(await store.counts(A), EMPTY_COUNTS);
    });

    it('reads back each node with its label and props (nested values included, top-level nulls dropped)', async () => {
      await seed(store, A);
      assert.deepEqual(await store.node(A, 'mol-quebec-rate'), NODES.find((node) => node.id === 'mol-quebec-rate'));
      assert.deepEqual(await store.node(A, 'mol-withholding'), { label: 'Molecule', id: 'mol-withholding', props: { type: 'CalculationMolecule', tags: ['rrsp', 'withholding'] } });
      await store.upsertNodes(A, [{ label: 'Atom', id: 'atom-x', props: { a: null, b: [], c: [1, 'two'], d: [{ start: 1 }], e: false, f: 0 } }]);
      assert.deepEqual(await store.node(A, 'atom-x'), { label: 'Atom', id: 'atom-x', props: { b: [], c: [1, 'two'], d: [{ start: 1 }], e: false, f: 0 } });
      assert.equal(await store.node(A, 'nope'), null);
    });

    it('impact at depth 1, 2 and 3 returns exactly the nodes that break, nearest first, with a path to each', async () => {
      await seed(store, A);
      assert.deepEqual(distances(await store.impact(A, 'atom-rate-10', 1)), [
        ['doc-rrsp', 1], ['mol-quebec-rate', 1], ['mol-withholding', 1],
      ]);
      assert.deepEqual(distances(await store.impact(A, 'atom-rate-10', 2)), [
        ['doc-rrsp', 1], ['mol-quebec-rate', 1], ['mol-withholding', 1], ['dom-tax', 2], ['mol-memo-rate', 2],
      ]);
      const three = await store.impact(A, 'atom-rate-10', 3);
      assert.deepEqual(three, [
        { id: 'doc-rrsp', label: 'Document', distance: 1, path: { nodeIds: ['atom-rate-10', 'doc-rrsp'], types: ['APPEARS_IN'] } },
        { id: 'mol-quebec-rate', label: 'Molecule', distance: 1, path: { nodeIds: ['atom-rate-10', 'mol-quebec-rate'], types: ['PART_OF'] } },
        { id: 'mol-withholding', label: 'Molecule', distance: 1, path: { nodeIds: ['atom-rate-10', 'mol-withholding'], types: ['REQUIRES'] } },
        { id: 'dom-tax', label: 'Domain', distance: 2, path: { nodeIds: ['atom-rate-10', 'doc-rrsp', 'dom-tax'], types: ['APPEARS_IN', 'IN_DOMAIN'] } },
        {
          id: 'mol-memo-rate', label: 'Molecule', distance: 2,
          path: { nodeIds: ['atom-rate-10', 'mol-quebec-rate', 'mol-memo-rate'], types: ['PART_OF', 'CONFLICTS_WITH'] },
        },
        {
          id: 'doc-memo', label: 'Document', distance: 3,
          path: { nodeIds: ['atom-rate-10', 'mol-quebec-rate', 'mol-memo-rate', 'doc-memo'], types: ['PART_OF', 'CONFLICTS_WITH', 'APPEARS_IN'] },
        },
      ]);
      assert.deepEqual(await store.impact(A, 'atom-rate-10', 6), three, 'nothing further away');
      assert.deepEqual(distances(await store.impact(A, 'blk-rrsp-1', 2)), [['doc-rrsp', 1], ['dom-tax', 2]]);
      assert.deepEqual(await store.impact(A, 'dom-tax', 6), [], 'a domain change breaks nothing upstream');
      assert.deepEqual(await store.impact(A, 'unknown', 3), []);
    });

    it('dependencies are the molecule\'s atoms and its REQUIRES chain', async () => {
      await seed(store, A);
      assert.deepEqual(distances(await store.dependencies(A, 'mol-withholding', 1)), [['atom-rate-10', 1], ['atom-threshold', 1]]);
      const deps = await store.dependencies(A, 'mol-withholding', 3);
      assert.deepEqual(distances(deps), [['atom-rate-10', 1], ['atom-threshold', 1], ['mol-quebec-rate', 2]]);
      assert.deepEqual(deps[1].path, { nodeIds: ['mol-withholding', 'atom-threshold'], types: ['PART_OF'] });
      assert.deepEqual(deps[2].path, { nodeIds: ['mol-withholding', 'atom-rate-10', 'mol-quebec-rate'], types: ['REQUIRES', 'PART_OF'] });
      assert.deepEqual(distances(await store.dependencies(A, 'mol-quebec-rate', 2)), [
        ['atom-quebec', 1], ['atom-rate-10', 1], ['atom-threshold', 1], ['mol-withholding', 2],
      ]);
    });

    it('cycles finds each circular REQUIRES chain once, from its smallest molecule id, shortest first', async () => {
      await seed(store, A);
      assert.deepEqual(await store.cycles(A), [['mol-quebec-rate', 'atom-threshold', 'mol-withholding', 'atom-rate-10']]);
      await store.upsertNodes(A, [{ label: 'Molecule', id: 'mol-loop', props: {} }, { label: 'Atom', id: 'atom-loop', props: {} }]);
      await store.upsertEdges(A, [
        { sourceId: 'mol-loop', type: 'REQUIRES', targetId: 'atom-loop' },
        { sourceId: 'atom-loop', type: 'PART_OF', targetId: 'mol-loop' },
      ]);
      assert.deepEqual(await store.cycles(A), [
        ['mol-loop', 'atom-loop'],
        ['mol-quebec-rate', 'atom-threshold', 'mol-withholding', 'atom-rate-10'],
      ]);
      assert.deepEqual(await store.cycles(A, 1), [['mol-loop', 'atom-loop']]);
      await store.replaceEdges(A, [{ sourceId: 'mol-quebec-rate', type: 'REQUIRES', targets: [] }]);
      assert.deepEqual(await store.cycles(A), [['mol-loop', 'atom-loop']], 'breaking the chain removes the cycle');
    });

    it('shortestPath follows any relationship either way, within maxDepth', async () => {
      await seed(store, A);
      assert.deepEqual(await store.shortestPath(A, 'blk-rrsp-1', 'atom-rate-12', 3), {
        nodeIds: ['blk-rrsp-1', 'doc-rrsp', 'atom-rate-10', 'atom-rate-12'],
        types: ['PART_OF_DOCUMENT', 'APPEARS_IN', 'RELATED_TO'],
      });
      assert.equal(await store.shortestPath(A, 'blk-rrsp-1', 'atom-rate-12', 2), null);
      assert.deepEqual(await store.shortestPath(A, 'dom-tax', 'dom-tax', 1), { nodeIds: ['dom-tax'], types: [] });
      assert.equal(await store.shortestPath(A, 'dom-tax', 'unknown', 6), null);
    });

    it('related returns RELATED_TO neighbours in either direction with type and strength', async () => {
      await seed(store, A);
      assert.deepEqual(await store.related(A, 'atom-rate-10'), [{ id: 'atom-rate-12', label: 'Atom', type: 'similar_to', strength: 0.85 }]);
      assert.deepEqual(await store.related(A, 'atom-rate-12'), [{ id: 'atom-rate-10', label: 'Atom', type: 'similar_to', strength: 0.85 }]);
      assert.deepEqual(await store.related(A, 'atom-quebec'), []);
    });

    it('conflicts lists CONFLICTS_WITH pairs, all or those touching one document', async () => {
      await seed(store, A);
      const pair = { sourceId: 'mol-memo-rate', targetId: 'mol-quebec-rate', reason: 'contradictory rates', severity: 'high' };
      assert.deepEqual(await store.conflicts(A), [pair]);
      assert.deepEqual(await store.conflicts(A, 'doc-rrsp'), [pair]);
      assert.deepEqual(await store.conflicts(A, 'doc-memo'), [pair]);
      assert.deepEqual(await store.conflicts(A, 'dom-tax'), []);
    });

    it('writing the same graph again changes nothing; a re-upsert replaces props and may change the label', async () => {
      await seed(store, A);
      assert.deepEqual(await store.counts(A), SEED_COUNTS);
      await seed(store, A);
      assert.equal(await store.replaceEdges(A, [{ sourceId: 'atom-rate-10', type: 'PART_OF', targets: [{ targetId: 'mol-quebec-rate', props: { role: 'result', order: 2 } }] }]), 1);
      assert.deepEqual(await store.counts(A), SEED_COUNTS);
      await store.upsertNodes(A, [{ label: 'Atom', id: 'atom-rate-12', props: { canonical: '12.5%' } }]);
      assert.deepEqual(await store.node(A, 'atom-rate-12'), { label: 'Atom', id: 'atom-rate-12', props: { canonical: '12.5%' } });
      await store.upsertNodes(A, [{ label: 'Document', id: 'blk-rrsp-1', props: {} }]);
      assert.equal((await store.node(A, 'blk-rrsp-1'))?.label, 'Document');
      assert.deepEqual((await store.counts(A)).nodes, { ...SEED_COUNTS.nodes, Block: 0, Document: 3 });
    });

    it('replaceEdges sets the full set of one type from one node: stale edges disappear, others stay', async () => {
      await seed(store, A);
      const written = await store.replaceEdges(A, [{ sourceId: 'atom-rate-10', type: 'APPEARS_IN', targets: [
        { targetId: 'doc-memo', props: { blockId: null, confidence: 0.5 } },
        { targetId: 'not-a-node' },
      ] }]);
      assert.equal(written, 1, 'an edge to a missing node is skipped');
      assert.deepEqual(distances(await store.impact(A, 'atom-rate-10', 1)), [
        ['doc-memo', 1], ['mol-quebec-rate', 1], ['mol-withholding', 1],
      ]);
      assert.deepEqual((await store.counts(A)).edges, SEED_COUNTS.edges);
      await store.replaceEdges(A, [{ sourceId: 'atom-rate-10', type: 'APPEARS_IN', targets: [] }]);
      assert.deepEqual((await store.counts(A)).edges, { ...SEED_COUNTS.edges, APPEARS_IN: 3 });
      assert.deepEqual(await store.related(A, 'atom-rate-10'), [{ id: 'atom-rate-12', label: 'Atom', type: 'similar_to', strength: 0.85 }]);
    });

    it('replaceEdges takes several sources and types in one call; edgesFrom reads the edges back with their props', async () => {
      await seed(store, A);
      await store.replaceEdges(A, [
        { sourceId: 'atom-rate-10', type: 'PART_OF', targets: [{ targetId: 'mol-memo-rate', props: { role: 'result', order: 3 } }] },
        { sourceId: 'atom-rate-10', type: 'RELATED_TO', targets: [] },
        { sourceId: 'mol-quebec-rate', type: 'REQUIRES', targets: [{ targetId: 'atom-threshold', props: { type: 'dependency' } }] },
      ]);
      const key = (edge: GraphEdge) => `${edge.sourceId} ${edge.type} ${edge.targetId}`;
      const read = await store.edgesFrom(A, ['atom-rate-10', 'mol-quebec-rate', 'unknown']);
      assert.deepEqual(read.sort((a, b) => (key(a) < key(b) ? -1 : 1)), [
        { sourceId: 'atom-rate-10', type: 'APPEARS_IN', targetId: 'doc-rrsp', props: { spans: [{ start: 45, end: 48 }], blockId: 'blk-rrsp-1', confidence: 0.98 } },
        { sourceId: 'atom-rate-10', type: 'PART_OF', targetId: 'mol-memo-rate', props: { role: 'result', order: 3 } },
        { sourceId: 'mol-quebec-rate', type: 'APPEARS_IN', targetId: 'doc-rrsp', props: { blockId: 'blk-rrsp-1' } },
        { sourceId: 'mol-quebec-rate', type: 'REQUIRES', targetId: 'atom-threshold', props: { type: 'dependency' } },
      ]);
      assert.deepEqual(await store.edgesFrom(B, ['atom-rate-10']), [], "another tenant reads none of A's edges");
    });

    it('deleteNodes removes the nodes and detaches their relationships', async () => {
      await seed(store, A);
      await store.deleteNodes(A, ['mol-quebec-rate', 'unknown']);
      assert.equal(await store.node(A, 'mol-quebec-rate'), null);
      assert.deepEqual(await store.counts(A), {
        nodes: { ...SEED_COUNTS.nodes, Molecule: 2 },
        edges: { ...SEED_COUNTS.edges, PART_OF: 2, APPEARS_IN: 3, REQUIRES: 1, CONFLICTS_WITH: 0 },
      });
      assert.deepEqual(distances(await store.impact(A, 'atom-rate-10', 3)), [['doc-rrsp', 1], ['mol-withholding', 1], ['dom-tax', 2]]);
      assert.deepEqual(await store.cycles(A), []);
      assert.deepEqual(await store.conflicts(A), []);
    });

    it('rejects a depth outside 1..6 with a RangeError', async () => {
      await seed(store, A);
      for (const depth of [0, 7, 2.5, -1, Number.NaN]) {
        await assert.rejects(store.impact(A, 'atom-rate-10', depth), RangeError);
        await assert.rejects(store.dependencies(A, 'mol-withholding', depth), RangeError);
        await assert.rejects(store.shortestPath(A, 'blk-rrsp-1', 'dom-tax', depth), RangeError);
      }
      await assert.rejects(store.cycles(A, 0), RangeError);
    });

    it('refuses unknown labels, relationship types, reserved prop names and non-UUID tenants', async () => {
      // As they would arrive from the wire: the types cannot stop them.
      const badNode: GraphNode = JSON.parse('{"label":"Atom) DETACH DELETE n //","id":"x","props":{}}');
      const badEdge: GraphEdge = JSON.parse('{"sourceId":"a","type":"PART_OF]->() DETACH DELETE n //","targetId":"b"}');
      await assert.rejects(store.upsertNodes(A, [badNode]), TypeError);
      await assert.rejects(store.upsertEdges(A, [badEdge]), TypeError);
      await assert.rejects(store.upsertNodes(A, [{ label: 'Atom', id: 'x', props: { tenantId: B } }]), TypeError);
      await assert.rejects(store.counts("' OR 1=1 --"), TypeError);
      assert.deepEqual(await store.counts(A), EMPTY_COUNTS);
    });

    it('stores injection strings in ids and props literally', async () => {
      await seed(store, A);
      const ids = [
        "x'}) MATCH (n) DETACH DELETE n //",
        "'); DROP TABLE graph_nodes; --",
        'a`b:Evil` {tenantId: "*"}',
        '$tenantId',
        'ünïcødé ✓ id',
      ];
      const props = { name: "' OR 1=1 --", 'key`) DETACH DELETE n //': '}) RETURN 1 //', nested: { $where: 'sleep(1)' } };
      await store.upsertNodes(B, ids.map((id) => ({ label: 'Atom' as const, id, props })));
      await store.upsertEdges(B, ids.slice(1).map((id) => ({ sourceId: ids[0], type: 'RELATED_TO' as const, targetId: id, props })));
      for (const id of ids) assert.deepEqual(await store.node(B, id), { label: 'Atom', id, props });
      assert.deepEqual((await store.related(B, ids[0])).map((atom) => atom.id).sort(), ids.slice(1).sort());
      assert.deepEqual((await store.impact(B, ids[0], 6)), []);
      assert.equal((await store.shortestPath(B, ids[1], ids[2], 2))?.nodeIds.length, 3);
      assert.deepEqual((await store.counts(B)).nodes.Atom, ids.length);
      await store.deleteNodes(B, [ids[1]]);
      assert.deepEqual((await store.counts(B)).nodes.Atom, ids.length - 1);
      assert.deepEqual(await store.counts(A), SEED_COUNTS, 'the other tenant is untouched');
    });

    it('tenant B sees none of tenant A\'s graph through any query, even with A\'s ids', async () => {
      await seed(store, A);
      // B has its own nodes under two of A's ids.
      await store.upsertNodes(B, [
        { label: 'Atom', id: 'atom-rate-10', props: { canonical: '15%' } },
        { label: 'Molecule', id: 'mol-quebec-rate', props: {} },
      ]);
      await store.upsertEdges(B, [{ sourceId: 'atom-rate-10', type: 'PART_OF', targetId: 'mol-quebec-rate' }]);

      assert.deepEqual(await store.node(B, 'atom-rate-10'), { label: 'Atom', id: 'atom-rate-10', props: { canonical: '15%' } });
      assert.equal(await store.node(B, 'doc-rrsp'), null);
      assert.deepEqual(distances(await store.impact(B, 'atom-rate-10', 6)), [['mol-quebec-rate', 1]]);
      assert.deepEqual(await store.impact(B, 'blk-rrsp-1', 6), []);
      assert.deepEqual(distances(await store.dependencies(B, 'mol-quebec-rate', 6)), [['atom-rate-10', 1]]);
      assert.deepEqual(await store.dependencies(B, 'mol-withholding', 6), []);
      assert.deepEqual(await store.cycles(B), []);
      assert.equal(await store.shortestPath(B, 'blk-rrsp-1', 'atom-rate-12', 6), null);
      assert.equal(await store.shortestPath(B, 'atom-rate-10', 'doc-rrsp', 6), null);
      assert.deepEqual(await store.related(B, 'atom-rate-10'), []);
      assert.deepEqual(await store.conflicts(B), []);
      assert.deepEqual(await store.conflicts(B, 'doc-rrsp'), []);
      assert.deepEqual(await store.counts(B), {
        nodes: { ...EMPTY_COUNTS.nodes, Atom: 1, Molecule: 1 },
        edges: { ...EMPTY_COUNTS.edges, PART_OF: 1 },
      });
      // A still sees its own graph, not B's node under the shared id.
      assert.deepEqual(await store.node(A, 'atom-rate-10'), NODES.find((node) => node.id === 'atom-rate-10'));
      assert.deepEqual(await store.counts(A), SEED_COUNTS);
    });

    it('tenant B cannot link to, unlink, delete or clear tenant A\'s nodes', async () => {
      await seed(store, A);
      await store.upsertNodes(B, [{ label: 'Atom', id: 'atom-rate-10', props: {} }]);
      assert.equal(await store.upsertEdges(B, [
        { sourceId: 'atom-rate-10', type: 'RELATED_TO', targetId: 'atom-rate-12' },
        { sourceId: 'mol-withholding', type: 'REQUIRES', targetId: 'atom-rate-10' },
      ]), 0);
      assert.equal(await store.replaceEdges(B, [{ sourceId: 'atom-rate-10', type: 'PART_OF', targets: [{ targetId: 'mol-memo-rate' }] }]), 0);
      await store.replaceEdges(B, [{ sourceId: 'atom-rate-10', type: 'APPEARS_IN', targets: [] }]);
      await store.replaceEdges(B, [{ sourceId: 'mol-withholding', type: 'REQUIRES', targets: [] }]);
      await store.deleteNodes(B, ['doc-rrsp', 'mol-quebec-rate', 'atom-rate-10']);
      await store.clearTenant(B);
      assert.deepEqual(await store.counts(A), SEED_COUNTS);
      assert.deepEqual(await store.related(A, 'atom-rate-10'), [{ id: 'atom-rate-12', label: 'Atom', type: 'similar_to', strength: 0.85 }]);
      assert.deepEqual(await store.counts(B), EMPTY_COUNTS);
    });

    it('a query over its time budget raises GraphTimeoutError', async () => {
      // Every molecule requires every atom and every atom is part of every molecule: the
      // number of REQUIRES chains explodes with their length.
      const size = 8;
      const molecules = Array.from({ length: size }, (_, i) => `dense-mol-${i}`);
      const atoms = Array.from({ length: size }, (_, i) => `dense-atom-${i}`);
      await store.upsertNodes(A, [
        ...molecules.map((id) => ({ label: 'Molecule' as const, id, props: {} })),
        ...atoms.map((id) => ({ label: 'Atom' as const, id, props: {} })),
      ]);
      await store.upsertEdges(A, molecules.flatMap((m) => atoms.flatMap((a): GraphEdge[] => [
        { sourceId: m, type: 'REQUIRES', targetId: a },
        { sourceId: a, type: 'PART_OF', targetId: m },
      ])));
      const started = performance.now();
      await assert.rejects(store.cycles(A, 1000, { timeoutMs: 50 }), (error: unknown) => {
        assert.ok(error instanceof GraphTimeoutError, String(error));
        assert.equal(error.code, 'graph_timeout');
        assert.match(error.message, /The graph query "cycles" .*50 ms/);
        return true;
      });
      assert.ok(performance.now() - started < 10_000, 'the query was stopped');
      assert.equal((await store.impact(A, 'dense-atom-0', 1)).length, size, 'small queries still answer');
    });
  });
}
