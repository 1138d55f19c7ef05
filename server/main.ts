/**
 * The process entry point. `--role=all` (default: `npm run dev` / `npm start`) serves Next and the
 * collaboration server on one port from one process, which is what PGlite needs (it admits one
 * process). `--role=collab` serves only the collaboration websocket and /api/health, for
 * production deployments that run it apart from Next (both then need DATABASE_URL). `--role=worker`
 * runs the extraction queue and the graph sync (which `collab` leaves out) and listens on no port;
 * it hears of edits over Redis (REDIS_URL).
 */
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServices } from './start';
import { CollabServer } from './collab/server';
import { log } from './log';
import { identifyUpgrade, refuseForeignOrigin, upgradeOriginAllowed } from './auth/upgrade';
import { recordEdit } from './auth/audit';
import { loadConfig } from './config';
import { healthFor } from './health';
import { clientAddress, parseTrustProxy } from './http/clientAddress';

const { values } = parseArgs({
  // --next=off: the embedded default's process without the pages (crash tests: no Next compiler).
  options: { role: { type: 'string', default: 'all' }, port: { type: 'string' }, host: { type: 'string' }, next: { type: 'string', default: 'on' } },
});
const role = values.role;
if (role !== 'all' && role !== 'collab' && role !== 'worker') {
  log.fatal({ role }, '--role must be all, collab or worker');
  process.exit(2);
}

/** Next's request and upgrade handlers, once it has compiled or loaded the app. */
async function prepareNext(hostname: string) {
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';
  const { default: next } = await import('next');
  const dev = process.env.NODE_ENV !== 'production';
  const app = next({ dev, dir: path.resolve(import.meta.dirname, '..'), hostname });
  await app.prepare();
  return { handle: app.getRequestHandler(), upgrade: app.getUpgradeHandler() };
}
// Next prepares while the database opens in its thread (1.5-2.5 s less before listening).
const nextApp = role === 'all' && values.next !== 'off' ? prepareNext(values.host ?? loadConfig(process.env).HOST) : null;

// The background work starts once the server listens: after a crash, catching up on a big
// document's extraction and graph sync must not keep the server from answering (issue 20).
const services = await startServices(process.env, { role, deferBackground: true });
const startBackground = () =>
  void services.startBackground().catch((error: unknown) => log.error({ err: error }, 'start-up catch-up failed'));
const { config } = services;
const collab = new CollabServer({
  db: services.db,
  log,
  rooms: services.rooms,
  maxPayload: config.COLLAB_MAX_MESSAGE_BYTES,
  identify: (req) => identifyUpgrade(services.db, req),
  bus: services.bus,
  allowMessage: (identity) => services.messageLimiter.allow(identity.userId, identity.tenantId),
  onEdit: (identity, documentId) =>
    void recordEdit(services.db, identity, documentId).catch((error: unknown) => log.error({ err: error }, 'audit write failed')),
});

let handleRequest: http.RequestListener = (req, res) => {
  if (req.url === '/api/health') {
    void services.health().then(async (report) => {
      const body = await healthFor(services.db, req.headers.cookie, report);
      res.writeHead(report.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: 'not_found', message: 'This server only serves collaboration.' } }));
};
let handleOtherUpgrade: ((req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => void) | null = null;

if (nextApp) {
  const { handle, upgrade } = await nextApp;
  handleRequest = (req, res) => void handle(req, res);
  handleOtherUpgrade = (req, socket, head) => void upgrade(req, socket, head);
}

// Route handlers see the client's address (rate limits on sign-in); a client cannot supply its own
// unless it comes through a proxy TRUST_PROXY names.
const trustProxy = parseTrustProxy(config.TRUST_PROXY);
const server = http.createServer((req, res) => {
  req.headers['x-forwarded-for'] = clientAddress(req, trustProxy);
  handleRequest(req, res);
});
server.on('upgrade', (req, socket, head) => {
  if (CollabServer.handles(req)) {
    if (upgradeOriginAllowed(req)) return collab.handleUpgrade(req, socket, head);
    log.warn({ origin: req.headers.origin, host: req.headers.host }, 'collaboration upgrade from a foreign Origin refused');
    return refuseForeignOrigin(socket);
  }
  if (handleOtherUpgrade) return handleOtherUpgrade(req, socket, head);
  socket.destroy();
});

const port = values.port !== undefined ? Number(values.port) : config.PORT;
const host = values.host ?? config.HOST;
if (role === 'worker') {
  log.info({ role, database: services.db.kind, cache: services.bus.kind }, 'Knowledge OS worker running');
  process.stdout.write('KOS_WORKER_READY\n');
  startBackground();
} else server.listen(port, host, () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  log.info({ role, url: `http://${host}:${actualPort}`, database: services.db.kind, cache: services.bus.kind, startedInMs: Math.round(performance.now()) }, 'Knowledge OS listening');
  // Machine-readable line for tests and scripts that start the server on port 0.
  process.stdout.write(`KOS_LISTENING http://${host}:${actualPort}\n`);
  startBackground();
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down: flushing rooms');
  server.close();
  await collab.close();
  await services.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
