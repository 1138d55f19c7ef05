import { services } from '@/server/services';
import { endOtherSessions, listSessions } from '@/server/auth/sessions';
import { json, route } from '@/server/http/route';
import { requestSession } from '@/server/http/identity';

export const dynamic = 'force-dynamic';

/** The caller's sessions (browsers signed in to this account), this one first. */
export const GET = route(async (request: Request) => {
  const session = await requestSession(request);
  return json({ sessions: await listSessions(services().db, session.account.id, session.tokenHash) });
});

/** Signs out everywhere else: every session of the account but this one ends, with its open connections. */
export const DELETE = route(async (request: Request) => {
  const session = await requestSession(request);
  const ended = await endOtherSessions(services().db, session.account.id, session.tokenHash);
  await services().bus.publish({ type: 'access.changed', accountId: session.account.id });
  return json({ ended });
});
