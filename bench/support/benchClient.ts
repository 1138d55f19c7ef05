/**
 * A lean y-websocket client for load generation. It speaks WebsocketProvider's protocol
 * (SyncStep1 / SyncStep2 / Update, see server/collab/protocol.ts) without awareness or
 * reconnects, so a hundred of them fit on one core:
 *   - an observer applies every update like an editor and reports when others' edits reach it;
 *   - a typist syncs once, then only types and counts what it receives (it does not decode it).
 * The same client drives both servers under test.
 */
import { randomUUID } from 'node:crypto';
import WebSocket, { type RawData } from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { BLOCK_ID_ATTR, YDOC_FIELD } from '../../lib/blocks/types';
import { wallNow } from './stats';

const MESSAGE_SYNC = 0;
const REMOTE = Symbol('remote');
const KEYS = 'the quick brown fox jumps over a lazy dog ';

export interface BenchClientOptions {
  observer: boolean;
  /** An observer integrated items [fromClock, toClock) of another client at `at`. */
  onObserved?: (client: number, fromClock: number, toClock: number, at: number) => void;
  /** An Update message arrived (counted before any decoding). */
  onDelivered?: () => void;
}

export class BenchClient {
  readonly doc = new Y.Doc();
  readonly synced: Promise<void>;
  private readonly socket: WebSocket;
  private decoding = true;
  private text: Y.XmlText | null = null;
  private keystrokes = 0;

  constructor(
    url: string,
    private readonly options: BenchClientOptions,
  ) {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    this.socket = socket;
    this.synced = new Promise<void>((resolve, reject) => {
      socket.on('open', () => {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        syncProtocol.writeSyncStep1(encoder, this.doc);
        this.send(encoding.toUint8Array(encoder));
      });
      socket.on('message', (data: RawData) => {
        if (this.onMessage(toBytes(data))) resolve();
      });
      socket.on('close', (code) => reject(new Error(`connection closed with ${code} before sync`)));
      socket.on('error', reject);
    });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) this.send(updateMessage(update));
    });
    if (options.observer) this.doc.on('afterTransaction', (transaction: Y.Transaction) => this.observe(transaction));
  }

  /** Adds this client's own paragraph (with a block id, as the editor would) to type into. */
  addParagraph(): void {
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.setAttribute(BLOCK_ID_ATTR, randomUUID());
    const text = new Y.XmlText();
    paragraph.insert(0, [text]);
    this.doc.getXmlFragment(YDOC_FIELD).push([paragraph]);
    this.text = text;
  }

  /** Types one character at the end of the paragraph; returns the clock of the new item. */
  type(): number {
    const text = this.text;
    if (!text) throw new Error('addParagraph() first');
    const clock = Y.getState(this.doc.store, this.doc.clientID);
    text.insert(text.length, KEYS[this.keystrokes++ % KEYS.length]);
    return clock;
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.close();
    this.doc.destroy();
  }

  /** Handles one message; true when it completed the initial sync. */
  private onMessage(bytes: Uint8Array): boolean {
    if (bytes[0] === MESSAGE_SYNC && bytes[1] === syncProtocol.messageYjsUpdate) this.options.onDelivered?.();
    if (!this.decoding) return false;
    const decoder = decoding.createDecoder(bytes);
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return false; // awareness: not simulated
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    const step = syncProtocol.readSyncMessage(decoder, encoder, this.doc, REMOTE);
    if (encoding.length(encoder) > 1) this.send(encoding.toUint8Array(encoder));
    if (step !== syncProtocol.messageYjsSyncStep2) return false;
    if (!this.options.observer) this.decoding = false;
    return true;
  }

  private observe(transaction: Y.Transaction): void {
    if (transaction.local) return;
    const at = wallNow();
    for (const [client, after] of transaction.afterState) {
      if (client === this.doc.clientID) continue;
      const before = transaction.beforeState.get(client) ?? 0;
      if (after > before) this.options.onObserved?.(client, before, after, at);
    }
  }

  private send(message: Uint8Array): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(message);
  }
}

function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
