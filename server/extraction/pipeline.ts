/**
 * One extraction job: the blocks of a document whose text changed since they were last
 * extracted (block_extractions holds a hash per block) go through the extractor, one
 * transaction per block; knowledge of deleted blocks is removed. Safe to run again at any
 * point: a block is marked extracted in the same transaction that stores its knowledge.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../db/client';
import { BlockRepository, type BlockRow } from '../db/repos/blocks';
import { blockText, tableCells } from '@/lib/blocks/text';
import { removeBlockKnowledge, storeBlockExtraction, type StoreSummary } from './store';
import type { Extraction, Extractor } from './types';

/** Code is not prose: numbers in it are not knowledge. */
const SKIPPED_TYPES = new Set(['code', 'divider', 'image', 'file']);
const HEADINGS = new Set(['heading_1', 'heading_2', 'heading_3']);

export interface DocumentRunSummary extends StoreSummary {
  blocksExtracted: number;
  blocksSkipped: number;
  blocksRemoved: number;
}

/** Blocks in reading order: depth first, by position. */
function readingOrder(blocks: BlockRow[]): BlockRow[] {
  const children = new Map<string | null, BlockRow[]>();
  for (const block of blocks) {
    const list = children.get(block.parentId) ?? [];
    list.push(block);
    children.set(block.parentId, list);
  }
  const out: BlockRow[] = [];
  const visit = (parent: string | null) => {
    for (const block of (children.get(parent) ?? []).sort((a, b) => a.position - b.position)) {
      out.push(block);
      visit(block.id);
    }
  };
  visit(null);
  return out;
}

/** Offsets that do not match the text are dropped rather than stored wrong. */
function validSpans(extraction: Extraction, text: string): Extraction {
  const ok = (s: { start: number; end: number; quote: string }) =>
    Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.end <= text.length && s.start < s.end && text.slice(s.start, s.end) === s.quote;
  const index = new Map<number, number>();
  const atoms: Extraction['atoms'] = [];
  extraction.atoms.forEach((atom, i) => {
    if (!ok(atom)) return;
    index.set(i, atoms.length);
    atoms.push(atom);
  });
  const molecules = extraction.molecules.filter(ok).map((molecule) => ({
    ...molecule,
    atoms: molecule.atoms.flatMap((ref) => {
      const atom = index.get(ref.atom);
      return atom === undefined ? [] : [{ ...ref, atom }];
    }),
  }));
  return { atoms, molecules };
}

export async function extractDocument(
  db: Database,
  extractor: Extractor,
  tenantId: string,
  documentId: string,
): Promise<DocumentRunSummary | null> {
  const { rows: documents } = await db.query<{ title: string; domainId: string | null }>(
    'SELECT title, domain_id AS "domainId" FROM documents WHERE tenant_id = $1 AND id = $2 AND NOT in_trash',
    [tenantId, documentId],
  );
  if (documents.length === 0) return null;
  const [document] = documents;
  const blocks = readingOrder(await BlockRepository.listByDocument(db, tenantId, documentId));
  const { rows: done } = await db.query<{ blockId: string; hash: string }>(
    'SELECT block_id AS "blockId", text_hash AS hash FROM block_extractions WHERE tenant_id = $1 AND document_id = $2',
    [tenantId, documentId],
  );
  const extractedHash = new Map(done.map((row) => [row.blockId, row.hash]));
  const summary: DocumentRunSummary = { created: 0, versioned: 0, removed: 0, kept: 0, orphaned: 0, blocksExtracted: 0, blocksSkipped: 0, blocksRemoved: 0 };

  let heading: string | undefined;
  for (const block of blocks) {
    const text = SKIPPED_TYPES.has(block.blockType) ? '' : blockText(block.content);
    if (HEADINGS.has(block.blockType)) heading = text;
    const hash = createHash('sha256').update(`${extractor.name}\0${block.blockType}\0${text}`).digest('hex');
    if (extractedHash.get(block.id) === hash) {
      summary.blocksSkipped++;
      continue;
    }
    const cells = tableCells(block.content);
    const raw = text
      ? await extractor.extract(
          { id: block.id, blockType: block.blockType, text, ...(cells ? { cells, hasHeader: block.content.has_header === true } : {}) },
          { documentTitle: document.title, heading: HEADINGS.has(block.blockType) ? undefined : heading },
        )
      : { atoms: [], molecules: [] };
    const extraction = validSpans(raw, text);
    const stored = await db.tx(async (tx) => {
      // Another worker may be on the same block (two processes, or a job re-run after a crash):
      // take the block's lock, then skip it if that worker already stored this very text.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [block.id]);
      const { rows: current } = await tx.query<{ hash: string }>('SELECT text_hash AS hash FROM block_extractions WHERE block_id = $1', [block.id]);
      if (current[0]?.hash === hash) return null;
      // The block changed since this job read it: a later job has its newer text. Storing this
      // one would re-anchor manual annotations made on the newer text against the older — an
      // atom marked on "late fee" while the job held "late f" was cut down to "late f".
      const { rows: [now] } = await tx.query<{ content: unknown }>('SELECT content FROM blocks WHERE id = $1', [block.id]);
      if (!now || JSON.stringify(now.content) !== JSON.stringify(block.content)) return null;
      const result = await storeBlockExtraction(tx, { tenantId, documentId, blockId: block.id, domainId: document.domainId, text }, extraction);
      await tx.query(
        `INSERT INTO block_extractions (block_id, tenant_id, document_id, text_hash, extractor) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (block_id) DO UPDATE SET text_hash = EXCLUDED.text_hash, extractor = EXCLUDED.extractor, extracted_at = NOW()`,
        [block.id, tenantId, documentId, hash, extractor.name],
      );
      return result;
    });
    if (!stored) {
      summary.blocksSkipped++;
      continue;
    }
    for (const key of ['created', 'versioned', 'removed', 'kept', 'orphaned'] as const) summary[key] += stored[key];
    summary.blocksExtracted++;
  }

  // Knowledge of blocks that are gone.
  const present = new Set(blocks.map((block) => block.id));
  const { rows: known } = await db.query<{ blockId: string }>(
    `SELECT block_id AS "blockId" FROM block_extractions WHERE tenant_id = $1 AND document_id = $2
     UNION SELECT block_id FROM annotations WHERE tenant_id = $1 AND document_id = $2 AND block_id IS NOT NULL AND status = 'anchored'`,
    [tenantId, documentId],
  );
  for (const { blockId } of known) {
    if (present.has(blockId)) continue;
    await db.tx((tx) => removeBlockKnowledge(tx, tenantId, blockId));
    summary.blocksRemoved++;
  }
  return summary;
}

/** Documents whose blocks changed after their last extraction (for the start-up sweep). */
export async function staleDocuments(db: Database): Promise<Array<{ tenantId: string; documentId: string }>> {
  const { rows } = await db.query<{ tenantId: string; documentId: string }>(
    `SELECT DISTINCT b.tenant_id AS "tenantId", b.document_id AS "documentId"
       FROM blocks b LEFT JOIN block_extractions e ON e.block_id = b.id
      WHERE e.block_id IS NULL OR e.extracted_at < b.updated_at
     UNION
     SELECT DISTINCT e.tenant_id, e.document_id
       FROM block_extractions e LEFT JOIN blocks b ON b.id = e.block_id
      WHERE b.id IS NULL`,
  );
  return rows;
}
