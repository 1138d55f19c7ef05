import { services } from '@/server/services';
import { GraphRepository } from '@/server/graph/repositories';
import { json, parseQuery, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity } from '@/server/http/identity';
import { PathQuery } from '../schema';

export const dynamic = 'force-dynamic';

/** How two nodes are connected: one shortest path, or `path: null`. */
export const GET = route(async (request: Request) => {
  const { from, to, maxDepth } = parseQuery(request, PathQuery);
  const { tenantId } = await requestIdentity(request);
  const view = await new GraphRepository(services()).shortestPath(tenantId, from, to, maxDepth);
  if (!view) throw NotFoundError('One of these nodes does not exist, or it was deleted.');
  return json(view);
});
