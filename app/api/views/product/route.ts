import { services } from '@/server/services';
import { MoleculeRepository } from '@/server/graph/repositories';
import { productView } from '@/server/presenters/productView';
import { json, route } from '@/server/http/route';
import { requestIdentity, tenantTx } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

/** The product owner's view: documents by domain, their rules in plain words, open conflicts. */
export const GET = route(async (request: Request) => {
  const identity = await requestIdentity(request);
  const view = await tenantTx(identity, (tx) => productView(tx, identity.tenantId));
  const conflicts = await new MoleculeRepository(services()).conflicts(identity.tenantId);
  return json({ ...view, conflicts: conflicts?.conflicts ?? [], conflictNodes: conflicts?.nodes ?? [] });
});
