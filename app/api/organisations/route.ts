import { services } from '@/server/services';
import { createOrganisation, switchOrganisation } from '@/server/auth/accounts';
import { json, parseBody, route } from '@/server/http/route';
import { requestSession } from '@/server/http/identity';
import { CreateOrganisationBody } from './schema';

export const dynamic = 'force-dynamic';

/** A new organisation: the caller becomes its admin (a domain expert) and works in it from now on. */
export const POST = route(async (request: Request) => {
  const { name } = await parseBody(request, CreateOrganisationBody);
  const session = await requestSession(request);
  const { tenantId } = await createOrganisation(services().db, session.account, name);
  await switchOrganisation(services().db, session, tenantId);
  return json({ organisation: { id: tenantId, name } }, 201);
});
