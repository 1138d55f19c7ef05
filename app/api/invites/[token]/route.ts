import { services } from '@/server/services';
import { acceptInvite, AccountError, peekInvite, switchOrganisation } from '@/server/auth/accounts';
import { json, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestSession } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ token: string }> };
const inviteNotFound = () => NotFoundError('This invite link is unknown, already used or expired. Ask for a new one.');
const tokenOf = async (context: Context) => {
  const { token } = await context.params;
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw inviteNotFound();
  return token;
};

/** What the link offers (organisation name and persona), so the page can ask before joining. */
export const GET = route(async (_request: Request, context: Context) => {
  const invite = await peekInvite(services().db, await tokenOf(context));
  if (!invite) throw inviteNotFound();
  return json({ organisation: invite.tenantName, persona: invite.persona });
});

/** Accepts the invite with the signed-in account and switches the session to that organisation. */
export const POST = route(async (request: Request, context: Context) => {
  const token = await tokenOf(context);
  const session = await requestSession(request);
  try {
    const { tenantId } = await acceptInvite(services().db, token, session.account);
    await switchOrganisation(services().db, session, tenantId);
    return json({ organisation: { id: tenantId } });
  } catch (error) {
    if (error instanceof AccountError) throw inviteNotFound();
    throw error;
  }
});
