import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { EVENT_TYPES, inProcessBus, redisBus, type BlocksChangedEvent, type Bus, type BusEvent } from '../../server/bus';
import { openWriterThread } from '../../server/persistence/writerThread';
import { ADMIN_URL } from '../support/db';
import { waitFor } from '../support/waitFor';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const event = (documentId: string): BlocksChangedEvent => ({
  type: 'blocks.changed',
  tenantId: '00000000-0000-4000-8000-00000000000a',
  documentId,
  changed: ['b1'],
  deleted: [],
});

/** One contract, both implementations. */
for (const [name, open] of [
  ['in-process', async () => inProcessBus()],
  ['redis', () => redisBus(REDIS_URL)],
] as const) {
  describe(`bus contract: ${name}`, () => {
    it('delivers a published event to every subscriber, and not after unsubscribe', async () => {
      const bus: Bus = await open();
      const [doc1, doc2] = [randomUUID(), randomUUID()];
      // Other test files may publish on the same Redis meanwhile: only this test's documents count.
      const mine = (e: BusEvent): e is BlocksChangedEvent => e.type === 'blocks.changed' && (e.documentId === doc1 || e.documentId === doc2);
      const seenA: string[] = [];
      const seenB: string[] = [];
      const stopA = bus.subscribe((e) => mine(e) && seenA.push(e.documentId));
      bus.subscribe((e) => mine(e) && seenB.push(e.documentId));
      await bus.publish(event(doc1));
      await waitFor(() => assert.deepEqual([seenA, seenB], [[doc1], [doc1]]));
      stopA();
      await bus.publish(event(doc2));
      await waitFor(() => assert.deepEqual(seenB, [doc1, doc2]));
      assert.deepEqual(seenA, [doc1]);
      await bus.ping();
      await bus.close();
    });
  });
}

describe('bus: redis across processes', () => {
  it('an event published by one connection reaches another (two app processes)', async () => {
    const a = await redisBus(REDIS_URL);
    const b = await redisBus(REDIS_URL);
    const seen: string[] = [];
    b.subscribe((e) => e.type === 'blocks.changed' && seen.push(e.documentId));
    const marker = randomUUID();
    await a.publish(event(marker));
    await waitFor(() => assert.ok(seen.includes(marker), 'the event arrived'));
    await a.close();
    await b.close();
  });

  it('a process hears only the event types it listens to (the relay: access changes, not extraction status)', async () => {
    const worker = await redisBus(REDIS_URL);
    const relay = await redisBus(REDIS_URL, ['access.changed']);
    const heard: string[] = [];
    relay.subscribe((e) => heard.push(e.type === 'access.changed' ? `access:${e.userId}` : e.type));
    const userId = `user-${Math.random()}`;
    await worker.publish(event(randomUUID()));
    await worker.publish({ type: 'knowledge.changed', tenantId: '00000000-0000-4000-8000-00000000000a', documentId: randomUUID(), status: 'idle' });
    await worker.publish({ type: 'access.changed', userId });
    await waitFor(() => assert.ok(heard.includes(`access:${userId}`), 'the access change arrived'));
    // Published before it on the same connection, so they would have arrived first.
    assert.deepEqual(heard.filter((h) => !h.startsWith('access:')), []);
    await worker.close();
    await relay.close();
  });

  it('a message on our channels that is not one of our events is dropped; the events after it arrive', async (t) => {
    const bus = await redisBus(REDIS_URL);
    const raw = new Redis(REDIS_URL);
    t.after(async () => {
      raw.disconnect();
      await bus.close();
    });
    const heard: string[] = [];
    bus.subscribe((e) => heard.push(e.type === 'access.changed' ? e.type : `${e.type}:${e.documentId}`));
    const good = event(randomUUID());
    const unknownStatus = randomUUID();
    for (const message of [
      'not json',
      JSON.stringify({ ...good, documentId: 'doc-0.69' }),
      JSON.stringify({ ...good, type: 'blocks.deleted' }),
      JSON.stringify({ type: 'knowledge.changed', tenantId: good.tenantId, documentId: unknownStatus, status: 'done' }),
    ]) {
      await raw.publish('kos:events:blocks.changed', message);
    }
    await raw.publish('kos:events:blocks.changed', JSON.stringify(good));
    await waitFor(() => assert.ok(heard.includes(`blocks.changed:${good.documentId}`), 'the good event arrived'));
    // Published before it on the same connection, so they would have arrived first.
    assert.deepEqual(heard.filter((h) => h.includes('doc-0.69') || h.startsWith('blocks.deleted') || h.endsWith(unknownStatus)), []);
  });

  it('an unreachable Redis fails to open with an error instead of hanging', async () => {
    await assert.rejects(redisBus('redis://127.0.0.1:1'));
  });
});

describe('bus: publishing through the collaboration process\'s writer thread', () => {
  // The thread's pg pool connects only for a query: these tests need no database.
  it('an event the thread publishes reaches a subscriber on another connection', async (t) => {
    const writer = await openWriterThread(ADMIN_URL, { redisUrl: REDIS_URL });
    const sent: string[] = [];
    const relay = await redisBus(REDIS_URL, ['access.changed'], (channel, message) => {
      sent.push(channel);
      return writer.publish(channel, message);
    });
    const worker = await redisBus(REDIS_URL);
    t.after(async () => {
      await relay.close();
      await worker.close();
      await writer.close();
    });
    const seen: string[] = [];
    worker.subscribe((e) => e.type === 'blocks.changed' && seen.push(e.documentId));
    const marker = randomUUID();
    await relay.publish(event(marker));
    // Other test files publish on the same Redis meanwhile: look for this event only.
    await waitFor(() => assert.ok(seen.includes(marker), 'the event arrived'));
    assert.deepEqual(sent, ['kos:events:blocks.changed']);
  });

  it('with Redis unreachable a publish fails with a reason instead of hanging; a closed thread refuses', async () => {
    const writer = await openWriterThread(ADMIN_URL, { redisUrl: 'redis://127.0.0.1:1' });
    const channel = `kos:events:${EVENT_TYPES[0]}`;
    await assert.rejects(writer.publish(channel, '{}'), /isn't writeable/);
    await writer.close();
    await assert.rejects(writer.publish(channel, '{}'), /closed/);
  });
});

