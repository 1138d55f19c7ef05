import type { Sql } from '../client';

export interface Tenant {
  id: string;
  name: string;
}

export interface LocalUser {
  id: string;
  tenantId: string;
  accountId: string;
  name: string;
  email: string;
  color: string;
}

export const LOCAL_EMAIL = 'local@knowledge-os.local';

/**
 * The embedded default's one tenant and one account (its admin, a domain expert), created on
 * first start so "Continue as local user" works with no sign-up. Idempotent: the subdomain and
 * the email are the natural keys.
 */
export async function ensureLocalIdentity(db: Sql): Promise<{ tenant: Tenant; user: LocalUser }> {
  await db.query(`INSERT INTO tenants (name, subdomain) VALUES ('Local workspace', 'local') ON CONFLICT (subdomain) DO NOTHING`);
  const tenant = (await db.query<Tenant>(`SELECT id, name FROM tenants WHERE subdomain = 'local'`)).rows[0];
  await db.query(`INSERT INTO accounts (email, name) VALUES ($1, 'Local user') ON CONFLICT ((lower(email))) DO NOTHING`, [LOCAL_EMAIL]);
  const account = (await db.query<{ id: string }>(`SELECT id FROM accounts WHERE lower(email) = $1`, [LOCAL_EMAIL])).rows[0];
  await db.query(
    `INSERT INTO users (tenant_id, account_id, email, name, color, persona, is_admin)
     VALUES ($1, $2, $3, 'Local user', '#4f46e5', 'domain_expert', TRUE)
     ON CONFLICT (tenant_id, email) DO UPDATE SET account_id = EXCLUDED.account_id`,
    [tenant.id, account.id, LOCAL_EMAIL],
  );
  const user = (
    await db.query<LocalUser>(
      `SELECT id, tenant_id AS "tenantId", account_id AS "accountId", name, email, color FROM users WHERE tenant_id = $1 AND email = $2`,
      [tenant.id, LOCAL_EMAIL],
    )
  ).rows[0];
  return { tenant, user };
}

export async function createTenant(db: Sql, name: string, subdomain: string): Promise<Tenant> {
  const { rows } = await db.query<Tenant>('INSERT INTO tenants (name, subdomain) VALUES ($1, $2) RETURNING id, name', [name, subdomain]);
  return rows[0];
}
