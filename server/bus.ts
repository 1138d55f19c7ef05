/**
 * Bus: publish/subscribe of small JSON events between server modules (and, with Redis,
 * between processes). In-process EventEmitter on the embedded default; Redis pub/sub when
 * REDIS_URL is set. Delivery is at-most-once: durable work goes through the database.
 */
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * Our events, also what an event heard on Redis must look like. Anything that can reach the
 * channels can publish there (another deployment sharing the Redis, a test, a bug): a message that
 * is not one of these is dropped instead of acted on (a worker once ran enqueue for a document id
 * "doc-0.69…"). Ids are checked as PostgreSQL reads a uuid (z.guid(): any hex 8-4-4-4-12).
 */
const BUS_EVENT = z.discriminatedUnion('type', [
  z.object({ type: z.literal('blocks.changed'), tenantId: z.guid(), documentId: z.guid(), changed: z.array(z.string()), deleted: z.array(z.string()) }),
  /**
   * A document's atoms, molecules, annotations or extraction status changed (panels refresh).
   * `progress`: a running job's count of blocks stored of those it must extract.
   */
  z.object({
    type: z.literal('knowledge.changed'),
    tenantId: z.guid(),
    documentId: z.guid(),
    status: z.enum(['idle', 'queued', 'running', 'retrying', 'failed']),
    progress: z.object({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).optional(),
  }),
  /** A session ended or a membership changed: open websockets of that account or member re-check. */
  z.object({ type: z.literal('access.changed'), accountId: z.string().optional(), userId: z.string().optional() }),
]);

export type BusEvent = z.infer<typeof BUS_EVENT>;
export type BlocksChangedEvent = Extract<BusEvent, { type: 'blocks.changed' }>;
export type KnowledgeChangedEvent = Extract<BusEvent, { type: 'knowledge.changed' }>;
export type AccessChangedEvent = Extract<BusEvent, { type: 'access.changed' }>;

/** Sends one PUBLISH (the collab process's writer thread does it off the relay's event loop). */
export type Publisher = (channel: string, message: string) => Promise<unknown>;

export interface Bus {
  readonly kind: 'redis' | 'in-process';
  publish(event: BusEvent): Promise<void>;
  subscribe(handler: (event: BusEvent) => void): () => void;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const CHANNEL = 'kos:events';

export const EVENT_TYPES = ['blocks.changed', 'knowledge.changed', 'access.changed'] as const satisfies readonly BusEvent['type'][];

export function inProcessBus(): Bus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: 'in-process',
    async publish(event) {
      emitter.emit(CHANNEL, event);
    },
    subscribe(handler) {
      emitter.on(CHANNEL, handler);
      return () => emitter.off(CHANNEL, handler);
    },
    async ping() {},
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/**
 * Each event type has a Redis channel of its own (`kos:events:<type>`), and a process subscribes to
 * the types it `listens` to: events of other types never reach it. The collaboration process
 * hears only access.changed; with one channel it also parsed every extraction status change and
 * its own blocks.changed, ~110 messages a second typing into 20 documents, each waking the relay's
 * event loop for ~0.1 ms. `publisher`, when given, sends the PUBLISH instead of this thread's
 * connection (the collaboration process's writer thread, see writerThread.ts).
 */
export async function redisBus(
  url: string,
  listens: readonly BusEvent['type'][] = EVENT_TYPES,
  publisher?: Publisher,
): Promise<Bus> {
  const options = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false } as const;
  const pub = new Redis(url, options);
  const sub = new Redis(url, options);
  // Errors surface through ping() and the health endpoint; ioredis reconnects by itself.
  pub.on('error', () => {});
  sub.on('error', () => {});
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (error) {
    pub.disconnect();
    sub.disconnect();
    throw error;
  }
  const send = publisher ?? ((channel, message) => pub.publish(channel, message));
  const local = new EventEmitter();
  local.setMaxListeners(0);
  if (listens.length > 0) await sub.subscribe(...listens.map((type) => `${CHANNEL}:${type}`));
  sub.on('message', (_channel: string, message: string) => {
    try {
      const event: BusEvent = BUS_EVENT.parse(JSON.parse(message));
      local.emit(CHANNEL, event);
    } catch {
      // A foreign or corrupt message on our channel is ignored.
    }
  });
  return {
    kind: 'redis',
    async publish(event) {
      await send(`${CHANNEL}:${event.type}`, JSON.stringify(event));
    },
    subscribe(handler) {
      local.on(CHANNEL, handler);
      return () => local.off(CHANNEL, handler);
    },
    async ping() {
      await pub.ping();
    },
    async close() {
      local.removeAllListeners();
      pub.disconnect();
      sub.disconnect();
    },
  };
}

export function openBus(
  env: { REDIS_URL?: string } = { REDIS_URL: process.env.REDIS_URL },
  listens: readonly BusEvent['type'][] = EVENT_TYPES,
  publisher?: Publisher,
): Promise<Bus> {
  return env.REDIS_URL ? redisBus(env.REDIS_URL, listens, publisher) : Promise.resolve(inProcessBus());
}
