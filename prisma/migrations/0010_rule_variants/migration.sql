-- Conflicts and same-value links through indexes, never all pairs (issue 20). Pasting a
-- 20-paragraph handbook section took the graph sync 19 s on PGlite: a rule was compared with
-- every rule whose conditions contain its own (a self-join per sync batch), and an atom with
-- every atom of the same value or name through an OR join that no index serves (6.5 s for 120
-- atoms), so both grew with the square of the tenant's knowledge.
--
-- rule_key(list): the same text for the same SET of conditions (or results), whatever their order
-- or repetition: md5 of the distinct elements' canonical jsonb text, sorted. Rules with the same
-- conditions form a group; within it, rules with the same results are one variant, whose
-- representative is its oldest rule. server/graph/projection.ts walks a group's variants with
-- this index (one probe per variant) and links conflicting variants' representatives only.
CREATE OR REPLACE FUNCTION rule_key(list jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT md5(COALESCE(string_agg(DISTINCT e::text, ',' ORDER BY e::text), ''))
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(list) = 'array' THEN list ELSE '[]'::jsonb END) AS e
$$;

CREATE INDEX IF NOT EXISTS molecule_variants_idx ON molecule_metadata
  (tenant_id, rule_key(configuration -> 'conditions'), rule_key(configuration -> 'results'), created_at, id)
  WHERE deleted_at IS NULL;

-- Same-value and same-name links walk a value's atoms oldest first and stop after a few.
CREATE INDEX IF NOT EXISTS atoms_canonical_age_idx ON atoms (tenant_id, canonical, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS atoms_name_age_idx ON atoms (tenant_id, lower(name), created_at, id) WHERE deleted_at IS NULL;
DROP INDEX IF EXISTS atoms_canonical_idx;
DROP INDEX IF EXISTS atoms_name_idx;

-- Entities whose edges point at a changed or deleted one are found by its id (reverse links).
CREATE INDEX IF NOT EXISTS sync_state_linked_idx ON sync_state USING gin (linked_ids);

-- The conditions' GIN index (0008) served the pairwise comparison this replaces; nothing reads
-- it now, and every stored rule paid for it.
DROP INDEX IF EXISTS molecule_conditions_idx;
