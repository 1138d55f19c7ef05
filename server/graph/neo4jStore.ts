/**
 * The graph in Neo4j 5 (seed 002 §3). Every node carries its label (Atom, Molecule, ...) plus
 * :GraphNode, so edges and queries can find a node by (tenantId, id) through one index without
 * knowing its label. Values always travel as parameters; labels, relationship types and depth
 * bounds are spliced into Cypher only after checking them against fixed lists.
 *
 * Neo4j properties hold scalars and arrays of one scalar type; other values (objects, arrays of
 * objects) are stored as JSON strings and their keys listed in `_json`, so props round-trip.
 */
import neo4j, { type Driver, type EagerResult, type ManagedTransaction, type RecordShape } from 'neo4j-driver';
import {
  COMPONENTS_RULE, IMPACT_RULE, MAX_CYCLE_HOPS, REQUIRES_CHAIN_RULE, checkDepth, checkEdgeSets, checkEdgeType, checkEdges, checkId,
  checkLabel, checkLimit, checkNodes, checkTenant, chunks, emptyCounts, nearest, timeoutOf, toConflicts, toRelated,
  type CheckedEdge, type StoredProps, type TraversalRule,
} from './rules';
import {
  EDGE_TYPES, GraphTimeoutError, NODE_LABELS, type GraphCounts, type GraphNode, type GraphStore,
  type GraphPath, type QueryOptions, type ReachedNode,
} from './types';

const ANY_NODE = 'GraphNode';
const WRITE_TIMEOUT_MS = 30_000;
const DELETE_BATCH = 1000;
/** Rows per write query: one round trip per 5,000 nodes or edges. */
const WRITE_CHUNK = 5000;

/** Idempotent; safe to run at every start and from several processes at once. */
export async function ensureSchema(driver: Driver): Promise<void> {
  for (const label of [ANY_NODE, ...NODE_LABELS]) {
    // The (tenantId, id) uniqueness constraint is also the tenant index: Neo4j backs it with a
    // range index on exactly those properties.
    await schema(driver, `CREATE CONSTRAINT graph_${label.toLowerCase()}_tenant_id IF NOT EXISTS
      FOR (n:${label}) REQUIRE (n.tenantId, n.id) IS UNIQUE`);
  }
  await schema(driver, `CREATE INDEX graph_node_tenant IF NOT EXISTS FOR (n:${ANY_NODE}) ON (n.tenantId)`);
}

async function schema(driver: Driver, cypher: string): Promise<void> {
  try {
    await driver.executeQuery(cypher);
  } catch (error) {
    // Another process created the same rule between our IF NOT EXISTS check and ours.
    if (codeOf(error) === 'Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists') return;
    throw error;
  }
}

/** A store over `driver` (which it closes on close()); runs ensureSchema first. */
export async function createNeo4jGraphStore(driver: Driver): Promise<GraphStore> {
  await ensureSchema(driver);

  async function read<R extends RecordShape>(name: string, options: QueryOptions | undefined, cypher: string,
    params: Record<string, unknown>): Promise<R[]> {
    const timeoutMs = timeoutOf(options);
    try {
      const result = await driver.executeQuery<EagerResult<R>>(cypher, params, {
        routing: neo4j.routing.READ,
        transactionConfig: { timeout: timeoutMs },
      });
      return result.records.map((record) => record.toObject());
    } catch (error) {
      if (codeOf(error).includes('TransactionTimedOut')) throw new GraphTimeoutError(name, timeoutMs, `took longer than ${timeoutMs} ms`);
      throw error;
    }
  }

  async function write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = driver.session({ defaultAccessMode: neo4j.session.WRITE });
    try {
      return await session.executeWrite(work, { timeout: WRITE_TIMEOUT_MS });
    } finally {
      await session.close();
    }
  }

  /**
   * One query per type and chunk, the (checked) type spliced in, both ends found through the
   * (tenantId, id) index. With the type as a parameter, $(row.type), Neo4j 5.26 planned the
   * MERGE as a scan of ALL relationships filtered to the pair whenever its statistics described a
   * small graph (a fresh database, the start of a first sync); a static type plans as
   * Expand(Into) from the two ends. Full-size sync on a fresh Neo4j: 74 s before, 66 s after.
   * All chunks are sent before the first result is read (see replaceEdges).
   */
  async function writeEdges(tx: ManagedTransaction, tenantId: string, edges: CheckedEdge[]): Promise<number> {
    const results = [];
    for (const type of EDGE_TYPES) {
      const ofType = edges.filter((edge) => edge.type === type);
      for (const batch of chunks(ofType, WRITE_CHUNK)) {
        results.push(tx.run(`
          UNWIND $rows AS row
          MATCH (s:${ANY_NODE} {tenantId: $tenantId, id: row.sourceId}) USING INDEX s:${ANY_NODE}(tenantId, id)
          MATCH (t:${ANY_NODE} {tenantId: $tenantId, id: row.targetId}) USING INDEX t:${ANY_NODE}(tenantId, id)
          MERGE (s)-[r:${checkEdgeType(type)}]->(t)
          SET r = row.props
          RETURN count(r) AS written`,
        { tenantId, rows: batch.map((edge) => ({ sourceId: edge.sourceId, targetId: edge.targetId, props: toNeo4j(edge.props) })) }));
      }
    }
    return (await Promise.all(results)).reduce((sum, result) => sum + toNumber(result.records[0]?.get('written')), 0);
  }

  /**
   * Breadth first, one query per level, each expanding only the rule's relationship types in
   * their direction. (A single variable-length pattern with the direction checked in WHERE made
   * Neo4j walk every relationship of hub nodes — a domain's thousands of incoming IN_DOMAIN — and
   * depth 3 took 175 ms p95 on 25,000 atoms, depth 5 hit the 2 s budget.) The first path that
   * reaches a node is a shortest one.
   */
  async function walk(name: string, tenantId: string, id: string, rule: TraversalRule, depth: number,
    options?: QueryOptions): Promise<ReachedNode[]> {
    const deadline = Date.now() + timeoutOf(options);
    const out = rule.out.map(checkEdgeType).join('|');
    const inward = rule.in.map(checkEdgeType).join('|');
    const steps = [
      out ? `WITH a MATCH (a)-[r:${out}]->(b:${ANY_NODE} {tenantId: $tenantId}) RETURN b, type(r) AS type` : '',
      inward ? `WITH a MATCH (a)<-[r:${inward}]-(b:${ANY_NODE} {tenantId: $tenantId}) RETURN b, type(r) AS type` : '',
    ].filter(Boolean);
    if (steps.length === 0) return [];
    const start = await read<{ id: string }>(name, options, `MATCH (s:${ANY_NODE} {tenantId: $tenantId, id: $id}) RETURN s.id AS id`, { tenantId, id });
    if (start.length === 0) return [];
    const paths = new Map<string, GraphPath>([[id, { nodeIds: [id], types: [] }]]);
    const reached: ReachedNode[] = [];
    let frontier = [id];
    for (let distance = 1; distance <= depth && frontier.length > 0; distance++) {
      const left = deadline - Date.now();
      if (left <= 0) throw new GraphTimeoutError(name, timeoutOf(options), `took longer than ${timeoutOf(options)} ms`);
      const rows = await read<{ from: string; id: string; label: string; type: string }>(name, { ...options, timeoutMs: left }, `
        UNWIND $frontier AS f
        MATCH (a:${ANY_NODE} {tenantId: $tenantId, id: f})
        CALL { ${steps.join(' UNION ')} }
        RETURN f AS from, b.id AS id, [l IN labels(b) WHERE l IN $labels][0] AS label, type
        ORDER BY from, id`,
      { tenantId, frontier, labels: NODE_LABELS });
      const next: string[] = [];
      for (const row of rows) {
        if (paths.has(row.id)) continue;
        const via = paths.get(row.from) as GraphPath;
        const path = { nodeIds: [...via.nodeIds, row.id], types: [...via.types, checkEdgeType(row.type)] };
        paths.set(row.id, path);
        reached.push({ id: row.id, label: checkLabel(row.label), distance, path });
        next.push(row.id);
      }
      frontier = next;
    }
    return reached;
  }

  const store: GraphStore = {
    kind: 'neo4j',

    async upsertNodes(tenantId, nodes: GraphNode[]) {
      checkTenant(tenantId);
      const checked = checkNodes(nodes);
      // The props carry tenantId and id with their own values, so setting them leaves the
      // constraint's index entries alone; the label changes only when it is another one
      // (20,000 nodes: created in 1.9 s instead of 2.3 s, re-upserted in 0.8 s instead of 1.9 s).
      // The chunks go out back to back, as in replaceEdges.
      await write((tx) => Promise.all(chunks(checked, WRITE_CHUNK).map((batch) => tx.run(`
        UNWIND $rows AS row
        MERGE (n:${ANY_NODE} {tenantId: $tenantId, id: row.id})
        SET n = row.props
        WITH n, row WHERE NOT row.label IN labels(n)
        REMOVE n:${NODE_LABELS.join(':')}
        SET n:$(row.label)`,
      { tenantId, rows: batch.map((node) => ({ id: node.id, label: node.label, props: { ...toNeo4j(node.props), tenantId, id: node.id } })) }))));
    },

    async deleteNodes(tenantId, ids) {
      checkTenant(tenantId);
      ids.forEach(checkId);
      await write(async (tx) => {
        for (const batch of chunks(ids)) {
          await tx.run(`UNWIND $ids AS id MATCH (n:${ANY_NODE} {tenantId: $tenantId, id: id}) DETACH DELETE n`, { tenantId, ids: batch });
        }
      });
    },

    async upsertEdges(tenantId, edges) {
      checkTenant(tenantId);
      const checked = checkEdges(edges);
      return write((tx) => writeEdges(tx, tenantId, checked));
    },

    async replaceEdges(tenantId, sets) {
      checkTenant(tenantId);
      const { edges, keep } = checkEdgeSets(sets);
      // One row per source (not per source and type): its relationships are expanded once.
      const bySource = new Map<string, { sourceId: string; types: string[]; kept: string[] }>();
      for (const set of keep) {
        const row = bySource.get(set.sourceId) ?? { sourceId: set.sourceId, types: [], kept: [] };
        bySource.set(set.sourceId, row);
        row.types.push(set.type);
        row.kept.push(...set.targetIds.map((targetId) => `${set.type} ${targetId}`));
      }
      return write(async (tx) => {
        // Sent back to back (Bolt keeps their order within the transaction): Neo4j goes from one
        // chunk to the next without waiting for this process to read each result.
        const deletes = chunks([...bySource.values()], WRITE_CHUNK).map((batch) => tx.run(`
          UNWIND $rows AS row
          MATCH (:${ANY_NODE} {tenantId: $tenantId, id: row.sourceId})-[r]->(t)
          WHERE type(r) IN row.types AND NOT type(r) + ' ' + t.id IN row.kept
          DELETE r`,
        { tenantId, rows: batch }));
        const [, written] = await Promise.all([Promise.all(deletes), writeEdges(tx, tenantId, edges)]);
        return written;
      });
    },

    async edgesFrom(tenantId, sourceIds, options) {
      checkTenant(tenantId);
      sourceIds.forEach(checkId);
      const rows = await read<{ sourceId: string; type: string; targetId: string; props: Record<string, unknown> }>('edgesFrom', options, `
        UNWIND $sourceIds AS sourceId
        MATCH (:${ANY_NODE} {tenantId: $tenantId, id: sourceId})-[r]->(t:${ANY_NODE})
        WHERE t.tenantId = $tenantId AND type(r) IN $types
        RETURN sourceId, type(r) AS type, t.id AS targetId, properties(r) AS props`,
      { tenantId, sourceIds, types: EDGE_TYPES });
      return rows.map((row) => ({ sourceId: row.sourceId, type: checkEdgeType(row.type), targetId: row.targetId, props: fromNeo4j(row.props) }));
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
      // Each cycle once: from its smallest molecule id (every molecule on it has an id >= the
      // start's), over simple paths only (Cypher would otherwise allow repeated nodes).
      const rows = await read<{ ids: string[] }>('cycles', options, `
        MATCH p = (m:Molecule:${ANY_NODE} {tenantId: $tenantId})
          ((x)-[:REQUIRES]->(y:${ANY_NODE} WHERE y.tenantId = $tenantId)-[:PART_OF]->(z:${ANY_NODE} WHERE z.tenantId = $tenantId)){1,${MAX_CYCLE_HOPS / 2}}
          (m)
        WITH [n IN nodes(p) | n.id] AS ids
        WHERE all(i IN range(2, size(ids) - 1, 2) WHERE ids[i] >= ids[0])
          AND all(i IN range(1, size(ids) - 2) WHERE NOT ids[i] IN ids[0..i])
        RETURN ids[0..-1] AS ids ORDER BY size(ids), ids LIMIT $limit`,
      { tenantId, limit: neo4j.int(limit) });
      return rows.map((row) => row.ids);
    },

    async shortestPath(tenantId, fromId, toId, maxDepth, options) {
      checkTenant(tenantId);
      checkDepth(maxDepth, 'maxDepth');
      if (fromId === toId) return (await store.node(tenantId, fromId, options)) ? { nodeIds: [fromId], types: [] } : null;
      const [row] = await read<{ nodeIds: string[]; types: string[] }>('shortestPath', options, `
        MATCH (s:${ANY_NODE} {tenantId: $tenantId, id: $fromId}), (t:${ANY_NODE} {tenantId: $tenantId, id: $toId})
        MATCH p = ANY SHORTEST (s) ((a)-[r]-(b:${ANY_NODE}) WHERE b.tenantId = $tenantId AND type(r) IN $types){1,${maxDepth}} (t)
        RETURN [n IN nodes(p) | n.id] AS nodeIds, [r IN relationships(p) | type(r)] AS types`,
      { tenantId, fromId, toId, types: EDGE_TYPES });
      return row ? { nodeIds: row.nodeIds, types: row.types.map(checkEdgeType) } : null;
    },

    async related(tenantId, atomId, options) {
      checkTenant(tenantId);
      const rows = await read<{ id: string; label: string; type: unknown; strength: unknown }>('related', options, `
        MATCH (:${ANY_NODE} {tenantId: $tenantId, id: $atomId})-[r:RELATED_TO]-(b:${ANY_NODE})
        WHERE b.tenantId = $tenantId
        RETURN b.id AS id, [l IN labels(b) WHERE l IN $labels][0] AS label, r.type AS type, r.strength AS strength`,
      { tenantId, atomId, labels: NODE_LABELS });
      return toRelated(rows);
    },

    async conflicts(tenantId, documentId, options) {
      checkTenant(tenantId);
      const rows = await read<{ sourceId: string; targetId: string; reason: unknown; severity: unknown }>('conflicts', options, `
        MATCH (a:${ANY_NODE} {tenantId: $tenantId})-[r:CONFLICTS_WITH]->(b:${ANY_NODE})
        WHERE b.tenantId = $tenantId AND ($documentId IS NULL OR any(x IN [a, b] WHERE x.id = $documentId
          OR EXISTS { MATCH (x)-[:APPEARS_IN]->(:${ANY_NODE} {tenantId: $tenantId, id: $documentId}) }))
        RETURN a.id AS sourceId, b.id AS targetId, r.reason AS reason, r.severity AS severity`,
      { tenantId, documentId: documentId ?? null });
      return toConflicts(rows);
    },

    async counts(tenantId, options) {
      checkTenant(tenantId);
      const rows = await read<{ kind: string; name: string; count: unknown }>('counts', options, `
        CALL () {
          MATCH (n:${ANY_NODE} {tenantId: $tenantId})
          UNWIND [l IN labels(n) WHERE l IN $labels] AS name
          RETURN 'node' AS kind, name, count(*) AS count
          UNION ALL
          MATCH (:${ANY_NODE} {tenantId: $tenantId})-[r]->(t:${ANY_NODE})
          WHERE t.tenantId = $tenantId AND type(r) IN $types
          RETURN 'edge' AS kind, type(r) AS name, count(*) AS count
        }
        RETURN kind, name, count`,
      { tenantId, labels: NODE_LABELS, types: EDGE_TYPES });
      const counts: GraphCounts = emptyCounts();
      for (const row of rows) {
        if (row.kind === 'node') counts.nodes[checkLabel(row.name)] = toNumber(row.count);
        else counts.edges[checkEdgeType(row.name)] = toNumber(row.count);
      }
      return counts;
    },

    async node(tenantId, id, options) {
      checkTenant(tenantId);
      const [row] = await read<{ label: string; props: Record<string, unknown> }>('node', options, `
        MATCH (n:${ANY_NODE} {tenantId: $tenantId, id: $id})
        RETURN [l IN labels(n) WHERE l IN $labels][0] AS label, properties(n) AS props`,
      { tenantId, id, labels: NODE_LABELS });
      return row ? { id, label: checkLabel(row.label), props: fromNeo4j(row.props) } : null;
    },

    async listNodes(tenantId, afterId, limit, options) {
      checkTenant(tenantId);
      checkLimit(limit);
      const rows = await read<{ id: string; label: string; props: Record<string, unknown> }>('listNodes', options, `
        MATCH (n:${ANY_NODE} {tenantId: $tenantId}) WHERE $afterId IS NULL OR n.id > $afterId
        RETURN n.id AS id, [l IN labels(n) WHERE l IN $labels][0] AS label, properties(n) AS props
        ORDER BY n.id LIMIT $limit`,
      { tenantId, afterId, labels: NODE_LABELS, limit: neo4j.int(limit) });
      return rows.map((row) => ({ id: row.id, label: checkLabel(row.label), props: fromNeo4j(row.props) }));
    },

    async clearTenant(tenantId) {
      checkTenant(tenantId);
      // In batches, so a large tenant does not need one huge transaction.
      for (;;) {
        const deleted = await write(async (tx) => {
          const result = await tx.run(`
            MATCH (n:${ANY_NODE} {tenantId: $tenantId}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted`,
          { tenantId, batch: neo4j.int(DELETE_BATCH) });
          return toNumber(result.records[0]?.get('deleted'));
        });
        if (deleted < DELETE_BATCH) return;
      }
    },

    async health() {
      // Not executeQuery: that would retry an unreachable server for half a minute.
      await driver.verifyConnectivity();
    },

    close: () => driver.close(),
  };
  return store;
}

function toNeo4j(props: StoredProps): StoredProps {
  const stored: StoredProps = {};
  const json: string[] = [];
  for (const [key, value] of Object.entries(props)) {
    if (isPropertyValue(value)) {
      stored[key] = value;
    } else {
      stored[key] = JSON.stringify(value);
      json.push(key);
    }
  }
  if (json.length > 0) stored._json = json;
  return stored;
}

function fromNeo4j(properties: Record<string, unknown>): StoredProps {
  const { id: _id, tenantId: _tenantId, _json, ...props } = properties;
  if (Array.isArray(_json)) {
    for (const key of _json) {
      const value = props[key];
      if (typeof value === 'string') props[key] = JSON.parse(value);
    }
  }
  return props;
}

const isScalar = (value: unknown) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** What Neo4j can hold as a property: a scalar or an array of scalars of one type. */
function isPropertyValue(value: unknown): boolean {
  if (isScalar(value)) return true;
  return Array.isArray(value) && value.every((item) => isScalar(item) && typeof item === typeof value[0]);
}

function toNumber(value: unknown): number {
  return neo4j.isInt(value) ? value.toNumber() : Number(value ?? 0);
}

function codeOf(error: unknown): string {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
}
