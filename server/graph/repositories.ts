/**
 * Seed 002 §5: AtomRepository and MoleculeRepository answer graph questions ("what breaks if this
 * atom changes?") with display data, so callers never choose a database. Traversals go to the
 * GraphStore (Neo4j or PostgreSQL tables); names, values, titles and block ids come from the
 * PostgreSQL rows. Every method is tenant-scoped and returns null for a start node the tenant
 * does not have.
 */
import type { Sql } from '../db/client';
import { blockText } from '../../lib/blocks/text';
import type { BlockContent } from '../../lib/blocks/types';
import type { ConflictDto, ConflictsDto, CyclesDto, GraphEdgeDto, GraphLabel, GraphNodeDto, GraphViewDto, PathDto } from '../../lib/graph/dto';
import { moleculeSummary } from '../presenters/knowledge';
import type { ConflictPair, GraphStore, NodeLabel, QueryOptions, ReachedNode } from './types';
import { RULE_KEYS, ruleVariants, variantConflict } from './ruleVariants';
import { toConflicts } from './rules';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SNIPPET = 60;
/** Conflicts a request returns (ConflictsDto.total says how many there are). */
const MAX_CONFLICTS = 200;

type Display = Omit<GraphNodeDto, 'distance' | 'path'>;

interface Stores {
  db: Sql;
  graph: GraphStore;
}

const snippet = (text: string) => (text.length > SNIPPET ? `${text.slice(0, SNIPPET - 1)}…` : text);
const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : null);

/** Display data of nodes: PostgreSQL rows first, the graph node's own props for ids PostgreSQL does not know. */
async function describe({ db, graph }: Stores, tenantId: string, ids: string[], options?: QueryOptions): Promise<Map<string, Display>> {
  const out = new Map<string, Display>();
  const uuids = [...new Set(ids)].filter((id) => UUID.test(id));
  if (uuids.length > 0) {
    const params = [tenantId, uuids];
    const [atoms, molecules, documents, blocks, domains] = await Promise.all([
      db.query<{ id: string; type: string; name: string | null; canonical: string | null; text: string | null; documentId: string | null; blockId: string | null }>(
        `SELECT a.id, a.atom_type AS type, a.name, a.canonical, a.text_value AS text, an.document_id AS "documentId", an.block_id AS "blockId"
           FROM atoms a
           LEFT JOIN LATERAL (SELECT document_id, block_id FROM annotations
                               WHERE tenant_id = a.tenant_id AND knowledge_type = 'atom' AND knowledge_id = a.id ORDER BY created_at LIMIT 1) an ON TRUE
          WHERE a.tenant_id = $1 AND a.id = ANY($2::uuid[])`, params),
      db.query<{ id: string; type: string; name: string | null; configuration: Record<string, unknown> | null; documentId: string | null; blockId: string | null }>(
        `SELECT m.id, m.molecule_type AS type, m.name, m.configuration, an.document_id AS "documentId", an.block_id AS "blockId"
           FROM molecule_metadata m
           LEFT JOIN LATERAL (SELECT document_id, block_id FROM annotations
                               WHERE tenant_id = m.tenant_id AND knowledge_type = 'molecule' AND knowledge_id = m.id ORDER BY created_at LIMIT 1) an ON TRUE
          WHERE m.tenant_id = $1 AND m.id = ANY($2::uuid[])`, params),
      db.query<{ id: string; title: string | null }>('SELECT id, title FROM documents WHERE tenant_id = $1 AND id = ANY($2::uuid[])', params),
      db.query<{ id: string; documentId: string; type: string; content: BlockContent }>(
        'SELECT id, document_id AS "documentId", block_type AS type, content FROM blocks WHERE tenant_id = $1 AND id = ANY($2::uuid[])', params),
      db.query<{ id: string; name: string }>('SELECT id, name FROM domains WHERE tenant_id = $1 AND id = ANY($2::uuid[])', params),
    ]);
    for (const a of atoms.rows) {
      out.set(a.id, { id: a.id, label: 'Atom', name: a.name ?? a.canonical ?? a.text ?? a.type, detail: a.canonical ?? a.text, documentId: a.documentId, blockId: a.blockId });
    }
    for (const m of molecules.rows) {
      out.set(m.id, { id: m.id, label: 'Molecule', name: moleculeSummary(m.type, m.configuration), detail: m.name ?? m.type, documentId: m.documentId, blockId: m.blockId });
    }
    for (const d of documents.rows) out.set(d.id, { id: d.id, label: 'Document', name: text(d.title) ?? 'Untitled', detail: null, documentId: d.id, blockId: null });
    for (const b of blocks.rows) {
      out.set(b.id, { id: b.id, label: 'Block', name: snippet(blockText(b.content)) || b.type, detail: b.type, documentId: b.documentId, blockId: b.id });
    }
    for (const d of domains.rows) out.set(d.id, { id: d.id, label: 'Domain', name: d.name, detail: null, documentId: null, blockId: null });
  }
  const missing = [...new Set(ids)].filter((id) => !out.has(id));
  const nodes = await Promise.all(missing.map((id) => graph.node(tenantId, id, options)));
  for (const node of nodes) {
    if (!node) continue;
    const p = node.props;
    out.set(node.id, {
      id: node.id,
      label: node.label,
      name: text(p.name) ?? text(p.title) ?? text(p.canonical) ?? node.label,
      detail: text(p.canonical) ?? text(p.type) ?? null,
      documentId: text(p.documentId),
      blockId: text(p.blockId),
    });
  }
  return out;
}

function toNode(display: Display | undefined, id: string, label: NodeLabel, distance: number | null, path: string[]): GraphNodeDto {
  const base: Display = display ?? { id, label, name: label, detail: null, documentId: null, blockId: null };
  return { ...base, label: label satisfies GraphLabel, distance, path };
}

/** A traversal from `rootId` drawn as nodes (root first) and the edges of each node's shortest path, oriented away from the root. */
async function drawReach(stores: Stores, tenantId: string, rootId: string, reached: ReachedNode[], options?: QueryOptions): Promise<GraphViewDto | null> {
  const ids = [rootId, ...reached.map((node) => node.id)];
  const display = await describe(stores, tenantId, ids, options);
  const root = display.get(rootId);
  if (!root) return null;
  const edges = new Map<string, GraphEdgeDto>();
  for (const node of reached) {
    const { nodeIds, types } = node.path;
    types.forEach((type, i) => {
      const edge = { source: nodeIds[i], target: nodeIds[i + 1], type, props: {} };
      edges.set(`${edge.source} ${type} ${edge.target}`, edge);
    });
  }
  return {
    rootId,
    nodes: [
      toNode(root, rootId, root.label, 0, [rootId]),
      ...reached.filter((node) => node.id !== rootId).map((node) => toNode(display.get(node.id), node.id, node.label, node.distance, node.path.nodeIds)),
    ],
    edges: [...edges.values()],
  };
}

/** Nodes for a list of ids without a start (cycles, conflicts, paths); ids the tenant does not have are left out. */
async function drawIds(stores: Stores, tenantId: string, ids: string[], edges: GraphEdgeDto[], options?: QueryOptions): Promise<GraphViewDto> {
  const display = await describe(stores, tenantId, ids, options);
  const nodes = [...display.values()].map((node) => ({ ...node, distance: null, path: [] }));
  return { rootId: null, nodes, edges: edges.filter((e) => display.has(e.source) && display.has(e.target)) };
}

/** Any node of the graph: impact and shortest paths. */
export class GraphRepository {
  constructor(private readonly stores: Stores) {}

  /** "What breaks if this node changes", up to `depth` (1..6) hops; RangeError on a bad depth. */
  async impact(tenantId: string, nodeId: string, depth: number, options?: QueryOptions): Promise<GraphViewDto | null> {
    const reached = await this.stores.graph.impact(tenantId, nodeId, depth, options);
    return drawReach(this.stores, tenantId, nodeId, reached, options);
  }

  /** One shortest path between two nodes; null when either is unknown, `path: null` when they are not connected within maxDepth. */
  async shortestPath(tenantId: string, fromId: string, toId: string, maxDepth: number, options?: QueryOptions): Promise<PathDto | null> {
    const found = await this.stores.graph.shortestPath(tenantId, fromId, toId, maxDepth, options);
    const ids = found?.nodeIds ?? [fromId, toId];
    const edges = found ? found.types.map((type, i) => ({ source: found.nodeIds[i], target: found.nodeIds[i + 1], type, props: {} })) : [];
    const view = await drawIds(this.stores, tenantId, [fromId, toId, ...ids], edges, options);
    const known = new Set(view.nodes.map((node) => node.id));
    if (!known.has(fromId) || !known.has(toId)) return null;
    return { ...view, rootId: fromId, path: found?.nodeIds ?? null };
  }
}

export class AtomRepository {
  private readonly nodes: GraphRepository;
  constructor(private readonly stores: Stores) {
    this.nodes = new GraphRepository(stores);
  }

  /** The molecules this atom is PART_OF, with display data. */
  async getMoleculesContainingAtom(tenantId: string, atomId: string, options?: QueryOptions): Promise<GraphNodeDto[] | null> {
    const view = await this.impactAnalysis(tenantId, atomId, 1, options);
    if (!view) return null;
    const partOf = new Set(view.edges.filter((e) => e.source === atomId && e.type === 'PART_OF').map((e) => e.target));
    return view.nodes.filter((node) => node.label === 'Molecule' && partOf.has(node.id));
  }

  impactAnalysis(tenantId: string, atomId: string, depth: number, options?: QueryOptions): Promise<GraphViewDto | null> {
    return this.nodes.impact(tenantId, atomId, depth, options);
  }

  /** RELATED_TO neighbours, strongest first; edges carry the relation's type and strength. */
  async related(tenantId: string, atomId: string, options?: QueryOptions): Promise<GraphViewDto | null> {
    const related = await this.stores.graph.related(tenantId, atomId, options);
    const display = await describe(this.stores, tenantId, [atomId, ...related.map((r) => r.id)], options);
    const root = display.get(atomId);
    if (!root) return null;
    return {
      rootId: atomId,
      nodes: [toNode(root, atomId, root.label, 0, [atomId]), ...related.map((r) => toNode(display.get(r.id), r.id, r.label, 1, [atomId, r.id]))],
      edges: related.map((r) => ({ source: atomId, target: r.id, type: 'RELATED_TO', props: { type: r.type, strength: r.strength } })),
    };
  }
}

export class MoleculeRepository {
  private readonly nodes: GraphRepository;
  constructor(private readonly stores: Stores) {
    this.nodes = new GraphRepository(stores);
  }

  impactAnalysis(tenantId: string, moleculeId: string, depth: number, options?: QueryOptions): Promise<GraphViewDto | null> {
    return this.nodes.impact(tenantId, moleculeId, depth, options);
  }

  /** What a molecule depends on: its atoms and its REQUIRES chains. */
  async dependencies(tenantId: string, moleculeId: string, depth: number, options?: QueryOptions): Promise<GraphViewDto | null> {
    const reached = await this.stores.graph.dependencies(tenantId, moleculeId, depth, options);
    return drawReach(this.stores, tenantId, moleculeId, reached, options);
  }

  /** Circular REQUIRES chains [m1, a1, m2, a2, ...], drawn with their edges. */
  async cycles(tenantId: string, limit = 20, options?: QueryOptions): Promise<CyclesDto> {
    const cycles = await this.stores.graph.cycles(tenantId, limit, options);
    const edges = cycles.flatMap((cycle) =>
      cycle.map((id, i) => ({ source: id, target: cycle[(i + 1) % cycle.length], type: i % 2 === 0 ? 'REQUIRES' : 'PART_OF', props: {} })),
    );
    return { ...(await drawIds(this.stores, tenantId, cycles.flat(), edges, options)), cycles };
  }

  /**
   * Conflicting rules: the whole tenant's from the graph (CONFLICTS_WITH links the representatives
   * of conflicting variants); with documentId (null when the tenant has no such document), the
   * document's own rules against their groups, read from PostgreSQL through the variants index, so
   * a document whose rules repeat another's (whose representatives are elsewhere) still sees them.
   */
  async conflicts(tenantId: string, documentId?: string, options?: QueryOptions): Promise<ConflictsDto | null> {
    let pairs: ConflictPair[];
    if (documentId === undefined) pairs = await this.stores.graph.conflicts(tenantId, undefined, options);
    else {
      const found = await documentConflicts(this.stores.db, tenantId, documentId);
      if (!found) return null;
      pairs = found;
    }
    // The most severe first, at most MAX_CONFLICTS of them drawn: a handbook's thousands of
    // conflicting variants took seconds to describe and no one reads them in a side panel.
    const shown = [...pairs].sort((a, b) => Number(b.severity === 'high') - Number(a.severity === 'high')).slice(0, MAX_CONFLICTS);
    const conflicts: ConflictDto[] = shown.map((p) => ({ sourceId: p.sourceId, targetId: p.targetId, reason: p.reason, severity: p.severity }));
    const edges = conflicts.map((c) => ({ source: c.sourceId, target: c.targetId, type: 'CONFLICTS_WITH', props: { reason: c.reason, severity: c.severity } }));
    return { ...(await drawIds(this.stores, tenantId, conflicts.flatMap((c) => [c.sourceId, c.targetId]), edges, options)), conflicts, total: pairs.length };
  }
}

/**
 * A document's conflicts: each of its variants (its rules with the same conditions and results,
 * represented by the document's oldest such rule) against the other variants of its group. The
 * partner is the document's own rule of that variant when it has one, else the group's
 * representative. Null when the tenant has no such document.
 */
async function documentConflicts(db: Sql, tenantId: string, documentId: string): Promise<ConflictPair[] | null> {
  const { rows: [document] } = await db.query<{ id: string }>('SELECT id FROM documents WHERE tenant_id = $1 AND id = $2', [tenantId, documentId]);
  if (!document) return null;
  const { rows } = await db.query<{ id: string; conditionKey: string | null; resultKey: string }>(
    `SELECT DISTINCT ON (2, 3) id, ${RULE_KEYS} FROM molecule_metadata
      WHERE tenant_id = $1 AND deleted_at IS NULL
        AND id IN (SELECT knowledge_id FROM annotations WHERE tenant_id = $1 AND document_id = $2 AND knowledge_type = 'molecule')
      ORDER BY 2, 3, created_at, id`,
    [tenantId, documentId],
  );
  const mine = rows.filter((row): row is typeof row & { conditionKey: string } => row.conditionKey !== null);
  const groups = await ruleVariants(db, tenantId, mine.map((row) => row.conditionKey));
  const local = new Map(mine.map((row) => [`${row.conditionKey} ${row.resultKey}`, row.id]));
  const pairs = new Map<string, ConflictPair>();
  for (const row of mine) {
    const variants = groups.get(row.conditionKey) ?? [];
    const own = variants.find((variant) => variant.resultKey === row.resultKey);
    if (!own) continue;
    for (const other of variants) {
      const partner = local.get(`${row.conditionKey} ${other.resultKey}`) ?? other.representative;
      const [sourceId, targetId] = row.id < partner ? [row.id, partner] : [partner, row.id];
      const conflict = row.id < partner ? variantConflict(own, other) : variantConflict(other, own);
      if (conflict) pairs.set(`${sourceId} ${targetId}`, { sourceId, targetId, ...conflict });
    }
  }
  return toConflicts([...pairs.values()]);
}
