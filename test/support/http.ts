/** Requests for calling route handlers directly, as a browser on this site would send them. */
import { createSession } from '../../server/auth/accounts';
import type { Services } from '../../server/services';
import { SESSION_COOKIE } from '../../server/http/cookies';

export const ORIGIN = 'http://localhost';

/** A session cookie for an account (by default the embedded default's local user). */
export async function sessionCookie(services: Services, accountId = services.local.user.accountId, tenantId?: string): Promise<string> {
  return `${SESSION_COOKIE}=${await createSession(services.db, accountId, tenantId)}`;
}

export interface RequestInit {
  method?: string;
  body?: unknown;
  cookie?: string;
  /** null sends no Origin header (a non-browser client, or a cross-site form in an old browser). */
  origin?: string | null;
  headers?: Record<string, string>;
}

export function request(path: string, init: RequestInit = {}): Request {
  const headers: Record<string, string> = { ...init.headers };
  if (init.cookie) headers.cookie = init.cookie;
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  if (method !== 'GET' && init.origin !== null) headers.origin = init.origin ?? ORIGIN;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  return new Request(`${ORIGIN}${path}`, { method, headers, body });
}

/** The cookie a response set (`name=value`), or null. */
export function cookieFrom(response: Response): string | null {
  const header = response.headers.get('set-cookie');
  const match = header && new RegExp(`${SESSION_COOKIE}=([^;]*)`).exec(header);
  return match && match[1] ? `${SESSION_COOKIE}=${match[1]}` : null;
}

export const params = <T extends Record<string, string>>(value: T) => ({ params: Promise.resolve(value) });

/** A response's status and parsed JSON body, for assertions that compare both. */
export async function statusAndBody(response: Response): Promise<{ status: number; body: unknown }> {
  return { status: response.status, body: await response.json() };
}
