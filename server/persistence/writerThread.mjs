// The writer thread (see writerThread.ts): runs the statements it is sent on a small `pg` pool of
// its own and answers each with its rows or its error. Plain JavaScript: it needs no TypeScript.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: workerData.url, max: workerData.poolSize });
// An idle client that loses its connection must not kill the thread; the next query reconnects.
pool.on('error', () => {});
parentPort.postMessage({ ready: true });

parentPort.on('message', async (message) => {
  if (message.close) {
    await pool.end();
    parentPort.close();
    return;
  }
  try {
    // Prepared under message.name (see statementName in server/db/client.ts).
    const result = await pool.query({ name: message.name, text: message.text, values: message.params });
    parentPort.postMessage({ id: message.id, rows: result.rows, rowCount: result.rowCount ?? 0 });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
