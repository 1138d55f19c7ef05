/** An in-process collaboration server on port 0 and y-websocket clients for it. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { startServices } from '../../server/start';
import type { Services } from '../../server/services';
import { CollabServer } from '../../server/collab/server';
import { log } from '../../server/log';
import { COLLAB_PATH } from '../../lib/collab/closeCodes';
import { openTestDatabase, type TestDatabase } from './db';
import { DocumentRepository } from '../../server/db/repos/documents';
import { identifyUpgrade } from '../../server/auth/upgrade';
import { sessionCookie } from './http';

export interface TestServer {
  services: Services;
  url: string;
  wsUrl: string;
  collab: CollabServer;
  /** A session cookie of the local user (domain expert, admin of the local tenant). */
  cookie: string;
  createDocument(title?: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  maxPayload?: number;
  projection?: { debounceMs?: number; maxWaitMs?: number };
  env?: Record<string, string>;
  /** Reuse a database (restart tests); by default each server gets a fresh one. */
  database?: TestDatabase;
  /** Identify websocket clients by their session cookie (as the app does) instead of as the local user. */
  auth?: boolean;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database: TestDatabase = options.database ?? (await openTestDatabase());
  const services = await startServices({ NODE_ENV: 'test', ...options.env }, { database: database.db, projection: options.projection });
  const collab = new CollabServer({
    db: services.db,
    log,
    rooms: services.rooms,
    maxPayload: options.maxPayload,
    identify: options.auth
      ? (req) => identifyUpgrade(services.db, req)
      : async () => ({ userId: services.local.user.id, tenantId: services.local.tenant.id }),
    allowMessage: options.auth ? (identity) => services.messageLimiter.allow(identity.userId, identity.tenantId) : undefined,
    bus: services.bus,
  });
  const server = http.createServer((_req, res) => res.end());
  server.on('upgrade', (req, socket, head) => collab.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    services,
    collab,
    cookie: await sessionCookie(services),
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}${COLLAB_PATH}`,
    async createDocument(title) {
      const document = await DocumentRepository.create(services.db, services.local.tenant.id, { title });
      return document.id;
    },
    async close() {
      await collab.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await services.close().catch(() => {});
      if (!options.database) await database.dispose();
    },
  };
}

export interface TestClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  synced: Promise<void>;
  destroy(): void;
}

/** A websocket class that sends this cookie with its upgrade request, as a browser would. */
export function webSocketWithCookie(cookie: string) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie } });
    }
  };
}

export function connectClient(wsUrl: string, documentId: string, options: { connect?: boolean; cookie?: string } = {}): TestClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsUrl, documentId, doc, {
    WebSocketPolyfill: (options.cookie ? webSocketWithCookie(options.cookie) : WebSocket) as unknown as typeof globalThis.WebSocket,
    connect: options.connect ?? true,
    disableBc: true,
  });
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) return resolve();
    provider.once('sync', (isSynced: boolean) => isSynced && resolve());
  });
  return {
    doc,
    provider,
    synced,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}
