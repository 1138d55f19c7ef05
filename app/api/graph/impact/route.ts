import { services } from '@/server/services';
import { GraphRepository } from '@/server/graph/repositories';
import { json, parseQuery, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity } from '@/server/http/identity';
import { ImpactQuery } from '../schema';

export const dynamic = 'force-dynamic';

/** What breaks if this node (usually an atom) changes. */
export const GET = route(async (request: Request) => {
  const { node, depth } = parseQuery(request, ImpactQuery);
  const { tenantId } = await requestIdentity(request);
  const view = await new GraphRepository(services()).impact(tenantId, node, depth);
  if (!view) throw NotFoundError('This atom or rule does not exist, or it was deleted.');
  return json(view);
});
