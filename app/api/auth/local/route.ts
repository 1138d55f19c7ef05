import { services } from '@/server/services';
import { createSession } from '@/server/auth/accounts';
import { localLoginEnabled } from '@/server/config';
import { json, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { withSessionCookie } from '@/server/http/session';

export const dynamic = 'force-dynamic';

/** "Continue as local user": the embedded default's one-click sign-in (off with DATABASE_URL). */
export const POST = route(async (request?: Request) => {
  const { config, db, local } = services();
  if (!localLoginEnabled(config)) throw NotFoundError('Local sign-in is turned off on this server.');
  const token = await createSession(db, local.user.accountId, local.tenant.id, request?.headers.get('user-agent'));
  return withSessionCookie(json({ ok: true }), token);
});
