/** Who opens a collaboration websocket: the session cookie of the upgrade request (same site). */
import type { IncomingMessage } from 'node:http';
import type { Database } from '../db/client';
import type { Identity } from '../collab/server';
import { resolveSession } from './accounts';
import { readCookie, SESSION_COOKIE } from '../http/cookies';

export async function identifyUpgrade(db: Database, req: IncomingMessage): Promise<Identity | null> {
  const token = readCookie(req.headers.cookie, SESSION_COOKIE);
  const session = token ? await resolveSession(db, token) : null;
  const membership = session?.membership;
  if (!session || !membership) return null;
  return { userId: membership.userId, tenantId: membership.tenantId, accountId: session.account.id, canWrite: membership.persona === 'domain_expert' };
}
