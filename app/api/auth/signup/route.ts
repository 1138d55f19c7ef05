import { services } from '@/server/services';
import { AccountError, createSession, signUp } from '@/server/auth/accounts';
import { json, parseBody, route } from '@/server/http/route';
import { limitAuthAttempts, withSessionCookie } from '@/server/http/session';
import { SIGN_UP_MESSAGE } from '@/lib/account/signUp';
import { SignUpBody } from '../schema';

export const dynamic = 'force-dynamic';

/**
 * Every sign-up answers the same, after the same time, whether or not the email has an account,
 * so sign-up does not tell who has one. A new email gets its account (and, if named, its first
 * organisation) and is signed in; an email that has an account is left exactly as it was, and the
 * caller is not signed in (they sign in with its password). There is no email to confirm with, so
 * someone willing to create accounts can still tell by signing in afterwards; that costs them a
 * throttled sign-in per guess (server/auth/signInThrottle.ts).
 */
/** Sign-up's work (a password hash, two or three inserts) fits in this; both answers wait until it has passed. */
const SIGN_UP_ANSWER_MS = 400;

export const POST = route(async (request: Request) => {
  const body = await parseBody(request, SignUpBody);
  await limitAuthAttempts(request);
  const answerAt = Date.now() + SIGN_UP_ANSWER_MS;
  const { db } = services();
  let token: string | null = null;
  try {
    const account = await signUp(db, body);
    token = await createSession(db, account.id, account.tenantId ?? undefined, request.headers.get('user-agent'));
  } catch (error) {
    if (!(error instanceof AccountError && error.code === 'email_taken')) throw error;
  }
  const wait = answerAt - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const response = json({ message: SIGN_UP_MESSAGE }, 201);
  return token ? withSessionCookie(response, token) : response;
});
