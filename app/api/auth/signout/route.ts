import { services } from '@/server/services';
import { endSession } from '@/server/auth/accounts';
import { json, route } from '@/server/http/route';
import { requestSession } from '@/server/http/identity';
import { withSessionCookie } from '@/server/http/session';

export const dynamic = 'force-dynamic';

/** Ends this session on the server (the token stops working everywhere) and clears the cookie. */
export const POST = route(async (request: Request) => {
  const session = await requestSession(request);
  await endSession(services().db, session.tokenHash);
  // Open websockets of this account identify again; this session's are closed with 4401.
  await services().bus.publish({ type: 'access.changed', accountId: session.account.id });
  return withSessionCookie(json({ ok: true }), null);
});
