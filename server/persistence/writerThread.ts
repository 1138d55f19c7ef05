/**
 * WriterThread: the relay's hot writes (update-log batches, projection runs) sent to PostgreSQL
 * from a worker thread with its own small pool, so the relay's event loop spends on each a
 * postMessage instead of a `pg` round trip (serialising, a loopback TCP write, parsing the reply).
 * Given a Redis URL, it also publishes the relay's bus events (see redisBus): an ioredis publish
 * took ~0.2 ms of the relay's thread, 145 ms in 16 s typing into 20 documents (a CPU profile).
 *
 * It is a `Sql`: query() resolves with the rows, or rejects with the database's message, after
 * the statement finished. A statement is never split or reordered, and a caller that waits for
 * one before sending the next (the update log, each document's projection) keeps its order. If
 * the thread dies, its pending queries reject (the update log retries them) and the next query
 * starts a fresh thread. PostgreSQL only: PGlite has a thread of its own (openPglite).
 * openWriterThread resolves once the thread runs, so the first update does not wait for it.
 */
import { Worker } from 'node:worker_threads';
import { statementName, type QueryResult, type Sql } from '../db/client';

const POOL_SIZE = 4;

interface Reply {
  ready?: true;
  id?: number;
  rows?: unknown[];
  rowCount?: number;
  error?: string;
}

export interface WriterThread extends Sql {
  /** PUBLISH on Redis from the thread; rejects with the reason when it could not. */
  publish(channel: string, message: string): Promise<void>;
  close(): Promise<void>;
}

export async function openWriterThread(url: string, options: { redisUrl?: string } = {}): Promise<WriterThread> {
  let thread: Worker | null = null;
  let closed = false;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (result: QueryResult<unknown>) => void; reject: (error: Error) => void }>();

  const failAll = (error: Error) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  const start = (): Worker => {
    // Plain JavaScript: no loader hooks (tsx) to start in the thread.
    const workerData = { url, poolSize: POOL_SIZE, redisUrl: options.redisUrl };
    // The thread keeps the process alive only while it starts, an answer is awaited or it closes.
    const started = new Worker(new URL('./writerThread.mjs', import.meta.url), { workerData, execArgv: [] });
    started.on('message', (reply: Reply) => {
      const waiter = reply.id === undefined ? undefined : waiting.get(reply.id);
      if (reply.id !== undefined) waiting.delete(reply.id);
      if (waiting.size === 0) started.unref();
      if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
      else waiter?.resolve({ rows: reply.rows ?? [], rowCount: reply.rowCount ?? 0 });
    });
    started.on('error', (error) => failAll(error));
    started.on('exit', () => {
      if (thread === started) thread = null;
      failAll(new Error('the database writer thread stopped'));
    });
    return started;
  };

  thread = start();
  const booting = thread;
  await new Promise<void>((resolve, reject) => {
    booting.on('message', (reply: Reply) => reply.ready && resolve());
    booting.once('exit', () => reject(new Error('the database writer thread did not start')));
  });

  /** Posts a message to the thread; resolves with its answer. */
  const ask = (message: object): Promise<QueryResult<unknown>> => {
    if (closed) return Promise.reject(new Error('the database writer thread is closed'));
    thread ??= start();
    const id = nextId++;
    const current = thread;
    current.ref();
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      current.postMessage({ id, ...message });
    });
  };

  return {
    query<T>(text: string, params: unknown[] = []): Promise<QueryResult<T>> {
      // The thread sends back what pg parsed; the caller names its type, as with pg itself.
      return ask({ text, params, name: statementName(text, params) }) as Promise<QueryResult<T>>;
    },
    async publish(channel, message) {
      await ask({ publish: { channel, message } });
    },
    async close() {
      closed = true;
      const current = thread;
      thread = null;
      if (!current) return;
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      current.ref();
      current.postMessage({ close: true });
      await exited;
    },
  };
}
