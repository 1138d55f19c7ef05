import { services } from '@/server/services';
import { MoleculeRepository } from '@/server/graph/repositories';
import { json, parseQuery, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity } from '@/server/http/identity';
import { DependenciesQuery } from '../schema';

export const dynamic = 'force-dynamic';

/** What a rule depends on: its atoms and the rules those atoms require. */
export const GET = route(async (request: Request) => {
  const { molecule, depth } = parseQuery(request, DependenciesQuery);
  const { tenantId } = await requestIdentity(request);
  const view = await new MoleculeRepository(services()).dependencies(tenantId, molecule, depth);
  if (!view) throw NotFoundError('This rule does not exist, or it was deleted.');
  return json(view);
});
