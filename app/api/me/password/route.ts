import { services } from '@/server/services';
import { changePassword } from '@/server/auth/sessions';
import { json, parseBody, route } from '@/server/http/route';
import { BadRequestError, HttpError } from '@/server/http/errors';
import { requestSession } from '@/server/http/identity';
import { startSignIn } from '@/server/http/session';
import { ChangePasswordBody } from '../schema';

export const dynamic = 'force-dynamic';

/**
 * A new password, given the current one (throttled like sign-in: a stolen session cannot guess
 * it quickly). Every other session of the account ends, with its open websockets and streams;
 * this one stays signed in.
 */
export const POST = route(async (request: Request) => {
  const body = await parseBody(request, ChangePasswordBody);
  const session = await requestSession(request);
  const attempt = await startSignIn(request, session.account.email);
  if (body.newPassword === body.currentPassword) throw BadRequestError('The new password is the same as the current one.');
  const result = await changePassword(services().db, session.account.id, session.tokenHash, body.currentPassword, body.newPassword);
  if (!result.changed) {
    if (result.reason === 'no_password') {
      throw new HttpError(400, 'no_password', 'This account has no password: it is the local user of this server, which signs in without one.');
    }
    await attempt.failed();
    throw new HttpError(403, 'wrong_password', 'Your current password is not right.');
  }
  await services().bus.publish({ type: 'access.changed', accountId: session.account.id });
  return json({ changed: true, endedSessions: result.endedSessions });
});
