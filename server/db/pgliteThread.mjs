// The PGlite thread (see openPglite in client.ts): PGlite runs Postgres compiled to WASM, and
// every statement blocks the thread it runs on. Here it runs in a worker thread of its own, so
// the main thread (the websocket relay, Next) keeps its event loop while SQL executes.
// Plain JavaScript: no loader hooks (tsx) to start in the thread.
//
// Messages in:  { id, op: 'query', text, params, tx? } | { id, op: 'exec', text }
//               { id, op: 'begin', tx } | { id, op: 'end', tx, commit } | { op: 'close' }
// Messages out: { ready } | { id, rows, affectedRows } | { id, error: { message, ...fields } }
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const db = await PGlite.create(workerData.dataDir);
/** Open transactions by id: the PGlite transaction and how to end it. */
const open = new Map();

const reply = (id, body) => parentPort.postMessage({ id, ...body });
const failure = (error) => {
  // The fields callers read (code '42501', '57014', '23505' …) travel with the message.
  const fields = error && typeof error === 'object' ? { ...error } : {};
  return { message: error instanceof Error ? error.message : String(error), ...fields };
};

async function handle(message) {
  switch (message.op) {
    case 'query': {
      const target = message.tx === undefined ? db : open.get(message.tx)?.tx;
      if (!target) throw new Error('the transaction has ended');
      const result = await target.query(message.text, message.params);
      return { rows: result.rows, affectedRows: result.affectedRows };
    }
    case 'exec':
      await db.exec(message.text);
      return {};
    case 'begin': {
      // PGlite's transaction() holds the database for as long as its callback runs: the
      // callback waits for 'end', which commits (resolve) or rolls back (reject).
      let started;
      const ready = new Promise((resolve) => (started = resolve));
      const entry = {};
      entry.done = db.transaction(
        (tx) =>
          new Promise((commit, rollback) => {
            Object.assign(entry, { tx, commit, rollback });
            open.set(message.tx, entry);
            started();
          }),
      );
      const forget = () => open.delete(message.tx);
      entry.done.then(forget, forget);
      await Promise.race([ready, entry.done]); // rejects if BEGIN itself failed
      return {};
    }
    case 'end': {
      const entry = open.get(message.tx);
      if (!entry) return {};
      if (message.commit) entry.commit();
      else entry.rollback(new Error('rolled back'));
      try {
        await entry.done;
      } catch (error) {
        if (message.commit) throw error;
      }
      return {};
    }
    default:
      throw new Error(`unknown operation ${message.op}`);
  }
}

// PGlite runs Postgres single-user (--single), where nothing ever checkpoints on its own: no
// checkpointer process, and the WAL-volume trigger applies only under a postmaster. After kill -9
// the next start replayed all the WAL written since the process started (673 MB after two
// minutes of writes: 24.5 s of redo before PGlite answered), and pg_wal grew without bound. So
// the thread checkpoints itself once WAL_PER_CHECKPOINT has been written: 30-50 ms each,
// and the redo after a crash stays under ~1 s.
const WAL_PER_CHECKPOINT = 16 * 1024 * 1024;
const CHECK_EVERY_MS = 1000;
let inFlight = 0;
let lastCheck = Date.now();
let checking = false;

/** Between statements (no transaction open, nothing in flight), at most once a second. */
async function checkpointIfDue() {
  if (checking || inFlight > 0 || open.size > 0 || Date.now() - lastCheck < CHECK_EVERY_MS) return;
  checking = true;
  try {
    const { rows } = await db.query(
      `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn) >= $1 AS due FROM pg_control_checkpoint()`,
      [WAL_PER_CHECKPOINT],
    );
    if (rows[0]?.due) await db.exec('CHECKPOINT');
  } catch {
    // Not a caller's statement: the next check tries again.
  } finally {
    lastCheck = Date.now();
    checking = false;
  }
}

parentPort.on('message', (message) => {
  if (message.op === 'close') {
    void db.close().finally(() => parentPort.close());
    return;
  }
  inFlight++;
  handle(message)
    .then(
      (body) => reply(message.id, body),
      (error) => reply(message.id, { error: failure(error) }),
    )
    .finally(() => {
      inFlight--;
      void checkpointIfDue();
    });
});
parentPort.postMessage({ ready: true });
