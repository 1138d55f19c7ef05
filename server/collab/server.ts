/**
 * The collaboration server: y-websocket protocol over `ws`, one room per document at
 * `${COLLAB_PATH}/<documentId>`. Bad input closes only the offending connection:
 *   4404 unknown or foreign document, 4400 unreadable message, 1009 frame over maxPayload,
 *   4401 no identity, 4403 a reader's change, 4529 too many messages, 4500 unexpected server error.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { CLOSE_REASONS, COLLAB_PATH, CloseCode } from '../../lib/collab/closeCodes';
import type { Database } from '../db/client';
import { DocumentRepository } from '../db/repos/documents';
import type { Logger } from '../log';
import { MalformedMessage, awarenessMessage, ownAwarenessOnly, readMessage, syncStep1, syncStep2, type Incoming } from './protocol';
import { RoomRegistry, send, type Connection, type Room } from './rooms';
import { changesDocument } from './readOnly';
import type { AccessChangedEvent, Bus } from '../bus';

export interface Identity {
  userId: string;
  tenantId: string;
  accountId?: string;
  /** False for readers (developers, product owners): their changes close the connection with 4403. */
  canWrite?: boolean;
}

export interface CollabServerDeps {
  db: Database;
  log: Logger;
  rooms: RoomRegistry;
  /** Who is connecting; null refuses with 4401. */
  identify: (req: IncomingMessage) => Promise<Identity | null>;
  maxPayload?: number;
  /** Rate limit per message; false closes the connection with 4529. */
  allowMessage?: (identity: Identity) => boolean;
  /** Called when a connection's change is applied (at most once a minute per connection). */
  onEdit?: (identity: Identity, documentId: string) => void;
  /** `access.changed` events make open connections of that account or member identify again. */
  bus?: Bus;
}

interface Session {
  identity: Identity;
  /** The upgrade request, whose cookie identifies the connection again after access changes. */
  req: IncomingMessage;
  /** Non-null while the connection is being identified again: messages wait here. */
  held: Array<[RawData, boolean]> | null;
  /** Non-null while reading is paused for the update log (backpressure): frames already read wait here. */
  backlog: Array<[RawData, boolean]> | null;
  handle(data: RawData, isBinary: boolean): void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PING_INTERVAL_MS = 30_000;
const CLOSE_HANDSHAKE_MS = 1000;
/**
 * Backpressure: a connection whose message finds the update log more than PAUSE_BEHIND_MS or
 * PAUSE_BEHIND_UPDATES behind what was relayed stops being read until the log is within the
 * RESUME_ bounds. Its client keeps the edits (TCP and the client's send buffer hold the rest), so
 * what the relay has broadcast is never much more than ~100 ms (and one commit batch) ahead of
 * what is durable, however fast a client sends. (One 64 KB read holds ~2,000 keystroke messages,
 * handled in one tick: the count bound is what stops those.)
 */
const PAUSE_BEHIND_MS = 60;
const PAUSE_BEHIND_UPDATES = 1000;
const RESUME_BEHIND_MS = 30;
const RESUME_BEHIND_UPDATES = 500;

export class CollabServer {
  private readonly wss: WebSocketServer;
  private readonly pinger: NodeJS.Timeout;
  private readonly alive = new WeakMap<WebSocket, boolean>();
  /** Who each open connection is, and the upgrade request to identify them again by. */
  private readonly sessions = new Map<WebSocket, Session>();
  private readonly unsubscribe: (() => void) | undefined;
  /** Connections being accepted (identify, room load), which close() waits for. */
  private readonly accepting = new Set<Promise<void>>();
  private closing = false;
  private heldBack = 0;

  constructor(private readonly deps: CollabServerDeps) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxPayload ?? 8 * 1024 * 1024 });
    this.pinger = setInterval(() => this.pingAll(), PING_INTERVAL_MS);
    this.pinger.unref();
    this.unsubscribe = deps.bus?.subscribe((event) => {
      if (event.type === 'access.changed') void this.recheck(event);
    });
  }

  /**
   * A session ended or a membership changed: the affected connections identify again with their
   * upgrade request's cookie. Signed out → 4401; moved to another tenant → 4404; a new persona
   * applies to the next message (a demoted expert's next change is refused with 4403).
   */
  private async recheck(event: AccessChangedEvent): Promise<void> {
    const affected = [...this.sessions].filter(
      ([, { identity }]) => event.userId === identity.userId || (event.accountId !== undefined && event.accountId === identity.accountId),
    );
    // Messages that arrive while a connection is identified again wait, then run under the answer.
    for (const [, session] of affected) session.held ??= [];
    for (const [ws, session] of affected) {
      try {
        const next = await this.deps.identify(session.req);
        if (!next) close(ws, CloseCode.Unauthorized);
        else if (next.tenantId !== session.identity.tenantId) close(ws, CloseCode.DocumentNotFound);
        else session.identity = next;
      } catch (error) {
        this.deps.log.warn({ err: error }, 'could not identify a connection again; closing it');
        close(ws, CloseCode.ServerError);
      }
      const held = session.held ?? [];
      session.held = null;
      if (ws.readyState === ws.OPEN) for (const [data, isBinary] of held) this.deliver(ws, session, data, isBinary);
    }
  }

  /** True if this upgrade request is for the collaboration server. */
  static handles(req: IncomingMessage): boolean {
    return (req.url ?? '').startsWith(`${COLLAB_PATH}/`);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const accepted = this.accept(ws, req);
      this.accepting.add(accepted);
      void accepted.finally(() => this.accepting.delete(accepted));
    });
  }

  get connectionCount(): number {
    return this.wss.clients.size;
  }

  /** Connections not being read now because the update log is behind (backpressure). */
  get heldBackCount(): number {
    return this.heldBack;
  }

  private deliver(ws: WebSocket, session: Session, data: RawData, isBinary: boolean): void {
    const waiting = session.held ?? session.backlog;
    if (waiting) return void waiting.push([data, isBinary]);
    session.handle(data, isBinary);
    const { rooms } = this.deps;
    if (rooms.logPending() > PAUSE_BEHIND_UPDATES || rooms.logBehindMs() > PAUSE_BEHIND_MS) this.holdBack(ws, session);
  }

  private holdBack(ws: WebSocket, session: Session): void {
    session.backlog = [];
    ws.pause();
    this.heldBack += 1;
    void this.deps.rooms.whenLogWithin(RESUME_BEHIND_MS, RESUME_BEHIND_UPDATES).then(() => {
      const backlog = session.backlog ?? [];
      session.backlog = null;
      this.heldBack -= 1;
      while (backlog.length > 0 && !session.backlog) this.deliver(ws, session, ...(backlog.shift() as [RawData, boolean]));
      const again = session.backlog as Session['backlog']; // deliver() may have held it back again
      if (again) again.unshift(...backlog);
      else ws.resume();
    });
  }

  private async accept(ws: WebSocket, req: IncomingMessage): Promise<void> {
    const { log, rooms, db } = this.deps;
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    // Buffer messages that arrive while the room loads; they are handled in order afterwards.
    const early: Array<[RawData, boolean]> = [];
    let handler: ((data: RawData, isBinary: boolean) => void) | null = null;
    ws.on('message', (data, isBinary) => (handler ? handler(data, isBinary) : early.push([data, isBinary])));
    ws.on('error', (error) => log.debug({ err: error }, 'websocket error'));

    // Canonical (lower-case) id: /collab/<ID> and /collab/<id> are one room.
    const documentId = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname.slice(COLLAB_PATH.length + 1)).toLowerCase();
    try {
      const identity = await this.deps.identify(req);
      if (!identity) return close(ws, CloseCode.Unauthorized);
      const tenantOfDocument = UUID.test(documentId) ? await DocumentRepository.findTenantOf(db, documentId) : null;
      // A document of another tenant is reported exactly like a missing one.
      if (tenantOfDocument === null || tenantOfDocument !== identity.tenantId) return close(ws, CloseCode.DocumentNotFound);
      if (ws.readyState !== ws.OPEN) return;

      const connection: Connection = { socket: ws, userId: identity.userId, awarenessIds: new Set() };
      const room = await rooms.join(identity.tenantId, documentId, connection);
      const leave = () => void rooms.leave(room, connection).catch((error: unknown) => log.error({ err: error }, 'room unload failed'));
      if (ws.readyState !== ws.OPEN) return leave();
      ws.on('close', leave);

      const session: Session = {
        identity,
        req,
        held: null,
        backlog: null,
        handle: (data, isBinary) => this.onMessage(room, connection, session.identity, data, isBinary),
      };
      this.sessions.set(ws, session);
      ws.on('close', () => this.sessions.delete(ws));
      handler = (data, isBinary) => this.deliver(ws, session, data, isBinary);
      send(ws, syncStep1(room.doc));
      const states = [...room.awareness.getStates().keys()];
      if (states.length > 0) send(ws, awarenessMessage(room.awareness, states));
      for (const [data, isBinary] of early.splice(0)) handler(data, isBinary);
    } catch (error) {
      log.error({ err: error, documentId }, 'could not open collaboration room');
      close(ws, CloseCode.ServerError);
    }
  }

  private onMessage(room: Room, connection: Connection, identity: Identity, data: RawData, isBinary: boolean): void {
    const ws = connection.socket;
    // A connection the server has closed may still deliver frames until the close handshake ends.
    if (ws.readyState !== ws.OPEN) return;
    if (this.deps.allowMessage && !this.deps.allowMessage(identity)) return close(ws, CloseCode.RateLimited);
    let message: Incoming;
    try {
      if (!isBinary) throw new MalformedMessage('expected a binary message');
      message = readMessage(toBytes(data));
    } catch (error) {
      this.deps.log.info({ documentId: room.documentId, reason: String(error) }, 'closing connection: malformed message');
      return close(ws, CloseCode.MalformedMessage);
    }
    try {
      switch (message.type) {
        case 'sync-step-1':
          send(ws, syncStep2(room.doc, message.stateVector));
          break;
        case 'update':
          if (identity.canWrite === false) {
            // A reader's client still answers the server's SyncStep1; only real changes are refused.
            if (changesDocument(room.doc, message.update)) return close(ws, CloseCode.Forbidden);
            break;
          }
          Y.applyUpdate(room.doc, message.update, connection);
          this.noteEdit(connection, identity, room.documentId);
          break;
        case 'awareness': {
          // Nobody sets another connection's presence (nor the server's own id).
          const own = ownAwarenessOnly(message.update, (clientId) =>
            clientId !== room.doc.clientID && (connection.awarenessIds.has(clientId) || ![...room.connections].some((other) => other.awarenessIds.has(clientId))));
          if (own) awarenessProtocol.applyAwarenessUpdate(room.awareness, own, connection);
          break;
        }
        case 'query-awareness':
          send(ws, awarenessMessage(room.awareness, [...room.awareness.getStates().keys()]));
          break;
      }
    } catch (error) {
      this.deps.log.warn({ err: error, documentId: room.documentId }, 'closing connection: message could not be applied');
      close(ws, CloseCode.MalformedMessage);
    }
  }

  private readonly lastEdit = new WeakMap<Connection, number>();

  private noteEdit(connection: Connection, identity: Identity, documentId: string): void {
    if (!this.deps.onEdit) return;
    const now = Date.now();
    if (now - (this.lastEdit.get(connection) ?? 0) < 60_000) return;
    this.lastEdit.set(connection, now);
    this.deps.onEdit(identity, documentId);
  }

  private pingAll(): void {
    for (const ws of this.wss.clients) {
      if (this.alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }

  /**
   * Closes every connection (4503, so clients reconnect elsewhere) and waits until their rooms
   * have unloaded: nothing of this server touches the database after it returns.
   */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.pinger);
    this.unsubscribe?.();
    await Promise.allSettled(this.accepting);
    const clients = [...this.wss.clients];
    const closed = Promise.all(clients.map((ws) => ws.readyState !== ws.CLOSED && new Promise((resolve) => ws.once('close', resolve))));
    for (const ws of clients) close(ws, CloseCode.ShuttingDown);
    // A client that does not answer the close handshake is cut off.
    const cutOff = setTimeout(() => clients.forEach((ws) => ws.terminate()), CLOSE_HANDSHAKE_MS);
    await closed;
    clearTimeout(cutOff);
    await this.deps.rooms.flushAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function close(ws: WebSocket, code: number): void {
  if (ws.readyState === ws.CLOSED || ws.readyState === ws.CLOSING) return;
  ws.close(code, reasonFor(code));
}

/** A close reason must fit in 123 bytes. */
function reasonFor(code: number): string {
  return (CLOSE_REASONS[code] ?? 'closed').slice(0, 120);
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
