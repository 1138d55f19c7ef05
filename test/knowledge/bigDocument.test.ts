/**
 * A handbook-sized document (1,000 paragraphs pasted at once) is projected and extracted while
 * another user types in another document and the health check is asked every 100 ms: nothing
 * waits behind the big document's background work, and its knowledge is what a fresh extraction
 * of the same text gives (issue 20).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { connectClient, startTestServer, type TestClient, type TestServer } from '../support/collab';
import { waitFor } from '../support/waitFor';
import { YDOC_FIELD } from '../../lib/blocks/types';
import { ruleExtractor } from '../../server/extraction/ruleExtractor';

const PARAGRAPHS = 1000;
const PROVINCES = ['Ontario', 'Quebec', 'Alberta', 'Manitoba', 'Nova Scotia', 'New Brunswick', 'Saskatchewan', 'British Columbia',
  'Prince Edward Island', 'Newfoundland and Labrador'];
const handbook = (i: number) => `In ${PROVINCES[i % 10]}, the fee for request type ${(i % 9) + 1} is ${10 + (i % 7)}% for amounts up to `
  + `$${800 + (i % 5) * 100}. If the member is over 25, a manager must approve requests received after June 8, 2027.`;
/** A generous bound: the test is about nothing waiting for minutes, not a timing target (that is the bench). */
const HEALTH_BOUND_MS = 2000;

describe('a 1,000-paragraph paste', { timeout: 280_000 }, () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await server.close();
  });

  it('is extracted while health answers and another document\'s typist is relayed, and equals a fresh extraction', async () => {
    const { db, local } = server.services;
    const tenantId = local.tenant.id;
    const big = await server.createDocument('Handbook');
    const other = await server.createDocument('Notes');
    const paster = connectClient(server.wsUrl, big);
    const typist = connectClient(server.wsUrl, other);
    const reader = connectClient(server.wsUrl, other);
    clients.push(paster, typist, reader);
    await Promise.all(clients.map((client) => client.synced));
    const typed = new Y.XmlText('');
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [typed]);
    typist.doc.getXmlFragment(YDOC_FIELD).push([paragraph]);

    paster.doc.getXmlFragment(YDOC_FIELD).push(Array.from({ length: PARAGRAPHS }, (_, i) => {
      const element = new Y.XmlElement('paragraph');
      element.insert(0, [new Y.XmlText(handbook(i))]);
      return element;
    }));

    let done = false;
    const health: number[] = [];
    const probing = (async () => {
      while (!done) {
        const started = performance.now();
        const report = await server.services.health();
        health.push(performance.now() - started);
        assert.equal(report.stores.find((store) => store.store === 'database')?.status, 'ok');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    let keys = 0;
    const typing = (async () => {
      while (!done) {
        typed.insert(typed.length, 'x');
        keys++;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    await waitFor(async () => {
      const { rows: [row] } = await db.query<{ extracted: number; busy: number }>(
        `SELECT (SELECT count(*)::int FROM block_extractions WHERE document_id = $1) AS extracted,
                (SELECT count(*)::int FROM extraction_status WHERE document_id = $1 AND state <> 'idle') AS busy`, [big]);
      assert.ok(row.extracted >= PARAGRAPHS && row.busy === 0, `extracted ${row.extracted} of ${PARAGRAPHS}`);
    }, { timeout: 240_000, interval: 500 });
    done = true;
    await Promise.all([probing, typing]);

    assert.ok(health.length > 10, `health was asked ${health.length} times`);
    assert.ok(Math.max(...health) < HEALTH_BOUND_MS, `every health request answered within ${HEALTH_BOUND_MS} ms (slowest ${Math.round(Math.max(...health))} ms)`);
    await waitFor(() => assert.equal(reader.doc.getXmlFragment(YDOC_FIELD).toString().split('x').length - 1, keys, 'every key reached the reader'),
      { timeout: 10_000 });

    // Stored: each paragraph's annotations (kind, span, quote), against the rule extractor run on its text now.
    const { rows } = await db.query<{ position: number; kind: string; start: number; end: number; quote: string }>(
      `SELECT b.position, an.knowledge_type AS kind, an.start_offset AS start, an.end_offset AS "end", an.quote
         FROM annotations an JOIN blocks b ON b.id = an.block_id
        WHERE an.tenant_id = $1 AND an.document_id = $2 AND an.source = 'ai_extracted'`, [tenantId, big]);
    const key = (r: { position: number; kind: string; start: number; end: number; quote: string }) => `${r.position} ${r.kind} ${r.start}-${r.end} ${r.quote}`;
    const expected: string[] = [];
    for (let position = 0; position < PARAGRAPHS; position++) {
      const text = handbook(position);
      const fresh = await ruleExtractor.extract({ id: `p${position}`, blockType: 'paragraph', text }, { documentTitle: 'Handbook' });
      for (const atom of fresh.atoms) expected.push(key({ position, kind: 'atom', start: atom.start, end: atom.end, quote: atom.quote }));
      for (const rule of fresh.molecules) expected.push(key({ position, kind: 'molecule', start: rule.start, end: rule.end, quote: rule.quote }));
    }
    assert.ok(expected.length > PARAGRAPHS * 3, 'the handbook has knowledge in every paragraph');
    assert.deepEqual(rows.map(key).sort(), expected.sort());
  });
});
