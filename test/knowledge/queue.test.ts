/**
 * The extraction queue: survives a restart without losing or duplicating work, retries a
 * failing job then marks it failed with its error, and a slow or failing document never holds
 * up the others.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BlockRepository } from '../../server/db/repos/blocks';
import { DocumentRepository } from '../../server/db/repos/documents';
import { KnowledgeRepository } from '../../server/db/repos/knowledge';
import { presentStatus } from '../../server/presenters/knowledge';
import { ExtractionQueue } from '../../server/extraction/queue';
import { extractDocument } from '../../server/extraction/pipeline';
import { ruleExtractor } from '../../server/extraction/ruleExtractor';
import type { Extractor } from '../../server/extraction/types';
import { inProcessBus, type BusEvent } from '../../server/bus';
import { log } from '../../server/log';
import { migrate } from '../../server/db/migrate';
import { createTenant, ensureLocalIdentity } from '../../server/db/repos/tenants';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { waitFor } from '../support/waitFor';
import type { Database } from '../../server/db/client';

const paragraph = (text: string, position: number) => ({
  id: randomUUID(),
  parentId: null,
  position,
  blockType: 'paragraph' as const,
  content: { rich_text: [{ text }] },
  hasChildren: false,
});

async function documentWith(db: Database, tenantId: string, texts: string[]): Promise<string> {
  const document = await DocumentRepository.create(db, tenantId, { title: texts[0].slice(0, 20) });
  await BlockRepository.apply(db, tenantId, document.id, texts.map(paragraph), [], null);
  return document.id;
}

async function atomCount(db: Database, tenantId: string, documentId: string): Promise<number> {
  return (await KnowledgeRepository.atomsOfDocument(db, tenantId, documentId)).length;
}

/** The rule extractor, held until release(). */
function gatedExtractor(): { extractor: Extractor; release: () => void } {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const extractor: Extractor = {
    name: 'rules',
    async extract(block, context) {
      await gate;
      return ruleExtractor.extract(block, context);
    },
  };
  return { extractor, release };
}

describe('extraction queue', { timeout: 180_000 }, () => {
  // Each test gets its own database, so a queue a test leaves behind cannot touch the next.
  let database: TestDatabase;
  let tenantId: string;
  beforeEach(async () => {
    database = await openTestDatabase();
    await migrate(database.db);
    tenantId = (await ensureLocalIdentity(database.db)).tenant.id;
  });
  afterEach(async () => {
    await database.dispose();
  });

  it('jobs queued before a restart run after it, exactly once', async () => {
    const { db } = database;
    const bus = inProcessBus();
    const documents = [
      await documentWith(db, tenantId, ['In Quebec, the withholding rate is 10% for amounts over $5,000.']),
      await documentWith(db, tenantId, ['Invoices must be paid within 30 days.', 'A late fee of 2% applies.']),
      await documentWith(db, tenantId, ['Employees in Ontario receive 10 vacation days.']),
    ];
    // A process queues the work (start() enqueues documents not yet extracted) and stops
    // before any of it runs.
    const first = new ExtractionQueue({ db, bus, log, extractor: ruleExtractor });
    await first.start({ work: false });
    await first.stop();
    const { rows: queued } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM extraction_status WHERE state = 'queued'`);
    assert.equal(queued[0].n, documents.length, 'the documents wait in the durable queue');

    const second = new ExtractionQueue({ db, bus, log, extractor: ruleExtractor });
    await second.start();
    await second.drain();
    const counts = await Promise.all(documents.map((id) => atomCount(db, tenantId, id)));
    for (const count of counts) assert.ok(count > 0, 'every document was extracted');

    // Asking again, or starting a third process, duplicates nothing.
    for (const id of documents) await second.enqueue(tenantId, id);
    await second.drain();
    await second.stop();
    const third = new ExtractionQueue({ db, bus, log, extractor: ruleExtractor });
    await third.start();
    await third.drain();
    await third.stop();
    assert.deepEqual(await Promise.all(documents.map((id) => atomCount(db, tenantId, id))), counts);
  });

  it('stop() returns only once the job that just finished is marked done', async () => {
    const { db } = database;
    const { extractor: gated, release } = gatedExtractor();
    // The statement that completes a job is slow here, as on a busy database.
    const slowCompletion: Database = {
      ...db,
      async query(text, params) {
        if (text.includes('WHEN requested = claimed')) await new Promise((resolve) => setTimeout(resolve, 1500));
        return db.query(text, params);
      },
    };
    const queue = new ExtractionQueue({ db: slowCompletion, bus: inProcessBus(), log, extractor: gated });
    await queue.start();
    // Created after start(), so that only this enqueue queues it.
    const documentId = await documentWith(db, tenantId, ['A late fee of 2% applies.']);
    await queue.enqueue(tenantId, documentId);
    await waitFor(async () => assert.equal((await KnowledgeRepository.status(db, tenantId, documentId)).state, 'running'),
      { timeout: 10_000, interval: 50 });
    const stopped = queue.stop();
    release();
    await stopped;
    assert.equal((await KnowledgeRepository.status(db, tenantId, documentId)).state, 'idle',
      'a restart will not run it again, and no statement outlives stop()');
  });

  it('a job fetched just as stop() begins runs to its end before stop() returns', async () => {
    const { db } = database;
    let fetchStarted = () => {};
    const fetching = new Promise<void>((resolve) => (fetchStarted = resolve));
    let slowFetch = false;
    // The statement that fetches a job is slow here, so stop() begins while it runs.
    const slow: Database = {
      ...db,
      async query(text, params) {
        if (slowFetch && text.includes('SKIP LOCKED')) {
          fetchStarted();
          await new Promise((resolve) => setTimeout(resolve, 800));
        }
        return db.query(text, params);
      },
    };
    const queue = new ExtractionQueue({ db: slow, bus: inProcessBus(), log, extractor: ruleExtractor });
    await queue.start();
    const documentId = await documentWith(db, tenantId, ['A late fee of 2% applies.']);
    slowFetch = true;
    await queue.enqueue(tenantId, documentId);
    await fetching;
    await queue.stop();
    assert.equal((await KnowledgeRepository.status(db, tenantId, documentId)).state, 'idle');
    assert.ok((await atomCount(db, tenantId, documentId)) > 0, 'the document was extracted');
  });

  it('a document queued while the worker is looking for work is not left waiting for its next look', async () => {
    const { db } = database;
    let armed = true;
    let held = () => {};
    const holding = new Promise<void>((resolve) => (held = resolve));
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    // The worker's first look (at start, with nothing queued) returns only after the test has queued a document.
    const gated: Database = {
      ...db,
      async query<T>(text: string, params?: unknown[]) {
        const result = await db.query<T>(text, params);
        if (armed && text.includes('SKIP LOCKED') && result.rows.length === 0) {
          armed = false;
          held();
          await released;
        }
        return result;
      },
    };
    const queue = new ExtractionQueue({ db: gated, bus: inProcessBus(), log, extractor: ruleExtractor, pollMs: 60_000 });
    await queue.start();
    try {
      const document = await documentWith(db, tenantId, ['Refunds are available within 14 days.']);
      await holding;
      await queue.enqueue(tenantId, document); // committed after that look, before the worker sleeps
      release();
      await waitFor(async () => assert.ok((await atomCount(db, tenantId, document)) > 0, 'extracted without waiting a minute'),
        { timeout: 10_000, interval: 50 });
    } finally {
      release();
      await queue.stop();
    }
  });

  it('documents queued while a job runs are all extracted after it, without waiting for the next look', async () => {
    const { db } = database;
    const { extractor: gated, release } = gatedExtractor();
    const queue = new ExtractionQueue({ db, bus: inProcessBus(), log, extractor: gated, pollMs: 60_000 });
    await queue.start();
    try {
      const first = await documentWith(db, tenantId, ['A late fee of 2% applies.']);
      await queue.enqueue(tenantId, first);
      await waitFor(async () => assert.equal((await KnowledgeRepository.status(db, tenantId, first)).state, 'running'),
        { timeout: 10_000, interval: 20 });
      const others = [
        await documentWith(db, tenantId, ['Refunds are available within 14 days.']),
        await documentWith(db, tenantId, ['The Quebec rate is 9.975%.']),
        await documentWith(db, tenantId, ['Orders over $50 ship free.']),
      ];
      for (const document of others) await queue.enqueue(tenantId, document);
      release();
      await waitFor(async () => {
        for (const document of [first, ...others]) assert.ok((await atomCount(db, tenantId, document)) > 0, `${document} extracted`);
      }, { timeout: 10_000, interval: 50 });
    } finally {
      release();
      await queue.stop();
    }
  });

  it('a process that dies in the middle of a job loses nothing: the next one finishes the document', async () => {
    const { db } = database;
    const bus = inProcessBus();
    const documentId = await documentWith(db, tenantId, [
      'Members must renew at least 30 days before expiry.',
      'CRASH here: the process dies while extracting this block.',
      'Refunds are available within 14 days.',
    ]);
    // The state a kill -9 leaves: the job fetched (active, its worker gone), the first block's
    // knowledge committed, the rest not.
    const dying = new ExtractionQueue({ db, bus, log, extractor: ruleExtractor });
    await dying.start({ work: false });
    await dying.stop();
    // Its lease has two seconds left.
    await db.query(`UPDATE extraction_status SET state = 'running', claimed = requested, attempts = attempts + 1,
      lease = gen_random_uuid(), lease_until = NOW() + interval '2 seconds' WHERE document_id = $1`, [documentId]);
    const crashing: Extractor = {
      name: 'rules',
      async extract(block, context) {
        if (block.text.startsWith('CRASH')) throw new Error('killed');
        return ruleExtractor.extract(block, context);
      },
    };
    await assert.rejects(extractDocument(db, crashing, tenantId, documentId), /killed/);
    const before = await KnowledgeRepository.annotations(db, tenantId, documentId);
    assert.ok(before.some((a) => a.quote.includes('30 days')), 'the first block was stored before the crash');

    const next = new ExtractionQueue({ db, bus, log, extractor: ruleExtractor });
    await next.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const early = (await KnowledgeRepository.annotations(db, tenantId, documentId)).map((a) => a.quote);
    assert.ok(!early.some((q) => q.includes('14 days')), 'the dead process\'s job is not taken over while its lease runs');
    const annotations = await waitFor(async () => {
      const found = await KnowledgeRepository.annotations(db, tenantId, documentId);
      const quotes = found.map((a) => a.quote);
      assert.ok(quotes.some((q) => q.includes('14 days')), `the last block was extracted (${quotes.join(' | ')})`);
      return found;
    }, { timeout: 15_000, interval: 100 });
    await next.stop();
    const spans = annotations.map((a) => `${a.blockId}:${a.start}:${a.end}:${a.layer}`);
    assert.equal(new Set(spans).size, spans.length, 'nothing stored twice');
    const kept = new Set(annotations.map((a) => a.id));
    assert.ok(before.every((a) => kept.has(a.id)), 'the first block kept its annotations (same ids)');
  });

  it('an edit made while its document is extracted is extracted after that run', async () => {
    const { db } = database;
    const bus = inProcessBus();
    const { extractor: gated, release } = gatedExtractor();
    const queue = new ExtractionQueue({ db, bus, log, extractor: gated });
    await queue.start();
    const block = paragraph('The late fee is 2% of the balance.', 0);
    const document = await DocumentRepository.create(db, tenantId, { title: 'Fees' });
    await BlockRepository.apply(db, tenantId, document.id, [block], [], null);
    await queue.enqueue(tenantId, document.id);
    await waitFor(async () => assert.equal((await KnowledgeRepository.status(db, tenantId, document.id)).state, 'running'),
      { timeout: 10_000, interval: 20 });
    await BlockRepository.apply(db, tenantId, document.id, [{ ...block, content: { rich_text: [{ text: 'The late fee is 7% of the balance.' }] } }], [], null);
    await queue.enqueue(tenantId, document.id);
    release();
    await queue.drain();
    await queue.stop();
    const quotes = (await KnowledgeRepository.annotations(db, tenantId, document.id)).map((a) => a.quote);
    assert.ok(quotes.includes('7%'), `the newer text was extracted (${quotes.join(' | ')})`);
    assert.ok(!quotes.includes('2%'), 'and the older one is gone');
    assert.equal((await KnowledgeRepository.status(db, tenantId, document.id)).state, 'idle');
  });

  it('a request naming another tenant for a document queues nothing', async () => {
    const { db } = database;
    const queue = new ExtractionQueue({ db, bus: inProcessBus(), log, extractor: ruleExtractor });
    const document = await documentWith(db, tenantId, ['Invoices must be paid within 30 days.']);
    const stranger = await createTenant(db, 'Stranger', `stranger-${randomUUID().slice(0, 8)}`);
    await queue.enqueue(stranger.id, document);
    const statusRows = () => db.query('SELECT tenant_id FROM extraction_status WHERE document_id = $1', [document]);
    assert.deepEqual((await statusRows()).rows, [], 'no status row under the wrong tenant');
    await queue.enqueue(tenantId, document);
    assert.deepEqual((await statusRows()).rows, [{ tenant_id: tenantId }], 'the owner queues it');
  });

  it('a worker renews its lease while a job runs, so no other worker takes a long job over', async () => {
    const { db } = database;
    const bus = inProcessBus();
    const documentId = await documentWith(db, tenantId, ['The late fee is 2% of the balance.']);
    let calls = 0;
    const slow: Extractor = {
      name: 'rules',
      async extract(block, context) {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 2500));
        return ruleExtractor.extract(block, context);
      },
    };
    // Two workers with one-second leases; the job takes two and a half.
    const queues = [1, 2].map(() => new ExtractionQueue({ db, bus, log, extractor: slow, leaseSeconds: 1 }));
    await Promise.all(queues.map((queue) => queue.start()));
    await queues[0].drain();
    await Promise.all(queues.map((queue) => queue.stop()));
    assert.equal(calls, 1, 'the document was extracted once');
    assert.equal((await KnowledgeRepository.status(db, tenantId, documentId)).state, 'idle');
  });

  it('two workers extracting a 250-block document at once store each block once', async () => {
    const { db } = database;
    const texts = Array.from({ length: 250 }, (_, i) => `Clause ${i + 1}: the late fee is ${(i % 40) + 1}% of the unpaid balance.`);
    const documentId = await documentWith(db, tenantId, texts);
    // Blocks are stored 100 to a transaction; the two runs meet on the same blocks.
    const runs = await Promise.all([1, 2].map(() => extractDocument(db, ruleExtractor, tenantId, documentId)));
    const extracted = runs.reduce((sum, run) => sum + (run?.blocksExtracted ?? 0), 0);
    assert.equal(extracted, 250, 'every block was stored by exactly one of the two runs');
    const annotations = await KnowledgeRepository.annotations(db, tenantId, documentId);
    const percents = annotations.filter((a) => /^\d+%$/.test(a.quote));
    assert.equal(new Set(percents.map((a) => a.blockId)).size, 250, 'each block has its rate annotated');
    assert.equal(percents.length, 250, 'and only once');
    const spans = annotations.map((a) => `${a.blockId}:${a.start}:${a.end}:${a.layer}`);
    assert.equal(new Set(spans).size, spans.length, 'no span is stored twice');
    const again = await extractDocument(db, ruleExtractor, tenantId, documentId);
    assert.equal(again?.blocksExtracted, 0, 'a third run finds nothing left to do');
  });

  it('a slow extractor (a model) stores each block as soon as it is extracted', async () => {
    const { db } = database;
    const documentId = await documentWith(db, tenantId, ['The late fee is 5% of the balance.', 'The rate is 10% for members.']);
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: Extractor = {
      name: 'rules',
      async extract(block, context) {
        // 250 ms for the first block; the second waits until the test has looked.
        await (block.text.startsWith('The rate') ? gate : new Promise((resolve) => setTimeout(resolve, 250)));
        return ruleExtractor.extract(block, context);
      },
    };
    const run = extractDocument(db, slow, tenantId, documentId);
    const quotes = async () => (await KnowledgeRepository.annotations(db, tenantId, documentId)).map((a) => a.quote);
    await waitFor(async () => assert.ok((await quotes()).includes('5%'), 'the first block is stored while the second is extracted'),
      { timeout: 5000, interval: 50 });
    assert.ok(!(await quotes()).includes('10%'));
    release();
    assert.equal((await run)?.blocksExtracted, 2);
    assert.ok((await quotes()).includes('10%'));
  });

  it('a failing job is retried, then marked failed with its error; other documents go on', async () => {
    const { db } = database;
    const bus = inProcessBus();
    const events: BusEvent[] = [];
    bus.subscribe((event) => events.push(event));
    const broken = await documentWith(db, tenantId, ['POISON: the extractor cannot read this block.']);
    const healthy = await documentWith(db, tenantId, ['Auto-renewal is enabled for annual plans.']);
    let attempts = 0;
    const extractor: Extractor = {
      name: 'rules',
      async extract(block, context) {
        if (block.text.startsWith('POISON')) {
          attempts++;
          throw new Error('the extractor crashed on this block');
        }
        return ruleExtractor.extract(block, context);
      },
    };
    const queue = new ExtractionQueue({ db, bus, log, extractor, retryLimit: 2, retryDelaySeconds: 1 });
    await queue.start();
    await waitFor(async () => assert.ok((await atomCount(db, tenantId, healthy)) > 0, 'the healthy document has atoms'), { timeout: 10_000, interval: 50 });
    const status = await waitFor(async () => {
      const s = await KnowledgeRepository.status(db, tenantId, broken);
      assert.equal(s.state, 'failed');
      return s;
    }, { timeout: 30_000, interval: 100 });
    await queue.stop();
    assert.equal(attempts, 3, 'one try and two retries');
    assert.match(status.error ?? '', /extractor crashed/);
    assert.ok(
      events.some((e) => e.type === 'knowledge.changed' && e.documentId === broken && e.status === 'failed'),
      'the editor is told the job failed',
    );
  });

  it('pathological blocks never crash or stall the queue', async () => {
    const { db } = database;
    const bus = inProcessBus();
    const huge = await documentWith(db, tenantId, [
      'The rate is 10% in Quebec. '.repeat(40_000), // ~1 MB
      '9'.repeat(10_000),
      '('.repeat(5_000) + 'x' + ')'.repeat(5_000),
      'Le taux est de 10 % au Québec. 税率は10%です。 🇨🇦 rate 💸 5% نسبة الضريبة 10٪ في كيبيك',
      '',
    ]);
    const small = await documentWith(db, tenantId, ['Contractors must submit invoices at most 30 days after delivery.']);
    const queue = new ExtractionQueue({ db, bus, log, extractor: ruleExtractor, retryLimit: 1, retryDelaySeconds: 1 });
    await queue.start();
    let finished;
    try {
      await waitFor(async () => assert.ok((await atomCount(db, tenantId, small)) > 0, 'the small document has atoms'), { timeout: 30_000, interval: 100 });
      finished = await waitFor(async () => {
        const s = await KnowledgeRepository.status(db, tenantId, huge);
        assert.ok(s.state === 'idle' || s.state === 'failed', `state ${s.state}`);
        return s;
      }, { timeout: 60_000, interval: 200 });
    } finally {
      await queue.stop(); // a failed assertion must not leave a worker polling a closed database
    }
    assert.equal(finished.state, 'idle', `the huge document was extracted (error: ${finished.error})`);
    const annotations = await KnowledgeRepository.annotations(db, tenantId, huge);
    assert.ok(annotations.length > 0);
    assert.match(finished.notice ?? '', /^One block is longer than 20,000 characters .*first 20,000 only\.$/, 'the cut is said, not silent');
  });
  it('a long job reports "done of total" blocks while it runs, at most a few times a second; a short one writes nothing', async () => {
    const { db } = database;
    const bus = inProcessBus();
    const events: BusEvent[] = [];
    bus.subscribe((event) => events.push(event));
    const texts = Array.from({ length: 40 }, (_, i) => `In Ontario, the fee for request type ${i} is 12% for amounts up to $800.`);
    const big = await documentWith(db, tenantId, texts);
    // 20 ms a block: the job runs ~800 ms, storing a chunk every STORE_WAIT_MS.
    const slow: Extractor = {
      name: 'rules',
      async extract(block, context) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return ruleExtractor.extract(block, context);
      },
    };
    const queue = new ExtractionQueue({ db, bus, log, extractor: slow, progressMs: 150 });
    await queue.start();
    let seen;
    try {
      seen = await waitFor(async () => {
        const status = presentStatus(await KnowledgeRepository.status(db, tenantId, big));
        assert.ok(status.progress && status.progress.done > 0 && status.progress.done < 40, `progress ${JSON.stringify(status.progress)}`);
        return status;
      }, { timeout: 30_000, interval: 20 });
      await queue.drain();
    } finally {
      await queue.stop();
    }
    assert.equal(seen.state, 'running');
    assert.equal(seen.progress?.total, 40, 'the total is the blocks whose text changed');
    const ofBig = events.filter((e) => e.type === 'knowledge.changed' && e.documentId === big);
    const progress = ofBig.flatMap((e) => (e.type === 'knowledge.changed' && e.progress ? [e.progress] : []));
    assert.ok(progress.length >= 2, `progress events: ${JSON.stringify(progress)}`);
    assert.ok(progress.length <= 12, `at most ~7 a second over ~1 s: ${progress.length}`);
    assert.ok(progress.every((p, i) => p.total === 40 && (i === 0 || p.done >= progress[i - 1].done)), JSON.stringify(progress));
    const last = ofBig.at(-1);
    assert.ok(last?.type === 'knowledge.changed' && last.status === 'idle' && !last.progress, 'the outcome is the last event');
    assert.equal(presentStatus(await KnowledgeRepository.status(db, tenantId, big)).progress, null, 'a finished job shows no progress');

    // One edited block (typing) finishes before the first write: no statement, no event.
    const before = events.length;
    const small = await documentWith(db, tenantId, ['A late fee of 2% applies.']);
    const fast = new ExtractionQueue({ db, bus, log, extractor: ruleExtractor, progressMs: 500 });
    await fast.start();
    try {
      await fast.drain();
    } finally {
      await fast.stop();
    }
    const later = events.slice(before).filter((e) => e.type === 'knowledge.changed' && e.documentId === small);
    assert.ok(later.length > 0 && later.every((e) => e.type === 'knowledge.changed' && !e.progress), JSON.stringify(later));
  });
});
