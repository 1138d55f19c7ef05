import { services } from '@/server/services';
import { MoleculeRepository } from '@/server/graph/repositories';
import { json, parseQuery, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestIdentity } from '@/server/http/identity';
import { ConflictsQuery } from '../schema';

export const dynamic = 'force-dynamic';

/** Rules that contradict each other; with ?document=, those touching that document. */
export const GET = route(async (request: Request) => {
  const { document } = parseQuery(request, ConflictsQuery);
  const { tenantId } = await requestIdentity(request);
  const view = await new MoleculeRepository(services()).conflicts(tenantId, document);
  if (!view) throw NotFoundError('This document does not exist or was deleted.');
  return json(view);
});
