import { createInvite } from '@/server/auth/accounts';
import { json, parseBody, route } from '@/server/http/route';
import { requestIdentity, requireAdmin, tenantTx } from '@/server/http/identity';
import { InviteBody } from '../organisations/schema';

export const dynamic = 'force-dynamic';

/** An admin creates a one-use invite link (7 days) for a persona. The token is shown only now. */
export const POST = route(async (request: Request) => {
  const body = await parseBody(request, InviteBody);
  const identity = await requestIdentity(request);
  requireAdmin(identity);
  const invite = await tenantTx(identity, (tx) => createInvite(tx, identity.tenantId, identity.userId, body.persona, body.isAdmin ?? false));
  // The page's own Origin (checked against Host by route()); Next's request.url names its own
  // idea of the address under the custom server.
  const origin = request.headers.get('origin') ?? new URL(request.url).origin;
  const path = `/invite/${invite.token}`;
  return json({ id: invite.id, url: `${origin}${path}`, path, persona: body.persona, expiresAt: invite.expiresAt }, 201);
});
