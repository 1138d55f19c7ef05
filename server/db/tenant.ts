/**
 * Tenant context for row-level security. Every request's queries run in one transaction as
 * `knowledge_app` (no BYPASSRLS) with app.tenant_id / app.user_id / app.persona set LOCAL, so the
 * policies of migration 0005 filter and check every row; the settings end with the transaction.
 */
import type { Database, Sql } from './client';

export const PERSONAS = ['domain_expert', 'developer', 'product_owner'] as const;
export type Persona = (typeof PERSONAS)[number];

export interface TenantContext {
  tenantId: string;
  /** The membership (users.id) acting; null for system work done on a tenant's behalf. */
  userId: string | null;
  persona: Persona;
}

export function withTenant<T>(db: Database, context: TenantContext, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return db.appTx({ 'app.tenant_id': context.tenantId, 'app.user_id': context.userId ?? '', 'app.persona': context.persona }, fn);
}
