/**
 * A person's own sessions: the list settings → Sessions shows, ending one or all the others, and a
 * new password (which ends the others). These run on the owner connection by account id, like
 * accounts.ts; callers publish `access.changed` so open websockets and event streams of an
 * ended session close at once.
 */
import type { Database, Sql } from '../db/client';
import { hashPassword, verifyPassword } from './password';

export interface SessionSummary {
  id: string;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string | null;
  expiresAt: string;
  /** The session this request came with. */
  current: boolean;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export async function listSessions(db: Sql, accountId: string, currentTokenHash: string): Promise<SessionSummary[]> {
  const { rows } = await db.query<{ id: string; userAgent: string | null; createdAt: Date; lastSeenAt: Date | null; expiresAt: Date; current: boolean }>(
    `SELECT id, user_agent AS "userAgent", created_at AS "createdAt", last_seen_at AS "lastSeenAt", expires_at AS "expiresAt",
       token_hash = $2 AS current
     FROM sessions WHERE account_id = $1 AND expires_at > NOW()
     ORDER BY token_hash = $2 DESC, COALESCE(last_seen_at, created_at) DESC`,
    [accountId, currentTokenHash],
  );
  return rows.map((r) => ({
    id: r.id,
    userAgent: r.userAgent,
    createdAt: iso(r.createdAt) ?? '',
    lastSeenAt: iso(r.lastSeenAt),
    expiresAt: iso(r.expiresAt) ?? '',
    current: r.current,
  }));
}

/** Ends one of the account's sessions; false when it has no session with this id. */
export async function endSessionById(db: Sql, accountId: string, sessionId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM sessions WHERE account_id = $1 AND id = $2', [accountId, sessionId]);
  return rowCount > 0;
}

/** Ends every session of the account but this one; returns how many ended. */
export async function endOtherSessions(db: Sql, accountId: string, keepTokenHash: string): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2', [accountId, keepTokenHash]);
  return rowCount;
}

export type PasswordChange = { changed: true; endedSessions: number } | { changed: false; reason: 'wrong_password' | 'no_password' };

/**
 * Sets a new password when `current` is the account's password, and ends every other session in
 * the same transaction. The embedded default's local user has no password and cannot set one here.
 */
export async function changePassword(db: Database, accountId: string, keepTokenHash: string, current: string, next: string): Promise<PasswordChange> {
  const { rows } = await db.query<{ passwordHash: string | null }>('SELECT password_hash AS "passwordHash" FROM accounts WHERE id = $1', [accountId]);
  const stored = rows[0]?.passwordHash;
  if (!stored) return { changed: false, reason: 'no_password' };
  if (!(await verifyPassword(current, stored))) return { changed: false, reason: 'wrong_password' };
  const passwordHash = await hashPassword(next);
  const endedSessions = await db.tx(async (tx) => {
    await tx.query('UPDATE accounts SET password_hash = $2 WHERE id = $1', [accountId, passwordHash]);
    return endOtherSessions(tx, accountId, keepTokenHash);
  });
  return { changed: true, endedSessions };
}
