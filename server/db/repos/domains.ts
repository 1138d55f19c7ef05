/** Domains (seed 002 `domains`: tax, compliance, billing …) that organise a tenant's documents. */
import type { Sql } from '../client';
import { recordChange } from './graphOutbox';

export interface DomainRow {
  id: string;
  name: string;
  path: string;
  description: string | null;
  documentCount: number;
}

export const DomainRepository = {
  async list(db: Sql, tenantId: string): Promise<DomainRow[]> {
    const { rows } = await db.query<DomainRow>(
      `SELECT d.id, d.name, d.path, d.description,
              (SELECT count(*)::int FROM documents x WHERE x.tenant_id = d.tenant_id AND x.domain_id = d.id AND NOT x.in_trash) AS "documentCount"
       FROM domains d WHERE d.tenant_id = $1 ORDER BY d.path`,
      [tenantId],
    );
    return rows;
  },

  async find(db: Sql, tenantId: string, id: string): Promise<{ id: string; name: string } | null> {
    const { rows } = await db.query<{ id: string; name: string }>('SELECT id, name FROM domains WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return rows[0] ?? null;
  },

  /** Null when a domain with this path already exists. */
  async create(db: Sql, tenantId: string, input: { name: string; description?: string; ownerId: string }): Promise<DomainRow | null> {
    const path = input.name.toLowerCase().trim().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'domain';
    const { rows } = await db.query<DomainRow>(
      `INSERT INTO domains (tenant_id, name, path, description, owner_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, path) DO NOTHING RETURNING id, name, path, description, 0 AS "documentCount"`,
      [tenantId, input.name.trim(), path, input.description ?? null, input.ownerId],
    );
    if (rows[0]) await recordChange(db, tenantId, 'domain', [rows[0].id]);
    return rows[0] ?? null;
  },
};
