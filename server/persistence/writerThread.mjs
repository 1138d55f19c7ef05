// The writer thread (see writerThread.ts): runs the statements it is sent on a small `pg` pool of
// its own and answers each with its rows or its error, and publishes the bus messages it is sent
// on a Redis connection of its own. Plain JavaScript: it needs no TypeScript.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { Redis } from 'ioredis';

const pool = new pg.Pool({ connectionString: workerData.url, max: workerData.poolSize });
// An idle client that loses its connection must not kill the thread; the next query reconnects.
pool.on('error', () => {});
// As the bus's own publisher (server/bus.ts): no offline queue, so an outage fails the publish.
// Redis down at start: the thread starts all the same (publishes fail until ioredis reconnects).
const redis = workerData.redisUrl ? new Redis(workerData.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false }) : null;
redis?.on('error', () => {});
await redis?.connect().catch(() => {});
parentPort.postMessage({ ready: true });

parentPort.on('message', async (message) => {
  if (message.close) {
    await pool.end();
    redis?.disconnect();
    parentPort.close();
    return;
  }
  try {
    if (message.publish) {
      if (!redis) throw new Error('the writer thread has no Redis');
      await redis.publish(message.publish.channel, message.publish.message);
      parentPort.postMessage({ id: message.id });
      return;
    }
    // Prepared under message.name (see statementName in server/db/client.ts).
    const result = await pool.query({ name: message.name, text: message.text, values: message.params });
    parentPort.postMessage({ id: message.id, rows: result.rows, rowCount: result.rowCount ?? 0 });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
