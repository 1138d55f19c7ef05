import { services } from '@/server/services';
import { AtomRepository } from '@/server/graph/repositories';
import { json, parseQuery, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity } from '@/server/http/identity';
import { RelatedQuery } from '../schema';

export const dynamic = 'force-dynamic';

/** Atoms related to this one (similar, synonym, antonym), strongest first. */
export const GET = route(async (request: Request) => {
  const { atom } = parseQuery(request, RelatedQuery);
  const { tenantId } = await requestIdentity(request);
  const view = await new AtomRepository(services()).related(tenantId, atom);
  if (!view) throw NotFoundError('This atom does not exist, or it was deleted.');
  return json(view);
});
