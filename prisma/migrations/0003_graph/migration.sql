-- The knowledge graph kept in PostgreSQL (issue 5): the embedded default when no Neo4j is
-- configured, with the same model as seed 002 §3 (labels, relationship types, tenantId).
-- Ids are text compared byte-wise (COLLATE "C") so both stores order them the same way.
-- An edge is (source, type, target); its foreign keys detach it when a node is deleted.

CREATE TABLE graph_nodes (
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  id TEXT COLLATE "C" NOT NULL,
  label VARCHAR(20) NOT NULL,
  props JSONB NOT NULL DEFAULT '{}',
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (tenant_id, id),
  CONSTRAINT graph_nodes_label_check CHECK (label IN ('Atom', 'Molecule', 'Document', 'Block', 'Domain'))
);
CREATE INDEX graph_nodes_label_idx ON graph_nodes (tenant_id, label);

CREATE TABLE graph_edges (
  tenant_id UUID NOT NULL,
  source_id TEXT COLLATE "C" NOT NULL,
  type VARCHAR(30) NOT NULL,
  target_id TEXT COLLATE "C" NOT NULL,
  props JSONB NOT NULL DEFAULT '{}',
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (tenant_id, source_id, type, target_id),
  FOREIGN KEY (tenant_id, source_id) REFERENCES graph_nodes (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, target_id) REFERENCES graph_nodes (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT graph_edges_type_check CHECK (type IN (
    'PART_OF', 'APPEARS_IN', 'RELATED_TO', 'REQUIRES', 'CONFLICTS_WITH', 'PART_OF_DOCUMENT', 'IN_DOMAIN'))
);
-- The primary key serves outgoing steps; this index serves incoming ones (and the cascade).
CREATE INDEX graph_edges_target_idx ON graph_edges (tenant_id, target_id, type);
CREATE INDEX graph_edges_type_idx ON graph_edges (tenant_id, type);
