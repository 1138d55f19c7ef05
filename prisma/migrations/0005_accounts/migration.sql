-- Accounts, sessions, invites, personas, and row-level security on every tenant table.
--
-- An account is a person (email + scrypt password hash); a `users` row is that person's
-- membership of one tenant, with its persona. Sessions and invites store only SHA-256 hashes
-- of their tokens. Request handlers run their queries as `knowledge_app`, a role without
-- BYPASSRLS, inside a transaction that sets app.tenant_id / app.user_id / app.persona
-- (server/db/tenant.ts); background workers (projection, extraction, graph sync) run as the
-- table owner and filter by tenant explicitly.

CREATE TABLE accounts (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  email VARCHAR(320) NOT NULL,
  name VARCHAR(255) NOT NULL,
  password_hash TEXT,
  created_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE UNIQUE INDEX accounts_email_idx ON accounts (lower(email));

ALTER TABLE users ADD COLUMN account_id UUID REFERENCES accounts(id) ON DELETE CASCADE;
ALTER TABLE users ADD COLUMN persona VARCHAR(20) NOT NULL DEFAULT 'domain_expert'
  CHECK (persona IN ('domain_expert', 'developer', 'product_owner'));
ALTER TABLE users ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX users_account_idx ON users (tenant_id, account_id);

CREATE TABLE sessions (
  token_hash CHAR(64) PRIMARY KEY,
  account_id UUID NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  -- The organisation this session is working in; switching organisations updates it.
  tenant_id UUID REFERENCES tenants(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_account_idx ON sessions (account_id);

CREATE TABLE invites (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  token_hash CHAR(64) NOT NULL UNIQUE,
  persona VARCHAR(20) NOT NULL CHECK (persona IN ('domain_expert', 'developer', 'product_owner')),
  is_admin BOOLEAN NOT NULL DEFAULT FALSE,
  created_by UUID REFERENCES users(id),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  expires_at TIMESTAMPTZ NOT NULL,
  accepted_by UUID REFERENCES users(id),
  accepted_at TIMESTAMPTZ
);

ALTER TABLE atoms ADD COLUMN review_status VARCHAR(20) NOT NULL DEFAULT 'unreviewed'
  CHECK (review_status IN ('unreviewed', 'confirmed', 'rejected'));
ALTER TABLE atoms ADD COLUMN reviewed_by UUID;
ALTER TABLE atoms ADD COLUMN reviewed_at TIMESTAMPTZ;

-- Uploaded files (image and file blocks). The bytes live under DATA_DIR/uploads/<tenant>/<id>;
-- the stored path is derived from ids only, never from the uploaded name.
CREATE TABLE files (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  document_id UUID REFERENCES documents(id) ON DELETE SET NULL,
  name VARCHAR(255) NOT NULL,
  content_type VARCHAR(255) NOT NULL,
  size_bytes BIGINT NOT NULL,
  created_by UUID REFERENCES users(id),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- Code that implements a rule (seed 000 `implements_code_refs`), as its own table because
-- developers, who may not change molecules, are the ones who link code to them.
CREATE TABLE molecule_code_refs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL REFERENCES tenants(id),
  molecule_id UUID NOT NULL REFERENCES molecule_metadata(id) ON DELETE CASCADE,
  ref VARCHAR(500) NOT NULL,
  created_by UUID REFERENCES users(id),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  UNIQUE (tenant_id, molecule_id, ref)
);

CREATE INDEX documents_domain_idx ON documents (tenant_id, domain_id);
CREATE INDEX audit_log_resource_idx ON audit_log (tenant_id, resource_type, created_at DESC);

-- The request context. Unset (or empty) settings read as NULL, and NULL matches no row.
CREATE OR REPLACE FUNCTION current_tenant_id() RETURNS UUID LANGUAGE sql STABLE AS
  $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION current_user_id() RETURNS UUID LANGUAGE sql STABLE AS
  $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION current_persona() RETURNS TEXT LANGUAGE sql STABLE AS
  $$ SELECT NULLIF(current_setting('app.persona', true), '') $$;

DO $$
BEGIN
  -- Roles are shared by every database of the server; parallel migrations may race to create it.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'knowledge_app') THEN
    BEGIN
      CREATE ROLE knowledge_app NOLOGIN NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  -- The migrating role must be able to SET ROLE knowledge_app (a superuser always can).
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT knowledge_app TO %I', current_user);
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO knowledge_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO knowledge_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO knowledge_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO knowledge_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO knowledge_app;
-- Accounts and sessions are looked up before any tenant is known; the app role never touches them.
REVOKE ALL ON accounts, sessions, _migrations FROM knowledge_app;

-- Tenant isolation on every table with a tenant_id column (later migrations call this again).
CREATE OR REPLACE FUNCTION enable_tenant_rls() RETURNS void LANGUAGE plpgsql AS $$
DECLARE t TEXT;
BEGIN
  FOR t IN
    SELECT c.table_name FROM information_schema.columns c
    JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
    WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND tb.table_type = 'BASE TABLE'
      AND c.table_name <> 'sessions'
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %I', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id())', t);
  END LOOP;
END $$;
SELECT enable_tenant_rls();

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants USING (id = current_tenant_id());

-- Persona: only domain experts write content (developers and product owners read it).
CREATE OR REPLACE FUNCTION enable_persona_write_policies() RETURNS void LANGUAGE plpgsql AS $$
DECLARE t TEXT;
BEGIN
  FOREACH t IN ARRAY ARRAY['documents', 'blocks', 'atoms', 'molecule_metadata', 'annotations', 'domains', 'files'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS persona_insert ON %I', t);
    EXECUTE format('DROP POLICY IF EXISTS persona_update ON %I', t);
    EXECUTE format('DROP POLICY IF EXISTS persona_delete ON %I', t);
    EXECUTE format($f$CREATE POLICY persona_insert ON %I AS RESTRICTIVE FOR INSERT WITH CHECK (current_persona() = 'domain_expert')$f$, t);
    EXECUTE format($f$CREATE POLICY persona_update ON %I AS RESTRICTIVE FOR UPDATE USING (current_persona() = 'domain_expert')$f$, t);
    EXECUTE format($f$CREATE POLICY persona_delete ON %I AS RESTRICTIVE FOR DELETE USING (current_persona() = 'domain_expert')$f$, t);
  END LOOP;
END $$;
SELECT enable_persona_write_policies();

ALTER TABLE molecule_code_refs ENABLE ROW LEVEL SECURITY;
CREATE POLICY persona_write ON molecule_code_refs AS RESTRICTIVE FOR INSERT
  WITH CHECK (current_persona() IN ('developer', 'domain_expert'));
CREATE POLICY persona_update ON molecule_code_refs AS RESTRICTIVE FOR UPDATE
  USING (current_persona() IN ('developer', 'domain_expert'));
CREATE POLICY persona_delete ON molecule_code_refs AS RESTRICTIVE FOR DELETE
  USING (current_persona() IN ('developer', 'domain_expert'));

-- Audit: every write made with a user in context (requests) is recorded with old and new values.
-- Background writes (extraction, projection) have no app.user_id and are recorded as
-- knowledge_events instead.
CREATE OR REPLACE FUNCTION audit_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  actor UUID := current_user_id();
  row_new JSONB;
  row_old JSONB;
BEGIN
  IF actor IS NULL THEN
    RETURN NULL;
  END IF;
  row_new := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
  row_old := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;
  INSERT INTO audit_log (tenant_id, user_id, action, resource_type, resource_id, old_values, new_values)
  VALUES ((COALESCE(row_new, row_old)->>'tenant_id')::uuid, actor, TG_OP, TG_ARGV[0],
          (COALESCE(row_new, row_old)->>'id')::uuid, row_old, row_new);
  RETURN NULL;
END $$;

CREATE TRIGGER documents_audit AFTER INSERT OR UPDATE OR DELETE ON documents
  FOR EACH ROW EXECUTE FUNCTION audit_changes('document');
CREATE TRIGGER domains_audit AFTER INSERT OR UPDATE OR DELETE ON domains
  FOR EACH ROW EXECUTE FUNCTION audit_changes('domain');
CREATE TRIGGER atoms_audit AFTER INSERT OR UPDATE OR DELETE ON atoms
  FOR EACH ROW EXECUTE FUNCTION audit_changes('atom');
CREATE TRIGGER annotations_audit AFTER INSERT OR UPDATE OR DELETE ON annotations
  FOR EACH ROW EXECUTE FUNCTION audit_changes('annotation');
CREATE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION audit_changes('membership');
CREATE TRIGGER files_audit AFTER INSERT OR UPDATE OR DELETE ON files
  FOR EACH ROW EXECUTE FUNCTION audit_changes('file');
CREATE TRIGGER molecule_code_refs_audit AFTER INSERT OR UPDATE OR DELETE ON molecule_code_refs
  FOR EACH ROW EXECUTE FUNCTION audit_changes('code_ref');
CREATE TRIGGER invites_audit AFTER INSERT OR UPDATE OR DELETE ON invites
  FOR EACH ROW EXECUTE FUNCTION audit_changes('invite');
