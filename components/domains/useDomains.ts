/** The organisation's domains (tax, compliance, billing …) and creating one. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { queryKeys, requestJson } from '../api';

const domainSchema = z.object({
  id: z.string(),
  name: z.string(),
  path: z.string().nullish(),
  description: z.string().nullish(),
  documentCount: z.coerce.number().optional(),
});
export type Domain = z.infer<typeof domainSchema>;

export function useDomains(enabled = true) {
  return useQuery({
    queryKey: queryKeys.domains,
    queryFn: async () => (await requestJson('/api/domains', z.object({ domains: z.array(domainSchema) }))).domains,
    enabled,
  });
}

export function useCreateDomain() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: { name: string; description?: string }) =>
      (await requestJson('/api/domains', z.object({ domain: domainSchema }), { method: 'POST', body: JSON.stringify(input) })).domain,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.domains }),
  });
}
