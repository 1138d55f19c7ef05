import { services } from '@/server/services';
import { AccountError, createSession, signIn } from '@/server/auth/accounts';
import { json, parseBody, route } from '@/server/http/route';
import { HttpError } from '@/server/http/errors';
import { startSignIn, withSessionCookie } from '@/server/http/session';
import { SignInBody } from '../schema';

export const dynamic = 'force-dynamic';

export const POST = route(async (request: Request) => {
  const body = await parseBody(request, SignInBody);
  const attempt = await startSignIn(request, body.email);
  const { db } = services();
  try {
    const account = await signIn(db, body.email, body.password);
    const token = await createSession(db, account.id, undefined, request.headers.get('user-agent'));
    return withSessionCookie(json({ account }), token);
  } catch (error) {
    if (error instanceof AccountError) {
      await attempt.failed();
      throw new HttpError(401, error.code, error.message);
    }
    throw error;
  }
});
