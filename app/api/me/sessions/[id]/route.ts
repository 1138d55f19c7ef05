import { z } from 'zod';
import { services } from '@/server/services';
import { endSessionById } from '@/server/auth/sessions';
import { json, parseParam, route } from '@/server/http/route';
import { NotFoundError } from '@/server/http/errors';
import { requestSession } from '@/server/http/identity';
import { withSessionCookie } from '@/server/http/session';

export const dynamic = 'force-dynamic';

const sessionNotFound = () => NotFoundError('You have no session with this id (it may have ended already).');

/** Ends one of the caller's sessions (this one too: then the cookie is cleared, as on sign-out). */
export const DELETE = route(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = parseParam((await context.params).id, z.uuid(), sessionNotFound);
  const session = await requestSession(request);
  if (!(await endSessionById(services().db, session.account.id, id))) throw sessionNotFound();
  await services().bus.publish({ type: 'access.changed', accountId: session.account.id });
  const response = json({ ended: 1, current: id === session.sessionId });
  return id === session.sessionId ? withSessionCookie(response, null) : response;
});
