/** Who opens a collaboration websocket: the session cookie of the upgrade request (same site). */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
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

/**
 * CSRF on the websocket, the rule REST applies to writes (server/http/route.ts checkOrigin): the
 * Origin must name this host (Host, or X-Forwarded-Host behind a proxy). Pages of another port or
 * a sibling subdomain are "same site", so the browser sends the Lax session cookie on their
 * handshake too; only Origin tells them apart. A missing Origin is let through: browsers always
 * send one on a websocket handshake, so only a non-browser client (tests, bench, scripts) omits
 * it, and that client still needs a session cookie.
 */
export function upgradeOriginAllowed(req: IncomingMessage): boolean {
  const { origin } = req.headers;
  if (origin === undefined) return true;
  const forwarded = req.headers['x-forwarded-host'];
  const host = (typeof forwarded === 'string' ? forwarded : req.headers.host)?.toLowerCase();
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false; // "null" (sandboxed frames, file: pages) or garbage
  }
}

const FOREIGN_ORIGIN_BODY = JSON.stringify({
  error: { code: 'cross_site', message: 'This connection did not come from a Knowledge OS page (its Origin header is foreign).' },
});

/**
 * Answers a refused upgrade with 403 before any websocket exists, so nothing of the document
 * (not even the first sync message) reaches the page.
 */
export function refuseForeignOrigin(socket: Duplex): void {
  socket.end(
    'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(FOREIGN_ORIGIN_BODY)}\r\n\r\n${FOREIGN_ORIGIN_BODY}`,
  );
}
