/**
 * Edits through a y-websocket client -> blocks rows -> extraction queue -> atoms, molecules and
 * annotations, read back through the API the editor uses.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { connectClient, startTestServer, type TestClient, type TestServer } from '../support/collab';
import { waitFor } from '../support/waitFor';
import { request } from '../support/http';
import { YDOC_FIELD } from '../../lib/blocks/types';
import type { DocumentKnowledgeDto } from '../../lib/knowledge/dto';
import * as knowledgeRoute from '../../app/api/documents/[id]/knowledge/route';
import * as annotationsRoute from '../../app/api/documents/[id]/annotations/route';
import * as atomRoute from '../../app/api/atoms/[id]/route';
import { extractDocument } from '../../server/extraction/pipeline';
import { ruleExtractor } from '../../server/extraction/ruleExtractor';
import { BlockRepository } from '../../server/db/repos/blocks';

const QUEBEC = 'In Quebec, the withholding rate is 10% for amounts over $5,000, effective January 1, 2026.';
const params = (id: string) => ({ params: Promise.resolve({ id }) });
let cookie = '';

function addParagraph(doc: Y.Doc, text: string): { id: string; text: Y.XmlText } {
  const id = randomUUID();
  const el = new Y.XmlElement('paragraph');
  el.setAttribute('id', id);
  const node = new Y.XmlText(text);
  el.insert(0, [node]);
  const fragment = doc.getXmlFragment(YDOC_FIELD);
  fragment.insert(fragment.length, [el]);
  return { id, text: node };
}

async function knowledge(documentId: string): Promise<DocumentKnowledgeDto> {
  const response = await knowledgeRoute.GET(request(`/api/documents/${documentId}/knowledge`, { cookie }), params(documentId));
  assert.equal(response.status, 200);
  return (await response.json()) as DocumentKnowledgeDto;
}

function markAsAtom(documentId: string, body: unknown) {
  return annotationsRoute.POST(request(`/api/documents/${documentId}/annotations`, { method: 'POST', body, cookie }), params(documentId));
}

describe('live extraction', { timeout: 60_000 }, () => {
  let server: TestServer;
  let client: TestClient;
  let documentId: string;
  let block: { id: string; text: Y.XmlText };

  before(async () => {
    server = await startTestServer({ projection: { debounceMs: 10, maxWaitMs: 50 } });
    cookie = server.cookie;
    documentId = await server.createDocument('Withholding');
    client = connectClient(server.wsUrl, documentId);
    await client.synced;
  });
  after(async () => {
    client?.destroy();
    await server?.close();
  });

  it('the Quebec sentence becomes atoms, a condition molecule and standoff annotations', async () => {
    block = addParagraph(client.doc, QUEBEC);
    const result = await waitFor(async () => {
      const k = await knowledge(documentId);
      assert.equal(k.status.state, 'idle');
      assert.ok(k.molecules.some((m) => m.type === 'ConditionMolecule'), 'a ConditionMolecule');
      return k;
    }, { timeout: 10_000, interval: 50 });

    const byQuote = new Map(result.annotations.filter((a) => a.layer === 'atom').map((a) => [a.quote, result.atoms.find((x) => x.id === a.knowledgeId)!]));
    assert.equal(byQuote.get('Quebec')?.type, 'TextAtom');
    assert.equal(byQuote.get('10%')?.type, 'NumberAtom');
    assert.equal(byQuote.get('10%')?.value, 0.1);
    assert.equal(byQuote.get('10%')?.canonical, '10%');
    assert.equal(byQuote.get('$5,000')?.value, 5000);
    const date = [...byQuote.entries()].find(([quote]) => quote.includes('January 1, 2026'))?.[1];
    assert.equal(date?.type, 'DateAtom');
    assert.match(String(date?.value), /^2026-01-01/);
    for (const annotation of result.annotations) {
      assert.equal(annotation.blockId, block.id);
      assert.equal(QUEBEC.slice(annotation.start, annotation.end), annotation.quote, 'offsets point at the quote');
    }
    const rule = result.molecules.find((m) => m.type === 'ConditionMolecule')!;
    assert.match(rule.summary, /Quebec/);
    const roles = new Set(rule.atoms.map((a) => a.role));
    assert.ok(roles.has('condition') && roles.has('result'), `condition and result roles, got ${[...roles]}`);
    assert.ok(byQuote.get('10%')!.moleculeIds.includes(rule.id), 'the rate atom knows its molecule');
  });

  it('editing 10% to 12% makes a new version linked to the old one, with an event; the old value stays queryable', async () => {
    const before = await knowledge(documentId);
    const oldAnnotation = before.annotations.find((a) => a.quote === '10%')!;
    const oldAtom = before.atoms.find((a) => a.id === oldAnnotation.knowledgeId)!;
    const others = before.atoms.filter((a) => a.id !== oldAtom.id).map((a) => a.id).sort();

    const at = QUEBEC.indexOf('10%');
    client.doc.transact(() => {
      block.text.delete(at, 2);
      block.text.insert(at, '12');
    });
    const after = await waitFor(async () => {
      const k = await knowledge(documentId);
      assert.ok(k.atoms.some((a) => a.canonical === '12%'), 'a 12% atom');
      return k;
    }, { timeout: 10_000, interval: 50 });
    const newAtom = after.atoms.find((a) => a.canonical === '12%')!;
    assert.equal(newAtom.previousVersion, oldAtom.id);
    assert.equal(newAtom.version, oldAtom.version + 1);
    assert.equal(newAtom.value, 0.12);
    assert.equal(after.atoms.some((a) => a.id === oldAtom.id), false, 'the old version is no longer current');
    assert.deepEqual(after.atoms.filter((a) => a.id !== newAtom.id).map((a) => a.id).sort(), others, 'unchanged atoms keep their ids');
    assert.equal(after.annotations.find((a) => a.quote === '12%')?.id, oldAnnotation.id, 'the annotation follows the new version');

    const history = await (await atomRoute.GET(request('/api/atoms/x', { cookie }), params(newAtom.id))).json();
    assert.deepEqual(history.versions.map((v: { canonical: string }) => v.canonical), ['12%', '10%']);
    assert.ok(history.events.some((e: { type: string; data: { from: string; to: string } }) => e.type === 'AtomVersioned' && e.data.from === '10%' && e.data.to === '12%'), 'an AtomVersioned event 10% -> 12%');
    const old = await (await atomRoute.GET(request('/api/atoms/x', { cookie }), params(oldAtom.id))).json();
    assert.equal(old.atom.value, 0.1);
    assert.equal(old.atom.deleted, true);
  });

  it('re-extraction is idempotent: unchanged blocks keep their atoms, nothing is duplicated', async () => {
    const before = await knowledge(documentId);
    addParagraph(client.doc, 'Ontario applies a rate of 5% to all amounts.');
    const after = await waitFor(async () => {
      const k = await knowledge(documentId);
      assert.ok(k.annotations.some((a) => a.quote === '5%'), 'the new block is annotated');
      assert.equal(k.status.state, 'idle');
      return k;
    }, { timeout: 10_000, interval: 50 });
    const firstBlock = (k: DocumentKnowledgeDto) => k.annotations.filter((a) => a.blockId === block.id).map((a) => `${a.id}:${a.knowledgeId}`).sort();
    assert.deepEqual(firstBlock(after), firstBlock(before));

    // Running the job again by hand, with everything already extracted, changes nothing.
    const { services } = server;
    const summary = await extractDocument(services.db, ruleExtractor, services.local.tenant.id, documentId);
    assert.equal(summary?.blocksExtracted, 0);
    const again = await knowledge(documentId);
    assert.equal(again.atoms.length, after.atoms.length);
    assert.equal(again.annotations.length, after.annotations.length);
    const { rows } = await services.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM annotations WHERE document_id = $1 GROUP BY block_id, start_offset, end_offset, layer HAVING count(*) > 1`,
      [documentId],
    );
    assert.equal(rows.length, 0, 'no span is annotated twice in the same layer');
  });

  it('re-extraction writes only what moved: atoms an edit left in place are untouched, moved ones move in the graph too', async () => {
    const { services } = server;
    const tenantId = services.local.tenant.id;
    const paragraph = addParagraph(client.doc, 'Alberta charges 7% on amounts over $2,000. This sentence keeps the end of the block far from the numbers.');
    const annotations = async () => (await services.db.query<{ id: string; knowledgeId: string; start: number; updatedAt: Date }>(
      `SELECT id, knowledge_id AS "knowledgeId", start_offset AS start, updated_at AS "updatedAt"
         FROM annotations WHERE block_id = $1 AND knowledge_type = 'atom' ORDER BY start_offset`, [paragraph.id])).rows;
    const extractedAt = async () => (await services.db.query<{ at: Date }>(
      'SELECT extracted_at AS at FROM block_extractions WHERE block_id = $1', [paragraph.id])).rows[0]?.at.getTime() ?? 0;
    const reExtracted = (since: number) => waitFor(async () => assert.ok((await extractedAt()) > since, 'the edited block was extracted again'), { timeout: 10_000, interval: 50 });
    const before = await waitFor(async () => {
      const rows = await annotations();
      assert.ok(rows.length >= 2, 'the rate and the amount are annotated');
      return rows;
    }, { timeout: 10_000, interval: 50 });

    // Typing at the end of the block, far from them: kept, and not written again.
    let since = await extractedAt();
    paragraph.text.insert(paragraph.text.length, ' More.');
    await reExtracted(since);
    assert.deepEqual(await annotations(), before, 'same annotations, same places, not rewritten');

    // Typing before them: they keep their ids and move, in the rows and in the graph.
    since = await extractedAt();
    paragraph.text.insert(0, 'In 2026, ');
    await reExtracted(since);
    // A year alone is a date atom too (its insert once failed the whole document's extraction).
    assert.ok((await knowledge(documentId)).atoms.some((atom) => atom.type === 'DateAtom' && atom.canonical === '2026'), 'the year is an atom');
    const moved = await annotations();
    const kept = moved.filter((row) => before.some((b) => b.id === row.id));
    assert.equal(kept.length, before.length, 'the same annotations');
    for (const row of kept) assert.equal(row.start, before.find((b) => b.id === row.id)!.start + 'In 2026, '.length);
    await waitFor(async () => {
      const edges = await services.graph.edgesFrom(tenantId, kept.map((row) => row.knowledgeId));
      for (const row of kept) {
        const appears = edges.find((edge) => edge.sourceId === row.knowledgeId && edge.type === 'APPEARS_IN');
        const spans = (appears?.props?.spans ?? []) as Array<{ start: number }>;
        assert.ok(spans.some((span) => span.start === row.start), `the graph has ${row.knowledgeId} at ${row.start}`);
      }
    }, { timeout: 10_000, interval: 100 });
  });

  it('a manual atom stays attached while others type before, around and inside it, and is orphaned when its text is deleted', async () => {
    const { text, id } = addParagraph(client.doc, 'The late fee is waived for members.');
    const { services } = server;
    await waitFor(async () => {
      const blocks = await BlockRepository.listByDocument(services.db, services.local.tenant.id, documentId);
      assert.ok(blocks.some((b) => b.id === id), 'the block reached the server');
    });
    const start = 'The '.length;
    const response = await markAsAtom(documentId, { blockId: id, start, end: start + 'late fee'.length, quote: 'late fee', type: 'TextAtom', name: 'Late fee' });
    assert.equal(response.status, 201, await response.clone().text());
    const { atom, annotation } = await response.json();
    assert.equal(atom.source, 'manual');
    assert.equal(atom.confidence, 1);

    const manual = async () => (await knowledge(documentId)).annotations.find((a) => a.id === annotation.id)!;
    text.insert(0, 'Note: ');
    await waitFor(async () => {
      const a = await manual();
      assert.equal(a.start, 'Note: The '.length);
      assert.equal(a.quote, 'late fee');
    }, { timeout: 10_000, interval: 50 });

    text.insert(text.toString().indexOf('fee'), 'payment '); // inside the span
    await waitFor(async () => assert.equal((await manual()).quote, 'late payment fee'), { timeout: 10_000, interval: 50 });

    const now = text.toString();
    text.delete(now.indexOf('late payment fee'), 'late payment fee is'.length);
    await waitFor(async () => assert.equal((await manual()).status, 'orphaned'), { timeout: 10_000, interval: 50 });
    const k = await knowledge(documentId);
    assert.ok(k.atoms.some((a) => a.id === atom.id), 'the orphaned manual atom is kept');
  });

  it('bad "Mark as atom" requests get a clear 4xx and store nothing', async () => {
    const count = async () => (await knowledge(documentId)).annotations.length;
    const before = await count();
    const cases: Array<[string, unknown, number]> = [
      ['malformed JSON', '{"blockId": ', 400],
      ['a missing name', { blockId: block.id, start: 3, end: 9, quote: 'Quebec', type: 'TextAtom' }, 400],
      ['an unknown type', { blockId: block.id, start: 3, end: 9, quote: 'Quebec', type: 'MagicAtom', name: 'x' }, 400],
      ['offsets that do not match the quote length', { blockId: block.id, start: 3, end: 20, quote: 'Quebec', type: 'TextAtom', name: 'x' }, 400],
      ['a quote that is not in the text', { blockId: block.id, start: 3, end: 9, quote: 'Ottawa', type: 'TextAtom', name: 'x' }, 409],
      ['a block of another document', { blockId: randomUUID(), start: 0, end: 2, quote: 'In', type: 'TextAtom', name: 'x' }, 404],
      ['a number atom on words', { blockId: block.id, start: 3, end: 9, quote: 'Quebec', type: 'NumberAtom', name: 'x' }, 400],
    ];
    for (const [name, body, status] of cases) {
      const response = await markAsAtom(documentId, body);
      assert.equal(response.status, status, name);
      const payload = await response.json();
      assert.equal(typeof payload.error.message, 'string', `${name}: a JSON message`);
    }
    const unknownDocument = await markAsAtom(randomUUID(), { blockId: block.id, start: 3, end: 9, quote: 'Quebec', type: 'TextAtom', name: 'x' });
    assert.equal(unknownDocument.status, 404);
    assert.equal(await count(), before);
  });
});
