import { services } from '@/server/services';
import { MoleculeRepository } from '@/server/graph/repositories';
import { json, parseQuery, route } from '@/server/http/route';
import { requestIdentity } from '@/server/http/identity';
import { CyclesQuery } from '../schema';

export const dynamic = 'force-dynamic';

/** Rules that require each other in a circle. */
export const GET = route(async (request: Request) => {
  const { limit } = parseQuery(request, CyclesQuery);
  const { tenantId } = await requestIdentity(request);
  return json(await new MoleculeRepository(services()).cycles(tenantId, limit));
});
