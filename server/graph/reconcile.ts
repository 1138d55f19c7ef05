/**
 * Drift between PostgreSQL (the source of truth) and the graph store: compares every node's
 * checksum (projection.ts) and the edge counts per type. reconcile() repairs by deleting graph
 * nodes PostgreSQL no longer has and enqueueing outbox rows for missing or different ones (all of
 * the tenant's entities when edge counts differ); rebuild() clears the tenant's graph and
 * re-enqueues everything. The sync worker does the writing in both cases.
 */
import type { Sql } from '../db/client';
import { recordChange, type GraphEntityType } from '../db/repos/graphOutbox';
import { checksum, projectEdges, projectNodes } from './projection';
import { EDGE_TYPES, type EdgeType, type GraphStore } from './types';

export interface GraphDrift {
  nodes: { postgres: number; graph: number };
  edges: { postgres: Record<EdgeType, number>; graph: Record<EdgeType, number> };
  missing: string[];
  different: string[];
  extra: string[];
  inSync: boolean;
}

const TYPES: GraphEntityType[] = ['domain', 'document', 'block', 'atom', 'molecule'];
const CHUNK = 500;
const LIVE: Record<GraphEntityType, string> = {
  domain: 'SELECT id FROM domains WHERE tenant_id = $1',
  document: 'SELECT id FROM documents WHERE tenant_id = $1 AND NOT in_trash',
  block: 'SELECT b.id FROM blocks b JOIN documents d ON d.id = b.document_id AND NOT d.in_trash WHERE b.tenant_id = $1',
  atom: 'SELECT id FROM atoms WHERE tenant_id = $1 AND deleted_at IS NULL',
  molecule: 'SELECT id FROM molecule_metadata WHERE tenant_id = $1 AND deleted_at IS NULL',
};

async function liveIds(db: Sql, tenantId: string): Promise<Map<string, GraphEntityType>> {
  const ids = new Map<string, GraphEntityType>();
  for (const type of TYPES) {
    const { rows } = await db.query<{ id: string }>(`${LIVE[type]} ORDER BY 1`, [tenantId]);
    for (const row of rows) ids.set(row.id, type);
  }
  return ids;
}

const zeroEdges = () => Object.fromEntries(EDGE_TYPES.map((type) => [type, 0])) as Record<EdgeType, number>;

export async function compareGraph(db: Sql, graph: GraphStore, tenantId: string): Promise<GraphDrift> {
  const live = await liveIds(db, tenantId);
  const expected = new Map<string, string>();
  const edges = zeroEdges();
  for (const type of TYPES) {
    const ids = [...live].filter(([, t]) => t === type).map(([id]) => id);
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      for (const node of await projectNodes(db, tenantId, type, chunk)) expected.set(node.id, checksum(node));
      for (const edge of (await projectEdges(db, tenantId, type, chunk)).edges) {
        // The store skips edges to nodes that do not exist; so does the count.
        edges[edge.type] += edge.targets.filter((target) => live.has(target.targetId)).length;
      }
    }
  }
  const actual = new Map<string, string>();
  for (let after: string | null = null; ;) {
    const page = await graph.listNodes(tenantId, after, 1000, { timeoutMs: 30_000 });
    for (const node of page) actual.set(node.id, checksum(node));
    if (page.length < 1000) break;
    after = page[page.length - 1].id;
  }
  const counts = await graph.counts(tenantId, { timeoutMs: 30_000 });
  const missing = [...expected.keys()].filter((id) => !actual.has(id));
  const different = [...expected].filter(([id, sum]) => actual.has(id) && actual.get(id) !== sum).map(([id]) => id);
  const extra = [...actual.keys()].filter((id) => !expected.has(id));
  const edgesEqual = EDGE_TYPES.every((type) => counts.edges[type] === edges[type]);
  return {
    nodes: { postgres: expected.size, graph: actual.size },
    edges: { postgres: edges, graph: counts.edges },
    missing,
    different,
    extra,
    inSync: missing.length === 0 && different.length === 0 && extra.length === 0 && edgesEqual,
  };
}

/** Repairs drift through the outbox; returns what it found. */
export async function reconcile(db: Sql, graph: GraphStore, tenantId: string): Promise<GraphDrift> {
  const drift = await compareGraph(db, graph, tenantId);
  if (drift.inSync) return drift;
  if (drift.extra.length > 0) {
    await graph.deleteNodes(tenantId, drift.extra);
    await db.query('DELETE FROM sync_state WHERE tenant_id = $1 AND entity_id::text = ANY($2::text[])', [tenantId, drift.extra]);
  }
  const live = await liveIds(db, tenantId);
  const edgesDiffer = EDGE_TYPES.some((type) => drift.edges.graph[type] !== drift.edges.postgres[type]);
  const stale = edgesDiffer ? [...live.keys()] : [...drift.missing, ...drift.different];
  // A pending sync_state row makes the sync replace (not just add) these entities' edges.
  await db.query(
    `INSERT INTO sync_state (tenant_id, entity_type, entity_id, postgres_version, sync_status)
     SELECT $1, r.type, r.id, 0, 'pending' FROM jsonb_to_recordset($2::jsonb) AS r(type text, id uuid)
     ON CONFLICT (tenant_id, entity_type, entity_id) DO UPDATE SET sync_status = 'pending', updated_at = NOW()`,
    [tenantId, JSON.stringify(stale.map((id) => ({ type: live.get(id), id })))],
  );
  for (const type of TYPES) await recordChange(db, tenantId, type, stale.filter((id) => live.get(id) === type));
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

