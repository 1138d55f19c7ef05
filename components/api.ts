/**
 * Browser client of the REST API: every response is checked with zod before the UI sees it, and
 * every failure becomes an ApiError whose message can be shown to the person as is.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { PERSONAS } from '@/lib/account/personas';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** From Retry-After on a 429. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

const documentSummarySchema = z.object({
  id: z.string(),
  title: z.string().nullish(),
  domainId: z.string().nullish(),
  updatedAt: z.string(),
});

const documentSchema = documentSummarySchema.extend({
  createdAt: z.string().optional(),
});

const documentListSchema = z.object({ documents: z.array(documentSummarySchema) });
const documentResponseSchema = z.object({ document: documentSchema });
export const personaSchema = z.enum(PERSONAS);
const meSchema = z.object({
  account: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  /** null (with tenant): the account belongs to no organisation yet. */
  user: z
    .object({ id: z.string(), name: z.string(), color: z.string(), persona: personaSchema, isAdmin: z.boolean() })
    .nullable(),
  tenant: z.object({ id: z.string(), name: z.string() }).nullable(),
  organisations: z.array(z.object({ id: z.string(), name: z.string(), persona: personaSchema, isAdmin: z.boolean() })),
});

export type DocumentSummary = z.infer<typeof documentSummarySchema>;
export type DocumentRecord = z.infer<typeof documentSchema>;
export type Me = z.infer<typeof meSchema>;

export async function requestJson<T>(path: string, schema: z.ZodType<T>, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: {
        accept: 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });
  } catch {
    throw new ApiError(0, 'network_error', 'Could not reach the server. Check your connection and try again.');
  }

  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const parsed = errorBodySchema.safeParse(body);
    const retryAfter = Number(response.headers.get('retry-after'));
    const retryAfterSeconds = response.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
    if (parsed.success) throw new ApiError(response.status, parsed.data.error.code, parsed.data.error.message, retryAfterSeconds);
    throw new ApiError(response.status, 'http_error', `The server answered with an error (${response.status}).`);
  }

  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(response.status, 'invalid_response', 'The server sent an answer this page cannot read.');
  }
  return parsed.data;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong. Try again.';
}

export function displayTitle(title: string | null | undefined): string {
  const trimmed = title?.trim();
  return trimmed ? trimmed : 'Untitled';
}

export const queryKeys = {
  documents: ['documents'] as const,
  document: (id: string) => ['documents', id] as const,
  me: ['me'] as const,
  domains: ['domains'] as const,
};

export function useDocuments() {
  return useQuery({
    queryKey: queryKeys.documents,
    queryFn: async () => (await requestJson('/api/documents', documentListSchema)).documents,
  });
}

export function useDocument(id: string) {
  return useQuery({
    queryKey: queryKeys.document(id),
    queryFn: async () => (await requestJson(`/api/documents/${encodeURIComponent(id)}`, documentResponseSchema)).document,
  });
}

export function useCreateDocument() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: { title?: string; domainId?: string | null } = {}) =>
      (await requestJson('/api/documents', documentResponseSchema, { method: 'POST', body: JSON.stringify(input) }))
        .document,
    onSuccess: (document) => {
      queryClient.setQueryData(queryKeys.document(document.id), document);
      void queryClient.invalidateQueries({ queryKey: queryKeys.domains });
      return queryClient.invalidateQueries({ queryKey: queryKeys.documents, exact: true });
    },
  });
}

export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: () => requestJson('/api/me', meSchema),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** A domain expert files a document under a domain (or none). */
export function useFileDocument(documentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (domainId: string | null) =>
      (
        await requestJson(`/api/documents/${encodeURIComponent(documentId)}`, documentResponseSchema, {
          method: 'PATCH',
          body: JSON.stringify({ domainId }),
        })
      ).document,
    onSuccess: (document) => {
      queryClient.setQueryData(queryKeys.document(document.id), document);
      void queryClient.invalidateQueries({ queryKey: queryKeys.domains });
      return queryClient.invalidateQueries({ queryKey: queryKeys.documents, exact: true });
    },
  });
}
