import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_TYPES, inProcessBus, redisBus, type Bus, type BusEvent } from '../../server/bus';
import { openWriterThread } from '../../server/persistence/writerThread';
import { ADMIN_URL } from '../support/db';
import { waitFor } from '../support/waitFor';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const event = (documentId: string): BusEvent => ({
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
      const seenA: string[] = [];
      const seenB: string[] = [];
      const stopA = bus.subscribe((e) => e.type === 'blocks.changed' && seenA.push(e.documentId));
      bus.subscribe((e) => e.type === 'blocks.changed' && seenB.push(e.documentId));
      await bus.publish(event('doc-1'));
      await waitFor(() => assert.deepEqual([seenA, seenB], [['doc-1'], ['doc-1']]));
      stopA();
      await bus.publish(event('doc-2'));
      await waitFor(() => assert.deepEqual(seenB, ['doc-1', 'doc-2']));
      assert.deepEqual(seenA, ['doc-1']);
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
    const marker = `doc-${Math.random()}`;
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
    await worker.publish(event('doc-1'));
    await worker.publish({ type: 'knowledge.changed', tenantId: '00000000-0000-4000-8000-00000000000a', documentId: 'doc-1', status: 'idle' });
    await worker.publish({ type: 'access.changed', userId });
    await waitFor(() => assert.ok(heard.includes(`access:${userId}`), 'the access change arrived'));
    // Published before it on the same connection, so they would have arrived first.
    assert.deepEqual(heard.filter((h) => !h.startsWith('access:')), []);
    await worker.close();
    await relay.close();
  });

  it('an unreachable Redis fails to open with an error instead of hanging', async () => {
    await assert.rejects(redisBus('redis://127.0.0.1:1'));
  });
});

describe('bus: publishing through the collaboration process\'s writer thread', () => {
  // The thread's pg pool connects only for a query: these tests need no database.
  it('an event the thread publishes reaches a subscriber on another connection', async () => {
    const writer = await openWriterThread(ADMIN_URL, { redisUrl: REDIS_URL });
    const relay = await redisBus(REDIS_URL, ['access.changed'], (channel, message) => writer.publish(channel, message));
    const worker = await redisBus(REDIS_URL);
    const seen: string[] = [];
    worker.subscribe((e) => e.type === 'blocks.changed' && seen.push(e.documentId));
    const marker = `doc-${Math.random()}`;
    await relay.publish(event(marker));
    await waitFor(() => assert.deepEqual(seen, [marker]));
    await relay.close();
    await worker.close();
    await writer.close();
  });

  it('with Redis unreachable a publish fails with a reason instead of hanging; a closed thread refuses', async () => {
    const writer = await openWriterThread(ADMIN_URL, { redisUrl: 'redis://127.0.0.1:1' });
    const channel = `kos:events:${EVENT_TYPES[0]}`;
    await assert.rejects(writer.publish(channel, '{}'), /isn't writeable/);
    await writer.close();
    await assert.rejects(writer.publish(channel, '{}'), /closed/);
  });
});

