/** Shared by the graph sync suites: tenants, documents written through the real repositories, drift checks. */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../server/db/client';
import { BlockRepository } from '../../server/db/repos/blocks';
import { DocumentRepository } from '../../server/db/repos/documents';
import { createTenant } from '../../server/db/repos/tenants';
import { extractDocument } from '../../server/extraction/pipeline';
import { ruleExtractor } from '../../server/extraction/ruleExtractor';
import { storeBlockExtraction } from '../../server/extraction/store';
import type { ExtractedAtom } from '../../server/extraction/types';
import { compareGraph } from '../../server/graph/reconcile';
import type { GraphStore } from '../../server/graph/types';

export async function newTenant(db: Database): Promise<string> {
  return (await createTenant(db, 'Sync tenant', `sync-${randomBytes(5).toString('hex')}`)).id;
}

export const paragraph = (text: string, position: number, id: string = randomUUID()) => ({
  id, parentId: null, position, blockType: 'paragraph' as const, content: { rich_text: [{ text }] }, hasChildren: false,
});

/** A document with one paragraph per text, extracted by the rule extractor. */
export async function writeDocument(db: Database, tenantId: string, title: string, texts: string[]) {
  const blocks = texts.map((text, i) => paragraph(text, i));
  const documentId = await db.tx(async (tx) => {
    const document = await DocumentRepository.create(tx, tenantId, { title });
    await BlockRepository.apply(tx, tenantId, document.id, blocks, [], null);
    return document.id;
  });
  await extractDocument(db, ruleExtractor, tenantId, documentId);
  return { documentId, blockIds: blocks.map((block) => block.id) };
}

/** Stores `count` synthetic atoms in a block (no extractor), values tagged with `tag`. */
export async function storeSyntheticAtoms(db: Database, scope: { tenantId: string; documentId: string; blockId: string }, count: number, tag: string) {
  const words = Array.from({ length: count }, (_, i) => `w${i}x${tag}`);
  const text = words.join(' ');
  let at = 0;
  const atoms: ExtractedAtom[] = words.map((word, i) => {
    const start = at;
    at += word.length + 1;
    return { type: 'TextAtom', kind: `slot${i}`, start, end: start + word.length, quote: word, value: { text: word },
      canonical: `${scope.blockId}-${word}`, name: '', confidence: 0.9 };
  });
  await db.tx((tx) => storeBlockExtraction(tx, { ...scope, domainId: null, text }, { atoms, molecules: [] }));
}

export async function assertInSync(db: Database, graph: GraphStore, tenantId: string): Promise<void> {
  const drift = await compareGraph(db, graph, tenantId);
  assert.ok(drift.inSync, `graph matches PostgreSQL: ${JSON.stringify({ ...drift, missing: drift.missing.length, different: drift.different.length, extra: drift.extra.length })}`);
}

export async function liveAtomCount(db: Database, tenantId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM atoms WHERE tenant_id = $1 AND deleted_at IS NULL', [tenantId]);
  return rows[0].n;
}
