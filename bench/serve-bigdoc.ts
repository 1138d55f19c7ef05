/**
 * Bench child of the big-document suite (bench/bigdoc.ts): our server as a user runs it, on data
 * that outlives the process, so the parent can kill it with SIGKILL and start it again on the
 * same data. BENCH_BIGDOC_ROLE=all (default) is `npm run dev` without Next: everything in one
 * process on PGlite in DATA_DIR; `collab` is the production relay (`--role=collab`) on
 * DATABASE_URL, beside a worker process the parent starts. The server's own environment
 * (DATABASE_URL, DATA_DIR, REDIS_URL, NEO4J_URI) is read by startServices as in server/main.ts.
 *
 * HTTP on BENCH_BIGDOC_PORT (the same port after a restart, as the same command would use):
 *   /api/health          as the app serves it: the route handler (one process) or main.ts (collab)
 *   /api/documents       the app's route handler (app/api/documents/route.ts) with a session
 *                        cookie of the local user, called without Next's router
 *   /bench/progress?documentId=…&outboxUpTo=…   how far the document's extraction and graph sync are
 *   /bench/info          the tenant
 * and the collaboration websocket on COLLAB_PATH. The process id is written to BENCH_BIGDOC_PID_FILE
 * first thing, so the parent can kill a child that never became ready.
 */
import fs from 'node:fs';
import http from 'node:http';
import { startServices, type ProcessRole } from '../server/start';
import { CollabServer } from '../server/collab/server';
import { DocumentRepository } from '../server/db/repos/documents';
import { createSession } from '../server/auth/accounts';
import { recordEdit } from '../server/auth/audit';
import { SESSION_COOKIE } from '../server/http/cookies';
import { log } from '../server/log';
import { healthFor } from '../server/health';
import { COLLAB_PATH } from '../lib/collab/closeCodes';
import { GET as listDocuments } from '../app/api/documents/route';
import { GET as healthRoute } from '../app/api/health/route';
import { serveOverIpc } from './support/serverChild';
import { readProgress } from './support/bigdocProgress';

const pidFile = process.env.BENCH_BIGDOC_PID_FILE;
if (pidFile) fs.writeFileSync(pidFile, String(process.pid));

await serveOverIpc(async () => {
  const role: ProcessRole = process.env.BENCH_BIGDOC_ROLE === 'collab' ? 'collab' : 'all';
  const port = Number(process.env.BENCH_BIGDOC_PORT ?? 0);
  const services = await startServices({ ...process.env, NODE_ENV: 'production' }, { role });
  const { config, db } = services;
  const tenantId = services.local.tenant.id;
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent(await createSession(db, services.local.user.accountId, tenantId))}`;
  const identity = { userId: services.local.user.id, tenantId, accountId: services.local.user.accountId, canWrite: true };

  // As server/main.ts wires it, but every connection is the local user (no cookie at upgrade).
  const collab = new CollabServer({
    db,
    log,
    rooms: services.rooms,
    maxPayload: config.COLLAB_MAX_MESSAGE_BYTES,
    identify: async () => identity,
    bus: services.bus,
    allowMessage: (who) => services.messageLimiter.allow(who.userId, who.tenantId),
    onEdit: (who, documentId) => void recordEdit(db, who, documentId).catch((error: unknown) => log.error({ err: error }, 'audit write failed')),
  });

  const origin = `http://127.0.0.1:${port}`;
  const send = async (res: http.ServerResponse, response: Response) => {
    res.writeHead(response.status, { 'content-type': 'application/json' });
    res.end(await response.text());
  };
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/api/health') {
      if (role === 'all') return send(res, await healthRoute(new Request(url, { headers: { cookie } })));
      const report = await services.health();
      return send(res, Response.json(await healthFor(db, req.headers.cookie, report), { status: report.status === 'ok' ? 200 : 503 }));
    }
    if (url.pathname === '/api/documents') return send(res, await listDocuments(new Request(url, { headers: { cookie } })));
    if (url.pathname === '/bench/progress') {
      const documentId = url.searchParams.get('documentId') ?? '';
      const outboxUpTo = url.searchParams.get('outboxUpTo');
      return send(res, Response.json(await readProgress(db, tenantId, documentId, outboxUpTo === null ? null : Number(outboxUpTo))));
    }
    if (url.pathname === '/bench/info') return send(res, Response.json({ tenantId }));
    return send(res, Response.json({ error: 'not found' }, { status: 404 }));
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (CollabServer.handles(req)) return collab.handleUpgrade(req, socket, head);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    ready: {
      server: 'knowledge-os',
      database: db.kind,
      processes: role === 'collab' ? 'collab + worker' : 'one process',
      wsBase: `ws://127.0.0.1:${port}${COLLAB_PATH}`,
    },
    async createDocument() {
      const { id } = await DocumentRepository.create(db, tenantId, { createdBy: services.local.user.id });
      return id;
    },
    async settle() {},
    logStats: () => ({ ...services.updateLog.stats }),
    async close() {
      await collab.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await services.close();
    },
  };
});
