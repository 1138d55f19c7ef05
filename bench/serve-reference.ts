/**
 * Bench child: the stock `@y/websocket-server` (in memory, no persistence) as its own server.js
 * wires it, but with the same `ws` and http setup as ours so only the collaboration code differs.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { docs, getYDoc, setupWSConnection } from '@y/websocket-server/utils';
import { serveOverIpc } from './support/serverChild';
import { listenOnFreePort } from './support/listen';

await serveOverIpc(async (recorder) => {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', setupWSConnection);
  const server = http.createServer((_req, res) => res.end('okay'));
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
  const port = await listenOnFreePort(server);
  let applied = 0;

  return {
    ready: { server: 'reference', database: 'none', wsBase: `ws://127.0.0.1:${port}` },
    async createDocument() {
      const name = randomUUID();
      // The same per-update bookkeeping as ours, so both servers pay for the instrumentation.
      getYDoc(name).on('update', (update: Uint8Array) => {
        recorder.record(name, update, false);
        applied += 1;
      });
      return name;
    },
    async settle() {},
    logStats: () => ({ batches: 0, updates: applied }),
    async close() {
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      for (const doc of docs.values()) doc.destroy();
    },
  };
});
