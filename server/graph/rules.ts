/**
 * What both graph stores share so they cannot disagree: which relationships a traversal
 * follows in which direction, input checks at the boundary, and result ordering.
 */
import {
  EDGE_TYPES, NODE_LABELS, type ConflictPair, type EdgeSet, type EdgeType, type GraphCounts, type GraphEdge, type GraphNode, type NodeLabel,
  type Props, type ReachedNode, type RelatedAtom,
} from './types';

/** A traversal step follows `out` types from source to target and `in` types from target to source. */
export interface TraversalRule {
  out: EdgeType[];
  in: EdgeType[];
}

/**
 * "What breaks if X changes": the molecules an atom is part of, the molecules that require it,
 * the documents it appears in, a block's document, domains, and conflicts both ways.
 * RELATED_TO is similarity, not dependency, so it is not followed.
 */
export const IMPACT_RULE: TraversalRule = {
  out: ['PART_OF', 'APPEARS_IN', 'PART_OF_DOCUMENT', 'IN_DOMAIN', 'CONFLICTS_WITH'],
  in: ['REQUIRES', 'CONFLICTS_WITH'],
};

/** Molecule -REQUIRES-> Atom -PART_OF-> Molecule -REQUIRES-> ... (a required atom is defined by its molecules). */
export const REQUIRES_CHAIN_RULE: TraversalRule = { out: ['REQUIRES', 'PART_OF'], in: [] };

/** The atoms a molecule is made of; used at depth 1 only, so shared atoms do not pull in unrelated molecules. */
export const COMPONENTS_RULE: TraversalRule = { out: [], in: ['PART_OF'] };

export const MAX_DEPTH = 6;
/** Longest circular chain cycles() looks for, in relationships (4 molecules). */
export const MAX_CYCLE_HOPS = 8;
export const DEFAULT_TIMEOUT_MS = 2000;
const RESERVED_PROPS = ['id', 'tenantId', '_json'];
// Lower case only: PostgreSQL's uuid type ignores case, Neo4j's strings do not.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function checkTenant(tenantId: string): void {
  if (typeof tenantId !== 'string' || !UUID.test(tenantId)) throw new TypeError(`A tenant id must be a lower-case UUID, got ${JSON.stringify(tenantId)}.`);
}

export function checkDepth(depth: number, name = 'depth'): void {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH) {
    throw new RangeError(`${name} must be an integer from 1 to ${MAX_DEPTH}, got ${depth}.`);
  }
}

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError(`limit must be an integer from 1 to 1000, got ${limit}.`);
}

export function timeoutOf(options: { timeoutMs?: number } | undefined): number {
  const ms = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`timeoutMs must be a positive number, got ${ms}.`);
  return Math.ceil(ms);
}

export function checkLabel(label: string): NodeLabel {
  const found = NODE_LABELS.find((known) => known === label);
  if (!found) throw new TypeError(`Unknown node label ${JSON.stringify(label)}; expected one of ${NODE_LABELS.join(', ')}.`);
  return found;
}

export function checkEdgeType(type: string): EdgeType {
  const found = EDGE_TYPES.find((known) => known === type);
  if (!found) throw new TypeError(`Unknown relationship type ${JSON.stringify(type)}; expected one of ${EDGE_TYPES.join(', ')}.`);
  return found;
}

export function checkId(id: string): void {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`A node id must be a non-empty string, got ${JSON.stringify(id)}.`);
}

/** Props as both stores keep them: JSON values only, no top-level nulls, no reserved keys. */
export function cleanProps(props: Props | undefined): StoredProps {
  const parsed: unknown = JSON.parse(JSON.stringify(props ?? {}));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('props must be an object.');
  const clean: StoredProps = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (RESERVED_PROPS.includes(key)) throw new TypeError(`The property name "${key}" is reserved by the graph store.`);
    if (value !== null) clean[key] = value;
  }
  return clean;
}

export type StoredProps = Record<string, unknown>;
export type CheckedNode = { id: string; label: NodeLabel; props: StoredProps };
export type CheckedEdge = { sourceId: string; type: EdgeType; targetId: string; props: StoredProps };

/** Checked nodes, props cleaned; the last one wins when an id appears twice in one batch. */
export function checkNodes(nodes: GraphNode[]): CheckedNode[] {
  const unique = new Map<string, CheckedNode>();
  for (const node of nodes) {
    checkId(node.id);
    unique.set(node.id, { id: node.id, label: checkLabel(node.label), props: cleanProps(node.props) });
  }
  return [...unique.values()];
}

/** Checked edges, props cleaned; the last one wins when (source, type, target) appears twice in one batch. */
export function checkEdges(edges: GraphEdge[]): CheckedEdge[] {
  const unique = new Map<string, CheckedEdge>();
  for (const edge of edges) {
    checkId(edge.sourceId);
    checkId(edge.targetId);
    const type = checkEdgeType(edge.type);
    unique.set(JSON.stringify([edge.sourceId, type, edge.targetId]), { sourceId: edge.sourceId, type, targetId: edge.targetId, props: cleanProps(edge.props) });
  }
  return [...unique.values()];
}

/** The edges of the sets, checked, and each set's source, type and the targets it keeps. */
export function checkEdgeSets(sets: EdgeSet[]): { edges: CheckedEdge[]; keep: Array<{ sourceId: string; type: EdgeType; targetIds: string[] }> } {
  const edges = checkEdges(sets.flatMap((set) => set.targets.map((target) => ({ ...target, sourceId: set.sourceId, type: set.type }))));
  const keep = sets.map((set) => {
    checkId(set.sourceId);
    return { sourceId: set.sourceId, type: checkEdgeType(set.type), targetIds: set.targets.map((target) => target.targetId) };
  });
  return { edges, keep };
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Merges reach lists keeping each node's nearest entry (the earlier list wins a tie), nearest first, then by id. */
export function nearest(...lists: ReachedNode[][]): ReachedNode[] {
  const best = new Map<string, ReachedNode>();
  for (const node of lists.flat()) {
    const seen = best.get(node.id);
    if (!seen || node.distance < seen.distance) best.set(node.id, node);
  }
  return [...best.values()].sort((a, b) => a.distance - b.distance || compareIds(a.id, b.id));
}

export function emptyCounts(): GraphCounts {
  return {
    nodes: { Atom: 0, Molecule: 0, Document: 0, Block: 0, Domain: 0 },
    edges: { PART_OF: 0, APPEARS_IN: 0, RELATED_TO: 0, REQUIRES: 0, CONFLICTS_WITH: 0, PART_OF_DOCUMENT: 0, IN_DOMAIN: 0 },
  };
}

export function chunks<T>(items: T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** RELATED_TO rows as both stores read them, strongest first, then by id. */
export function toRelated(rows: Array<{ id: string; label: string; type: unknown; strength: unknown }>): RelatedAtom[] {
  const related = rows.map((row) => ({
    id: row.id,
    label: checkLabel(row.label),
    type: typeof row.type === 'string' ? row.type : null,
    strength: typeof row.strength === 'number' ? row.strength : null,
  }));
  const strength = (atom: RelatedAtom) => atom.strength ?? Number.NEGATIVE_INFINITY;
  return related.sort((a, b) => (strength(a) === strength(b) ? 0 : strength(b) - strength(a))
    || compareIds(a.id, b.id) || compareIds(a.type ?? '', b.type ?? ''));
}

/** CONFLICTS_WITH rows as both stores read them, by source then target. */
export function toConflicts(rows: Array<{ sourceId: string; targetId: string; reason: unknown; severity: unknown }>): ConflictPair[] {
  return rows
    .map((row) => ({
      sourceId: row.sourceId,
      targetId: row.targetId,
      reason: typeof row.reason === 'string' ? row.reason : null,
      severity: typeof row.severity === 'string' ? row.severity : null,
    }))
    .sort((a, b) => compareIds(a.sourceId, b.sourceId) || compareIds(a.targetId, b.targetId));
}
