/**
 * Accounts, sessions, organisations and invites. These run before a tenant is known (or across
 * the tenants of one account), so they use the owner connection and name the account or token
 * explicitly; everything inside an organisation goes through withTenant().
 * Tokens (session cookies, invite links) are 32 random bytes; only their SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database, Sql } from '../db/client';
import type { Persona } from '../db/tenant';
import { hashPassword, verifyPassword } from './password';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;
const COLORS = ['#4f46e5', '#e11d48', '#059669', '#d97706', '#0284c7', '#7c3aed', '#db2777', '#65a30d'];

export class AccountError extends Error {
  constructor(readonly code: 'email_taken' | 'bad_credentials' | 'invite_invalid' | 'not_member', message: string) {
    super(message);
  }
}

export interface Account {
  id: string;
  email: string;
  name: string;
}

export interface Membership {
  userId: string;
  tenantId: string;
  tenantName: string;
  persona: Persona;
  isAdmin: boolean;
  color: string;
}

export interface SessionIdentity {
  tokenHash: string;
  /** The session's public id (settings → Sessions names it by this; the hash never leaves). */
  sessionId: string;
  account: Account;
  /** The organisation the session works in; null until the account creates or joins one. */
  membership: Membership | null;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');
const colorFor = (seed: string) => COLORS[createHash('sha256').update(seed).digest()[0] % COLORS.length];

const MEMBERSHIP_COLUMNS = `u.id AS "userId", u.tenant_id AS "tenantId", t.name AS "tenantName", u.persona,
  u.is_admin AS "isAdmin", u.color`;

/**
 * A new account and, if named, its first organisation, in one transaction: an organisation that
 * cannot be written leaves no account behind. `tenantId` is the organisation's (null without one).
 */
export async function signUp(
  db: Database,
  input: { email: string; name: string; password: string; organisation?: string },
): Promise<Account & { tenantId: string | null }> {
  const passwordHash = await hashPassword(input.password);
  return db.tx(async (tx) => {
    const { rows } = await tx.query<Account>(
      `INSERT INTO accounts (email, name, password_hash) VALUES ($1, $2, $3)
       ON CONFLICT ((lower(email))) DO NOTHING RETURNING id, email, name`,
      [input.email.trim(), input.name.trim(), passwordHash],
    );
    const account = rows[0];
    if (!account) throw new AccountError('email_taken', 'An account with this email already exists. Sign in instead.');
    const tenantId = input.organisation ? await insertOrganisation(tx, account, input.organisation) : null;
    return { ...account, tenantId };
  });
}

/** The account for these credentials, or an error that does not say which half was wrong. */
export async function signIn(db: Sql, email: string, password: string): Promise<Account> {
  const { rows } = await db.query<Account & { passwordHash: string | null }>(
    `SELECT id, email, name, password_hash AS "passwordHash" FROM accounts WHERE lower(email) = lower($1)`,
    [email.trim()],
  );
  const account = rows[0];
  // Hash even when there is no such account, so timing does not reveal which emails exist.
  const ok = await verifyPassword(password, account?.passwordHash ?? (await DUMMY_HASH));
  if (!account || !account.passwordHash || !ok) throw new AccountError('bad_credentials', 'The email or password is not right.');
  return { id: account.id, email: account.email, name: account.name };
}
const DUMMY_HASH = hashPassword('not a password');
DUMMY_HASH.catch(() => {});

/** A new session in the account's first organisation (if any); returns the cookie token. */
export async function createSession(db: Sql, accountId: string, tenantId?: string, userAgent?: string | null): Promise<string> {
  const token = newToken();
  const tenant =
    tenantId ??
    (await db.query<{ tenantId: string }>(
      `SELECT tenant_id AS "tenantId" FROM users WHERE account_id = $1 ORDER BY created_at LIMIT 1`,
      [accountId],
    )).rows[0]?.tenantId ??
    null;
  await db.query(
    `INSERT INTO sessions (token_hash, account_id, tenant_id, expires_at, user_agent, last_seen_at) VALUES ($1, $2, $3, $4, $5, NOW())`,
    [hashToken(token), accountId, tenant, new Date(Date.now() + SESSION_TTL_MS), userAgent ? userAgent.slice(0, 300) : null],
  );
  return token;
}

export async function resolveSession(db: Sql, token: string): Promise<SessionIdentity | null> {
  const tokenHash = hashToken(token);
  const { rows } = await db.query<{ accountId: string; email: string; name: string; tenantId: string | null; sessionId: string; stale: boolean }>(
    `SELECT a.id AS "accountId", a.email, a.name, s.tenant_id AS "tenantId", s.id AS "sessionId",
       (s.last_seen_at IS NULL OR s.last_seen_at < NOW() - interval '5 minutes') AS stale
     FROM sessions s JOIN accounts a ON a.id = s.account_id
     WHERE s.token_hash = $1 AND s.expires_at > NOW()`,
    [tokenHash],
  );
  const row = rows[0];
  if (!row) return null;
  // "Last used" in settings → Sessions: one write per session every five minutes at most.
  if (row.stale) await db.query('UPDATE sessions SET last_seen_at = NOW() WHERE token_hash = $1', [tokenHash]);
  const membership = row.tenantId
    ? ((
        await db.query<Membership>(
          `SELECT ${MEMBERSHIP_COLUMNS} FROM users u JOIN tenants t ON t.id = u.tenant_id
           WHERE u.account_id = $1 AND u.tenant_id = $2`,
          [row.accountId, row.tenantId],
        )
      ).rows[0] ?? null)
    : null;
  return { tokenHash, sessionId: row.sessionId, account: { id: row.accountId, email: row.email, name: row.name }, membership };
}

export async function endSession(db: Sql, tokenHash: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
}

export async function memberships(db: Sql, accountId: string): Promise<Membership[]> {
  const { rows } = await db.query<Membership>(
    `SELECT ${MEMBERSHIP_COLUMNS} FROM users u JOIN tenants t ON t.id = u.tenant_id
     WHERE u.account_id = $1 ORDER BY t.name`,
    [accountId],
  );
  return rows;
}

/** Points the session at another organisation of the same account. */
export async function switchOrganisation(db: Sql, session: SessionIdentity, tenantId: string): Promise<void> {
  const { rowCount } = await db.query(
    `UPDATE sessions SET tenant_id = $3 WHERE token_hash = $1
       AND EXISTS (SELECT 1 FROM users WHERE account_id = $2 AND tenant_id = $3)`,
    [session.tokenHash, session.account.id, tenantId],
  );
  if (rowCount === 0) throw new AccountError('not_member', 'You are not a member of this organisation.');
}

async function addMember(db: Sql, tenantId: string, account: Account, persona: Persona, isAdmin: boolean): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (tenant_id, account_id, email, name, color, persona, is_admin) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (tenant_id, email) DO UPDATE SET account_id = EXCLUDED.account_id RETURNING id`,
    [tenantId, account.id, account.email, account.name, colorFor(account.id), persona, isAdmin],
  );
  return rows[0].id;
}

/** A new organisation; its creator is its admin and a domain expert. */
export async function createOrganisation(db: Database, account: Account, name: string): Promise<{ tenantId: string }> {
  return { tenantId: await db.tx((tx) => insertOrganisation(tx, account, name)) };
}

async function insertOrganisation(tx: Sql, account: Account, name: string): Promise<string> {
  const subdomain = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'org'}-${randomBytes(4).toString('hex')}`;
  const { rows } = await tx.query<{ id: string }>('INSERT INTO tenants (name, subdomain) VALUES ($1, $2) RETURNING id', [name.trim(), subdomain]);
  await addMember(tx, rows[0].id, account, 'domain_expert', true);
  return rows[0].id;
}

/** Runs inside the admin's tenant transaction (RLS checks the tenant); returns the link's token. */
export async function createInvite(tx: Sql, tenantId: string, createdBy: string, persona: Persona, isAdmin = false): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + INVITE_TTL_MS);
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO invites (tenant_id, token_hash, persona, is_admin, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [tenantId, hashToken(token), persona, isAdmin, createdBy, expiresAt],
  );
  return { id: rows[0].id, token, expiresAt };
}

/** What an invite link offers, before accepting it; null when unknown, used or expired. */
export async function peekInvite(db: Sql, token: string): Promise<{ tenantName: string; persona: Persona } | null> {
  const { rows } = await db.query<{ tenantName: string; persona: Persona }>(
    `SELECT t.name AS "tenantName", i.persona FROM invites i JOIN tenants t ON t.id = i.tenant_id
     WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > NOW()`,
    [hashToken(token)],
  );
  return rows[0] ?? null;
}

/** One use per link: the first account to accept it becomes a member with the invite's persona. */
export async function acceptInvite(db: Database, token: string, account: Account): Promise<{ tenantId: string }> {
  return db.tx(async (tx) => {
    const { rows } = await tx.query<{ id: string; tenantId: string; persona: Persona; isAdmin: boolean }>(
      `SELECT id, tenant_id AS "tenantId", persona, is_admin AS "isAdmin" FROM invites
       WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > NOW() FOR UPDATE`,
      [hashToken(token)],
    );
    const invite = rows[0];
    if (!invite) throw new AccountError('invite_invalid', 'This invite link is unknown, already used or expired. Ask for a new one.');
    const userId = await addMember(tx, invite.tenantId, account, invite.persona, invite.isAdmin);
    await tx.query('UPDATE invites SET accepted_by = $2, accepted_at = NOW() WHERE id = $1', [invite.id, userId]);
    return { tenantId: invite.tenantId };
  });
}
