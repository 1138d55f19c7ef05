/**
 * The JSON the graph API returns (server/graph/repositories.ts builds it, components/graph draws
 * it): nodes with what a person reads and where to open them, and the edges between them.
 */
export type GraphLabel = 'Atom' | 'Molecule' | 'Document' | 'Block' | 'Domain';

export interface GraphNodeDto {
  id: string;
  label: GraphLabel;
  /** What to write on the node: an atom's name or value, a rule in words, a document's title. */
  name: string;
  /** An atom's canonical value ("10%"), a molecule's name or type, a block's type; null otherwise. */
  detail: string | null;
  /** Where to open the node: its document, and the block to scroll to. */
  documentId: string | null;
  blockId: string | null;
  /** Hops from the query's start node, null when the query has no start. */
  distance: number | null;
  /** Node ids from the start node to this one (one shortest path); [] when not applicable. */
  path: string[];
}

export interface GraphEdgeDto {
  source: string;
  target: string;
  type: string;
  props: Record<string, unknown>;
}

export interface GraphViewDto {
  /** The node the query started from, null for tenant-wide queries (cycles, conflicts). */
  rootId: string | null;
  nodes: GraphNodeDto[];
  edges: GraphEdgeDto[];
}

export interface ConflictDto {
  sourceId: string;
  targetId: string;
  reason: string | null;
  severity: string | null;
}

/** GET /api/graph/conflicts */
export interface ConflictsDto extends GraphViewDto {
  /** The most severe first, at most 200. */
  conflicts: ConflictDto[];
  /** How many there are in all. */
  total: number;
}

/** GET /api/graph/cycles */
export interface CyclesDto extends GraphViewDto {
  cycles: string[][];
}

/** GET /api/graph/path */
export interface PathDto extends GraphViewDto {
  /** Node ids from `from` to `to`, null when no path within maxDepth. */
  path: string[] | null;
}

/** GET /api/graph/status: how far the graph is behind the documents. */
export interface GraphSyncStatusDto {
  /** Changes written to PostgreSQL and not yet in the graph. */
  pending: number;
  oldestPendingMs: number | null;
  /** The last write to the graph failed; the sync is backing off and will retry by itself. */
  retrying: boolean;
  unreachable: boolean;
}
