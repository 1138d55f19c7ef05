/**
 * Point-in-time state of an atom from its knowledge_events (seed 001's reconstruction): the
 * events of the atom and of every earlier version, folded in order up to the given time.
 */
import type { Sql } from '../client';

export interface AtomStateAt {
  atomId: string;
  at: string;
  /** null: the atom did not exist yet at that time. */
  state: Record<string, unknown> | null;
  events: number;
}

export async function atomStateAt(db: Sql, tenantId: string, atomId: string, at: Date): Promise<AtomStateAt | null> {
  const { rows: chain } = await db.query<{ id: string }>(
    `WITH RECURSIVE chain AS (
       SELECT id, previous_version, 0 AS depth FROM atoms WHERE tenant_id = $1 AND id = $2
       UNION ALL
       SELECT p.id, p.previous_version, chain.depth + 1 FROM atoms p JOIN chain ON p.id = chain.previous_version
        WHERE p.tenant_id = $1 AND chain.depth < 1000)
     SELECT id FROM chain`,
    [tenantId, atomId],
  );
  if (chain.length === 0) return null;
  const { rows: events } = await db.query<{ type: string; atomId: string; data: Record<string, unknown>; occurredAt: Date }>(
    `SELECT event_type AS type, aggregate_id AS "atomId", event_data AS data, occurred_at AS "occurredAt"
       FROM knowledge_events
      WHERE tenant_id = $1 AND aggregate_type = 'atom' AND aggregate_id = ANY($2::uuid[]) AND occurred_at <= $3
      ORDER BY occurred_at, id`,
    [tenantId, chain.map((c) => c.id), at],
  );
  let state: Record<string, unknown> | null = null;
  for (const event of events) {
    if (event.type === 'AtomCreated') state = { ...event.data, version: 1, deleted: false, versionId: event.atomId };
    else if (event.type === 'AtomVersioned') {
      const { from: _from, to, previousVersion: _previous, ...rest } = event.data;
      state = { ...(state ?? {}), ...rest, canonical: to, deleted: false, versionId: event.atomId };
    } else if (event.type === 'AtomDeleted' && state !== null && state.versionId === event.atomId) state = Object.assign({}, state, { deleted: true });
    else if (event.type === 'AtomReviewed' && state !== null) state = Object.assign({}, state, { reviewStatus: event.data.decision });
  }
  return { atomId, at: at.toISOString(), state, events: events.length };
}

export async function reviewAtom(db: Sql, tenantId: string, atomId: string, decision: 'confirmed' | 'rejected', userId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE atoms SET review_status = $3, reviewed_by = $4, reviewed_at = NOW(), updated_at = NOW()
      WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`,
    [tenantId, atomId, decision, userId],
  );
  if (rowCount === 0) return false;
  await db.query(
    `INSERT INTO knowledge_events (tenant_id, event_type, aggregate_type, aggregate_id, event_data, user_id) VALUES ($1, 'AtomReviewed', 'atom', $2, $3, $4)`,
    [tenantId, atomId, JSON.stringify({ decision }), userId],
  );
  return true;
}
