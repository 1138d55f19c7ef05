/**
 * Drift between PostgreSQL (the source of truth) and the graph store, node by node (checksum of
 * label and props, projection.ts) and edge by edge (identity `source TYPE target` and a checksum of
 * its props). reconcile() repairs: it deletes graph nodes PostgreSQL no longer has and edges of a
 * type their source never has, and enqueues outbox rows for the entities whose node or outgoing
 * edges are missing, different or extra, so the sync worker rewrites them in order with other
 * changes. rebuild() clears the tenant's graph and re-enqueues everything.
 */
import type { Sql } from '../db/client';
import { recordChange, type GraphEntityType } from '../db/repos/graphOutbox';
import { checksum, edgeChecksum, LABEL_OF, OUTGOING, projectEdges, projectNodes } from './projection';
import { checkEdgeType } from './rules';
import type { EdgeType, GraphStore } from './types';

export interface Drift {
  missing: string[];
  different: string[];
  extra: string[];
}

/** Node drift lists node ids; edge drift lists edge keys, `sourceId TYPE targetId`. */
export interface GraphDrift {
  nodes: Drift & { postgres: number; graph: number };
  edges: Drift & { postgres: number; graph: number };
  inSync: boolean;
}

const TYPES: GraphEntityType[] = ['domain', 'document', 'block', 'atom', 'molecule'];
const CHUNK = 500;
const PAGE = 1000;
const READ = { timeoutMs: 30_000 };
const LIVE: Record<GraphEntityType, string> = {
  domain: 'SELECT id FROM domains WHERE tenant_id = $1',
  document: 'SELECT id FROM documents WHERE tenant_id = $1 AND NOT in_trash',
  block: 'SELECT b.id FROM blocks b JOIN documents d ON d.tenant_id = b.tenant_id AND d.id = b.document_id AND NOT d.in_trash WHERE b.tenant_id = $1',
  atom: 'SELECT id FROM atoms WHERE tenant_id = $1 AND deleted_at IS NULL',
  molecule: 'SELECT id FROM molecule_metadata WHERE tenant_id = $1 AND deleted_at IS NULL',
};

export const edgeKey = (edge: { sourceId: string; type: EdgeType; targetId: string }) => `${edge.sourceId} ${edge.type} ${edge.targetId}`;
const parseKey = (key: string) => {
  const [sourceId, type, targetId] = key.split(' ');
  return { sourceId, type: checkEdgeType(type), targetId };
};

async function liveIds(db: Sql, tenantId: string): Promise<Map<string, GraphEntityType>> {
  const ids = new Map<string, GraphEntityType>();
  for (const type of TYPES) {
    const { rows } = await db.query<{ id: string }>(`${LIVE[type]} ORDER BY 1`, [tenantId]);
    for (const row of rows) ids.set(row.id, type);
  }
  return ids;
}

/** Keys in `expected` and not in `actual`, in both with other values, in `actual` only. */
function diff(expected: Map<string, string>, actual: Map<string, string>): Drift {
  const missing: string[] = [];
  const different: string[] = [];
  for (const [key, sum] of expected) {
    const found = actual.get(key);
    if (found === undefined) missing.push(key);
    else if (found !== sum) different.push(key);
  }
  return { missing, different, extra: [...actual.keys()].filter((key) => !expected.has(key)) };
}

export async function compareGraph(db: Sql, graph: GraphStore, tenantId: string): Promise<GraphDrift> {
  const live = await liveIds(db, tenantId);
  const expectedNodes = new Map<string, string>();
  const expectedEdges = new Map<string, string>();
  for (const type of TYPES) {
    const ids = [...live].filter(([, t]) => t === type).map(([id]) => id);
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      for (const node of await projectNodes(db, tenantId, type, chunk)) expectedNodes.set(node.id, checksum(node));
      for (const set of (await projectEdges(db, tenantId, type, chunk)).edges) {
        // The store skips edges to nodes that do not exist; so does the comparison.
        for (const target of set.targets) {
          if (live.has(target.targetId)) expectedEdges.set(edgeKey({ ...set, targetId: target.targetId }), edgeChecksum(target.props));
        }
      }
    }
  }
  const actualNodes = new Map<string, string>();
  const actualEdges = new Map<string, string>();
  for (let after: string | null = null; ;) {
    const page = await graph.listNodes(tenantId, after, PAGE, READ);
    for (const node of page) actualNodes.set(node.id, checksum(node));
    for (const edge of await graph.edgesFrom(tenantId, page.map((node) => node.id), READ)) actualEdges.set(edgeKey(edge), edgeChecksum(edge.props));
    if (page.length < PAGE) break;
    after = page[page.length - 1].id;
  }
  const nodes = diff(expectedNodes, actualNodes);
  const edges = diff(expectedEdges, actualEdges);
  const drifted = (drift: Drift) => drift.missing.length + drift.different.length + drift.extra.length > 0;
  return {
    nodes: { postgres: expectedNodes.size, graph: actualNodes.size, ...nodes },
    edges: { postgres: expectedEdges.size, graph: actualEdges.size, ...edges },
    inSync: !drifted(nodes) && !drifted(edges),
  };
}

/** Repairs drift (see the header); returns what it found. The sync worker does the rewriting. */
export async function reconcile(db: Sql, graph: GraphStore, tenantId: string): Promise<GraphDrift> {
  const drift = await compareGraph(db, graph, tenantId);
  if (drift.inSync) return drift;
  if (drift.nodes.extra.length > 0) {
    await graph.deleteNodes(tenantId, drift.nodes.extra);
    await db.query('DELETE FROM sync_state WHERE tenant_id = $1 AND entity_id::text = ANY($2::text[])', [tenantId, drift.nodes.extra]);
  }
  const live = await liveIds(db, tenantId);
  const stale = new Set([...drift.nodes.missing, ...drift.nodes.different]);
  // No projection ever writes an edge of a type its source's label does not have: delete those here.
  const foreign = new Map<string, { sourceId: string; type: EdgeType; targets: [] }>();
  for (const key of [...drift.edges.missing, ...drift.edges.different, ...drift.edges.extra]) {
    const { sourceId, type } = parseKey(key);
    const entity = live.get(sourceId);
    if (!entity) continue;
    if (OUTGOING[LABEL_OF[entity]].includes(type)) stale.add(sourceId);
    else foreign.set(`${sourceId} ${type}`, { sourceId, type, targets: [] });
  }
  if (foreign.size > 0) await graph.replaceEdges(tenantId, [...foreign.values()]);
  const entities = [...stale].filter((id) => live.has(id)).map((id) => ({ type: live.get(id), id }));
  await db.query(
    `INSERT INTO sync_state (tenant_id, entity_type, entity_id, postgres_version, sync_status)
     SELECT $1, r.type, r.id, 0, 'pending' FROM jsonb_to_recordset($2::jsonb) AS r(type text, id uuid)
     ON CONFLICT (tenant_id, entity_type, entity_id) DO UPDATE SET sync_status = 'pending', updated_at = NOW()`,
    [tenantId, JSON.stringify(entities)],
  );
  for (const type of TYPES) await recordChange(db, tenantId, type, entities.filter((e) => e.type === type).map((e) => e.id));
  return drift;
}

/** Clears the tenant's graph and sync_state, and enqueues every entity. */
export async function rebuild(db: Sql, graph: GraphStore, tenantId: string): Promise<number> {
  await graph.clearTenant(tenantId);
  await db.query('DELETE FROM sync_state WHERE tenant_id = $1', [tenantId]);
  const live = await liveIds(db, tenantId);
  for (const type of TYPES) await recordChange(db, tenantId, type, [...live].filter(([, t]) => t === type).map(([id]) => id));
  return live.size;
}
