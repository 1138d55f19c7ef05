/**
 * UpdateLog: the durable, append-only log of Yjs updates, with group commit.
 *
 * Stored: yjs_updates(id, tenant_id, document_id, update) — one row per update the server
 * accepted; yjs_snapshots(document_id, state, upto_update_id) — the merged state of rows
 * that compaction folded and deleted.
 *
 * Order of events for one update:
 *   1. append() queues it and returns a promise;
 *   2. GROUP_COMMIT_MS after the first queued update, the flush writes every queued update of
 *      every document in ONE multi-row INSERT
 *      (one transaction, one WAL flush); while a flush runs, new updates queue for the next;
 *   3. the promise resolves after COMMIT; a failed INSERT keeps the batch and retries with
 *      back-off, so a database outage delays durability but drops nothing.
 *   A process crash before 3 loses at most the updates queued in the last ~20 ms (their clients
 *   still hold them and send them again when they reconnect); after 3, nothing.
 *   The relay broadcasts an update before it is committed; behindMs() says by how much the log
 *   trails, and the collaboration server stops reading from sockets that send while it trails
 *   by more than ~60 ms or one batch (backpressure), so a fast sender cannot outrun durability.
 *
 * Load = snapshot (if any) + every row still in the log, whatever its id. Compaction folds rows
 * into the snapshot and deletes exactly the rows it folded, in one transaction, so an update that
 * arrives meanwhile is never lost and ids need not be commit-ordered.
 */
import * as Y from 'yjs';
import type { Database, Sql } from '../db/client';

/** How long the first update of a batch waits for others: far inside the 100 ms durability budget. */
const GROUP_COMMIT_MS = 20;

interface Pending {
  tenantId: string;
  documentId: string;
  update: Uint8Array;
  /** When it was queued (Date.now()). */
  at: number;
  resolve: () => void;
}

export interface FlushStats {
  batches: number;
  updates: number;
}

export class UpdateLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  /** Callers of whenWithin(), resolved after the commit that brings the log within their bound. */
  private waiters: Array<{ ms: number; updates: number; resolve: () => void }> = [];
  private failures = 0;
  readonly stats: FlushStats = { batches: 0, updates: 0 };

  private readonly maxBatch: number;
  private readonly writer: Sql;

  /** `writer` runs the batch INSERTs (a WriterThread off the relay's event loop); default `db`. */
  constructor(
    private readonly db: Database,
    private readonly onError: (error: unknown, attempt: number) => void = () => {},
    options: { maxBatch?: number; writer?: Sql } = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.writer = options.writer ?? db;
  }

  get pending(): number {
    return this.queue.length;
  }

  append(tenantId: string, documentId: string, update: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ tenantId, documentId, update, at: Date.now(), resolve });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  /** How long the oldest update not yet committed has waited, in ms (0 when all are committed). */
  behindMs(now = Date.now()): number {
    return this.queue.length === 0 ? 0 : now - this.queue[0].at;
  }

  /** Resolves once the log is at most `ms` and `updates` behind (at once if it already is). */
  whenWithin(ms: number, updates = Infinity): Promise<void> {
    if (this.behindMs() <= ms && this.queue.length <= updates) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ms, updates, resolve }));
  }

  /** Resolves when everything appended so far is committed. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      // Every batch waits until its first update is GROUP_COMMIT_MS old, so the updates of many
      // keystrokes share one commit (one WAL flush), also while earlier batches are committing.
      const wait = this.queue[0].at + GROUP_COMMIT_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const batch = this.queue.slice(0, this.maxBatch);
      try {
        await this.insert(batch);
      } catch (error) {
        // The database is unreachable or failing: keep the batch (the edits exist only here)
        // and retry with back-off rather than drop it.
        this.failures += 1;
        this.onError(error, this.failures);
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** this.failures)));
        continue;
      }
      this.failures = 0;
      this.queue.splice(0, batch.length);
      this.stats.batches += 1;
      this.stats.updates += batch.length;
      for (const item of batch) item.resolve();
      this.wakeWaiters();
    }
    this.flushing = null;
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const behind = this.behindMs();
    const within = (waiter: { ms: number; updates: number }) => behind <= waiter.ms && this.queue.length <= waiter.updates;
    const waiting = this.waiters;
    this.waiters = waiting.filter((waiter) => !within(waiter));
    for (const waiter of waiting) if (within(waiter)) waiter.resolve();
  }

  private async insert(batch: Pending[]): Promise<void> {
    // One statement text whatever the batch's size, so that it is prepared once.
    await this.writer.query('INSERT INTO yjs_updates (tenant_id, document_id, update) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bytea[])', [
      batch.map((item) => item.tenantId),
      batch.map((item) => item.documentId),
      batch.map((item) => item.update),
    ]);
  }

  /** The document's stored state as one update (empty doc if none). */
  async load(documentId: string): Promise<{ state: Uint8Array; logLength: number }> {
    const snapshot = await this.db.query<{ state: Uint8Array }>(
      'SELECT state FROM yjs_snapshots WHERE document_id = $1',
      [documentId],
    );
    const { rows } = await this.db.query<{ update: Uint8Array }>(
      'SELECT update FROM yjs_updates WHERE document_id = $1 ORDER BY id',
      [documentId],
    );
    const updates = rows.map((row) => toBytes(row.update));
    if (snapshot.rows[0]) updates.unshift(toBytes(snapshot.rows[0].state));
    return { state: updates.length > 0 ? Y.mergeUpdates(updates) : new Uint8Array([0, 0]), logLength: rows.length };
  }

  /**
   * Folds the document's log rows into its snapshot. Runs on the database's data alone (not on
   * a live room), so it is correct whatever the rooms are doing. Returns how many rows it folded.
   */
  async compact(documentId: string): Promise<number> {
    return this.db.tx(async (tx) => {
      const { rows } = await tx.query<{ id: string; tenant_id: string; update: Uint8Array }>(
        'SELECT id, tenant_id, update FROM yjs_updates WHERE document_id = $1 ORDER BY id FOR UPDATE',
        [documentId],
      );
      if (rows.length === 0) return 0;
      const snapshot = await tx.query<{ state: Uint8Array }>(
        'SELECT state FROM yjs_snapshots WHERE document_id = $1 FOR UPDATE',
        [documentId],
      );
      // Applying to a fresh doc (rather than Y.mergeUpdates) lets Yjs drop deleted content.
      const doc = new Y.Doc();
      if (snapshot.rows[0]) Y.applyUpdate(doc, toBytes(snapshot.rows[0].state));
      for (const row of rows) Y.applyUpdate(doc, toBytes(row.update));
      const state = Y.encodeStateAsUpdate(doc);
      doc.destroy();
      const ids = rows.map((row) => row.id);
      await tx.query(
        `INSERT INTO yjs_snapshots (document_id, tenant_id, state, upto_update_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (document_id) DO UPDATE SET state = EXCLUDED.state,
           upto_update_id = GREATEST(yjs_snapshots.upto_update_id, EXCLUDED.upto_update_id), updated_at = NOW()`,
        [documentId, rows[0].tenant_id, state, ids[ids.length - 1]],
      );
      await tx.query('DELETE FROM yjs_updates WHERE id = ANY($1::bigint[])', [ids]);
      return rows.length;
    });
  }
}

function toBytes(value: Uint8Array): Uint8Array {
  // node-postgres gives a Buffer (a Uint8Array subclass); Yjs wants plain bytes either way.
  return value instanceof Uint8Array ? value : new Uint8Array(value);
}
