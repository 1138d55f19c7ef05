-- Graph sync (issue 6): a transactional outbox. Every transaction that changes atoms,
-- molecules, blocks, documents or domains also inserts one row per changed entity here; the
-- sync worker (server/graph/sync.ts) reads the CURRENT PostgreSQL rows of those entities,
-- writes them to the graph store, and only then deletes the outbox rows. A crash or a graph
-- outage at any step leaves the rows in place, so the next attempt redoes the work.

CREATE TABLE graph_outbox (
  id BIGSERIAL PRIMARY KEY,
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  entity_type VARCHAR(20) NOT NULL CHECK (entity_type IN ('atom', 'molecule', 'document', 'block', 'domain')),
  entity_id UUID NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX graph_outbox_tenant_idx ON graph_outbox (tenant_id, id);

-- The nodes whose edges this entity's last sync computed (an atom's RELATED_TO neighbours, a
-- molecule's atoms and conflicting molecules): when they change, those edges are recomputed too.
ALTER TABLE sync_state ADD COLUMN linked_ids UUID[] NOT NULL DEFAULT '{}';

-- RELATED_TO (same canonical value, or same name) is looked up per changed atom.
CREATE INDEX atoms_canonical_idx ON atoms (tenant_id, canonical) WHERE deleted_at IS NULL;
CREATE INDEX atoms_name_idx ON atoms (tenant_id, lower(name)) WHERE deleted_at IS NULL;
