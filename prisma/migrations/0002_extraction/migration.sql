-- Extraction (issue 4). Seed 002's atoms and molecule_metadata gain the columns the editor
-- shows (canonical form, unit, kind, name) and soft deletion; annotations gain an anchoring
-- status so a manual annotation whose text was deleted is kept and shown as orphaned.

ALTER TABLE atoms ADD COLUMN canonical TEXT;
ALTER TABLE atoms ADD COLUMN unit VARCHAR(20);
ALTER TABLE atoms ADD COLUMN kind VARCHAR(50);
CREATE INDEX atoms_previous_version_idx ON atoms (previous_version) WHERE previous_version IS NOT NULL;

ALTER TABLE molecule_metadata ADD COLUMN name VARCHAR(255);
ALTER TABLE molecule_metadata ADD COLUMN confidence FLOAT DEFAULT 1.0;
ALTER TABLE molecule_metadata ADD COLUMN source VARCHAR(50) DEFAULT 'ai_extracted';
ALTER TABLE molecule_metadata ADD COLUMN deleted_at TIMESTAMPTZ;

-- Which roles the atoms play in a molecule (PART_OF {role, order} in the graph); atom_ids
-- stays the SQL-queryable list, in the same order.
ALTER TABLE molecule_metadata ADD COLUMN atom_roles JSONB NOT NULL DEFAULT '[]';

ALTER TABLE annotations ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'anchored';
ALTER TABLE annotations ADD CONSTRAINT annotations_status_check CHECK (status IN ('anchored', 'orphaned'));
ALTER TABLE annotations ADD CONSTRAINT annotations_offsets_check CHECK (start_offset >= 0 AND end_offset >= start_offset);
CREATE INDEX annotations_block_idx ON annotations (tenant_id, block_id);

-- The text of each block as last extracted: a job extracts only blocks whose hash changed.
CREATE TABLE block_extractions (
  block_id UUID PRIMARY KEY,
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  document_id UUID NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  text_hash CHAR(64) NOT NULL,
  extractor VARCHAR(50) NOT NULL,
  extracted_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX block_extractions_document_idx ON block_extractions (tenant_id, document_id);

-- What the editor shows about a document's extraction: queued, running, retrying, failed.
CREATE TABLE extraction_status (
  document_id UUID PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  state VARCHAR(20) NOT NULL CHECK (state IN ('idle', 'queued', 'running', 'retrying', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
