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

export interface TestServer {
  services: Services;
  url: string;
  wsUrl: string;
  collab: CollabServer;
  createDocument(title?: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  maxPayload?: number;
  projection?: { debounceMs?: number; maxWaitMs?: number };
  env?: Record<string, string>;
  /** Reuse a database (restart tests); by default each server gets a fresh one. */
  database?: TestDatabase;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database: TestDatabase = options.database ?? (await openTestDatabase());
  const services = await startServices({ NODE_ENV: 'test', ...options.env }, { database: database.db, projection: options.projection });
  const collab = new CollabServer({
    db: services.db,
    log,
    rooms: services.rooms,
    maxPayload: options.maxPayload,
    identify: async () => ({ userId: services.local.user.id, tenantId: services.local.tenant.id }),
  });
  const server = http.createServer((_req, res) => res.end());
  server.on('upgrade', (req, socket, head) => collab.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    services,
    collab,
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

export function connectClient(wsUrl: string, documentId: string, options: { connect?: boolean } = {}): TestClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsUrl, documentId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
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
