/**
 * Conflicts between rules through an index, never all pairs (migration 0010_rule_variants).
 *
 * Rules with the same set of conditions form a group (rule_key of the conditions); within a group,
 * the rules with the same set of results are one variant, represented by its oldest rule. Two
 * variants of a group conflict when they give one result field different values ("if Quebec, the
 * rate is 10%" against "if Quebec, the rate is 12%"). A thousand copies of one paragraph are one
 * variant, so the comparisons grow with the number of distinct variants (at most MAX_VARIANTS a
 * group), not with the square of the rules: the graph links the representatives of conflicting
 * variants, and a document's conflicts pair its own variants with the group's.
 */
import type { Sql } from '../db/client';
import { stableStringify as stableJson } from '../../lib/util/stableStringify';

/** Variants read per group; a group with more is compared on its first MAX_VARIANTS (in key order). */
export const MAX_VARIANTS = 32;

export interface Variant {
  conditionKey: string;
  resultKey: string;
  /** The oldest live rule of the variant. */
  representative: string;
  results: Part[];
  /** The result atoms' canonical values, in role order (shown in the reason). */
  canonicals: string[];
  enforcement: string | null;
}

export interface Part {
  field: string;
  op: string;
  value: unknown;
}

export interface VariantConflict {
  reason: string;
  severity: 'high' | 'medium';
}

const parts = (value: unknown): Part[] => (Array.isArray(value) ? value.filter((p): p is Part => typeof p?.field === 'string') : []);

/** SQL: a rule's group and variant keys (null group: no conditions, so it conflicts with nothing). */
export const RULE_KEYS = `CASE WHEN jsonb_typeof(configuration -> 'conditions') = 'array' AND configuration -> 'conditions' <> '[]'::jsonb
    THEN rule_key(configuration -> 'conditions') END AS "conditionKey", rule_key(configuration -> 'results') AS "resultKey"`;

/**
 * The variants of these groups: a recursive skip scan of molecule_variants_idx, one index probe per
 * variant (the group's first, then each next result key), so a group of 10,000 rules costs as
 * much as its handful of variants.
 */
export async function ruleVariants(db: Sql, tenantId: string, conditionKeys: string[]): Promise<Map<string, Variant[]>> {
  const keys = [...new Set(conditionKeys)];
  const out = new Map<string, Variant[]>();
  if (keys.length === 0) return out;
  const { rows } = await db.query<{
    conditionKey: string; resultKey: string; id: string; results: unknown; enforcement: string | null; canonicals: string[];
  }>(
    `WITH RECURSIVE v(ck, rk, id, n) AS (
       SELECT k.ck, f.rk, f.id, 1 FROM unnest($2::text[]) AS k(ck) CROSS JOIN LATERAL (
         SELECT rule_key(m.configuration -> 'results') AS rk, m.id FROM molecule_metadata m
          WHERE m.tenant_id = $1 AND m.deleted_at IS NULL AND rule_key(m.configuration -> 'conditions') = k.ck
          ORDER BY rule_key(m.configuration -> 'results'), m.created_at, m.id LIMIT 1) f
       UNION ALL
       SELECT v.ck, f.rk, f.id, v.n + 1 FROM v CROSS JOIN LATERAL (
         SELECT rule_key(m.configuration -> 'results') AS rk, m.id FROM molecule_metadata m
          WHERE m.tenant_id = $1 AND m.deleted_at IS NULL AND rule_key(m.configuration -> 'conditions') = v.ck
            AND rule_key(m.configuration -> 'results') > v.rk
          ORDER BY rule_key(m.configuration -> 'results'), m.created_at, m.id LIMIT 1) f
        WHERE v.n < $3)
     SELECT v.ck AS "conditionKey", v.rk AS "resultKey", m.id, m.configuration -> 'results' AS results,
            m.enforcement_level AS enforcement,
            ARRAY(SELECT at.canonical FROM jsonb_to_recordset(m.atom_roles) r("atomId" uuid, role text, "order" int)
                    JOIN atoms at ON at.tenant_id = m.tenant_id AND at.id = r."atomId" WHERE r.role = 'result' ORDER BY r."order") AS canonicals
       FROM v JOIN molecule_metadata m ON m.tenant_id = $1 AND m.id = v.id`,
    [tenantId, keys, MAX_VARIANTS],
  );
  for (const row of rows) {
    const list = out.get(row.conditionKey) ?? [];
    list.push({
      conditionKey: row.conditionKey, resultKey: row.resultKey, representative: row.id, results: parts(row.results),
      canonicals: row.canonicals, enforcement: row.enforcement,
    });
    out.set(row.conditionKey, list);
  }
  return out;
}

/** Whether two variants of one group give a result field different values; a first, b second in the reason. */
export function variantConflict(a: Variant, b: Variant): VariantConflict | null {
  if (a.resultKey === b.resultKey) return null;
  const shown = (variant: Variant, i: number) =>
    variant.canonicals.length === variant.results.length ? variant.canonicals[i] : String(variant.results[i].value);
  for (const [i, part] of a.results.entries()) {
    const j = b.results.findIndex((other) => other.field === part.field && other.op === part.op);
    if (j < 0 || stableJson(b.results[j].value) === stableJson(part.value)) continue;
    const severity = a.enforcement === 'block' || b.enforcement === 'block' ? 'high' : 'medium';
    return { reason: `same condition, different ${part.field}: ${shown(a, i)} vs ${shown(b, j)}`, severity };
  }
  return null;
}

/**
 * The representatives of the variants these rules belong (or belonged) to, deleted rules
 * included: when a representative goes or changes, the next oldest rule of its variant takes its
 * place and must be linked in the graph.
 */
export async function representativesOf(db: Sql, tenantId: string, moleculeIds: string[]): Promise<string[]> {
  if (moleculeIds.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(
    `SELECT f.id FROM (SELECT DISTINCT rule_key(configuration -> 'conditions') AS ck, rule_key(configuration -> 'results') AS rk
                         FROM molecule_metadata WHERE tenant_id = $1 AND id = ANY($2::uuid[])
                          AND jsonb_typeof(configuration -> 'conditions') = 'array' AND configuration -> 'conditions' <> '[]'::jsonb) k
     CROSS JOIN LATERAL (
       SELECT m.id FROM molecule_metadata m
        WHERE m.tenant_id = $1 AND m.deleted_at IS NULL AND rule_key(m.configuration -> 'conditions') = k.ck
          AND rule_key(m.configuration -> 'results') = k.rk
        ORDER BY m.created_at, m.id LIMIT 1) f`,
    [tenantId, moleculeIds],
  );
  return rows.map((row) => row.id);
}
