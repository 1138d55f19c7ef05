/**
 * Writes one block's extraction: atoms (seed 002's polymorphic value columns), molecules
 * (molecule_metadata with atom_ids and configuration) and their standoff annotations, following
 * the reconcile plan so re-extraction keeps ids and never duplicates. Value changes become new
 * atom versions and knowledge_events rows. Manual annotations are re-anchored, or orphaned.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/client';
import { recordChange } from '../db/repos/graphOutbox';
import { reanchor, selectorAt } from './anchor';
import { plan, type StoredAtom, type StoredMolecule } from './reconcile';
import type { AtomValue, Extraction, ExtractedAtom, ExtractedMolecule } from './types';

export interface BlockScope {
  tenantId: string;
  documentId: string;
  blockId: string;
  domainId: string | null;
  text: string;
}

export interface StoreSummary {
  created: number;
  versioned: number;
  removed: number;
  kept: number;
  orphaned: number;
}

function valueColumns(value: AtomValue): [string | null, number | null, boolean | null, string | null, string | null] {
  if ('text' in value) return [value.text, null, null, null, null];
  if ('number' in value) return [null, value.number, null, null, null];
  if ('boolean' in value) return [null, null, value.boolean, null, null];
  // date_value is a timestamp: a year alone ("In 2026, …") has no day, so only its canonical
  // "2026" holds it. (Storing "2026" failed the insert and with it the document's extraction.)
  if ('date' in value) return [null, null, null, /^\d{4}-\d{2}-\d{2}/.test(value.date) ? value.date : null, null];
  return [null, null, null, null, JSON.stringify(value.json)];
}

async function insertAtom(db: Sql, scope: BlockScope, atom: ExtractedAtom, previous: StoredAtom | null): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO atoms (tenant_id, domain_id, atom_type, kind, text_value, number_value, boolean_value, date_value,
                        json_value, canonical, unit, name, confidence, source, version, previous_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, 'ai_extracted', $14, $15)
     RETURNING id`,
    [
      scope.tenantId, scope.domainId, atom.type, atom.kind, ...valueColumns(atom.value), atom.canonical,
      atom.unit ?? null, atom.name.slice(0, 255), atom.confidence, previous ? previous.version + 1 : 1, previous?.atomId ?? null,
    ],
  );
  return rows[0].id;
}

async function insertAnnotation(
  db: Sql,
  scope: BlockScope,
  span: { start: number; end: number; confidence: number },
  knowledge: { type: 'atom' | 'molecule'; id: string },
): Promise<void> {
  const selector = selectorAt(scope.text, span.start, span.end);
  await db.query(
    `INSERT INTO annotations (tenant_id, document_id, block_id, start_offset, end_offset, quote, prefix, suffix,
                              knowledge_type, knowledge_id, layer, confidence, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $11, 'ai_extracted')`,
    [scope.tenantId, scope.documentId, scope.blockId, span.start, span.end, selector.quote, selector.prefix, selector.suffix,
      knowledge.type, knowledge.id, span.confidence],
  );
}

async function moveAnnotation(db: Sql, scope: BlockScope, annotationId: string, span: { start: number; end: number }, knowledgeId?: string) {
  const selector = selectorAt(scope.text, span.start, span.end);
  await db.query(
    `UPDATE annotations SET start_offset = $2, end_offset = $3, quote = $4, prefix = $5, suffix = $6,
            knowledge_id = COALESCE($7, knowledge_id), status = 'anchored', updated_at = NOW()
      WHERE id = $1`,
    [annotationId, span.start, span.end, selector.quote, selector.prefix, selector.suffix, knowledgeId ?? null],
  );
}

async function event(db: Sql, tenantId: string, type: string, aggregate: 'atom' | 'molecule', id: string, data: object) {
  await db.query(
    `INSERT INTO knowledge_events (tenant_id, event_type, aggregate_type, aggregate_id, event_data) VALUES ($1, $2, $3, $4, $5)`,
    [tenantId, type, aggregate, id, JSON.stringify(data)],
  );
}

/** Where a stored annotation is: enough to tell whether re-extraction moved it. */
interface Placed {
  start: number;
  end: number;
  quote: string;
  prefix: string;
  suffix: string;
}
const PLACE = `an.end_offset AS "end", an.quote, COALESCE(an.prefix, '') AS prefix, COALESCE(an.suffix, '') AS suffix`;

/** Moves the annotation to the span unless it is already there; true when it moved. */
async function place(db: Sql, scope: BlockScope, annotationId: string, stored: Placed, span: { start: number; end: number }): Promise<boolean> {
  const selector = selectorAt(scope.text, span.start, span.end);
  const same = stored.start === span.start && stored.end === span.end && stored.quote === selector.quote
    && stored.prefix === selector.prefix && stored.suffix === selector.suffix;
  if (same) return false;
  await moveAnnotation(db, scope, annotationId, span);
  return true;
}

interface ManualAnnotation {
  id: string;
  start: number;
  end: number;
  quote: string;
  prefix: string;
  suffix: string;
  status: string;
  knowledgeType: 'atom' | 'molecule';
  knowledgeId: string;
}

/** What a block holds before it is stored again: extracted atoms and rules, and manual annotations. */
export interface StoredKnowledge {
  atoms: Array<StoredAtom & Placed & { confidence: number | null }>;
  molecules: Array<StoredMolecule & Placed>;
  manual: ManualAnnotation[];
}

/** What a block without annotations holds. */
export const nothingStored = (): StoredKnowledge => ({ atoms: [], molecules: [], manual: [] });

/** What each of the blocks holds, in three queries whatever their number (a job stores many). */
export async function storedKnowledge(db: Sql, tenantId: string, blockIds: string[]): Promise<Map<string, StoredKnowledge>> {
  const { rows: atoms } = await db.query<StoredKnowledge['atoms'][number] & { blockId: string }>(
    `SELECT an.block_id AS "blockId", a.id AS "atomId", an.id AS "annotationId", a.atom_type AS type, a.kind, a.name,
            a.canonical, an.start_offset AS start, a.version, ${PLACE}, a.confidence
       FROM annotations an JOIN atoms a ON a.tenant_id = an.tenant_id AND a.id = an.knowledge_id
      WHERE an.tenant_id = $1 AND an.block_id = ANY($2::uuid[]) AND an.knowledge_type = 'atom' AND an.source <> 'manual'`,
    [tenantId, blockIds],
  );
  const { rows: molecules } = await db.query<StoredKnowledge['molecules'][number] & { blockId: string }>(
    `SELECT an.block_id AS "blockId", m.id AS "moleculeId", an.id AS "annotationId", m.molecule_type AS type, m.name,
            an.start_offset AS start, ${PLACE}
       FROM annotations an JOIN molecule_metadata m ON m.tenant_id = an.tenant_id AND m.id = an.knowledge_id
      WHERE an.tenant_id = $1 AND an.block_id = ANY($2::uuid[]) AND an.knowledge_type = 'molecule' AND an.source <> 'manual'`,
    [tenantId, blockIds],
  );
  const { rows: manual } = await db.query<ManualAnnotation & { blockId: string }>(
    `SELECT block_id AS "blockId", id, start_offset AS start, end_offset AS "end", quote, COALESCE(prefix, '') AS prefix,
            COALESCE(suffix, '') AS suffix, status, knowledge_type AS "knowledgeType", knowledge_id AS "knowledgeId"
       FROM annotations WHERE tenant_id = $1 AND block_id = ANY($2::uuid[]) AND source = 'manual'`,
    [tenantId, blockIds],
  );
  const byBlock = new Map<string, StoredKnowledge>(blockIds.map((id) => [id, nothingStored()]));
  for (const row of atoms) byBlock.get(row.blockId)?.atoms.push(row);
  for (const row of molecules) byBlock.get(row.blockId)?.molecules.push(row);
  for (const row of manual) byBlock.get(row.blockId)?.manual.push(row);
  return byBlock;
}

const summaryOf = (value: AtomValue) => ('json' in value ? { json: value.json } : value);

/** `stored` is what storedKnowledge read for the block in this transaction; read here when omitted. */
export async function storeBlockExtraction(db: Sql, scope: BlockScope, extraction: Extraction, stored?: StoredKnowledge): Promise<StoreSummary> {
  stored ??= (await storedKnowledge(db, scope.tenantId, [scope.blockId])).get(scope.blockId) ?? nothingStored();
  const steps = plan(extraction, stored);
  const summary: StoreSummary = { created: 0, versioned: 0, removed: 0, kept: 0, orphaned: 0 };
  const atomIds: string[] = [];
  const createdMolecules: string[] = [];
  // Kept atoms and rules that moved or changed: their graph nodes and APPEARS_IN edges follow.
  const changedAtoms: string[] = [];
  const changedMolecules: string[] = [];

  for (const step of steps.atoms) {
    const atom = extraction.atoms[step.index];
    if (step.op === 'keep') {
      // Most atoms of an edited block are where they were: nothing to write for them.
      const { stored } = step;
      atomIds[step.index] = stored.atomId;
      const moved = await place(db, scope, stored.annotationId, stored, atom);
      const confidence = stored.confidence !== atom.confidence;
      if (confidence) await db.query('UPDATE atoms SET confidence = $2 WHERE id = $1', [stored.atomId, atom.confidence]);
      if (moved || confidence) changedAtoms.push(stored.atomId);
      summary.kept++;
    } else if (step.op === 'version') {
      const id = await insertAtom(db, scope, atom, step.stored);
      atomIds[step.index] = id;
      await db.query('UPDATE atoms SET deleted_at = NOW(), updated_at = NOW() WHERE id = $1', [step.stored.atomId]);
      await moveAnnotation(db, scope, step.stored.annotationId, atom, id);
      await event(db, scope.tenantId, 'AtomVersioned', 'atom', id, {
        previousVersion: step.stored.atomId, version: step.stored.version + 1, from: step.stored.canonical, to: atom.canonical,
        value: summaryOf(atom.value), blockId: scope.blockId, documentId: scope.documentId,
      });
      summary.versioned++;
    } else {
      const id = await insertAtom(db, scope, atom, null);
      atomIds[step.index] = id;
      await insertAnnotation(db, scope, atom, { type: 'atom', id });
      await event(db, scope.tenantId, 'AtomCreated', 'atom', id, {
        type: atom.type, canonical: atom.canonical, name: atom.name, value: summaryOf(atom.value), blockId: scope.blockId, documentId: scope.documentId,
      });
      summary.created++;
    }
  }
  for (const gone of steps.removedAtoms) {
    await db.query('UPDATE atoms SET deleted_at = NOW(), updated_at = NOW() WHERE id = $1', [gone.atomId]);
    await db.query('DELETE FROM annotations WHERE id = $1', [gone.annotationId]);
    await event(db, scope.tenantId, 'AtomDeleted', 'atom', gone.atomId, { canonical: gone.canonical, blockId: scope.blockId, documentId: scope.documentId });
    summary.removed++;
  }

  for (const step of steps.molecules) {
    const molecule = extraction.molecules[step.index];
    const columns = moleculeColumns(molecule, atomIds);
    if (step.op === 'keep') {
      const { stored } = step;
      const { rowCount } = await db.query(
        `UPDATE molecule_metadata SET atom_ids = $2::uuid[], atom_roles = $3::jsonb, configuration = $4::jsonb,
                enforcement_level = $5, confidence = $6, updated_at = NOW()
          WHERE id = $1 AND (atom_ids, atom_roles, configuration, enforcement_level, confidence)
                IS DISTINCT FROM ($2::uuid[], $3::jsonb, $4::jsonb, $5, $6)`,
        [stored.moleculeId, ...columns],
      );
      const moved = await place(db, scope, stored.annotationId, stored, molecule);
      if (rowCount > 0 || moved) changedMolecules.push(stored.moleculeId);
    } else {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO molecule_metadata (tenant_id, domain_id, molecule_type, name, atom_ids, atom_roles, configuration,
                                        enforcement_level, confidence, source)
         VALUES ($1, $2, $3, $4, $5::uuid[], $6::jsonb, $7::jsonb, $8, $9, 'ai_extracted') RETURNING id`,
        [scope.tenantId, scope.domainId, molecule.type, molecule.name.slice(0, 255), ...columns],
      );
      createdMolecules.push(rows[0].id);
      await insertAnnotation(db, scope, molecule, { type: 'molecule', id: rows[0].id });
      await event(db, scope.tenantId, 'MoleculeCreated', 'molecule', rows[0].id, { type: molecule.type, name: molecule.name, blockId: scope.blockId });
    }
  }
  for (const gone of steps.removedMolecules) {
    await db.query('UPDATE molecule_metadata SET deleted_at = NOW(), updated_at = NOW() WHERE id = $1', [gone.moleculeId]);
    await db.query('DELETE FROM annotations WHERE id = $1', [gone.annotationId]);
    await event(db, scope.tenantId, 'MoleculeDeleted', 'molecule', gone.moleculeId, { blockId: scope.blockId });
  }

  summary.orphaned = await reanchorManual(db, scope, stored.manual);
  // The graph hears of new, versioned and removed knowledge, and of kept knowledge that moved.
  await recordChange(db, scope.tenantId, 'atom', [
    ...steps.atoms.flatMap((step) => (step.op === 'create' ? [atomIds[step.index]] : step.op === 'version' ? [atomIds[step.index], step.stored.atomId] : [])),
    ...changedAtoms, ...steps.removedAtoms.map((gone) => gone.atomId),
  ]);
  await recordChange(db, scope.tenantId, 'molecule', [
    ...changedMolecules, ...createdMolecules, ...steps.removedMolecules.map((gone) => gone.moleculeId),
  ]);
  return summary;
}

function moleculeColumns(molecule: ExtractedMolecule, atomIds: string[]) {
  const refs = molecule.atoms.filter((ref) => atomIds[ref.atom]);
  return [
    refs.map((ref) => atomIds[ref.atom]),
    JSON.stringify(refs.map((ref) => ({ atomId: atomIds[ref.atom], role: ref.role, order: ref.order }))),
    JSON.stringify(molecule.configuration),
    molecule.enforcement,
    molecule.confidence,
  ] as const;
}

/** Manual annotations of the block follow their text; returns how many are now orphaned. */
async function reanchorManual(db: Sql, scope: BlockScope, rows: ManualAnnotation[]): Promise<number> {
  let orphaned = 0;
  const moved: ManualAnnotation[] = [];
  for (const row of rows) {
    if (row.status === 'anchored' && scope.text.slice(row.start, row.end) === row.quote) {
      // Unchanged place; refresh the context only if it changed.
      const fresh = selectorAt(scope.text, row.start, row.end);
      if (fresh.prefix !== row.prefix || fresh.suffix !== row.suffix) await moveAnnotation(db, scope, row.id, row);
      continue;
    }
    moved.push(row);
    const span = reanchor(row, scope.text);
    if (span) await moveAnnotation(db, scope, row.id, span);
    else {
      orphaned++;
      if (row.status !== 'orphaned') await db.query(`UPDATE annotations SET status = 'orphaned', updated_at = NOW() WHERE id = $1`, [row.id]);
    }
  }
  // Their spans in the graph (APPEARS_IN) follow.
  for (const type of ['atom', 'molecule'] as const) {
    await recordChange(db, scope.tenantId, type, moved.filter((row) => row.knowledgeType === type).map((row) => row.knowledgeId));
  }
  return orphaned;
}

/** A block was deleted: its extracted knowledge goes, its manual annotations are orphaned. */
export async function removeBlockKnowledge(db: Sql, tenantId: string, blockId: string): Promise<void> {
  // Every atom and molecule annotated in the block, manual ones included: their APPEARS_IN go.
  const { rows: knowledge } = await db.query<{ type: string; id: string }>(
    'SELECT DISTINCT knowledge_type AS type, knowledge_id AS id FROM annotations WHERE tenant_id = $1 AND block_id = $2',
    [tenantId, blockId],
  );
  await db.query(
    `UPDATE atoms SET deleted_at = NOW(), updated_at = NOW()
      WHERE id IN (SELECT knowledge_id FROM annotations WHERE tenant_id = $1 AND block_id = $2
                      AND knowledge_type = 'atom' AND source <> 'manual')`,
    [tenantId, blockId],
  );
  await db.query(
    `UPDATE molecule_metadata SET deleted_at = NOW(), updated_at = NOW()
      WHERE id IN (SELECT knowledge_id FROM annotations WHERE tenant_id = $1 AND block_id = $2
                      AND knowledge_type = 'molecule' AND source <> 'manual')`,
    [tenantId, blockId],
  );
  await db.query(`DELETE FROM annotations WHERE tenant_id = $1 AND block_id = $2 AND source <> 'manual'`, [tenantId, blockId]);
  await db.query(`UPDATE annotations SET status = 'orphaned', updated_at = NOW() WHERE tenant_id = $1 AND block_id = $2 AND status <> 'orphaned'`, [tenantId, blockId]);
  await db.query('DELETE FROM block_extractions WHERE block_id = $1', [blockId]);
  await recordChange(db, tenantId, 'atom', knowledge.filter((row) => row.type === 'atom').map((row) => row.id));
  await recordChange(db, tenantId, 'molecule', knowledge.filter((row) => row.type === 'molecule').map((row) => row.id));
}

/** A block that holds nothing yet (no annotation of any kind), with what the extractor found in it. */
export interface NewBlock {
  blockId: string;
  text: string;
  extraction: Extraction;
}

/**
 * Stores blocks that hold nothing yet: every atom and rule in them is new, so their rows go in
 * five multi-row statements (atoms, rules, annotations, events, outbox) whatever their number,
 * ids made here. One statement per row was ~30 statements a handbook paragraph: 27 ms each
 * paragraph on PGlite, 2.7 s for a chunk of 100 while the database answered nobody else.
 */
export async function storeNewBlocks(
  db: Sql,
  scope: { tenantId: string; documentId: string; domainId: string | null },
  blocks: NewBlock[],
): Promise<StoreSummary[]> {
  const atoms: object[] = [];
  const molecules: object[] = [];
  const annotations: object[] = [];
  const events: object[] = [];
  const outbox: Array<{ type: 'atom' | 'molecule'; id: string }> = [];
  const summaries = blocks.map(({ blockId, text, extraction }) => {
    const annotate = (span: { start: number; end: number; confidence: number }, type: 'atom' | 'molecule', id: string) => {
      const selector = selectorAt(text, span.start, span.end);
      annotations.push({ block_id: blockId, start_offset: span.start, end_offset: span.end, ...selector, knowledge_type: type, knowledge_id: id, confidence: span.confidence });
    };
    const atomIds = extraction.atoms.map((atom) => {
      const id = randomUUID();
      const [textValue, numberValue, booleanValue, dateValue, json] = valueColumns(atom.value);
      atoms.push({
        id, atom_type: atom.type, kind: atom.kind, text_value: textValue, number_value: numberValue, boolean_value: booleanValue,
        date_value: dateValue, json_value: json === null ? null : JSON.parse(json), canonical: atom.canonical, unit: atom.unit ?? null,
        name: atom.name.slice(0, 255), confidence: atom.confidence,
      });
      annotate(atom, 'atom', id);
      outbox.push({ type: 'atom', id });
      events.push({ type: 'AtomCreated', aggregate: 'atom', id, data: {
        type: atom.type, canonical: atom.canonical, name: atom.name, value: summaryOf(atom.value), blockId, documentId: scope.documentId,
      } });
      return id;
    });
    for (const molecule of extraction.molecules) {
      const id = randomUUID();
      const refs = molecule.atoms.filter((ref) => atomIds[ref.atom]);
      molecules.push({
        id, type: molecule.type, name: molecule.name.slice(0, 255), atom_ids: refs.map((ref) => atomIds[ref.atom]),
        atom_roles: refs.map((ref) => ({ atomId: atomIds[ref.atom], role: ref.role, order: ref.order })),
        configuration: molecule.configuration, enforcement: molecule.enforcement, confidence: molecule.confidence,
      });
      annotate(molecule, 'molecule', id);
      outbox.push({ type: 'molecule', id });
      events.push({ type: 'MoleculeCreated', aggregate: 'molecule', id, data: { type: molecule.type, name: molecule.name, blockId } });
    }
    return { created: extraction.atoms.length, versioned: 0, removed: 0, kept: 0, orphaned: 0 };
  });
  const { tenantId, documentId, domainId } = scope;
  if (atoms.length > 0) {
    await db.query(
      `INSERT INTO atoms (id, tenant_id, domain_id, atom_type, kind, text_value, number_value, boolean_value, date_value,
                          json_value, canonical, unit, name, confidence, source, version)
       SELECT r.id, $1, $2, r.atom_type, r.kind, r.text_value, r.number_value, r.boolean_value, r.date_value, r.json_value,
              r.canonical, r.unit, r.name, r.confidence, 'ai_extracted', 1
         FROM jsonb_to_recordset($3::jsonb) AS r(id uuid, atom_type text, kind text, text_value text, number_value numeric,
              boolean_value boolean, date_value timestamptz, json_value jsonb, canonical text, unit text, name text, confidence float8)`,
      [tenantId, domainId, JSON.stringify(atoms)],
    );
  }
  if (molecules.length > 0) {
    await db.query(
      `INSERT INTO molecule_metadata (id, tenant_id, domain_id, molecule_type, name, atom_ids, atom_roles, configuration,
                                      enforcement_level, confidence, source)
       SELECT r.id, $1, $2, r.type, r.name, ARRAY(SELECT jsonb_array_elements_text(r.atom_ids))::uuid[], r.atom_roles,
              r.configuration, r.enforcement, r.confidence, 'ai_extracted'
         FROM jsonb_to_recordset($3::jsonb) AS r(id uuid, type text, name text, atom_ids jsonb, atom_roles jsonb,
              configuration jsonb, enforcement text, confidence float8)`,
      [tenantId, domainId, JSON.stringify(molecules)],
    );
  }
  if (annotations.length === 0) return summaries;
  await db.query(
    `INSERT INTO annotations (tenant_id, document_id, block_id, start_offset, end_offset, quote, prefix, suffix,
                              knowledge_type, knowledge_id, layer, confidence, source)
     SELECT $1, $2, r.block_id, r.start_offset, r.end_offset, r.quote, r.prefix, r.suffix, r.knowledge_type, r.knowledge_id,
            r.knowledge_type, r.confidence, 'ai_extracted'
       FROM jsonb_to_recordset($3::jsonb) AS r(block_id uuid, start_offset int, end_offset int, quote text, prefix text,
            suffix text, knowledge_type text, knowledge_id uuid, confidence float8)`,
    [tenantId, documentId, JSON.stringify(annotations)],
  );
  await db.query(
    `INSERT INTO knowledge_events (tenant_id, event_type, aggregate_type, aggregate_id, event_data)
     SELECT $1, r.type, r.aggregate, r.id, r.data FROM jsonb_to_recordset($2::jsonb) AS r(type text, aggregate text, id uuid, data jsonb)`,
    [tenantId, JSON.stringify(events)],
  );
  await db.query(
    `INSERT INTO graph_outbox (tenant_id, entity_type, entity_id)
     SELECT $1, r.type, r.id FROM jsonb_to_recordset($2::jsonb) AS r(type text, id uuid)`,
    [tenantId, JSON.stringify(outbox)],
  );
  return summaries;
}
