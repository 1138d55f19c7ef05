/**
 * The graph in PostgreSQL or PGlite (tables graph_nodes / graph_edges, migration 0003_graph):
 * the embedded default. Traversals are recursive SQL over simple paths (the path array keeps
 * them cycle-safe), bounded by depth, by `statement_timeout` and by a budget of explored paths.
 *
 * PGlite ignores statement_timeout (a running statement cannot be interrupted),
 * so a traversal also stops after PATHS_PER_MS × timeoutMs paths and raises GraphTimeoutError:
 * the work is bounded even where the clock is not. The rates are measured walking speeds
 * (PGlite ~100–200 paths/ms; PostgreSQL ~400, so there the clock usually fires first and the
 * budget only caps memory).
 */
import type { Database, Sql } from '../db/client';
import {
  COMPONENTS_RULE, IMPACT_RULE, MAX_CYCLE_HOPS, REQUIRES_CHAIN_RULE, checkDepth, checkEdgeSets, checkEdgeType, checkEdges, checkId,
  checkLabel, checkLimit, checkNodes, checkTenant, chunks, emptyCounts, nearest, timeoutOf, toConflicts, toRelated,
  type CheckedEdge, type TraversalRule,
} from './rules';
import {
  EDGE_TYPES, GraphTimeoutError, type GraphCounts, type GraphEdge, type GraphNode, type GraphPath,
  type GraphStore, type QueryOptions, type ReachedNode,
} from './types';

/** Paths a traversal may explore per millisecond of its time budget. */
export const PATHS_PER_MS = { pglite: 100, postgres: 1000 } as const;

interface WalkRow {
  id: string;
  label: string;
  distance: number;
  path: string[];
  types: string[];
  explored: number;
}

/**
 * Simple paths from $2 in tenant $1 up to depth $5: `out` types ($3) followed source → target,
 * `in` types ($4) target → source. Rows come out breadth first, so a LIMIT keeps the shallowest.
 */
/** Rows per write statement on PGlite (see createPgGraphStore). */
const WRITE_CHUNK = 250;

const WALK = `
  WITH RECURSIVE walk(id, depth, path, types) AS (
    SELECT n.id, 0, ARRAY[n.id], ARRAY[]::text[] FROM graph_nodes n WHERE n.tenant_id = $1 AND n.id = $2
    UNION ALL
    SELECT step.id, w.depth + 1, w.path || step.id, w.types || step.type
    FROM walk w CROSS JOIN LATERAL (
      SELECT e.target_id AS id, e.type::text AS type FROM graph_edges e
      WHERE e.tenant_id = $1 AND e.source_id = w.id AND e.type = ANY($3::text[])
      UNION ALL
      SELECT e.source_id, e.type::text FROM graph_edges e
      WHERE e.tenant_id = $1 AND e.target_id = w.id AND e.type = ANY($4::text[])
    ) step
    WHERE w.depth < $5 AND step.id <> ALL(w.path)
  )`;

export function createPgGraphStore(db: Database): GraphStore {
  // PGlite answers nobody else while a transaction or statement runs: there a write goes in
  // statements of WRITE_CHUNK rows each, not in one transaction (a 2,000-entity batch held it for
  // 2.6 s). The sync's writes are idempotent and redone from the outbox after a crash, so they
  // need no atomicity; on PostgreSQL they keep their transaction.
  const pglite = db.kind === 'pglite';
  const write = <T>(fn: (tx: Sql) => Promise<T>): Promise<T> => (pglite ? fn(db) : db.tx(fn));
  const writeChunks = <T>(items: T[]) => chunks(items, pglite ? WRITE_CHUNK : 1000);
  /** Runs one read with the time budget; a cancelled statement becomes GraphTimeoutError. */
  async function read<T>(name: string, options: QueryOptions | undefined, text: string, params: unknown[]): Promise<T[]> {
    const timeoutMs = timeoutOf(options);
    try {
      return await db.tx(async (tx) => {
        await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
        return (await tx.query<T>(text, params)).rows;
      });
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === '57014') {
        throw new GraphTimeoutError(name, timeoutMs, `took longer than ${timeoutMs} ms`);
      }
      throw error;
    }
  }

  function budget(options: QueryOptions | undefined): number {
    return timeoutOf(options) * PATHS_PER_MS[db.kind];
  }

  function overBudget(name: string, options: QueryOptions | undefined): GraphTimeoutError {
    return new GraphTimeoutError(name, timeoutOf(options), `explored more than ${budget(options)} paths, its budget for ${timeoutOf(options)} ms`);
  }

  async function walk(name: string, tenantId: string, id: string, rule: TraversalRule, depth: number, options?: QueryOptions) {
    const limit = budget(options);
    const rows = await read<WalkRow>(name, options, `${WALK},
      explored AS (SELECT * FROM walk LIMIT $6)
      SELECT DISTINCT ON (w.id) w.id, n.label, w.depth AS distance, w.path, w.types,
        (SELECT count(*) FROM explored)::int AS explored
      FROM explored w JOIN graph_nodes n ON n.tenant_id = $1 AND n.id = w.id
      WHERE w.depth > 0
      ORDER BY w.id, w.depth, w.path`,
    [tenantId, id, rule.out, rule.in, depth, limit + 1]);
    if (rows.some((row) => row.explored > limit)) throw overBudget(name, options);
    return rows.map((row): ReachedNode => ({
      id: row.id,
      label: checkLabel(row.label),
      distance: row.distance,
      path: { nodeIds: row.path, types: row.types.map(checkEdgeType) },
    }));
  }

  async function writeEdges(tx: Sql, tenantId: string, edges: CheckedEdge[]): Promise<number> {
    let written = 0;
    for (const batch of writeChunks(edges)) {
      const result = await tx.query(
        `INSERT INTO graph_edges (tenant_id, source_id, type, target_id, props)
         SELECT $1, r.source_id, r.type, r.target_id, r.props
         FROM jsonb_to_recordset($2::jsonb) AS r(source_id text, type text, target_id text, props jsonb)
         WHERE EXISTS (SELECT 1 FROM graph_nodes s WHERE s.tenant_id = $1 AND s.id = r.source_id)
           AND EXISTS (SELECT 1 FROM graph_nodes t WHERE t.tenant_id = $1 AND t.id = r.target_id)
         ON CONFLICT (tenant_id, source_id, type, target_id) DO UPDATE SET props = EXCLUDED.props, updated_at = NOW()`,
        [tenantId, JSON.stringify(batch.map((e) => ({ source_id: e.sourceId, type: e.type, target_id: e.targetId, props: e.props })))],
      );
      written += result.rowCount;
    }
    return written;
  }

  const store: GraphStore = {
    kind: 'postgres',

    async upsertNodes(tenantId, nodes: GraphNode[]) {
      checkTenant(tenantId);
      const checked = checkNodes(nodes);
      await write(async (tx) => {
        for (const batch of writeChunks(checked)) {
          await tx.query(
            `INSERT INTO graph_nodes (tenant_id, id, label, props)
             SELECT $1, r.id, r.label, r.props FROM jsonb_to_recordset($2::jsonb) AS r(id text, label text, props jsonb)
             ON CONFLICT (tenant_id, id) DO UPDATE SET label = EXCLUDED.label, props = EXCLUDED.props, updated_at = NOW()`,
            [tenantId, JSON.stringify(batch)],
          );
        }
      });
    },

    async deleteNodes(tenantId, ids) {
      checkTenant(tenantId);
      ids.forEach(checkId);
      // The edges' foreign keys cascade: deleting a node detaches it.
      await db.query('DELETE FROM graph_nodes WHERE tenant_id = $1 AND id = ANY($2::text[])', [tenantId, ids]);
    },

    async upsertEdges(tenantId, edges: GraphEdge[]) {
      checkTenant(tenantId);
      const checked = checkEdges(edges);
      return write((tx) => writeEdges(tx, tenantId, checked));
    },

    async replaceEdges(tenantId, sets) {
      checkTenant(tenantId);
      const { edges, keep } = checkEdgeSets(sets);
      // Every edge of the sets' (source, type) pairs goes, then the wanted ones come back. No join
      // in the DELETE: a join with the sets was planned as a nested loop over graph_edges while its
      // statistics still described a nearly empty table, and stalled the first bulk sync for ~40 s.
      return write(async (tx) => {
        for (const type of EDGE_TYPES) {
          const sources = [...new Set(keep.filter((set) => set.type === type).map((set) => set.sourceId))];
          for (const batch of writeChunks(sources)) {
            await tx.query('DELETE FROM graph_edges WHERE tenant_id = $1 AND type = $2 AND source_id = ANY($3::text[])', [tenantId, type, batch]);
          }
        }
        return writeEdges(tx, tenantId, edges);
      });
    },

    async edgesFrom(tenantId, sourceIds, options) {
      checkTenant(tenantId);
      sourceIds.forEach(checkId);
      const rows = await read<{ sourceId: string; type: string; targetId: string; props: Record<string, unknown> }>('edgesFrom', options,
        `SELECT source_id AS "sourceId", type, target_id AS "targetId", props FROM graph_edges
          WHERE tenant_id = $1 AND source_id = ANY($2::text[])`, [tenantId, sourceIds]);
      return rows.map((row) => ({ sourceId: row.sourceId, type: checkEdgeType(row.type), targetId: row.targetId, props: row.props }));
    },

    async impact(tenantId, nodeId, depth, options) {
      checkTenant(tenantId);
      checkDepth(depth);
      return nearest(await walk('impact', tenantId, nodeId, IMPACT_RULE, depth, options));
    },

    async dependencies(tenantId, moleculeId, depth, options) {
      checkTenant(tenantId);
      checkDepth(depth);
      const components = await walk('dependencies', tenantId, moleculeId, COMPONENTS_RULE, 1, options);
      return nearest(components, await walk('dependencies', tenantId, moleculeId, REQUIRES_CHAIN_RULE, depth, options));
    },

    async cycles(tenantId, limit = 20, options) {
      checkTenant(tenantId);
      checkLimit(limit);
      const paths = budget(options);
      // From every molecule, alternate REQUIRES and PART_OF steps; a chain closes when PART_OF
      // leads back to its start. Only molecules with an id >= the start's are visited, so each
      // cycle is found once, from its smallest molecule.
      const rows = await read<{ path: string[]; explored: number }>('cycles', options, `
        WITH RECURSIVE walk(start_id, id, hops, path) AS (
          SELECT n.id, n.id, 0, ARRAY[n.id] FROM graph_nodes n WHERE n.tenant_id = $1 AND n.label = 'Molecule'
          UNION ALL
          SELECT w.start_id, e.target_id, w.hops + 1, w.path || e.target_id
          FROM walk w JOIN graph_edges e ON e.tenant_id = $1 AND e.source_id = w.id
            AND e.type = CASE WHEN w.hops % 2 = 0 THEN 'REQUIRES' ELSE 'PART_OF' END
          WHERE w.hops < $2 AND (w.hops = 0 OR w.id <> w.start_id)
            AND (w.hops % 2 = 0 OR e.target_id >= w.start_id)
            AND (e.target_id <> ALL(w.path) OR (w.hops % 2 = 1 AND e.target_id = w.start_id))
        ),
        explored AS (SELECT * FROM walk LIMIT $3)
        SELECT path, (SELECT count(*) FROM explored)::int AS explored FROM explored
        WHERE hops > 0 AND id = start_id
        ORDER BY cardinality(path), path
        LIMIT $4`,
      [tenantId, MAX_CYCLE_HOPS, paths + 1, limit]);
      if (rows.some((row) => row.explored > paths)) throw overBudget('cycles', options);
      return rows.map((row) => row.path.slice(0, -1));
    },

    async shortestPath(tenantId, fromId, toId, maxDepth, options) {
      checkTenant(tenantId);
      checkDepth(maxDepth, 'maxDepth');
      if (fromId === toId) return (await store.node(tenantId, fromId, options)) ? { nodeIds: [fromId], types: [] } : null;
      const limit = budget(options);
      // Breadth first: the first row that reaches the target is a shortest path. The row
      // number tells a path that was not found from a walk that ran out of budget.
      const rows = await read<{ id: string; path: string[]; types: string[] }>('shortestPath', options, `${WALK}
        SELECT id, path, types FROM (SELECT *, row_number() OVER () AS n FROM (SELECT * FROM walk LIMIT $6) w) w
        WHERE id = $7 OR n = $6
        LIMIT 1`,
      [tenantId, fromId, EDGE_TYPES, EDGE_TYPES, maxDepth, limit + 1, toId]);
      const [row] = rows;
      if (!row) return null;
      if (row.id !== toId) throw overBudget('shortestPath', options);
      return { nodeIds: row.path, types: row.types.map(checkEdgeType) } satisfies GraphPath;
    },

    async related(tenantId, atomId, options) {
      checkTenant(tenantId);
      const rows = await read<{ id: string; label: string; type: unknown; strength: unknown }>('related', options, `
        SELECT n.id, n.label, e.props -> 'type' AS type, e.props -> 'strength' AS strength
        FROM graph_edges e
        JOIN graph_nodes n ON n.tenant_id = e.tenant_id AND n.id = CASE WHEN e.source_id = $2 THEN e.target_id ELSE e.source_id END
        WHERE e.tenant_id = $1 AND e.type = 'RELATED_TO' AND (e.source_id = $2 OR e.target_id = $2)`,
      [tenantId, atomId]);
      return toRelated(rows);
    },

    async conflicts(tenantId, documentId, options) {
      checkTenant(tenantId);
      const rows = await read<{ sourceId: string; targetId: string; reason: unknown; severity: unknown }>('conflicts', options, `
        SELECT e.source_id AS "sourceId", e.target_id AS "targetId", e.props -> 'reason' AS reason, e.props -> 'severity' AS severity
        FROM graph_edges e
        WHERE e.tenant_id = $1 AND e.type = 'CONFLICTS_WITH' AND (
          $2::text IS NULL OR $2::text IN (e.source_id, e.target_id) OR EXISTS (
            SELECT 1 FROM graph_edges d WHERE d.tenant_id = $1 AND d.type = 'APPEARS_IN' AND d.target_id = $2::text
              AND d.source_id IN (e.source_id, e.target_id)))`,
      [tenantId, documentId ?? null]);
      return toConflicts(rows);
    },

    async counts(tenantId, options) {
      checkTenant(tenantId);
      const rows = await read<{ kind: 'node' | 'edge'; name: string; count: number }>('counts', options, `
        SELECT 'node' AS kind, label AS name, count(*)::int AS count FROM graph_nodes WHERE tenant_id = $1 GROUP BY label
        UNION ALL
        SELECT 'edge', type, count(*)::int FROM graph_edges WHERE tenant_id = $1 GROUP BY type`,
      [tenantId]);
      const counts: GraphCounts = emptyCounts();
      for (const row of rows) {
        if (row.kind === 'node') counts.nodes[checkLabel(row.name)] = row.count;
        else counts.edges[checkEdgeType(row.name)] = row.count;
      }
      return counts;
    },

    async node(tenantId, id, options) {
      checkTenant(tenantId);
      const [row] = await read<{ id: string; label: string; props: Record<string, unknown> }>('node', options,
        'SELECT id, label, props FROM graph_nodes WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
      return row ? { id: row.id, label: checkLabel(row.label), props: row.props } : null;
    },

    async listNodes(tenantId, afterId, limit, options) {
      checkTenant(tenantId);
      checkLimit(limit);
      const rows = await read<{ id: string; label: string; props: Record<string, unknown> }>('listNodes', options,
        `SELECT id, label, props FROM graph_nodes WHERE tenant_id = $1 AND ($2::text IS NULL OR id > $2)
          ORDER BY id LIMIT $3`, [tenantId, afterId, limit]);
      return rows.map((row) => ({ id: row.id, label: checkLabel(row.label), props: row.props }));
    },

    async clearTenant(tenantId) {
      checkTenant(tenantId);
      await db.tx(async (tx) => {
        await tx.query('DELETE FROM graph_edges WHERE tenant_id = $1', [tenantId]);
        await tx.query('DELETE FROM graph_nodes WHERE tenant_id = $1', [tenantId]);
      });
    },

    async health() {
      await db.query('SELECT 1 FROM graph_nodes LIMIT 1');
    },

    /** The database belongs to the caller. */
    async close() {},
  };
  return store;
}
