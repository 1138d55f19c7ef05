/**
 * The graph sync worker: drains graph_outbox (migration 0004_graph_sync) in order of id, a batch
 * of one tenant at a time. Per batch: read the CURRENT rows of the changed entities
 * (projection.ts), delete the nodes of those that are gone, upsert the others' nodes (while their
 * edges are projected), then replace their outgoing edges and their neighbours' in one call (nodes
 * before edges: the store skips edges whose ends are missing), record sync_state, and only then
 * delete the batch's outbox rows.
 * A crash or a graph outage before that delete leaves the rows, and the batch is redone; every
 * write is an idempotent upsert or replace.
 *
 * Several workers (processes) may drain one outbox: a batch runs under its tenant's lock
 * (withTenantLock), so one tenant's rows are applied by one worker at a time, in order, while
 * other tenants' rows go to other workers.
 *
 * While the graph store fails, retries back off from 100 ms, doubling, to 30 s. Otherwise the
 * worker wakes on the bus (blocks.changed, knowledge.changed) and polls every 500 ms.
 */
import type { Database, Sql } from '../db/client';
import type { GraphEntityType } from '../db/repos/graphOutbox';
import type { Bus } from '../bus';
import type { Logger } from '../log';
import { checksum, LABEL_OF, projectEdges, projectNodes } from './projection';
import { representativesOf } from './ruleVariants';
import type { GraphNode, GraphStore } from './types';

const COALESCE_MS = 200;

export interface GraphSyncOptions {
  db: Database;
  graph: GraphStore;
  bus?: Bus;
  log?: Logger;
  batchSize?: number;
  pollMs?: number;
  /** How long a bus event waits for others before waking the worker (default COALESCE_MS). */
  coalesceMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** What the UI shows as "the graph is behind". */
export interface GraphSyncStatus {
  pending: number;
  oldestPendingMs: number | null;
  lastError: string | null;
  lastErrorAt: string | null;
  lastSyncedAt: string | null;
  /** The last attempt failed and the worker is backing off. */
  retrying: boolean;
}

interface OutboxRow {
  id: string;
  tenantId: string;
  type: GraphEntityType;
  entityId: string;
}

const ENTITY_ORDER: GraphEntityType[] = ['domain', 'document', 'block', 'atom', 'molecule'];
/** Outbox rows per batch: larger batches mean fewer round trips per entity (measured in bench/graph.ts). */
const BATCH_SIZE = 2000;
/** On PGlite, which answers nobody else while a statement runs, a batch's statements stay short. */
const PGLITE_BATCH_SIZE = 250;
/** First key of the two-key advisory locks (the second is the tenant's hash), so they do not collide with other locks. */
const LOCK_SPACE = 0x6b6f7347;

export class GraphSync {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private lastError: string | null = null;
  private lastErrorAt: Date | null = null;
  private lastSyncedAt: Date | null = null;
  private retrying = false;
  private coalesce: NodeJS.Timeout | null = null;
  /** Per tenant, the last outbox id of a full batch while a backlog drains (see syncTenantBatch). */
  private readonly cursors = new Map<string, string>();

  constructor(private readonly options: GraphSyncOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    // Bursts of events (every projection run, every extraction status change) wake the worker
    // once per COALESCE_MS: fewer, larger batches, and less work on the relay's event loop.
    this.unsubscribe = this.options.bus?.subscribe((event) => {
      if (event.type !== 'blocks.changed' && event.type !== 'knowledge.changed') return;
      this.coalesce ??= setTimeout(() => {
        this.coalesce = null;
        this.wakeUp?.();
      }, this.options.coalesceMs ?? COALESCE_MS);
    }) ?? null;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    if (this.coalesce) clearTimeout(this.coalesce);
    this.coalesce = null;
    this.wakeUp?.();
    await this.loop;
    this.loop = null;
  }

  /** Syncs until the outbox is empty, also when other workers drain it too; throws when the graph store fails (tests, CLI). */
  async drain(): Promise<void> {
    for (;;) {
      if ((await this.syncBatch()) > 0) continue;
      if ((await this.status()).pending === 0) return;
      // Another worker holds the remaining tenants' locks.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** One batch, serialised with the worker's own; returns how many outbox rows it consumed. */
  syncBatch(): Promise<number> {
    const next = this.queue.then(() => this.syncOnce());
    this.queue = next.catch(() => {});
    return next;
  }

  async status(tenantId?: string): Promise<GraphSyncStatus> {
    const { rows } = await this.options.db.query<{ pending: number; oldest: Date | null }>(
      `SELECT count(*)::int AS pending, min(created_at) AS oldest FROM graph_outbox WHERE $1::uuid IS NULL OR tenant_id = $1`,
      [tenantId ?? null],
    );
    const [{ pending, oldest }] = rows;
    return {
      pending,
      oldestPendingMs: oldest ? Math.max(0, Date.now() - new Date(oldest).getTime()) : null,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt?.toISOString() ?? null,
      lastSyncedAt: this.lastSyncedAt?.toISOString() ?? null,
      retrying: this.retrying,
    };
  }

  /** Same as status(): how far the graph is behind PostgreSQL. */
  lag(tenantId?: string): Promise<GraphSyncStatus> {
    return this.status(tenantId);
  }

  private async run(): Promise<void> {
    const min = this.options.minBackoffMs ?? 100;
    const max = this.options.maxBackoffMs ?? 30_000;
    let backoff = min;
    while (this.running) {
      try {
        const done = await this.syncBatch();
        backoff = min;
        this.retrying = false;
        if (done === 0) await this.sleep(this.options.pollMs ?? 500, true);
      } catch (error) {
        this.retrying = true;
        this.options.log?.warn({ err: error, retryInMs: backoff }, 'graph sync failed; retrying');
        await this.sleep(backoff, false);
        backoff = Math.min(backoff * 2, max);
      }
    }
  }

  /** A bus event ends a poll early, never a back-off (a busy bus must not hammer a down store). */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const stop = () => done();
      this.wakeUp = wakeable ? stop : () => { if (!this.running) stop(); };
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /**
   * One batch of the oldest tenant whose lock this worker gets (tenants other workers hold are
   * skipped); 0 when the outbox is empty or every tenant with rows is held by another worker.
   */
  private async syncOnce(): Promise<number> {
    const { db } = this.options;
    const skipped: string[] = [];
    for (;;) {
      const { rows: [oldest] } = await db.query<{ tenantId: string }>(
        `SELECT tenant_id AS "tenantId" FROM graph_outbox WHERE tenant_id <> ALL($1::uuid[]) ORDER BY id LIMIT 1`, [skipped]);
      if (!oldest) return 0;
      const done = await withTenantLock(db, oldest.tenantId, () => this.syncTenantBatch(oldest.tenantId));
      if (done !== null) return done;
      skipped.push(oldest.tenantId);
    }
  }

  private async syncTenantBatch(tenantId: string): Promise<number> {
    const { db, graph } = this.options;
    const batchSize = this.options.batchSize ?? (db.kind === 'pglite' ? PGLITE_BATCH_SIZE : BATCH_SIZE);
    // While a backlog drains, each batch starts after the previous one's last id: the rows deleted
    // before it stay in the index until vacuum, and every batch would step over all of them again
    // (20-40 ms per batch deep into a 132,000-row backlog). A batch that comes back short means
    // the backlog is drained; the next one starts from the beginning again, so rows committed
    // late with a smaller id are picked up then.
    const after = this.cursors.get(tenantId) ?? '0';
    const { rows } = await db.query<OutboxRow>(
      `SELECT id::text AS id, tenant_id AS "tenantId", entity_type AS type, entity_id AS "entityId"
         FROM graph_outbox WHERE tenant_id = $1 AND id > $3::bigint ORDER BY graph_outbox.id LIMIT $2`,
      [tenantId, batchSize, after],
    );
    this.cursors.delete(tenantId);
    if (rows.length === 0) return after === '0' ? 0 : this.syncTenantBatch(tenantId);
    try {
      await syncTenant(db, graph, tenantId, rows);
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.lastErrorAt = new Date();
      await markFailed(db, rows, this.lastError).catch(() => {});
      throw error;
    }
    await db.query('DELETE FROM graph_outbox WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
    if (rows.length === batchSize) this.cursors.set(tenantId, rows[rows.length - 1].id);
    this.lastSyncedAt = new Date();
    return rows.length;
  }
}

const heldInProcess = new WeakMap<Database, Set<string>>();

/**
 * Runs `work` holding the tenant's sync lock, or returns null at once when another worker holds
 * it. On PostgreSQL the lock is a transaction-level advisory lock on a connection of its own
 * (released by COMMIT, ROLLBACK or a lost connection); `work` runs on the pool. A PGlite database
 * belongs to one process, so there a lock in memory is enough.
 */
async function withTenantLock<T>(db: Database, tenantId: string, work: () => Promise<T>): Promise<T | null> {
  if (db.kind === 'pglite') {
    const held = heldInProcess.get(db) ?? new Set<string>();
    heldInProcess.set(db, held);
    if (held.has(tenantId)) return null;
    held.add(tenantId);
    try {
      return await work();
    } finally {
      held.delete(tenantId);
    }
  }
  return db.tx(async (tx) => {
    const { rows: [{ locked }] } = await tx.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked', [LOCK_SPACE, tenantId]);
    return locked ? work() : null;
  });
}

/** Only rows that exist: a never-synced entity keeps no sync_state, so its next sync takes the fast path. */
async function markFailed(db: Sql, rows: OutboxRow[], error: string): Promise<void> {
  await db.query(
    `UPDATE sync_state SET sync_status = 'failed', sync_error = $2, last_sync_attempt = NOW(), updated_at = NOW()
      WHERE entity_id = ANY($1::uuid[])`,
    [rows.map((row) => row.entityId), error.slice(0, 2000)],
  );
}

/** Projects one tenant's changed entities to the graph and records their sync_state. */
export async function syncTenant(db: Sql, graph: GraphStore, tenantId: string, changes: Array<{ type: GraphEntityType; entityId: string }>): Promise<void> {
  const idsOf = (type: GraphEntityType) => [...new Set(changes.filter((c) => c.type === type).map((c) => c.entityId))];
  const allIds = [...new Set(changes.map((c) => c.entityId))];
  const { rows: states } = await db.query<{ id: string; linked: string[] }>(
    'SELECT entity_id AS id, linked_ids AS linked FROM sync_state WHERE tenant_id = $1 AND entity_id = ANY($2::uuid[])',
    [tenantId, allIds],
  );
  const previouslyLinked = states.flatMap((state) => state.linked);

  // Nodes: the present ones are upserted, the others deleted (with the blocks of a trashed document).
  const nodes: GraphNode[] = [];
  for (const type of ENTITY_ORDER) nodes.push(...(await projectNodes(db, tenantId, type, idsOf(type))));
  const present = new Set(nodes.map((node) => node.id));
  const gone = allIds.filter((id) => !present.has(id));
  const goneDocuments = idsOf('document').filter((id) => !present.has(id));
  if (goneDocuments.length > 0) {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM blocks WHERE tenant_id = $1 AND document_id = ANY($2::uuid[])', [tenantId, goneDocuments]);
    gone.push(...rows.map((row) => row.id));
  }
  // The graph store writes the nodes while PostgreSQL projects the edges: neither needs the other.
  // With the Neo4j store's chunks sent back to back, a full-size first sync took 45-49 s instead
  // of 53-57 s (bench/graph.ts data, same Neo4j state, runs alternated).
  const writeNodes = (async () => {
    if (gone.length > 0) await graph.deleteNodes(tenantId, gone);
    if (nodes.length > 0) await graph.upsertNodes(tenantId, nodes);
  })();
  const projectAll = (async () => {
    // Edges of the changed entities, then of their neighbours before and after the change.
    const projections = await Promise.all(ENTITY_ORDER.map((type) => projectEdges(db, tenantId, type, idsOf(type))));
    const linked = new Map(projections.flatMap((projection) => [...projection.linked]));
    const changed = new Set(allIds);
    // Also: what links to an entity that is gone (an atom's RELATED_TO points at older atoms, which
    // do not link back), and the rule that now represents a changed rule's variant.
    const { rows: linkingToGone } = gone.length === 0 ? { rows: [] } : await db.query<{ id: string }>(
      'SELECT entity_id AS id FROM sync_state WHERE tenant_id = $1 AND linked_ids && $2::uuid[]', [tenantId, gone]);
    const representatives = await representativesOf(db, tenantId, idsOf('molecule'));
    const neighbours = [...new Set([...previouslyLinked, ...[...linked.values()].flat(), ...linkingToGone.map((row) => row.id), ...representatives])]
      .filter((id) => !changed.has(id));
    const neighbourEdges = [
      ...(await projectEdges(db, tenantId, 'atom', neighbours)).edges,
      ...(await projectEdges(db, tenantId, 'molecule', neighbours)).edges,
    ];
    return { linked, edges: [...neighbourEdges, ...projections.flatMap((projection) => projection.edges)] };
  })();
  const [nodesWritten, projected] = await Promise.allSettled([writeNodes, projectAll]);
  if (nodesWritten.status === 'rejected') throw nodesWritten.reason;
  if (projected.status === 'rejected') throw projected.reason;
  const { linked, edges } = projected.value;
  await graph.replaceEdges(tenantId, edges);

  await db.query('DELETE FROM sync_state WHERE tenant_id = $1 AND entity_id = ANY($2::uuid[])', [tenantId, gone]);
  const synced = nodes.map((node) => ({ type: entityType(node), id: node.id, checksum: checksum(node), linked: linked.get(node.id) ?? [] }));
  if (synced.length === 0) return;
  await db.query(
    `INSERT INTO sync_state (tenant_id, entity_type, entity_id, postgres_version, postgres_checksum, neo4j_checksum,
                             sync_status, last_sync_attempt, sync_error, linked_ids)
     SELECT $1, r.type, r.id, 1, r.checksum, r.checksum, 'synced', NOW(), NULL,
            ARRAY(SELECT jsonb_array_elements_text(r.linked))::uuid[]
       FROM jsonb_to_recordset($2::jsonb) AS r(type text, id uuid, checksum text, linked jsonb)
     ON CONFLICT (tenant_id, entity_type, entity_id) DO UPDATE SET
       postgres_version = sync_state.postgres_version + 1, postgres_checksum = EXCLUDED.postgres_checksum,
       neo4j_checksum = EXCLUDED.neo4j_checksum, sync_status = 'synced', last_sync_attempt = NOW(), sync_error = NULL,
       linked_ids = EXCLUDED.linked_ids, updated_at = NOW()`,
    [tenantId, JSON.stringify(synced)],
  );
}

function entityType(node: GraphNode): GraphEntityType {
  const found = ENTITY_ORDER.find((type) => LABEL_OF[type] === node.label);
  if (!found) throw new Error(`no entity type for label ${node.label}`);
  return found;
}
