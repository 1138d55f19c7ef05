/** Starting and ending sessions from route handlers: the cookie, and the sign-in rate limit. */
import { SESSION_TTL_MS } from '../auth/accounts';
import { services } from '../services';
import { sessionCookie } from './cookies';

export function withSessionCookie(response: Response, token: string | null): Response {
  const secure = services().config.COOKIE_SECURE === '1';
  response.headers.append('set-cookie', sessionCookie(token ?? '', token ? SESSION_TTL_MS / 1000 : 0, secure));
  return response;
}

/** Sign-in and sign-up attempts per client address (and per email), against password guessing. */
export async function limitAuthAttempts(request: Request, email?: string): Promise<void> {
  const limit = services().config.RATE_LIMIT_AUTH_PER_MINUTE;
  const address = request.headers.get('x-forwarded-for') ?? 'unknown';
  await services().limiter.check([
    { key: `auth-ip:${address}`, limit },
    ...(email ? [{ key: `auth-email:${email.toLowerCase()}`, limit }] : []),
  ]);
}
