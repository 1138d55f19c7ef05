/**
 * One extraction job: the blocks of a document whose text changed since they were last
 * extracted (block_extractions holds a hash per block) go through the extractor and are stored
 * in chunks, a transaction each; knowledge of deleted blocks is removed. Safe to run again at any
 * point: a block is marked extracted in the same transaction that stores its knowledge.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../db/client';
import type { BlockRow } from '../db/repos/blocks';
import { blockText, tableCells } from '@/lib/blocks/text';
import { nothingStored, removeBlockKnowledge, storeBlockExtraction, storedKnowledge, storeNewBlocks, type StoredKnowledge, type StoreSummary } from './store';
import type { Extraction, Extractor } from './types';
import { MAX_BLOCK_CHARS, MAX_TABLE_CHARS } from './ruleExtractor';

/** Code is not prose: numbers in it are not knowledge. */
const SKIPPED_TYPES = new Set(['code', 'divider', 'image', 'file']);
const HEADINGS = new Set(['heading_1', 'heading_2', 'heading_3']);

export interface DocumentRunSummary extends StoreSummary {
  blocksExtracted: number;
  blocksSkipped: number;
  blocksRemoved: number;
  /** What the job had to cap or chunk, in words for the person; the editor's panel shows it. */
  notice?: string;
}

/** Called as a job counts and stores blocks: `total` blocks changed, `done` of them are stored. */
export type ExtractionProgress = (done: number, total: number) => void | Promise<void>;

function textOf(block: BlockRow): string {
  return SKIPPED_TYPES.has(block.blockType) ? '' : blockText(block.content);
}

function hashOf(extractorName: string, block: BlockRow, text: string): string {
  return createHash('sha256').update(`${extractorName}\0${block.blockType}\0${text}`).digest('hex');
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

/** Blocks stored per transaction, and how long a chunk's extraction may run before it is stored. */
const STORE_CHUNK = 100;
const STORE_WAIT_MS = 200;
/**
 * How long a chunk's transaction should hold PGlite, which answers nobody else meanwhile: the
 * next chunk is sized from the last one's time per block, so requests wait at most about this.
 */
const PGLITE_CHUNK_MS = 40;

interface Extracted {
  block: BlockRow;
  text: string;
  hash: string;
  extraction: Extraction;
}

/**
 * Stores a chunk of extracted blocks in one transaction. Another worker may be on the same blocks
 * (two processes, or a job re-run after a crash): take every block's lock (in id order, so two
 * such transactions cannot deadlock), then leave out the blocks that worker already stored for
 * this very text, and the blocks that changed since this job read them: a later job has their
 * newer text. Storing it would re-anchor manual annotations made on the newer text against the
 * older — an atom marked on "late fee" while the job held "late f" was cut down to "late f".
 */
async function storeChunk(
  db: Database,
  extractorName: string,
  scope: { tenantId: string; documentId: string; domainId: string | null },
  chunk: Extracted[],
  summary: DocumentRunSummary,
): Promise<void> {
  const { tenantId, documentId } = scope;
  const results = await db.tx(async (tx) => {
    const ids = chunk.map((item) => item.block.id).sort();
    await tx.query('SELECT pg_advisory_xact_lock(hashtext(id)) FROM unnest($1::text[]) AS id', [ids]);
    const { rows } = await tx.query<{ id: string; content: unknown; hash: string | null; annotated: boolean }>(
      `SELECT b.id, b.content, e.text_hash AS hash,
              EXISTS (SELECT 1 FROM annotations an WHERE an.tenant_id = b.tenant_id AND an.block_id = b.id) AS annotated
         FROM blocks b LEFT JOIN block_extractions e ON e.tenant_id = b.tenant_id AND e.block_id = b.id
        WHERE b.id = ANY($1::uuid[])`,
      [ids],
    );
    const now = new Map(rows.map((row) => [row.id, row]));
    const fresh = chunk.filter(({ block, hash }) => {
      const row = now.get(block.id);
      return row !== undefined && row.hash !== hash && JSON.stringify(row.content) === JSON.stringify(block.content);
    });
    if (fresh.length === 0) return [];
    // Blocks without any annotation hold no knowledge: the three reads of what they hold are skipped.
    const annotated = fresh.filter((item) => now.get(item.block.id)?.annotated).map((item) => item.block.id);
    const stored = annotated.length > 0 ? await storedKnowledge(tx, tenantId, annotated) : new Map<string, StoredKnowledge>();
    // Blocks that hold nothing yet are stored together; the others one by one against what they hold.
    const isNew = (item: Extracted) => !now.get(item.block.id)?.annotated;
    const results = await storeNewBlocks(tx, scope, fresh.filter(isNew).map(({ block, text, extraction }) => ({ blockId: block.id, text, extraction })));
    for (const { block, text, extraction } of fresh.filter((item) => !isNew(item))) {
      const blockScope = { ...scope, blockId: block.id, text };
      results.push(await storeBlockExtraction(tx, blockScope, extraction, stored.get(block.id) ?? nothingStored()));
    }
    await tx.query(
      `INSERT INTO block_extractions (block_id, tenant_id, document_id, text_hash, extractor)
       SELECT id, $1, $2, hash, $3 FROM unnest($4::uuid[], $5::text[]) AS t(id, hash)
       ON CONFLICT (block_id) DO UPDATE SET text_hash = EXCLUDED.text_hash, extractor = EXCLUDED.extractor, extracted_at = NOW()`,
      [tenantId, documentId, extractorName, fresh.map((item) => item.block.id), fresh.map((item) => item.hash)],
    );
    return results;
  });
  summary.blocksSkipped += chunk.length - results.length;
  summary.blocksExtracted += results.length;
  for (const result of results) for (const key of ['created', 'versioned', 'removed', 'kept', 'orphaned'] as const) summary[key] += result[key];
}

/**
 * What a job reads before it extracts, in one statement: the document (no rows: gone or in the
 * trash), its blocks in reading order, the hash each was last extracted with, and the blocks that
 * still have extracted knowledge or anchored annotations but are no longer in the document. Four
 * reads a job were four round trips to the database, for each of a document's runs while
 * someone types in it (two a second).
 */
async function readDocument(db: Database, tenantId: string, documentId: string) {
  type Row = Omit<BlockRow, 'id'> & { id: string | null; title: string; domainId: string | null; hash: string | null; gone: string[] };
  const { rows } = await db.query<Row>(
    `SELECT d.title, d.domain_id AS "domainId", b.id, b.document_id AS "documentId", b.parent_id AS "parentId", b.position,
            b.block_type AS "blockType", b.content, b.updated_at AS "updatedAt", e.text_hash AS hash,
            ARRAY(SELECT k.block_id::text FROM (
                    SELECT block_id FROM block_extractions WHERE tenant_id = $1 AND document_id = $2
                    UNION SELECT block_id FROM annotations
                     WHERE tenant_id = $1 AND document_id = $2 AND block_id IS NOT NULL AND status = 'anchored') k
                   WHERE NOT EXISTS (SELECT 1 FROM blocks WHERE tenant_id = $1 AND id = k.block_id AND document_id = $2)) AS gone
       FROM documents d
       LEFT JOIN blocks b ON b.tenant_id = d.tenant_id AND b.document_id = d.id
       LEFT JOIN block_extractions e ON e.tenant_id = b.tenant_id AND e.block_id = b.id
      WHERE d.tenant_id = $1 AND d.id = $2 AND NOT d.in_trash`,
    [tenantId, documentId],
  );
  if (rows.length === 0) return null;
  const blocks = rows.filter((row): row is Row & BlockRow => row.id !== null);
  return {
    document: { title: rows[0].title, domainId: rows[0].domainId },
    blocks: readingOrder(blocks),
    extractedHash: new Map(blocks.map((block) => [block.id, block.hash])),
    gone: rows[0].gone,
  };
}

export async function extractDocument(
  db: Database,
  extractor: Extractor,
  tenantId: string,
  documentId: string,
  onProgress?: ExtractionProgress,
): Promise<DocumentRunSummary | null> {
  const read = await readDocument(db, tenantId, documentId);
  if (!read) return null;
  const { document, blocks, extractedHash, gone } = read;
  const summary: DocumentRunSummary = { created: 0, versioned: 0, removed: 0, kept: 0, orphaned: 0, blocksExtracted: 0, blocksSkipped: 0, blocksRemoved: 0 };

  // Extracted blocks are stored together, a chunk per transaction (one commit instead of one per
  // block: typing in 100 paragraphs made 100 transactions of 9 statements every half second). A
  // slow extractor (a model) still stores as it goes: a chunk is stored once STORE_WAIT_MS has
  // passed since its first block's extraction began, so a block that alone took that long is
  // stored at once.
  let pending: Extracted[] = [];
  let pendingSince = 0;
  let chunkSize = db.kind === 'pglite' ? 10 : STORE_CHUNK;
  const store = async () => {
    const chunk = pending;
    pending = [];
    if (chunk.length > 0) {
      const started = performance.now();
      await storeChunk(db, extractor.name, { tenantId, documentId, domainId: document.domainId }, chunk, summary);
      const perBlock = (performance.now() - started) / chunk.length;
      if (db.kind === 'pglite') chunkSize = Math.max(1, Math.min(STORE_CHUNK, Math.floor(PGLITE_CHUNK_MS / perBlock)));
    }
    done += chunk.length;
    if (chunk.length > 0) await onProgress?.(done, total);
  };
  // Texts and hashes first, so the editor can say "340 of 1,000 blocks" before the first is done.
  const texts = blocks.map((block) => {
    const text = textOf(block);
    return { block, text, hash: hashOf(extractor.name, block, text) };
  });
  const total = texts.filter(({ block, hash }) => extractedHash.get(block.id) !== hash).length;
  let done = 0;
  await onProgress?.(0, total);
  let heading: string | undefined;
  let capped = 0;
  for (const { block, text, hash } of texts) {
    if (HEADINGS.has(block.blockType)) heading = text;
    if (extractedHash.get(block.id) === hash) {
      summary.blocksSkipped++;
      continue;
    }
    const cells = tableCells(block.content);
    if (text.length > (cells ? MAX_TABLE_CHARS : MAX_BLOCK_CHARS)) capped++;
    let raw: Extraction;
    const startedAt = Date.now();
    try {
      raw = text
        ? await extractor.extract(
            { id: block.id, blockType: block.blockType, text, ...(cells ? { cells, hasHeader: block.content.has_header === true } : {}) },
            { documentTitle: document.title, heading: HEADINGS.has(block.blockType) ? undefined : heading },
          )
        : { atoms: [], molecules: [] };
    } catch (error) {
      await store(); // what was extracted before the failure is kept
      throw error;
    }
    if (pending.length === 0) pendingSince = startedAt;
    pending.push({ block, text, hash, extraction: validSpans(raw, text) });
    if (pending.length >= chunkSize || Date.now() - pendingSince >= STORE_WAIT_MS) await store();
  }
  await store();
  // Said in the panel: the rest of such a block holds no highlights.
  if (capped > 0) {
    const [limit, tables] = [MAX_BLOCK_CHARS, MAX_TABLE_CHARS].map((n) => n.toLocaleString('en'));
    summary.notice = `${capped === 1 ? 'One block is' : `${capped} blocks are`} longer than ${limit} characters (tables: ${tables}): `
      + `knowledge was read from the first ${limit} only.`;
  }

  // Knowledge of blocks that are gone.
  for (const blockId of gone) {
    await db.tx((tx) => removeBlockKnowledge(tx, tenantId, blockId));
    summary.blocksRemoved++;
  }
  return summary;
}

/** Documents whose blocks changed after their last extraction (for the start-up sweep). */
export async function staleDocuments(db: Database): Promise<Array<{ tenantId: string; documentId: string }>> {
  const { rows } = await db.query<{ tenantId: string; documentId: string }>(
    `SELECT DISTINCT b.tenant_id AS "tenantId", b.document_id AS "documentId"
       FROM blocks b LEFT JOIN block_extractions e ON e.tenant_id = b.tenant_id AND e.block_id = b.id
      WHERE e.block_id IS NULL OR e.extracted_at < b.updated_at
     UNION
     SELECT DISTINCT e.tenant_id, e.document_id
       FROM block_extractions e LEFT JOIN blocks b ON b.tenant_id = e.tenant_id AND b.id = e.block_id
      WHERE b.id IS NULL`,
  );
  return rows;
}
