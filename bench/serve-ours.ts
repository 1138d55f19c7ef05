/**
 * Bench child: the Knowledge OS collaboration server wired as in test/support/collab.ts, on the
 * PostgreSQL database named by BENCH_SERVER_DATABASE_URL (or an in-memory PGlite when it is unset).
 * BENCH_SERVER_ROLE=collab runs it as production does (relay, update log and projection only,
 * telling a worker process over Redis, BENCH_REDIS_URL); `all` (the default) runs everything in
 * this one process, as `npm run dev` does. Instrumented from outside, without touching server code: the update log's `append` and each
 * room's `getXmlFragment` (the projection's read of the document) are wrapped per instance.
 */
import http from 'node:http';
import { startServices } from '../server/start';
import { CollabServer } from '../server/collab/server';
import { openPglite, openPostgres, type Database } from '../server/db/client';
import { DocumentRepository } from '../server/db/repos/documents';
import { log } from '../server/log';
import { COLLAB_PATH } from '../lib/collab/closeCodes';
import { serveOverIpc } from './support/serverChild';
import { listenOnFreePort } from './support/listen';

await serveOverIpc(async (recorder) => {
  const url = process.env.BENCH_SERVER_DATABASE_URL || undefined;
  const database = url ? openPostgres(url) : await openPglite();
  const role = process.env.BENCH_SERVER_ROLE === 'collab' ? 'collab' : 'all';
  const redis = role === 'collab' ? { REDIS_URL: process.env.BENCH_REDIS_URL } : {};
  // DATABASE_URL as production sets it (start.ts opens the relay's writer thread from it).
  const env = { NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: url, ...redis } as const;
  const services = await startServices(env, { database, role });
  const { updateLog, rooms, bus } = services;
  const tenantId = services.local.tenant.id;

  const append = updateLog.append.bind(updateLog);
  updateLog.append = (tenant, documentId, update) => {
    const entries = recorder.record(documentId, update, true);
    recorder.appending();
    const committed = append(tenant, documentId, update);
    void committed.then(() => recorder.durable(entries));
    return committed;
  };
  // Recorded as the projection publishes it: the collab process does not hear blocks.changed.
  const publish = bus.publish.bind(bus);
  bus.publish = (event) => {
    if (event.type === 'blocks.changed') recorder.blocksChanged(event.documentId);
    return publish(event);
  };

  const collab = new CollabServer({
    db: services.db,
    log,
    rooms,
    identify: async () => ({ userId: services.local.user.id, tenantId }),
  });
  const server = http.createServer((_req, res) => res.end());
  server.on('upgrade', (req, socket, head) => collab.handleUpgrade(req, socket, head));
  const port = await listenOnFreePort(server);

  return {
    ready: {
      server: 'knowledge-os',
      database: database.kind,
      processes: role === 'collab' ? 'collab + worker' : 'one process',
      wsBase: `ws://127.0.0.1:${port}${COLLAB_PATH}`,
    },
    async createDocument() {
      const { id } = await DocumentRepository.create(services.db, tenantId, {});
      // Load the room now so its document can be tapped before any client joins; it unloads as
      // usual when the last client leaves.
      const room = await rooms.open(tenantId, id);
      const getXmlFragment = room.doc.getXmlFragment.bind(room.doc);
      room.doc.getXmlFragment = (name) => {
        recorder.projectionRead(id);
        return getXmlFragment(name);
      };
      return id;
    },
    async settle() {
      // Rooms unload (drain, last projection, compaction) after their last client left.
      const deadline = Date.now() + 15_000;
      while (rooms.size > 0 && Date.now() < deadline) await sleep(50);
      await updateLog.drain();
      // Compaction runs after the room left the registry, extraction and graph sync after the
      // projection (here or in the worker): wait for all of it, so it does not spill into the
      // next round, which may be the reference's.
      const quietBy = Date.now() + 60_000;
      while (Date.now() < quietBy && (await backgroundWork(services.db)) > 0) await sleep(100);
      while (Date.now() < quietBy && (await busyBackends(services.db)) > 0) await sleep(50);
    },
    logStats: () => ({ ...updateLog.stats }),
    async close() {
      await collab.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await services.close();
      await database.close();
    },
  };
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Graph outbox rows and extraction jobs not yet done. */
async function backgroundWork(db: Database): Promise<number> {
  const { rows } = await db.query<{ pending: number }>(
    `SELECT (SELECT count(*) FROM graph_outbox)::int
          + (SELECT count(*) FROM extraction_status WHERE state IN ('queued', 'running', 'retrying'))::int AS pending`,
  );
  return rows[0]?.pending ?? 0;
}

/** Other sessions of this database inside a statement or transaction. */
async function busyBackends(db: Database): Promise<number> {
  if (db.kind !== 'postgres') {
    await db.query('SELECT 1'); // PGlite runs one statement at a time: this waits for the others
    return 0;
  }
  const { rows } = await db.query<{ busy: number }>(
    `SELECT count(*)::int AS busy FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND state NOT IN ('idle')`,
  );
  return rows[0]?.busy ?? 0;
}
