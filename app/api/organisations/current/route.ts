import { services } from '@/server/services';
import { AccountError, switchOrganisation } from '@/server/auth/accounts';
import { json, parseBody, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestSession } from '@/server/http/identity';
import { SwitchOrganisationBody } from '../schema';

export const dynamic = 'force-dynamic';

/** Switches the session to another organisation of the same account (404 for any other). */
export const PUT = route(async (request: Request) => {
  const { tenantId } = await parseBody(request, SwitchOrganisationBody);
  const session = await requestSession(request);
  try {
    await switchOrganisation(services().db, session, tenantId);
  } catch (error) {
    if (error instanceof AccountError) throw NotFoundError('This organisation does not exist.');
    throw error;
  }
  return json({ ok: true });
});
