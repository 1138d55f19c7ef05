/**
 * PostgreSQL rows -> graph nodes and outgoing edges (seed 002 §3). Reads only the CURRENT rows,
 * so projecting an entity twice, or out of order, gives the same graph. sync.ts writes the result.
 *
 * Symmetric links (RELATED_TO, CONFLICTS_WITH) are stored once, from the smaller id to the larger.
 * `linked` lists every node an entity's edges depend on in both directions, so the sync can
 * recompute those neighbours when the entity changes or goes.
 */
import { createHash } from 'node:crypto';
import type { Sql } from '../db/client';
import type { GraphEntityType } from '../db/repos/graphOutbox';
import type { EdgeSet, EdgeTarget, EdgeType, GraphNode, NodeLabel, Props } from './types';

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

/** Keys sorted at every level, so both stores' read-back props hash the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

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
       FROM atoms a LEFT JOIN domains d ON d.id = a.domain_id
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
       FROM molecule_metadata m LEFT JOIN domains d ON d.id = m.domain_id
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
         FROM documents doc LEFT JOIN domains d ON d.id = doc.domain_id
        WHERE doc.tenant_id = $1 AND doc.id = ANY($2::uuid[]) AND NOT doc.in_trash`,
      [tenantId, ids],
    );
    return rows.map((d) => node(d.id, { title: d.title, type: 'document', domain: d.domain, createdAt: iso(d.createdAt) }));
  }
  if (type === 'block') {
    const { rows } = await db.query<{ id: string; documentId: string; parentId: string | null; position: number; blockType: string; createdAt: Date }>(
      `SELECT b.id, b.document_id AS "documentId", b.parent_id AS "parentId", b.position, b.block_type AS "blockType",
              b.created_at AS "createdAt"
         FROM blocks b JOIN documents doc ON doc.id = b.document_id AND NOT doc.in_trash
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
    targets.set(key, [...(targets.get(key) ?? []), target]);
  };
  const link = (id: string, other: string) => result.linked.set(id, [...(result.linked.get(id) ?? []), other]);
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
    // Same canonical value (and type and kind), or same name, in another document.
    const { rows: related } = await db.query<{ atomId: string; otherId: string; sameValue: boolean }>(
      `SELECT a.id AS "atomId", b.id AS "otherId",
              (b.canonical = a.canonical AND b.atom_type = a.atom_type AND b.kind IS NOT DISTINCT FROM a.kind) AS "sameValue"
         FROM atoms a JOIN atoms b ON b.tenant_id = a.tenant_id AND b.id <> a.id AND b.deleted_at IS NULL
              AND ((b.canonical = a.canonical AND b.atom_type = a.atom_type AND b.kind IS NOT DISTINCT FROM a.kind)
                   OR (a.name <> '' AND lower(b.name) = lower(a.name)))
        WHERE a.tenant_id = $1 AND a.id = ANY($2::uuid[]) AND a.deleted_at IS NULL
          AND EXISTS (SELECT 1 FROM annotations x JOIN annotations y ON y.tenant_id = x.tenant_id AND y.document_id <> x.document_id
                       WHERE x.tenant_id = $1 AND x.knowledge_type = 'atom' AND x.knowledge_id = a.id
                         AND y.knowledge_type = 'atom' AND y.knowledge_id = b.id AND x.status = 'anchored' AND y.status = 'anchored')`,
      [tenantId, present],
    );
    for (const r of related) {
      link(r.atomId, r.otherId);
      if (r.atomId < r.otherId) {
        add(r.atomId, 'RELATED_TO', { targetId: r.otherId, props: r.sameValue ? { type: 'same_value', strength: 1 } : { type: 'same_name', strength: 0.8 } });
      }
    }
    return finish(atoms);
  }

  if (type === 'molecule') {
    const { rows: molecules } = await db.query<Pick<MoleculeRow, 'id' | 'type' | 'atomRoles' | 'enforcement' | 'domainId'>>(
      `SELECT id, molecule_type AS type, atom_roles AS "atomRoles", enforcement_level AS enforcement, domain_id AS "domainId"
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
    for (const c of await conflicts(db, tenantId, present)) {
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
       FROM annotations an JOIN documents doc ON doc.id = an.document_id AND NOT doc.in_trash
      WHERE an.tenant_id = $1 AND an.knowledge_type = $2 AND an.knowledge_id = ANY($3::uuid[]) AND an.status = 'anchored'
      ORDER BY an.knowledge_id, an.document_id, an.block_id, an.start_offset, an.end_offset`,
    [tenantId, kind, ids],
  );
  const grouped = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.id} ${row.documentId}`;
    grouped.set(key, [...(grouped.get(key) ?? []), row]);
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

interface Part {
  field: string;
  op: string;
  value: unknown;
}

const parts = (value: unknown): Part[] => (Array.isArray(value) ? value.filter((p): p is Part => typeof p?.field === 'string') : []);

/**
 * Two live molecules of the tenant with the same conditions (the same set of field/op/value) whose
 * results give one field different values, e.g. Quebec's withholding rate is 10% in one document
 * and 12% in another.
 */
async function conflicts(db: Sql, tenantId: string, ids: string[]) {
  const { rows } = await db.query<{
    moleculeId: string; otherId: string; results: unknown; otherResults: unknown; enforcement: string | null; otherEnforcement: string | null;
    canonicals: string[]; otherCanonicals: string[];
  }>(
    `WITH pairs AS (
       SELECT a.id AS "moleculeId", b.id AS "otherId", a.configuration->'results' AS results, b.configuration->'results' AS "otherResults",
              a.enforcement_level AS enforcement, b.enforcement_level AS "otherEnforcement", a.atom_roles AS roles, b.atom_roles AS "otherRoles"
         FROM molecule_metadata a JOIN molecule_metadata b ON b.tenant_id = a.tenant_id AND b.id <> a.id AND b.deleted_at IS NULL
              AND (b.configuration->'conditions') @> (a.configuration->'conditions')
              AND (a.configuration->'conditions') @> (b.configuration->'conditions')
        WHERE a.tenant_id = $1 AND a.id = ANY($2::uuid[]) AND a.deleted_at IS NULL
          AND jsonb_typeof(a.configuration->'conditions') = 'array' AND jsonb_array_length(a.configuration->'conditions') > 0)
     SELECT p."moleculeId", p."otherId", p.results, p."otherResults", p.enforcement, p."otherEnforcement",
            ARRAY(SELECT at.canonical FROM jsonb_to_recordset(p.roles) r("atomId" uuid, role text, "order" int)
                    JOIN atoms at ON at.id = r."atomId" WHERE r.role = 'result' ORDER BY r."order") AS canonicals,
            ARRAY(SELECT at.canonical FROM jsonb_to_recordset(p."otherRoles") r("atomId" uuid, role text, "order" int)
                    JOIN atoms at ON at.id = r."atomId" WHERE r.role = 'result' ORDER BY r."order") AS "otherCanonicals"
       FROM pairs p`,
    [tenantId, ids],
  );
  return rows.flatMap((row) => {
    const mine = parts(row.results);
    const theirs = parts(row.otherResults);
    const shown = (list: Part[], canonicals: string[], i: number) => canonicals.length === list.length ? canonicals[i] : String(list[i].value);
    for (const [i, part] of mine.entries()) {
      const j = theirs.findIndex((other) => other.field === part.field && other.op === part.op);
      if (j < 0 || stableJson(theirs[j].value) === stableJson(part.value)) continue;
      const [a, b] = row.moleculeId < row.otherId
        ? [shown(mine, row.canonicals, i), shown(theirs, row.otherCanonicals, j)]
        : [shown(theirs, row.otherCanonicals, j), shown(mine, row.canonicals, i)];
      const severity = row.enforcement === 'block' || row.otherEnforcement === 'block' ? 'high' : 'medium';
      return [{ moleculeId: row.moleculeId, otherId: row.otherId, reason: `same condition, different ${part.field}: ${a} vs ${b}`, severity }];
    }
    return [];
  });
}
