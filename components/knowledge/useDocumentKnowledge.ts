/**
 * A document's atoms, molecules, annotations and extraction status, kept fresh by the server's
 * `knowledge` events (no polling), and the "Mark as atom" mutation.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { z } from 'zod';
import type { AnnotationDto, AtomDto, DocumentKnowledgeDto, ManualAtomRequest } from '@/lib/knowledge/dto';
import { requestJson } from '../api';

const atomTypeSchema = z.enum(['TextAtom', 'NumberAtom', 'BooleanAtom', 'DateAtom', 'JSONAtom']);
const sourceSchema = z.enum(['ai_extracted', 'manual', 'llm']);

const atomSchema = z.object({
  id: z.string(),
  type: atomTypeSchema,
  kind: z.string().nullable(),
  value: z.unknown(),
  canonical: z.string().nullable(),
  unit: z.string().nullable(),
  name: z.string().nullable(),
  confidence: z.number(),
  source: sourceSchema,
  version: z.number(),
  previousVersion: z.string().nullable(),
  moleculeIds: z.array(z.string()),
  updatedAt: z.string(),
  // Not in AtomDto yet; kept when the server sends it (useAtomReview.ts reads it).
  reviewStatus: z.enum(['unreviewed', 'confirmed', 'rejected']).default('unreviewed'),
});

const moleculeSchema = z.object({
  id: z.string(),
  type: z.enum(['ConditionMolecule', 'ConstraintMolecule', 'ExceptionMolecule', 'RequiresMolecule']),
  name: z.string().nullable(),
  confidence: z.number(),
  enforcement: z.enum(['block', 'warn', 'inform']),
  summary: z.string(),
  configuration: z.looseObject({ ruleType: z.string() }),
  atoms: z.array(
    z.object({ atomId: z.string(), role: z.enum(['subject', 'condition', 'result', 'constraint']), order: z.number() }),
  ),
  codeRefs: z.array(z.string()).default([]),
  updatedAt: z.string(),
});

const annotationSchema = z.object({
  id: z.string(),
  blockId: z.string().nullable(),
  start: z.number(),
  end: z.number(),
  quote: z.string(),
  knowledgeType: z.enum(['atom', 'molecule']),
  knowledgeId: z.string(),
  layer: z.enum(['atom', 'molecule']),
  confidence: z.number(),
  source: sourceSchema,
  status: z.enum(['anchored', 'orphaned']),
});

const knowledgeSchema: z.ZodType<DocumentKnowledgeDto> = z.object({
  atoms: z.array(atomSchema),
  molecules: z.array(moleculeSchema),
  annotations: z.array(annotationSchema),
  status: z.object({
    state: z.enum(['idle', 'queued', 'running', 'retrying', 'failed']),
    attempts: z.number(),
    error: z.string().nullable(),
    updatedAt: z.string().nullable(),
    progress: z.object({ done: z.number(), total: z.number() }).nullable().default(null),
    notice: z.string().nullable().default(null),
  }),
});

/** `data` of a `knowledge` server-sent event (lib/knowledge/dto.ts KnowledgeChangedEvent). */
const eventSchema = z.object({
  status: z.enum(['idle', 'queued', 'running', 'retrying', 'failed']),
  progress: z.object({ done: z.number(), total: z.number() }).optional(),
});

const manualAtomResponseSchema: z.ZodType<{ atom: AtomDto; annotation: AnnotationDto }> = z.object({
  atom: atomSchema,
  annotation: annotationSchema,
});

export const knowledgeQueryKey = (documentId: string) => ['documents', documentId, 'knowledge'] as const;

const RECONNECT_MS = 5_000;
const PROGRESS_REFETCH_MS = 5_000;

export function useDocumentKnowledge(documentId: string) {
  const queryClient = useQueryClient();

  useEffect(() => {
    let invalidatedAt = 0;
    const invalidate = () => {
      invalidatedAt = Date.now();
      void queryClient.invalidateQueries({ queryKey: knowledgeQueryKey(documentId) });
    };
    let source: EventSource | null = null;
    let retry: number | undefined;
    const connect = () => {
      source = new EventSource(`/api/documents/${encodeURIComponent(documentId)}/events`);
      source.addEventListener('knowledge', (event) => {
        // A running job's progress (a few a second) changes only the status: fetching the
        // whole document's knowledge for each would load the server the job already loads.
        // Every PROGRESS_REFETCH_MS it is fetched anyway, so highlights arrive as the job goes.
        const parsed = eventSchema.safeParse(parseJson(event.data));
        const progress = parsed.success && parsed.data.status === 'running' ? parsed.data.progress : undefined;
        if (!progress || !queryClient.getQueryData(knowledgeQueryKey(documentId))) return invalidate();
        if (Date.now() - invalidatedAt >= PROGRESS_REFETCH_MS) invalidate();
        queryClient.setQueryData<DocumentKnowledgeDto>(knowledgeQueryKey(documentId), (current) =>
          current ? { ...current, status: { ...current.status, state: 'running', progress } } : current,
        );
      });
      // Changes made before the stream opened were not sent on it: those while it was
      // disconnected, and, on the first open, those after the first fetch read the knowledge.
      source.addEventListener('open', invalidate);
      source.addEventListener('error', () => {
        // EventSource retries by itself unless the server refused the stream outright.
        if (source?.readyState !== EventSource.CLOSED) return;
        retry = window.setTimeout(connect, RECONNECT_MS);
      });
    };
    connect();
    return () => {
      window.clearTimeout(retry);
      source?.close();
    };
  }, [documentId, queryClient]);

  return useQuery({
    queryKey: knowledgeQueryKey(documentId),
    queryFn: () => requestJson(`/api/documents/${encodeURIComponent(documentId)}/knowledge`, knowledgeSchema),
  });
}

function parseJson(text: unknown): unknown {
  try {
    return typeof text === 'string' ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export function useMarkAsAtom(documentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: ManualAtomRequest) =>
      requestJson(`/api/documents/${encodeURIComponent(documentId)}/annotations`, manualAtomResponseSchema, {
        method: 'POST',
        body: JSON.stringify(request),
      }),
    onSuccess: ({ atom, annotation }) => {
      // Show it at once; the refetch brings the server's full view.
      queryClient.setQueryData<DocumentKnowledgeDto>(knowledgeQueryKey(documentId), (current) =>
        current
          ? {
              ...current,
              atoms: [...current.atoms.filter((a) => a.id !== atom.id), atom],
              annotations: [...current.annotations.filter((a) => a.id !== annotation.id), annotation],
            }
          : current,
      );
      return queryClient.invalidateQueries({ queryKey: knowledgeQueryKey(documentId) });
    },
  });
}
