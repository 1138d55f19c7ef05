/**
 * Who is calling: the session cookie, resolved to an account and its membership of the
 * organisation the session works in. Route handlers then run their queries through tenantTx(),
 * under row-level security with the tenant, user and persona of that membership — never from
 * anything in the request body.
 */
import { resolveSession, type SessionIdentity } from '../auth/accounts';
import type { Sql } from '../db/client';
import { withTenant, type Persona, type TenantContext } from '../db/tenant';
import { services } from '../services';
import { HttpError } from './errors';
import { readCookie, SESSION_COOKIE } from './cookies';

export interface RequestIdentity extends TenantContext {
  userId: string;
  accountId: string;
  name: string;
  email: string;
  color: string;
  tenantName: string;
  isAdmin: boolean;
}

export const UnauthenticatedError = () => new HttpError(401, 'unauthenticated', 'Sign in to continue.');

/** The caller's session (401 without a valid one) after the per-user and per-tenant rate limits. */
export async function requestSession(request: Request): Promise<SessionIdentity> {
  const token = readCookie(request.headers.get('cookie'), SESSION_COOKIE);
  const session = token ? await resolveSession(services().db, token) : null;
  if (!session) throw UnauthenticatedError();
  await services().limiter.check([
    { key: `user:${session.account.id}`, limit: services().config.RATE_LIMIT_USER_PER_MINUTE },
    ...(session.membership ? [{ key: `tenant:${session.membership.tenantId}`, limit: services().config.RATE_LIMIT_TENANT_PER_MINUTE }] : []),
  ]);
  return session;
}

export function identityOf(session: SessionIdentity): RequestIdentity | null {
  const m = session.membership;
  if (!m) return null;
  return {
    tenantId: m.tenantId,
    userId: m.userId,
    persona: m.persona,
    isAdmin: m.isAdmin,
    color: m.color,
    tenantName: m.tenantName,
    accountId: session.account.id,
    name: session.account.name,
    email: session.account.email,
  };
}

/** The caller's membership of their current organisation: 401 signed out, 403 without one. */
export async function requestIdentity(request: Request): Promise<RequestIdentity> {
  const identity = identityOf(await requestSession(request));
  if (!identity) throw new HttpError(403, 'no_organisation', 'Create or join an organisation first.');
  return identity;
}

/** Runs fn in one transaction under row-level security for the caller's tenant and persona. */
export function tenantTx<T>(identity: TenantContext, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return withTenant(services().db, identity, fn);
}

const PERSONA_NAMES: Record<Persona, string> = {
  domain_expert: 'domain experts',
  developer: 'developers',
  product_owner: 'product owners',
};

export function requirePersona(identity: RequestIdentity, ...allowed: Persona[]): void {
  if (!allowed.includes(identity.persona)) {
    throw new HttpError(403, 'forbidden', `Only ${allowed.map((p) => PERSONA_NAMES[p]).join(' and ')} can do this.`);
  }
}

export function requireAdmin(identity: RequestIdentity): void {
  if (!identity.isAdmin) throw new HttpError(403, 'forbidden', 'Only an organisation admin can do this.');
}
