import { z } from 'zod';

// Graph ids are lower-case UUIDs (server/graph/rules.ts); accept any case from a URL.
const Id = (name: string) => z.uuid(`${name} must be an id (a UUID)`).transform((id) => id.toLowerCase());
const Depth = (name: string) =>
  z.coerce.number(`${name} must be a whole number from 1 to 6`).int(`${name} must be a whole number from 1 to 6`)
    .min(1, `${name} must be a whole number from 1 to 6`).max(6, `${name} must be a whole number from 1 to 6`).default(3);

export const ImpactQuery = z.object({ node: Id('node'), depth: Depth('depth') });
export const DependenciesQuery = z.object({ molecule: Id('molecule'), depth: Depth('depth') });
export const CyclesQuery = z.object({
  limit: z.coerce.number().int().min(1, 'limit must be from 1 to 100').max(100, 'limit must be from 1 to 100').default(20),
});
export const PathQuery = z.object({ from: Id('from'), to: Id('to'), maxDepth: Depth('maxDepth') });
export const RelatedQuery = z.object({ atom: Id('atom') });
export const ConflictsQuery = z.object({ document: Id('document').optional() });
