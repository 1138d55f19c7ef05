import type { Sql } from '../client';
import { recordChange } from './graphOutbox';

export interface DocumentRow {
  id: string;
  tenantId: string;
  title: string | null;
  domainId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, tenant_id AS "tenantId", title, domain_id AS "domainId", created_at AS "createdAt", updated_at AS "updatedAt"`;

export const DocumentRepository = {
  async create(db: Sql, tenantId: string, input: { title?: string; createdBy?: string; domainId?: string | null }): Promise<DocumentRow> {
    const { rows } = await db.query<DocumentRow>(
      `INSERT INTO documents (tenant_id, title, created_by, last_edited_by, domain_id) VALUES ($1, $2, $3, $3, $4) RETURNING ${COLUMNS}`,
      [tenantId, input.title ?? null, input.createdBy ?? null, input.domainId ?? null],
    );
    await recordChange(db, tenantId, 'document', [rows[0].id]);
    return rows[0];
  },

  async list(db: Sql, tenantId: string, limit = 200): Promise<DocumentRow[]> {
    const { rows } = await db.query<DocumentRow>(
      `SELECT ${COLUMNS} FROM documents WHERE tenant_id = $1 AND NOT in_trash ORDER BY updated_at DESC LIMIT $2`,
      [tenantId, limit],
    );
    return rows;
  },

  async find(db: Sql, tenantId: string, id: string): Promise<DocumentRow | null> {
    const { rows } = await db.query<DocumentRow>(
      `SELECT ${COLUMNS} FROM documents WHERE tenant_id = $1 AND id = $2 AND NOT in_trash`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  },

  /** Tenant-less lookup, for the collaboration server before it knows who is asking. */
  async findTenantOf(db: Sql, id: string): Promise<string | null> {
    const { rows } = await db.query<{ tenantId: string }>(
      `SELECT tenant_id AS "tenantId" FROM documents WHERE id = $1 AND NOT in_trash`,
      [id],
    );
    return rows[0]?.tenantId ?? null;
  },

  async setTitle(db: Sql, tenantId: string, id: string, title: string | null): Promise<void> {
    const { rowCount } = await db.query(
      `UPDATE documents SET title = $3, updated_at = NOW() WHERE tenant_id = $1 AND id = $2 AND title IS DISTINCT FROM $3`,
      [tenantId, id, title],
    );
    if (rowCount > 0) await recordChange(db, tenantId, 'document', [id]);
  },

  /** Files the document under a domain (null: none); the graph gets IN_DOMAIN. False if no such document. */
  async setDomain(db: Sql, tenantId: string, id: string, domainId: string | null, userId: string): Promise<boolean> {
    const { rowCount } = await db.query(
      `UPDATE documents SET domain_id = $3, last_edited_by = $4, updated_at = NOW() WHERE tenant_id = $1 AND id = $2 AND NOT in_trash`,
      [tenantId, id, domainId, userId],
    );
    if (rowCount > 0) await recordChange(db, tenantId, 'document', [id]);
    return rowCount > 0;
  },

  /** Moves a document to the trash: it leaves the lists and the graph. */
  async trash(db: Sql, tenantId: string, id: string): Promise<void> {
    await db.query('UPDATE documents SET in_trash = TRUE, updated_at = NOW() WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    await recordChange(db, tenantId, 'document', [id]);
  },

  async touch(db: Sql, tenantId: string, id: string): Promise<void> {
    await db.query('UPDATE documents SET updated_at = NOW() WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  },
};
