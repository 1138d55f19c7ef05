-- Tenant isolation with the setting read in the policy itself instead of through
-- current_tenant_id(): PostgreSQL inlines a SQL function by parsing its body again every time a
-- query is planned, which cost ~10 µs per statement (0.035 → 0.023 ms planning the document
-- list as knowledge_app; 0.019 ms as the owner). Same meaning: unset or empty matches no row.

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
    EXECUTE format($f$CREATE POLICY tenant_isolation ON %I
      USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
      WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$f$, t);
  END LOOP;
END $$;
SELECT enable_tenant_rls();

DROP POLICY IF EXISTS tenant_isolation ON tenants;
CREATE POLICY tenant_isolation ON tenants USING (id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
