/**
 * The knowledge graph seam (seed 002 §3): one interface, two stores — Neo4j when NEO4J_URI is
 * set, PostgreSQL/PGlite tables otherwise. Both pass test/graph/contract.ts.
 *
 * Every call is tenant-scoped: a tenant never reads, links to or deletes another tenant's
 * nodes, even with their ids. Node ids are unique within a tenant across labels; an edge is
 * identified by (source, type, target) and joins two nodes of the same tenant.
 */

export const NODE_LABELS = ['Atom', 'Molecule', 'Document', 'Block', 'Domain'] as const;
export type NodeLabel = (typeof NODE_LABELS)[number];

export const EDGE_TYPES = [
  'PART_OF', 'APPEARS_IN', 'RELATED_TO', 'REQUIRES', 'CONFLICTS_WITH', 'PART_OF_DOCUMENT', 'IN_DOMAIN',
] as const;
export type EdgeType = (typeof EDGE_TYPES)[number];

/** JSON-compatible values; null/undefined top-level values are dropped, Dates become ISO strings. */
export type Props = Record<string, unknown>;

export interface GraphNode {
  label: NodeLabel;
  id: string;
  props: Props;
}

export interface EdgeTarget {
  targetId: string;
  props?: Props;
}

export interface GraphEdge extends EdgeTarget {
  sourceId: string;
  type: EdgeType;
}

/** The full set of one node's outgoing edges of one type. */
export interface EdgeSet {
  sourceId: string;
  type: EdgeType;
  targets: EdgeTarget[];
}

/** `nodeIds[i]` and `nodeIds[i + 1]` are joined by a relationship of type `types[i]` (either direction). */
export interface GraphPath {
  nodeIds: string[];
  types: EdgeType[];
}

export interface ReachedNode {
  id: string;
  label: NodeLabel;
  distance: number;
  /** One shortest path from the start node to this one. */
  path: GraphPath;
}

export interface RelatedAtom {
  id: string;
  label: NodeLabel;
  type: string | null;
  strength: number | null;
}

export interface ConflictPair {
  sourceId: string;
  targetId: string;
  reason: string | null;
  severity: string | null;
}

export interface GraphCounts {
  nodes: Record<NodeLabel, number>;
  edges: Record<EdgeType, number>;
}

export interface QueryOptions {
  /** Time budget of one query, default 2000 ms; exceeding it raises GraphTimeoutError. */
  timeoutMs?: number;
}

export interface GraphStore {
  readonly kind: 'neo4j' | 'postgres';
  /** Creates or replaces nodes (props are replaced, not merged). */
  upsertNodes(tenantId: string, nodes: GraphNode[]): Promise<void>;
  /** Deletes nodes and every relationship touching them. */
  deleteNodes(tenantId: string, ids: string[]): Promise<void>;
  /** Creates or updates edges; an edge whose source or target is not a node of this tenant is skipped. Returns how many were written. */
  upsertEdges(tenantId: string, edges: GraphEdge[]): Promise<number>;
  /** For each set, makes its targets the full set of its source's outgoing edges of its type: others of that type are removed. Returns how many were written. */
  replaceEdges(tenantId: string, sets: EdgeSet[]): Promise<number>;

  /** "What breaks if this node changes": nodes within `depth` (1..6) along IMPACT_RULE (rules.ts), nearest first. */
  impact(tenantId: string, nodeId: string, depth: number, options?: QueryOptions): Promise<ReachedNode[]>;
  /** What a molecule depends on: its atoms (PART_OF) and its REQUIRES chains (Molecule -REQUIRES-> Atom -PART_OF-> Molecule ...). */
  dependencies(tenantId: string, moleculeId: string, depth: number, options?: QueryOptions): Promise<ReachedNode[]>;
  /** Circular REQUIRES chains, each once, starting at its smallest molecule id: [m1, a1, m2, a2, ...] (back to m1). */
  cycles(tenantId: string, limit?: number, options?: QueryOptions): Promise<string[][]>;
  /** One shortest path over any relationship in either direction, or null when none within maxDepth (1..6). */
  shortestPath(tenantId: string, fromId: string, toId: string, maxDepth: number, options?: QueryOptions): Promise<GraphPath | null>;
  /** RELATED_TO neighbours in either direction, strongest first. */
  related(tenantId: string, atomId: string, options?: QueryOptions): Promise<RelatedAtom[]>;
  /** CONFLICTS_WITH pairs; with documentId, those where an end is the document or APPEARS_IN it. */
  conflicts(tenantId: string, documentId?: string, options?: QueryOptions): Promise<ConflictPair[]>;
  counts(tenantId: string, options?: QueryOptions): Promise<GraphCounts>;
  node(tenantId: string, id: string, options?: QueryOptions): Promise<GraphNode | null>;
  /** The outgoing edges of these nodes (reconcile compares them edge by edge). */
  edgesFrom(tenantId: string, sourceIds: string[], options?: QueryOptions): Promise<GraphEdge[]>;
  /** The tenant's nodes in order of id, `limit` at a time after `afterId` (reconcile reads them all this way). */
  listNodes(tenantId: string, afterId: string | null, limit: number, options?: QueryOptions): Promise<GraphNode[]>;
  clearTenant(tenantId: string): Promise<void>;

  /** Resolves when the store answers, rejects otherwise. */
  health(): Promise<void>;
  close(): Promise<void>;
}

/** A graph query ran out of its time (or, on PGlite, work) budget. */
export class GraphTimeoutError extends Error {
  readonly code = 'graph_timeout';
  constructor(readonly query: string, readonly timeoutMs: number, detail: string) {
    super(`The graph query "${query}" ${detail}; try a smaller depth or a narrower query.`);
    this.name = 'GraphTimeoutError';
  }
}
