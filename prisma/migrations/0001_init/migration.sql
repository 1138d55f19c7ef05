-- Knowledge OS initial schema: seed 002 (tenants, domains, documents, blocks, atoms,
-- molecule_metadata, sync_state), seed 000 (annotations, knowledge_events, audit_log),
-- and the Yjs persistence tables (update log + snapshots). tenant_id on every row.

CREATE TABLE tenants (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name VARCHAR(255) NOT NULL,
  subdomain VARCHAR(100) UNIQUE NOT NULL,
  schema_name VARCHAR(100) NOT NULL DEFAULT 'public',
  status VARCHAR(20) DEFAULT 'active',
  plan_type VARCHAR(50) DEFAULT 'starter',
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE users (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  email VARCHAR(320) NOT NULL,
  name VARCHAR(255) NOT NULL,
  color VARCHAR(16) NOT NULL DEFAULT '#4f46e5',
  created_at TIMESTAMPTZ DEFAULT NOW(),
  UNIQUE (tenant_id, email)
);

CREATE TABLE domains (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  name VARCHAR(255) NOT NULL,
  path VARCHAR(1000) NOT NULL,
  description TEXT,
  owner_id UUID,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW(),
  UNIQUE (tenant_id, path)
);

CREATE TABLE documents (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  domain_id UUID REFERENCES domains(id),
  parent_id UUID,
  parent_type VARCHAR(20),
  root_block_id UUID,
  properties JSONB,
  icon JSONB,
  cover JSONB,
  title VARCHAR(500),
  archived BOOLEAN DEFAULT FALSE,
  in_trash BOOLEAN DEFAULT FALSE,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW(),
  created_by UUID,
  last_edited_by UUID
);
CREATE INDEX documents_tenant_idx ON documents (tenant_id, updated_at DESC);

-- One row per block. `document_id` and `position` (order among siblings) are additions to
-- seed 002: the projection needs to know where a block lives and in what order.
CREATE TABLE blocks (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  document_id UUID NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  parent_id UUID REFERENCES blocks(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  parent_type VARCHAR(20) NOT NULL DEFAULT 'document',
  position INTEGER NOT NULL,
  block_type VARCHAR(50) NOT NULL,
  content JSONB NOT NULL,
  atom_ids UUID[],
  molecule_ids UUID[],
  has_children BOOLEAN DEFAULT FALSE,
  archived BOOLEAN DEFAULT FALSE,
  in_trash BOOLEAN DEFAULT FALSE,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW(),
  created_by UUID,
  last_edited_by UUID,
  CONSTRAINT blocks_type_check CHECK (block_type IN (
    'paragraph', 'heading_1', 'heading_2', 'heading_3', 'bulleted_list_item',
    'numbered_list_item', 'to_do', 'code', 'quote', 'callout', 'divider', 'table', 'image', 'file'))
);
CREATE INDEX blocks_document_idx ON blocks (tenant_id, document_id);
CREATE INDEX blocks_parent_idx ON blocks (parent_id);

CREATE TABLE atoms (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  domain_id UUID REFERENCES domains(id) ON DELETE SET NULL,
  atom_type VARCHAR(50) NOT NULL,
  text_value TEXT,
  number_value NUMERIC,
  boolean_value BOOLEAN,
  date_value TIMESTAMPTZ,
  json_value JSONB,
  name VARCHAR(255),
  description TEXT,
  confidence FLOAT DEFAULT 1.0,
  source VARCHAR(50) DEFAULT 'ai_extracted',
  version INTEGER DEFAULT 1,
  previous_version UUID REFERENCES atoms(id),
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW(),
  deleted_at TIMESTAMPTZ
);
CREATE INDEX atoms_tenant_type_idx ON atoms (tenant_id, atom_type);

CREATE TABLE molecule_metadata (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  domain_id UUID REFERENCES domains(id) ON DELETE SET NULL,
  molecule_type VARCHAR(50) NOT NULL,
  atom_ids UUID[] NOT NULL,
  configuration JSONB,
  validation_rules JSONB,
  enforcement_level VARCHAR(20) DEFAULT 'warn',
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE INDEX molecule_metadata_atom_ids_idx ON molecule_metadata USING gin (atom_ids);

CREATE TABLE sync_state (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  entity_type VARCHAR(50) NOT NULL,
  entity_id UUID NOT NULL,
  postgres_version INTEGER NOT NULL,
  neo4j_version INTEGER,
  postgres_checksum CHAR(64),
  neo4j_checksum CHAR(64),
  sync_status VARCHAR(20) DEFAULT 'pending',
  last_sync_attempt TIMESTAMPTZ,
  sync_error TEXT,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW(),
  UNIQUE (tenant_id, entity_type, entity_id)
);
CREATE INDEX sync_state_pending_idx ON sync_state (tenant_id, sync_status)
  WHERE sync_status IN ('pending', 'failed');

CREATE TABLE annotations (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  document_id UUID NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  block_id UUID,
  target_type VARCHAR(20) NOT NULL DEFAULT 'character',
  start_offset INTEGER NOT NULL,
  end_offset INTEGER NOT NULL,
  quote TEXT,
  prefix TEXT,
  suffix TEXT,
  css_selector TEXT,
  xpath TEXT,
  knowledge_type VARCHAR(20) NOT NULL,
  knowledge_id UUID NOT NULL,
  layer VARCHAR(20) DEFAULT 'atom',
  confidence FLOAT DEFAULT 1.0,
  source VARCHAR(50) DEFAULT 'manual',
  style JSONB,
  validated_by UUID,
  validated_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE INDEX annotations_document_idx ON annotations (tenant_id, document_id);
CREATE INDEX annotations_knowledge_idx ON annotations (tenant_id, knowledge_type, knowledge_id);
CREATE INDEX annotations_position_idx ON annotations (tenant_id, document_id, start_offset, end_offset);

CREATE TABLE knowledge_events (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  event_type VARCHAR(50) NOT NULL,
  aggregate_type VARCHAR(50) NOT NULL,
  aggregate_id UUID NOT NULL,
  event_data JSONB NOT NULL,
  metadata JSONB,
  causation_id UUID,
  correlation_id UUID,
  user_id UUID,
  user_ip INET,
  occurred_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE INDEX knowledge_events_aggregate_idx ON knowledge_events (tenant_id, aggregate_type, aggregate_id, occurred_at);

CREATE TABLE audit_log (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  user_id UUID,
  action VARCHAR(50) NOT NULL,
  resource_type VARCHAR(50) NOT NULL,
  resource_id UUID NOT NULL,
  old_values JSONB,
  new_values JSONB,
  ip_address INET,
  user_agent TEXT,
  request_id UUID,
  created_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, created_at DESC);

-- Yjs persistence. The update log is append-only; a snapshot holds the merged state of all
-- updates with id <= upto_update_id. Loading = snapshot + updates with id > upto_update_id.
CREATE TABLE yjs_updates (
  id BIGSERIAL PRIMARY KEY,
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  document_id UUID NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  update BYTEA NOT NULL,
  created_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE INDEX yjs_updates_document_idx ON yjs_updates (document_id, id);

CREATE TABLE yjs_snapshots (
  document_id UUID PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  state BYTEA NOT NULL,
  upto_update_id BIGINT NOT NULL,
  updated_at TIMESTAMPTZ DEFAULT NOW()
);
