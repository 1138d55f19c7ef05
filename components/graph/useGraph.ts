/** The graph API for the panels: impact of a node and a document's conflicts, checked with zod. */
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import type { ConflictsDto, GraphSyncStatusDto, GraphViewDto } from '@/lib/graph/dto';
import { requestJson } from '../api';

const nodeSchema = z.object({
  id: z.string(),
  label: z.enum(['Atom', 'Molecule', 'Document', 'Block', 'Domain']),
  name: z.string(),
  detail: z.string().nullable(),
  documentId: z.string().nullable(),
  blockId: z.string().nullable(),
  distance: z.number().nullable(),
  path: z.array(z.string()),
});

const viewShape = {
  rootId: z.string().nullable(),
  nodes: z.array(nodeSchema),
  edges: z.array(z.object({ source: z.string(), target: z.string(), type: z.string(), props: z.record(z.string(), z.unknown()) })),
};

const viewSchema: z.ZodType<GraphViewDto> = z.object(viewShape);
const conflictsSchema: z.ZodType<ConflictsDto> = z.object({
  ...viewShape,
  conflicts: z.array(z.object({ sourceId: z.string(), targetId: z.string(), reason: z.string().nullable(), severity: z.string().nullable() })),
  total: z.number(),
});

export type GraphViewKind = 'impact' | 'dependencies';

/** impact: what depends on a node; dependencies: what a rule (molecule) depends on. */
export function useGraphView(kind: GraphViewKind, nodeId: string, depth: number) {
  const param = kind === 'impact' ? 'node' : 'molecule';
  return useQuery({
    queryKey: ['graph', kind, nodeId, depth],
    queryFn: () => requestJson(`/api/graph/${kind}?${param}=${encodeURIComponent(nodeId)}&depth=${depth}`, viewSchema),
    retry: false,
  });
}

/** Polled: the sync writes the graph after the knowledge, so a knowledge event does not mean the conflicts are in yet. */
export function useConflicts(documentId: string) {
  return useQuery({
    queryKey: ['graph', 'conflicts', documentId],
    queryFn: () => requestJson(`/api/graph/conflicts?document=${encodeURIComponent(documentId)}`, conflictsSchema),
    refetchInterval: 5_000,
  });
}

const statusSchema: z.ZodType<GraphSyncStatusDto> = z.object({
  pending: z.number(),
  oldestPendingMs: z.number().nullable(),
  retrying: z.boolean(),
  unreachable: z.boolean(),
});

/** Polled while a graph view is open: whether the graph lags the documents. */
export function useGraphStatus() {
  return useQuery({
    queryKey: ['graph', 'status'],
    queryFn: () => requestJson('/api/graph/status', statusSchema),
    refetchInterval: 3_000,
  });
}
