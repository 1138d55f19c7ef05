import type { Sql } from '../client';

export interface Tenant {
  id: string;
  name: string;
}

export interface LocalUser {
  id: string;
  tenantId: string;
  name: string;
  email: string;
  color: string;
}

/**
 * The embedded default's one tenant and one user, created on first start so the app works
 * with no sign-up. Idempotent: the subdomain and email are the natural keys.
 */
export async function ensureLocalIdentity(db: Sql): Promise<{ tenant: Tenant; user: LocalUser }> {
  await db.query(
    `INSERT INTO tenants (name, subdomain) VALUES ('Local workspace', 'local') ON CONFLICT (subdomain) DO NOTHING`,
  );
  const tenant = (await db.query<Tenant>(`SELECT id, name FROM tenants WHERE subdomain = 'local'`)).rows[0];
  await db.query(
    `INSERT INTO users (tenant_id, email, name, color) VALUES ($1, 'local@knowledge-os.local', 'Local user', '#4f46e5')
     ON CONFLICT (tenant_id, email) DO NOTHING`,
    [tenant.id],
  );
  const user = (
    await db.query<LocalUser>(
      `SELECT id, tenant_id AS "tenantId", name, email, color FROM users WHERE tenant_id = $1 AND email = 'local@knowledge-os.local'`,
      [tenant.id],
    )
  ).rows[0];
  return { tenant, user };
}

export async function createTenant(db: Sql, name: string, subdomain: string): Promise<Tenant> {
  const { rows } = await db.query<Tenant>(
    'INSERT INTO tenants (name, subdomain) VALUES ($1, $2) RETURNING id, name',
    [name, subdomain],
  );
  return rows[0];
}
