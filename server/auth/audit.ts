/**
 * The audit log (seed 000 `audit_log`). Writes through the repositories are recorded by the
 * triggers of migration 0005 (old and new values, the acting user from app.user_id); document
 * edits over the websocket are recorded here, at most once a minute per connection.
 */
import type { Database, Sql } from '../db/client';
import type { Identity } from '../collab/server';

export async function recordEdit(db: Database, identity: Identity, documentId: string): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (tenant_id, user_id, action, resource_type, resource_id) VALUES ($1, $2, 'EDIT', 'document', $3)`,
    [identity.tenantId, identity.userId, documentId],
  );
}

export interface AuditFilter {
  userId?: string;
  resourceType?: string;
  action?: string;
  resourceId?: string;
  since?: Date;
  until?: Date;
  /** An entry's `cursor`: the page continues after that entry. */
  before?: string;
  limit: number;
}

export interface AuditEntry {
  id: string;
  userId: string | null;
  userName: string | null;
  action: string;
  resourceType: string;
  resourceId: string;
  oldValues: unknown;
  newValues: unknown;
  createdAt: Date;
  /** created_at at full precision and id: where the next page starts. */
  cursor: string;
}

/** Newest first; `before` (an entry's cursor) pages further back, exactly. Runs under tenantTx. */
export async function listAudit(tx: Sql, tenantId: string, filter: AuditFilter): Promise<AuditEntry[]> {
  const { rows } = await tx.query<AuditEntry>(
    `SELECT a.id, a.user_id AS "userId", u.name AS "userName", a.action, a.resource_type AS "resourceType",
            a.resource_id AS "resourceId", a.old_values AS "oldValues", a.new_values AS "newValues", a.created_at AS "createdAt",
            a.created_at::text || '|' || a.id AS cursor
     FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
     WHERE a.tenant_id = $1
       AND ($2::uuid IS NULL OR a.user_id = $2) AND ($3::text IS NULL OR a.resource_type = $3)
       AND ($4::text IS NULL OR a.action = $4) AND ($5::uuid IS NULL OR a.resource_id = $5)
       AND ($6::timestamptz IS NULL OR a.created_at >= $6) AND ($7::timestamptz IS NULL OR a.created_at < $7)
       AND ($8::text IS NULL OR (a.created_at, a.id) < (split_part($8, '|', 1)::timestamptz, split_part($8, '|', 2)::uuid))
     ORDER BY a.created_at DESC, a.id DESC LIMIT $9`,
    [
      tenantId,
      filter.userId ?? null,
      filter.resourceType ?? null,
      filter.action ?? null,
      filter.resourceId ?? null,
      filter.since ?? null,
      filter.until ?? null,
      filter.before ?? null,
      filter.limit,
    ],
  );
  return rows;
}
