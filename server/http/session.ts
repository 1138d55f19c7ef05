/** Starting and ending sessions from route handlers: the cookie, and the sign-in rate limit. */
import { SESSION_TTL_MS } from '../auth/accounts';
import { startSignInAttempt, type SignInAttempt } from '../auth/signInThrottle';
import { services } from '../services';
import { sessionCookie } from './cookies';

export function withSessionCookie(response: Response, token: string | null): Response {
  const secure = services().config.COOKIE_SECURE === '1';
  response.headers.append('set-cookie', sessionCookie(token ?? '', token ? SESSION_TTL_MS / 1000 : 0, secure));
  return response;
}

/** The client's address: server/main.ts puts it in X-Forwarded-For (see clientAddress.ts). */
export const requestAddress = (request: Request) => request.headers.get('x-forwarded-for') || 'unknown';

/** Sign-up (and other unauthenticated account) attempts per client address. */
export async function limitAuthAttempts(request: Request): Promise<void> {
  await services().limiter.check([{ key: `auth-ip:${requestAddress(request)}`, limit: services().config.RATE_LIMIT_AUTH_PER_MINUTE }]);
}

/** A sign-in attempt, throttled so that guessing cannot lock the owner out (signInThrottle.ts). */
export function startSignIn(request: Request, email: string): Promise<SignInAttempt> {
  const { limiter, config } = services();
  return startSignInAttempt(limiter, config.RATE_LIMIT_AUTH_PER_MINUTE, email, requestAddress(request));
}
