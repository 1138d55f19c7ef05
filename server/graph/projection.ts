/**
 * PostgreSQL rows -> graph nodes and outgoing edges (seed 002 §3). Reads only the CURRENT rows,
 * so projecting an entity twice, or out of order, gives the same graph. sync.ts writes the result.
 *
 * CONFLICTS_WITH links the representatives of conflicting rule variants (ruleVariants.ts) and is
 * stored once, from the smaller id to the larger; RELATED_TO goes from an atom to a few older
 * atoms of the same value or name. `linked` lists every node an entity's edges depend on in both directions, so the sync can
 * recompute those neighbours when the entity changes or goes.
 */
import { createHash } from 'node:crypto';
import { stableStringify as stableJson } from '../../lib/util/stableStringify';
import type { Sql } from '../db/client';
import type { GraphEntityType } from '../db/repos/graphOutbox';
import type { EdgeSet, EdgeTarget, EdgeType, GraphNode, NodeLabel, Props } from './types';
import { RULE_KEYS, ruleVariants, variantConflict } from './ruleVariants';

/** Same-value or same-name atoms an atom links to, and how many candidates of each it looks at for them. */
const RELATED_LIMIT = 3;
const RELATED_WINDOW = 50;

export const LABEL_OF: Record<GraphEntityType, NodeLabel> = {
  atom: 'Atom', molecule: 'Molecule', document: 'Document', block: 'Block', domain: 'Domain',
};

/** The relationship types each label has as source. */
export const OUTGOING: Record<NodeLabel, EdgeType[]> = {
  Atom: ['PART_OF', 'APPEARS_IN', 'IN_DOMAIN', 'RELATED_TO'],
  Molecule: ['REQUIRES', 'CONFLICTS_WITH', 'APPEARS_IN', 'IN_DOMAIN'],
  Block: ['PART_OF_DOCUMENT'],
  Document: ['IN_DOMAIN'],
  Domain: [],
};

export interface EdgeProjection {
  edges: EdgeSet[];
  linked: Map<string, string[]>;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

const withoutNulls = (props: Props) => Object.fromEntries(Object.entries(props).filter(([, v]) => v !== null && v !== undefined));

/** SHA-256 of a node's label and props, top-level nulls dropped as the stores drop them. */
export function checksum(node: Pick<GraphNode, 'label' | 'props'>): string {
  return createHash('sha256').update(stableJson({ label: node.label, props: withoutNulls(node.props) })).digest('hex');
}

/** SHA-256 of an edge's props, the same way. */
export function edgeChecksum(props: Props | undefined): string {
  return createHash('sha256').update(stableJson(withoutNulls(props ?? {}))).digest('hex');
}

interface AtomRow {
  id: string; type: string; kind: string | null; text: string | null; number: string | null; boolean: boolean | null;
  date: Date | null; json: unknown; canonical: string | null; unit: string | null; name: string | null;
  confidence: number | null; source: string | null; version: number | null; domainId: string | null; domain: string | null;
  createdAt: Date; updatedAt: Date;
}

interface MoleculeRow {
  id: string; type: string; name: string | null; atomRoles: Array<{ atomId: string; role: string; order: number }>;
  configuration: Record<string, unknown> | null; enforcement: string | null; confidence: number | null; source: string | null;
  domainId: string | null; domain: string | null; createdAt: Date; updatedAt: Date;
}

function atomValue(row: AtomRow): unknown {
  if (row.text !== null) return row.text;
  if (row.number !== null) return Number(row.number);
  if (row.boolean !== null) return row.boolean;
  if (row.date !== null) return iso(row.date);
  return row.json;
}

const text = (value: unknown) => (typeof value === 'string' ? value : null);

async function atomRows(db: Sql, tenantId: string, ids: string[]): Promise<AtomRow[]> {
  const { rows } = await db.query<AtomRow>(
    `SELECT a.id, a.atom_type AS type, a.kind, a.text_value AS text, a.number_value::text AS number, a.boolean_value AS boolean,
            a.date_value AS date, a.json_value AS json, a.canonical, a.unit, a.name, a.confidence, a.source, a.version,
            a.domain_id AS "domainId", d.name AS domain, a.created_at AS "createdAt", a.updated_at AS "updatedAt"
       FROM atoms a LEFT JOIN domains d ON d.tenant_id = a.tenant_id AND d.id = a.domain_id
      WHERE a.tenant_id = $1 AND a.id = ANY($2::uuid[]) AND a.deleted_at IS NULL`,
    [tenantId, ids],
  );
  return rows;
}

async function moleculeRows(db: Sql, tenantId: string, ids: string[]): Promise<MoleculeRow[]> {
  const { rows } = await db.query<MoleculeRow>(
    `SELECT m.id, m.molecule_type AS type, m.name, m.atom_roles AS "atomRoles", m.configuration,
            m.enforcement_level AS enforcement, m.confidence, m.source, m.domain_id AS "domainId", d.name AS domain,
            m.created_at AS "createdAt", m.updated_at AS "updatedAt"
       FROM molecule_metadata m LEFT JOIN domains d ON d.tenant_id = m.tenant_id AND d.id = m.domain_id
      WHERE m.tenant_id = $1 AND m.id = ANY($2::uuid[]) AND m.deleted_at IS NULL`,
    [tenantId, ids],
  );
  return rows;
}

/** The nodes of those entities that exist (not deleted, not in the trash). */
export async function projectNodes(db: Sql, tenantId: string, type: GraphEntityType, ids: string[]): Promise<GraphNode[]> {
  if (ids.length === 0) return [];
  const label = LABEL_OF[type];
  const node = (id: string, props: Props): GraphNode => ({ label, id, props });
  if (type === 'atom') {
    return (await atomRows(db, tenantId, ids)).map((a) => node(a.id, {
      type: a.type, kind: a.kind, value: atomValue(a), canonical: a.canonical, unit: a.unit, name: a.name,
      confidence: a.confidence, source: a.source, version: a.version, domain: a.domain,
      createdAt: iso(a.createdAt), updatedAt: iso(a.updatedAt),
    }));
  }
  if (type === 'molecule') {
    return (await moleculeRows(db, tenantId, ids)).map((m) => node(m.id, {
      type: m.type, moleculeType: m.type, ruleType: text(m.configuration?.ruleType), name: m.name,
      condition: text(m.configuration?.condition), result: text(m.configuration?.result),
      configuration: m.configuration, enforcement: m.enforcement, confidence: m.confidence, source: m.source,
      domain: m.domain, createdAt: iso(m.createdAt), updatedAt: iso(m.updatedAt),
    }));
  }
  if (type === 'document') {
    // No updatedAt: every edit touches the document, and the graph would churn for nothing.
    const { rows } = await db.query<{ id: string; title: string | null; domain: string | null; createdAt: Date }>(
      `SELECT doc.id, doc.title, d.name AS domain, doc.created_at AS "createdAt"
         FROM documents doc LEFT JOIN domains d ON d.tenant_id = doc.tenant_id AND d.id = doc.domain_id
        WHERE doc.tenant_id = $1 AND doc.id = ANY($2::uuid[]) AND NOT doc.in_trash`,
      [tenantId, ids],
    );
    return rows.map((d) => node(d.id, { title: d.title, type: 'document', domain: d.domain, createdAt: iso(d.createdAt) }));
  }
  if (type === 'block') {
    const { rows } = await db.query<{ id: string; documentId: string; parentId: string | null; position: number; blockType: string; createdAt: Date }>(
      `SELECT b.id, b.document_id AS "documentId", b.parent_id AS "parentId", b.position, b.block_type AS "blockType",
              b.created_at AS "createdAt"
         FROM blocks b JOIN documents doc ON doc.tenant_id = b.tenant_id AND doc.id = b.document_id AND NOT doc.in_trash
        WHERE b.tenant_id = $1 AND b.id = ANY($2::uuid[])`,
      [tenantId, ids],
    );
    return rows.map((b) => node(b.id, {
      blockType: b.blockType, position: b.position, documentId: b.documentId, parentId: b.parentId, createdAt: iso(b.createdAt),
    }));
  }
  const { rows } = await db.query<{ id: string; name: string; path: string; description: string | null; createdAt: Date }>(
    `SELECT id, name, path, description, created_at AS "createdAt" FROM domains WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
    [tenantId, ids],
  );
  return rows.map((d) => node(d.id, { name: d.name, path: d.path, description: d.description, createdAt: iso(d.createdAt) }));
}

/** Every outgoing edge of those entities that exist, one entry per (source, type) even when empty. */
export async function projectEdges(db: Sql, tenantId: string, type: GraphEntityType, ids: string[]): Promise<EdgeProjection> {
  const result: EdgeProjection = { edges: [], linked: new Map() };
  if (ids.length === 0) return result;
  const targets = new Map<string, EdgeTarget[]>();
  const add = (sourceId: string, edgeType: EdgeType, target: EdgeTarget) => {
    const key = `${sourceId} ${edgeType}`;
    const list = targets.get(key);
    if (list) list.push(target);
    else targets.set(key, [target]);
  };
  const link = (id: string, other: string) => {
    const list = result.linked.get(id);
    if (list) list.push(other);
    else result.linked.set(id, [other]);
  };
  const finish = (present: Array<{ id: string }>) => {
    for (const { id } of present) {
      if (!result.linked.has(id)) result.linked.set(id, []);
      for (const edgeType of OUTGOING[LABEL_OF[type]]) result.edges.push({ sourceId: id, type: edgeType, targets: targets.get(`${id} ${edgeType}`) ?? [] });
    }
    return result;
  };

  if (type === 'atom') {
    const { rows: atoms } = await db.query<{ id: string; domainId: string | null }>(
      'SELECT id, domain_id AS "domainId" FROM atoms WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL',
      [tenantId, ids],
    );
    const present = atoms.map((a) => a.id);
    for (const a of atoms) if (a.domainId) add(a.id, 'IN_DOMAIN', { targetId: a.domainId });
    await appearances(db, tenantId, 'atom', present, add);
    // One GIN lookup per atom: with `atom_ids && $2` the planner cannot estimate a long array's
    // overlap and scans every molecule (2 s per batch at 20,000 molecules).
    const { rows: parts } = await db.query<{ atomId: string; moleculeId: string; role: string; order: number }>(
      `WITH hits AS MATERIALIZED (
         SELECT DISTINCT m.id, m.atom_roles FROM unnest($2::uuid[]) AS x(id)
           JOIN molecule_metadata m ON m.atom_ids @> ARRAY[x.id] AND m.tenant_id = $1 AND m.deleted_at IS NULL)
       SELECT r."atomId", h.id AS "moleculeId", r.role, r."order"
         FROM hits h, jsonb_to_recordset(h.atom_roles) AS r("atomId" uuid, role text, "order" int)
        WHERE r."atomId" = ANY($2::uuid[])`,
      [tenantId, present],
    );
    for (const p of parts) add(p.atomId, 'PART_OF', { targetId: p.moleculeId, props: { role: p.role, order: p.order } });
    // Same canonical value (and type and kind), or same name, in another document: each atom links to
    // the oldest few such atoms (RELATED_LIMIT), found by walking the value's (or name's) atoms
    // oldest first through an index. Linking every pair grew with the square of a value's
    // occurrences (an OR join no index served: 6.5 s on PGlite for the 120 atoms of 20 paragraphs).
    // Oldest first, so an atom added later never changes an existing atom's links; when a linked
    // atom goes, the atoms linking to it are found by their sync_state (reverse links, sync.ts).
    const { rows: related } = await db.query<{ atomId: string; otherId: string; sameValue: boolean }>(
      `WITH mine AS (
         SELECT a.id, a.canonical, a.atom_type, a.kind, lower(a.name) AS name, a.created_at,
                (SELECT an.document_id FROM annotations an WHERE an.tenant_id = $1 AND an.knowledge_type = 'atom'
                    AND an.knowledge_id = a.id AND an.status = 'anchored' ORDER BY an.created_at, an.id LIMIT 1) AS doc
           FROM atoms a WHERE a.tenant_id = $1 AND a.id = ANY($2::uuid[]) AND a.deleted_at IS NULL)
       SELECT m.id AS "atomId", r.id AS "otherId", r.same_value AS "sameValue"
         FROM mine m CROSS JOIN LATERAL (
           SELECT c.id, c.same_value FROM (
             SELECT DISTINCT ON (c.id) c.id, c.same_value, c.created_at FROM (
               (SELECT b.id, true AS same_value, b.created_at FROM atoms b
                 WHERE b.tenant_id = $1 AND b.canonical = m.canonical AND b.deleted_at IS NULL
                   AND (b.created_at, b.id) < (m.created_at, m.id) AND b.atom_type = m.atom_type AND b.kind IS NOT DISTINCT FROM m.kind
                 ORDER BY b.created_at, b.id LIMIT $3)
               UNION ALL
               (SELECT b.id, false, b.created_at FROM atoms b
                 WHERE m.name <> '' AND b.tenant_id = $1 AND lower(b.name) = m.name AND b.deleted_at IS NULL
                   AND (b.created_at, b.id) < (m.created_at, m.id)
                 ORDER BY lower(b.name), b.created_at, b.id LIMIT $3)) c
              -- OFFSET 0 keeps this a lookup by knowledge_id per candidate: as a semi join the planner
              -- scanned every atom annotation of the tenant for each (0.9 s for 200 atoms on PGlite).
              WHERE EXISTS (SELECT 1 FROM annotations y WHERE y.tenant_id = $1 AND y.knowledge_type = 'atom' AND y.knowledge_id = c.id
                               AND y.status = 'anchored' AND y.document_id <> m.doc OFFSET 0)
              ORDER BY c.id, c.same_value DESC) c
            ORDER BY c.same_value DESC, c.created_at, c.id LIMIT $4) r
        WHERE m.doc IS NOT NULL`,
      [tenantId, present, RELATED_WINDOW, RELATED_LIMIT],
    );
    for (const r of related) {
      link(r.atomId, r.otherId);
      add(r.atomId, 'RELATED_TO', { targetId: r.otherId, props: r.sameValue ? { type: 'same_value', strength: 1 } : { type: 'same_name', strength: 0.8 } });
    }
    return finish(atoms);
  }

  if (type === 'molecule') {
    const { rows: molecules } = await db.query<Pick<MoleculeRow, 'id' | 'type' | 'atomRoles' | 'enforcement' | 'domainId'> & RuleKeys>(
      `SELECT id, molecule_type AS type, atom_roles AS "atomRoles", enforcement_level AS enforcement, domain_id AS "domainId", ${RULE_KEYS}
         FROM molecule_metadata WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`,
      [tenantId, ids],
    );
    const present = molecules.map((m) => m.id);
    for (const m of molecules) {
      if (m.domainId) add(m.id, 'IN_DOMAIN', { targetId: m.domainId });
      for (const role of m.atomRoles) link(m.id, role.atomId);
      if (m.type !== 'RequiresMolecule') continue;
      for (const role of m.atomRoles) {
        if (role.role === 'condition' || role.role === 'subject') add(m.id, 'REQUIRES', { targetId: role.atomId, props: { type: 'prerequisite', enforcement: m.enforcement } });
      }
    }
    await appearances(db, tenantId, 'molecule', present, add);
    for (const c of await conflicts(db, tenantId, molecules)) {
      link(c.moleculeId, c.otherId);
      if (c.moleculeId < c.otherId) add(c.moleculeId, 'CONFLICTS_WITH', { targetId: c.otherId, props: { reason: c.reason, severity: c.severity } });
    }
    return finish(molecules);
  }

  if (type === 'block') {
    const blocks = await projectNodes(db, tenantId, 'block', ids);
    for (const b of blocks) add(b.id, 'PART_OF_DOCUMENT', { targetId: String(b.props.documentId) });
    return finish(blocks);
  }

  if (type === 'document') {
    const { rows } = await db.query<{ id: string; domainId: string | null }>(
      `SELECT id, domain_id AS "domainId" FROM documents WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND NOT in_trash`,
      [tenantId, ids],
    );
    for (const d of rows) if (d.domainId) add(d.id, 'IN_DOMAIN', { targetId: d.domainId });
    return finish(rows);
  }
  return finish(await projectNodes(db, tenantId, 'domain', ids));
}

/** APPEARS_IN: the anchored annotations of each atom or molecule, one edge per document. */
async function appearances(db: Sql, tenantId: string, kind: 'atom' | 'molecule', ids: string[],
  add: (sourceId: string, type: EdgeType, target: EdgeTarget) => void): Promise<void> {
  const { rows } = await db.query<{ id: string; documentId: string; blockId: string | null; start: number; end: number; confidence: number | null; source: string | null }>(
    `SELECT an.knowledge_id AS id, an.document_id AS "documentId", an.block_id AS "blockId", an.start_offset AS start,
            an.end_offset AS "end", an.confidence, an.source
       FROM annotations an JOIN documents doc ON doc.tenant_id = an.tenant_id AND doc.id = an.document_id AND NOT doc.in_trash
      WHERE an.tenant_id = $1 AND an.knowledge_type = $2 AND an.knowledge_id = ANY($3::uuid[]) AND an.status = 'anchored'
      ORDER BY an.knowledge_id, an.document_id, an.block_id, an.start_offset, an.end_offset`,
    [tenantId, kind, ids],
  );
  const grouped = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.id} ${row.documentId}`;
    const list = grouped.get(key);
    if (list) list.push(row);
    else grouped.set(key, [row]);
  }
  for (const spans of grouped.values()) {
    const [first] = spans;
    add(first.id, 'APPEARS_IN', {
      targetId: first.documentId,
      props: {
        spans: spans.map((s) => ({ blockId: s.blockId, start: s.start, end: s.end })),
        blockId: first.blockId,
        confidence: Math.max(...spans.map((s) => s.confidence ?? 1)),
        source: first.source,
      },
    });
  }
}

interface RuleKeys {
  id: string;
  conditionKey: string | null;
  resultKey: string;
}

/**
 * CONFLICTS_WITH between the representatives of conflicting variants of a group (ruleVariants.ts):
 * a rule that is not its variant's representative has no conflict edges of its own, so a group's
 * edges grow with its variants, not its rules. Both ends are linked, so either one's change
 * re-projects the other.
 */
async function conflicts(db: Sql, tenantId: string, molecules: RuleKeys[]) {
  const groups = await ruleVariants(db, tenantId, molecules.flatMap((m) => (m.conditionKey ? [m.conditionKey] : [])));
  return molecules.flatMap((molecule) => {
    const variants = molecule.conditionKey ? groups.get(molecule.conditionKey) ?? [] : [];
    const own = variants.find((variant) => variant.representative === molecule.id);
    if (!own) return [];
    return variants.flatMap((other) => {
      const [a, b] = molecule.id < other.representative ? [own, other] : [other, own];
      const conflict = variantConflict(a, b);
      return conflict ? [{ moleculeId: molecule.id, otherId: other.representative, ...conflict }] : [];
    });
  });
}
