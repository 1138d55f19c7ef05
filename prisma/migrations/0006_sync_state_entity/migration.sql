-- The graph sync reads, deletes and marks sync_state rows by entity id alone (its changes carry
-- no entity type). The unique key (tenant_id, entity_type, entity_id) cannot serve that: each
-- batch scanned the tenant's every row against its 2,000 ids, 0.9 s per batch at 33,000 rows.
CREATE INDEX IF NOT EXISTS sync_state_entity_idx ON sync_state (entity_id);
