/** Linking a rule (molecule) to the code that implements it: add or remove one reference. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import type { DocumentKnowledgeDto } from '@/lib/knowledge/dto';
import { requestJson } from '../api';
import { knowledgeQueryKey } from './useDocumentKnowledge';

export function useCodeRef(documentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: { moleculeId: string; ref: string; remove?: boolean }) => {
      const { codeRefs } = await requestJson(
        `/api/molecules/${encodeURIComponent(input.moleculeId)}/code-refs`,
        z.object({ codeRefs: z.array(z.string()) }),
        { method: input.remove ? 'DELETE' : 'POST', body: JSON.stringify({ ref: input.ref }) },
      );
      return { moleculeId: input.moleculeId, codeRefs };
    },
    onSuccess: ({ moleculeId, codeRefs }) => {
      queryClient.setQueryData<DocumentKnowledgeDto>(knowledgeQueryKey(documentId), (current) =>
        current
          ? { ...current, molecules: current.molecules.map((m) => (m.id === moleculeId ? { ...m, codeRefs } : m)) }
          : current,
      );
    },
  });
}
