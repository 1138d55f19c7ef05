/**
 * The graph outbox (migration 0004_graph_sync): call recordChange inside the transaction that
 * changes the rows, so the change and the note that the graph must follow commit together.
 */
import type { Sql } from '../client';

export type GraphEntityType = 'atom' | 'molecule' | 'document' | 'block' | 'domain';

export async function recordChange(tx: Sql, tenantId: string, type: GraphEntityType, ids: Iterable<string>): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  await tx.query(
    `INSERT INTO graph_outbox (tenant_id, entity_type, entity_id) SELECT $1, $2, unnest($3::uuid[])`,
    [tenantId, type, unique],
  );
}
