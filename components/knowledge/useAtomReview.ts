/**
 * Confirm / Reject of an atom by a domain expert. The knowledge API does not (yet) say an atom's
 * review status, so the decisions taken in this tab are kept beside the knowledge query and shown
 * over whatever the server sends.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import type { AtomDto } from '@/lib/knowledge/dto';
import { requestJson } from '../api';

export type ReviewStatus = 'unreviewed' | 'confirmed' | 'rejected';
export type ReviewDecision = Exclude<ReviewStatus, 'unreviewed'>;

const reviewsKey = (documentId: string) => ['documents', documentId, 'reviews'] as const;
type Reviews = Record<string, ReviewDecision>;

export function useAtomReviews(documentId: string): Reviews {
  const { data } = useQuery<Reviews>({
    queryKey: reviewsKey(documentId),
    queryFn: () => ({}),
    staleTime: Infinity,
    gcTime: Infinity,
  });
  return data ?? {};
}

/** The status to show: this tab's decision until the knowledge refetch brings the server's. */
export function reviewStatusOf(atom: AtomDto, reviews: Reviews): ReviewStatus {
  const local = reviews[atom.id];
  if (local) return local;
  return atom.reviewStatus;
}

export function useReviewAtom(documentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { atomId: string; decision: ReviewDecision }) =>
      requestJson(
        `/api/atoms/${encodeURIComponent(input.atomId)}/review`,
        z.object({ id: z.string(), reviewStatus: z.enum(['confirmed', 'rejected']) }),
        { method: 'POST', body: JSON.stringify({ decision: input.decision }) },
      ),
    onSuccess: ({ id, reviewStatus }) => {
      queryClient.setQueryData<Reviews>(reviewsKey(documentId), (current) => ({ ...current, [id]: reviewStatus }));
    },
  });
}
